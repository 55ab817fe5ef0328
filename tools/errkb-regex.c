/* errkb-regex: each entry's regex against its own samples, ordinary log
 * lines, the rest of the corpus and adversarial input; or (--try) which
 * entries recognise a given log line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "regex/check.h"
#include "regex/quote.h"
#include "run.h"

static const char help[] =
    "usage: errkb-regex [OPTION]... [FILE|DIR]...\n"
    "       errkb-regex --try LINE [FILE|DIR]...\n"
    "Check that each entry's regex compiles, matches its signature, aliases and\n"
    "match samples but no no_match sample, does not match ordinary log lines\n"
    "(schema/background.log) or the texts of other entries, and does not\n"
    "backtrack catastrophically. With no FILE, check the whole entries/ folder\n"
    "found at or above the current folder; a FILE is checked against the whole\n"
    "corpus, and findings are reported for the FILEs only.\n"
    "\n"
    "  --try LINE          print the entries whose regex recognises LINE, with the\n"
    "                      byte offsets [start,end) and the text matched (only the\n"
    "                      FILEs' entries, when given); exit 0 if any does, else 1\n"
    "  --portable          also note constructs that RE2, Go or Python's re reject\n"
    "                      or read differently\n"
    "  --stats             print statistics (regex runs the prefilter saved, work\n"
    "                      spent on backtracking, timings) to standard error\n"
    EKB_CLI_HELP_SHARED
    EKB_CLI_HELP_END
    "\n"
    "Exit status: 0 clean, 1 findings, 2 usage, I/O or internal error.\n"
    "With --try: 0 when an entry recognises the line, 1 when none does, 2 trouble.\n";

enum { OPT_TRY = EKB_OPT_TOOL, OPT_PORTABLE, OPT_STATS };

static const struct option options[] = {
    {"try", required_argument, NULL, OPT_TRY},
    {"portable", no_argument, NULL, OPT_PORTABLE},
    {"stats", no_argument, NULL, OPT_STATS},
    {NULL, 0, NULL, 0},
};

typedef struct regex_opts {
    const char *try_line;
    bool portable, stats;
    ekb_run *run;
} regex_opts;

static int take_option(void *ctx, int id, const char *arg)
{
    regex_opts *o = ctx;
    if (id == OPT_TRY) {
        if (o->try_line)
            return ekb_cli_usage_error(&o->run->cli, "--try may be given once");
        o->try_line = arg;
    } else if (id == OPT_PORTABLE) {
        o->portable = true;
    } else {
        o->stats = true;
    }
    return 0;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* With every file loaded for context, loading problems of files that are not
 * targets are not this run's findings. */
static bool foreign(void *ctx, const ekb_diag *g)
{
    const ekb_corpus *c = ctx;
    for (size_t k = 0; k < c->n && *g->path; k++)
        if (!c->files[k].target && strcmp(c->files[k].path, g->path) == 0)
            return true;
    return false;
}

static void drop_foreign(ekb_run *run)
{
    ekb_diags_drop(&run->diags, foreign, &run->corpus);
}

static int check_one(void *ctx, ekb_run *run, ekb_corpus_file *f, ekb_diags *d)
{
    (void)run;
    return ekb_regex_check_file(ctx, f, d);
}

static void print_stats(const char *prog, const ekb_regex_stats *s, const double t[4])
{
    fprintf(stderr, "%s: stats: %zu entries, %zu regexes compiled, %zu texts, %zu background lines\n", prog,
            s->entries, s->compiled, s->texts, s->background_lines);
    fprintf(stderr, "%s: stats: prefilter: %zu atoms, %zu regexes without a usable literal (always run)\n", prog,
            s->atoms, s->unfiltered);
    fprintf(stderr,
            "%s: stats: ambiguity: %llu regex runs instead of %llu (%llu saved by the prefilter and by texts given twice), %llu matches\n",
            prog, s->pairs_run, s->pairs_brute, s->pairs_brute - s->pairs_run, s->pairs_matched);
    fprintf(stderr, "%s: stats: background: %llu regex runs instead of %llu (%llu saved)\n", prog,
            s->background_run, s->background_brute, s->background_brute - s->background_run);
    fprintf(stderr, "%s: stats: no_match samples: %llu regex runs instead of %llu (%llu ruled out by the prefilter)\n",
            prog, s->no_match_run, s->no_match_brute, s->no_match_brute - s->no_match_run);
    fprintf(stderr,
            "%s: stats: backtracking: %zu regexes measured, %zu without a risky construct, %zu beyond the "
            "parser; %zu runs, %llu steps\n",
            prog, s->bt_measured, s->bt_skipped, s->bt_unparsed, s->bt_runs, s->bt_steps);
    fprintf(stderr, "%s: stats: time: load %.3f s, compile %.3f s, cross-match %.3f s, checks %.3f s\n", prog,
            t[0], t[1], t[2], t[3]);
}

static int try_mode(regex_opts *o)
{
    ekb_run *run = o->run;
    const char *prog = run->cli.prog;
    if (!ekb_rx_valid_utf8(o->try_line, strlen(o->try_line)))
        return ekb_cli_usage_error(&run->cli, "the --try line is not valid UTF-8");
    int r;
    if ((r = ekb_run_open(run, false, true)) >= 0)
        return r;
    drop_foreign(run);
    ekb_regex_check_options co = {.jobs = run->cli.jobs};
    ekb_regex_corpus *rc = NULL;
    bool targets_only = run->cli.n_paths > 0;
    int code = EKB_EXIT_TROUBLE;
    if (ekb_regex_corpus_new(&run->corpus, &co, &run->diags, &rc) != 0 ||
        ekb_regex_report_compile_errors(rc, targets_only, &run->diags) != 0) {
        fprintf(stderr, "%s: out of memory\n", prog);
        goto done;
    }
    /* problems (a file that did not load, a regex that does not compile)
     * explain a missing answer: they go to standard error */
    ekb_diags_sort(&run->diags);
    for (size_t i = 0; i < run->diags.n; i++)
        ekb_report_write_diag(stderr, prog, &run->diags.v[i]);
    ekb_regex_hit *hits;
    size_t n, limited;
    if (ekb_regex_try(rc, o->try_line, strlen(o->try_line), targets_only, &hits, &n, &limited) != 0) {
        fprintf(stderr, "%s: out of memory\n", prog);
        goto done;
    }
    size_t considered = targets_only ? ekb_corpus_count_targets(&run->corpus, true) : ekb_regex_corpus_stats(rc).entries;
    bool bad = false;
    for (size_t i = 0; i < n && !bad; i++) {
        char *m = ekb_rx_quoted(o->try_line + hits[i].start, hits[i].end - hits[i].start, 200);
        bad = !m || printf("%s [%zu,%zu) %s\n", hits[i].id, hits[i].start, hits[i].end, m) < 0;
        free(m);
    }
    if (limited)
        fprintf(stderr, "%s: %zu entr%s stopped at a PCRE2 limit on the line\n", prog, limited,
                limited == 1 ? "y" : "ies");
    if (!run->cli.quiet && !bad)
        bad = printf("%s: %zu of %zu entr%s recognise%s the line\n", prog, n, considered, considered == 1 ? "y" : "ies",
                     n == 1 ? "s" : "") < 0;
    free(hits);
    if (bad || fflush(stdout) != 0)
        fprintf(stderr, "%s: cannot write the result\n", prog);
    else
        code = n ? EKB_EXIT_CLEAN : EKB_EXIT_FINDINGS;
done:
    ekb_regex_corpus_free(rc);
    ekb_corpus_close(&run->corpus);
    ekb_diags_free(&run->diags);
    return code;
}

int main(int argc, char **argv)
{
    ekb_run run = {0};
    regex_opts o = {.run = &run};
    int r = ekb_cli_parse(&run.cli, argc, argv, options, take_option, &o, help);
    if (r >= 0)
        return r;
    if (o.try_line)
        return try_mode(&o);
    double t[4], t0 = now();
    if ((r = ekb_run_open(&run, false, true)) >= 0)
        return r;
    drop_foreign(&run);
    double t1 = now();
    ekb_regex_check_options co = {.portable = o.portable, .jobs = run.cli.jobs};
    ekb_regex_corpus *rc = NULL;
    if (ekb_regex_corpus_new(&run.corpus, &co, &run.diags, &rc) != 0) {
        run.oom = true;
        return ekb_run_finish(&run);
    }
    double t2 = now();
    if (ekb_regex_corpus_cross(rc, &run.diags) != 0)
        run.oom = true;
    double t3 = now();
    if (!run.oom && (ekb_run_each(&run, check_one, rc) != 0 || ekb_regex_corpus_finish(rc, &run.diags) != 0))
        run.oom = true;
    t[0] = t1 - t0, t[1] = t2 - t1, t[2] = t3 - t2, t[3] = now() - t3;
    if (o.stats && !run.oom) {
        ekb_regex_stats st = ekb_regex_corpus_stats(rc);
        print_stats(run.cli.prog, &st, t);
    }
    ekb_regex_corpus_free(rc);
    return ekb_run_finish(&run);
}

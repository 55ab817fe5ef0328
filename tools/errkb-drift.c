/* errkb-drift: checks that the translated fields of entries (signature_zh,
 * ...) are present, translated, keep their tokens and are confirmed against
 * the current source text; --accept records confirmations, --stats coverage. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "drift/drift.h"
#include "run.h"

static const char help[] =
    "usage: errkb-drift [OPTION]... [FILE|DIR]...\n"
    "   or: errkb-drift --accept [OPTION]... [ID]...\n"
    "Check the translated fields of entry files against their sources: missing,\n"
    "orphaned or untranslated translations, arrays of different lengths, tokens\n"
    "(numbers, codes, identifiers, ...) lost in translation, odd lengths, and\n"
    "sources changed since their translation was confirmed. The pairs and\n"
    "thresholds come from the policy (translations:, languages:, drift:).\n"
    "With no FILE, check the whole entries/ folder found at or above the\n"
    "current folder.\n"
    "\n"
    "  --accept            record the current source fingerprints of every entry\n"
    "                      (or of the entries with the given IDs) in the lock file,\n"
    "                      after a translator has reviewed their translations\n"
    "  --stats             print translation coverage per language and domain\n"
    "                      (to standard error with any --format but text)\n"
    "  --min-coverage N    fail when a language's coverage is below N percent\n"
    EKB_CLI_HELP_SHARED
    EKB_CLI_HELP_END
    "\n"
    "Exit status: 0 clean, 1 findings, 2 usage, I/O or internal error.\n";

enum { OPT_ACCEPT = EKB_OPT_TOOL, OPT_STATS, OPT_MIN_COVERAGE };

static const struct option options[] = {
    {"accept", no_argument, NULL, OPT_ACCEPT},
    {"stats", no_argument, NULL, OPT_STATS},
    {"min-coverage", required_argument, NULL, OPT_MIN_COVERAGE},
    {NULL, 0, NULL, 0},
};

typedef struct drift_tool {
    ekb_run run;
    bool accept, stats, gate;
    double min_coverage;
    ekb_drift_config cfg;
    ekb_drift_lock lock;
    char *lock_path;           /* NULL outside a corpus */
    ekb_drift_counts *counts;  /* cfg.n_langs per corpus file */
    char **domains;            /* per corpus file: where its coverage counts */
    size_t n_domains;
} drift_tool;

static int take_option(void *ctx, int id, const char *arg)
{
    drift_tool *t = ctx;
    if (id == OPT_ACCEPT) {
        t->accept = true;
    } else if (id == OPT_STATS) {
        t->stats = true;
    } else {
        char *end;
        errno = 0;
        double v = strtod(arg, &end);
        if (errno || end == arg || *end || v < 0 || v > 100)
            return ekb_cli_usage_error(&t->run.cli, "--min-coverage wants a percentage from 0 to 100, not '%s'", arg);
        t->min_coverage = v;
        t->gate = true;
    }
    return 0;
}

static void tool_free(drift_tool *t)
{
    ekb_drift_config_free(&t->cfg);
    ekb_drift_lock_free(&t->lock);
    free(t->lock_path);
    free(t->counts);
    for (size_t i = 0; i < t->n_domains; i++)
        free(t->domains[i]);
    free(t->domains);
}

/* Prints what stopped the tool to stderr, frees everything, returns 2. */
static int trouble(drift_tool *t, bool oom)
{
    ekb_run *run = &t->run;
    if (oom) {
        fprintf(stderr, "%s: out of memory\n", run->cli.prog);
    } else {
        ekb_diags_sort(&run->diags);
        for (size_t i = 0; i < run->diags.n; i++)
            ekb_report_write_diag(stderr, run->cli.prog, &run->diags.v[i]);
    }
    ekb_corpus_close(&run->corpus);
    ekb_diags_free(&run->diags);
    tool_free(t);
    return EKB_EXIT_TROUBLE;
}

/* The lock file as shown: the policy's lock_file below the folder that holds
 * the entries folder. */
static char *lock_path(const ekb_corpus *c, const char *file)
{
    if (file[0] == '/')
        return strdup(file);
    const char *e = c->entries_dir;
    size_t n = strlen(e);
    while (n > 1 && e[n - 1] == '/')
        n--;
    size_t k = n;
    while (k > 0 && e[k - 1] != '/')
        k--;
    const char *last = e + k;
    if ((n - k == 1 && last[0] == '.') || (n - k == 2 && memcmp(last, "..", 2) == 0))
        return ekb_asprintf("%.*s/../%s", (int)n, e, file);
    if (k == 0)
        return strdup(file);
    return ekb_asprintf("%.*s/%s", k == 1 ? 1 : (int)(k - 1), e, file);
}

static const char *string_at(const ekb_doc *doc, const char *key)
{
    json_t *v = json_object_get(doc->root, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static char *domain_of(const ekb_corpus_file *f);

static int check_file(void *ctx, ekb_run *run, ekb_corpus_file *f, ekb_diags *d)
{
    drift_tool *t = ctx;
    size_t idx = (size_t)(f - run->corpus.files);
    /* the run frees f's document after this call: keep its domain */
    if (!(t->domains[idx] = domain_of(f)))
        return -1;
    const char *rid = f->id ? f->id : string_at(f->doc, "id");
    return ekb_drift_check_entry(&t->cfg, t->lock.exists ? &t->lock : NULL, f->doc, f->id, rid, d,
                                 &t->counts[idx * t->cfg.n_langs]);
}

/* The domain an entry's coverage counts under: its folder, else its
 * 'domain' field. */
static char *domain_of(const ekb_corpus_file *f)
{
    if (f->id)
        return ekb_strndup(f->id, strcspn(f->id, "/"));
    const char *dom = string_at(f->doc, "domain");
    return strdup(dom ? dom : "-");
}

static int check_mode(drift_tool *t)
{
    ekb_run *run = &t->run;
    ekb_corpus *c = &run->corpus;
    if (!(t->counts = calloc(c->n * t->cfg.n_langs + 1, sizeof *t->counts)))
        return trouble(t, true);
    if (!(t->domains = calloc(c->n + 1, sizeof *t->domains)))
        return trouble(t, true);
    t->n_domains = c->n;
    if (ekb_run_each(run, check_file, t) != 0)
        return trouble(t, true);
    ekb_drift_stats *s = NULL;
    if (t->stats || t->gate) {
        if (!(s = ekb_drift_stats_new(&t->cfg)))
            return trouble(t, true);
        for (size_t i = 0; i < c->n; i++) {
            if (!c->files[i].target || !t->domains[i])
                continue; /* not checked: not a target, or it did not load */
            int r = ekb_drift_stats_add(s, t->domains[i], &t->counts[i * t->cfg.n_langs]);
            if (r != 0) {
                ekb_drift_stats_free(s);
                return trouble(t, true);
            }
        }
        if (t->gate && ekb_drift_stats_gate(s, t->min_coverage, &run->diags) != 0) {
            ekb_drift_stats_free(s);
            return trouble(t, true);
        }
    }
    ekb_format format = run->cli.format;
    const char *prog = run->cli.prog;
    int code = ekb_run_finish(run);
    if (t->stats) {
        FILE *out = format == EKB_FORMAT_TEXT ? stdout : stderr;
        if (ekb_drift_stats_write(out, s) != 0 || fflush(out) != 0) {
            fprintf(stderr, "%s: cannot write the statistics\n", prog);
            code = EKB_EXIT_TROUBLE;
        }
    }
    ekb_drift_stats_free(s);
    tool_free(t);
    return code;
}

/* --- --accept --- */

typedef struct accept_ctx {
    const ekb_corpus *corpus;
    char **ids; /* named ids, NULL: every entry */
    int n_ids;
} accept_ctx;

static bool named(const accept_ctx *a, const char *id)
{
    for (int i = 0; i < a->n_ids; i++)
        if (strcmp(a->ids[i], id) == 0)
            return true;
    return false;
}

/* Keeps the lines of entries that exist and are not being confirmed again. */
static bool keep_line(void *ctx, const ekb_drift_lock_line *line)
{
    const accept_ctx *a = ctx;
    const ekb_corpus_file *f = ekb_corpus_find(a->corpus, line->id);
    return f && f->doc && a->n_ids > 0 && !named(a, line->id);
}

static int make_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    char *dir = ekb_strndup(path, (size_t)(slash - path));
    if (!dir)
        return ENOMEM;
    int e = mkdir(dir, 0755) == 0 || errno == EEXIST ? 0 : errno;
    free(dir);
    return e;
}

static int accept_mode(drift_tool *t, char **ids, int n_ids)
{
    ekb_run *run = &t->run;
    ekb_corpus *c = &run->corpus;
    if (ekb_diags_count(&run->diags, EKB_ERROR)) {
        fprintf(stderr, "%s: not writing '%s': some entries cannot be read\n", run->cli.prog, t->lock_path);
        int code = ekb_run_finish(run);
        tool_free(t);
        return code == EKB_EXIT_CLEAN ? EKB_EXIT_FINDINGS : code;
    }
    for (int i = 0; i < n_ids; i++) {
        if (!ekb_corpus_find(c, ids[i])) {
            ekb_cli_usage_error(&run->cli, "no entry '%s' in '%s'", ids[i], c->entries_dir);
            return trouble(t, false);
        }
    }
    accept_ctx a = {c, ids, n_ids};
    ekb_drift_lock_filter(&t->lock, keep_line, &a);
    size_t lines = 0, entries = 0;
    for (size_t i = 0; i < c->n_corpus; i++) {
        const ekb_corpus_file *f = &c->files[i];
        if (!f->doc || !f->id || (n_ids && !named(&a, f->id)))
            continue;
        if (strpbrk(f->id, " \t")) {
            fprintf(stderr, "%s: cannot record '%s': the lock file's ids have no spaces\n", run->cli.prog, f->id);
            return trouble(t, false);
        }
        if (ekb_drift_accept_entry(&t->cfg, f->doc, f->id, &t->lock, &lines) != 0)
            return trouble(t, true);
        entries++;
    }
    int e = make_parent(t->lock_path);
    if (!e)
        e = ekb_drift_lock_write(&t->lock, t->lock_path);
    if (e == ENOMEM)
        return trouble(t, true);
    if (e) {
        fprintf(stderr, "%s: cannot write '%s': %s\n", run->cli.prog, t->lock_path, strerror(e));
        return trouble(t, false);
    }
    if (!run->cli.quiet)
        printf("%s: confirmed %zu translation%s of %zu entr%s in '%s'\n", run->cli.prog, lines,
               lines == 1 ? "" : "s", entries, entries == 1 ? "y" : "ies", t->lock_path);
    int code = fflush(stdout) ? EKB_EXIT_TROUBLE : EKB_EXIT_CLEAN;
    ekb_corpus_close(c);
    ekb_diags_free(&run->diags);
    tool_free(t);
    return code;
}

int main(int argc, char **argv)
{
    drift_tool t = {0};
    ekb_run *run = &t.run;
    int r = ekb_cli_parse(&run->cli, argc, argv, options, take_option, &t, help);
    if (r >= 0)
        return r;
    char **ids = NULL;
    int n_ids = 0;
    if (t.accept) {
        if (t.stats || t.gate || run->cli.changed_since)
            return ekb_cli_usage_error(&run->cli, "--accept does not go with --stats, --min-coverage or "
                                                  "--changed-since");
        /* the operands are entry ids: the whole corpus is opened */
        ids = run->cli.paths;
        n_ids = run->cli.n_paths;
        run->cli.n_paths = 0;
    }
    /* drift needs no entry schema; a lone file outside any corpus works too.
     * A check streams (each file loaded, checked, freed on its worker);
     * --accept reads every entry at once. */
    run->stream = !t.accept;
    if ((r = ekb_run_open(run, false, t.accept)) >= 0)
        return r;
    int cr = ekb_drift_config_load(&t.cfg, &run->corpus.policy, &run->diags);
    if (cr != 0)
        return trouble(&t, cr < 0);
    if (run->corpus.entries_dir) {
        if (!(t.lock_path = lock_path(&run->corpus, t.cfg.lock_file)))
            return trouble(&t, true);
        int lr = ekb_drift_lock_read(&t.lock, t.lock_path, &run->diags);
        if (lr != 0)
            return trouble(&t, lr < 0);
    }
    return t.accept ? accept_mode(&t, ids, n_ids) : check_mode(&t);
}

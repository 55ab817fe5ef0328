/* errkb-compile: validate the corpus, then compile it into generated/errkb.idx,
 * errkb_index.h and errkb_ids.h (or, with --check, say whether they are stale). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

#include "drift/drift.h"
#include "index/index.h"
#include "bulk_json.h"
#include "index/output.h"
#include "parallel.h"
#include "regex/check.h"
#include "rules.h"
#include "run.h"
#include "validate.h"

static const char help[] =
    "usage: errkb-compile [OPTION]...\n"
    "Check the whole corpus as errkb-validate, errkb-regex and errkb-drift do,\n"
    "then compile it into the binary index and C headers: OUT/errkb.idx,\n"
    "OUT/errkb_index.h, OUT/errkb_ids.h. A corpus with errors is not compiled.\n"
    "\n"
    "  -o, --output DIR    where to write (default: generated/ beside entries/)\n"
    "  --check             write nothing; exit 1 when OUT is not what the corpus\n"
    "                      compiles to\n"
    "  --samples           include samples.match and samples.no_match in the index\n"
    "  --force             compile despite validation errors (emergencies only)\n"
    "  --stats             print sizes: bytes per entry, ratio to the minified JSON\n"
    EKB_CLI_HELP_SHARED
    EKB_CLI_HELP_END
    "\n"
    "Exit status: 0 compiled (or up to date), 1 validation errors or a stale\n"
    "OUT under --check, 2 usage, I/O or internal error.\n";

enum { OPT_OUTPUT = EKB_OPT_TOOL, OPT_CHECK, OPT_FORCE, OPT_SAMPLES, OPT_STATS };

static const struct option options[] = {
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"check", no_argument, NULL, OPT_CHECK},
    {"force", no_argument, NULL, OPT_FORCE},
    {"samples", no_argument, NULL, OPT_SAMPLES},
    {"stats", no_argument, NULL, OPT_STATS},
    {NULL, 0, NULL, 0},
};

typedef struct compile_opts {
    const char *output;
    bool check, force, samples, stats;
} compile_opts;

static int take_option(void *ctx, int id, const char *arg)
{
    compile_opts *o = ctx;
    switch (id) {
    case OPT_OUTPUT: o->output = arg; break;
    case OPT_CHECK: o->check = true; break;
    case OPT_FORCE: o->force = true; break;
    case OPT_SAMPLES: o->samples = true; break;
    case OPT_STATS: o->stats = true; break;
    }
    return 0;
}

/* The shared parser knows no short options but -h: -o DIR and -oDIR become
 * --output DIR. Returns a new argv (the strings are borrowed or static). */
static char **expand_short(int argc, char **argv)
{
    char **v = calloc((size_t)argc * 2 + 1, sizeof *v);
    if (!v)
        return NULL;
    int k = 0;
    bool options_end = false;
    for (int i = 0; i < argc; i++) {
        if (i > 0 && !options_end && !strcmp(argv[i], "--"))
            options_end = true;
        if (i > 0 && !options_end && !strncmp(argv[i], "-o", 2)) {
            v[k++] = "--output";
            if (argv[i][2])
                v[k++] = argv[i] + 2;
            continue;
        }
        v[k++] = argv[i];
    }
    return v;
}


static int check_regex(void *ctx, ekb_run *run, ekb_corpus_file *f, ekb_diags *d)
{
    (void)run;
    return ekb_regex_check_file(ctx, f, d);
}

/* The regex checks' prefilter programs, handed to the index being built
 * beside them as soon as they exist (ekb_index_options.programs): both
 * analyse every regex, and the analysis is a good part of each. */
typedef struct shared_programs {
    pthread_mutex_t lock;
    pthread_cond_t done;
    bool published;
    const ekb_regex_corpus *rc; /* NULL: none to share */
    ekb_index_programs p;
} shared_programs;

static long program_id(const void *ctx, const ekb_corpus_file *f)
{
    return ekb_regex_corpus_pattern_id(ctx, f);
}

static void publish_programs(shared_programs *s, const ekb_regex_corpus *rc)
{
    pthread_mutex_lock(&s->lock);
    if (rc) {
        s->p.pf = ekb_regex_corpus_prefilter(rc, &s->p.options);
        s->p.id_of = program_id;
        s->p.ctx = rc;
        s->rc = rc;
    }
    s->published = true;
    pthread_cond_broadcast(&s->done);
    pthread_mutex_unlock(&s->lock);
}

static const ekb_index_programs *wait_programs(void *ctx)
{
    shared_programs *s = ctx;
    pthread_mutex_lock(&s->lock);
    while (!s->published)
        pthread_cond_wait(&s->done, &s->lock);
    pthread_mutex_unlock(&s->lock);
    return s->rc ? &s->p : NULL;
}

/* errkb-regex in process: compile errors, samples, ambiguity, backtracking.
 * The regex corpus is kept in *out (the index may still read its programs):
 * the caller frees it. */
static int regex_gate(ekb_run *run, shared_programs *share, ekb_regex_corpus **out)
{
    ekb_regex_check_options co = {.jobs = run->cli.jobs};
    ekb_regex_corpus *rc = NULL;
    int r = ekb_regex_corpus_new(&run->corpus, &co, &run->diags, &rc);
    publish_programs(share, r == 0 ? rc : NULL);
    if (r == 0)
        r = ekb_regex_corpus_cross(rc, &run->diags);
    if (r == 0)
        r = ekb_run_each(run, check_regex, rc);
    if (r == 0)
        r = ekb_regex_corpus_finish(rc, &run->diags);
    *out = rc;
    return r;
}

/* What errkb-validate and errkb-drift check of one file, done in the pass
 * that loads it: the parsed file is still in cache. */
typedef struct file_gates {
    ekb_rules_options rules;
    ekb_drift_config drift;
    ekb_drift_lock lock;
    bool drift_usable; /* the policy's drift sections and the lock file are */
} file_gates;

static int check_file(void *ctx, ekb_run *run, ekb_corpus_file *f, ekb_diags *d)
{
    file_gates *g = ctx;
    if (ekb_validate_entry(&run->corpus, f, &g->rules, d) != 0)
        return -1;
    const char *rid = f->id ? f->id : json_string_value(json_object_get(f->doc->root, "id"));
    if (g->drift_usable &&
        ekb_drift_check_entry(&g->drift, g->lock.exists ? &g->lock : NULL, f->doc, f->id, rid, d, NULL) != 0)
        return -1;
    /* from here on only a finding's position needs the text (read again
     * then): at 100k entries it is 735 MB */
    ekb_doc_drop_text(f->doc);
    /* and the regex checks and the index read the entry frozen: 9 KB
     * instead of 18 KB of jansson values */
    if (!ekb_doc_cv(f->doc))
        return -1;
    /* in a scope, file_scope drops the values as it ends */
    return run->file_scope ? 0 : ekb_doc_drop_tree(f->doc);
}

/* run.file_scope when the bulk allocator is installed: a file's jansson
 * values live in memory its thread reuses for the next file, so they are
 * dropped as the scope ends (its entry frozen by then, unless its check
 * stopped early, out of memory). */
static void file_scope(ekb_corpus_file *f, bool enter)
{
    bulk_json_scope(enter);
    if (!enter && f->doc)
        f->doc->root = NULL;
}

/* The drift gate's configuration; its lock file is the policy's lock_file
 * below the folder holding entries/. Unusable ones are reported, and the
 * drift checks skipped. 0, or -1 when out of memory. */
static int file_gates_init(file_gates *g, ekb_run *run)
{
    ekb_corpus *c = &run->corpus;
    memset(g, 0, sizeof *g);
    g->rules = (ekb_rules_options){.today = run->cli.today, .staleness_days = c->policy.staleness_days};
    int r = ekb_drift_config_load(&g->drift, &c->policy, &run->diags);
    if (r == 0 && c->root) {
        char *path = g->drift.lock_file[0] == '/' ? strdup(g->drift.lock_file)
                                                  : ekb_path_join(c->root, g->drift.lock_file);
        r = path ? ekb_drift_lock_read(&g->lock, path, &run->diags) : -1;
        free(path);
    }
    g->drift_usable = r == 0;
    return r < 0 ? -1 : 0;
}

static void file_gates_free(file_gates *g)
{
    ekb_drift_lock_free(&g->lock);
    ekb_drift_config_free(&g->drift);
}

/* Prints the diagnostics as errkb-validate would; returns the exit code the
 * gate would give. */
static int print_findings(ekb_run *run, size_t entries)
{
    ekb_corpus *c = &run->corpus;
    ekb_diags_sort(&run->diags);
    ekb_report_unit *units = malloc((c->n + 1) * sizeof *units);
    if (!units)
        return -1;
    size_t n_units = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->files[i].target)
            units[n_units++] = (ekb_report_unit){c->files[i].path, c->files[i].id};
    ekb_report rep = {
        .tool = run->cli.prog, .format = run->cli.format, .units = units, .n_units = n_units,
        .files = n_units, .entries = entries,
        .errors = ekb_diags_count(&run->diags, EKB_ERROR),
        .warnings = ekb_diags_count(&run->diags, EKB_WARNING),
        .quiet = true,
    };
    int code = ekb_cli_exit_code(&run->cli, &run->diags);
    if (ekb_diags_cap(&run->diags, c->policy.max_diagnostics_per_file) != 0 ||
        ekb_report_write(stdout, &rep, &run->diags) != 0)
        code = -1;
    free(units);
    return code;
}

/* Bytes of string s as JSON: what jansson escapes (quote, backslash,
 * control characters; not '/', not beyond ASCII) in the shortest form. */
static size_t string_length(const char *s, size_t len)
{
    size_t n = 2 + len;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t')
            n += 1;
        else if (c < 0x20)
            n += 5; /* the six-character escape */
    }
    return n;
}

/* Bytes of v as minified JSON, numbers written shortest (as JSON.stringify
 * and Python's json.dumps write them, not jansson's 17 digits). */
static size_t minified_length(const ekb_cv *v)
{
    char buf[40];
    switch (v->type) {
    case EKB_CV_NULL:
    case EKB_CV_TRUE: return 4;
    case EKB_CV_FALSE: return 5;
    case EKB_CV_INTEGER: return (size_t)snprintf(buf, sizeof buf, "%lld", v->u.i);
    case EKB_CV_STRING: return string_length(v->u.s, v->n);
    case EKB_CV_REAL: {
        double d = v->u.d;
        for (int p = 1; p <= 17; p++) {
            snprintf(buf, sizeof buf, "%.*g", p, d);
            if (strtod(buf, NULL) == d)
                break;
        }
        return strlen(buf) + (strpbrk(buf, ".e") ? 0 : 2); /* 1.0, not 1 */
    }
    case EKB_CV_ARRAY: {
        size_t n = 2;
        for (size_t i = 0; i < v->n; i++)
            n += (i ? 1 : 0) + minified_length(&v->u.kids[i]);
        return n;
    }
    default: { /* object */
        size_t n = 2;
        for (size_t i = 0; i < v->n; i++)
            n += (i ? 1 : 0) + minified_length(&v->u.kids[2 * i]) + 1 + minified_length(&v->u.kids[2 * i + 1]);
        return n;
    }
    }
}

/* Bytes of the corpus as minified JSON, one entry per line. */
static size_t minified_size(const ekb_corpus *c)
{
    size_t total = 0, n = 0;
    for (size_t i = 0; i < c->n_corpus; i++) {
        const ekb_cv *v = c->files[i].doc ? ekb_doc_cv(c->files[i].doc) : NULL;
        if (v) {
            total += minified_length(v);
            n++;
        }
    }
    return total + (n ? n - 1 : 0);
}

/* EKB_COMPILE_TIMES=1 in the environment: the time of each phase on stderr,
 * for the benchmarks in docs/errkb-compile.md. */
static void phase(const char *name)
{
    static double last;
    if (!getenv("EKB_COMPILE_TIMES"))
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    static double last_cpu;
    static long last_faults;
    if (name)
        fprintf(stderr, "errkb-compile: %-12s %6.3f s  cpu %6.3f s  page faults %7ld  peak %5ld MB\n", name,
                now - last, cpu - last_cpu, ru.ru_minflt - last_faults, ru.ru_maxrss / 1024);
    last = now;
    last_cpu = cpu;
    last_faults = ru.ru_minflt;
}

/* The index, built on a task of its own (see main). */
typedef struct index_job {
    ekb_corpus *c;
    ekb_index_options opt;
    bool force;
    const char *out_dir; /* where to stage the outputs; NULL: do not (--check) */
    ekb_index ix;
    ekb_strbuf ids; /* errkb_ids.h */
    ekb_diags diags;
    int r, ids_r;   /* as ekb_index_build and ekb_index_header_ids return */
    ekb_output_file files[3];  /* the outputs, once the index is usable */
    ekb_output_staged *staged; /* written, waiting for the gates' verdict; NULL: staging failed */
    char *stage_err;           /* why staging failed (NULL: out of memory) */
} index_job;

/* Whether the index and errkb_ids.h can be written: index errors (only
 * possible under --force) or colliding constant names say no. */
static bool index_usable(const index_job *j)
{
    return j->r >= 0 && j->ids_r == 0 && j->r != 2 && !(j->r == 1 && !j->force);
}

/* The index, then errkb_ids.h (made from it, and the only output that can
 * still fail: two ids giving one constant name), then the three files
 * written to temp files. The regex gate may still be running: main renames
 * them into place only if it passes, and removes them otherwise. */
static void build_index(void *ctx)
{
    index_job *j = ctx;
    j->r = ekb_index_build(j->c, &j->opt, &j->ix, &j->diags);
    if (j->r >= 0 && j->r != 2)
        j->ids_r = ekb_index_header_ids(&j->ix, &j->ids, &j->diags);
    if (!index_usable(j))
        return;
    ekb_output_file files[3] = {
        {"errkb.idx", j->ix.data, j->ix.len, NULL, NULL},
        /* written as it is made: 3.4 bytes for each byte of the index */
        {"errkb_index.h", NULL, 0, ekb_index_header_data, &j->ix},
        {"errkb_ids.h", j->ids.s, j->ids.len, NULL, NULL},
    };
    memcpy(j->files, files, sizeof files);
    if (j->out_dir)
        ekb_output_stage(j->out_dir, j->files, 3, &j->staged, &j->stage_err);
}

static void index_job_free(index_job *j)
{
    ekb_output_discard(j->staged);
    free(j->stage_err);
    ekb_index_free(&j->ix);
    ekb_strbuf_free(&j->ids);
    ekb_diags_free(&j->diags);
}

typedef struct dropping_docs {
    ekb_corpus *c;
    bool bulk; /* the parsed values are in bulk blocks (tools/bulk_json.c) */
} dropping_docs;

/* Frees every file's doc and frozen entry: the index holds what it needs.
 * Run beside the writing of the outputs. A jansson value still attached (a
 * file loaded outside the first pass) is in bulk blocks: json_decref would
 * only walk it to call a free that does nothing, so it is left to the exit. */
static void drop_docs(void *ctx)
{
    const dropping_docs *dd = ctx;
    ekb_corpus *c = dd->c;
    for (size_t i = 0; i < c->n; i++) {
        if (c->files[i].doc && dd->bulk)
            c->files[i].doc->root = NULL;
        ekb_doc_free(c->files[i].doc);
        c->files[i].doc = NULL;
    }
}

static void phase(const char *name);

static int finish(ekb_run *run, int code)
{
    ekb_corpus_close(&run->corpus);
    ekb_diags_free(&run->diags);
    phase("free");
    return code;
}

int main(int argc, char **argv)
{
    dropping_docs drop = {.bulk = bulk_json_install()}; /* before the first jansson value */
    ekb_run run = {0};
    compile_opts o = {0};
    char **args = expand_short(argc, argv);
    if (!args) {
        fprintf(stderr, "errkb-compile: out of memory\n");
        return EKB_EXIT_TROUBLE;
    }
    phase(NULL);
    int n_args = 0;
    while (args[n_args])
        n_args++;
    int r = ekb_cli_parse(&run.cli, n_args, args, options, take_option, &o, help);
    const char *prog = run.cli.prog;
    if (r >= 0) {
        free(args);
        return r;
    }
    if (run.cli.n_paths > 0) {
        r = ekb_cli_usage_error(&run.cli, "unexpected operand '%s': the whole corpus is compiled (see --corpus)",
                                run.cli.paths[0]);
        free(args);
        return r;
    }
    /* the first pass over the files loads each one and checks it at once */
    run.stream = true;
    run.keep_docs = true;
    if ((r = ekb_run_open(&run, true, true)) >= 0) {
        free(args);
        return r;
    }
    ekb_corpus *c = &run.corpus;
    int code = EKB_EXIT_CLEAN;
    char *out_dir = NULL;
    phase("list");
    file_gates gates;
    /* the gates, in process: what errkb-validate and errkb-drift check of
     * each file, the corpus-wide rules, then what errkb-regex checks */
    r = file_gates_init(&gates, &run);
    run.file_scope = drop.bulk ? file_scope : NULL;
    if (r == 0)
        r = ekb_run_each(&run, check_file, &gates);
    file_gates_free(&gates);
    if (r != 0 || ekb_corpus_load(c, true, run.cli.jobs, &run.diags) != 0 ||
        ekb_rules_check_symmetry(c, &run.diags) != 0)
        goto oom;
    phase("check");
    /* A corpus that passed the first checks will most likely compile: its
     * index is built beside the regex gate (both only read the parsed
     * files), and dropped if the gate fails. */
    shared_programs share = {.lock = PTHREAD_MUTEX_INITIALIZER, .done = PTHREAD_COND_INITIALIZER};
    out_dir = o.output ? strdup(o.output) : ekb_path_join(c->root ? c->root : ".", "generated");
    if (!out_dir)
        goto oom;
    index_job job = {.c = c, .force = o.force, .out_dir = o.check ? NULL : out_dir,
                     .opt = {.samples = o.samples, .programs = wait_programs, .programs_ctx = &share}};
    ekb_diags_init(&job.diags);
    ekb_strbuf_init(&job.ids);
    bool ahead = o.force || ekb_cli_exit_code(&run.cli, &run.diags) == EKB_EXIT_CLEAN;
    ekb_task *building = ahead ? ekb_task_start(build_index, &job) : NULL;
    ekb_regex_corpus *rc = NULL;
    r = regex_gate(&run, &share, &rc);
    ekb_task_wait(building);
    if (r != 0 || job.r < 0)
        goto oom_index;
    phase(ahead ? "regex+index" : "regex");
    size_t entries = ekb_corpus_count_targets(c, true);
    if (run.diags.n) {
        int gate = print_findings(&run, entries);
        if (gate < 0)
            goto oom_index;
        size_t errors = ekb_diags_count(&run.diags, EKB_ERROR), warnings = ekb_diags_count(&run.diags, EKB_WARNING);
        const char *es = errors == 1 ? "" : "s", *ws = warnings == 1 ? "" : "s";
        if (gate != EKB_EXIT_CLEAN && !o.force) {
            fprintf(stderr, "%s: not compiling: the corpus has %zu error%s and %zu warning%s (--force compiles anyway)\n",
                    prog, errors, es, warnings, ws);
            free(args);
            free(out_dir);
            index_job_free(&job);
            ekb_regex_corpus_free(rc);
            return finish(&run, EKB_EXIT_FINDINGS);
        }
        if (gate != EKB_EXIT_CLEAN)
            fprintf(stderr, "%s: --force: compiling despite %zu error%s and %zu warning%s\n", prog, errors, es,
                    warnings, ws);
        ekb_diags_free(&run.diags);
        ekb_diags_init(&run.diags);
    }
    if (!ahead)
        build_index(&job);
    ekb_regex_corpus_free(rc);
    rc = NULL;
    if (job.r < 0 || ekb_diags_take(&run.diags, &job.diags) != 0)
        goto oom_index;
    const ekb_index *ix = &job.ix;
    size_t mini = o.stats ? minified_size(c) : 0;
    drop.c = c;
    ekb_task *dropping = ekb_task_start(drop_docs, &drop);
    phase("index");
    if (job.ids_r < 0)
        goto done_oom;
    if (run.diags.n) {
        ekb_diags_sort(&run.diags);
        ekb_report rep = {.tool = prog, .format = EKB_FORMAT_TEXT, .quiet = true,
                          .errors = ekb_diags_count(&run.diags, EKB_ERROR)};
        ekb_report_write(stdout, &rep, &run.diags);
    }
    if (!index_usable(&job)) {
        fprintf(stderr, "%s: not compiling: the index cannot hold this corpus\n", prog);
        code = EKB_EXIT_FINDINGS;
        goto done;
    }
    if (o.check) {
        size_t stale = 0;
        int cr = ekb_output_check(out_dir, job.files, 3, &stale);
        if (cr < 0)
            goto done_oom;
        if (cr > 0) {
            printf("%s: '%s/%s' is not what the corpus compiles to: run errkb-compile\n", prog, out_dir,
                   job.files[stale].name);
            code = EKB_EXIT_FINDINGS;
        } else if (!run.cli.quiet) {
            printf("%s: '%s' is up to date (%u entries, corpus %016llx)\n", prog, out_dir, ix->entries,
                   (unsigned long long)ix->corpus_hash);
        }
    } else {
        char *err = NULL;
        ekb_output_staged *staged = job.staged;
        job.staged = NULL;
        if (!staged || ekb_output_commit(staged, &err) != 0) {
            const char *why = staged ? err : job.stage_err;
            fprintf(stderr, "%s: %s; '%s' is unchanged\n", prog, why ? why : "out of memory", out_dir);
            code = EKB_EXIT_TROUBLE;
        } else if (!run.cli.quiet) {
            printf("%s: %u entries, %zu bytes (%.0f bytes/entry) -> %s/errkb.idx\n", prog, ix->entries, ix->len,
                   ix->entries ? (double)ix->len / ix->entries : 0.0, out_dir);
        }
        free(err);
    }
    phase(o.check ? "check" : "rename");
    if (o.stats) {
        printf("entries %u\nindex bytes %zu\nbytes per entry %.1f\nminified JSON bytes %zu\n"
               "index / minified JSON %.3f\nstring references %zu\ndistinct strings %zu\n"
               "distinct string bytes %zu\nstring pool bytes %zu\nalways-run regexes %zu\n",
               ix->entries, ix->len, ix->entries ? (double)ix->len / ix->entries : 0.0, mini,
               mini ? (double)ix->len / (double)mini : 0.0, ix->strings, ix->unique_strings, ix->string_bytes,
               ix->pool_bytes, ix->always_run);
    }
    goto done;
done_oom:
    fprintf(stderr, "%s: out of memory\n", prog);
    code = EKB_EXIT_TROUBLE;
done:
    ekb_task_wait(dropping);
    phase("drop wait");
    index_job_free(&job);
    free(out_dir);
    free(args);
    if (fflush(stdout) != 0)
        code = EKB_EXIT_TROUBLE;
    return finish(&run, code);
oom_index:
    index_job_free(&job);
    ekb_regex_corpus_free(rc);
oom:
    fprintf(stderr, "%s: out of memory\n", prog);
    free(out_dir);
    free(args);
    return finish(&run, EKB_EXIT_TROUBLE);
}

/* run.c: the shared open → check → report skeleton of the checking tools. */
#include "run.h"

#include <stdio.h>
#include <stdlib.h>

#include "parallel.h"
#include "report.h"

static void run_free(ekb_run *run)
{
    ekb_corpus_close(&run->corpus);
    ekb_diags_free(&run->diags);
}

/* Prints what was collected when the tool cannot go on, and says why. */
static int run_abort(ekb_run *run, int oom)
{
    if (oom) {
        fprintf(stderr, "%s: out of memory\n", run->cli.prog);
    } else {
        ekb_diags_sort(&run->diags);
        for (size_t i = 0; i < run->diags.n; i++)
            ekb_report_write_diag(stderr, run->cli.prog, &run->diags.v[i]);
    }
    run_free(run);
    return EKB_EXIT_TROUBLE;
}

int ekb_run_open(ekb_run *run, bool need_schema, bool load_all)
{
    ekb_diags_init(&run->diags);
    run->oom = false;
    ekb_corpus_options co = {
        .corpus_dir = run->cli.corpus_dir,
        .paths = (const char *const *)run->cli.paths,
        .n_paths = (size_t)run->cli.n_paths,
        .no_schema = !need_schema,
        .changed_since = run->cli.changed_since,
        .lazy_listing = run->lazy_listing,
        .jobs = run->cli.jobs,
    };
    int r = ekb_corpus_open(&run->corpus, &co, &run->diags);
    if (r != 0)
        return run_abort(run, r < 0);
    if (!run->stream && ekb_corpus_load(&run->corpus, load_all, run->cli.jobs, &run->diags) != 0)
        return run_abort(run, 1);
    return -1;
}

typedef struct each_job {
    ekb_run *run;
    ekb_run_check_fn fn;
    void *ctx;
    size_t *idx;
} each_job;

static int each_one(void *ctx, size_t i, ekb_diags *d)
{
    each_job *j = ctx;
    ekb_corpus_file *f = &j->run->corpus.files[j->idx[i]];
    if (!j->run->stream)
        return j->fn(j->ctx, j->run, f, d);
    if (j->run->file_scope)
        j->run->file_scope(f, true);
    int r = ekb_corpus_file_load(&j->run->corpus, f, d) != 0 ? -1 : f->doc ? j->fn(j->ctx, j->run, f, d) : 0;
    if (j->run->file_scope)
        j->run->file_scope(f, false);
    if (!j->run->keep_docs) {
        ekb_doc_free(f->doc);
        f->doc = NULL;
    }
    return r;
}

int ekb_run_each(ekb_run *run, ekb_run_check_fn fn, void *ctx)
{
    ekb_corpus *c = &run->corpus;
    size_t *idx = malloc((c->n + 1) * sizeof *idx);
    if (!idx)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->files[i].target && (c->files[i].doc || (run->stream && !c->files[i].load_tried)))
            idx[m++] = i;
    each_job j = {run, fn, ctx, idx};
    int r = ekb_parallel_for(m, run->cli.jobs, each_one, &j, &run->diags);
    free(idx);
    return r;
}

int ekb_run_finish(ekb_run *run)
{
    if (run->oom)
        return run_abort(run, 1);
    ekb_corpus *c = &run->corpus;
    ekb_diags_sort(&run->diags);
    ekb_report_unit *units = malloc((c->n + 1) * sizeof *units);
    if (!units)
        return run_abort(run, 1);
    size_t n_units = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->files[i].target)
            units[n_units++] = (ekb_report_unit){c->files[i].path, c->files[i].id};
    ekb_report rep = {
        .tool = run->cli.prog,
        .format = run->cli.format,
        .units = units,
        .n_units = n_units,
        .files = n_units,
        .entries = ekb_corpus_count_targets(c, true),
        .errors = ekb_diags_count(&run->diags, EKB_ERROR),
        .warnings = ekb_diags_count(&run->diags, EKB_WARNING),
        .quiet = run->cli.quiet,
    };
    int code = ekb_cli_exit_code(&run->cli, &run->diags);
    if (ekb_diags_cap(&run->diags, c->policy.max_diagnostics_per_file) != 0) {
        free(units);
        return run_abort(run, 1);
    }
    if (ekb_report_write(stdout, &rep, &run->diags) != 0) {
        fprintf(stderr, "%s: cannot write the report\n", run->cli.prog);
        code = EKB_EXIT_TROUBLE;
    }
    free(units);
    run_free(run);
    return code;
}

/* run.h: the skeleton every checking tool follows: find and load the corpus,
 * check each target (in parallel), then sort, cap and report. */
#ifndef EKB_RUN_H
#define EKB_RUN_H

#include "cli.h"
#include "corpus.h"

typedef struct ekb_run {
    ekb_cli cli;
    ekb_corpus corpus;
    ekb_diags diags;
    bool oom;
    /* Streaming: ekb_run_open loads nothing; ekb_run_each loads each target
     * on its worker, checks it and frees it at once, so memory stays flat
     * and is reused. Set before ekb_run_open. */
    bool stream;
    /* With stream: keep each file loaded after its check, so that the first
     * ekb_run_each both loads the corpus and checks each file while its
     * parsed value is still in cache (errkb-compile, whose later passes need
     * every file). */
    bool keep_docs;
    /* With stream, optional: called on the worker before a file is loaded
     * (enter) and after its check (!enter), doc or no doc. errkb-compile
     * gives the jansson values of each file memory that the next file on
     * that thread reuses. */
    void (*file_scope)(ekb_corpus_file *f, bool enter);
    bool lazy_listing; /* see ekb_corpus_options; set before ekb_run_open */
} ekb_run;

/* Opens the corpus named by run->cli (parsed already) and loads the targets
 * (every file when load_all). Returns -1 to go on, or an exit code after
 * reporting why not (the run is then finished: no ekb_run_finish needed). */
int ekb_run_open(ekb_run *run, bool need_schema, bool load_all);

/* Checks one loaded target; may read, never change, other files. */
typedef int (*ekb_run_check_fn)(void *ctx, ekb_run *run, ekb_corpus_file *f, ekb_diags *d);

/* Calls fn for every loaded target on cli.jobs threads. 0 or -1 (memory). */
int ekb_run_each(ekb_run *run, ekb_run_check_fn fn, void *ctx);

/* Sorts, counts, caps and writes the report; frees the run. Returns the
 * exit code. */
int ekb_run_finish(ekb_run *run);

#endif

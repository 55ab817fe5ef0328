/* corpus.h: finding a corpus (the folder that holds entries/), listing its
 * files, its schema and policy, and loading the files a tool works on. */
#ifndef EKB_CORPUS_H
#define EKB_CORPUS_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "doc.h"
#include "policy.h"
#include "schema.h"

typedef struct ekb_corpus_file {
    char *path;     /* as shown in diagnostics */
    char *rel;      /* path below entries/, NULL for a file outside the corpus */
    char *id;       /* id the path gives ("<domain>/<slug>"), NULL when the path has no id */
    ekb_doc *doc;   /* NULL until loaded, or when the file was rejected */
    bool target;    /* named by the user (directly or in a folder) */
    bool load_tried;
    bool loaded;    /* the file loaded (doc may have been freed since, when streaming) */
    /* Streaming validation keeps only what the symmetry rule needs of a
     * file: its id field and its frequently_confused_with ids. */
    char *self_id;
    char **confused;
    size_t n_confused;
    bool confused_known;
} ekb_corpus_file;

typedef struct ekb_corpus {
    char *root;         /* folder holding entries/; NULL when none was found */
    char *entries_dir;  /* NULL when none was found */
    char *schema_dir;   /* root/schema when it exists, else NULL (built-in) */
    ekb_policy policy;
    ekb_doc *schema_doc;
    ekb_schema *schema;
    ekb_corpus_file *files; /* corpus files sorted by rel, then outside files */
    size_t n, cap;
    size_t n_corpus;    /* files[0..n_corpus) are below entries/ */
} ekb_corpus;

typedef struct ekb_corpus_options {
    const char *corpus_dir;   /* --corpus: the entries folder; NULL to search */
    const char *const *paths; /* files and folders named by the user */
    size_t n_paths;
    bool no_schema;           /* do not load the entry schema */
    /* When every path is an entry file of the corpus (a pre-commit hook's
     * few files): list only those and the entries their links name, found
     * by their paths, instead of the whole folder. For tools that need no
     * other file (errkb-validate). */
    bool lazy_listing;
    const char *changed_since; /* git revision: keep only the targets its changes can affect (changed.h) */
    unsigned jobs;            /* threads for the loading that needs (0: one per CPU) */
} ekb_corpus_options;

/* Finds the corpus, loads policy and schema, lists every file and marks the
 * targets (with no paths: the whole entries folder). Problems go to d.
 * Returns 0, 1 on a usage or I/O problem that stops the tool (reported), -1 on memory. */
int ekb_corpus_open(ekb_corpus *c, const ekb_corpus_options *opt, ekb_diags *d);
void ekb_corpus_close(ekb_corpus *c);

/* Loads every target file (all files when all is true) on jobs threads.
 * Rejected files get their diagnostics in d. Returns 0 or -1. */
int ekb_corpus_load(ekb_corpus *c, bool all, unsigned jobs, ekb_diags *d);

/* The corpus file whose path gives id, NULL when none (binary search). */
ekb_corpus_file *ekb_corpus_find(const ekb_corpus *c, const char *id);

/* Another corpus file giving the same id as f (x.json beside x.yaml), or NULL. */
const ekb_corpus_file *ekb_corpus_find_other(const ekb_corpus *c, const char *id, const ekb_corpus_file *f);

/* Loads one file now if not tried yet (single-threaded use only). */
int ekb_corpus_file_load(ekb_corpus *c, ekb_corpus_file *f, ekb_diags *d);

/* Number of targets, and of targets that loaded. */
size_t ekb_corpus_count_targets(const ekb_corpus *c, bool loaded_only);

/* The id part of a path below entries/ ("a/b.json" → "a/b"), NULL if the
 * path is not of the form <domain>/<slug>.<ext>. malloc'd. */
char *ekb_id_from_rel(const char *rel);

#endif

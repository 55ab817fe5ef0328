/* changed.h: --changed-since: which corpus files the changes since a git
 * revision can affect, so a gate checks those and no others. */
#ifndef EKB_CHANGED_H
#define EKB_CHANGED_H

#include <stddef.h>

#include "corpus.h"

/* The files below dir (paths relative to it, sorted, malloc'd) that differ
 * between the git revision ref and the working tree: changed, added and
 * deleted ones (renames count as a deletion and an addition), and untracked
 * files git does not ignore. On an unborn branch, "HEAD" means the empty
 * tree, as for git diff --cached. Git runs with an argument vector (no
 * shell), ref after --end-of-options. Returns 0, 1 when git cannot tell
 * (*why says why, malloc'd), -1 on memory. */
int ekb_git_changed_paths(const char *dir, const char *ref, char ***paths, size_t *n, char **why);

void ekb_git_paths_free(char **paths, size_t n);

/* Narrows c's targets (corpus files only) to those whose verdict the changes
 * since ref can affect:
 *   - every file whose path changed, and every file giving an id that a
 *     changed, added or removed path gives (x.yaml when x.json appears);
 *   - every file that mentions such an id (links to it, in any field);
 *   - every target, when anything below the corpus's schema/ changed.
 * Loads every corpus file to find the links (jobs threads); the load
 * problems of files that stay targets go to d, the others are dropped.
 * Returns 0, 1 when git cannot tell (reported in d), -1 on memory. */
int ekb_corpus_mark_changed(ekb_corpus *c, const char *ref, unsigned jobs, ekb_diags *d);

#endif

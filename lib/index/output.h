/* output.h: the generated files (index and headers) written all or nothing. */
#ifndef EKB_INDEX_OUTPUT_H
#define EKB_INDEX_OUTPUT_H

#include <stddef.h>

/* Where a producer sends a file's bytes, piece by piece: put returns 0, or
 * an errno value that stops the producer. */
typedef struct ekb_output_sink {
    int (*put)(struct ekb_output_sink *s, const void *p, size_t n);
} ekb_output_sink;

typedef struct ekb_output_file {
    const char *name; /* file name inside the folder */
    /* the bytes: data[len], or when produce is set, what it puts (a file
     * too large to hold twice in memory, such as the 300 MB header of a
     * 100k-entry index) */
    const void *data;
    size_t len;
    /* returns 0, the errno value put returned, or ENOMEM */
    int (*produce)(const void *ctx, ekb_output_sink *sink);
    const void *ctx;
} ekb_output_file;

/* Creates dir when missing, writes every file to a temp file beside its
 * destination (each file on a thread of its own), and only when all were
 * written renames them into place. On failure no destination has changed
 * (a rename in one folder does not fail once every destination was checked
 * to be replaceable), no temp file is left, and *errmsg is a malloc'd
 * message. Returns 0 or -1. */
int ekb_output_write(const char *dir, const ekb_output_file *files, size_t n, char **errmsg);
/* ekb_output_write in two steps, for a caller that learns only later
 * whether the files should replace the old ones (errkb-compile writes them
 * while its last checks still run). ekb_output_stage creates dir when
 * missing and writes every file to its temp file: 0 and *out, or -1, no
 * temp file left and *errmsg as above. Then exactly one of:
 * ekb_output_commit renames them all into place (0, or -1 and *errmsg);
 * ekb_output_discard removes them. Both free *out. */
typedef struct ekb_output_staged ekb_output_staged;
int ekb_output_stage(const char *dir, const ekb_output_file *files, size_t n, ekb_output_staged **out,
                     char **errmsg);
int ekb_output_commit(ekb_output_staged *st, char **errmsg);
void ekb_output_discard(ekb_output_staged *st);

/* Compares the files in dir with files: 0 all equal, 1 one differs or is
 * missing (*first_stale says which), -1 on memory. */
int ekb_output_check(const char *dir, const ekb_output_file *files, size_t n, size_t *first_stale);

#endif

/* output.h: the generated files (index and headers) written all or nothing. */
#ifndef EKB_INDEX_OUTPUT_H
#define EKB_INDEX_OUTPUT_H

#include <stddef.h>

typedef struct ekb_output_file {
    const char *name; /* file name inside the folder */
    const void *data;
    size_t len;
} ekb_output_file;

/* Creates dir when missing, writes every file to a temp file beside its
 * destination, and only when all were written renames them into place. On
 * failure no destination has changed (a rename in one folder does not fail
 * once every destination was checked to be replaceable), no temp file is
 * left, and *errmsg is a malloc'd message. Returns 0 or -1. */
int ekb_output_write(const char *dir, const ekb_output_file *files, size_t n, char **errmsg);

/* Compares the files in dir with files: 0 all equal, 1 one differs or is
 * missing (*first_stale says which), -1 on memory. */
int ekb_output_check(const char *dir, const ekb_output_file *files, size_t n, size_t *first_stale);

#endif

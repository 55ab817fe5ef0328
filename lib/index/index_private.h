/* index_private.h: pieces of the index writer shared by its source files. */
#ifndef EKB_INDEX_PRIVATE_H
#define EKB_INDEX_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer; a failed allocation is sticky. */
typedef struct ekb_bytes {
    unsigned char *p;
    size_t len, cap;
    bool failed;
} ekb_bytes;

/* Appends n zero bytes and returns where they start, NULL on failure. */
unsigned char *ekb_bytes_add(ekb_bytes *b, size_t n);
void ekb_bytes_free(ekb_bytes *b);

/* The literal atoms of a pattern of which at least one occurs (folded to
 * ASCII lower case) in every text the pattern matches: the "cover". */
typedef struct ekb_cover {
    char **atoms;  /* NUL-terminated, malloc'd */
    size_t n;      /* 0: no cover, the regex must always be tried */
} ekb_cover;

void ekb_cover_free(ekb_cover *c);


/* Builds the GRAM section from the covers of all n entries: each entry is
 * filed under the rarest gram of each atom of its cover; entries without a
 * usable cover go to the always-run list. Returns 0 or -1. */
int ekb_gram_section(const ekb_cover *covers, uint32_t n, ekb_bytes *out, size_t *always);

#endif

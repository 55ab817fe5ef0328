/* index.h: compiling a loaded corpus into the binary index
 * (docs/index-format.md) and the C headers generated from it. */
#ifndef EKB_INDEX_H
#define EKB_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "corpus.h"
#include "util.h"
#include "index/output.h"

typedef struct ekb_prefilter ekb_prefilter;

/* Prefilter programs made already: errkb-compile's regex checks analyse
 * every regex that compiles, as the index does. */
typedef struct ekb_index_programs {
    const ekb_prefilter *pf;
    uint32_t options; /* the PCRE2 options of that analysis */
    /* id in pf of the regex of corpus file f, or -1 when it has none */
    long (*id_of)(const void *ctx, const ekb_corpus_file *f);
    const void *ctx;
} ekb_index_programs;

typedef struct ekb_index_options {
    bool samples; /* include samples.match / samples.no_match */
    /* Optional: called once, when the index needs the prefilter programs;
     * may wait for them to exist; returns NULL when there are none. A
     * program is copied only when it was made with the index's options, so
     * the index is the same byte for byte either way. */
    const ekb_index_programs *(*programs)(void *ctx);
    void *programs_ctx;
} ekb_index_options;

typedef struct ekb_index {
    unsigned char *data; /* the index file, malloc'd */
    size_t len;
    uint64_t corpus_hash;
    uint32_t entries;
    /* statistics */
    size_t strings, unique_strings; /* references, and distinct strings */
    size_t string_bytes;            /* distinct strings, uncompressed */
    size_t pool_bytes;              /* the pool, compressed with headers */
    size_t always_run;              /* entries the prefilter cannot exclude */
} ekb_index;

/* Compiles every loaded corpus file into out. Entries that the format cannot
 * hold (possible only when validation was skipped) are reported into d and
 * left out. Returns 0; 1 when something was left out; 2 when no index could
 * be made (reported: bad schema enums or policy flags, too large); -1 on
 * memory. out->data is set for 0 and 1 only. */
int ekb_index_build(ekb_corpus *c, const ekb_index_options *o, ekb_index *out, ekb_diags *d);
void ekb_index_free(ekb_index *ix);

/* The corpus hash: XXH64 of, for each entry in id order, its id, a NUL and
 * the XXH64 of its file's bytes (8 bytes, little-endian). */
int ekb_index_corpus_hash(const char *const *ids, const ekb_doc *const *docs, size_t n, uint64_t *out);

/* generated/errkb_index.h: the index (ctx, an ekb_index) as a static const
 * array, put through sink in pieces: at 100k entries it is 300 MB, too much
 * to hold in memory beside everything else. Returns 0, the errno value put
 * returned, or ENOMEM. */
int ekb_index_header_data(const void *ctx, ekb_output_sink *sink);
/* generated/errkb_ids.h: counts, version, hash, enums, one constant per id.
 * Two ids with the same constant name are reported into d (returns 1). */
int ekb_index_header_ids(const ekb_index *ix, ekb_strbuf *out, ekb_diags *d);

/* Constant name of an id: EKB_ID_ + upper case, '/' and '-' become '_'. */
char *ekb_index_id_constant(const char *prefix, const char *name);

#endif

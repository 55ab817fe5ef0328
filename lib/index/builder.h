/* builder.h: the state of one index compilation, shared by build.c (sections,
 * pool, header) and encode.c (one entry into records). */
#ifndef EKB_INDEX_BUILDER_H
#define EKB_INDEX_BUILDER_H

#include <jansson.h>

#include "index.h"
#include "index_private.h"
#include "reader/format.h"

/* Sections in file order. */
enum {
    S_META, S_SYMT, S_STRS, S_ENUM, S_ENTR, S_VERS, S_DEAD, S_WORK, S_LINK, S_LIST,
    S_DOMS, S_CATS, S_TAGS, S_MEMB, S_RGXS, S_PFLT, S_GRAM, N_SEC
};

typedef struct bstr {
    const char *s;
    uint32_t len;  /* a frozen entry's strings are below 4 GiB */
    uint32_t hash; /* kept for growing the table without hashing again */
} bstr;

/* A string reference to patch once the pool is laid out. */
typedef struct fixup {
    uint32_t off;
    uint32_t str;
    uint8_t sec;
} fixup;

/* A sorted set of names (domains, categories, tags). */
typedef struct nameset {
    const char **v;
    size_t n, cap;
    uint32_t *slots; /* while collecting: hash table of name number + 1 */
    size_t n_slots;
} nameset;

typedef struct item {
    ekb_corpus_file *f;
    const ekb_cv *cv; /* the entry, frozen */
    const char *id;
    /* what several passes read, looked up in one (the frozen corpus is far
     * larger than the cache: each pass over it is a pass of misses) */
    const char *domain, *category, *regex;
    const ekb_cv *tags;
    /* its domain's and category's numbers (EKB_NO_GROUP: none), and its
     * tags' numbers, tag_k[tag_first ..] (collect_groups) */
    uint32_t group_k[2], tag_first, n_tags;
    bool ok; /* encodable */
} item;

#define EKB_NO_GROUP UINT32_MAX

typedef struct builder {
    ekb_bytes sec[N_SEC];
    bstr *str;            /* interned strings, by number */
    size_t n_str, cap_str;
    uint32_t *slots;      /* hash table of string number + 1 */
    size_t n_slots;
    fixup *fix;
    size_t n_fix, cap_fix;
    char **owned;         /* strings the builder made (error codes in decimal) */
    size_t n_owned, cap_owned;
    json_t *enums[EKBF_ENUM_COUNT];
    uint32_t regex_flags;
    item *items;          /* encodable entries first pass: all; second: ok ones */
    size_t n_items;
    nameset groups[3];    /* domains, categories, tags */
    uint32_t *tag_k;      /* every item's tag numbers, back to back */
    size_t n_tag_k, cap_tag_k;
    bool samples;
    const ekb_index_options *opt; /* NULL: defaults */
    size_t dropped_links; /* links left out in the final pass */
    bool oom;
    ekb_diags *d;
} builder;

/* Interns s[len] and returns its number. */
uint32_t ekb_b_intern(builder *b, const char *s, size_t len);
/* Writes a string reference (number n, or EKBF_NULL) at sec+off, to patch later. */
void ekb_b_ref(builder *b, int sec, size_t off, uint32_t n);
/* Keeps a malloc'd string alive for the build; returns it (NULL on failure). */
const char *ekb_b_own(builder *b, char *s);
/* Entry number of id among the encodable entries, or -1. */
long ekb_b_entry_number(const builder *b, const char *id);

/* Analyses the n patterns with lib/regex/prefilter (compiled with
 * b->regex_flags), writes section PFLT, and gives each pattern's program
 * (first[i], count[i] steps) and cover. Returns 0 or -1 (memory). */
int ekb_index_prefilter(builder *b, const char *const *patterns, size_t n, uint32_t *first, uint32_t *count,
                        ekb_cover *covers);

/* Encodes entry number idx (items[idx]) into the record sections; returns 0
 * fine, 1 not encodable, -1 on memory. Three passes (see encode.c):
 * single (dry and report false: a link to a missing entry also counts as
 * not encodable, nothing is reported), dry (dry: nothing stays written,
 * what does not fit is reported as index.unencodable) and final (report:
 * links to entries left out are dropped and reported). */
int ekb_encode_entry(builder *b, uint32_t idx, bool dry, bool report);

#endif

/* reader_private.h: the opened index, shared by the reader's source files. */
#ifndef EKB_READER_PRIVATE_H
#define EKB_READER_PRIVATE_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "errkb_reader.h"
#include "format.h"

/* A fixed-size table of records inside a section. */
/* codes of at most this many bits decode with one table look-up */
#define EKBR_FAST_BITS 10

typedef struct ekbr_table {
    const unsigned char *p;
    uint32_t n, size; /* record count and record size */
} ekbr_table;

/* Record i of a table (i < n: the callers check, or open.c did). */
static inline const unsigned char *ekbr_record(const ekbr_table *t, size_t i)
{
    return t->p + i * t->size;
}

struct ekb_reader {
    const unsigned char *base;
    size_t size;
    void *map; /* mmap'd file, or NULL */
    size_t map_len;
    unsigned major, minor, flags;
    uint32_t n_entries;
    uint64_t corpus_hash;
    uint32_t n_sect;
    struct { uint32_t id, offset, length; } sect[EKBF_MAX_SECTIONS];

    const unsigned char *strs;
    uint32_t strs_len;
    unsigned n_tables;       /* FSST symbol tables: 1 to EKBF_TABLES */
    unsigned n_sym[EKBF_TABLES];
    uint64_t sym[EKBF_TABLES][255]; /* FSST symbols, little-endian, zero-padded */
    unsigned char sym_len[EKBF_TABLES][255];
    /* each table's canonical Huffman code: how many codes of each length,
     * and the symbols ordered by (length, symbol) */
    uint16_t huff_count[EKBF_TABLES][EKBF_HUFF_MAX_BITS + 1];
    uint16_t huff_sym[EKBF_TABLES][EKBF_HUFF_SYMBOLS];
    /* the fast path: for the next EKBR_FAST_BITS bits, length << 10 |
     * symbol of the code they start with, or 0 when it is longer */
    uint16_t huff_fast[EKBF_TABLES][1u << EKBR_FAST_BITS];

    const unsigned char *enums[EKBF_ENUM_COUNT]; /* u32 string references */
    uint32_t n_enum[EKBF_ENUM_COUNT];

    ekbr_table entr, vers, dead, work, link, groups[3], rgxs;
    const unsigned char *list; /* u32 string references */
    uint32_t n_list;
    const unsigned char *memb; /* u32 entry numbers */
    uint32_t n_memb;
    /* PFLT */
    uint32_t pf_atoms, pf_steps, pf_max_program;
    const unsigned char *pf_atom, *pf_step;

    /* GRAM */
    uint32_t gram_mask, n_pairs, n_always;
    const unsigned char *gram_buckets, *gram_pairs, *gram_always;

    uint32_t match_limit, depth_limit, heap_limit_kib, meta_flags;

    /* compiled on first use: NULL not yet, EKBR_FAILED(r) when it did not compile */
    _Atomic(pcre2_code *) *codes;
    pcre2_compile_context *cctx;
};

/* Marks a regex that did not compile: an address that is never a pcre2_code. */
#define EKBR_FAILED(r) ((pcre2_code *)(void *)(r)->codes)

/* Sets *err (when not NULL) and returns -1. */
int ekbr_fail(ekb_reader_error *err, ekb_reader_status code, size_t offset, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Parses the header of the string at off: symbol table and compressed
 * bytes. 0, or -1 when it does not fit in STRS. */
int ekbr_str_header(const ekb_reader *r, uint32_t off, unsigned *table, const unsigned char **enc, uint32_t *enc_len);

/* A (start u32, count u32) pair at p, checked against a table of n items:
 * 0 or -1. */
static inline int ekbr_range_ok(const unsigned char *p, uint32_t n)
{
    uint32_t start = ekbf_get32(p), count = ekbf_get32(p + 4);
    return start <= n && count <= n - start ? 0 : -1;
}

/* The same for a list: start u32, count u16. */
static inline int ekbr_list_ok(const unsigned char *p, uint32_t n)
{
    uint32_t start = ekbf_get32(p), count = ekbf_get16(p + 4);
    return start <= n && count <= n - start ? 0 : -1;
}

/* The compiled regex of entry i (compiling it on first use); NULL when it
 * does not compile (err filled). */
pcre2_code *ekbr_regex(const ekb_reader *r, uint32_t i, ekb_reader_error *err);

#endif

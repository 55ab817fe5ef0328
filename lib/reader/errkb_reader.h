/* errkb_reader.h: read a compiled errkb index and match error text against it.
 *
 * libc and PCRE2 only; C99 and C++ compatible. The format is described in
 * docs/index-format.md. Conventions of this API:
 *
 * Ownership, in jansson's words:
 *   new       the caller owns the result and frees it with the named function;
 *   borrowed  the result belongs to the reader (or the buffer it was opened
 *             on) and stays valid until ekb_reader_close(); never free it.
 * Every pointer in a struct this API fills (ekb_reader_entry and friends) is
 * borrowed. A reader opened with ekb_reader_open_memory() borrows the
 * caller's buffer: it must outlive the reader and stay unchanged.
 *
 * Returns: functions returning int give 0 on success and -1 on error with
 * *err filled when err is not NULL (err may always be NULL); lookups give 1
 * found, 0 not found, -1 error, like cdb_find.
 *
 * Threads: an opened reader is read-only except for the regexes it compiles
 * on first use (published with atomic compare-and-swap), so any number of
 * threads may use one reader at once. An ekb_reader_matcher holds per-thread
 * scratch (PCRE2 match data): one per thread.
 *
 * Strings: the index stores each string compressed (FSST, then Huffman).
 * Decode with ekb_reader_str_copy() into a buffer of yours (no allocation),
 * or ekb_reader_str_dup() (new, free()). Strings are UTF-8, without NUL bytes. */
#ifndef ERRKB_READER_H
#define ERRKB_READER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(EKB_READER_STATIC_BUILD)
#define EKB_READER_API __attribute__((visibility("default")))
#else
#define EKB_READER_API
#endif

/* The index format version this reader implements. It reads every index of
 * the same major version (ignoring what a newer minor version added). */
#define EKB_READER_FORMAT_MAJOR 2
#define EKB_READER_FORMAT_MINOR 0

/* ---- errors ---- */

typedef enum ekb_reader_status {
    EKB_READER_OK = 0,
    EKB_READER_ERR_IO,        /* cannot open, stat or map the file (sys_errno says why) */
    EKB_READER_ERR_NOMEM,     /* out of memory */
    EKB_READER_ERR_MAGIC,     /* not an errkb index */
    EKB_READER_ERR_VERSION,   /* a major version this reader does not read */
    EKB_READER_ERR_TRUNCATED, /* shorter than its header says, or than a header */
    EKB_READER_ERR_CHECKSUM,  /* the checksum does not match the content */
    EKB_READER_ERR_CORRUPT,   /* an offset, length, count or reference is out of range */
    EKB_READER_ERR_ARG,       /* invalid argument (NULL, index out of range) */
    EKB_READER_ERR_REGEX      /* a pattern of the index did not compile */
} ekb_reader_status;

/* Filled by a failing call; the first error wins only per call. */
typedef struct ekb_reader_error {
    ekb_reader_status code;
    int sys_errno;   /* for EKB_READER_ERR_IO, else 0 */
    size_t offset;   /* byte offset in the index the problem is at, when known */
    char text[160];  /* "section 'STRS' ends past the end of the file", ... */
} ekb_reader_error;

/* Static name of a status ("checksum mismatch", ...). */
EKB_READER_API const char *ekb_reader_status_name(ekb_reader_status code);

/* ---- opening ---- */

typedef struct ekb_reader ekb_reader;

/* ekb_reader_open_* flags. */
#define EKB_READER_NO_CHECKSUM 0x1u /* skip the checksum (trusted, e.g. embedded): every
                                       offset is still checked, so corruption gives
                                       wrong text, never an out-of-bounds read */
#define EKB_READER_COMPILE_ALL 0x2u /* compile every regex at open instead of on first use */

/* Opens an index in memory (borrowed: keep it alive and unchanged until
 * ekb_reader_close). Checks magic, version, every section, record and
 * reference against size, and the checksum. *out is new. */
EKB_READER_API int ekb_reader_open_memory(const void *data, size_t size, unsigned flags,
                                          ekb_reader **out, ekb_reader_error *err);
/* Opens an index file by mapping it read-only (mmap), with the same checks. */
EKB_READER_API int ekb_reader_open_file(const char *path, unsigned flags, ekb_reader **out,
                                        ekb_reader_error *err);
/* Frees the reader, its compiled regexes and its mapping. NULL is fine. */
EKB_READER_API void ekb_reader_close(ekb_reader *r);

/* ---- the index as a whole ---- */

typedef struct ekb_reader_info {
    unsigned major, minor;   /* format version of the file */
    uint32_t entries;
    uint64_t corpus_hash;    /* XXH64 of the canonical corpus (see the format doc) */
    size_t size;             /* bytes */
    int has_samples;         /* compiled with samples */
} ekb_reader_info;
EKB_READER_API void ekb_reader_get_info(const ekb_reader *r, ekb_reader_info *out);

/* One section of the file, for statistics: i in [0, ekb_reader_section_count). */
EKB_READER_API size_t ekb_reader_section_count(const ekb_reader *r);
/* name: 4 letters + NUL, written into name[5]. */
EKB_READER_API int ekb_reader_section(const ekb_reader *r, size_t i, char name[5], uint32_t *offset,
                                      uint32_t *length);

/* ---- strings ---- */

/* A string of the index: a reference, not text. EKB_READER_NULL is JSON null
 * (or an absent optional member: see ekb_reader_entry.present). */
typedef uint32_t ekb_reader_str;
#define EKB_READER_NULL ((ekb_reader_str)0xFFFFFFFFu)

/* Decoded length in bytes (0 for EKB_READER_NULL). */
EKB_READER_API size_t ekb_reader_str_len(const ekb_reader *r, ekb_reader_str s);
/* Decodes s into buf[size] with a terminating NUL, like snprintf: returns the
 * full length; when it is >= size the text was cut (possibly inside a UTF-8
 * sequence). No allocation. */
EKB_READER_API size_t ekb_reader_str_copy(const ekb_reader *r, ekb_reader_str s, char *buf, size_t size);
/* New NUL-terminated copy (free() it); NULL for EKB_READER_NULL or no memory. */
EKB_READER_API char *ekb_reader_str_dup(const ekb_reader *r, ekb_reader_str s);
/* strcmp-style comparison of s with text[len], without decoding to memory. */
EKB_READER_API int ekb_reader_str_cmp(const ekb_reader *r, ekb_reader_str s, const char *text, size_t len);

/* ---- entries ---- */

/* Entries are numbered 0..entries-1 in byte order of their ids (strcmp). The
 * generated errkb_ids.h names each number: EKB_ID_<DOMAIN>_<SLUG>. */

/* present bits: optional members the source entry has (null included). */
#define EKB_READER_HAS_SIGNATURE_ZH 0x1u
#define EKB_READER_HAS_ROOT_CAUSE_ZH 0x2u
#define EKB_READER_HAS_SUBCATEGORY 0x4u
#define EKB_READER_HAS_OS_SPECIFIC 0x8u
#define EKB_READER_HAS_WORKAROUNDS_ZH 0x10u
#define EKB_READER_HAS_DOC_URL 0x20u
#define EKB_READER_HAS_DOC_SECTION 0x40u
#define EKB_READER_HAS_ERROR_CODE 0x80u
#define EKB_READER_HAS_FIX_RATE 0x100u
#define EKB_READER_HAS_TAGS 0x200u
#define EKB_READER_HAS_ALIASES 0x400u
#define EKB_READER_HAS_SAMPLES 0x800u
#define EKB_READER_HAS_SAMPLES_MATCH 0x1000u
#define EKB_READER_HAS_SAMPLES_NO_MATCH 0x2000u
#define EKB_READER_ERROR_CODE_INT 0x4000u /* error_code was an integer (text is its decimal form) */

/* Enumerations whose value names the index stores (ekb_reader_enum_name). */
typedef enum ekb_reader_enum {
    EKB_READER_ENUM_ROOT_CAUSE_TYPE, EKB_READER_ENUM_TIER, EKB_READER_ENUM_RESOLVABLE,
    EKB_READER_ENUM_LOCALE, EKB_READER_ENUM_STATUS
} ekb_reader_enum;

/* Lists of an entry, for ekb_reader_entry.n[] and the item getters. */
typedef enum ekb_reader_list {
    EKB_READER_VERSIONS, EKB_READER_DEAD_ENDS, EKB_READER_WORKAROUNDS, EKB_READER_WORKAROUNDS_ZH,
    EKB_READER_OS_SPECIFIC, EKB_READER_TAGS, EKB_READER_ALIASES, EKB_READER_LEADS_TO,
    EKB_READER_PRECEDED_BY, EKB_READER_CONFUSED_WITH, EKB_READER_SAMPLES_MATCH,
    EKB_READER_SAMPLES_NO_MATCH, EKB_READER_LIST_COUNT
} ekb_reader_list;

/* One entry, filled by ekb_reader_entry_at (a value: nothing to free). */
typedef struct ekb_reader_entry {
    uint32_t index;
    ekb_reader_str id, signature, signature_zh, regex, root_cause, root_cause_zh, subcategory,
        official_doc_url, official_doc_section, error_code;
    uint32_t domain, category;   /* index in the domain / category tables */
    unsigned root_cause_type, verification_tier, resolvable, locale; /* enum value numbers */
    unsigned present;            /* EKB_READER_HAS_* bits */
    double confidence, fix_success_rate;
    uint32_t first_seen, last_confirmed, last_updated; /* YYYYMMDD, e.g. 20240601 */
    uint64_t evidence_count;
    uint32_t n[EKB_READER_LIST_COUNT];     /* items in each list */
    uint32_t start_[EKB_READER_LIST_COUNT]; /* private */
} ekb_reader_entry;

/* Fills *out with entry i. -1 (EKB_READER_ERR_ARG) when i is out of range. */
EKB_READER_API int ekb_reader_entry_at(const ekb_reader *r, uint32_t i, ekb_reader_entry *out);
/* Binary search by id: 1 and *index set when found, 0 when not. */
EKB_READER_API int ekb_reader_find(const ekb_reader *r, const char *id, uint32_t *index);

typedef struct ekb_reader_version {
    ekb_reader_str version, introduced, deprecated, removed, behavior_change;
    unsigned status;   /* EKB_READER_ENUM_STATUS value number */
    unsigned present;  /* 1 introduced, 2 deprecated, 4 removed, 8 behavior_change */
} ekb_reader_version;

typedef struct ekb_reader_fix {  /* a dead end or a workaround */
    ekb_reader_str action;
    ekb_reader_str why_fails;    /* dead ends only */
    ekb_reader_str how;          /* workarounds only */
    ekb_reader_str condition;
    double rate;                 /* fail_rate of a dead end, success_rate of a workaround */
    uint32_t n_sources;
    unsigned present;            /* 1 how, 2 condition, 4 sources */
    uint32_t sources_;           /* private */
} ekb_reader_fix;

typedef struct ekb_reader_link {
    uint32_t target;             /* entry index */
    double probability;          /* when present & 2 */
    ekb_reader_str condition;    /* when present & 4 */
    unsigned present;            /* 1 written as an object, 2 probability, 4 condition */
} ekb_reader_link;

/* Item i of a list of e; -1 (EKB_READER_ERR_ARG) when i is out of range or the
 * list is of another kind. */
EKB_READER_API int ekb_reader_version_at(const ekb_reader *r, const ekb_reader_entry *e, uint32_t i,
                                         ekb_reader_version *out);
/* list: EKB_READER_DEAD_ENDS or EKB_READER_WORKAROUNDS. */
EKB_READER_API int ekb_reader_fix_at(const ekb_reader *r, const ekb_reader_entry *e, ekb_reader_list list,
                                     uint32_t i, ekb_reader_fix *out);
/* Source URL j of a dead end or workaround. */
EKB_READER_API ekb_reader_str ekb_reader_fix_source(const ekb_reader *r, const ekb_reader_fix *f, uint32_t j);
/* list: EKB_READER_LEADS_TO, EKB_READER_PRECEDED_BY or EKB_READER_CONFUSED_WITH. */
EKB_READER_API int ekb_reader_link_at(const ekb_reader *r, const ekb_reader_entry *e, ekb_reader_list list,
                                      uint32_t i, ekb_reader_link *out);
/* Item i of a string list (WORKAROUNDS_ZH, TAGS, ALIASES, SAMPLES_*), or of
 * OS_SPECIFIC: item i is a pair, key at 2i and value at 2i+1 (i < 2 × n).
 * EKB_READER_NULL when out of range. */
EKB_READER_API ekb_reader_str ekb_reader_str_at(const ekb_reader *r, const ekb_reader_entry *e,
                                                ekb_reader_list list, uint32_t i);

/* Name of value v of an enumeration; EKB_READER_NULL when out of range. */
EKB_READER_API ekb_reader_str ekb_reader_enum_name(const ekb_reader *r, ekb_reader_enum which, unsigned v);
EKB_READER_API unsigned ekb_reader_enum_count(const ekb_reader *r, ekb_reader_enum which);

/* ---- languages ---- */

/* The text of a translatable field in language lang ("en", "zh"): the
 * translation when lang is not the entry's locale and the translation is
 * there and not null, else the source text (fallback zh → en). */
typedef enum ekb_reader_field {
    EKB_READER_FIELD_SIGNATURE, EKB_READER_FIELD_ROOT_CAUSE, EKB_READER_FIELD_WORKAROUND_ACTION
} ekb_reader_field;
/* item: the workaround index for EKB_READER_FIELD_WORKAROUND_ACTION, else 0. */
EKB_READER_API ekb_reader_str ekb_reader_text(const ekb_reader *r, const ekb_reader_entry *e,
                                              ekb_reader_field field, uint32_t item, const char *lang);

/* ---- groups: domains, categories, tags ---- */

typedef enum ekb_reader_group {
    EKB_READER_GROUP_DOMAIN, EKB_READER_GROUP_CATEGORY, EKB_READER_GROUP_TAG
} ekb_reader_group;
/* Number of domains (categories, tags), sorted by name (strcmp); the generated
 * errkb_ids.h numbers domains and categories the same way. */
EKB_READER_API uint32_t ekb_reader_group_count(const ekb_reader *r, ekb_reader_group g);
EKB_READER_API ekb_reader_str ekb_reader_group_name(const ekb_reader *r, ekb_reader_group g, uint32_t i);
/* Finds a group by name: 1 and *i set, or 0. */
EKB_READER_API int ekb_reader_group_find(const ekb_reader *r, ekb_reader_group g, const char *name, uint32_t *i);
/* Entries of group i, ascending: count, and the k-th (UINT32_MAX when out of range). */
EKB_READER_API uint32_t ekb_reader_group_size(const ekb_reader *r, ekb_reader_group g, uint32_t i);
EKB_READER_API uint32_t ekb_reader_group_entry(const ekb_reader *r, ekb_reader_group g, uint32_t i, uint32_t k);

/* ---- matching ---- */

/* Per-thread matching scratch (new; ekb_reader_matcher_free). Allocates once
 * here so that ekb_reader_match() itself allocates nothing (except each
 * regex's one-time compilation and PCRE2's heap frames on a deep match). */
typedef struct ekb_reader_matcher ekb_reader_matcher;
EKB_READER_API ekb_reader_matcher *ekb_reader_matcher_new(const ekb_reader *r);
EKB_READER_API void ekb_reader_matcher_free(ekb_reader_matcher *m);

typedef struct ekb_reader_hit {
    uint32_t entry;       /* entry index */
    size_t start, end;    /* byte span of the first match in the text */
} ekb_reader_hit;

/* ekb_reader_match flags. */
#define EKB_READER_MATCH_NAIVE 0x1u /* skip the prefilter and try every regex (for benchmarks and tests) */

/* Finds the entries whose regex recognises text[len] (one line or a whole
 * log; invalid UTF-8 is allowed). Writes at most max matches to out, best
 * first: longest match span, then higher confidence, then lower entry index.
 * Returns the number of matching entries (may exceed max), or -1 with *err.
 * A regex that hits a PCRE2 limit (policy regex.match_limit, depth_limit,
 * heap_limit_kib) or does not compile counts as not matching;
 * ekb_reader_matcher_limit_hits() tells how many did so. */
EKB_READER_API int ekb_reader_match(ekb_reader_matcher *m, const char *text, size_t len, unsigned flags,
                                    ekb_reader_hit *out, size_t max, ekb_reader_error *err);
/* Regexes that hit a PCRE2 limit (or did not compile) during the last call. */
EKB_READER_API size_t ekb_reader_matcher_limit_hits(const ekb_reader_matcher *m);
/* Regexes actually run during the last call (prefilter effectiveness). */
EKB_READER_API size_t ekb_reader_matcher_tried(const ekb_reader_matcher *m);

/* ---- dump ---- */

/* Writes the whole index as canonical JSON (docs/index-format.md, "Dump"):
 * {"format_version":..,"corpus_hash":..,"entries":[one entry a line]}.
 * Returns 0, or -1 when writing failed or memory ran out. */
EKB_READER_API int ekb_reader_dump_json(const ekb_reader *r, FILE *out, ekb_reader_error *err);
/* Writes entry i alone, as one line of canonical JSON without newline. */
EKB_READER_API int ekb_reader_dump_entry(const ekb_reader *r, uint32_t i, FILE *out, ekb_reader_error *err);

#ifdef __cplusplus
}
#endif

#endif

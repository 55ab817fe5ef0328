/* drift.h: the bilingual-field checker behind errkb-drift: translation pairs
 * read from the policy, the tokens that must survive translation, the script
 * test, the lock file of confirmed translations, per-entry checks, coverage.
 *
 * Everything here is read-only once loaded (config, lock), so the per-entry
 * check may run on several threads at once. Functions return 0 on success and
 * -1 when out of memory unless said otherwise. */
#ifndef EKB_DRIFT_H
#define EKB_DRIFT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "diag.h"
#include "doc.h"
#include "policy.h"

/* --- text normalisation and tokens (tokens.c) --- */

/* Copy of s[0..n) with the NFKC folds that matter when comparing code: the
 * full-width forms U+FF01..U+FF5E become ASCII, the ideographic, no-break and
 * other fixed-width spaces become ' ', curly quotes straight ones, U+2026
 * "...". malloc'd and NUL-terminated, length in *out_len; NULL on memory. */
char *ekb_drift_normalize(const char *s, size_t n, size_t *out_len);

/* The same without a copy when none is needed: s itself when it is all
 * ASCII (no fold touches ASCII; most English sources), else a copy left in
 * *owned for the caller to free. NULL on memory. */
const char *ekb_drift_normalized(const char *s, size_t n, size_t *out_len, char **owned);

typedef enum ekb_drift_token_kind {
    EKB_TOKEN_NUMBER,     /* 404, 0x85, 50%, the 64 of "64-bit" */
    EKB_TOKEN_VERSION,    /* 3.1.1, v5.0, 1.x: versions and section numbers */
    EKB_TOKEN_CODE,       /* AH00072, Qt6, ENOENT, SIGKILL: codes and names with digits */
    EKB_TOKEN_URL,        /* https://... */
    EKB_TOKEN_CODE_SPAN,  /* `...` (or GNU-style `...') */
    EKB_TOKEN_QUOTED,     /* '...' or "..." holding code */
    EKB_TOKEN_IDENTIFIER, /* a_b, a.b, a::b, camelCase, $VAR */
    EKB_TOKEN_PATH,       /* /usr/lib, ./app, a/b/c */
    EKB_TOKEN_FLAG,       /* -v, --force */
    EKB_TOKEN_SETTING     /* key=value */
} ekb_drift_token_kind;

typedef struct ekb_drift_token {
    const char *text; /* borrowed: points into the text extracted from, len bytes */
    size_t len;
    ekb_drift_token_kind kind;
} ekb_drift_token;

typedef struct ekb_drift_tokens {
    ekb_drift_token *v;
    size_t n, cap;
} ekb_drift_tokens;

void ekb_drift_tokens_init(ekb_drift_tokens *t);
void ekb_drift_tokens_free(ekb_drift_tokens *t);

/* Appends the distinct tokens of the (normalised) text s[0..n) that a
 * translation must keep verbatim: code spans, then quotations holding code,
 * then the rest in order of appearance. The tokens point into s, which must
 * outlive them. */
int ekb_drift_tokens_extract(const char *s, size_t n, ekb_drift_tokens *out);

/* Whether tok occurs in the (normalised) text, ignoring white space on both
 * sides and not as part of a longer word or number ("2" is not in "2024",
 * "3.1" not in "3.1.3"). */
bool ekb_drift_token_found(const char *tok, size_t tn, const char *text, size_t n);

/* "number", "version", ... as used in messages. */
const char *ekb_drift_token_kind_name(ekb_drift_token_kind k);

/* --- the script test (script.c) --- */

typedef struct ekb_drift_script ekb_drift_script;

/* Compiles the test for text written in any of the Unicode scripts names[]
 * (names as PCRE2's \p{...} knows them: Han, Hiragana, Hangul, ...). Returns
 * NULL on failure with *err set to a malloc'd reason (NULL on memory). */
ekb_drift_script *ekb_drift_script_new(const char *const *names, size_t n, char **err);
void ekb_drift_script_free(ekb_drift_script *s);

/* Written units of a text: each character of the wanted scripts counts once,
 * each run of letters of any other script (a word) once. */
typedef struct ekb_drift_units {
    size_t script, other;
} ekb_drift_units;

/* Counts the units of the valid UTF-8 text[0..n). -1 on memory or when
 * PCRE2 fails to match. */
int ekb_drift_script_count(const ekb_drift_script *s, const char *text, size_t n, ekb_drift_units *out);

/* --- what the policy says (config.c) --- */

typedef struct ekb_drift_lang {
    char *code;     /* "zh" */
    char *name;     /* "Chinese", or the code when the policy gives none */
    char *scripts;  /* "Han", "Hiragana, Katakana or Han": for messages */
    ekb_drift_script *script;
} ekb_drift_lang;

typedef struct ekb_drift_limits {
    double min_script_share;  /* 0..1 */
    double length_ratio_min, length_ratio_max;
} ekb_drift_limits;

/* One 'translations:' item. Patterns are JSON pointers in which a '*'
 * segment stands for every index of an array; source and target have the
 * same number of them and are paired position by position. */
typedef struct ekb_drift_pairdef {
    char *source, *target;     /* as written in the policy */
    char **src_seg, **tgt_seg; /* unescaped segments; "*" for a star */
    size_t n_src, n_tgt;
    size_t lang;               /* index into the config's languages */
    ekb_drift_limits limits;   /* the drift: defaults, or the item's own */
} ekb_drift_pairdef;

typedef struct ekb_drift_config {
    ekb_drift_lang *langs; /* policy order */
    size_t n_langs;
    ekb_drift_pairdef *pairs;
    size_t n_pairs;
    char *lock_file;       /* relative to the corpus root (or absolute) */
} ekb_drift_config;

/* Reads the languages:, translations: and drift: sections of the policy.
 * Problems are reported into d (rule policy.drift) at their place in the
 * policy. Returns 0, 1 when the sections are unusable, -1 on memory. */
int ekb_drift_config_load(ekb_drift_config *cfg, const ekb_policy *p, ekb_diags *d);
void ekb_drift_config_free(ekb_drift_config *cfg);

/* --- policy pairs → value pairs of one entry (pairs.c) --- */

typedef struct ekb_drift_pair {
    const ekb_drift_pairdef *def;
    const char *source_ptr, *target_ptr; /* concrete pointers, also when absent */
    size_t source_at, target_at;         /* where they are in the pairs' text */
    json_t *source, *target;       /* borrowed; NULL when absent */
    /* an array on the other side exists but is too short: the position is
     * reported once, as a drift.count finding on the arrays */
    bool unpaired;
} ekb_drift_pair;

/* Two paired arrays of different lengths. */
typedef struct ekb_drift_mismatch {
    const ekb_drift_pairdef *def;
    const char *source_ptr, *target_ptr;
    size_t source_at, target_at;
    size_t source_n, target_n;
} ekb_drift_mismatch;

typedef struct ekb_drift_pairs {
    ekb_drift_pair *v;
    size_t n, cap;
    ekb_drift_mismatch *mm;
    size_t n_mm, cap_mm;
    /* every pointer, NUL-terminated, back to back: one block instead of two
     * allocations a pair */
    ekb_strbuf text;
} ekb_drift_pairs;

/* Expands every pair definition of cfg over root, appending to out (which
 * starts zeroed). Pairs come in policy order, then array order. */
int ekb_drift_pairs_expand(json_t *root, const ekb_drift_config *cfg, ekb_drift_pairs *out);
void ekb_drift_pairs_free(ekb_drift_pairs *p);

/* --- the lock file of confirmed translations (lock.c) --- */

/* 64-bit FNV-1a of the bytes. */
uint64_t ekb_drift_fingerprint(const char *s, size_t n);

typedef struct ekb_drift_lock_line {
    char *id;       /* entry id */
    char *pointer;  /* the translation's pointer */
    uint64_t fp;    /* fingerprint of the source text when confirmed */
    unsigned line;  /* in the file read; 0 for lines added since */
} ekb_drift_lock_line;

typedef struct ekb_drift_lock {
    ekb_drift_lock_line *v;
    size_t n, cap;
    bool exists; /* the file was there when read */
    bool sorted;
} ekb_drift_lock;

/* Reads a lock file. A missing file gives an empty lock (exists false).
 * Bad lines are reported into d (rule drift.lock) at their place, shown as
 * path. Returns 0, 1 when the file is unusable, -1 on memory. */
int ekb_drift_lock_read(ekb_drift_lock *l, const char *path, ekb_diags *d);

/* Adds a line (copies the strings); the lock is sorted again on demand. */
int ekb_drift_lock_add(ekb_drift_lock *l, const char *id, const char *pointer, uint64_t fp);

/* Keeps only the lines for which keep() returns true. */
void ekb_drift_lock_filter(ekb_drift_lock *l, bool (*keep)(void *ctx, const ekb_drift_lock_line *line),
                           void *ctx);

/* Sorts by id, then pointer. Lookups need it (ekb_drift_lock_read sorts). */
void ekb_drift_lock_sort(ekb_drift_lock *l);

/* The line for (id, pointer) of a sorted lock, NULL when none. */
const ekb_drift_lock_line *ekb_drift_lock_find(const ekb_drift_lock *l, const char *id, const char *pointer);

/* Writes the lock, sorted, with its header comment, atomically (temporary
 * file and rename). Returns 0 or an errno value. */
int ekb_drift_lock_write(ekb_drift_lock *l, const char *path);

void ekb_drift_lock_free(ekb_drift_lock *l);

/* --- checking one entry (check.c) --- */

/* What became of each pair with a source text, as gettext counts entries:
 * only a translation that passes and is confirmed counts as translated. */
typedef enum ekb_drift_state {
    EKB_DRIFT_TRANSLATED,
    EKB_DRIFT_UNTRANSLATED,
    EKB_DRIFT_MISSING,
    EKB_DRIFT_STALE,
    EKB_DRIFT_UNCONFIRMED,
    EKB_DRIFT_NSTATES
} ekb_drift_state;

typedef struct ekb_drift_counts {
    size_t pairs;
    size_t state[EKB_DRIFT_NSTATES];
} ekb_drift_counts;

/* Checks every pair of doc. lock_id is the id the lock knows the entry by,
 * NULL for a file outside a corpus; lock is NULL when no lock file exists
 * (then staleness is not checked). report_id goes into the diagnostics.
 * counts (cfg->n_langs of them) get each pair's state added; may be NULL. */
int ekb_drift_check_entry(const ekb_drift_config *cfg, const ekb_drift_lock *lock, ekb_doc *doc,
                          const char *lock_id, const char *report_id, ekb_diags *d, ekb_drift_counts *counts);

/* Adds to lock a line confirming each pair of doc that has both a source
 * and a translation text (the lines of lock_id must have been removed). *n
 * (may be NULL) is increased by the number added. */
int ekb_drift_accept_entry(const ekb_drift_config *cfg, ekb_doc *doc, const char *lock_id, ekb_drift_lock *lock,
                           size_t *n);

/* --- coverage (stats.c) --- */

typedef struct ekb_drift_stats ekb_drift_stats;

/* NULL on memory. cfg must outlive the stats. */
ekb_drift_stats *ekb_drift_stats_new(const ekb_drift_config *cfg);
void ekb_drift_stats_free(ekb_drift_stats *s);

/* Adds one entry's counts (cfg->n_langs of them) under its domain. */
int ekb_drift_stats_add(ekb_drift_stats *s, const char *domain, const ekb_drift_counts *counts);

/* Writes one table per language that has pairs: a row per domain (sorted),
 * then the total. 0, or -1 when writing failed. */
int ekb_drift_stats_write(FILE *out, const ekb_drift_stats *s);

/* Reports each language whose coverage is below min_percent into d (rule
 * drift.coverage, an error about no file). */
int ekb_drift_stats_gate(const ekb_drift_stats *s, double min_percent, ekb_diags *d);

#endif

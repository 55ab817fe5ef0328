/* compile.h: compiling and matching entry regexes the way every errkb
 * program does: UTF and UCP on, the corpus default flags and the match,
 * depth and heap limits from schema/policy.yaml, JIT when available. */
#ifndef EKB_REGEX_COMPILE_H
#define EKB_REGEX_COMPILE_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "policy.h"

typedef struct ekb_regex_opts {
    uint32_t options;        /* PCRE2 compile options */
    uint32_t match_limit;
    uint32_t depth_limit;
    uint32_t heap_limit_kib;
} ekb_regex_opts;

/* Reads /regex of the policy. Unknown flag names and values of the wrong type
 * are reported into d (and ignored). Returns 0, or -1 when out of memory. */
int ekb_regex_opts_from_policy(ekb_regex_opts *o, const ekb_policy *p, ekb_diags *d);

/* The PCRE2 option of a flag name in the policy ("caseless"), 0 if unknown. */
uint32_t ekb_regex_flag(const char *name);

/* Compiles a pattern with o->options | extra, then JIT-compiles it when
 * jit is true and JIT is available (failing that, it stays interpreted).
 * Returns 0 with *out set; 1 on a pattern error (*errcode, *erroff set);
 * -1 when out of memory. */
int ekb_regex_compile(const ekb_regex_opts *o, const char *pattern, size_t len, uint32_t extra, bool jit,
                      pcre2_code **out, int *errcode, size_t *erroff);

/* PCRE2's message for an error code, malloc'd; NULL when out of memory. */
char *ekb_regex_error_message(int errcode);

/* A matcher: match data and a match context holding the policy limits. One
 * per thread. */
typedef struct ekb_matcher {
    pcre2_match_data *md;
    pcre2_match_context *mc;
} ekb_matcher;

int ekb_matcher_init(ekb_matcher *m, const ekb_regex_opts *o);
void ekb_matcher_free(ekb_matcher *m);

enum { EKB_MATCH_NONE = 0, EKB_MATCH_FOUND = 1, EKB_MATCH_LIMIT = 2 };

/* Matches re against subject. Returns EKB_MATCH_FOUND with the span in
 * *start, *end (may be NULL); EKB_MATCH_NONE; EKB_MATCH_LIMIT when a match,
 * depth or heap limit stopped it (*pcre2_error says which); -1 on any other
 * failure (out of memory, invalid UTF-8: *pcre2_error says). */
int ekb_regex_match(ekb_matcher *m, const pcre2_code *re, const char *subject, size_t len, size_t *start,
                    size_t *end, int *pcre2_error);

/* ekb_regex_match on a subject known to be valid UTF-8: a string of a
 * loaded document (the JSON reader, libyaml and jansson all refuse invalid
 * UTF-8 and lone surrogates), so PCRE2 need not check it again on every
 * match (a tenth of a sample's match time). Any other subject goes through
 * ekb_regex_match: PCRE2 on invalid UTF-8 unchecked is undefined. */
int ekb_regex_match_valid(ekb_matcher *m, const pcre2_code *re, const char *subject, size_t len, size_t *start,
                          size_t *end, int *pcre2_error);

/* Whether a PCRE2 error code is one of the policy limits (match, depth, heap). */
bool ekb_regex_is_limit(int pcre2_error);

/* "match", "depth" or "heap" for a limit error code, else "unknown". */
const char *ekb_regex_limit_name(int pcre2_error);

#endif

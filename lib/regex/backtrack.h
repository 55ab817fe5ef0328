/* backtrack.h: catastrophic backtracking. A static analysis finds the places
 * in a pattern where backtracking can blow up ("sites": nested quantifiers,
 * quantified alternations with overlapping branches, overlapping unbounded
 * repeats in a row) and builds adversarial inputs from the pattern's own
 * characters; a measurement runs them in the PCRE2 interpreter under the
 * policy limits, counting work with an automatic callout (deterministic,
 * unlike wall-clock time). A pattern without sites cannot explode and is not
 * measured.
 *
 * What is measured is one match attempt, at the start of the input, where
 * the input leads to the site: the work backtracking multiplies, which is
 * also what PCRE2's match and depth limits bound. Retrying an unanchored
 * pattern at every start position costs every regex (even a plain 'a.*b')
 * time in proportion to the square of a crafted line's length; that is the
 * nature of unanchored search, not a defect of one pattern, and is left out. */
#ifndef EKB_REGEX_BACKTRACK_H
#define EKB_REGEX_BACKTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compile.h"

typedef enum ekb_bt_kind {
    EKB_BT_NESTED,      /* (a+)+ : a variable repeat ending a repeated body it can also start */
    EKB_BT_ALTERNATION, /* (x|x)* : a repeated alternation whose branches overlap */
    EKB_BT_ADJACENT     /* \d+\d+ : unbounded repeats in a row over common characters */
} ekb_bt_kind;

typedef struct ekb_bt_site {
    ekb_bt_kind kind;
    uint32_t start, end;  /* the construct in the pattern (bytes) */
    bool classic;         /* one of the classic exponential shapes (NESTED, ALTERNATION) */
    bool guarded;         /* possessive or atomic: PCRE2 cannot backtrack into it */
    char *prefix;         /* leads the matcher to the site */
    char *pump;           /* repeated to the wanted length */
    char *follow;         /* what the pattern wants after the site */
    char fail;            /* a character that makes the rest fail */
} ekb_bt_site;

typedef struct ekb_bt_analysis {
    bool parsed;          /* false: syntax beyond the parser; no sites known */
    ekb_bt_site *v;
    size_t n;
} ekb_bt_analysis;

/* Finds the sites of a pattern compiled with these options. Returns 0, or
 * -1 when out of memory. */
int ekb_bt_analyze(const char *pattern, size_t len, uint32_t options, ekb_bt_analysis *out);
/* The same of a pattern parsed already (t NULL: beyond the parser). */
struct ekb_rx_tree;
int ekb_bt_analyze_tree(const struct ekb_rx_tree *t, ekb_bt_analysis *out);
void ekb_bt_analysis_free(ekb_bt_analysis *a);

typedef enum ekb_bt_verdict {
    EKB_BT_FINE,    /* linear within the limits on every input */
    EKB_BT_LIMIT,   /* a PCRE2 match, depth or heap limit stopped a match */
    EKB_BT_GROWTH,  /* work grew more than 8-fold for a 4-fold longer input (linear: 4-fold) */
    EKB_BT_STEPS,   /* more work than the step limit for its length */
    EKB_BT_BUDGET   /* all its runs together took more than the total limit */
} ekb_bt_verdict;

typedef struct ekb_bt_result {
    ekb_bt_verdict verdict;
    int pcre2_error;                /* LIMIT: which limit */
    size_t site;                    /* the site whose input showed it */
    size_t length;                  /* bytes of that input */
    unsigned long long steps;       /* work on it (when stopped: the first count over the budget) */
    unsigned long long budget;      /* the steps it was allowed */
    size_t prev_length;             /* GROWTH: the previous, 4 times shorter input */
    unsigned long long prev_steps;
    char *shape;                    /* the input described: 'x' + 'ab' × 510 + '!' (malloc'd) */
    unsigned long long work;        /* steps spent measuring, in all */
    size_t runs;                    /* matches run */
} ekb_bt_result;

/* The input lengths tried, smallest first. */
#define EKB_BT_MIN_LENGTH 1024
#define EKB_BT_MAX_LENGTH 65536

/* Measures the sites of a (with o's options and limits). Returns 0 with r
 * filled (r->shape NULL when FINE), 1 when the pattern does not compile,
 * -1 when out of memory. */
int ekb_bt_measure(const ekb_regex_opts *o, const char *pattern, size_t len, const ekb_bt_analysis *a,
                   ekb_bt_result *r);
void ekb_bt_result_free(ekb_bt_result *r);

/* The step limit for one input of n bytes: 4 x the policy's match limit,
 * plus 1024 steps a byte. */
unsigned long long ekb_bt_step_limit(const ekb_regex_opts *o, size_t n);
/* The steps all runs of one pattern may take together: 256 x the match
 * limit, so that the check of a corpus takes bounded time. */
unsigned long long ekb_bt_total_limit(const ekb_regex_opts *o);

#endif

/* check.h: errkb-regex's checks: every entry's regex against its own
 * samples, the background of ordinary log lines, the rest of the corpus
 * (ambiguity) and adversarial input (backtracking).
 *
 * Use: ekb_regex_corpus_new (compiles every loaded entry's regex and builds
 * the prefilter), ekb_regex_corpus_cross (matches texts across entries and
 * against the background, for the findings of target files), then
 * ekb_regex_check_file per target (thread-safe for distinct files), then
 * ekb_regex_corpus_finish (the summary). ekb_regex_try needs only _new. */
#ifndef EKB_REGEX_CHECK_H
#define EKB_REGEX_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "corpus.h"
#include "diag.h"
#include "regex/prefilter.h"

typedef struct ekb_regex_check_options {
    bool portable;   /* add the portability notes */
    unsigned jobs;   /* threads, 0: one per CPU */
} ekb_regex_check_options;

typedef struct ekb_regex_stats {
    size_t entries, compiled, texts, background_lines;
    size_t atoms, unfiltered;
    /* ambiguity: text × other regex pairs a brute-force check would run,
     * those the prefilter let through, and the matches among them */
    unsigned long long pairs_brute, pairs_run, pairs_matched;
    unsigned long long background_brute, background_run;
    /* targets' no_match samples, and those the prefilter let the entry's
     * own regex run on */
    unsigned long long no_match_brute, no_match_run;
    size_t ambiguous_pairs;
    /* backtracking: patterns measured, patterns without a site (skipped),
     * patterns beyond the parser, matches run and steps counted */
    size_t bt_measured, bt_skipped, bt_unparsed, bt_runs;
    unsigned long long bt_steps;
} ekb_regex_stats;

typedef struct ekb_regex_corpus ekb_regex_corpus;

/* Compiles the regex of every loaded file of c (targets and the rest) and
 * indexes them. Policy problems go to d. Returns 0, or -1 when out of memory. */
int ekb_regex_corpus_new(ekb_corpus *c, const ekb_regex_check_options *o, ekb_diags *d, ekb_regex_corpus **out);
void ekb_regex_corpus_free(ekb_regex_corpus *rc);

/* Loads the background lines (schema/background.log of the corpus, else the
 * built-in copy) and matches, through the prefilter, every entry's texts
 * against the other entries' regexes and the background against the
 * regexes, as far as a target is concerned. 0, or -1 (memory). */
int ekb_regex_corpus_cross(ekb_regex_corpus *rc, ekb_diags *d);

/* All findings about the target f, into d. 0, or -1 (memory). */
int ekb_regex_check_file(ekb_regex_corpus *rc, ekb_corpus_file *f, ekb_diags *d);

/* Adds the summary note (ambiguous pairs) when there is one; 0 or -1. */
int ekb_regex_corpus_finish(ekb_regex_corpus *rc, ekb_diags *d);

/* Statistics so far; the backtracking counts are complete after every
 * target was checked. */
ekb_regex_stats ekb_regex_corpus_stats(const ekb_regex_corpus *rc);

/* One entry that recognises a line, with the span it matched. */
typedef struct ekb_regex_hit {
    const char *id;       /* borrowed from the corpus */
    const char *path;
    size_t start, end;    /* byte offsets, end exclusive */
} ekb_regex_hit;

/* The entries (targets only when targets_only) whose regex recognises line,
 * in id order; *hits is malloc'd. Entries whose regex hit a PCRE2 limit on
 * it are left out and counted in *limited. 0, or -1 (memory). */
int ekb_regex_try(const ekb_regex_corpus *rc, const char *line, size_t len, bool targets_only,
                  ekb_regex_hit **hits, size_t *n, size_t *limited);

/* The prefilter over the regexes that compiled, and the PCRE2 options they
 * were analysed with: for sharing the analysis (errkb-compile's index).
 * Read-only; valid until ekb_regex_corpus_free. */
const ekb_prefilter *ekb_regex_corpus_prefilter(const ekb_regex_corpus *rc, uint32_t *options);

/* The id in that prefilter of corpus file f's regex, or -1 when f has no
 * regex that compiled. */
long ekb_regex_corpus_pattern_id(const ekb_regex_corpus *rc, const ekb_corpus_file *f);

/* Reports the compile errors of the regexes ekb_regex_try would use, into d
 * (so an author sees why a new regex recognises nothing). 0 or -1. */
int ekb_regex_report_compile_errors(ekb_regex_corpus *rc, bool targets_only, ekb_diags *d);

#endif

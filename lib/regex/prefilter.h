/* prefilter.h: which of many regexes can possibly match a text, decided from
 * the literal strings ("atoms") each regex requires, so that only those few
 * candidates need to run.
 *
 * Each pattern is analysed into an AND/OR tree of atoms, as RE2's
 * FilteredRE2 does: "abc(de|fg)" needs 'abc' AND ('de' OR 'fg'). Atoms are
 * lower-case ASCII; the texts are folded the same way when scanned, so a
 * caseless or a case-sensitive pattern is treated alike (the answer may be
 * too large, never too small). Atoms shorter than the minimum length are
 * dropped from the trees; a pattern left with no requirement at all is
 * "unfiltered" and is a candidate for every text.
 *
 * The data is serialisable: atoms are strings, and each pattern's tree is a
 * flat program of steps in postfix order (ekb_prefilter_program), which
 * ekb_prefilter_add_program takes back. Candidates come from one
 * Aho-Corasick pass over the text (linear), then each pattern touched by a
 * found atom evaluates its program on the set of found atoms.
 *
 * An ekb_prefilter is built by one thread; once compiled it is read-only, and
 * any number of threads may query it, each with its own ekb_pf_scratch. */
#ifndef EKB_REGEX_PREFILTER_H
#define EKB_REGEX_PREFILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EKB_PF_MIN_ATOM 3   /* default minimum atom length, in bytes */
#define EKB_PF_MAX_ATOM 64  /* longer literals are cut to this (still required) */

typedef enum ekb_pf_op { EKB_PF_ATOM = 1, EKB_PF_AND, EKB_PF_OR } ekb_pf_op;

/* One step of a program: ATOM pushes "atom arg was found"; AND and OR pop arg
 * values and push their conjunction or disjunction. A program leaves one
 * value; an empty program means "always a candidate". */
typedef struct ekb_pf_step {
    uint32_t op;
    uint32_t arg;
} ekb_pf_step;

typedef struct ekb_prefilter ekb_prefilter;
typedef struct ekb_pf_scratch ekb_pf_scratch;

/* A new, empty prefilter (min_atom_len 0 means EKB_PF_MIN_ATOM); NULL when
 * out of memory. */
ekb_prefilter *ekb_prefilter_new(size_t min_atom_len);
void ekb_prefilter_free(ekb_prefilter *pf);

/* Analyses a pattern (one PCRE2 compiled with these options) and adds it as
 * the next pattern id (0, 1, ...), given in *id. A pattern the analysis does
 * not understand is added unfiltered. Returns 0, or -1 when out of memory. */
int ekb_prefilter_add(ekb_prefilter *pf, const char *pattern, size_t len, uint32_t options, uint32_t *id);

/* ekb_prefilter_add of a pattern parsed already (t NULL: beyond the parser,
 * added unfiltered). The analysis allocates in t's arena; t is not changed
 * otherwise, and is the caller's to free. */
struct ekb_rx_tree;
int ekb_prefilter_add_parsed(ekb_prefilter *pf, struct ekb_rx_tree *t, uint32_t *id);

/* Adds n patterns as ekb_prefilter_add would one after the other (ids[i]
 * gets pattern i's id), analysing them on up to jobs threads (0: one per
 * CPU). Returns 0, or -1 when out of memory. */
int ekb_prefilter_add_all(ekb_prefilter *pf, const char *const *patterns, const size_t *lens, size_t n,
                          uint32_t options, unsigned jobs, uint32_t *ids);

/* Programs another prefilter holds already, to copy rather than analyse
 * again: for pattern i of a batch, id_of(ctx, i) is its id in src when src
 * analysed the same text with the same options (and the same minimum atom
 * length), else -1. */
typedef struct ekb_pf_known {
    const ekb_prefilter *src;
    long (*id_of)(const void *ctx, size_t i);
    const void *ctx;
} ekb_pf_known;

/* ekb_prefilter_add_all, copying the programs known holds (known NULL:
 * none) instead of analysing their patterns: the result is the same, byte
 * for byte. */
int ekb_prefilter_add_all_known(ekb_prefilter *pf, const char *const *patterns, const size_t *lens, size_t n,
                                uint32_t options, unsigned jobs, const ekb_pf_known *known, uint32_t *ids);

/* ekb_prefilter_add_all that also hands each pattern's parse tree (NULL:
 * beyond the parser) to visit(ctx, i, t), on the thread analysing it, for a
 * caller with its own analysis of the same patterns: one parse serves both.
 * visit returns 0, or -1 (out of memory) to stop. */
typedef int (*ekb_pf_visit)(void *ctx, size_t i, struct ekb_rx_tree *t);
int ekb_prefilter_add_all_visit(ekb_prefilter *pf, const char *const *patterns, const size_t *lens, size_t n,
                                uint32_t options, unsigned jobs, ekb_pf_visit visit, void *visit_ctx, uint32_t *ids);

/* Adds a pattern from its program; ATOM args index atom[] / atom_len[].
 * Returns 0, 1 when the program is malformed, -1 when out of memory. */
int ekb_prefilter_add_program(ekb_prefilter *pf, const ekb_pf_step *steps, size_t n_steps,
                              const char *const *atom, const size_t *atom_len, uint32_t *id);

/* Builds the index over everything added so far. 0, or -1 (memory). Adding
 * more patterns afterwards needs another compile before querying. */
int ekb_prefilter_compile(ekb_prefilter *pf);

/* The serialisable data (borrowed; valid until the next add). */
size_t ekb_prefilter_min_atom(const ekb_prefilter *pf);
size_t ekb_prefilter_patterns(const ekb_prefilter *pf);
size_t ekb_prefilter_atoms(const ekb_prefilter *pf);
const char *ekb_prefilter_atom(const ekb_prefilter *pf, size_t atom, size_t *len);
const ekb_pf_step *ekb_prefilter_program(const ekb_prefilter *pf, uint32_t id, size_t *n_steps);
bool ekb_prefilter_unfiltered(const ekb_prefilter *pf, uint32_t id);

/* uses[a] = how many patterns name atom a (uses has ekb_prefilter_atoms()
 * slots). The usual cost for ekb_prefilter_cover. */
void ekb_prefilter_atom_uses(const ekb_prefilter *pf, uint32_t *uses);

#define EKB_PF_NO_COVER ((size_t)-1)

/* The cover of pattern id: atoms of which one at least occurs (folded) in
 * every text the pattern matches. AND is covered by its cheapest operand,
 * OR by the union of its operands' covers; cost[a] is the price of filing
 * under atom a (NULL: 1 each), ties go to fewer, then longer atoms. *atoms
 * (malloc'd, the caller frees it) gets *n atom ids; *n is EKB_PF_NO_COVER
 * when there is none of at most max_atoms atoms (the pattern is then a
 * candidate for every text), and 0 when the pattern can match no text.
 * Returns 0, or -1 when out of memory. */
int ekb_prefilter_cover(const ekb_prefilter *pf, uint32_t id, const uint32_t *cost, size_t max_atoms,
                        uint32_t **atoms, size_t *n);

/* The program of a pattern as text, e.g. "AND('abc', OR('de', 'fg'))" or
 * "ALL"; malloc'd, NULL when out of memory. For tests and --stats. */
char *ekb_prefilter_describe(const ekb_prefilter *pf, uint32_t id);

/* Per-thread query state for a compiled prefilter; NULL when out of memory. */
ekb_pf_scratch *ekb_pf_scratch_new(const ekb_prefilter *pf);
void ekb_pf_scratch_free(ekb_pf_scratch *s);

/* The candidates for text: ascending pattern ids in *ids (borrowed from s,
 * valid until its next use), *n of them. Every pattern that matches text is
 * among them. Returns 0, or -1 when out of memory. */
int ekb_prefilter_candidates(const ekb_prefilter *pf, ekb_pf_scratch *s, const char *text, size_t len,
                             const uint32_t **ids, size_t *n);

/* Whether pattern is among text's candidates (*may), found without the
 * scan for every atom: the text is searched for the pattern's own atoms
 * only. The same answer as ekb_prefilter_candidates, for one pattern.
 * Returns 0, or -1 when out of memory or pattern is not one of pf's. */
int ekb_prefilter_may_match(const ekb_prefilter *pf, ekb_pf_scratch *s, uint32_t pattern, const char *text,
                            size_t len, bool *may);

/* The ids of the atoms found in text, for diagnostics; same rules. */
int ekb_prefilter_found_atoms(const ekb_prefilter *pf, ekb_pf_scratch *s, const char *text, size_t len,
                              const uint32_t **atoms, size_t *n);

#endif

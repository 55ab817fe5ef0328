/* prefilter_private.h: the prefilter's data, shared by the analysis
 * (prefilter.c) and the candidate index (prefilter_index.c). */
#ifndef EKB_REGEX_PREFILTER_PRIVATE_H
#define EKB_REGEX_PREFILTER_PRIVATE_H

#include "prefilter.h"

#define EKB_PF_NONE UINT32_MAX

/* The Aho-Corasick automaton over the atoms, the postings (atom → the
 * patterns whose programs name it) and the unfiltered patterns. */
typedef struct ekb_pf_index {
    uint32_t *child, *sibling, *fail, *dict, *out; /* per trie node */
    uint8_t *byte;
    size_t n_nodes;
    /* What the scan reads, laid out for it: a node's children side by side
     * and what it needs of the node itself in one place, so that a step
     * of the automaton touches two cache lines, not five (at 100k entries
     * the trie is far larger than the cache). */
    struct ekb_pf_node {
        uint32_t kid_off, n_kids; /* its children: kids[kid_off ..] */
        uint32_t fail;
        uint32_t emit; /* first node of its output chain (itself when it ends an atom, else its dictionary link) */
    } *nodes;
    struct ekb_pf_kid {
        uint32_t byte, node;
    } *kids;
    uint32_t root_next[256];
    uint32_t *post_off, *post;
    uint32_t *unfiltered;
    size_t n_unfiltered;
    size_t max_program;
} ekb_pf_index;

struct ekb_prefilter {
    size_t min_atom;
    char *pool;                 /* atom bytes, back to back */
    size_t pool_len, pool_cap;
    uint32_t *atom_off;         /* atom i is pool[atom_off[i] .. atom_off[i + 1]) */
    size_t n_atoms, atom_cap;
    uint32_t *hash;             /* open addressing: atom index + 1, 0 = free */
    size_t hash_cap;
    ekb_pf_step *steps;
    size_t n_steps, step_cap;
    uint32_t *prog;             /* pattern i: steps[prog[2i] .. prog[2i + 1]) */
    size_t n_patterns, pat_cap;
    ekb_pf_index *index;        /* NULL until compiled */
};

void ekb_pf_index_free(ekb_pf_index *ix);

#endif

/* prefilter_batch.c: adding many patterns at once, analysed on every core.
 * Each chunk of patterns is analysed into a private prefilter; the chunks
 * are then merged in pattern order, which interns the atoms in the order
 * one-by-one adding would: the result is the same, byte for byte. A
 * pattern another prefilter analysed already has its program copied into
 * the chunk instead, which changes nothing after the merge either. */
#include "prefilter.h"

#include "parallel.h"
#include "syntax.h"

#include <stdlib.h>

#define BATCH_CHUNK 1024

typedef struct batch {
    const char *const *patterns;
    const size_t *lens;
    uint32_t options;
    size_t n;
    size_t min_atom;
    ekb_prefilter **part;
    const ekb_pf_known *known; /* NULL: analyse every pattern */
    const char **known_atom;   /* known->src's atoms, for copying its programs */
    size_t *known_atom_len;
    ekb_pf_visit visit;        /* NULL: none */
    void *visit_ctx;
} batch;

/* Analyses pattern i into pf (as ekb_prefilter_add), handing its tree to
 * the visitor when there is one. */
static int analyse(batch *b, ekb_prefilter *pf, size_t i, uint32_t *id)
{
    ekb_rx_tree t;
    int r = ekb_rx_parse(b->patterns[i], b->lens[i], b->options, &t);
    if (r < 0)
        return -1;
    ekb_rx_tree *tree = r == 0 ? &t : NULL;
    int rc = ekb_prefilter_add_parsed(pf, tree, id);
    if (rc == 0 && b->visit)
        rc = b->visit(b->visit_ctx, i, tree);
    ekb_rx_tree_free(&t);
    return rc;
}

static int analyse_chunk(void *ctx, size_t chunk, ekb_diags *d)
{
    (void)d;
    batch *b = ctx;
    ekb_prefilter *pf = ekb_prefilter_new(b->min_atom);
    if (!pf)
        return -1;
    b->part[chunk] = pf;
    for (size_t i = chunk * BATCH_CHUNK; i < b->n && i < (chunk + 1) * BATCH_CHUNK; i++) {
        uint32_t id;
        long k = b->known ? b->known->id_of(b->known->ctx, i) : -1;
        if (k >= 0) {
            /* the program the analysis gave src, copied as merge() copies */
            size_t n_steps;
            const ekb_pf_step *steps = ekb_prefilter_program(b->known->src, (uint32_t)k, &n_steps);
            if (ekb_prefilter_add_program(pf, steps, n_steps, b->known_atom, b->known_atom_len, &id) != 0)
                return -1;
        } else if (analyse(b, pf, i, &id) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Moves the patterns of part into pf, in order. */
static int merge(ekb_prefilter *pf, const ekb_prefilter *part, uint32_t *ids)
{
    size_t n_atoms = ekb_prefilter_atoms(part);
    const char **atom = malloc((n_atoms + 1) * sizeof *atom);
    size_t *atom_len = malloc((n_atoms + 1) * sizeof *atom_len);
    int r = atom && atom_len ? 0 : -1;
    for (size_t a = 0; r == 0 && a < n_atoms; a++)
        atom[a] = ekb_prefilter_atom(part, a, &atom_len[a]);
    for (size_t p = 0; r == 0 && p < ekb_prefilter_patterns(part); p++) {
        size_t n_steps;
        const ekb_pf_step *steps = ekb_prefilter_program(part, (uint32_t)p, &n_steps);
        /* a program the analysis made is well formed: 1 cannot happen */
        r = ekb_prefilter_add_program(pf, steps, n_steps, atom, atom_len, &ids[p]) != 0 ? -1 : 0;
    }
    free(atom);
    free(atom_len);
    return r;
}

int ekb_prefilter_add_all(ekb_prefilter *pf, const char *const *patterns, const size_t *lens, size_t n,
                          uint32_t options, unsigned jobs, uint32_t *ids)
{
    return ekb_prefilter_add_all_known(pf, patterns, lens, n, options, jobs, NULL, ids);
}

static int add_batch(ekb_prefilter *pf, batch *bp, unsigned jobs, uint32_t *ids)
{
    batch b = *bp;
    size_t chunks = (b.n + BATCH_CHUNK - 1) / BATCH_CHUNK;
    const ekb_pf_known *known = b.known;
    b.known = NULL;
    b.min_atom = ekb_prefilter_min_atom(pf);
    if (!(b.part = calloc(chunks + 1, sizeof *b.part)))
        return -1;
    if (known && ekb_prefilter_min_atom(known->src) == b.min_atom) {
        size_t n_atoms = ekb_prefilter_atoms(known->src);
        b.known_atom = malloc((n_atoms + 1) * sizeof *b.known_atom);
        b.known_atom_len = malloc((n_atoms + 1) * sizeof *b.known_atom_len);
        if (!b.known_atom || !b.known_atom_len) {
            free(b.known_atom);
            free(b.known_atom_len);
            free(b.part);
            return -1;
        }
        for (size_t a = 0; a < n_atoms; a++)
            b.known_atom[a] = ekb_prefilter_atom(known->src, a, &b.known_atom_len[a]);
        b.known = known;
    }
    int r = ekb_parallel_for(chunks, jobs, analyse_chunk, &b, NULL);
    for (size_t c = 0; r == 0 && c < chunks; c++)
        r = merge(pf, b.part[c], ids + c * BATCH_CHUNK);
    for (size_t c = 0; c < chunks; c++)
        ekb_prefilter_free(b.part[c]);
    free(b.part);
    free(b.known_atom);
    free(b.known_atom_len);
    return r;
}

int ekb_prefilter_add_all_known(ekb_prefilter *pf, const char *const *patterns, const size_t *lens, size_t n,
                                uint32_t options, unsigned jobs, const ekb_pf_known *known, uint32_t *ids)
{
    batch b = {.patterns = patterns, .lens = lens, .options = options, .n = n, .known = known};
    return add_batch(pf, &b, jobs, ids);
}

int ekb_prefilter_add_all_visit(ekb_prefilter *pf, const char *const *patterns, const size_t *lens, size_t n,
                                uint32_t options, unsigned jobs, ekb_pf_visit visit, void *visit_ctx, uint32_t *ids)
{
    batch b = {.patterns = patterns, .lens = lens, .options = options, .n = n, .visit = visit,
               .visit_ctx = visit_ctx};
    return add_batch(pf, &b, jobs, ids);
}

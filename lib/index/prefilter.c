/* prefilter.c: the index's prefilter data from lib/regex/prefilter: every
 * entry's AND/OR program over literal atoms (section PFLT), and the "cover"
 * of each program, the atoms of which one at least occurs in every text the
 * regex matches, which grams.c files the entry under. */
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "util.h"
#include "regex/prefilter.h"

#define MAX_COVER 64 /* atoms; a wider OR is cheaper to run always */

void ekb_cover_free(ekb_cover *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->atoms[i]);
    free(c->atoms);
    c->atoms = NULL;
    c->n = 0;
}

/* The cover of pattern id as strings, priced by how many patterns name
 * each atom (see ekb_prefilter_cover); none when wider than MAX_COVER. */
static int program_cover(const ekb_prefilter *pf, uint32_t id, const uint32_t *uses, ekb_cover *out)
{
    out->atoms = NULL;
    out->n = 0;
    uint32_t *atoms;
    size_t n;
    if (ekb_prefilter_cover(pf, id, uses, MAX_COVER, &atoms, &n) != 0)
        return -1;
    int r = 0;
    if (n != EKB_PF_NO_COVER && n > 0 && !(out->atoms = calloc(n + 1, sizeof *out->atoms)))
        r = -1;
    for (size_t i = 0; r == 0 && n != EKB_PF_NO_COVER && i < n; i++) {
        size_t len;
        const char *a = ekb_prefilter_atom(pf, atoms[i], &len);
        if (!(out->atoms[out->n] = ekb_strndup(a, len)))
            r = -1;
        else
            out->n++;
    }
    free(atoms);
    if (r != 0)
        ekb_cover_free(out);
    return r;
}

typedef struct atom_map {
    uint32_t str; /* pool string number of the cut atom */
    uint32_t atom; /* atom number in the analysis */
} atom_map;

static int cmp_map(const void *a, const void *b)
{
    const atom_map *x = a, *y = b;
    if (x->str != y->str)
        return x->str < y->str ? -1 : 1;
    return x->atom < y->atom ? -1 : x->atom > y->atom;
}

/* The id in the programs made already of item i's regex, or -1. */
typedef struct known_ctx {
    const builder *b;
    const ekb_index_programs *made;
} known_ctx;

static long known_id(const void *ctx, size_t i)
{
    const known_ctx *k = ctx;
    return k->made->id_of(k->made->ctx, k->b->items[i].f);
}

int ekb_index_prefilter(builder *b, const char *const *patterns, size_t n, uint32_t *first, uint32_t *count,
                        ekb_cover *covers)
{
    ekb_prefilter *pf = ekb_prefilter_new(0);
    if (!pf)
        return -1;
    size_t *lens = malloc((n + 1) * sizeof *lens);
    uint32_t *ids = malloc((n + 1) * sizeof *ids);
    int r = lens && ids ? 0 : -1;
    for (size_t i = 0; i < n && r == 0; i++)
        lens[i] = strlen(patterns[i]);
    /* programs made already with the same options are copied, not made again */
    uint32_t options = ekbf_pcre2_options(b->regex_flags);
    const ekb_index_programs *made = r == 0 && b->opt && b->opt->programs ? b->opt->programs(b->opt->programs_ctx) : NULL;
    known_ctx kc = {b, made};
    ekb_pf_known known = {made ? made->pf : NULL, known_id, &kc};
    if (r == 0)
        r = ekb_prefilter_add_all_known(pf, patterns, lens, n, options, 0,
                                        made && made->options == options ? &known : NULL, ids);
    free(lens);
    free(ids);
    /* the atoms cut to EKBF_PF_ATOM_MAX bytes (still required), each kept
     * once, numbered by their string in the pool */
    size_t n_atoms = ekb_prefilter_atoms(pf), len, n_steps = 0, distinct = 0;
    atom_map *map = malloc((n_atoms + 1) * sizeof *map);
    uint32_t *renum = malloc((n_atoms + 1) * sizeof *renum);
    if (!map || !renum)
        r = -1;
    for (size_t a = 0; r == 0 && a < n_atoms; a++) {
        /* the pool keeps pointers until it is written: a copy of our own */
        const char *s = ekb_prefilter_atom(pf, a, &len);
        size_t cut = len < EKBF_PF_ATOM_MAX ? len : EKBF_PF_ATOM_MAX;
        const char *own = ekb_b_own(b, ekb_strndup(s, cut));
        if (!own)
            r = -1;
        else
            map[a] = (atom_map){ekb_b_intern(b, own, cut), (uint32_t)a};
    }
    if (r == 0 && !b->oom) {
        qsort(map, n_atoms, sizeof *map, cmp_map);
        for (size_t k = 0; k < n_atoms; k++) {
            if (k && map[k].str != map[k - 1].str)
                distinct++;
            renum[map[k].atom] = (uint32_t)distinct;
        }
        if (n_atoms)
            distinct++;
    }
    for (size_t i = 0; r == 0 && i < n; i++) {
        ekb_prefilter_program(pf, (uint32_t)i, &len);
        n_steps += len;
    }
    /* PFLT: the atoms (string references), then every program's steps */
    unsigned char *p = r == 0 && !b->oom ? ekb_bytes_add(&b->sec[S_PFLT], 4 + 4 * distinct + 4 * n_steps) : NULL;
    if (!p)
        r = -1;
    if (r == 0) {
        ekbf_put32(p, (uint32_t)distinct);
        for (size_t k = 0; k < n_atoms; k++)
            if (k == 0 || map[k].str != map[k - 1].str)
                ekb_b_ref(b, S_PFLT, 4 + 4 * (size_t)renum[map[k].atom], map[k].str);
    }
    uint32_t *uses = r == 0 ? malloc((n_atoms + 1) * sizeof *uses) : NULL;
    if (!uses)
        r = -1;
    else
        ekb_prefilter_atom_uses(pf, uses);
    size_t step = 0, st = 4 + 4 * distinct;
    for (size_t i = 0; i < n && r == 0; i++) {
        const ekb_pf_step *steps = ekb_prefilter_program(pf, (uint32_t)i, &len);
        first[i] = (uint32_t)step;
        count[i] = (uint32_t)len;
        for (size_t k = 0; k < len; k++, step++) {
            uint32_t arg = steps[k].op == EKB_PF_ATOM ? renum[steps[k].arg] : steps[k].arg;
            ekbf_put32(b->sec[S_PFLT].p + st + 4 * step, steps[k].op << 30 | (arg & EKBF_PF_ARG_MASK));
        }
        r = program_cover(pf, (uint32_t)i, uses, &covers[i]);
    }
    free(uses);
    free(map);
    free(renum);
    ekb_prefilter_free(pf);
    return r || b->oom ? -1 : 0;
}

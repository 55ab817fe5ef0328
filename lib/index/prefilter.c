/* prefilter.c: the index's prefilter data from lib/regex/prefilter: every
 * entry's AND/OR program over literal atoms (section PFLT), and the "cover"
 * of each program, the atoms of which one at least occurs in every text the
 * regex matches, which grams.c files the entry under. */
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

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

/* A cover while the program is evaluated: atom ids, or none (n == NONE). */
#define NONE ((size_t)-1)
typedef struct ids {
    uint32_t *v;
    size_t n;
} ids;

static size_t cover_len(const ekb_prefilter *pf, const ids *c)
{
    size_t total = 0, len;
    for (size_t i = 0; i < c->n; i++) {
        ekb_prefilter_atom(pf, c->v[i], &len);
        total += len;
    }
    return total;
}

/* Evaluates a postfix program on covers: an atom covers itself; AND is
 * covered by its best operand (fewest atoms, then the longest); OR by the
 * union of its operands, if each has a cover. Returns 0 or -1 (memory). */
static int program_cover(const ekb_prefilter *pf, const ekb_pf_step *steps, size_t n, ekb_cover *out)
{
    out->atoms = NULL;
    out->n = 0;
    if (n == 0)
        return 0;
    ids *stack = calloc(n, sizeof *stack);
    size_t sp = 0;
    int r = stack ? 0 : -1;
    for (size_t i = 0; i < n && r == 0; i++) {
        if (steps[i].op == EKB_PF_ATOM) {
            if (!(stack[sp].v = malloc(sizeof *stack[sp].v)))
                r = -1;
            else
                stack[sp].v[0] = steps[i].arg, stack[sp++].n = 1;
            continue;
        }
        size_t k = steps[i].arg, base = sp - k;
        ids res = {NULL, NONE};
        if (steps[i].op == EKB_PF_AND) {
            for (size_t j = base; j < sp; j++)
                if (stack[j].n != NONE &&
                    (res.n == NONE || stack[j].n < res.n ||
                     (stack[j].n == res.n && cover_len(pf, &stack[j]) > cover_len(pf, &res))))
                    res = stack[j];
            for (size_t j = base; j < sp; j++)
                if (stack[j].v != res.v)
                    free(stack[j].v);
        } else {
            size_t total = 0;
            for (size_t j = base; j < sp && total != NONE; j++)
                total = stack[j].n == NONE || total + stack[j].n > MAX_COVER ? NONE : total + stack[j].n;
            if (total != NONE && (res.v = malloc((total + 1) * sizeof *res.v))) {
                res.n = 0;
                for (size_t j = base; j < sp; j++) {
                    memcpy(res.v + res.n, stack[j].v, stack[j].n * sizeof *res.v);
                    res.n += stack[j].n;
                }
            } else if (total != NONE) {
                r = -1;
            }
            for (size_t j = base; j < sp; j++)
                free(stack[j].v);
        }
        sp = base;
        stack[sp++] = res;
    }
    if (r == 0 && sp == 1 && stack[0].n != NONE) {
        if (!(out->atoms = calloc(stack[0].n + 1, sizeof *out->atoms)))
            r = -1;
        for (size_t i = 0; r == 0 && i < stack[0].n; i++) {
            size_t len;
            const char *a = ekb_prefilter_atom(pf, stack[0].v[i], &len);
            char *s = malloc(len + 1);
            if (!s) {
                r = -1;
                break;
            }
            memcpy(s, a, len);
            s[len] = '\0';
            out->atoms[out->n++] = s;
        }
    }
    for (size_t j = 0; stack && j < sp; j++)
        free(stack[j].v);
    free(stack);
    if (r != 0)
        ekb_cover_free(out);
    return r;
}

static uint32_t pcre2_options(uint32_t flags)
{
    uint32_t o = PCRE2_UTF | PCRE2_UCP;
    if (flags & EKBF_RF_CASELESS)
        o |= PCRE2_CASELESS;
    if (flags & EKBF_RF_MULTILINE)
        o |= PCRE2_MULTILINE;
    if (flags & EKBF_RF_DOTALL)
        o |= PCRE2_DOTALL;
    if (flags & EKBF_RF_EXTENDED)
        o |= PCRE2_EXTENDED;
    if (flags & EKBF_RF_UNGREEDY)
        o |= PCRE2_UNGREEDY;
    return o;
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

int ekb_index_prefilter(builder *b, const char *const *patterns, size_t n, uint32_t *first, uint32_t *count,
                        ekb_cover *covers)
{
    ekb_prefilter *pf = ekb_prefilter_new(0);
    if (!pf)
        return -1;
    int r = 0;
    for (size_t i = 0; i < n && r == 0; i++) {
        uint32_t id;
        r = ekb_prefilter_add(pf, patterns[i], strlen(patterns[i]), pcre2_options(b->regex_flags), &id);
    }
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
    size_t step = 0, st = 4 + 4 * distinct;
    for (size_t i = 0; i < n && r == 0; i++) {
        const ekb_pf_step *steps = ekb_prefilter_program(pf, (uint32_t)i, &len);
        first[i] = (uint32_t)step;
        count[i] = (uint32_t)len;
        for (size_t k = 0; k < len; k++, step++) {
            uint32_t arg = steps[k].op == EKB_PF_ATOM ? renum[steps[k].arg] : steps[k].arg;
            ekbf_put32(b->sec[S_PFLT].p + st + 4 * step, steps[k].op << 30 | (arg & EKBF_PF_ARG_MASK));
        }
        r = program_cover(pf, steps, len, &covers[i]);
    }
    free(map);
    free(renum);
    ekb_prefilter_free(pf);
    return r || b->oom ? -1 : 0;
}

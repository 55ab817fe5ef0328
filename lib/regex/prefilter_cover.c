/* prefilter_cover.c: the cover of a pattern, the few atoms under which it is
 * filed so that a text touches it only when one of them occurs. Filing a
 * pattern under every atom of its program makes a text that holds a common
 * atom ("error", "denied") touch every pattern that names it; filing it under
 * its rarest required atom touches only the patterns that can match. */
#include "prefilter_private.h"

#include <stdlib.h>
#include <string.h>

void ekb_prefilter_atom_uses(const ekb_prefilter *pf, uint32_t *uses)
{
    memset(uses, 0, pf->n_atoms * sizeof *uses);
    for (size_t p = 0; p < pf->n_patterns; p++)
        for (uint32_t s = pf->prog[2 * p]; s < pf->prog[2 * p + 1]; s++)
            if (pf->steps[s].op == EKB_PF_ATOM)
                uses[pf->steps[s].arg]++;
}

/* An operand while the program is evaluated: its atoms are buf[start ..
 * start + n) (none when n is EKB_PF_NO_COVER), what filing under them costs,
 * and their total length for ties. Operands lie back to back in buf. */
typedef struct operand {
    size_t start, n;
    uint64_t cost;
    size_t bytes;
} operand;

static size_t width(const operand *o) { return o->n == EKB_PF_NO_COVER ? 0 : o->n; }

/* Whether a is a cheaper cover than b: lower cost, then fewer atoms, then
 * longer ones (a longer atom occurs in fewer texts). */
static bool cheaper(const operand *a, const operand *b)
{
    if (a->n == EKB_PF_NO_COVER)
        return false;
    if (b->n == EKB_PF_NO_COVER)
        return true;
    if (a->cost != b->cost)
        return a->cost < b->cost;
    if (a->n != b->n)
        return a->n < b->n;
    return a->bytes > b->bytes;
}

int ekb_prefilter_cover(const ekb_prefilter *pf, uint32_t id, const uint32_t *cost, size_t max_atoms,
                        uint32_t **atoms, size_t *n)
{
    size_t len;
    const ekb_pf_step *steps = ekb_prefilter_program(pf, id, &len);
    *atoms = NULL;
    *n = EKB_PF_NO_COVER;
    if (len == 0)
        return 0; /* unfiltered */
    /* AND keeps one operand and OR concatenates: never more atoms than steps */
    uint32_t *buf = malloc(len * sizeof *buf);
    operand *stack = malloc(len * sizeof *stack);
    if (!buf || !stack) {
        free(buf);
        free(stack);
        return -1;
    }
    size_t sp = 0, top = 0; /* top: first free slot of buf */
    for (size_t i = 0; i < len; i++) {
        if (steps[i].op == EKB_PF_ATOM) {
            uint32_t a = steps[i].arg;
            size_t bytes;
            ekb_prefilter_atom(pf, a, &bytes);
            buf[top] = a;
            stack[sp++] = (operand){top++, 1, cost ? cost[a] : 1, bytes};
            continue;
        }
        size_t base = sp - steps[i].arg, start = sp > base ? stack[base].start : top;
        operand res = {start, EKB_PF_NO_COVER, 0, 0};
        if (steps[i].op == EKB_PF_AND) {
            const operand *best = NULL;
            for (size_t j = base; j < sp; j++)
                if (!best || cheaper(&stack[j], best))
                    best = &stack[j];
            if (best && best->n != EKB_PF_NO_COVER) {
                memmove(buf + start, buf + best->start, best->n * sizeof *buf);
                res = (operand){start, best->n, best->cost, best->bytes};
            }
        } else {
            res.n = 0;
            for (size_t j = base; j < sp && res.n != EKB_PF_NO_COVER; j++) {
                if (stack[j].n == EKB_PF_NO_COVER || res.n + stack[j].n > max_atoms) {
                    res.n = EKB_PF_NO_COVER;
                } else {
                    res.n += stack[j].n;
                    res.cost += stack[j].cost;
                    res.bytes += stack[j].bytes;
                }
            }
        }
        sp = base;
        stack[sp++] = res;
        top = start + width(&res);
    }
    if (sp == 1 && stack[0].n != EKB_PF_NO_COVER) {
        memmove(buf, buf + stack[0].start, stack[0].n * sizeof *buf);
        *n = stack[0].n;
        *atoms = buf;
        buf = NULL;
    }
    free(buf);
    free(stack);
    return 0;
}

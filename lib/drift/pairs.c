/* pairs.c: the policy's pair patterns expanded over one entry into value
 * pairs, '*' segments pairing array positions.
 *
 * Both patterns are walked together: the plain segments before the next '*'
 * are looked up on each side, then the two arrays found there are paired
 * index by index up to the longer one. A position beyond the shorter array
 * is "unpaired" and the array pair is recorded as a mismatch, so the checker
 * reports the lengths once instead of one missing value per position. */
#include "drift.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

typedef struct walk {
    const ekb_drift_pairdef *def;
    ekb_drift_pairs *out;
    ekb_strbuf sp, tp; /* pointers built so far */
} walk;

/* Copies the two pointers built so far; 0, or -1 (nothing kept). */
static int copy_pointers(const walk *w, char **sp, char **tp)
{
    *sp = strdup(w->sp.s ? w->sp.s : "");
    *tp = strdup(w->tp.s ? w->tp.s : "");
    if (*sp && *tp)
        return 0;
    free(*sp);
    free(*tp);
    return -1;
}

static int emit(walk *w, json_t *sv, json_t *tv, bool unpaired)
{
    ekb_drift_pairs *out = w->out;
    ekb_drift_pair p = {w->def, NULL, NULL, sv, tv, unpaired};
    if (ekb_grow(&out->v, &out->cap, out->n, sizeof *out->v, 16) != 0 ||
        copy_pointers(w, &p.source_ptr, &p.target_ptr) != 0)
        return -1;
    out->v[out->n++] = p;
    return 0;
}

static int mismatch(walk *w, size_t ns, size_t nt)
{
    ekb_drift_pairs *out = w->out;
    ekb_drift_mismatch m = {w->def, NULL, NULL, ns, nt};
    if (ekb_grow(&out->mm, &out->cap_mm, out->n_mm, sizeof *out->mm, 4) != 0 ||
        copy_pointers(w, &m.source_ptr, &m.target_ptr) != 0)
        return -1;
    out->mm[out->n_mm++] = m;
    return 0;
}

/* Follows plain segments from *i up to the next '*' or the end. */
static json_t *follow(json_t *v, char **seg, size_t n, size_t *i, ekb_strbuf *sb)
{
    for (; *i < n && strcmp(seg[*i], "*") != 0; (*i)++) {
        size_t len = strlen(seg[*i]);
        v = ekb_json_pointer_step(v, seg[*i], len);
        ekb_strbuf_add_pointer_segment(sb, seg[*i], len);
    }
    return v;
}

static int expand(walk *w, size_t si, size_t ti, json_t *sv, json_t *tv, bool unpaired)
{
    const ekb_drift_pairdef *def = w->def;
    size_t sl = w->sp.len, tl = w->tp.len;
    sv = follow(sv, def->src_seg, def->n_src, &si, &w->sp);
    tv = follow(tv, def->tgt_seg, def->n_tgt, &ti, &w->tp);
    int r = 0;
    if (ekb_strbuf_failed(&w->sp) || ekb_strbuf_failed(&w->tp)) {
        r = -1;
    } else if (si == def->n_src || ti == def->n_tgt) {
        /* the config made sure both reach their end together */
        r = emit(w, sv, tv, unpaired);
    } else {
        json_t *sa = json_is_array(sv) ? sv : NULL, *ta = json_is_array(tv) ? tv : NULL;
        size_t ns = json_array_size(sa), nt = json_array_size(ta);
        if (sa && ta && ns != nt)
            r = mismatch(w, ns, nt);
        size_t sl2 = w->sp.len, tl2 = w->tp.len;
        for (size_t k = 0; r == 0 && k < (ns > nt ? ns : nt); k++) {
            ekb_strbuf_addf(&w->sp, "/%zu", k);
            ekb_strbuf_addf(&w->tp, "/%zu", k);
            bool beyond = sa && ta && (k >= ns || k >= nt);
            r = expand(w, si + 1, ti + 1, json_array_get(sa, k), json_array_get(ta, k), unpaired || beyond);
            ekb_strbuf_truncate(&w->sp, sl2);
            ekb_strbuf_truncate(&w->tp, tl2);
        }
    }
    ekb_strbuf_truncate(&w->sp, sl);
    ekb_strbuf_truncate(&w->tp, tl);
    return r;
}

int ekb_drift_pairs_expand(json_t *root, const ekb_drift_config *cfg, ekb_drift_pairs *out)
{
    for (size_t i = 0; i < cfg->n_pairs; i++) {
        walk w = {.def = &cfg->pairs[i], .out = out};
        ekb_strbuf_init(&w.sp);
        ekb_strbuf_init(&w.tp);
        int r = expand(&w, 0, 0, root, root, false);
        ekb_strbuf_free(&w.sp);
        ekb_strbuf_free(&w.tp);
        if (r != 0)
            return -1;
    }
    return 0;
}

void ekb_drift_pairs_free(ekb_drift_pairs *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].source_ptr);
        free(p->v[i].target_ptr);
    }
    for (size_t i = 0; i < p->n_mm; i++) {
        free(p->mm[i].source_ptr);
        free(p->mm[i].target_ptr);
    }
    free(p->v);
    free(p->mm);
    memset(p, 0, sizeof *p);
}

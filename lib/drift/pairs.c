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

/* Appends the two pointers built so far to the pairs' text: their offsets
 * (the text may move as it grows; ekb_drift_pairs_expand points into it at
 * the end). */
static void copy_pointers(const walk *w, size_t *source_at, size_t *target_at)
{
    ekb_strbuf *text = &w->out->text;
    *source_at = text->len;
    ekb_strbuf_addn(text, w->sp.s ? w->sp.s : "", w->sp.len);
    ekb_strbuf_addc(text, '\0');
    *target_at = text->len;
    ekb_strbuf_addn(text, w->tp.s ? w->tp.s : "", w->tp.len);
    ekb_strbuf_addc(text, '\0');
}

static int emit(walk *w, json_t *sv, json_t *tv, bool unpaired)
{
    ekb_drift_pairs *out = w->out;
    ekb_drift_pair p = {.def = w->def, .source = sv, .target = tv, .unpaired = unpaired};
    if (ekb_grow(&out->v, &out->cap, out->n, sizeof *out->v, 16) != 0)
        return -1;
    copy_pointers(w, &p.source_at, &p.target_at);
    out->v[out->n++] = p;
    return 0;
}

static int mismatch(walk *w, size_t ns, size_t nt)
{
    ekb_drift_pairs *out = w->out;
    ekb_drift_mismatch m = {.def = w->def, .source_n = ns, .target_n = nt};
    if (ekb_grow(&out->mm, &out->cap_mm, out->n_mm, sizeof *out->mm, 4) != 0)
        return -1;
    copy_pointers(w, &m.source_at, &m.target_at);
    out->mm[out->n_mm++] = m;
    return 0;
}

/* Appends "/k" (an array position) to a pointer. */
static void add_index(ekb_strbuf *sb, size_t k)
{
    char digits[24], *p = digits + sizeof digits;
    do
        *--p = (char)('0' + k % 10);
    while (k /= 10);
    ekb_strbuf_addc(sb, '/');
    ekb_strbuf_addn(sb, p, (size_t)(digits + sizeof digits - p));
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
            add_index(&w->sp, k);
            add_index(&w->tp, k);
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
    walk w = {.out = out};
    ekb_strbuf_init(&w.sp);
    ekb_strbuf_init(&w.tp);
    int r = 0;
    for (size_t i = 0; i < cfg->n_pairs && r == 0; i++) {
        w.def = &cfg->pairs[i];
        ekb_strbuf_truncate(&w.sp, 0);
        ekb_strbuf_truncate(&w.tp, 0);
        r = expand(&w, 0, 0, root, root, false);
    }
    ekb_strbuf_free(&w.sp);
    ekb_strbuf_free(&w.tp);
    if (r != 0 || ekb_strbuf_failed(&out->text))
        return -1;
    /* the text is complete: point into it */
    const char *t = out->text.s;
    for (size_t i = 0; t && i < out->n; i++) {
        out->v[i].source_ptr = t + out->v[i].source_at;
        out->v[i].target_ptr = t + out->v[i].target_at;
    }
    for (size_t i = 0; t && i < out->n_mm; i++) {
        out->mm[i].source_ptr = t + out->mm[i].source_at;
        out->mm[i].target_ptr = t + out->mm[i].target_at;
    }
    return 0;
}

void ekb_drift_pairs_free(ekb_drift_pairs *p)
{
    free(p->v);
    free(p->mm);
    ekb_strbuf_free(&p->text);
    memset(p, 0, sizeof *p);
}

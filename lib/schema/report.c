/* report.c: where validation errors go: the instance location stack, the
 * error records, the callback, and the choice of the closest anyOf/oneOf
 * branch ("one root cause gives one error"). */
#include "validate.h"

#include <stdlib.h>
#include <string.h>

int ekb_schema_seg_push(ekb_vctx *c, const char *key, size_t len)
{
    if (ekb_grow(&c->segs, &c->capseg, c->nseg, sizeof *c->segs, 32) != 0)
        return -1;
    c->segs[c->nseg++] = (ekb_seg){key, len};
    return 0;
}

/* An index is a segment without a key (see ekb_seg). */
int ekb_schema_seg_push_index(ekb_vctx *c, size_t i) { return ekb_schema_seg_push(c, NULL, i); }

void ekb_schema_add_instance(ekb_strbuf *sb, const ekb_vctx *c, const json_t *inst)
{
    const ekb_seg *last = c->nseg ? &c->segs[c->nseg - 1] : NULL;
    if (last && last->key && !c->key_as_instance) {
        bool plain = last->len > 0;
        for (size_t i = 0; i < last->len && plain; i++) {
            char k = last->key[i];
            plain = (k >= 'a' && k <= 'z') || (k >= 'A' && k <= 'Z') || (k >= '0' && k <= '9') || k == '_' || k == '-';
        }
        if (plain)
            ekb_strbuf_addn(sb, last->key, last->len);
        else
            ekb_schema_add_quoted(sb, last->key, last->len, 0);
        ekb_strbuf_addc(sb, ' ');
    }
    ekb_schema_add_subject(sb, inst);
}

static char *instance_pointer(const ekb_vctx *c)
{
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    for (size_t i = 0; i < c->nseg; i++) {
        if (c->segs[i].key)
            ekb_strbuf_add_pointer_segment(&sb, c->segs[i].key, c->segs[i].len);
        else
            ekb_strbuf_addf(&sb, "/%zu", c->segs[i].len);
    }
    return ekb_strbuf_steal(&sb);
}

static void rec_free(ekb_errrec *r)
{
    free(r->iptr);
    free(r->sptr);
    free(r->msg);
}

void ekb_schema_errbuf_free(ekb_errbuf *b)
{
    for (size_t i = 0; i < b->n; i++)
        rec_free(&b->v[i]);
    free(b->v);
    b->v = NULL;
    b->n = b->cap = 0;
}

int ekb_schema_deliver(ekb_vctx *c, ekb_errrec *r)
{
    if (c->mode == EKB_M_BUF) {
        ekb_errbuf *b = c->buf;
        if (ekb_grow(&b->v, &b->cap, b->n, sizeof *b->v, 8) != 0) {
            rec_free(r);
            return -1;
        }
        b->v[b->n++] = *r;
        return 0;
    }
    if (c->mode == EKB_M_EMIT && c->cb && !c->stopped) {
        ekb_schema_error e = {
            .instance_pointer = r->iptr,
            .keyword = r->kw,
            .schema_pointer = r->sptr,
            .message = r->msg,
            .instance = r->inst,
            .at_key = r->at_key,
        };
        if (c->cb(c->cbctx, &e) != 0)
            c->stopped = true;
    }
    rec_free(r);
    return 0;
}

int ekb_schema_emit(ekb_vctx *c, const ekb_node *n, const char *kw, const char *err_kw, const json_t *inst,
                    bool at_key, unsigned types, ekb_strbuf *sb)
{
    if (c->mode == EKB_M_QUIET) {
        ekb_strbuf_free(sb);
        return 0;
    }
    ekb_errrec r = {.kw = err_kw, .inst = inst, .at_key = at_key, .depth = c->nseg, .types = types};
    r.msg = ekb_strbuf_steal(sb);
    r.iptr = instance_pointer(c);
    ekb_strbuf sp;
    ekb_strbuf_init(&sp);
    ekb_strbuf_adds(&sp, n->path);
    if (kw)
        ekb_strbuf_add_pointer_segment(&sp, kw, strlen(kw));
    r.sptr = ekb_strbuf_steal(&sp);
    if (!r.msg || !r.iptr || !r.sptr) {
        rec_free(&r);
        return -1;
    }
    return ekb_schema_deliver(c, &r);
}

int ekb_schema_eval_into(ekb_vctx *c, ekb_errbuf *buf, const ekb_node *n, const json_t *inst, ekb_ann *a)
{
    int mode = c->mode;
    ekb_errbuf *outer = c->buf;
    c->mode = EKB_M_BUF;
    c->buf = buf;
    int r = ekb_schema_eval(c, n, inst, a);
    c->mode = mode;
    c->buf = outer;
    return r;
}

/* ---- closest branch ---- */

static bool root_type_error(const ekb_errbuf *b, size_t depth)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->v[i].types && b->v[i].depth == depth)
            return true;
    return false;
}

int ekb_schema_report_closest(ekb_vctx *c, const ekb_node *n, const char *kw, ekb_node *const *br, size_t nb,
                              const json_t *inst, ekb_ann *a)
{
    if (nb == 0) {
        ekb_strbuf sb;
        ekb_strbuf_init(&sb);
        ekb_strbuf_addf(&sb, "no schema to match in %s", kw);
        return ekb_schema_emit(c, n, kw, kw, inst, false, 0, &sb);
    }
    ekb_errbuf *bufs = calloc(nb, sizeof *bufs);
    ekb_ann *anns = a ? calloc(nb, sizeof *anns) : NULL;
    int r = 0;
    if (!bufs || (a && !anns)) {
        r = -1;
        goto out;
    }
    size_t best = 0;
    bool best_mis = true, all_type = true;
    unsigned types = 0;
    for (size_t i = 0; i < nb; i++) {
        if (ekb_schema_eval_into(c, &bufs[i], br[i], inst, a ? &anns[i] : NULL) < 0) {
            r = -1;
            goto out;
        }
        bool mis = br[i]->is_bool || root_type_error(&bufs[i], c->nseg);
        if (bufs[i].n == 1 && bufs[i].v[0].types && bufs[i].v[0].depth == c->nseg)
            types |= bufs[i].v[0].types;
        else
            all_type = false;
        if (i == 0 || (!mis && best_mis) || (mis == best_mis && bufs[i].n < bufs[best].n)) {
            best = i;
            best_mis = mis;
        }
    }
    if (all_type && nb > 1) {
        /* no branch takes this type: one error naming them all */
        ekb_strbuf sb;
        ekb_strbuf_init(&sb);
        ekb_schema_add_type_mismatch(&sb, types, inst);
        r = ekb_schema_emit(c, n, kw, kw, inst, false, types, &sb);
    } else if (bufs[best].n == 0) {
        ekb_strbuf sb;
        ekb_strbuf_init(&sb);
        ekb_schema_add_instance(&sb, c, inst);
        ekb_strbuf_addf(&sb, " matches no schema in %s", kw);
        r = ekb_schema_emit(c, n, kw, kw, inst, false, 0, &sb);
    } else {
        ekb_errbuf *b = &bufs[best];
        for (size_t i = 0; i < b->n && r == 0; i++) {
            ekb_errrec rec = b->v[i];
            memset(&b->v[i], 0, sizeof b->v[i]);
            r = ekb_schema_deliver(c, &rec);
        }
    }
    if (r == 0 && a)
        r = ekb_schema_ann_merge(a, &anns[best]);
out:
    for (size_t i = 0; bufs && i < nb; i++)
        ekb_schema_errbuf_free(&bufs[i]);
    for (size_t i = 0; anns && i < nb; i++)
        ekb_schema_ann_free(&anns[i]);
    free(bufs);
    free(anns);
    return r;
}

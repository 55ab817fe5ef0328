/* validate.c: evaluating a compiled schema against an instance: the
 * applicators ($ref, properties, items, allOf, anyOf, ...), the annotations
 * that unevaluated* need, and the public entry point. */
#include "validate.h"

#include <stdlib.h>
#include <string.h>

/* Deeper than this is a $ref loop that consumes nothing (or an absurd
 * instance); it is reported instead of exhausting the stack. */
#define MAX_DEPTH 1500

static int eval_quiet(ekb_vctx *c, const ekb_node *n, const json_t *inst, ekb_ann *a)
{
    int mode = c->mode;
    c->mode = EKB_M_QUIET;
    int r = ekb_schema_eval(c, n, inst, a);
    c->mode = mode;
    return r;
}

static bool is_kw(const char *kw, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(kw, *list) == 0)
            return true;
    return false;
}

/* A false schema: say what it rejected in the words of its keyword. */
static int fail_false(ekb_vctx *c, const ekb_node *n, const json_t *inst)
{
    if (c->mode == EKB_M_QUIET)
        return 0;
    static const char *const prop_kws[] = {"properties", "patternProperties", "additionalProperties",
                                           "unevaluatedProperties", NULL};
    static const char *const item_kws[] = {"items", "prefixItems", "unevaluatedItems", NULL};
    static const char *const other_kws[] = {"allOf", "anyOf", "oneOf", "not", "if", "then", "else", "contains",
                                            "dependentSchemas", "propertyNames", "$ref", "$dynamicRef", NULL};
    const ekb_seg *top = c->nseg ? &c->segs[c->nseg - 1] : NULL;
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    const char *kw = "false";
    bool at_key = false;
    if (top && top->key && is_kw(n->parent_kw, prop_kws)) {
        ekb_strbuf_adds(&sb, "property ");
        ekb_schema_add_quoted(&sb, top->key, top->len, 0);
        ekb_strbuf_adds(&sb, " is not allowed");
        kw = n->parent_kw;
        at_key = true;
    } else if (top && !top->key && is_kw(n->parent_kw, item_kws)) {
        ekb_strbuf_addf(&sb, "array item %zu is not allowed", top->len);
        kw = n->parent_kw;
    } else {
        ekb_schema_add_subject(&sb, inst);
        ekb_strbuf_adds(&sb, " is not allowed here");
        if (is_kw(n->parent_kw, other_kws))
            kw = n->parent_kw;
    }
    return ekb_schema_emit(c, n, NULL, kw, inst, at_key, 0, &sb) < 0 ? -1 : 0;
}

/* ---- objects ---- */

static const ekb_prop *find_prop(const ekb_node *n, const char *k, size_t len)
{
    size_t lo = 0, hi = n->nprops;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const ekb_prop *p = &n->props[mid];
        int d = p->len != len ? (p->len < len ? -1 : 1) : memcmp(p->name, k, len);
        if (d == 0)
            return p;
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* properties, patternProperties and additionalProperties in one pass over
 * the instance's keys. */
static int one_property(ekb_vctx *c, const ekb_node *n, const char *k, size_t len, const json_t *v, ekb_ann *a)
{
    int ok = 1;
    bool matched = false;
    const ekb_prop *p = n->nprops ? find_prop(n, k, len) : NULL;
    if (p) {
        matched = true;
        EKB_STEP(c, ok, ekb_schema_eval(c, p->sub, v, NULL));
    }
    for (size_t i = 0; i < n->npprops; i++) {
        int m = ekb_schema_match(c, n->pprops[i].re.code, k, len);
        if (m == -1)
            return -1;
        if (m != 1)
            continue;
        matched = true;
        EKB_STEP(c, ok, ekb_schema_eval(c, n->pprops[i].sub, v, NULL));
    }
    if (!matched && n->additional) {
        matched = true;
        EKB_STEP(c, ok, ekb_schema_eval(c, n->additional, v, NULL));
    }
    if (a && matched && ekb_schema_ann_key(a, k, len) != 0)
        return -1;
    return ok;
}

/* propertyNames: the name's errors, said of the name. */
static int property_name(ekb_vctx *c, const ekb_node *n, const char *k, size_t len, const json_t *v)
{
    json_t *name = json_stringn_nocheck(k, len);
    if (!name)
        return -1;
    int r;
    bool outer = c->key_as_instance;
    c->key_as_instance = true; /* messages say "property name 'Bad' ...", not "Bad 'Bad'" */
    if (c->mode == EKB_M_QUIET) {
        r = ekb_schema_eval(c, n->prop_names, name, NULL);
    } else {
        ekb_errbuf tmp = {0};
        r = ekb_schema_eval_into(c, &tmp, n->prop_names, name, NULL);
        for (size_t i = 0; i < tmp.n && r >= 0; i++) {
            ekb_errrec rec = tmp.v[i];
            memset(&tmp.v[i], 0, sizeof tmp.v[i]);
            char *msg = ekb_asprintf("property name %s", rec.msg);
            if (!msg) {
                tmp.v[i] = rec; /* freed below */
                r = -1;
                break;
            }
            free(rec.msg);
            rec.msg = msg;
            rec.kw = "propertyNames";
            rec.at_key = true;
            rec.inst = v;
            rec.types = 0;
            if (ekb_schema_deliver(c, &rec) < 0)
                r = -1;
        }
        ekb_schema_errbuf_free(&tmp);
    }
    c->key_as_instance = outer;
    json_decref(name);
    return r;
}

static int eval_object(ekb_vctx *c, const ekb_node *n, const json_t *inst, ekb_ann *a)
{
    int ok = 1;
    EKB_STEP(c, ok, ekb_schema_check_object(c, n, inst));
    json_t *o = (json_t *)inst;
    bool props = n->nprops || n->npprops || n->additional;
    if (props || n->prop_names) {
        for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
            const char *k = json_object_iter_key(it);
            size_t len = json_object_iter_key_len(it);
            const json_t *v = json_object_iter_value(it);
            if (ekb_schema_seg_push(c, k, len) != 0)
                return -1;
            int r = 1;
            if (props)
                r = one_property(c, n, k, len, v, a);
            if (n->prop_names && r >= 0 && (r == 1 || c->mode != EKB_M_QUIET)) {
                int r2 = property_name(c, n, k, len, v);
                r = r2 < 0 ? -1 : (r2 == 0 ? 0 : r);
            }
            ekb_schema_seg_pop(c);
            EKB_STEP(c, ok, r);
        }
    }
    for (size_t d = 0; d < n->ndep_sch; d++)
        if (json_object_getn(inst, n->dep_sch[d].key.s, n->dep_sch[d].key.len))
            EKB_STEP(c, ok, ekb_schema_eval(c, n->dep_sch[d].sub, inst, a));
    return ok;
}

/* ---- arrays ---- */

static int eval_item(ekb_vctx *c, const ekb_node *sub, const json_t *arr, size_t i)
{
    if (ekb_schema_seg_push_index(c, i) != 0)
        return -1;
    int r = ekb_schema_eval(c, sub, json_array_get(arr, i), NULL);
    ekb_schema_seg_pop(c);
    return r;
}

static int eval_contains(ekb_vctx *c, const ekb_node *n, const json_t *inst, ekb_ann *a)
{
    size_t len = json_array_size(inst);
    size_t min = (n->flags & EKB_N_MINCONTAINS) ? n->min_contains : 1;
    bool has_max = n->flags & EKB_N_MAXCONTAINS;
    size_t count = 0;
    for (size_t i = 0; i < len; i++) {
        if (ekb_schema_seg_push_index(c, i) != 0)
            return -1;
        int r = eval_quiet(c, n->contains, json_array_get(inst, i), NULL);
        ekb_schema_seg_pop(c);
        if (r < 0)
            return -1;
        if (r == 0)
            continue;
        count++;
        if (a && ekb_schema_ann_index(a, i) != 0)
            return -1;
        if (!a && !has_max && count >= min)
            break;
    }
    const char *kw = NULL;
    if (count < min)
        kw = (n->flags & EKB_N_MINCONTAINS) ? "minContains" : "contains";
    else if (has_max && count > n->max_contains)
        kw = "maxContains";
    if (!kw)
        return 1;
    if (c->mode == EKB_M_QUIET)
        return 0;
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    if (count == 0 && kw[0] == 'c')
        ekb_strbuf_adds(&sb, len ? "array has no item that matches contains"
                                 : "array is empty, expected an item that matches contains");
    else
        ekb_strbuf_addf(&sb, "array has %zu %s that match%s contains, %s than %s %zu", count,
                        count == 1 ? "item" : "items", count == 1 ? "es" : "", count < min ? "fewer" : "more", kw,
                        count < min ? min : n->max_contains);
    return ekb_schema_emit(c, n, kw, kw, inst, false, 0, &sb) < 0 ? -1 : 0;
}

static int eval_array(ekb_vctx *c, const ekb_node *n, const json_t *inst, ekb_ann *a)
{
    int ok = 1;
    EKB_STEP(c, ok, ekb_schema_check_array(c, n, inst));
    size_t len = json_array_size(inst);
    size_t np = n->nprefix < len ? n->nprefix : len;
    for (size_t i = 0; i < np; i++)
        EKB_STEP(c, ok, eval_item(c, n->prefix[i], inst, i));
    if (a && np > a->prefix)
        a->prefix = np;
    if (n->items) {
        if (n->items->is_bool && !n->items->bool_val && len > n->nprefix) {
            ok = 0;
            if (c->mode == EKB_M_QUIET)
                return 0;
            ekb_strbuf sb;
            ekb_strbuf_init(&sb);
            ekb_strbuf_addf(&sb, "array has %zu items, at most %zu allowed", len, n->nprefix);
            if (ekb_schema_emit(c, n, "items", "items", inst, false, 0, &sb) < 0)
                return -1;
        } else {
            for (size_t i = n->nprefix; i < len; i++)
                EKB_STEP(c, ok, eval_item(c, n->items, inst, i));
        }
        if (a)
            a->all_items = true;
    }
    if (n->contains)
        EKB_STEP(c, ok, eval_contains(c, n, inst, a));
    return ok;
}

/* ---- in-place applicators ---- */

static int eval_any_of(ekb_vctx *c, const ekb_node *n, const json_t *inst, ekb_ann *a)
{
    bool any = false;
    for (size_t i = 0; i < n->nany_of; i++) {
        ekb_ann t = {0};
        int r = eval_quiet(c, n->any_of[i], inst, a ? &t : NULL);
        if (r == 1 && a && ekb_schema_ann_merge(a, &t) != 0)
            r = -1;
        ekb_schema_ann_free(&t);
        if (r < 0)
            return -1;
        if (r == 1) {
            any = true;
            if (!a) /* annotations need every passing branch */
                break;
        }
    }
    if (any)
        return 1;
    if (c->mode == EKB_M_QUIET)
        return 0;
    return ekb_schema_report_closest(c, n, "anyOf", n->any_of, n->nany_of, inst, a);
}

static int eval_one_of(ekb_vctx *c, const ekb_node *n, const json_t *inst, ekb_ann *a)
{
    size_t passing = 0;
    ekb_strbuf which;
    ekb_strbuf_init(&which);
    size_t last = 0;
    ekb_ann keep = {0};
    for (size_t i = 0; i < n->none_of; i++) {
        ekb_ann t = {0};
        int r = eval_quiet(c, n->one_of[i], inst, a ? &t : NULL);
        if (r == 1 && a && ekb_schema_ann_merge(&keep, &t) != 0)
            r = -1;
        ekb_schema_ann_free(&t);
        if (r < 0) {
            ekb_strbuf_free(&which);
            ekb_schema_ann_free(&keep);
            return -1;
        }
        if (r == 0)
            continue;
        if (passing > 0)
            ekb_strbuf_addf(&which, "%s%zu", passing > 1 ? ", " : "", last);
        last = i;
        passing++;
        if (passing > 1 && c->mode == EKB_M_QUIET)
            break;
    }
    int res;
    if (passing == 1 || (passing > 1 && c->mode != EKB_M_QUIET)) {
        res = a && ekb_schema_ann_merge(a, &keep) != 0 ? -1 : passing == 1;
    } else {
        res = 0;
    }
    ekb_schema_ann_free(&keep);
    if (res != 0 || c->mode == EKB_M_QUIET) {
        ekb_strbuf_free(&which);
        return res;
    }
    if (passing == 0 || which.failed) {
        ekb_strbuf_free(&which);
        return passing ? -1 : ekb_schema_report_closest(c, n, "oneOf", n->one_of, n->none_of, inst, a);
    }
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    ekb_schema_add_instance(&sb, c, inst);
    ekb_strbuf_addf(&sb, " matches oneOf branches %s and %zu, expected exactly one", which.s ? which.s : "", last);
    ekb_strbuf_free(&which);
    return ekb_schema_emit(c, n, "oneOf", "oneOf", inst, false, 0, &sb) < 0 ? -1 : 0;
}

static int eval_not(ekb_vctx *c, const ekb_node *n, const json_t *inst)
{
    int r = eval_quiet(c, n->not_, inst, NULL);
    if (r != 1)
        return r < 0 ? -1 : 1;
    if (c->mode == EKB_M_QUIET)
        return 0;
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    ekb_schema_add_instance(&sb, c, inst);
    ekb_strbuf_adds(&sb, " matches the schema in not, expected it not to");
    return ekb_schema_emit(c, n, "not", "not", inst, false, 0, &sb) < 0 ? -1 : 0;
}

static int eval_if(ekb_vctx *c, const ekb_node *n, const json_t *inst, ekb_ann *a)
{
    ekb_ann t = {0};
    int r = eval_quiet(c, n->if_, inst, a ? &t : NULL);
    if (r == 1 && a && ekb_schema_ann_merge(a, &t) != 0)
        r = -1;
    ekb_schema_ann_free(&t);
    if (r < 0)
        return -1;
    const ekb_node *next = r == 1 ? n->then_ : n->else_;
    return next ? ekb_schema_eval(c, next, inst, a) : 1;
}

static const ekb_node *dynamic_target(const ekb_vctx *c, const ekb_node *n)
{
    if (!n->dyn_name)
        return n->dyn_ref;
    const ekb_schema *s = c->s;
    for (size_t i = 0; i < c->nscope; i++)
        for (size_t k = 0; k < s->ndyn; k++)
            if (s->dyn[k].rid == c->scope[i] && strcmp(s->dyn[k].name, n->dyn_name) == 0)
                return s->dyn[k].node;
    return n->dyn_ref;
}

/* ---- unevaluated* ---- */

static int eval_unevaluated(ekb_vctx *c, const ekb_node *n, const json_t *inst, ekb_ann *a)
{
    int ok = 1;
    if (n->uneval_props && json_is_object(inst) && !a->all_props) {
        json_t *o = (json_t *)inst;
        for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
            const char *k = json_object_iter_key(it);
            size_t len = json_object_iter_key_len(it);
            if (ekb_schema_ann_has_key(a, k, len))
                continue;
            if (ekb_schema_seg_push(c, k, len) != 0)
                return -1;
            int r = ekb_schema_eval(c, n->uneval_props, json_object_iter_value(it), NULL);
            ekb_schema_seg_pop(c);
            EKB_STEP(c, ok, r);
        }
    }
    if (n->uneval_items && json_is_array(inst) && !a->all_items) {
        for (size_t i = 0; i < json_array_size(inst); i++)
            if (!ekb_schema_ann_has_index(a, i))
                EKB_STEP(c, ok, eval_item(c, n->uneval_items, inst, i));
    }
    if (n->uneval_props)
        a->all_props = true;
    if (n->uneval_items)
        a->all_items = true;
    return ok;
}

/* ---- one schema ---- */

static int eval_keywords(ekb_vctx *c, const ekb_node *n, const json_t *inst, ekb_ann *a)
{
    int ok = 1;
    if (n->ref)
        EKB_STEP(c, ok, ekb_schema_eval(c, n->ref, inst, a));
    if (n->dyn_ref)
        EKB_STEP(c, ok, ekb_schema_eval(c, dynamic_target(c, n), inst, a));
    if (n->flags & (EKB_N_CONST | EKB_N_ENUM))
        EKB_STEP(c, ok, ekb_schema_check_value(c, n, inst));
    switch (json_typeof(inst)) {
    case JSON_STRING:
        if (n->flags & (EKB_N_MINLEN | EKB_N_MAXLEN) || n->pattern.code || n->format)
            EKB_STEP(c, ok, ekb_schema_check_string(c, n, inst));
        break;
    case JSON_INTEGER:
    case JSON_REAL:
        if (n->flags & (EKB_N_MINIMUM | EKB_N_MAXIMUM | EKB_N_XMINIMUM | EKB_N_XMAXIMUM | EKB_N_MULTIPLE))
            EKB_STEP(c, ok, ekb_schema_check_number(c, n, inst));
        break;
    case JSON_OBJECT:
        EKB_STEP(c, ok, eval_object(c, n, inst, a));
        break;
    case JSON_ARRAY:
        EKB_STEP(c, ok, eval_array(c, n, inst, a));
        break;
    default:
        break;
    }
    for (size_t i = 0; i < n->nall_of; i++)
        EKB_STEP(c, ok, ekb_schema_eval(c, n->all_of[i], inst, a));
    if (n->nany_of)
        EKB_STEP(c, ok, eval_any_of(c, n, inst, a));
    if (n->none_of)
        EKB_STEP(c, ok, eval_one_of(c, n, inst, a));
    if (n->not_)
        EKB_STEP(c, ok, eval_not(c, n, inst));
    if (n->if_)
        EKB_STEP(c, ok, eval_if(c, n, inst, a));
    return ok;
}

static int scope_push(ekb_vctx *c, int rid)
{
    if (ekb_grow(&c->scope, &c->capscope, c->nscope, sizeof *c->scope, 16) != 0)
        return -1;
    c->scope[c->nscope++] = rid;
    return 0;
}

int ekb_schema_eval(ekb_vctx *c, const ekb_node *n, const json_t *inst, ekb_ann *a)
{
    if (n->is_bool)
        return n->bool_val ? 1 : fail_false(c, n, inst);
    if (n->flags & EKB_N_TYPE) {
        int r = ekb_schema_check_type(c, n, inst);
        if (r <= 0)
            return r; /* one root cause: nothing more is said of a value of the wrong type */
    }
    if (c->depth >= MAX_DEPTH) {
        if (c->mode == EKB_M_QUIET)
            return 0;
        ekb_strbuf sb;
        ekb_strbuf_init(&sb);
        ekb_strbuf_addf(&sb, "schema evaluation deeper than %d levels, expected a $ref that consumes the instance",
                        MAX_DEPTH);
        return ekb_schema_emit(c, n, NULL, "$ref", inst, false, 0, &sb) < 0 ? -1 : 0;
    }
    bool pushed = false;
    if (c->s->uses_dynamic && (c->nscope == 0 || c->scope[c->nscope - 1] != n->rid)) {
        if (scope_push(c, n->rid) != 0)
            return -1;
        pushed = true;
    }
    c->depth++;
    int r;
    if (!n->has_uneval) {
        r = eval_keywords(c, n, inst, a);
    } else {
        ekb_ann local = {0};
        r = eval_keywords(c, n, inst, &local);
        if (r == 1 || (r == 0 && c->mode != EKB_M_QUIET && !c->stopped)) {
            int u = eval_unevaluated(c, n, inst, &local);
            r = u < 0 ? -1 : (u == 0 ? 0 : r);
        }
        if (r >= 0 && a && ekb_schema_ann_merge(a, &local) != 0)
            r = -1;
        ekb_schema_ann_free(&local);
    }
    c->depth--;
    if (pushed)
        c->nscope--;
    return r;
}

int ekb_schema_validate(const ekb_schema *schema, const json_t *instance, ekb_schema_error_fn cb, void *ctx)
{
    if (!schema || !instance)
        return -1;
    ekb_vctx c;
    memset(&c, 0, sizeof c);
    c.s = schema;
    c.cb = cb;
    c.cbctx = ctx;
    c.mode = cb ? EKB_M_EMIT : EKB_M_QUIET;
    int r = ekb_schema_eval(&c, schema->root, instance, NULL);
    free(c.segs);
    free(c.scope);
    pcre2_match_data_free(c.md);
    return r;
}

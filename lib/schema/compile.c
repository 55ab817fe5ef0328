/* compile.c: a schema document to a tree of ekb_node, one per subschema, with
 * every keyword parsed once (numbers, regexes, sorted property tables), so
 * that validation never looks a keyword up by name. $id, $anchor and $ref are
 * recorded here and resolved by resolve.c once every document is compiled. */
#include "schema_private.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void ekb_schema_fail(ekb_compiler *cp, const char *fmt, ...)
{
    if (cp->failed)
        return;
    cp->failed = true;
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    va_list ap;
    va_start(ap, fmt);
    ekb_strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    cp->err = ekb_strbuf_steal(&sb); /* NULL: reported as out of memory */
}

void ekb_schema_oom(ekb_compiler *cp)
{
    if (!cp->failed) {
        cp->failed = true;
        cp->err = NULL;
    }
}

/* ---- keyword values ---- */

static bool get_count(ekb_compiler *cp, const ekb_node *n, const char *kw, size_t *out)
{
    json_t *v = json_object_get(n->src, kw);
    if (!v)
        return false;
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (size_t)json_integer_value(v);
        return true;
    }
    if (json_is_real(v) && ekb_schema_num_is_integral(v) && json_real_value(v) >= 0) {
        double d = json_real_value(v);
        *out = d >= 1.8e19 ? SIZE_MAX : (size_t)d;
        return true;
    }
    ekb_schema_fail(cp, "'%s' at %s must be a non-negative integer", kw, ekb_schema_where(n->path));
    return false;
}

static bool get_number(ekb_compiler *cp, const ekb_node *n, const char *kw, ekb_num *out)
{
    json_t *v = json_object_get(n->src, kw);
    if (!v)
        return false;
    if (!json_is_number(v)) {
        ekb_schema_fail(cp, "'%s' at %s must be a number", kw, ekb_schema_where(n->path));
        return false;
    }
    ekb_schema_num_of(v, out);
    return true;
}

static unsigned type_bit(const char *name)
{
    static const struct {
        const char *name;
        unsigned bit;
    } t[] = {
        {"null", EKB_T_NULL},     {"boolean", EKB_T_BOOLEAN}, {"object", EKB_T_OBJECT},
        {"array", EKB_T_ARRAY},   {"number", EKB_T_NUMBER},   {"string", EKB_T_STRING},
        {"integer", EKB_T_INTEGER},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(name, t[i].name) == 0)
            return t[i].bit;
    return 0;
}

static void parse_type(ekb_compiler *cp, ekb_node *n, const json_t *v)
{
    unsigned bits = 0;
    if (json_is_string(v)) {
        bits = type_bit(json_string_value(v));
        if (!bits)
            goto bad;
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++) {
            const json_t *e = json_array_get(v, i);
            unsigned b = json_is_string(e) ? type_bit(json_string_value(e)) : 0;
            if (!b)
                goto bad;
            bits |= b;
        }
    } else {
        goto bad;
    }
    n->types = bits;
    n->flags |= EKB_N_TYPE;
    return;
bad:
    ekb_schema_fail(cp, "'type' at %s must be a type name or an array of type names",
                    ekb_schema_where(n->path));
}

/* Compiles the pattern src of keyword kw into re; false (with the error
 * reported) when it is invalid or memory runs out. */
static bool compile_regex(ekb_compiler *cp, const ekb_node *n, const char *kw, const char *src, size_t len,
                          ekb_regex *re)
{
    char *err = NULL;
    re->source = src;
    re->code = ekb_schema_regex_compile(src, len, &err);
    if (re->code)
        return true;
    if (err)
        ekb_schema_fail(cp, "invalid regular expression '%s' in '%s' at %s: %s", src, kw, ekb_schema_where(n->path),
                        err);
    else
        ekb_schema_oom(cp);
    free(err);
    return false;
}

static bool names_of(ekb_compiler *cp, const ekb_node *n, const char *kw, const json_t *arr, ekb_name **out,
                     size_t *count)
{
    if (!json_is_array(arr)) {
        ekb_schema_fail(cp, "'%s' at %s must be an array of strings", kw, ekb_schema_where(n->path));
        return false;
    }
    size_t k = json_array_size(arr);
    *count = 0;
    *out = NULL;
    if (k == 0)
        return true;
    ekb_name *v = calloc(k, sizeof *v);
    if (!v) {
        ekb_schema_oom(cp);
        return false;
    }
    for (size_t i = 0; i < k; i++) {
        const json_t *e = json_array_get(arr, i);
        if (!json_is_string(e)) {
            free(v);
            ekb_schema_fail(cp, "'%s' at %s must be an array of strings", kw, ekb_schema_where(n->path));
            return false;
        }
        v[i].s = json_string_value(e);
        v[i].len = json_string_length(e);
    }
    *out = v;
    *count = k;
    return true;
}

/* ---- subschemas ---- */

typedef struct ctx {
    ekb_compiler *cp;
    ekb_node *n;
    const char *base;
    int rid;
} ctx;

static ekb_node *sub_at(ctx *c, const json_t *v, const char *kw, const char *key, size_t keylen, long idx)
{
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    ekb_strbuf_adds(&sb, c->n->path);
    ekb_strbuf_add_pointer_segment(&sb, kw, strlen(kw));
    if (key)
        ekb_strbuf_add_pointer_segment(&sb, key, keylen);
    else if (idx >= 0)
        ekb_strbuf_addf(&sb, "/%ld", idx);
    char *path = ekb_strbuf_steal(&sb);
    if (!path) {
        ekb_schema_oom(c->cp);
        return NULL;
    }
    ekb_node *r = ekb_schema_compile_node(c->cp, v, c->base, path, c->rid, kw, false);
    free(path);
    return r;
}

static ekb_node *sub(ctx *c, const char *kw)
{
    json_t *v = json_object_get(c->n->src, kw);
    return v ? sub_at(c, v, kw, NULL, 0, -1) : NULL;
}

static bool sub_array(ctx *c, const char *kw, ekb_node ***out, size_t *count)
{
    json_t *v = json_object_get(c->n->src, kw);
    if (!v)
        return true;
    if (!json_is_array(v)) {
        ekb_schema_fail(c->cp, "'%s' at %s must be an array of schemas", kw, ekb_schema_where(c->n->path));
        return false;
    }
    size_t k = json_array_size(v);
    *count = 0;
    if (k == 0)
        return true;
    *out = calloc(k, sizeof **out);
    if (!*out) {
        ekb_schema_oom(c->cp);
        return false;
    }
    for (size_t i = 0; i < k; i++) {
        (*out)[i] = sub_at(c, json_array_get(v, i), kw, NULL, 0, (long)i);
        if (!(*out)[i])
            return false;
        *count = i + 1;
    }
    return true;
}

static json_t *object_kw(ctx *c, const char *kw)
{
    json_t *v = json_object_get(c->n->src, kw);
    if (v && !json_is_object(v)) {
        ekb_schema_fail(c->cp, "'%s' at %s must be an object", kw, ekb_schema_where(c->n->path));
        return NULL;
    }
    return v;
}

static int prop_cmp(const void *a, const void *b)
{
    const ekb_prop *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->name, y->name, x->len);
}

/* The object value of keyword kw (*o) and a zeroed table with one element of
 * size bytes per member. NULL when kw is absent or empty (then *o is NULL
 * too) or on a failure (then cp->failed is set). */
static void *object_table(ctx *c, const char *kw, size_t size, json_t **o)
{
    *o = object_kw(c, kw);
    if (!*o || json_object_size(*o) == 0) {
        *o = NULL;
        return NULL;
    }
    void *t = calloc(json_object_size(*o), size);
    if (!t) {
        *o = NULL;
        ekb_schema_oom(c->cp);
    }
    return t;
}

static bool parse_properties(ctx *c)
{
    ekb_node *n = c->n;
    json_t *o;
    if (!(n->props = object_table(c, "properties", sizeof *n->props, &o)))
        return !c->cp->failed;
    for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
        ekb_prop *p = &n->props[n->nprops];
        p->name = json_object_iter_key(it);
        p->len = json_object_iter_key_len(it);
        p->sub = sub_at(c, json_object_iter_value(it), "properties", p->name, p->len, -1);
        if (!p->sub)
            return false;
        n->nprops++;
    }
    qsort(n->props, n->nprops, sizeof *n->props, prop_cmp);
    return true;
}

static bool parse_pattern_properties(ctx *c)
{
    ekb_node *n = c->n;
    json_t *o;
    if (!(n->pprops = object_table(c, "patternProperties", sizeof *n->pprops, &o)))
        return !c->cp->failed;
    for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
        ekb_pattern_prop *p = &n->pprops[n->npprops];
        const char *key = json_object_iter_key(it);
        size_t len = json_object_iter_key_len(it);
        if (!compile_regex(c->cp, n, "patternProperties", key, len, &p->re))
            return false;
        n->npprops++; /* its regex is freed with the node from now on */
        p->sub = sub_at(c, json_object_iter_value(it), "patternProperties", key, len, -1);
        if (!p->sub)
            return false;
    }
    return true;
}

static bool parse_dependent_required(ctx *c)
{
    ekb_node *n = c->n;
    json_t *o;
    if (!(n->dep_req = object_table(c, "dependentRequired", sizeof *n->dep_req, &o)))
        return !c->cp->failed;
    for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
        ekb_dep_required *d = &n->dep_req[n->ndep_req];
        d->key.s = json_object_iter_key(it);
        d->key.len = json_object_iter_key_len(it);
        if (!names_of(c->cp, n, "dependentRequired", json_object_iter_value(it), &d->names, &d->n))
            return false;
        n->ndep_req++;
    }
    return true;
}

static bool parse_dependent_schemas(ctx *c)
{
    ekb_node *n = c->n;
    json_t *o;
    if (!(n->dep_sch = object_table(c, "dependentSchemas", sizeof *n->dep_sch, &o)))
        return !c->cp->failed;
    for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it)) {
        ekb_dep_schema *d = &n->dep_sch[n->ndep_sch];
        d->key.s = json_object_iter_key(it);
        d->key.len = json_object_iter_key_len(it);
        d->sub = sub_at(c, json_object_iter_value(it), "dependentSchemas", d->key.s, d->key.len, -1);
        if (!d->sub)
            return false;
        n->ndep_sch++;
    }
    return true;
}

/* $defs (and the older 'definitions') hold schemas that only $ref reaches:
 * compile them now so that their $id and $anchor are known. */
static bool parse_defs(ctx *c, const char *kw)
{
    json_t *o = object_kw(c, kw);
    if (!o)
        return !c->cp->failed;
    for (void *it = json_object_iter(o); it; it = json_object_iter_next(o, it))
        if (!sub_at(c, json_object_iter_value(it), kw, json_object_iter_key(it), json_object_iter_key_len(it), -1))
            return false;
    return true;
}

static bool parse_refs(ctx *c)
{
    static const char *const kws[] = {"$ref", "$dynamicRef"};
    for (int k = 0; k < 2; k++) {
        json_t *v = json_object_get(c->n->src, kws[k]);
        if (!v)
            continue;
        if (!json_is_string(v)) {
            ekb_schema_fail(c->cp, "'%s' at %s must be a string", kws[k], ekb_schema_where(c->n->path));
            return false;
        }
        if (ekb_schema_add_pending(c->cp, c->n, c->base, json_string_value(v), k == 1) != 0)
            return false;
    }
    return true;
}

static bool parse_ids(ctx *c, bool doc_root, char **ownbase)
{
    ekb_compiler *cp = c->cp;
    json_t *v = json_object_get(c->n->src, "$id");
    if (v) {
        if (!json_is_string(v)) {
            ekb_schema_fail(cp, "'$id' at %s must be a string", ekb_schema_where(c->n->path));
            return false;
        }
        char *abs = ekb_schema_uri_resolve(c->base, json_string_value(v));
        char *nofrag = abs ? ekb_schema_uri_strip(abs, NULL) : NULL;
        free(abs);
        if (!nofrag) {
            ekb_schema_oom(cp);
            return false;
        }
        if (!doc_root)
            c->n->rid = c->rid = cp->s->nrid++;
        if (ekb_schema_add_resource(cp, nofrag, c->n->src, c->n, c->rid) != 0) {
            free(nofrag);
            return false;
        }
        *ownbase = nofrag;
        c->base = nofrag;
    }
    static const char *const akw[] = {"$anchor", "$dynamicAnchor"};
    for (int k = 0; k < 2; k++) {
        v = json_object_get(c->n->src, akw[k]);
        if (!v)
            continue;
        if (!json_is_string(v)) {
            ekb_schema_fail(cp, "'%s' at %s must be a string", akw[k], ekb_schema_where(c->n->path));
            return false;
        }
        if (ekb_schema_add_anchor(cp, c->base, json_string_value(v), c->n, k == 1) != 0)
            return false;
    }
    return true;
}

static bool parse_assertions(ctx *c, bool format_assertion)
{
    ekb_compiler *cp = c->cp;
    ekb_node *n = c->n;
    json_t *v;
    if ((v = json_object_get(n->src, "type")))
        parse_type(cp, n, v);
    if ((v = json_object_get(n->src, "enum"))) {
        if (!json_is_array(v)) {
            ekb_schema_fail(cp, "'enum' at %s must be an array", ekb_schema_where(n->path));
            return false;
        }
        n->enum_v = v;
        n->flags |= EKB_N_ENUM;
    }
    if ((v = json_object_get(n->src, "const"))) {
        n->const_v = v;
        n->flags |= EKB_N_CONST;
    }
    /* the limits: a count (size_t) or a number (ekb_num) at off in the node */
    static const struct {
        const char *kw;
        unsigned flag;
        size_t off;
        bool count;
    } limits[] = {
        {"minLength", EKB_N_MINLEN, offsetof(ekb_node, min_len), true},
        {"maxLength", EKB_N_MAXLEN, offsetof(ekb_node, max_len), true},
        {"minItems", EKB_N_MINITEMS, offsetof(ekb_node, min_items), true},
        {"maxItems", EKB_N_MAXITEMS, offsetof(ekb_node, max_items), true},
        {"minProperties", EKB_N_MINPROPS, offsetof(ekb_node, min_props), true},
        {"maxProperties", EKB_N_MAXPROPS, offsetof(ekb_node, max_props), true},
        {"minContains", EKB_N_MINCONTAINS, offsetof(ekb_node, min_contains), true},
        {"maxContains", EKB_N_MAXCONTAINS, offsetof(ekb_node, max_contains), true},
        {"minimum", EKB_N_MINIMUM, offsetof(ekb_node, minimum), false},
        {"maximum", EKB_N_MAXIMUM, offsetof(ekb_node, maximum), false},
        {"exclusiveMinimum", EKB_N_XMINIMUM, offsetof(ekb_node, xminimum), false},
        {"exclusiveMaximum", EKB_N_XMAXIMUM, offsetof(ekb_node, xmaximum), false},
        {"multipleOf", EKB_N_MULTIPLE, offsetof(ekb_node, multiple_of), false},
    };
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        void *at = (char *)n + limits[i].off;
        if (limits[i].count ? get_count(cp, n, limits[i].kw, at) : get_number(cp, n, limits[i].kw, at))
            n->flags |= limits[i].flag;
    }
    if ((n->flags & EKB_N_MULTIPLE) && !(n->multiple_of.is_int ? n->multiple_of.i > 0 : n->multiple_of.d > 0))
        ekb_schema_fail(cp, "'multipleOf' at %s must be greater than 0", ekb_schema_where(n->path));
    if ((v = json_object_get(n->src, "uniqueItems"))) {
        if (!json_is_boolean(v))
            ekb_schema_fail(cp, "'uniqueItems' at %s must be a boolean", ekb_schema_where(n->path));
        else if (json_is_true(v))
            n->flags |= EKB_N_UNIQUE;
    }
    if ((v = json_object_get(n->src, "pattern"))) {
        if (!json_is_string(v))
            ekb_schema_fail(cp, "'pattern' at %s must be a string", ekb_schema_where(n->path));
        else if (!compile_regex(cp, n, "pattern", json_string_value(v), json_string_length(v), &n->pattern))
            return false;
    }
    if ((v = json_object_get(n->src, "format"))) {
        if (!json_is_string(v)) {
            ekb_schema_fail(cp, "'format' at %s must be a string", ekb_schema_where(n->path));
        } else {
            n->format_name = json_string_value(v);
            if (format_assertion)
                n->format = ekb_schema_format_kind(n->format_name);
        }
    }
    if ((v = json_object_get(n->src, "required")) &&
        !names_of(cp, n, "required", v, &n->required, &n->nrequired))
        return false;
    return !cp->failed;
}

static bool parse_applicators(ctx *c)
{
    ekb_node *n = c->n;
    static const struct {
        const char *kw;
        size_t off;
    } single[] = {
        {"additionalProperties", offsetof(ekb_node, additional)},
        {"propertyNames", offsetof(ekb_node, prop_names)},
        {"items", offsetof(ekb_node, items)},
        {"contains", offsetof(ekb_node, contains)},
        {"not", offsetof(ekb_node, not_)},
        {"if", offsetof(ekb_node, if_)},
        {"then", offsetof(ekb_node, then_)},
        {"else", offsetof(ekb_node, else_)},
        {"unevaluatedProperties", offsetof(ekb_node, uneval_props)},
        {"unevaluatedItems", offsetof(ekb_node, uneval_items)},
    };
    for (size_t i = 0; i < sizeof single / sizeof single[0]; i++) {
        ekb_node *s = sub(c, single[i].kw);
        if (c->cp->failed)
            return false;
        *(ekb_node **)((char *)n + single[i].off) = s;
    }
    n->has_uneval = n->uneval_props || n->uneval_items;
    if (!sub_array(c, "prefixItems", &n->prefix, &n->nprefix) || !sub_array(c, "allOf", &n->all_of, &n->nall_of) ||
        !sub_array(c, "anyOf", &n->any_of, &n->nany_of) || !sub_array(c, "oneOf", &n->one_of, &n->none_of))
        return false;
    return parse_properties(c) && parse_pattern_properties(c) && parse_dependent_required(c) &&
           parse_dependent_schemas(c) && parse_defs(c, "$defs") && parse_defs(c, "definitions");
}

static int push_node(ekb_schema *s, ekb_node *n)
{
    if (ekb_grow(&s->nodes, &s->capnodes, s->nnodes, sizeof *s->nodes, 64) != 0)
        return -1;
    s->nodes[s->nnodes++] = n;
    return 0;
}

ekb_node *ekb_schema_compile_node(ekb_compiler *cp, const json_t *j, const char *base, const char *path, int rid,
                                  const char *parent_kw, bool doc_root)
{
    if (cp->failed)
        return NULL;
    /* jansson's true and false are singletons: every boolean schema gets a
     * node of its own, so that its location and keyword are its own */
    bool shared = json_is_boolean(j);
    ekb_node *n = shared ? NULL : ekb_schema_map_get(cp, j);
    if (n)
        return n;
    n = calloc(1, sizeof *n);
    if (!n || push_node(cp->s, n) != 0) {
        free(n);
        ekb_schema_oom(cp);
        return NULL;
    }
    n->src = j;
    n->rid = rid;
    n->parent_kw = parent_kw;
    if (!(n->path = strdup(path)) || (!shared && ekb_schema_map_put(cp, j, n) != 0)) {
        ekb_schema_oom(cp);
        return NULL;
    }
    if (shared) {
        n->is_bool = true;
        n->bool_val = json_is_true(j);
        return n;
    }
    if (!json_is_object(j)) {
        ekb_schema_fail(cp, "the schema at %s must be an object or a boolean", ekb_schema_where(path));
        return NULL;
    }
    char *ownbase = NULL;
    ctx c = {cp, n, base, rid};
    bool ok = parse_ids(&c, doc_root, &ownbase) && parse_assertions(&c, cp->s->format_assertion) &&
              parse_applicators(&c) && parse_refs(&c);
    free(ownbase);
    return ok ? n : NULL;
}

/* ---- public entry points ---- */

static void node_free(ekb_node *n)
{
    free(n->path);
    pcre2_code_free(n->pattern.code);
    free(n->required);
    free(n->props);
    for (size_t i = 0; i < n->npprops; i++)
        pcre2_code_free(n->pprops[i].re.code);
    free(n->pprops);
    free(n->prefix);
    free(n->all_of);
    free(n->any_of);
    free(n->one_of);
    for (size_t i = 0; i < n->ndep_req; i++)
        free(n->dep_req[i].names);
    free(n->dep_req);
    free(n->dep_sch);
    free(n);
}

void ekb_schema_free(ekb_schema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nnodes; i++)
        node_free(s->nodes[i]);
    free(s->nodes);
    for (size_t i = 0; i < s->nres; i++)
        free(s->res[i].uri);
    free(s->res);
    for (size_t i = 0; i < s->nanchors; i++)
        free(s->anchors[i].uri);
    free(s->anchors);
    free(s->dyn);
    pcre2_match_context_free(s->mctx);
    for (size_t i = 0; i < s->ndocs; i++)
        json_decref(s->docs[i]);
    free(s->docs);
    free(s);
}

static void compiler_free(ekb_compiler *cp)
{
    free(cp->map);
    for (size_t i = 0; i < cp->npend; i++)
        free(cp->pend[i].uri);
    free(cp->pend);
    for (size_t i = 0; i < cp->ndirs; i++)
        free(cp->dirs[i]);
}

/* Documents with no base URI get this one, so that relative references
 * still resolve (to files under base_dir). The scheme is never fetched. */
#define DEFAULT_BASE "ekb:/root.json"

ekb_schema *ekb_schema_new(json_t *root, const char *base_uri, const ekb_schema_options *opt, char **errmsg)
{
    if (errmsg)
        *errmsg = NULL;
    ekb_schema *s = calloc(1, sizeof *s);
    ekb_compiler cp;
    memset(&cp, 0, sizeof cp);
    if (!s)
        return NULL;
    cp.s = s;
    if (opt)
        cp.opt = *opt;
    s->format_assertion = !cp.opt.no_format_assertion;
    s->mctx = pcre2_match_context_create(NULL);
    char *docuri = NULL;
    if (s->mctx) {
        /* bound backtracking: a hostile pattern fails instead of hanging */
        pcre2_set_match_limit(s->mctx, 10000000);
        pcre2_set_depth_limit(s->mctx, 100000);
        if (base_uri && *base_uri) {
            char *abs = ekb_schema_uri_resolve(DEFAULT_BASE, base_uri);
            docuri = abs ? ekb_schema_uri_strip(abs, NULL) : NULL;
            free(abs);
        } else {
            docuri = strdup(DEFAULT_BASE);
        }
    }
    if (!docuri) {
        pcre2_match_context_free(s->mctx);
        free(s);
        return NULL;
    }
    s->root = ekb_schema_add_document(&cp, root, docuri, false);
    free(docuri);
    if (s->root)
        ekb_schema_resolve_all(&cp);
    if (cp.failed) {
        if (errmsg)
            *errmsg = cp.err;
        else
            free(cp.err);
        compiler_free(&cp);
        ekb_schema_free(s);
        return NULL;
    }
    compiler_free(&cp);
    return s;
}

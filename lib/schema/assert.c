/* assert.c: the assertion keywords, which look at one value and need no
 * subschema: type, const, enum, string, number, object and array limits.
 * Messages say what was expected and what was found, with the subject. */
#include "validate.h"

#include <stdlib.h>
#include <string.h>

static bool type_ok(unsigned types, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return types & EKB_T_STRING;
    case JSON_INTEGER:
        return types & (EKB_T_NUMBER | EKB_T_INTEGER);
    case JSON_REAL:
        return (types & EKB_T_NUMBER) || ((types & EKB_T_INTEGER) && ekb_schema_num_is_integral(v));
    case JSON_TRUE:
    case JSON_FALSE:
        return types & EKB_T_BOOLEAN;
    case JSON_NULL:
        return types & EKB_T_NULL;
    case JSON_OBJECT:
        return types & EKB_T_OBJECT;
    case JSON_ARRAY:
        return types & EKB_T_ARRAY;
    }
    return false;
}

int ekb_schema_check_type(ekb_vctx *c, const ekb_node *n, const json_t *inst)
{
    if (type_ok(n->types, inst))
        return 1;
    if (c->mode == EKB_M_QUIET)
        return 0;
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    ekb_schema_add_type_mismatch(&sb, n->types, inst);
    return ekb_schema_emit(c, n, "type", "type", inst, false, n->types, &sb) < 0 ? -1 : 0;
}

int ekb_schema_check_value(ekb_vctx *c, const ekb_node *n, const json_t *inst)
{
    int ok = 1;
    if ((n->flags & EKB_N_CONST) && !ekb_schema_json_equal(inst, n->const_v)) {
        ok = 0;
        if (c->mode == EKB_M_QUIET)
            return 0;
        ekb_strbuf sb;
        ekb_strbuf_init(&sb);
        if (json_is_object(n->const_v) || json_is_array(n->const_v)) {
            ekb_schema_add_instance(&sb, c, inst);
            ekb_strbuf_adds(&sb, " is not the value required by const");
        } else {
            ekb_strbuf_adds(&sb, "expected ");
            ekb_schema_add_subject(&sb, n->const_v);
            ekb_strbuf_adds(&sb, ", found ");
            ekb_schema_add_subject(&sb, inst);
        }
        if (ekb_schema_emit(c, n, "const", "const", inst, false, 0, &sb) < 0)
            return -1;
    }
    if (n->flags & EKB_N_ENUM) {
        size_t k = json_array_size(n->enum_v);
        for (size_t i = 0; i < k; i++)
            if (ekb_schema_json_equal(inst, json_array_get(n->enum_v, i)))
                return ok;
        if (c->mode == EKB_M_QUIET)
            return 0;
        ekb_strbuf sb;
        ekb_strbuf_init(&sb);
        ekb_schema_add_instance(&sb, c, inst);
        const json_t *only = k == 1 ? json_array_get(n->enum_v, 0) : NULL;
        if (k == 0) {
            ekb_strbuf_adds(&sb, " is not allowed: enum is empty");
        } else if (json_is_object(only) || json_is_array(only)) {
            ekb_strbuf_adds(&sb, " is not the value required by enum");
        } else {
            ekb_strbuf_adds(&sb, k == 1 ? " is not " : " is not one of ");
            ekb_schema_add_enum(&sb, n->enum_v);
        }
        if (ekb_schema_emit(c, n, "enum", "enum", inst, false, 0, &sb) < 0)
            return -1;
        ok = 0;
    }
    return ok;
}

/* A pair of size keywords, and the words for what they count. */
typedef struct size_kws {
    const char *min_kw, *max_kw;
    unsigned min_flag, max_flag;
    const char *what; /* the subject of the message; NULL: the instance */
    const char *one, *many;
} size_kws;

static const size_kws length_kws = {"minLength", "maxLength", EKB_N_MINLEN, EKB_N_MAXLEN,
                                    NULL, "character", "characters"};
static const size_kws props_kws = {"minProperties", "maxProperties", EKB_N_MINPROPS, EKB_N_MAXPROPS,
                                   "object", "property", "properties"};
static const size_kws items_kws = {"minItems", "maxItems", EKB_N_MINITEMS, EKB_N_MAXITEMS,
                                   "array", "item", "items"};

static int size_error(ekb_vctx *c, const ekb_node *n, const size_kws *k, bool more, const json_t *inst,
                      size_t have, size_t limit)
{
    if (c->mode == EKB_M_QUIET)
        return 0;
    const char *kw = more ? k->max_kw : k->min_kw;
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    if (k->what)
        ekb_strbuf_adds(&sb, k->what);
    else
        ekb_schema_add_instance(&sb, c, inst);
    ekb_strbuf_addf(&sb, " has %zu %s, %s than %s %zu", have, have == 1 ? k->one : k->many,
                    more ? "more" : "fewer", kw, limit);
    return ekb_schema_emit(c, n, kw, kw, inst, false, 0, &sb) < 0 ? -1 : 0;
}

/* have against the pair's limits min and max (each when present). */
static int check_size(ekb_vctx *c, const ekb_node *n, const size_kws *k, const json_t *inst, size_t have,
                      size_t min, size_t max)
{
    int ok = 1;
    if ((n->flags & k->min_flag) && have < min) {
        ok = 0;
        if (size_error(c, n, k, false, inst, have, min) < 0)
            return -1;
    }
    if ((n->flags & k->max_flag) && have > max) {
        ok = 0;
        if (size_error(c, n, k, true, inst, have, max) < 0)
            return -1;
    }
    return ok;
}

int ekb_schema_match(ekb_vctx *c, const pcre2_code *code, const char *s, size_t len)
{
    if (!c->md && !(c->md = pcre2_match_data_create(1, NULL)))
        return -1;
    return ekb_schema_regex_match(code, c->s->mctx, c->md, s, len);
}

int ekb_schema_check_string(ekb_vctx *c, const ekb_node *n, const json_t *inst)
{
    const char *s = json_string_value(inst);
    size_t blen = json_string_length(inst);
    int ok = 1;
    /* a code point takes 1 to 4 bytes: count them only when that decides */
    if (((n->flags & EKB_N_MINLEN) && n->min_len > blen / 4) || ((n->flags & EKB_N_MAXLEN) && blen > n->max_len)) {
        ok = check_size(c, n, &length_kws, inst, ekb_utf8_length(s, blen), n->min_len, n->max_len);
        if (ok < 0)
            return -1;
        if (!ok && c->mode == EKB_M_QUIET)
            return 0;
    }
    if (n->pattern.code) {
        int m = ekb_schema_match(c, n->pattern.code, s, blen);
        if (m == -1)
            return -1;
        if (m != 1) {
            ok = 0;
            if (c->mode == EKB_M_QUIET)
                return 0;
            ekb_strbuf sb;
            ekb_strbuf_init(&sb);
            ekb_schema_add_instance(&sb, c, inst);
            ekb_strbuf_adds(&sb, m == 0 ? " does not match pattern " : " could not be matched within limits: pattern ");
            ekb_schema_add_quoted(&sb, n->pattern.source, strlen(n->pattern.source), 0);
            if (ekb_schema_emit(c, n, "pattern", "pattern", inst, false, 0, &sb) < 0)
                return -1;
        }
    }
    if (n->format != EKB_FMT_NONE) {
        int f = ekb_schema_format_check(n->format, s, blen);
        if (f < 0)
            return -1;
        if (f == 0) {
            ok = 0;
            if (c->mode == EKB_M_QUIET)
                return 0;
            ekb_strbuf sb;
            ekb_strbuf_init(&sb);
            ekb_schema_add_instance(&sb, c, inst);
            const char *noun = ekb_schema_format_noun(n->format);
            ekb_strbuf_addf(&sb, " is not a valid %s", noun);
            if (ekb_schema_emit(c, n, "format", "format", inst, false, 0, &sb) < 0)
                return -1;
        }
    }
    return ok;
}

static int number_error(ekb_vctx *c, const ekb_node *n, const char *kw, const json_t *inst, const char *what,
                        const ekb_num *limit)
{
    if (c->mode == EKB_M_QUIET)
        return 0;
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    ekb_schema_add_instance(&sb, c, inst);
    if (strcmp(kw, "multipleOf") == 0)
        ekb_strbuf_addf(&sb, " %s ", what);
    else
        ekb_strbuf_addf(&sb, " %s %s ", what, kw);
    ekb_schema_add_num(&sb, limit);
    return ekb_schema_emit(c, n, kw, kw, inst, false, 0, &sb) < 0 ? -1 : 0;
}

int ekb_schema_check_number(ekb_vctx *c, const ekb_node *n, const json_t *inst)
{
    ekb_num x;
    ekb_schema_num_of(inst, &x);
    int ok = 1;
    unsigned f = n->flags;
#define NUM_CHECK(flag, cond, kw, what, lim)                             \
    if ((f & (flag)) && !(cond)) {                                       \
        ok = 0;                                                          \
        if (number_error(c, n, kw, inst, what, &n->lim) < 0)             \
            return -1;                                                   \
        if (c->mode == EKB_M_QUIET)                                      \
            return 0;                                                    \
    }
    NUM_CHECK(EKB_N_MINIMUM, ekb_schema_num_cmp(&x, &n->minimum) >= 0, "minimum", "is below", minimum)
    NUM_CHECK(EKB_N_MAXIMUM, ekb_schema_num_cmp(&x, &n->maximum) <= 0, "maximum", "is above", maximum)
    NUM_CHECK(EKB_N_XMINIMUM, ekb_schema_num_cmp(&x, &n->xminimum) > 0, "exclusiveMinimum", "is not above",
              xminimum)
    NUM_CHECK(EKB_N_XMAXIMUM, ekb_schema_num_cmp(&x, &n->xmaximum) < 0, "exclusiveMaximum", "is not below",
              xmaximum)
    NUM_CHECK(EKB_N_MULTIPLE, ekb_schema_is_multiple(&x, &n->multiple_of), "multipleOf", "is not a multiple of",
              multiple_of)
#undef NUM_CHECK
    return ok;
}

/* The object keywords that need no subschema: property counts, required,
 * dependentRequired. */
int ekb_schema_check_object(ekb_vctx *c, const ekb_node *n, const json_t *inst)
{
    int ok = check_size(c, n, &props_kws, inst, json_object_size(inst), n->min_props, n->max_props);
    if (ok < 0)
        return -1;
    if (!ok && c->mode == EKB_M_QUIET)
        return 0;
    for (size_t i = 0; i < n->nrequired; i++) {
        if (json_object_getn(inst, n->required[i].s, n->required[i].len))
            continue;
        ok = 0;
        if (c->mode == EKB_M_QUIET)
            return 0;
        ekb_strbuf sb;
        ekb_strbuf_init(&sb);
        ekb_strbuf_adds(&sb, "missing required property ");
        ekb_schema_add_quoted(&sb, n->required[i].s, n->required[i].len, 0);
        if (ekb_schema_emit(c, n, "required", "required", inst, false, 0, &sb) < 0)
            return -1;
    }
    for (size_t d = 0; d < n->ndep_req; d++) {
        const ekb_dep_required *dr = &n->dep_req[d];
        if (!json_object_getn(inst, dr->key.s, dr->key.len))
            continue;
        for (size_t i = 0; i < dr->n; i++) {
            if (json_object_getn(inst, dr->names[i].s, dr->names[i].len))
                continue;
            ok = 0;
            if (c->mode == EKB_M_QUIET)
                return 0;
            ekb_strbuf sb;
            ekb_strbuf_init(&sb);
            ekb_strbuf_adds(&sb, "missing property ");
            ekb_schema_add_quoted(&sb, dr->names[i].s, dr->names[i].len, 0);
            ekb_strbuf_adds(&sb, ", required when ");
            ekb_schema_add_quoted(&sb, dr->key.s, dr->key.len, 0);
            ekb_strbuf_adds(&sb, " is present");
            if (ekb_schema_emit(c, n, "dependentRequired", "dependentRequired", inst, false, 0, &sb) < 0)
                return -1;
        }
    }
    return ok;
}

/* The array keywords that need no subschema: item counts, uniqueItems. */
int ekb_schema_check_array(ekb_vctx *c, const ekb_node *n, const json_t *inst)
{
    size_t k = json_array_size(inst);
    int ok = check_size(c, n, &items_kws, inst, k, n->min_items, n->max_items);
    if (ok < 0)
        return -1;
    if (!ok && c->mode == EKB_M_QUIET)
        return 0;
    if ((n->flags & EKB_N_UNIQUE) && k > 1) {
        size_t i = 0, j = 0;
        int d = ekb_schema_find_duplicate(inst, &i, &j);
        if (d < 0)
            return -1;
        if (d > 0) {
            ok = 0;
            if (c->mode == EKB_M_QUIET)
                return 0;
            ekb_strbuf sb;
            ekb_strbuf_init(&sb);
            ekb_strbuf_addf(&sb, "array items %zu and %zu are equal (", i, j);
            ekb_schema_add_subject(&sb, json_array_get(inst, i));
            ekb_strbuf_adds(&sb, "), expected unique items");
            if (ekb_schema_emit(c, n, "uniqueItems", "uniqueItems", inst, false, 0, &sb) < 0)
                return -1;
        }
    }
    return ok;
}

/* doc_yaml.c: YAML → jansson through libyaml's event parser, typed by the
 * YAML 1.2 core schema (so yes/no/on/off and 2024-06-01 stay strings), and
 * refusing what has no JSON equivalent: aliases, custom tags, non-string
 * keys, several documents, .inf and .nan. */
#include "doc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define TAG_PREFIX "tag:yaml.org,2002:"

static ekb_pos mark_pos(yaml_mark_t m) { return (ekb_pos){(unsigned)m.line + 1, (unsigned)m.column + 1}; }

static bool all_digits(const char *s, const char *digits)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!strchr(digits, *s))
            return false;
    return true;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool is_core_float(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    size_t ip = strspn(s, "0123456789");
    s += ip;
    size_t fp = 0;
    if (*s == '.') {
        s++;
        fp = strspn(s, "0123456789");
        s += fp;
    }
    if (ip == 0 && fp == 0)
        return false;
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        size_t ep = strspn(s, "0123456789");
        if (ep == 0)
            return false;
        s += ep;
    }
    return *s == '\0';
}

typedef enum { PLAIN_STRING, PLAIN_NULL, PLAIN_BOOL, PLAIN_INT, PLAIN_FLOAT, PLAIN_NOT_JSON } plain_kind;

static plain_kind classify_plain(const char *v)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    static const char *const bools[] = {"true", "True", "TRUE", "false", "False", "FALSE"};
    for (size_t i = 0; i < sizeof nulls / sizeof *nulls; i++)
        if (strcmp(v, nulls[i]) == 0)
            return PLAIN_NULL;
    for (size_t i = 0; i < sizeof bools / sizeof *bools; i++)
        if (strcmp(v, bools[i]) == 0)
            return PLAIN_BOOL;
    const char *d = v + (*v == '-' || *v == '+');
    if (all_digits(d, "0123456789"))
        return PLAIN_INT;
    if ((strncmp(v, "0o", 2) == 0 && all_digits(v + 2, "01234567")) ||
        (strncmp(v, "0x", 2) == 0 && all_digits(v + 2, "0123456789abcdefABCDEF")))
        return PLAIN_INT;
    if (is_core_float(v))
        return PLAIN_FLOAT;
    const char *inf = v + (*v == '-' || *v == '+');
    if (strcmp(inf, ".inf") == 0 || strcmp(inf, ".Inf") == 0 || strcmp(inf, ".INF") == 0 ||
        strcmp(v, ".nan") == 0 || strcmp(v, ".NaN") == 0 || strcmp(v, ".NAN") == 0)
        return PLAIN_NOT_JSON;
    return PLAIN_STRING;
}

typedef struct frame {
    json_t *node;
    bool is_map;
    char *key;       /* pending key of a mapping, NULL when a key comes next */
    size_t key_len;
    ekb_pos key_pos;
} frame;

typedef struct yload {
    ekb_doc *doc;
    ekb_diags *d;
    const ekb_limits *lim;
    frame *stack;
    size_t depth, cap;
    json_t *root;
    int result; /* 0 ok, 1 rejected, -1 memory */
} yload;

static void fail(yload *y, ekb_pos p, const char *rule, const char *fmt, const char *arg)
{
    if (y->result)
        return;
    y->result = ekb_diags_add(y->d, y->doc->path, p.line, p.col, EKB_ERROR, rule, NULL, NULL, fmt, arg) ? -1 : 1;
}

/* Places a finished value in its parent (or as the root). Steals v. */
static void attach(yload *y, json_t *v, ekb_pos at)
{
    if (!v) {
        y->result = -1;
        return;
    }
    if (y->depth == 0) {
        y->root = v;
        return;
    }
    frame *f = &y->stack[y->depth - 1];
    if (!f->is_map) {
        if (json_array_append_new(f->node, v) != 0)
            y->result = -1;
        return;
    }
    if (!f->key) {
        if (!json_is_string(v)) {
            json_decref(v);
            fail(y, at, "load.yaml-key", "mapping key is not a string%s", "");
            return;
        }
        f->key_len = json_string_length(v);
        f->key = ekb_strndup(json_string_value(v), f->key_len);
        f->key_pos = at;
        json_decref(v);
        if (!f->key)
            y->result = -1;
        return;
    }
    if (json_object_getn(f->node, f->key, f->key_len)) {
        json_decref(v);
        int r = ekb_doc_report_duplicate_key(y->doc, y->d);
        if (r == 1)
            fail(y, f->key_pos, "load.duplicate-key", "duplicate key '%s'", f->key);
        else if (!y->result)
            y->result = r < 0 ? -1 : 1;
    } else if (json_object_setn_new(f->node, f->key, f->key_len, v) != 0) {
        y->result = -1;
    }
    free(f->key);
    f->key = NULL;
}

static bool check_tag(yload *y, const yaml_char_t *tag, ekb_pos at, const char *want)
{
    if (!tag || strcmp((const char *)tag, "!") == 0)
        return true;
    const char *t = (const char *)tag;
    if (strncmp(t, TAG_PREFIX, strlen(TAG_PREFIX)) == 0) {
        const char *name = t + strlen(TAG_PREFIX);
        if (strcmp(name, want) == 0 || (strcmp(want, "scalar") == 0 &&
            (!strcmp(name, "str") || !strcmp(name, "int") || !strcmp(name, "float") ||
             !strcmp(name, "bool") || !strcmp(name, "null"))))
            return true;
    }
    fail(y, at, "load.yaml-tag", "tag '%s' has no JSON equivalent", t);
    return false;
}

static json_t *scalar_value(yload *y, const yaml_event_t *ev, ekb_pos at)
{
    const char *v = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    plain_kind kind;
    if (tag && strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) == 0) {
        const char *name = tag + strlen(TAG_PREFIX);
        kind = !strcmp(name, "str") ? PLAIN_STRING : classify_plain(v);
        if (kind == PLAIN_STRING && strcmp(name, "str") != 0) {
            fail(y, at, "load.yaml-tag", "value does not fit its tag '%s'", tag);
            return NULL;
        }
    } else if (tag || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        kind = PLAIN_STRING;
    } else {
        kind = classify_plain(v);
    }
    switch (kind) {
    case PLAIN_NULL: return json_null();
    case PLAIN_BOOL: return json_boolean(v[0] == 't' || v[0] == 'T');
    case PLAIN_INT: {
        errno = 0;
        char *end;
        int base = 10;
        const char *digits = v;
        if (!strncmp(v, "0o", 2)) { base = 8; digits = v + 2; }
        else if (!strncmp(v, "0x", 2)) { base = 16; digits = v + 2; }
        long long n = strtoll(digits, &end, base);
        if (errno == ERANGE || *end) {
            fail(y, at, "load.yaml-value", "integer '%s' is out of range", v);
            return NULL;
        }
        return json_integer((json_int_t)n);
    }
    case PLAIN_FLOAT: return json_real(strtod(v, NULL));
    case PLAIN_NOT_JSON:
        fail(y, at, "load.yaml-value", "'%s' has no JSON equivalent", v);
        return NULL;
    /* valid UTF-8 already: the file passed check_encoding, and libyaml
     * refuses escapes of surrogates or beyond U+10FFFF */
    default: return json_stringn_nocheck(v, len);
    }
}

static void push(yload *y, json_t *node, bool is_map, ekb_pos at)
{
    if (!node) {
        y->result = -1;
        return;
    }
    if (y->lim && y->lim->max_depth && y->depth >= y->lim->max_depth) {
        json_decref(node);
        char lim[32];
        snprintf(lim, sizeof lim, "%u", y->lim->max_depth);
        fail(y, at, "load.too-deep", "nesting deeper than the limit of %s", lim);
        return;
    }
    if (ekb_grow(&y->stack, &y->cap, y->depth, sizeof *y->stack, 16) != 0) {
        json_decref(node);
        y->result = -1;
        return;
    }
    y->stack[y->depth++] = (frame){.node = node, .is_map = is_map};
}

static void pop(yload *y, ekb_pos at)
{
    frame f = y->stack[--y->depth];
    free(f.key);
    attach(y, f.node, at);
}

static void parser_failed(yload *y, const yaml_parser_t *p)
{
    if (p->error == YAML_MEMORY_ERROR) {
        y->result = -1;
        return;
    }
    ekb_pos at = p->error == YAML_READER_ERROR ? ekb_pos_of_offset(y->doc->text, y->doc->body, p->problem_offset)
                                               : mark_pos(p->problem_mark);
    ekb_strbuf msg;
    ekb_strbuf_init(&msg);
    ekb_strbuf_adds(&msg, p->problem ? p->problem : "YAML syntax error");
    if (p->context && p->error != YAML_READER_ERROR)
        ekb_strbuf_addf(&msg, " (%s at %u:%u)", p->context, (unsigned)p->context_mark.line + 1,
                        (unsigned)p->context_mark.column + 1);
    if (ekb_strbuf_failed(&msg))
        y->result = -1;
    else
        fail(y, at, "load.syntax", "%s", msg.s);
    ekb_strbuf_free(&msg);
}

int ekb_yaml_load(ekb_doc *doc, const ekb_limits *lim, ekb_diags *d)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return -1;
    yaml_parser_set_input_string(&parser, (const unsigned char *)doc->text + doc->body, doc->len - doc->body);
    yload y = {.doc = doc, .d = d, .lim = lim};
    int documents = 0;
    bool done = false;
    while (!done && y.result == 0) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            parser_failed(&y, &parser);
            break;
        }
        ekb_pos at = mark_pos(ev.start_mark);
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = true; break;
        case YAML_DOCUMENT_START_EVENT:
            if (++documents > 1)
                fail(&y, at, "load.yaml-documents", "more than one document in the file%s", "");
            break;
        case YAML_ALIAS_EVENT:
            fail(&y, at, "load.yaml-alias", "alias '*%s' is not supported: write the value out", (const char *)ev.data.alias.anchor);
            break;
        case YAML_SCALAR_EVENT:
            if (ev.data.scalar.anchor)
                fail(&y, at, "load.yaml-anchor", "anchor '&%s' is not supported: write the value out", (const char *)ev.data.scalar.anchor);
            else if (check_tag(&y, ev.data.scalar.tag, at, "scalar")) {
                json_t *v = scalar_value(&y, &ev, at);
                if (v)
                    attach(&y, v, at);
            }
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            bool map = ev.type == YAML_MAPPING_START_EVENT;
            const yaml_char_t *anchor = map ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor;
            if (anchor)
                fail(&y, at, "load.yaml-anchor", "anchor '&%s' is not supported: write the value out", (const char *)anchor);
            else if (y.depth > 0 && y.stack[y.depth - 1].is_map && !y.stack[y.depth - 1].key)
                fail(&y, at, "load.yaml-key", "mapping key is not a string%s", "");
            else if (check_tag(&y, map ? ev.data.mapping_start.tag : ev.data.sequence_start.tag, at, map ? "map" : "seq"))
                push(&y, map ? json_object() : json_array(), map, at);
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: pop(&y, at); break;
        default: break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    while (y.depth > 0) {
        frame f = y.stack[--y.depth];
        free(f.key);
        json_decref(f.node);
    }
    free(y.stack);
    if (y.result == 0 && !y.root)
        y.result = ekb_diags_add(d, doc->path, 0, 0, EKB_ERROR, "load.empty", NULL, NULL, "file holds no document") ? -1 : 1;
    if (y.result != 0) {
        json_decref(y.root);
        return y.result;
    }
    doc->root = y.root;
    return 0;
}

/* --- position map --- */

typedef struct pframe {
    bool is_map;
    size_t index;      /* next array index */
    bool have_key;
    ekb_pos key_pos;
    size_t path_mark;  /* path length of this container */
} pframe;

int ekb_posmap_build_yaml(const ekb_doc *doc, ekb_posmap *m)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return -1;
    yaml_parser_set_input_string(&parser, (const unsigned char *)doc->text + doc->body, doc->len - doc->body);
    pframe *st = NULL;
    size_t depth = 0, cap = 0;
    ekb_strbuf path;
    ekb_strbuf_init(&path);
    ekb_strbuf_adds(&path, "");
    int oom = 0;
    bool done = false;
    while (!done && !oom) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev))
            break;
        ekb_pos at = mark_pos(ev.start_mark);
        bool is_node = ev.type == YAML_SCALAR_EVENT || ev.type == YAML_SEQUENCE_START_EVENT ||
                       ev.type == YAML_MAPPING_START_EVENT || ev.type == YAML_ALIAS_EVENT;
        if (ev.type == YAML_STREAM_END_EVENT || ev.type == YAML_DOCUMENT_END_EVENT)
            done = true;
        if (is_node) {
            pframe *f = depth ? &st[depth - 1] : NULL;
            if (f && f->is_map && !f->have_key) {
                /* a key: remember it; a non-scalar key cannot be addressed */
                ekb_strbuf_truncate(&path, f->path_mark);
                if (ev.type == YAML_SCALAR_EVENT)
                    ekb_strbuf_add_pointer_segment(&path, (const char *)ev.data.scalar.value, ev.data.scalar.length);
                else
                    ekb_strbuf_adds(&path, "/?");
                f->have_key = true;
                f->key_pos = at;
                if (ev.type != YAML_SCALAR_EVENT && ev.type != YAML_ALIAS_EVENT) {
                    yaml_event_delete(&ev);
                    break; /* the loader has rejected this file already */
                }
                yaml_event_delete(&ev);
                continue;
            }
            ekb_pos key_pos = at;
            if (f && f->is_map) {
                key_pos = f->key_pos;
                f->have_key = false;
            } else if (f) {
                ekb_strbuf_truncate(&path, f->path_mark);
                ekb_strbuf_addf(&path, "/%zu", f->index++);
            }
            if (ekb_posmap_add(m, path.s ? path.s : "", path.len, key_pos, at) != 0)
                oom = 1;
            if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) {
                if (ekb_grow(&st, &cap, depth, sizeof *st, 16) != 0) {
                    oom = 1;
                    yaml_event_delete(&ev);
                    break;
                }
                st[depth++] = (pframe){.is_map = ev.type == YAML_MAPPING_START_EVENT, .path_mark = path.len};
            }
        } else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
            if (depth)
                depth--;
        }
        yaml_event_delete(&ev);
    }
    if (parser.error == YAML_MEMORY_ERROR || ekb_strbuf_failed(&path))
        oom = 1;
    yaml_parser_delete(&parser);
    free(st);
    ekb_strbuf_free(&path);
    return oom ? -1 : 0;
}

/* doc.c: loading a file into a jansson value: the checks both syntaxes share
 * (size, NUL bytes, UTF-8, byte order mark, emptiness, depth), JSON through
 * jansson, and turning JSON pointers back into positions. */
#include "doc.h"
#include "json_parse.h"
#include "reader/format.h"
#include "util.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

ekb_syntax ekb_syntax_of_path(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0))
        return EKB_SYNTAX_YAML;
    return EKB_SYNTAX_JSON;
}

ekb_pos ekb_pos_of_offset(const char *text, size_t body, size_t off)
{
    ekb_pos p = {1, 1};
    for (size_t i = body; i < off; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\n') {
            p.line++;
            p.col = 1;
        } else if ((c & 0xC0) != 0x80) {
            p.col++;
        }
    }
    return p;
}

/* Whether the 8 bytes at s are ASCII without a NUL ("Bit Twiddling Hacks"). */
static bool plain_ascii8(const unsigned char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    return (((w - ones) & ~w) | w) & highs ? false : true;
}

/* Rejects NUL bytes and invalid UTF-8, naming the place. Returns 0 or 1. */
static int check_encoding(ekb_doc *doc, ekb_diags *d, int *oom)
{
    const unsigned char *s = (const unsigned char *)doc->text;
    for (size_t i = doc->body; i < doc->len;) {
        /* the usual bytes, many at a time: ASCII runs, and Chinese */
        while (doc->len - i >= 8 && plain_ascii8(s + i))
            i += 8;
        while (i < doc->len && s[i] && s[i] < 0x80)
            i++;
        while (ekb_utf8_plain3(s + i, doc->len - i))
            i += 3;
        if (i >= doc->len)
            break;
        if (s[i] == 0) {
            ekb_pos p = ekb_pos_of_offset(doc->text, doc->body, i);
            *oom |= ekb_diags_add(d, doc->path, p.line, p.col, EKB_ERROR, "load.nul-byte", NULL, NULL,
                                  "NUL byte at offset %zu", i) != 0;
            return 1;
        }
        size_t l = ekb_utf8_seq_len(s + i, doc->len - i);
        if (l == 0) {
            ekb_pos p = ekb_pos_of_offset(doc->text, doc->body, i);
            *oom |= ekb_diags_add(d, doc->path, p.line, p.col, EKB_ERROR, "load.utf8", NULL, NULL,
                                  "invalid UTF-8 byte 0x%02X at offset %zu", s[i], i) != 0;
            return 1;
        }
        i += l;
    }
    return 0;
}

static bool only_whitespace(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!ekb_json_is_ws((unsigned char)s[i])) /* strchr would take NUL for one */
            return false;
    return true;
}

/* Reports the first place where a key repeats in its object, with both
 * positions. The position map keeps duplicates, first one first. */
int ekb_doc_report_duplicate_key(ekb_doc *doc, ekb_diags *d)
{
    ekb_posmap m = {0};
    int built = doc->syntax == EKB_SYNTAX_JSON ? ekb_posmap_build_json(doc, &m) : ekb_posmap_build_yaml(doc, &m);
    if (built < 0) {
        ekb_posmap_free(&m);
        return -1;
    }
    int r = 1;
    for (size_t i = 0; i < m.n && r == 1; i++)
        for (size_t j = 0; j < i; j++) {
            if (strcmp(m.v[i].pointer, m.v[j].pointer) != 0)
                continue;
            const char *key = strrchr(m.v[i].pointer, '/');
            r = ekb_diags_add(d, doc->path, m.v[i].key.line, m.v[i].key.col, EKB_ERROR, "load.duplicate-key",
                              NULL, m.v[i].pointer, "duplicate key '%s' (first at %u:%u)", key ? key + 1 : "",
                              m.v[j].key.line, m.v[j].key.col) != 0 ? -1 : 2;
            break;
        }
    ekb_posmap_free(&m);
    return r;
}

/* Whether a value is nested deeper than max_depth. */
static bool any_too_deep(const json_t *v, unsigned depth, unsigned max_depth)
{
    if (!json_is_object(v) && !json_is_array(v))
        return false;
    if (depth > max_depth)
        return true;
    if (json_is_object(v)) {
        const char *k;
        json_t *c;
        json_object_foreach((json_t *)v, k, c)
            if (any_too_deep(c, depth + 1, max_depth))
                return true;
    } else {
        for (size_t i = 0; i < json_array_size(v); i++)
            if (any_too_deep(json_array_get(v, i), depth + 1, max_depth))
                return true;
    }
    return false;
}

/* Finds a value nested deeper than max_depth; fills path with its pointer.
 * Slower than any_too_deep (it spells every path): only for the report. */
static bool too_deep(const json_t *v, unsigned depth, unsigned max_depth, ekb_strbuf *path)
{
    if (!json_is_object(v) && !json_is_array(v))
        return false;
    if (depth > max_depth)
        return true;
    if (json_is_object(v)) {
        const char *k;
        json_t *c;
        json_object_foreach((json_t *)v, k, c) {
            size_t mark = path->len;
            ekb_strbuf_add_pointer_segment(path, k, strlen(k));
            if (too_deep(c, depth + 1, max_depth, path))
                return true;
            ekb_strbuf_truncate(path, mark);
        }
    } else {
        for (size_t i = 0; i < json_array_size(v); i++) {
            size_t mark = path->len;
            ekb_strbuf_addf(path, "/%zu", i);
            if (too_deep(json_array_get(v, i), depth + 1, max_depth, path))
                return true;
            ekb_strbuf_truncate(path, mark);
        }
    }
    return false;
}

/* Reports the first value nested deeper than max (1), or -1 on memory. */
static int report_too_deep(ekb_doc *doc, unsigned max, ekb_diags *d)
{
    ekb_strbuf p;
    ekb_strbuf_init(&p);
    ekb_strbuf_adds(&p, "");
    int r = 0;
    if (too_deep(doc->root, 0, max, &p))
        r = ekb_doc_report(d, doc, NULL, p.s ? p.s : "", false, EKB_ERROR, "load.too-deep",
                           "nesting deeper than the limit of %u", max) ? -1 : 1;
    if (ekb_strbuf_failed(&p))
        r = -1;
    ekb_strbuf_free(&p);
    return r;
}

static int load_json(ekb_doc *doc, const ekb_limits *lim, ekb_diags *d)
{
    json_error_t err;
    size_t flags = JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | (lim && lim->allow_nul_escape ? JSON_ALLOW_NUL : 0);
    ekb_json_shape shape;
    doc->root = ekb_json_parse_shape(doc->text + doc->body, doc->len - doc->body, &shape);
    bool fast = doc->root != NULL;
    if (fast)
        doc->cv_shape = (ekb_cv_shape){shape.nodes, shape.key_bytes, shape.bytes};
    else
        doc->root = json_loadb(doc->text + doc->body, doc->len - doc->body, flags, &err);
    if (doc->root) {
        /* jansson checked the UTF-8 and refused NUL bytes on the way. The
         * fast reader counted how deeply containers nest (one at depth k,
         * the root's 0, is on level k + 1); jansson's tree is walked. */
        unsigned max = lim ? lim->max_depth : 0;
        bool deep = max && (fast ? shape.levels > max + 1 : any_too_deep(doc->root, 0, max));
        return deep ? report_too_deep(doc, max, d) : 0;
    }
    if (json_error_code(&err) == json_error_out_of_memory)
        return -1;
    /* Bad bytes: say so precisely (offset, byte) rather than jansson's words. */
    int oom = 0;
    if (check_encoding(doc, d, &oom))
        return oom ? -1 : 1;
    if (json_error_code(&err) == json_error_duplicate_key) {
        int r = ekb_doc_report_duplicate_key(doc, d);
        if (r != 1)
            return r < 0 ? -1 : 1;
    }
    /* jansson counts columns in code points from 1, lines from 1. */
    unsigned line = err.line > 0 ? (unsigned)err.line : 1;
    unsigned col = err.column > 0 ? (unsigned)err.column : 1;
    return ekb_diags_add(d, doc->path, line, col, EKB_ERROR, "load.syntax", NULL, NULL, "%s", err.text) ? -1 : 1;
}

/* Loads text of len bytes (NUL-terminated, malloc'd), taking it over. */
static int load_owned(const char *path, char *text, size_t len, ekb_syntax syntax,
                      const ekb_limits *lim, ekb_doc **out, ekb_diags *d)
{
    *out = NULL;
    ekb_doc *doc = calloc(1, sizeof *doc);
    if (!doc) {
        free(text);
        return -1;
    }
    doc->path = strdup(path);
    doc->text = text;
    doc->len = len;
    doc->syntax = syntax;
    if (!doc->path) {
        ekb_doc_free(doc);
        return -1;
    }
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        doc->body = 3;

    int oom = 0;
    int r;
    if (lim && lim->max_file_bytes && len > lim->max_file_bytes) {
        oom = ekb_diags_add(d, path, 0, 0, EKB_ERROR, "load.too-large", NULL, NULL,
                            "file is %zu bytes, above the limit of %zu", len, lim->max_file_bytes);
        r = 1;
    } else if (syntax == EKB_SYNTAX_YAML && check_encoding(doc, d, &oom)) {
        r = 1;
    } else if (only_whitespace(doc->text + doc->body, len - doc->body)) {
        oom = ekb_diags_add(d, path, 0, 0, EKB_ERROR, "load.empty", NULL, NULL, "file is empty");
        r = 1;
    } else {
        /* each loader refuses nesting deeper than the limit */
        r = syntax == EKB_SYNTAX_JSON ? load_json(doc, lim, d) : ekb_yaml_load(doc, lim, d);
    }
    if (oom)
        r = -1;
    if (r != 0) {
        ekb_doc_free(doc);
        return r;
    }
    *out = doc;
    return 0;
}

int ekb_doc_load_buffer(const char *path, const char *text, size_t len, ekb_syntax syntax,
                        const ekb_limits *lim, ekb_doc **out, ekb_diags *d)
{
    *out = NULL;
    char *copy = ekb_strndup(text, len);
    if (!copy)
        return -1;
    return load_owned(path, copy, len, syntax, lim, out, d);
}

int ekb_doc_load_file(const char *path, const ekb_limits *lim, ekb_doc **out, ekb_diags *d)
{
    *out = NULL;
    size_t cap = lim && lim->max_file_bytes ? lim->max_file_bytes : (size_t)64 << 20;
    char *text;
    size_t len;
    int e = ekb_read_file(path, cap, &text, &len);
    if (e == ENOMEM)
        return -1;
    if (e == EFBIG)
        return ekb_diags_add(d, path, 0, 0, EKB_ERROR, "load.too-large", NULL, NULL,
                             "file is larger than the limit of %zu bytes", cap) ? -1 : 1;
    if (e)
        return ekb_diags_add(d, path, 0, 0, EKB_ERROR, "load.io", NULL, NULL, "cannot read file: %s",
                             e == EINVAL ? "not a regular file" : strerror(e)) ? -1 : 1;
    return load_owned(path, text, len, ekb_syntax_of_path(path), lim, out, d);
}

static void posmap_drop(ekb_posmap *m)
{
    ekb_posmap_free(m);
    free(m);
}

void ekb_doc_free(ekb_doc *doc)
{
    if (!doc)
        return;
    free(doc->path);
    free(doc->text);
    json_decref(doc->root);
    ekb_posmap *pos = atomic_load(&doc->pos);
    if (pos)
        posmap_drop(pos);
    free(atomic_load(&doc->cv));
    free(doc);
}

const ekb_cv *ekb_doc_cv(ekb_doc *doc)
{
    ekb_cv *have = atomic_load(&doc->cv);
    if (have || !doc->root)
        return have;
    /* the shape the reader saw, when it read the file (and the tree is as
     * it made it; a changed one that no longer fits is counted again) */
    ekb_cv *cv = doc->cv_shape.nodes ? ekb_cv_freeze_shaped(doc->root, doc->cv_shape) : ekb_cv_freeze(doc->root);
    if (!cv)
        return NULL;
    /* two threads may freeze at once: the first to publish wins */
    if (atomic_compare_exchange_strong(&doc->cv, &have, cv))
        return cv;
    free(cv);
    return have;
}

int ekb_doc_drop_tree(ekb_doc *doc)
{
    if (doc->root && !ekb_doc_cv(doc))
        return -1;
    json_decref(doc->root);
    doc->root = NULL;
    return 0;
}

int ekb_posmap_add(ekb_posmap *m, const char *pointer, size_t plen, ekb_pos key, ekb_pos value)
{
    if (ekb_grow(&m->v, &m->cap, m->n, sizeof *m->v, 64) != 0)
        return -1;
    char *p = ekb_strndup(pointer, plen);
    if (!p)
        return -1;
    m->v[m->n++] = (ekb_posrec){p, key, value};
    return 0;
}

void ekb_posmap_free(ekb_posmap *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->v[i].pointer);
    free(m->v);
    m->v = NULL;
    m->n = m->cap = 0;
}

static int posrec_cmp(const void *a, const void *b)
{
    const ekb_posrec *x = a, *y = b;
    int c = strcmp(x->pointer, y->pointer);
    if (c)
        return c;
    /* equal pointers (duplicate keys): the earlier place first */
    if (x->key.line != y->key.line)
        return x->key.line < y->key.line ? -1 : 1;
    return x->key.col < y->key.col ? -1 : x->key.col > y->key.col;
}

uint64_t ekb_doc_text_hash(const ekb_doc *doc)
{
    return doc->text ? ekbf_xxh64(doc->text, doc->len) : doc->text_hash;
}

void ekb_doc_drop_text(ekb_doc *doc)
{
    if (!doc->text)
        return;
    doc->text_hash = ekbf_xxh64(doc->text, doc->len);
    free(doc->text);
    doc->text = NULL;
}

/* Builds the map of places from the text, read again if it was dropped; a
 * file that changed since it was parsed gets an empty map. 0 or -1. */
static int posmap_build(const ekb_doc *doc, ekb_posmap *m)
{
    if (doc->text)
        return doc->syntax == EKB_SYNTAX_JSON ? ekb_posmap_build_json(doc, m) : ekb_posmap_build_yaml(doc, m);
    ekb_doc again = *doc;
    size_t len;
    int e = ekb_read_file(doc->path, doc->len, &again.text, &len);
    if (e == ENOMEM)
        return -1;
    if (e)
        return 0;
    int r = 0;
    if (len == doc->len && ekbf_xxh64(again.text, len) == doc->text_hash)
        r = doc->syntax == EKB_SYNTAX_JSON ? ekb_posmap_build_json(&again, m) : ekb_posmap_build_yaml(&again, m);
    free(again.text);
    return r;
}

/* The doc's map of places, built on first use. Two threads may build it at
 * once: the first to publish its map wins, the other drops its own. */
static const ekb_posmap *posmap_of(ekb_doc *doc)
{
    ekb_posmap *have = atomic_load(&doc->pos);
    if (have)
        return have;
    ekb_posmap *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    int r = posmap_build(doc, m);
    if (r < 0) {
        posmap_drop(m);
        return NULL;
    }
    if (m->n > 1) /* an empty map has no array: qsort must not see NULL */
        qsort(m->v, m->n, sizeof *m->v, posrec_cmp);
    if (atomic_compare_exchange_strong(&doc->pos, &have, m))
        return m;
    posmap_drop(m);
    return have;
}

int ekb_doc_locate(ekb_doc *doc, const char *pointer, bool at_key, ekb_pos *out)
{
    const ekb_posmap *pos = posmap_of(doc);
    char *key = pos ? strdup(pointer) : NULL;
    if (!key)
        return -1;
    for (;;) {
        size_t lo = 0, hi = pos->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(pos->v[mid].pointer, key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < pos->n && strcmp(pos->v[lo].pointer, key) == 0) {
            *out = at_key ? pos->v[lo].key : pos->v[lo].value;
            free(key);
            return 0;
        }
        /* not there (a missing property): point at the nearest ancestor */
        char *slash = strrchr(key, '/');
        if (!slash)
            break;
        *slash = '\0';
        at_key = false;
    }
    free(key);
    *out = (ekb_pos){1, 1};
    return 0;
}

int ekb_doc_report(ekb_diags *d, ekb_doc *doc, const char *entry_id, const char *pointer,
                   bool at_key, ekb_severity sev, const char *rule, const char *fmt, ...)
{
    ekb_pos p;
    if (ekb_doc_locate(doc, pointer, at_key, &p) != 0)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    int r = ekb_diags_vadd(d, doc->path, p.line, p.col, sev, rule, entry_id, pointer, fmt, ap);
    va_end(ap);
    return r;
}

/* resolve.c: schema resources ($id), anchors ($anchor, $dynamicAnchor) and
 * references ($ref, $dynamicRef). References are resolved after every
 * document is compiled; a URI that no loaded document declares goes to the
 * fetch callback, then to a file under base_dir. */
#include "schema_private.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- json_t* -> node, open addressing ---- */

static size_t ptr_hash(const void *p)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x;
}

ekb_node *ekb_schema_map_get(const ekb_compiler *cp, const json_t *key)
{
    if (!cp->mapcap)
        return NULL;
    size_t m = cp->mapcap - 1;
    for (size_t i = ptr_hash(key) & m; cp->map[i].key; i = (i + 1) & m)
        if (cp->map[i].key == key)
            return cp->map[i].node;
    return NULL;
}

static void map_insert(ekb_map_slot *map, size_t cap, const json_t *key, ekb_node *node)
{
    size_t m = cap - 1, i = ptr_hash(key) & m;
    while (map[i].key)
        i = (i + 1) & m;
    map[i].key = key;
    map[i].node = node;
}

int ekb_schema_map_put(ekb_compiler *cp, const json_t *key, ekb_node *node)
{
    if ((cp->mapn + 1) * 2 > cp->mapcap) {
        size_t cap = cp->mapcap ? cp->mapcap * 2 : 128;
        ekb_map_slot *map = calloc(cap, sizeof *map);
        if (!map)
            return -1;
        for (size_t i = 0; i < cp->mapcap; i++)
            if (cp->map[i].key)
                map_insert(map, cap, cp->map[i].key, cp->map[i].node);
        free(cp->map);
        cp->map = map;
        cp->mapcap = cap;
    }
    map_insert(cp->map, cp->mapcap, key, node);
    cp->mapn++;
    return 0;
}

/* ---- registries ---- */

/* Makes room for one more element of a registry, or reports out of memory. */
static int grow(ekb_compiler *cp, void *items, size_t *cap, size_t n, size_t size)
{
    if (ekb_grow(items, cap, n, size, 16) == 0)
        return 0;
    ekb_schema_oom(cp);
    return -1;
}

static ekb_resource *find_resource(const ekb_schema *s, const char *uri)
{
    for (size_t i = 0; i < s->nres; i++)
        if (strcmp(s->res[i].uri, uri) == 0)
            return &s->res[i];
    return NULL;
}

int ekb_schema_add_resource(ekb_compiler *cp, const char *uri, const json_t *json, ekb_node *node, int rid)
{
    ekb_schema *s = cp->s;
    if (find_resource(s, uri))
        return 0; /* the first declaration wins */
    if (grow(cp, &s->res, &s->capres, s->nres, sizeof *s->res) != 0)
        return -1;
    char *u = strdup(uri);
    if (!u) {
        ekb_schema_oom(cp);
        return -1;
    }
    s->res[s->nres++] = (ekb_resource){u, json, node, rid};
    return 0;
}

int ekb_schema_add_anchor(ekb_compiler *cp, const char *base, const char *name, ekb_node *node, bool dynamic)
{
    ekb_schema *s = cp->s;
    if (grow(cp, &s->anchors, &s->capanchors, s->nanchors, sizeof *s->anchors) != 0)
        return -1;
    char *u = ekb_asprintf("%s#%s", base, name);
    if (!u) {
        ekb_schema_oom(cp);
        return -1;
    }
    s->anchors[s->nanchors++] = (ekb_anchor){u, node};
    if (dynamic) {
        if (grow(cp, &s->dyn, &s->capdyn, s->ndyn, sizeof *s->dyn) != 0)
            return -1;
        s->dyn[s->ndyn++] = (ekb_dyn_anchor){node->rid, name, node};
    }
    return 0;
}

int ekb_schema_add_pending(ekb_compiler *cp, ekb_node *node, const char *base, const char *ref, bool dynamic)
{
    if (grow(cp, &cp->pend, &cp->cappend, cp->npend, sizeof *cp->pend) != 0)
        return -1;
    char *u = ekb_schema_uri_resolve(base, ref);
    if (!u) {
        ekb_schema_oom(cp);
        return -1;
    }
    cp->pend[cp->npend++] = (ekb_pending_ref){node, u, dynamic};
    return 0;
}

/* The folder part of a URI ("https://h/a/b.json" -> "https://h/a/"), or NULL
 * when it has none. */
static char *uri_dir(const char *uri)
{
    size_t n = strcspn(uri, "?#");
    while (n > 0 && uri[n - 1] != '/')
        n--;
    return n > 0 ? ekb_strndup(uri, n) : NULL;
}

static void add_dirs(ekb_compiler *cp)
{
    for (size_t i = 0; i < cp->s->nres && cp->ndirs < sizeof cp->dirs / sizeof cp->dirs[0]; i++) {
        if (cp->s->res[i].rid != 0)
            continue;
        char *d = uri_dir(cp->s->res[i].uri);
        if (d)
            cp->dirs[cp->ndirs++] = d;
    }
}

ekb_node *ekb_schema_add_document(ekb_compiler *cp, json_t *doc, const char *uri, bool owned)
{
    ekb_schema *s = cp->s;
    if (grow(cp, &s->docs, &s->capdocs, s->ndocs, sizeof *s->docs) != 0) {
        if (owned)
            json_decref(doc);
        return NULL;
    }
    s->docs[s->ndocs++] = owned ? doc : json_incref(doc);
    bool first = s->ndocs == 1;
    int rid = s->nrid++;
    size_t ri = s->nres;
    if (ekb_schema_add_resource(cp, uri, doc, NULL, rid) != 0)
        return NULL;
    char *prefix = first ? strdup("") : ekb_asprintf("%s#", uri);
    if (!prefix) {
        ekb_schema_oom(cp);
        return NULL;
    }
    ekb_node *n = ekb_schema_compile_node(cp, doc, uri, prefix, rid, "", true);
    free(prefix);
    if (ri < s->nres && s->res[ri].json == doc)
        s->res[ri].node = n;
    if (first && n)
        add_dirs(cp);
    return n;
}

/* ---- loading other documents ---- */

static bool safe_relative(const char *rel)
{
    if (!*rel || rel[0] == '/' || strpbrk(rel, "?#\\"))
        return false;
    for (const char *p = rel; *p;) {
        size_t n = strcspn(p, "/");
        if ((n == 2 && p[0] == '.' && p[1] == '.') || n == 0)
            return false;
        p += n;
        if (*p == '/')
            p++;
    }
    return true;
}

static json_t *load_from_dir(ekb_compiler *cp, const char *docuri)
{
    for (size_t i = 0; i < cp->ndirs; i++) {
        size_t dl = strlen(cp->dirs[i]);
        if (strncmp(docuri, cp->dirs[i], dl) != 0 || !safe_relative(docuri + dl))
            continue;
        size_t rlen = 0;
        char *rel = ekb_schema_pct_decode(docuri + dl, strlen(docuri + dl), &rlen);
        if (!rel)
            continue;
        if (strlen(rel) != rlen || !safe_relative(rel)) {
            free(rel);
            continue;
        }
        char *path = ekb_path_join(cp->opt.base_dir, rel);
        free(rel);
        if (!path) {
            ekb_schema_oom(cp);
            return NULL;
        }
        if (!ekb_is_file(path)) {
            free(path);
            continue;
        }
        json_error_t e;
        json_t *doc = json_load_file(path, JSON_DECODE_ANY, &e);
        if (!doc)
            ekb_schema_fail(cp, "cannot load the referenced schema %s: %s at line %d", path, e.text, e.line);
        free(path);
        return doc;
    }
    return NULL;
}

/* 1 loaded, 0 unknown, -1 failed. */
static int load_external(ekb_compiler *cp, const char *docuri)
{
    json_t *doc = NULL;
    if (cp->opt.fetch && strncmp(docuri, "ekb:", 4) != 0)
        doc = cp->opt.fetch(cp->opt.fetch_ctx, docuri);
    if (!doc && cp->opt.base_dir)
        doc = load_from_dir(cp, docuri);
    if (cp->failed) {
        json_decref(doc);
        return -1;
    }
    if (!doc)
        return 0;
    return ekb_schema_add_document(cp, doc, docuri, true) ? 1 : -1;
}

/* ---- references ---- */

static const char *ref_kw(bool dynamic) { return dynamic ? "$dynamicRef" : "$ref"; }

/* "cannot resolve '$ref' '<text>' at <where>: " and the reason. */
static void fail_ref(ekb_compiler *cp, const ekb_node *from, bool dynamic, const char *fmt, ...) EKB_PRINTF(4, 5);

static void fail_ref(ekb_compiler *cp, const ekb_node *from, bool dynamic, const char *fmt, ...)
{
    if (cp->failed)
        return;
    const json_t *v = json_object_get(from->src, ref_kw(dynamic));
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    ekb_strbuf_addf(&sb, "cannot resolve '%s' '%s' at %s: ", ref_kw(dynamic), v ? json_string_value(v) : "",
                    ekb_schema_where(from->path));
    va_list ap;
    va_start(ap, fmt);
    ekb_strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    char *msg = ekb_strbuf_steal(&sb);
    if (msg)
        ekb_schema_fail(cp, "%s", msg);
    else
        ekb_schema_oom(cp);
    free(msg);
}

/* Follows a JSON pointer (already percent-decoded) from a resource root. */
static ekb_node *follow_pointer(ekb_compiler *cp, const ekb_resource *res, const char *ptr, size_t plen,
                                const ekb_node *from, bool dynamic)
{
    const json_t *cur = res->json;
    char *base = strdup(res->uri);
    int rid = res->rid;
    ekb_strbuf tok;
    ekb_strbuf_init(&tok);
    size_t i = 0;
    bool bad = false;
    while (base && i < plen && !bad) {
        /* the $id of a schema we pass through changes the base below it */
        const json_t *id = cur != res->json && json_is_object(cur) ? json_object_get(cur, "$id") : NULL;
        if (json_is_string(id)) {
            char *nb = ekb_schema_uri_resolve(base, json_string_value(id));
            char *stripped = nb ? ekb_schema_uri_strip(nb, NULL) : NULL;
            free(nb);
            free(base);
            base = stripped;
            const ekb_node *pn = ekb_schema_map_get(cp, cur);
            if (pn)
                rid = pn->rid;
            if (!base)
                break;
        }
        if (ptr[i] != '/') {
            bad = true;
            break;
        }
        i++;
        ekb_strbuf_reset(&tok);
        while (i < plen && ptr[i] != '/') {
            if (ptr[i] == '~') {
                char e = i + 1 < plen ? ptr[i + 1] : 0;
                if (e != '0' && e != '1') {
                    bad = true;
                    break;
                }
                ekb_strbuf_addc(&tok, e == '0' ? '~' : '/');
                i += 2;
            } else {
                ekb_strbuf_addc(&tok, ptr[i]);
                i++;
            }
        }
        if (tok.failed)
            break;
        const char *t = tok.s ? tok.s : "";
        if (json_is_object(cur)) {
            cur = json_object_getn(cur, t, tok.len);
        } else if (json_is_array(cur)) {
            size_t idx = 0;
            bool okidx = tok.len > 0 && (tok.len == 1 || t[0] != '0');
            for (size_t k = 0; k < tok.len && okidx; k++) {
                if (t[k] < '0' || t[k] > '9' || idx > SIZE_MAX / 10 - 10)
                    okidx = false;
                else
                    idx = idx * 10 + (size_t)(t[k] - '0');
            }
            cur = okidx ? json_array_get(cur, idx) : NULL;
        } else {
            cur = NULL;
        }
        if (!cur)
            bad = true;
    }
    bool oom = !base || tok.failed;
    ekb_strbuf_free(&tok);
    if (oom) {
        free(base);
        ekb_schema_oom(cp);
        return NULL;
    }
    if (bad) {
        free(base);
        fail_ref(cp, from, dynamic, "no schema at that JSON pointer");
        return NULL;
    }
    ekb_node *n = ekb_schema_map_get(cp, cur); /* NULL for booleans, see compile.c */
    if (!n) {
        /* a boolean, or a location that no keyword declares a schema: compile it now */
        ekb_strbuf path;
        ekb_strbuf_init(&path);
        if (res->rid != 0 || res->json != cp->s->docs[0]) {
            ekb_strbuf_adds(&path, res->uri);
            ekb_strbuf_addc(&path, '#');
        }
        ekb_strbuf_addn(&path, ptr, plen);
        char *p = ekb_strbuf_steal(&path);
        if (!p) {
            ekb_schema_oom(cp);
        } else {
            n = ekb_schema_compile_node(cp, cur, base, p, rid, ref_kw(dynamic), false);
            free(p);
        }
    }
    free(base);
    return n;
}

static ekb_node *resolve_one(ekb_compiler *cp, const char *uri, const ekb_node *from, bool dynamic, const char **fragp)
{
    const char *frag = NULL;
    char *docuri = ekb_schema_uri_strip(uri, &frag);
    if (!docuri) {
        ekb_schema_oom(cp);
        return NULL;
    }
    *fragp = frag;
    ekb_resource *res = find_resource(cp->s, docuri);
    if (!res) {
        int r = load_external(cp, docuri);
        if (r < 0) {
            free(docuri);
            return NULL;
        }
        res = find_resource(cp->s, docuri);
    }
    ekb_node *target = NULL;
    if (!res && strncmp(docuri, "ekb:", 4) == 0) {
        /* relative to a document without a base URI: only base_dir could know it */
        fail_ref(cp, from, dynamic, "%s",
                 cp->opt.base_dir ? "no such schema file in the schema folder" : "no schema folder to look in");
    } else if (!res) {
        fail_ref(cp, from, dynamic, "unknown schema %s", docuri);
    } else if (!frag || !*frag) {
        target = res->node;
        if (!target)
            target = ekb_schema_map_get(cp, res->json);
    } else if (frag[0] == '/') {
        size_t plen = 0;
        char *ptr = ekb_schema_pct_decode(frag, strlen(frag), &plen);
        if (!ptr)
            fail_ref(cp, from, dynamic, "bad percent-encoding");
        else
            target = follow_pointer(cp, res, ptr, plen, from, dynamic);
        free(ptr);
    } else {
        char *key = ekb_asprintf("%s#%s", res->uri, frag);
        if (!key) {
            ekb_schema_oom(cp);
        } else {
            for (size_t i = 0; i < cp->s->nanchors && !target; i++)
                if (strcmp(cp->s->anchors[i].uri, key) == 0)
                    target = cp->s->anchors[i].node;
            free(key);
            if (!target)
                fail_ref(cp, from, dynamic, "no anchor '%s' in %s", frag, res->uri);
        }
    }
    free(docuri);
    return target;
}

int ekb_schema_resolve_all(ekb_compiler *cp)
{
    /* resolving may load documents, which add references: index, not pointer */
    for (size_t i = 0; i < cp->npend && !cp->failed; i++) {
        ekb_node *from = cp->pend[i].node;
        bool dynamic = cp->pend[i].dynamic;
        const char *frag = NULL;
        ekb_node *t = resolve_one(cp, cp->pend[i].uri, from, dynamic, &frag);
        if (!t)
            break;
        if (!dynamic) {
            from->ref = t;
            continue;
        }
        from->dyn_ref = t;
        /* $dynamicRef acts dynamically only when its static target declares
         * the same $dynamicAnchor (the "bookend") */
        const json_t *da = json_is_object(t->src) ? json_object_get(t->src, "$dynamicAnchor") : NULL;
        if (frag && *frag && frag[0] != '/' && json_is_string(da) && strcmp(json_string_value(da), frag) == 0) {
            from->dyn_name = json_string_value(da);
            cp->s->uses_dynamic = true;
        }
    }
    return cp->failed ? -1 : 0;
}

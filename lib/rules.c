/* rules.c: corpus rules: ids and paths, dates, links, URLs, repetition. */
#include "rules.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <libxml/uri.h>

/* days_from_civil (proleptic Gregorian), after Howard Hinnant. */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

bool ekb_parse_date(const char *s, long *days)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return false;
    long y = atol(s);
    unsigned m = (unsigned)atoi(s + 5), d = (unsigned)atoi(s + 8);
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return false;
    *days = days_from_civil(y, m, d);
    return true;
}

long ekb_today(void)
{
    return (long)(time(NULL) / 86400);
}

static bool private_ipv4(const unsigned char a[4])
{
    return a[0] == 127 || a[0] == 10 || a[0] == 0 || (a[0] == 172 && (a[1] & 0xF0) == 16) ||
           (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254) || (a[0] == 100 && (a[1] & 0xC0) == 64);
}

const char *ekb_url_problem(const char *url)
{
    xmlURIPtr uri = xmlParseURI(url);
    if (!uri)
        return "is not a valid URI";
    const char *why = NULL;
    if (!uri->scheme || (strcasecmp(uri->scheme, "http") != 0 && strcasecmp(uri->scheme, "https") != 0))
        why = "is not an absolute http(s) URL";
    else if (!uri->server || !*uri->server)
        why = "has no host";
    if (!why) {
        const char *host = uri->server;
        size_t hl = strlen(host);
        char buf[64];
        unsigned char addr[16];
        if (host[0] == '[' && hl > 2 && hl - 2 < sizeof buf) {
            memcpy(buf, host + 1, hl - 2);
            buf[hl - 2] = '\0';
            host = buf;
        }
        if (strcasecmp(host, "localhost") == 0 || (hl > 10 && strcasecmp(host + hl - 10, ".localhost") == 0))
            why = "points at a loopback host";
        else if (inet_pton(AF_INET, host, addr) == 1 && private_ipv4(addr))
            why = "points at a loopback, private or link-local address";
        else if (inet_pton(AF_INET6, host, addr) == 1) {
            static const unsigned char loop6[16] = {[15] = 1};
            if (!memcmp(addr, loop6, 16) || (addr[0] == 0xFE && (addr[1] & 0xC0) == 0x80) || (addr[0] & 0xFE) == 0xFC)
                why = "points at a loopback, private or link-local address";
            else if (!memcmp(addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) && private_ipv4(addr + 12))
                why = "points at a loopback, private or link-local address";
        }
    }
    xmlFreeURI(uri);
    return why;
}

typedef struct rctx {
    const ekb_corpus *c;
    ekb_corpus_file *f;
    const ekb_rules_options *o;
    const char *const *skip;
    size_t n_skip;
    ekb_diags *d;
    const char *id; /* for the diagnostics */
    int oom;
} rctx;

static void report(rctx *x, const char *pointer, bool at_key, ekb_severity sev, const char *rule,
                   const char *fmt, ...) EKB_PRINTF(6, 7);

static void report(rctx *x, const char *pointer, bool at_key, ekb_severity sev, const char *rule,
                   const char *fmt, ...)
{
    for (size_t i = 0; i < x->n_skip; i++)
        if (strcmp(x->skip[i], pointer) == 0)
            return;
    ekb_pos p;
    if (ekb_doc_locate(x->f->doc, pointer, at_key, &p) != 0) {
        x->oom = 1;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    if (ekb_diags_vadd(x->d, x->f->path, p.line, p.col, sev, rule, x->id, pointer, fmt, ap) != 0)
        x->oom = 1;
    va_end(ap);
}

static const char *get_str(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static void check_identity(rctx *x, json_t *root)
{
    const ekb_corpus_file *f = x->f;
    const char *id = get_str(root, "id");
    if (f->rel && !f->id)
        report(x, "", false, EKB_ERROR, "corpus.path-layout",
               "entry files live at entries/<domain>/<slug>.json or .yaml, not at '%s'", f->rel);
    if (f->id && id && strcmp(id, f->id) != 0)
        report(x, "/id", false, EKB_ERROR, "corpus.id-path", "id '%s' does not match the file path, which gives '%s'",
               id, f->id);
    if (f->id) {
        /* same id from another file: x.json beside x.yaml */
        const ekb_corpus_file *g = ekb_corpus_find_other(x->c, f->id, f);
        if (g)
            report(x, "", false, EKB_ERROR, "corpus.id-unique", "id '%s' is also given by '%s'", f->id, g->rel);
    }
    const char *domain = get_str(root, "domain");
    const char *ref = id ? id : f->id;
    if (domain && ref) {
        size_t dl = strcspn(ref, "/");
        if (strlen(domain) != dl || strncmp(domain, ref, dl) != 0)
            report(x, "/domain", false, EKB_ERROR, "corpus.domain", "domain '%s' differs from the id's first segment '%.*s'",
                   domain, (int)dl, ref);
    }
}

static void check_dates(rctx *x, json_t *root)
{
    static const char *const names[] = {"first_seen", "last_confirmed", "last_updated"};
    long days[3];
    bool ok[3];
    for (int i = 0; i < 3; i++) {
        const char *s = get_str(root, names[i]);
        ok[i] = s && ekb_parse_date(s, &days[i]);
        if (ok[i] && days[i] > x->o->today) {
            char ptr[32];
            snprintf(ptr, sizeof ptr, "/%s", names[i]);
            report(x, ptr, false, EKB_ERROR, "corpus.date-future", "%s %s is in the future", names[i], s);
        }
    }
    for (int i = 0; i < 2; i++)
        if (ok[i] && ok[i + 1] && days[i] > days[i + 1]) {
            char ptr[32];
            snprintf(ptr, sizeof ptr, "/%s", names[i + 1]);
            report(x, ptr, false, EKB_ERROR, "corpus.date-order", "%s %s is before %s %s", names[i + 1],
                   get_str(root, names[i + 1]), names[i], get_str(root, names[i]));
        }
    if (ok[1] && x->o->staleness_days && x->o->today - days[1] > (long)x->o->staleness_days)
        report(x, "/last_confirmed", false, EKB_WARNING, "corpus.stale",
               "last confirmed %ld days ago, more than the policy's %u", x->o->today - days[1], x->o->staleness_days);
}

static const char *link_id(json_t *link)
{
    return json_is_string(link) ? json_string_value(link) : get_str(link, "id");
}

static void check_links(rctx *x, json_t *root)
{
    static const char *const lists[] = {"leads_to", "preceded_by", "frequently_confused_with"};
    const char *self = get_str(root, "id");
    json_t *graph = json_object_get(root, "transition_graph");
    for (int k = 0; k < 3; k++) {
        json_t *arr = json_object_get(graph, lists[k]);
        size_t i;
        json_t *l;
        json_array_foreach(arr, i, l) {
            const char *t = link_id(l);
            if (!t)
                continue;
            bool to_self = self && strcmp(t, self) == 0;
            if (!to_self && (!x->c->entries_dir || ekb_corpus_find(x->c, t)))
                continue; /* a lone file has nothing to resolve against */
            char ptr[80];
            snprintf(ptr, sizeof ptr, json_is_string(l) ? "/transition_graph/%s/%zu" : "/transition_graph/%s/%zu/id",
                     lists[k], i);
            if (to_self) {
                report(x, ptr, false, EKB_ERROR, "corpus.link-self", "entry links to itself in %s", lists[k]);
                continue;
            }
            report(x, ptr, false, EKB_ERROR, "corpus.link-missing", "no entry '%s' in the corpus", t);
        }
    }
}

/* Why the URL value v is unusable, or NULL. */
static const char *url_problem(json_t *v)
{
    const char *url = json_string_value(v);
    return url ? ekb_url_problem(url) : NULL;
}

static void check_urls(rctx *x, json_t *root)
{
    json_t *doc_url = json_object_get(root, "official_doc_url");
    const char *why = url_problem(doc_url);
    if (why)
        report(x, "/official_doc_url", false, EKB_ERROR, "corpus.url", "URL '%s' %s", json_string_value(doc_url), why);
    static const char *const lists[] = {"dead_ends", "workarounds"};
    for (int k = 0; k < 2; k++) {
        size_t i, j;
        json_t *item, *src;
        json_array_foreach(json_object_get(root, lists[k]), i, item) {
            json_array_foreach(json_object_get(item, "sources"), j, src) {
                if (!(why = url_problem(src)))
                    continue;
                char ptr[80];
                snprintf(ptr, sizeof ptr, "/%s/%zu/sources/%zu", lists[k], i, j);
                report(x, ptr, false, EKB_ERROR, "corpus.url", "URL '%s' %s", json_string_value(src), why);
            }
        }
    }
}

/* Compares ignoring case, spaces and trailing punctuation. */
static bool same_text(const char *a, const char *b)
{
    for (;;) {
        while (*a && (isspace((unsigned char)*a) || *a == '.'))
            a++;
        while (*b && (isspace((unsigned char)*b) || *b == '.'))
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
        a++;
        b++;
    }
}

static void check_workarounds(rctx *x, json_t *root)
{
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(root, "workarounds"), i, w) {
        const char *action = get_str(w, "action"), *how = get_str(w, "how");
        if (action && how && *how && same_text(action, how)) {
            char ptr[64];
            snprintf(ptr, sizeof ptr, "/workarounds/%zu/how", i);
            report(x, ptr, false, EKB_WARNING, "corpus.how-repeats-action",
                   "'how' repeats 'action': say how to do it (commands, settings, code)");
        }
    }
}

static void check_unique(rctx *x, json_t *root, const char *field, const char *rule)
{
    json_t *arr = json_object_get(root, field);
    for (size_t i = 0; i < json_array_size(arr); i++)
        for (size_t j = 0; j < i; j++)
            if (json_equal(json_array_get(arr, i), json_array_get(arr, j))) {
                char ptr[64];
                snprintf(ptr, sizeof ptr, "/%s/%zu", field, i);
                const char *s = json_string_value(json_array_get(arr, i));
                report(x, ptr, false, EKB_ERROR, rule, "'%s' repeats %s item %zu", s ? s : "?", field, j);
                break;
            }
}

int ekb_rules_check(const ekb_corpus *c, ekb_corpus_file *f, const ekb_rules_options *o,
                    const char *const *skip, size_t n_skip, ekb_diags *d)
{
    json_t *root = f->doc ? f->doc->root : NULL;
    if (!json_is_object(root))
        return 0;
    rctx x = {.c = c, .f = f, .o = o, .skip = skip, .n_skip = n_skip, .d = d};
    x.id = f->id ? f->id : get_str(root, "id");
    check_identity(&x, root);
    check_dates(&x, root);
    check_links(&x, root);
    check_urls(&x, root);
    check_workarounds(&x, root);
    check_unique(&x, root, "aliases", "corpus.duplicate-alias");
    check_unique(&x, root, "tags", "corpus.duplicate-tag");
    return x.oom ? -1 : 0;
}

int ekb_rules_record_confused(ekb_corpus_file *f)
{
    json_t *root = f->doc ? f->doc->root : NULL;
    f->confused_known = true;
    const char *self = get_str(root, "id");
    if (self && !(f->self_id = strdup(self)))
        return -1;
    json_t *arr = json_object_get(json_object_get(root, "transition_graph"), "frequently_confused_with");
    size_t n = json_array_size(arr);
    if (n == 0)
        return 0;
    if (!(f->confused = calloc(n, sizeof *f->confused)))
        return -1;
    for (size_t k = 0; k < n; k++) {
        const char *t = link_id(json_array_get(arr, k));
        /* keep positions: a NULL stands for a link without an id */
        if (t && !(f->confused[k] = strdup(t)))
            return -1;
        f->n_confused = k + 1;
    }
    return 0;
}

static bool names(const ekb_corpus_file *g, const char *id)
{
    for (size_t k = 0; k < g->n_confused; k++)
        if (g->confused[k] && strcmp(g->confused[k], id) == 0)
            return true;
    return false;
}

int ekb_rules_check_symmetry(ekb_corpus *c, ekb_diags *d)
{
    ekb_diags ignored; /* an untargeted entry's own problems are not ours to report */
    ekb_diags_init(&ignored);
    int r = 0;
    for (size_t i = 0; i < c->n && r == 0; i++) {
        ekb_corpus_file *f = &c->files[i];
        if (!f->target || !f->self_id || !c->entries_dir)
            continue;
        ekb_doc *doc = NULL; /* loaded again only when there is something to say */
        for (size_t k = 0; k < f->n_confused && r == 0; k++) {
            const char *t = f->confused[k];
            ekb_corpus_file *g = t && strcmp(t, f->self_id) != 0 ? ekb_corpus_find(c, t) : NULL;
            if (!g)
                continue; /* missing and self links have rules of their own */
            if (!g->confused_known) {
                if (ekb_doc_load_file(g->path, &c->policy.limits, &g->doc, &ignored) < 0 ||
                    (g->doc && ekb_rules_record_confused(g) != 0))
                    r = -1;
                ekb_doc_free(g->doc);
                g->doc = NULL;
                g->confused_known = true;
            }
            if (r != 0 || !g->self_id || names(g, f->self_id))
                continue;
            if (!doc && ekb_doc_load_file(f->path, &c->policy.limits, &doc, &ignored) < 0) {
                r = -1;
                break;
            }
            if (!doc)
                break;
            json_t *link = json_array_get(
                json_object_get(json_object_get(doc->root, "transition_graph"), "frequently_confused_with"), k);
            char ptr[80];
            snprintf(ptr, sizeof ptr, json_is_string(link) ? "/transition_graph/frequently_confused_with/%zu"
                                                           : "/transition_graph/frequently_confused_with/%zu/id", k);
            if (ekb_doc_report(d, doc, f->id ? f->id : f->self_id, ptr, false, EKB_WARNING,
                               "corpus.confused-asymmetric",
                               "'%s' does not list '%s' back in frequently_confused_with", t, f->self_id) != 0)
                r = -1;
        }
        ekb_doc_free(doc);
    }
    ekb_diags_free(&ignored);
    return r;
}

/* uri.c: RFC 3986 reference resolution (section 5.2) and percent-decoding,
 * as $id and $ref need them. */
#include "schema_private.h"

#include <stdlib.h>
#include <string.h>

typedef struct uri_parts {
    const char *scheme, *auth, *path, *query, *frag;
    size_t nscheme, nauth, npath, nquery, nfrag;
    bool has_scheme, has_auth, has_query, has_frag;
} uri_parts;

static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Length of the scheme s starts with (up to its ':'), 0 when none. */
static size_t scheme_len(const char *s)
{
    if (!is_alpha(s[0]))
        return 0;
    size_t i = 1;
    while (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')
        i++;
    return s[i] == ':' ? i : 0;
}

/* The split of RFC 3986 appendix B. */
static void uri_split(const char *s, uri_parts *p)
{
    memset(p, 0, sizeof *p);
    const char *c = s;
    size_t n = scheme_len(s);
    if (n > 0) {
        p->has_scheme = true;
        p->scheme = s;
        p->nscheme = n;
        c = s + n + 1;
    }
    if (c[0] == '/' && c[1] == '/') {
        c += 2;
        p->has_auth = true;
        p->auth = c;
        p->nauth = strcspn(c, "/?#");
        c += p->nauth;
    }
    p->path = c;
    p->npath = strcspn(c, "?#");
    c += p->npath;
    if (*c == '?') {
        c++;
        p->has_query = true;
        p->query = c;
        p->nquery = strcspn(c, "#");
        c += p->nquery;
    }
    if (*c == '#') {
        c++;
        p->has_frag = true;
        p->frag = c;
        p->nfrag = strlen(c);
    }
}

/* RFC 3986 5.2.4 on a writable NUL-terminated copy (it is cut in place);
 * the result is appended to out. */
static void remove_dot_segments(char *in, ekb_strbuf *out)
{
    size_t base = out->len;
    while (*in) {
        if (strncmp(in, "../", 3) == 0) {
            in += 3;
        } else if (strncmp(in, "./", 2) == 0) {
            in += 2;
        } else if (strncmp(in, "/./", 3) == 0) {
            in += 2;
        } else if (strcmp(in, "/.") == 0) {
            in[1] = '\0'; /* "/." becomes "/" */
        } else if (strncmp(in, "/../", 4) == 0 || strcmp(in, "/..") == 0) {
            if (in[3])
                in += 3;
            else
                in[1] = '\0'; /* "/.." becomes "/" */
            /* drop the last segment of the output */
            if (!out->failed && out->s) {
                size_t l = out->len;
                while (l > base && out->s[l - 1] != '/')
                    l--;
                if (l > base)
                    l--;
                out->len = l;
                out->s[l] = '\0';
            }
        } else if (strcmp(in, ".") == 0 || strcmp(in, "..") == 0) {
            in += strlen(in);
        } else {
            size_t n = in[0] == '/' ? 1 + strcspn(in + 1, "/") : strcspn(in, "/");
            ekb_strbuf_addn(out, in, n);
            in += n;
        }
    }
}

static void add_path_clean(ekb_strbuf *sb, const char *p, size_t n)
{
    char *tmp = ekb_strndup(p, n);
    if (!tmp) {
        sb->failed = true;
        return;
    }
    remove_dot_segments(tmp, sb);
    free(tmp);
}

/* The merged path of RFC 3986 5.2.3 (a relative path r on the base b),
 * cleaned and appended to sb. */
static void add_path_merged(ekb_strbuf *sb, const uri_parts *b, const uri_parts *r)
{
    ekb_strbuf merged;
    ekb_strbuf_init(&merged);
    if (b->has_auth && b->npath == 0) {
        ekb_strbuf_addc(&merged, '/');
    } else {
        size_t keep = b->npath;
        while (keep > 0 && b->path[keep - 1] != '/')
            keep--;
        ekb_strbuf_addn(&merged, b->path, keep);
    }
    ekb_strbuf_addn(&merged, r->path, r->npath);
    if (merged.failed)
        sb->failed = true;
    else if (merged.s)
        remove_dot_segments(merged.s, sb);
    ekb_strbuf_free(&merged);
}

/* RFC 3986 5.2.2 (each part of the target from the reference r or the base
 * b), recomposed as in 5.3. */
char *ekb_schema_uri_resolve(const char *base, const char *ref)
{
    uri_parts b, r;
    uri_split(base ? base : "", &b);
    uri_split(ref, &r);
    bool own_auth = r.has_scheme || r.has_auth; /* r's authority, path, query */
    const uri_parts *scheme = r.has_scheme ? &r : &b;
    const uri_parts *auth = own_auth ? &r : &b;
    const uri_parts *query = own_auth || r.npath > 0 || r.has_query ? &r : &b;
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    if (scheme->has_scheme) {
        ekb_strbuf_addn(&sb, scheme->scheme, scheme->nscheme);
        ekb_strbuf_addc(&sb, ':');
    }
    if (auth->has_auth) {
        ekb_strbuf_adds(&sb, "//");
        ekb_strbuf_addn(&sb, auth->auth, auth->nauth);
    }
    if (own_auth || (r.npath > 0 && r.path[0] == '/'))
        add_path_clean(&sb, r.path, r.npath);
    else if (r.npath == 0)
        ekb_strbuf_addn(&sb, b.path, b.npath);
    else
        add_path_merged(&sb, &b, &r);
    if (query->has_query) {
        ekb_strbuf_addc(&sb, '?');
        ekb_strbuf_addn(&sb, query->query, query->nquery);
    }
    if (r.has_frag) {
        ekb_strbuf_addc(&sb, '#');
        ekb_strbuf_addn(&sb, r.frag, r.nfrag);
    }
    return ekb_strbuf_steal(&sb);
}

char *ekb_schema_uri_strip(const char *uri, const char **frag)
{
    const char *h = strchr(uri, '#');
    if (frag)
        *frag = h ? h + 1 : NULL;
    return ekb_strndup(uri, h ? (size_t)(h - uri) : strlen(uri));
}


char *ekb_schema_pct_decode(const char *s, size_t n, size_t *outlen)
{
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int a = i + 1 < n ? ekb_hex_digit(s[i + 1]) : -1;
            int b = i + 2 < n ? ekb_hex_digit(s[i + 2]) : -1;
            if (a < 0 || b < 0) {
                free(d);
                return NULL;
            }
            int h = a * 16 + b;
            d[o++] = (char)h;
            i += 2;
        } else {
            d[o++] = s[i];
        }
    }
    d[o] = '\0';
    if (outlen)
        *outlen = o;
    return d;
}

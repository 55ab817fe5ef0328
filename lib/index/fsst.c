/* fsst.c: training an FSST symbol table and encoding strings with it. The
 * decoder is the reader's (lib/reader/strings.c). */
#include "fsst.h"

#include <stdlib.h>
#include <string.h>

#define GENERATIONS 8
#define SAMPLE_BYTES (64u * 1024u)
#define CODES 512
#ifndef SINGLE_BONUS
#define SINGLE_BONUS 4 /* an escaped byte costs two: single bytes weigh more */
#endif /* 0..254 symbols, 256 + b: the escaped byte b */

typedef struct cand {
    uint64_t sym;
    unsigned len;
    uint64_t gain;
} cand;

static uint64_t load_sym(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* one load instead of eight: the encoder calls this at every byte */
    if (n >= 8) {
        memcpy(&v, p, 8);
        return v;
    }
#endif
    for (size_t i = 0; i < n && i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Longest symbol matching at p (n bytes left): its code, or 256 + byte. */
static unsigned find(const ekb_fsst *t, const unsigned char *p, size_t n, unsigned *len)
{
    if (n >= 2) {
        unsigned key = p[0] | (unsigned)p[1] << 8;
        uint64_t here = load_sym(p, n);
        for (unsigned k = t->first[key]; k < t->first[key + 1]; k++) {
            unsigned c = t->order[k], l = t->len[c];
            if (l > n)
                continue;
            uint64_t mask = l == 8 ? UINT64_MAX : ((uint64_t)1 << (8 * l)) - 1;
            if ((here & mask) == t->sym[c]) {
                *len = l;
                return c;
            }
        }
    }
    *len = 1;
    return t->single[p[0]] >= 0 ? (unsigned)t->single[p[0]] : 256u + p[0];
}

static int cmp_code_len(const ekb_fsst *t, unsigned a, unsigned b)
{
    if (t->len[a] != t->len[b])
        return t->len[a] > t->len[b] ? -1 : 1;
    return t->sym[a] < t->sym[b] ? -1 : t->sym[a] > t->sym[b];
}

/* Builds the encoder's lists: per two-byte prefix, longest symbol first. */
static void index_table(ekb_fsst *t)
{
    static const unsigned keys = 65536;
    for (unsigned b = 0; b < 256; b++)
        t->single[b] = -1;
    memset(t->first, 0, sizeof t->first);
    for (unsigned c = 0; c < t->n; c++) {
        if (t->len[c] == 1)
            t->single[t->sym[c] & 0xff] = (int16_t)c;
        else
            t->first[(t->sym[c] & 0xffff) + 1]++;
    }
    for (unsigned k = 0; k < keys; k++)
        t->first[k + 1] = (uint16_t)(t->first[k + 1] + t->first[k]);
    unsigned placed[255];
    unsigned n_multi = 0;
    for (unsigned c = 0; c < t->n; c++)
        if (t->len[c] > 1)
            placed[n_multi++] = c;
    /* order the multi-byte symbols by key, then longest first */
    for (unsigned i = 1; i < n_multi; i++) {
        unsigned x = placed[i], j = i;
        while (j > 0) {
            unsigned y = placed[j - 1];
            unsigned kx = (unsigned)(t->sym[x] & 0xffff), ky = (unsigned)(t->sym[y] & 0xffff);
            if (ky < kx || (ky == kx && cmp_code_len(t, y, x) <= 0))
                break;
            placed[j] = y;
            j--;
        }
        placed[j] = x;
    }
    for (unsigned i = 0; i < n_multi; i++)
        t->order[i] = (unsigned char)placed[i];
}

static int cmp_cand_sym(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->sym < y->sym ? -1 : x->sym > y->sym;
}

static int cmp_cand_gain(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->gain != y->gain)
        return x->gain > y->gain ? -1 : 1;
    return cmp_cand_sym(a, b);
}

static void code_sym(const ekb_fsst *t, unsigned code, uint64_t *sym, unsigned *len)
{
    if (code >= 256) {
        *sym = code - 256;
        *len = 1;
    } else {
        *sym = t->sym[code];
        *len = t->len[code];
    }
}

/* One generation: count codes and code pairs on the sample, then keep the
 * 255 candidates of highest gain (count × length; single bytes × 8, since an
 * escaped byte costs two). */
static int generation(ekb_fsst *t, const unsigned char *const *s, const size_t *lens, size_t n, uint32_t *c1,
                      uint32_t *c2)
{
    memset(c1, 0, CODES * sizeof *c1);
    memset(c2, 0, (size_t)CODES * CODES * sizeof *c2);
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = s[i];
        size_t left = lens[i];
        unsigned prev = CODES;
        while (left) {
            unsigned len, code = find(t, p, left, &len);
            c1[code]++;
            if (prev < CODES) {
                c2[prev * CODES + code]++;
                /* also the previous symbol extended by one byte, so that
                 * symbols can grow a byte at a time */
                if (len > 1)
                    c2[prev * CODES + 256 + p[0]]++;
            }
            prev = code;
            p += len;
            left -= len;
        }
    }
    size_t nc = 0, cap = 1024;
    cand *cv = malloc(cap * sizeof *cv);
    if (!cv)
        return -1;
    for (unsigned a = 0; a < CODES; a++) {
        if (!c1[a])
            continue;
        uint64_t sa;
        unsigned la;
        code_sym(t, a, &sa, &la);
        if (nc + CODES + 1 > cap) {
            cap = 2 * cap + CODES;
            cand *v = realloc(cv, cap * sizeof *cv);
            if (!v) {
                free(cv);
                return -1;
            }
            cv = v;
        }
        cv[nc++] = (cand){sa, la, (uint64_t)c1[a] * la * (la == 1 ? SINGLE_BONUS : 1)};
        if (la == 8)
            continue;
        for (unsigned b = 0; b < CODES; b++) {
            uint32_t cnt = c2[a * CODES + b];
            if (!cnt)
                continue;
            uint64_t sb;
            unsigned lb;
            code_sym(t, b, &sb, &lb);
            unsigned l = la + lb > 8 ? 8 : la + lb;
            uint64_t sym = sa | sb << (8 * la);
            if (l < 8)
                sym &= ((uint64_t)1 << (8 * l)) - 1;
            cv[nc++] = (cand){sym, l, (uint64_t)cnt * l};
        }
    }
    /* merge equal candidates, then keep the best 255 */
    qsort(cv, nc, sizeof *cv, cmp_cand_sym);
    size_t m = 0;
    for (size_t i = 0; i < nc; i++) {
        if (m && cv[m - 1].len == cv[i].len && cv[m - 1].sym == cv[i].sym)
            cv[m - 1].gain += cv[i].gain;
        else
            cv[m++] = cv[i];
    }
    qsort(cv, m, sizeof *cv, cmp_cand_gain);
    t->n = m < 255 ? (unsigned)m : 255;
    /* number the symbols in a canonical order */
    qsort(cv, t->n, sizeof *cv, cmp_cand_sym);
    for (unsigned i = 0; i < t->n; i++) {
        t->sym[i] = cv[i].sym;
        t->len[i] = (unsigned char)cv[i].len;
    }
    free(cv);
    index_table(t);
    return 0;
}

int ekb_fsst_train(ekb_fsst *t, const unsigned char *const *strings, const size_t *lens, size_t n)
{
    memset(t, 0, sizeof *t);
    index_table(t);
    /* the sample: every k-th string, k chosen so that about SAMPLE_BYTES are taken */
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += lens[i];
    size_t step = total > SAMPLE_BYTES ? (total + SAMPLE_BYTES - 1) / SAMPLE_BYTES : 1;
    size_t ns = (n + step - 1) / step;
    const unsigned char **s = malloc((ns + 1) * sizeof *s);
    size_t *l = malloc((ns + 1) * sizeof *l);
    uint32_t *c1 = malloc(CODES * sizeof *c1);
    uint32_t *c2 = malloc((size_t)CODES * CODES * sizeof *c2);
    int r = s && l && c1 && c2 ? 0 : -1;
    size_t k = 0;
    for (size_t i = 0; r == 0 && i < n; i += step) {
        s[k] = strings[i];
        /* long strings contribute their first 512 bytes: enough to learn from */
        l[k++] = lens[i] > 512 ? 512 : lens[i];
    }
    for (int g = 0; r == 0 && g < GENERATIONS; g++)
        r = generation(t, s, l, k, c1, c2);
    free(s);
    free(l);
    free(c1);
    free(c2);
    return r;
}

size_t ekb_fsst_encode(const ekb_fsst *t, const unsigned char *in, size_t n, unsigned char *out)
{
    size_t k = 0;
    while (n) {
        unsigned len, code = find(t, in, n, &len);
        if (code >= 256) {
            out[k++] = 255;
            out[k++] = in[0];
        } else {
            out[k++] = (unsigned char)code;
        }
        in += len;
        n -= len;
    }
    return k;
}

/* grams.c: the GRAM section. Each entry is filed under one gram (3 or 4
 * bytes) of each atom of its cover, the gram rarest across the corpus; the
 * reader looks up every gram of the text and tries only the entries found. */
#include <stdlib.h>
#include <string.h>

#include "index_private.h"
#include "reader/format.h"

/* A byte a gram may hold: ASCII. Atoms are lower-case ASCII already (the
 * reader folds text the same way, U+017F and U+212A to 's' and 'k'). */
static bool safe_byte(unsigned char c)
{
    return c > 0 && c < 0x80;
}

static uint32_t gram_at(const unsigned char *p, size_t len)
{
    uint32_t g = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = p[i] >= 'A' && p[i] <= 'Z' ? (unsigned char)(p[i] + 32) : p[i];
        g |= (uint32_t)c << (8 * i);
    }
    return g;
}

/* Candidate grams of an atom: its 4-grams of ASCII bytes, or when it has
 * none, its 3-grams. Writes them (short-flagged in bit 32 of a uint64_t)
 * to out; returns how many. */
static size_t atom_grams(const char *atom, uint64_t *out)
{
    const unsigned char *a = (const unsigned char *)atom;
    size_t n = strlen(atom), k = 0;
    for (size_t len = 4; len >= 3 && k == 0; len--) {
        for (size_t i = 0; i + len <= n; i++) {
            size_t j = 0;
            while (j < len && safe_byte(a[i + j]))
                j++;
            if (j == len)
                out[k++] = gram_at(a + i, len) | (len == 3 ? (uint64_t)1 << 32 : 0);
        }
    }
    return k;
}

/* Sorts v[n], values below 2^33 (grams), in three passes of 11 bits
 * through tmp[n]: the corpus has millions of grams, and qsort's calls to a
 * comparison were most of this section's time. */
static void radix_sort_grams(uint64_t *v, uint64_t *tmp, size_t n)
{
    size_t count[1 << 11];
    uint64_t *src = v, *dst = tmp;
    for (unsigned shift = 0; shift < 33; shift += 11) {
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[src[i] >> shift & 2047]++;
        size_t at = 0;
        for (size_t d = 0; d < 2048; d++) {
            size_t c = count[d];
            count[d] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[src[i] >> shift & 2047]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
}

/* An entry's few grams: insertion sort. */
static void sort_few(uint64_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t x = v[i];
        size_t j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

typedef struct pair {
    uint64_t gram; /* gram | short flag << 32 */
    uint32_t entry;
    uint32_t bucket;
} pair;

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_pair(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    if (x->bucket != y->bucket)
        return x->bucket < y->bucket ? -1 : 1;
    if (x->gram != y->gram)
        return x->gram < y->gram ? -1 : 1;
    return x->entry < y->entry ? -1 : x->entry > y->entry;
}

/* How many entries each gram appears in: a sorted list of distinct
 * (gram, count) built from every entry's candidate grams. */
typedef struct gram_count {
    uint64_t *gram;
    uint32_t *count;
    size_t n;
} gram_count;

static uint32_t count_of(const gram_count *gc, uint64_t g)
{
    size_t lo = 0, hi = gc->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (gc->gram[mid] < g)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < gc->n && gc->gram[lo] == g ? gc->count[lo] : 0;
}

static size_t max_grams(const ekb_cover *c)
{
    size_t m = 0;
    for (size_t k = 0; k < c->n; k++)
        m += strlen(c->atoms[k]) + 1;
    return m;
}

int ekb_gram_section(const ekb_cover *covers, uint32_t n, ekb_bytes *out, size_t *always)
{
    int r = -1;
    size_t total = 0, longest = 1;
    for (uint32_t i = 0; i < n; i++) {
        size_t m = max_grams(&covers[i]);
        total += m;
        if (m > longest)
            longest = m;
    }
    uint64_t *all = malloc((total + 1) * sizeof *all), *tmp = malloc((longest + 1) * sizeof *tmp);
    gram_count gc = {malloc((total + 1) * sizeof *gc.gram), malloc((total + 1) * sizeof *gc.count), 0};
    pair *pairs = malloc((total + 1) * sizeof *pairs);
    uint32_t *alw = malloc(((size_t)n + 1) * sizeof *alw);
    if (!all || !tmp || !gc.gram || !gc.count || !pairs || !alw)
        goto done;
    /* count each gram once per entry */
    size_t na = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t k = 0;
        for (size_t a = 0; a < covers[i].n; a++)
            k += atom_grams(covers[i].atoms[a], tmp + k);
        if (k <= 64)
            sort_few(tmp, k);
        else
            qsort(tmp, k, sizeof *tmp, cmp_u64);
        for (size_t j = 0; j < k; j++)
            if (j == 0 || tmp[j] != tmp[j - 1])
                all[na++] = tmp[j];
    }
    uint64_t *scratch = malloc((na + 1) * sizeof *scratch);
    if (!scratch)
        goto done;
    radix_sort_grams(all, scratch, na);
    free(scratch);
    for (size_t j = 0; j < na; j++) {
        if (gc.n && gc.gram[gc.n - 1] == all[j]) {
            gc.count[gc.n - 1]++;
        } else {
            gc.gram[gc.n] = all[j];
            gc.count[gc.n++] = 1;
        }
    }
    /* file each entry under the rarest gram of each atom */
    size_t np = 0, nalw = 0;
    for (uint32_t i = 0; i < n; i++) {
        size_t first = np;
        bool ok = covers[i].n > 0;
        for (size_t a = 0; ok && a < covers[i].n; a++) {
            size_t k = atom_grams(covers[i].atoms[a], tmp);
            if (k == 0) {
                ok = false;
                break;
            }
            size_t best = 0;
            uint32_t fewest = count_of(&gc, tmp[0]);
            for (size_t j = 1; j < k; j++) {
                uint32_t c = count_of(&gc, tmp[j]);
                if (c < fewest) {
                    best = j;
                    fewest = c;
                }
            }
            pairs[np++] = (pair){tmp[best], i, 0};
        }
        if (!ok) {
            np = first;
            alw[nalw++] = i;
        }
    }
    uint32_t nb = 16;
    while (2 * nb < np && nb < (1u << 28)) /* about two pairs a bucket */
        nb *= 2;
    for (size_t j = 0; j < np; j++)
        pairs[j].bucket = ekbf_gram_hash((uint32_t)pairs[j].gram, nb - 1);
    qsort(pairs, np, sizeof *pairs, cmp_pair);
    size_t m = 0;
    for (size_t j = 0; j < np; j++)
        if (!m || cmp_pair(&pairs[m - 1], &pairs[j]) != 0)
            pairs[m++] = pairs[j];
    np = m;
    unsigned char *p = ekb_bytes_add(out, EKBF_GRAM_HEAD + 4 * ((size_t)nb + 1) + 8 * np + 4 * nalw);
    if (!p)
        goto done;
    ekbf_put32(p, nb);
    ekbf_put32(p + 4, (uint32_t)np);
    ekbf_put32(p + 8, (uint32_t)nalw);
    unsigned char *bk = p + EKBF_GRAM_HEAD, *pp = bk + 4 * ((size_t)nb + 1), *ap = pp + 8 * np;
    size_t j = 0;
    for (uint32_t bucket = 0; bucket <= nb; bucket++) {
        while (j < np && pairs[j].bucket < bucket)
            j++;
        ekbf_put32(bk + 4 * (size_t)bucket, (uint32_t)j);
    }
    for (j = 0; j < np; j++) {
        ekbf_put32(pp + 8 * j, (uint32_t)pairs[j].gram);
        ekbf_put32(pp + 8 * j + 4, pairs[j].entry | (pairs[j].gram >> 32 ? EKBF_GRAM_SHORT : 0));
    }
    for (j = 0; j < nalw; j++)
        ekbf_put32(ap + 4 * j, alw[j]);
    *always = nalw;
    r = 0;
done:
    free(all);
    free(tmp);
    free(gc.gram);
    free(gc.count);
    free(pairs);
    free(alw);
    return r;
}

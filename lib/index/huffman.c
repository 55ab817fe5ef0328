/* huffman.c: length-limited canonical Huffman codes over FSST codes. The
 * decoder is the reader's (lib/reader/strings.c). */
#include "huffman.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The Huffman symbol of the FSST code at fsst[*i]; advances *i past it. */
static unsigned next_symbol(const unsigned char *fsst, size_t n, size_t *i)
{
    unsigned c = fsst[(*i)++];
    if (c != 255)
        return c;
    return EKBF_HUFF_LITERAL + (*i < n ? fsst[(*i)++] : 0u);
}

void ekb_huff_count(const unsigned char *fsst, size_t n, uint64_t *freq)
{
    for (size_t i = 0; i < n;)
        freq[next_symbol(fsst, n, &i)]++;
    freq[EKBF_HUFF_END]++;
}

typedef struct node {
    uint64_t weight;
    unsigned symbol; /* leaves: the symbol; ties in the sort go by it */
    unsigned parent;
} node;

static int cmp_leaf(const void *a, const void *b)
{
    const node *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight < y->weight ? -1 : 1;
    return x->symbol < y->symbol ? -1 : x->symbol > y->symbol;
}

/* Huffman's algorithm with two queues (sorted leaves, then the merged nodes
 * in the order they are made, which is by weight): depth of each leaf into
 * len. Returns the deepest, or 0 when memory runs out. nodes has room for
 * 2 m - 1 (m >= 2). */
static unsigned lengths(node *nodes, size_t m, unsigned char *len)
{
    qsort(nodes, m, sizeof *nodes, cmp_leaf);
    size_t leaf = 0, merged = m, made = m;
    while (made < 2 * m - 1) {
        size_t pick[2];
        for (int k = 0; k < 2; k++) {
            /* a leaf wins ties: the same input always gives the same tree */
            bool take_leaf = leaf < m && (merged == made || nodes[leaf].weight <= nodes[merged].weight);
            pick[k] = take_leaf ? leaf++ : merged++;
        }
        nodes[made] = (node){nodes[pick[0]].weight + nodes[pick[1]].weight, 0, 0};
        nodes[pick[0]].parent = nodes[pick[1]].parent = (unsigned)made;
        made++;
    }
    /* depths from the root down: a parent is made after its children */
    unsigned deepest = 0;
    unsigned *d = malloc(made * sizeof *d);
    if (!d)
        return 0;
    d[made - 1] = 0;
    for (size_t i = made - 1; i-- > 0;)
        d[i] = d[nodes[i].parent] + 1;
    for (size_t i = 0; i < m; i++) {
        len[nodes[i].symbol] = (unsigned char)(d[i] > 255 ? 255 : d[i]);
        if (d[i] > deepest)
            deepest = d[i];
    }
    free(d);
    return deepest;
}

int ekb_huff_build(ekb_huff *h, const uint64_t *freq)
{
    memset(h, 0, sizeof *h);
    node *nodes = malloc(2 * EKBF_HUFF_SYMBOLS * sizeof *nodes);
    uint64_t *w = malloc(EKBF_HUFF_SYMBOLS * sizeof *w);
    if (!nodes || !w) {
        free(nodes);
        free(w);
        return -1;
    }
    memcpy(w, freq, EKBF_HUFF_SYMBOLS * sizeof *w);
    int r = 0;
    for (;;) {
        size_t m = 0;
        for (unsigned s = 0; s < EKBF_HUFF_SYMBOLS; s++)
            if (w[s])
                nodes[m++] = (node){w[s], s, 0};
        if (m == 0)
            break;
        if (m == 1) {
            h->len[nodes[0].symbol] = 1;
            break;
        }
        memset(h->len, 0, sizeof h->len);
        unsigned deepest = lengths(nodes, m, h->len);
        if (deepest == 0) {
            r = -1;
            break;
        }
        if (deepest <= EKBF_HUFF_MAX_BITS)
            break;
        /* too deep: flatten the distribution and try again (a used symbol
         * keeps a weight of at least 1) */
        for (unsigned s = 0; s < EKBF_HUFF_SYMBOLS; s++)
            if (w[s])
                w[s] = w[s] >> 1 | 1;
    }
    free(nodes);
    free(w);
    if (r != 0)
        return r;
    /* canonical codes: by length, then by symbol (as DEFLATE assigns them) */
    unsigned count[EKBF_HUFF_MAX_BITS + 1] = {0}, next[EKBF_HUFF_MAX_BITS + 1] = {0};
    for (unsigned s = 0; s < EKBF_HUFF_SYMBOLS; s++)
        count[h->len[s]]++;
    count[0] = 0;
    unsigned code = 0;
    for (unsigned l = 1; l <= EKBF_HUFF_MAX_BITS; l++) {
        code = (code + count[l - 1]) << 1;
        next[l] = code;
    }
    for (unsigned s = 0; s < EKBF_HUFF_SYMBOLS; s++)
        if (h->len[s])
            h->code[s] = (uint16_t)next[h->len[s]]++;
    return 0;
}

size_t ekb_huff_encode(const ekb_huff *h, const unsigned char *fsst, size_t n, unsigned char *out)
{
    size_t k = 0;
    uint32_t acc = 0; /* bits not yet written, the first in the highest place */
    unsigned bits = 0;
    for (size_t i = 0; i <= n;) {
        unsigned s = i < n ? next_symbol(fsst, n, &i) : (i++, EKBF_HUFF_END);
        acc = acc << h->len[s] | h->code[s];
        bits += h->len[s];
        while (bits >= 8) {
            bits -= 8;
            out[k++] = (unsigned char)(acc >> bits);
        }
        acc &= (1u << bits) - 1;
    }
    if (bits)
        out[k++] = (unsigned char)(acc << (8 - bits));
    return k;
}

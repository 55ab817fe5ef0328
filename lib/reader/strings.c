/* strings.c: decoding FSST-compressed strings of the pool: into a caller
 * buffer, a new copy, or compared with a key as they decode. */
#include <stdlib.h>
#include <string.h>

#include "reader_private.h"

/* FSST with symbol table t: code c < n_sym stands for symbol c (1 to 8
 * bytes); code 255 is an escape, the next byte stands for itself. Other
 * codes only appear in a corrupt index and decode to nothing. Writes at most
 * cap bytes to out (none when out is NULL) and returns the full decoded
 * length. */
static size_t fsst_decode(const ekb_reader *r, unsigned t, const unsigned char *in, uint32_t n, char *out, size_t cap)
{
    const unsigned char *end = in + n;
    size_t k = 0;
    if (!out)
        cap = 0;
    while (in < end) {
        unsigned c = *in++;
        if (c == 255) {
            if (in == end)
                break;
            if (k < cap)
                out[k] = (char)*in;
            in++;
            k++;
        } else if (c < r->n_sym[t]) {
            unsigned len = r->sym_len[t][c];
            uint64_t s = r->sym[t][c];
            if (cap >= 8 && k <= cap - 8) {
                unsigned char b[8];
                ekbf_put64(b, s);
                memcpy(out + k, b, 8);
            } else {
                for (unsigned j = 0; j < len; j++)
                    if (k + j < cap)
                        out[k + j] = (char)(s >> (8 * j));
            }
            k += len;
        }
    }
    return k;
}

size_t ekb_reader_str_len(const ekb_reader *r, ekb_reader_str s)
{
    uint32_t enc_len;
    unsigned t;
    const unsigned char *enc;
    if (s == EKB_READER_NULL || ekbr_str_header(r, s, &t, &enc, &enc_len))
        return 0;
    return fsst_decode(r, t, enc, enc_len, NULL, 0);
}

size_t ekb_reader_str_copy(const ekb_reader *r, ekb_reader_str s, char *buf, size_t size)
{
    uint32_t enc_len;
    unsigned t;
    const unsigned char *enc;
    if (s == EKB_READER_NULL || ekbr_str_header(r, s, &t, &enc, &enc_len)) {
        if (size)
            buf[0] = '\0';
        return 0;
    }
    if (size == 0)
        return fsst_decode(r, t, enc, enc_len, NULL, 0);
    size_t got = fsst_decode(r, t, enc, enc_len, buf, size - 1);
    buf[got < size - 1 ? got : size - 1] = '\0';
    return got;
}

char *ekb_reader_str_dup(const ekb_reader *r, ekb_reader_str s)
{
    uint32_t enc_len;
    unsigned t;
    const unsigned char *enc;
    if (s == EKB_READER_NULL || ekbr_str_header(r, s, &t, &enc, &enc_len))
        return NULL;
    size_t len = fsst_decode(r, t, enc, enc_len, NULL, 0);
    /* a symbol may write up to 8 bytes at once: room for it */
    char *buf = malloc(len + 9);
    if (!buf)
        return NULL;
    fsst_decode(r, t, enc, enc_len, buf, len + 8);
    buf[len] = '\0';
    return buf;
}

int ekb_reader_str_cmp(const ekb_reader *r, ekb_reader_str s, const char *text, size_t n)
{
    uint32_t enc_len;
    unsigned tab;
    const unsigned char *in;
    if (s == EKB_READER_NULL || ekbr_str_header(r, s, &tab, &in, &enc_len))
        return n ? -1 : 0;
    const unsigned char *end = in + enc_len, *t = (const unsigned char *)text;
    size_t k = 0;
    while (in < end) {
        unsigned c = *in++;
        unsigned char b[8];
        unsigned m = 0;
        if (c == 255) {
            if (in == end)
                break;
            b[0] = *in++;
            m = 1;
        } else if (c < r->n_sym[tab]) {
            ekbf_put64(b, r->sym[tab][c]);
            m = r->sym_len[tab][c];
        }
        for (unsigned j = 0; j < m; j++, k++) {
            if (k == n)
                return 1;
            if (b[j] != t[k])
                return b[j] < t[k] ? -1 : 1;
        }
    }
    return k == n ? 0 : -1;
}

/* strings.c: decoding the strings of the pool (FSST codes, Huffman-coded):
 * into a caller buffer, a new copy, or compared with a key as they decode. */
#include <stdlib.h>
#include <string.h>

#include "reader_private.h"

/* A string's code bits being read, from the highest bit of each byte down:
 * window holds the next ones in its highest places (zeros past the end),
 * have says how many of its bits are loaded, left how many real bits remain. */
typedef struct bit_reader {
    const unsigned char *p, *end;
    uint64_t window;
    unsigned have;
    size_t left;
} bit_reader;

static void bits_init(bit_reader *in, const unsigned char *p, uint32_t n)
{
    *in = (bit_reader){p, p + n, 0, 0, (size_t)n * 8};
}

static void refill(bit_reader *in)
{
    while (in->have <= 56) {
        uint64_t byte = in->p < in->end ? *in->p++ : 0;
        in->window |= byte << (56 - in->have);
        in->have += 8;
    }
}

static void consume(bit_reader *in, unsigned n)
{
    in->window <<= n;
    in->have -= n;
    in->left -= n;
}

/* The next symbol, or EKBF_HUFF_END where the bits run out or form no code.
 * Short codes come from the fast table; longer ones bit by bit, canonical
 * decoding: the codes of each length are consecutive numbers following
 * those of the shorter lengths. */
static unsigned next_symbol(const ekb_reader *r, unsigned t, bit_reader *in)
{
    refill(in);
    unsigned fast = r->huff_fast[t][in->window >> (64 - EKBR_FAST_BITS)], l = fast >> 10;
    if (l && l <= in->left) {
        consume(in, l);
        return fast & 1023;
    }
    const uint16_t *count = r->huff_count[t];
    unsigned code = 0, first = 0, index = 0;
    for (l = 1; l <= EKBF_HUFF_MAX_BITS && in->left; l++) {
        code |= (unsigned)(in->window >> 63);
        consume(in, 1);
        if (code >= first && code - first < count[l])
            return r->huff_sym[t][index + code - first];
        index += count[l];
        first = (first + count[l]) << 1;
        code <<= 1;
    }
    return EKBF_HUFF_END;
}

/* The next piece of a string coded with table t: its bytes (1 to 8) into
 * the 8 bytes at b, and their count returned; 0 at the string's end, and
 * also where the bits run out or form no code (only in a corrupt index: the
 * string ends there). */
static unsigned next_piece(const ekb_reader *r, unsigned t, bit_reader *in, unsigned char *b)
{
    unsigned s = next_symbol(r, t, in);
    if (s >= EKBF_HUFF_END) {
        in->left = 0;
        return 0;
    }
    if (s >= EKBF_HUFF_LITERAL) {
        b[0] = (unsigned char)(s - EKBF_HUFF_LITERAL);
        return 1;
    }
    ekbf_put64(b, r->sym[t][s]); /* load_symt let no other symbol have a code */
    return r->sym_len[t][s];
}

/* Decodes n coded bytes with table t: writes at most cap bytes to out (none
 * when out is NULL) and returns the full decoded length. */
static size_t decode_string(const ekb_reader *r, unsigned t, const unsigned char *in, uint32_t n, char *out, size_t cap)
{
    bit_reader br;
    bits_init(&br, in, n);
    size_t k = 0;
    unsigned char b[8];
    unsigned m;
    if (!out)
        cap = 0;
    /* with 8 bytes of room a piece is stored straight into out */
    while (cap >= 8 && k <= cap - 8 && (m = next_piece(r, t, &br, (unsigned char *)out + k)) > 0)
        k += m;
    while ((m = next_piece(r, t, &br, b)) > 0) {
        if (k < cap)
            memcpy(out + k, b, cap - k < m ? cap - k : m);
        k += m;
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
    return decode_string(r, t, enc, enc_len, NULL, 0);
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
        return decode_string(r, t, enc, enc_len, NULL, 0);
    size_t got = decode_string(r, t, enc, enc_len, buf, size - 1);
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
    size_t len = decode_string(r, t, enc, enc_len, NULL, 0);
    char *buf = malloc(len + 1);
    if (!buf)
        return NULL;
    decode_string(r, t, enc, enc_len, buf, len);
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
    bit_reader br;
    bits_init(&br, in, enc_len);
    const unsigned char *t = (const unsigned char *)text;
    size_t k = 0;
    unsigned char b[8];
    unsigned m;
    while ((m = next_piece(r, tab, &br, b)) > 0) {
        for (unsigned j = 0; j < m; j++, k++) {
            if (k == n)
                return 1;
            if (b[j] != t[k])
                return b[j] < t[k] ? -1 : 1;
        }
    }
    return k == n ? 0 : -1;
}

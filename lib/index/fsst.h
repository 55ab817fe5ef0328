/* fsst.h: FSST string compression (Boncz, Neumann, Leis, VLDB 2020): a table
 * of up to 255 symbols of 1 to 8 bytes trained on a sample; code 255 escapes
 * one literal byte. Each string is encoded on its own, so each decodes alone. */
#ifndef EKB_INDEX_FSST_H
#define EKB_INDEX_FSST_H

#include <stddef.h>
#include <stdint.h>

typedef struct ekb_fsst {
    unsigned n;                 /* symbols */
    uint64_t sym[255];          /* bytes little-endian, zero-padded */
    unsigned char len[255];
    /* encoder: the codes of the symbols of two bytes or more starting with
     * bytes b0 b1 are order[first[b0 | b1 << 8] .. first[(b0 | b1 << 8) + 1]),
     * longest first; single[b] is the one-byte symbol b, or -1 */
    uint16_t first[65537];
    unsigned char order[255];
    int16_t single[256];
} ekb_fsst;

/* Trains a table on strings[0..n) (lens[i] bytes each). Deterministic: the
 * same strings in the same order give the same table. Returns 0 or -1 (memory). */
int ekb_fsst_train(ekb_fsst *t, const unsigned char *const *strings, const size_t *lens, size_t n);

/* Encodes in[0..n) into out, which has room for 2 × n bytes; returns the
 * encoded length. */
size_t ekb_fsst_encode(const ekb_fsst *t, const unsigned char *in, size_t n, unsigned char *out);

#endif

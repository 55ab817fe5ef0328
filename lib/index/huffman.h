/* huffman.h: the string pool's second stage (docs/index-format.md, STRS):
 * each table's FSST codes are coded again with a canonical Huffman code,
 * limited to EKBF_HUFF_MAX_BITS bits, built from how often the pool uses
 * each code. Each string stays decodable on its own. */
#ifndef EKB_INDEX_HUFFMAN_H
#define EKB_INDEX_HUFFMAN_H

#include <stddef.h>
#include <stdint.h>

#include "reader/format.h"

typedef struct ekb_huff {
    unsigned char len[EKBF_HUFF_SYMBOLS]; /* 0: the symbol is never coded */
    uint16_t code[EKBF_HUFF_SYMBOLS];
} ekb_huff;

/* Adds to freq[EKBF_HUFF_SYMBOLS] the symbols of one FSST-encoded string
 * (codes, and 255 + byte for an escaped byte) and its end. */
void ekb_huff_count(const unsigned char *fsst, size_t n, uint64_t *freq);

/* Builds the code: lengths by Huffman's algorithm, frequencies halved until
 * no code is longer than EKBF_HUFF_MAX_BITS; canonical codes (by length,
 * then symbol). Deterministic. Returns 0 or -1 (memory). */
int ekb_huff_build(ekb_huff *h, const uint64_t *freq);

/* Codes one FSST-encoded string, its end, and zero bits to the next byte
 * into out (room for 2 × n + 2 bytes); returns the bytes written. Every
 * symbol of the string must have a code (it was counted). */
size_t ekb_huff_encode(const ekb_huff *h, const unsigned char *fsst, size_t n, unsigned char *out);

#endif

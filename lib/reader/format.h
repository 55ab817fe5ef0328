/* format.h: the byte layout of the errkb index (docs/index-format.md), shared
 * by the writer (lib/index/) and the reader. Offsets are in bytes. */
#ifndef EKB_INDEX_FORMAT_H
#define EKB_INDEX_FORMAT_H

#include <stdint.h>
#include <string.h>

#include "errkb_reader.h"

#define EKBF_MAGIC "\x89" "EKBIDX\n" /* 8 bytes */
/* the version this code writes and reads: the reader's public one */
#define EKBF_MAJOR ((unsigned)EKB_READER_FORMAT_MAJOR)
#define EKBF_MINOR ((unsigned)EKB_READER_FORMAT_MINOR)

/* Header. */
enum {
    EKBF_HDR_MAGIC = 0,        /* 8 bytes */
    EKBF_HDR_CHECKSUM = 8,     /* u64: XXH64 (seed 0) of bytes [16, file size) */
    EKBF_HDR_MAJOR = 16,       /* u16 */
    EKBF_HDR_MINOR = 18,       /* u16 */
    EKBF_HDR_HEADER_SIZE = 20, /* u32: 64 + 16 × section count */
    EKBF_HDR_FILE_SIZE = 24,   /* u32 */
    EKBF_HDR_ENTRIES = 28,     /* u32 */
    EKBF_HDR_SECTIONS = 32,    /* u32 */
    EKBF_HDR_RESERVED1 = 36,   /* u32, zero */
    EKBF_HDR_CORPUS_HASH = 40, /* u64 */
    EKBF_HDR_RESERVED2 = 48,   /* 16 bytes, zero */
    EKBF_HDR_SIZE = 64,
    EKBF_SECT_SIZE = 16,       /* id u32, flags u32 (zero), offset u32, length u32 */
    EKBF_MAX_SECTIONS = 64,
};

/* Section ids: four ASCII letters read as a little-endian u32. */
#define EKBF_FOURCC(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define EKBF_SEC_META EKBF_FOURCC('M', 'E', 'T', 'A')
#define EKBF_SEC_SYMT EKBF_FOURCC('S', 'Y', 'M', 'T')
#define EKBF_SEC_STRS EKBF_FOURCC('S', 'T', 'R', 'S')
#define EKBF_SEC_ENUM EKBF_FOURCC('E', 'N', 'U', 'M')
#define EKBF_SEC_ENTR EKBF_FOURCC('E', 'N', 'T', 'R')
#define EKBF_SEC_VERS EKBF_FOURCC('V', 'E', 'R', 'S')
#define EKBF_SEC_DEAD EKBF_FOURCC('D', 'E', 'A', 'D')
#define EKBF_SEC_WORK EKBF_FOURCC('W', 'O', 'R', 'K')
#define EKBF_SEC_LINK EKBF_FOURCC('L', 'I', 'N', 'K')
#define EKBF_SEC_LIST EKBF_FOURCC('L', 'I', 'S', 'T')
#define EKBF_SEC_DOMS EKBF_FOURCC('D', 'O', 'M', 'S')
#define EKBF_SEC_CATS EKBF_FOURCC('C', 'A', 'T', 'S')
#define EKBF_SEC_TAGS EKBF_FOURCC('T', 'A', 'G', 'S')
#define EKBF_SEC_MEMB EKBF_FOURCC('M', 'E', 'M', 'B')
#define EKBF_SEC_RGXS EKBF_FOURCC('R', 'G', 'X', 'S')
#define EKBF_SEC_PFLT EKBF_FOURCC('P', 'F', 'L', 'T')
#define EKBF_SEC_GRAM EKBF_FOURCC('G', 'R', 'A', 'M')

/* META: record sizes (so a newer minor version can append fields to a
 * record) and the regex limits from the policy. */
enum {
    EKBF_META_ENTRY_SIZE = 0,
    EKBF_META_VERSION_SIZE = 4,
    EKBF_META_DEAD_END_SIZE = 8,
    EKBF_META_WORKAROUND_SIZE = 12,
    EKBF_META_LINK_SIZE = 16,
    EKBF_META_MATCH_LIMIT = 20,
    EKBF_META_DEPTH_LIMIT = 24,
    EKBF_META_HEAP_LIMIT_KIB = 28,
    EKBF_META_FLAGS = 32,      /* bit 0: samples included */
    EKBF_META_SIZE = 36,
};
#define EKBF_META_FLAG_SAMPLES 1u

/* A string reference: a byte offset into STRS, or EKBF_NULL for JSON null.
 * There a string is varint(encoded length << 2 | table), then its FSST
 * codes for symbol table `table` of SYMT, Huffman-coded with that table's
 * code: symbols 0 to 254 are FSST codes, EKBF_HUFF_LITERAL + b the escaped
 * byte b, EKBF_HUFF_END the end of the string; bits are read from the
 * highest of each byte down. SYMT stores each table's code lengths (0 to
 * EKBF_HUFF_MAX_BITS) in EKBF_HUFF_LEN_BYTES bytes, two per byte, the lower
 * half first. */
#define EKBF_TABLES 3
#define EKBF_HUFF_LITERAL 256u
#define EKBF_HUFF_END 512u
#define EKBF_HUFF_SYMBOLS 513u
#define EKBF_HUFF_MAX_BITS 15u
#define EKBF_HUFF_LEN_BYTES ((EKBF_HUFF_SYMBOLS + 1) / 2)
#define EKBF_NULL UINT32_MAX

/* ENUM: the names of the five enumerations of the entry format, in this order. */
enum {
    EKBF_ENUM_ROOT_CAUSE_TYPE, EKBF_ENUM_TIER, EKBF_ENUM_RESOLVABLE, EKBF_ENUM_LOCALE,
    EKBF_ENUM_STATUS, EKBF_ENUM_COUNT
};

/* ENTR record. */
enum {
    EKBF_E_ID = 0, EKBF_E_SIGNATURE = 4, EKBF_E_SIGNATURE_ZH = 8, EKBF_E_REGEX = 12,
    EKBF_E_ROOT_CAUSE = 16, EKBF_E_ROOT_CAUSE_ZH = 20, EKBF_E_SUBCATEGORY = 24,
    EKBF_E_DOC_URL = 28, EKBF_E_DOC_SECTION = 32, EKBF_E_ERROR_CODE = 36,
    EKBF_E_DOMAIN = 40, EKBF_E_CATEGORY = 44,
    EKBF_E_ROOT_CAUSE_TYPE = 48, EKBF_E_TIER = 49, EKBF_E_RESOLVABLE = 50, EKBF_E_LOCALE = 51,
    EKBF_E_PRESENT = 52,
    EKBF_E_CONFIDENCE = 56, EKBF_E_FIX_RATE = 64,
    EKBF_E_FIRST_SEEN = 72, EKBF_E_LAST_CONFIRMED = 76, EKBF_E_LAST_UPDATED = 80,
    EKBF_E_EVIDENCE = 84,
    /* lists: start u32, count u16 */
    EKBF_E_VERSIONS = 92, EKBF_E_DEAD_ENDS = 98, EKBF_E_WORKAROUNDS = 104,
    EKBF_E_WORKAROUNDS_ZH = 110, EKBF_E_OS_SPECIFIC = 116, EKBF_E_TAGS = 122,
    EKBF_E_ALIASES = 128, EKBF_E_LEADS_TO = 134, EKBF_E_PRECEDED_BY = 140,
    EKBF_E_CONFUSED = 146, EKBF_E_SAMPLES_MATCH = 152, EKBF_E_SAMPLES_NO_MATCH = 158,
    EKBF_E_SIZE = 164,
};

/* ENTR present bits: optional members that the source has (null included). */
enum {
    EKBF_P_SIGNATURE_ZH = 1u << 0, EKBF_P_ROOT_CAUSE_ZH = 1u << 1, EKBF_P_SUBCATEGORY = 1u << 2,
    EKBF_P_OS_SPECIFIC = 1u << 3, EKBF_P_WORKAROUNDS_ZH = 1u << 4, EKBF_P_DOC_URL = 1u << 5,
    EKBF_P_DOC_SECTION = 1u << 6, EKBF_P_ERROR_CODE = 1u << 7, EKBF_P_FIX_RATE = 1u << 8,
    EKBF_P_TAGS = 1u << 9, EKBF_P_ALIASES = 1u << 10, EKBF_P_SAMPLES = 1u << 11,
    EKBF_P_SAMPLES_MATCH = 1u << 12, EKBF_P_SAMPLES_NO_MATCH = 1u << 13,
    EKBF_P_ERROR_CODE_INT = 1u << 14, /* error_code is an integer, its text in decimal */
    EKBF_P_ALL = (1u << 15) - 1,
};

/* VERS record: version, then where in LIST the optional members that are
 * strings follow each other, in the order introduced, deprecated, removed,
 * behavior_change. EKBF_V_PRESENT: bits 0-3 the member is there (a string or
 * null), bits 4-7 it is a string (and has its place in LIST). */
enum { EKBF_V_VERSION = 0, EKBF_V_EXTRAS = 4, EKBF_V_STATUS = 8, EKBF_V_PRESENT = 9, EKBF_V_SIZE = 10 };
enum { EKBF_VP_INTRODUCED = 1, EKBF_VP_DEPRECATED = 2, EKBF_VP_REMOVED = 4, EKBF_VP_BEHAVIOR = 8, EKBF_VP_ALL = 15 };

/* DEAD record: sources start u32, count u16; present u8; one zero byte. */
enum {
    EKBF_D_ACTION = 0, EKBF_D_WHY = 4, EKBF_D_CONDITION = 8, EKBF_D_RATE = 12,
    EKBF_D_SOURCES = 20, EKBF_D_SOURCES_N = 24, EKBF_D_PRESENT = 26, EKBF_D_SIZE = 28,
};
/* WORK record: the same layout, how in place of why_fails. */
enum {
    EKBF_W_ACTION = 0, EKBF_W_HOW = 4, EKBF_W_CONDITION = 8, EKBF_W_RATE = 12,
    EKBF_W_SOURCES = 20, EKBF_W_SOURCES_N = 24, EKBF_W_PRESENT = 26, EKBF_W_SIZE = 28,
};
/* DEAD/WORK present bits. */
enum { EKBF_IP_HOW = 1, EKBF_IP_CONDITION = 2, EKBF_IP_SOURCES = 4, EKBF_IP_ALL = 7 };

/* LINK record. */
enum {
    EKBF_L_TARGET = 0, EKBF_L_PROBABILITY = 4, EKBF_L_CONDITION = 12, EKBF_L_FLAGS = 16, EKBF_L_SIZE = 20,
};
enum { EKBF_LF_OBJECT = 1, EKBF_LF_PROBABILITY = 2, EKBF_LF_CONDITION = 4, EKBF_LF_ALL = 7 };

/* DOMS, CATS, TAGS record: name, then (start, count) into MEMB. */
enum { EKBF_G_NAME = 0, EKBF_G_START = 4, EKBF_G_COUNT = 8, EKBF_G_SIZE = 12 };

/* RGXS record: compile flags, then the entry's prefilter program: first
 * step and number of steps in PFLT. */
enum { EKBF_R_FLAGS = 0, EKBF_R_PF_OFFSET = 4, EKBF_R_PF_LENGTH = 8, EKBF_R_SIZE = 12 };

/* PFLT (lib/regex/prefilter.h, serialised): n_atoms u32, the atoms as string
 * references u32[n] (lower-case ASCII, cut to EKBF_PF_ATOM_MAX bytes), then
 * the programs' steps as u32: op << 30 | arg. ATOM pushes "atom arg occurs in the folded text";
 * AND and OR pop arg values and push their conjunction or disjunction. */
enum { EKBF_PF_ATOM = 1, EKBF_PF_AND = 2, EKBF_PF_OR = 3 };
#define EKBF_PF_ARG_MASK 0x3FFFFFFFu
#define EKBF_PF_ATOM_MAX 16 /* a part of a required literal is required too */
enum {
    EKBF_RF_CASELESS = 1u << 0, EKBF_RF_MULTILINE = 1u << 1, EKBF_RF_DOTALL = 1u << 2,
    EKBF_RF_EXTENDED = 1u << 3, EKBF_RF_UNGREEDY = 1u << 4, EKBF_RF_ALL = (1u << 5) - 1,
};

/* GRAM: n_buckets (power of two) u32, n_pairs u32, n_always u32, then
 * bucket starts u32[n_buckets + 1], pairs (gram u32, entry u32)[n_pairs],
 * always-run entries u32[n_always]. */
enum { EKBF_GRAM_HEAD = 12 };
#define EKBF_GRAM_SHORT 0x80000000u /* entry word flag: the gram is 3 bytes long */

/* Gram key: bytes folded to ASCII lower case, little-endian, 3 or 4 bytes. */
static inline uint32_t ekbf_gram_hash(uint32_t gram, uint32_t mask)
{
    return (uint32_t)((gram * 0x9E3779B1u) >> 7) & mask;
}

/* Little-endian integers, byte by byte. */
static inline uint16_t ekbf_get16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t ekbf_get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t ekbf_get64(const unsigned char *p)
{
    return (uint64_t)ekbf_get32(p) | (uint64_t)ekbf_get32(p + 4) << 32;
}
static inline double ekbf_getf64(const unsigned char *p)
{
    uint64_t u = ekbf_get64(p);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}
static inline void ekbf_put16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}
static inline void ekbf_put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}
static inline void ekbf_put64(unsigned char *p, uint64_t v)
{
    ekbf_put32(p, (uint32_t)v);
    ekbf_put32(p + 4, (uint32_t)(v >> 32));
}
static inline void ekbf_putf64(unsigned char *p, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    ekbf_put64(p, u);
}

/* XXH64 (seed 0) of n bytes: the checksum and the corpus hash. */
uint64_t ekbf_xxh64(const void *data, size_t n);

/* PCRE2 compile options for EKBF_RF_* flags (PCRE2_UTF | PCRE2_UCP and one
 * option per flag): the writer analyses each regex as the reader compiles
 * it. Defined in match.c. */
uint32_t ekbf_pcre2_options(uint32_t flags);

#endif

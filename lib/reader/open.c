/* open.c: opening an index from memory or a mapped file; every offset, length,
 * count and reference is checked against the buffer before anything uses it. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "reader_private.h"

int ekbr_fail(ekb_reader_error *err, ekb_reader_status code, size_t offset, const char *fmt, ...)
{
    if (err) {
        err->code = code;
        err->sys_errno = 0;
        err->offset = offset;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->text, sizeof err->text, fmt, ap);
        va_end(ap);
    }
    return -1;
}

const char *ekb_reader_status_name(ekb_reader_status code)
{
    switch (code) {
    case EKB_READER_OK: return "no error";
    case EKB_READER_ERR_IO: return "cannot read the index";
    case EKB_READER_ERR_NOMEM: return "out of memory";
    case EKB_READER_ERR_MAGIC: return "not an errkb index";
    case EKB_READER_ERR_VERSION: return "unsupported format version";
    case EKB_READER_ERR_TRUNCATED: return "truncated index";
    case EKB_READER_ERR_CHECKSUM: return "checksum mismatch";
    case EKB_READER_ERR_CORRUPT: return "corrupt index";
    case EKB_READER_ERR_ARG: return "invalid argument";
    case EKB_READER_ERR_REGEX: return "regex does not compile";
    }
    return "unknown error";
}

static void sect_name(uint32_t id, char out[5])
{
    for (int i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)(id >> (8 * i));
        out[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    out[4] = '\0';
}

/* The section with this id: 1 found, 0 not. */
static int find_sect(const ekb_reader *r, uint32_t id, const unsigned char **p, uint32_t *len)
{
    for (uint32_t i = 0; i < r->n_sect; i++)
        if (r->sect[i].id == id) {
            *p = r->base + r->sect[i].offset;
            *len = r->sect[i].length;
            return 1;
        }
    return 0;
}

static int need_sect(const ekb_reader *r, uint32_t id, const unsigned char **p, uint32_t *len,
                     ekb_reader_error *err)
{
    if (find_sect(r, id, p, len))
        return 0;
    char name[5];
    sect_name(id, name);
    return ekbr_fail(err, EKB_READER_ERR_CORRUPT, 0, "required section '%s' is missing", name);
}

static int check_header(ekb_reader *r, ekb_reader_error *err)
{
    const unsigned char *b = r->base;
    if (r->size < 8 || memcmp(b, EKBF_MAGIC, 8) != 0)
        return ekbr_fail(err, r->size < 8 && !memcmp(b, EKBF_MAGIC, r->size) ? EKB_READER_ERR_TRUNCATED
                                                                              : EKB_READER_ERR_MAGIC,
                         0, "no errkb index magic at the start");
    if (r->size < EKBF_HDR_SIZE)
        return ekbr_fail(err, EKB_READER_ERR_TRUNCATED, r->size, "file of %zu bytes is shorter than the %d-byte header",
                         r->size, EKBF_HDR_SIZE);
    r->major = ekbf_get16(b + EKBF_HDR_MAJOR);
    r->minor = ekbf_get16(b + EKBF_HDR_MINOR);
    if (r->major != EKBF_MAJOR)
        return ekbr_fail(err, EKB_READER_ERR_VERSION, EKBF_HDR_MAJOR,
                         "index format version is %u.%u; this reader reads only version %u indexes", r->major,
                         r->minor, EKBF_MAJOR);
    uint32_t hsize = ekbf_get32(b + EKBF_HDR_HEADER_SIZE), fsize = ekbf_get32(b + EKBF_HDR_FILE_SIZE);
    r->n_entries = ekbf_get32(b + EKBF_HDR_ENTRIES);
    r->n_sect = ekbf_get32(b + EKBF_HDR_SECTIONS);
    r->corpus_hash = ekbf_get64(b + EKBF_HDR_CORPUS_HASH);
    if (fsize > r->size)
        return ekbr_fail(err, EKB_READER_ERR_TRUNCATED, r->size, "index is %zu bytes, its header says %u", r->size,
                         fsize);
    if (fsize < r->size)
        return ekbr_fail(err, EKB_READER_ERR_CORRUPT, fsize, "%zu bytes after the end the header gives (%u)",
                         r->size - fsize, fsize);
    if (r->n_sect > EKBF_MAX_SECTIONS || hsize != EKBF_HDR_SIZE + EKBF_SECT_SIZE * r->n_sect)
        return ekbr_fail(err, EKB_READER_ERR_CORRUPT, EKBF_HDR_SECTIONS, "bad section count %u or header size %u",
                         r->n_sect, hsize);
    if (hsize > fsize)
        return ekbr_fail(err, EKB_READER_ERR_TRUNCATED, fsize, "section table ends past the end of the file");
    if (ekbf_get32(b + EKBF_HDR_RESERVED1) != 0 || ekbf_get64(b + EKBF_HDR_RESERVED2) != 0 ||
        ekbf_get64(b + EKBF_HDR_RESERVED2 + 8) != 0)
        return ekbr_fail(err, EKB_READER_ERR_CORRUPT, EKBF_HDR_RESERVED1, "reserved header bytes are not zero");
    uint32_t at = hsize;
    for (uint32_t i = 0; i < r->n_sect; i++) {
        const unsigned char *s = b + EKBF_HDR_SIZE + EKBF_SECT_SIZE * i;
        r->sect[i].id = ekbf_get32(s);
        r->sect[i].offset = ekbf_get32(s + 8);
        r->sect[i].length = ekbf_get32(s + 12);
        char name[5];
        sect_name(r->sect[i].id, name);
        if (ekbf_get32(s + 4) != 0)
            return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(s + 4 - b), "section '%s' has nonzero flags", name);
        for (uint32_t j = 0; j < i; j++)
            if (r->sect[j].id == r->sect[i].id)
                return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(s - b), "section '%s' appears twice", name);
        /* sections follow each other without gaps, in table order */
        if (r->sect[i].offset != at)
            return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(s + 8 - b),
                             "section '%s' starts at %u, expected %u", name, r->sect[i].offset, at);
        if (r->sect[i].length > fsize - at)
            return ekbr_fail(err, EKB_READER_ERR_TRUNCATED, (size_t)(s + 12 - b),
                             "section '%s' ends past the end of the file", name);
        at += r->sect[i].length;
    }
    if (at != fsize)
        return ekbr_fail(err, EKB_READER_ERR_CORRUPT, at, "sections end at %u, the file at %u", at, fsize);
    return 0;
}

static int load_meta(ekb_reader *r, uint32_t sizes[5], ekb_reader_error *err)
{
    const unsigned char *p = NULL;
    uint32_t len = 0;
    if (need_sect(r, EKBF_SEC_META, &p, &len, err))
        return -1;
    if (len < EKBF_META_SIZE)
        return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(p - r->base), "section 'META' is too short");
    static const uint32_t min[5] = {EKBF_E_SIZE, EKBF_V_SIZE, EKBF_D_SIZE, EKBF_W_SIZE, EKBF_L_SIZE};
    for (int i = 0; i < 5; i++) {
        sizes[i] = ekbf_get32(p + 4 * i);
        if (sizes[i] < min[i] || sizes[i] > 4096)
            return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(p + 4 * i - r->base),
                             "record size %u out of range", sizes[i]);
    }
    r->match_limit = ekbf_get32(p + EKBF_META_MATCH_LIMIT);
    r->depth_limit = ekbf_get32(p + EKBF_META_DEPTH_LIMIT);
    r->heap_limit_kib = ekbf_get32(p + EKBF_META_HEAP_LIMIT_KIB);
    r->meta_flags = ekbf_get32(p + EKBF_META_FLAGS);
    return 0;
}

/* Table t's Huffman code lengths (two to a byte, the lower half first):
 * only FSST codes the table has, escaped bytes and the end may have a code;
 * the end must, unless no symbol has one; the lengths must give a prefix
 * code (Kraft's sum at most 1). Fills the canonical decoding tables. */
static int load_huffman(ekb_reader *r, unsigned t, const unsigned char *p, ekb_reader_error *err)
{
    size_t off = (size_t)(p - r->base);
    uint16_t *count = r->huff_count[t];
    unsigned char len[EKBF_HUFF_SYMBOLS];
    uint32_t kraft = 0;
    memset(count, 0, sizeof r->huff_count[t]);
    for (unsigned s = 0; s < EKBF_HUFF_SYMBOLS; s++) {
        len[s] = (unsigned char)(p[s / 2] >> (s % 2 ? 4 : 0) & 15);
        if (len[s] && s >= r->n_sym[t] && s < EKBF_HUFF_LITERAL)
            return ekbr_fail(err, EKB_READER_ERR_CORRUPT, off + s / 2, "symbol table %u codes a symbol it lacks", t);
        count[len[s]]++;
        if (len[s])
            kraft += 1u << (EKBF_HUFF_MAX_BITS - len[s]);
    }
    /* a table that no string uses has no code at all */
    if ((EKBF_HUFF_SYMBOLS % 2 && p[EKBF_HUFF_SYMBOLS / 2] >> 4) || (kraft && !len[EKBF_HUFF_END]) ||
        kraft > 1u << EKBF_HUFF_MAX_BITS)
        return ekbr_fail(err, EKB_READER_ERR_CORRUPT, off, "symbol table %u has a bad Huffman code", t);
    count[0] = 0;
    uint16_t start[EKBF_HUFF_MAX_BITS + 2] = {0};
    for (unsigned l = 1; l <= EKBF_HUFF_MAX_BITS; l++)
        start[l + 1] = (uint16_t)(start[l] + count[l]);
    for (unsigned s = 0; s < EKBF_HUFF_SYMBOLS; s++)
        if (len[s])
            r->huff_sym[t][start[len[s]]++] = (uint16_t)s;
    /* the fast table: each short code fills the slots it is a prefix of */
    uint16_t *fast = r->huff_fast[t];
    memset(fast, 0, sizeof r->huff_fast[t]);
    unsigned code = 0, k = 0;
    for (unsigned l = 1; l <= EKBR_FAST_BITS; l++) {
        for (unsigned i = 0; i < count[l]; i++, code++, k++) {
            unsigned first = code << (EKBR_FAST_BITS - l), n = 1u << (EKBR_FAST_BITS - l);
            for (unsigned j = 0; j < n; j++)
                fast[first + j] = (uint16_t)(l << 10 | r->huff_sym[t][k]);
        }
        code <<= 1;
    }
    return 0;
}

static int load_symt(ekb_reader *r, ekb_reader_error *err)
{
    const unsigned char *p = NULL, *end;
    uint32_t len = 0;
    if (need_sect(r, EKBF_SEC_SYMT, &p, &len, err))
        return -1;
    end = p + len;
    size_t off = (size_t)(p - r->base);
    if (len < 1 || p[0] < 1 || p[0] > EKBF_TABLES)
        return ekbr_fail(err, EKB_READER_ERR_CORRUPT, off, "bad symbol table count");
    r->n_tables = *p++;
    for (unsigned t = 0; t < r->n_tables; t++) {
        if (p == end || (size_t)(end - p) < 1u + p[0])
            return ekbr_fail(err, EKB_READER_ERR_CORRUPT, off, "symbol table %u is cut short", t);
        unsigned n = r->n_sym[t] = *p++;
        const unsigned char *bytes = p + n;
        for (unsigned i = 0; i < n; i++) {
            unsigned len = r->sym_len[t][i] = p[i];
            if (len < 1 || len > 8)
                return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(p + i - r->base), "symbol %u has length %u", i,
                                 len);
            if ((size_t)(end - bytes) < len)
                return ekbr_fail(err, EKB_READER_ERR_CORRUPT, off, "symbol table %u is cut short", t);
            uint64_t v = 0;
            for (unsigned j = 0; j < len; j++)
                v |= (uint64_t)bytes[j] << (8 * j);
            r->sym[t][i] = v;
            bytes += len;
        }
        if ((size_t)(end - bytes) < EKBF_HUFF_LEN_BYTES)
            return ekbr_fail(err, EKB_READER_ERR_CORRUPT, off, "symbol table %u is cut short", t);
        if (load_huffman(r, t, bytes, err))
            return -1;
        p = bytes + EKBF_HUFF_LEN_BYTES;
    }
    if (p != end)
        return ekbr_fail(err, EKB_READER_ERR_CORRUPT, off, "bad symbol table size");
    return 0;
}

static int read_varint(const unsigned char **p, const unsigned char *end, uint32_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
        if (*p == end)
            return -1;
        unsigned char c = *(*p)++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            if (v > UINT32_MAX)
                return -1;
            *out = (uint32_t)v;
            return 0;
        }
    }
    return -1;
}

int ekbr_str_header(const ekb_reader *r, uint32_t off, unsigned *table, const unsigned char **enc, uint32_t *enc_len)
{
    if (off >= r->strs_len)
        return -1;
    const unsigned char *p = r->strs + off, *end = r->strs + r->strs_len;
    uint32_t head;
    if (read_varint(&p, end, &head) || (head & 3) >= r->n_tables || (head >> 2) > (size_t)(end - p))
        return -1;
    *enc_len = head >> 2;
    *table = head & 3;
    *enc = p;
    return 0;
}

/* A string reference at p: EKBF_NULL when nullable, else a string in STRS. */
static int check_str(const ekb_reader *r, const unsigned char *p, bool nullable, ekb_reader_error *err)
{
    uint32_t off = ekbf_get32(p), enc_len;
    unsigned table;
    const unsigned char *enc;
    if (off == EKBF_NULL && nullable)
        return 0;
    if (ekbr_str_header(r, off, &table, &enc, &enc_len) != 0)
        return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(p - r->base), "bad string reference %u", off);
    return 0;
}

static int table(ekb_reader *r, uint32_t id, uint32_t size, ekbr_table *t, ekb_reader_error *err)
{
    uint32_t len = 0;
    if (need_sect(r, id, &t->p, &len, err))
        return -1;
    if (len % size != 0) {
        char name[5];
        sect_name(id, name);
        return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(t->p - r->base),
                         "section '%s' is not a whole number of %u-byte records", name, size);
    }
    t->n = len / size;
    t->size = size;
    return 0;
}

static int u32_array(ekb_reader *r, uint32_t id, const unsigned char **p, uint32_t *n, ekb_reader_error *err)
{
    uint32_t len = 0;
    if (need_sect(r, id, p, &len, err))
        return -1;
    if (len % 4 != 0)
        return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(*p - r->base), "section length %u is not a multiple of 4",
                         len);
    *n = len / 4;
    return 0;
}

static int load_enums(ekb_reader *r, ekb_reader_error *err)
{
    const unsigned char *p = NULL, *end;
    uint32_t len = 0;
    if (need_sect(r, EKBF_SEC_ENUM, &p, &len, err))
        return -1;
    end = p + len;
    for (int k = 0; k < EKBF_ENUM_COUNT; k++) {
        if (end - p < 4)
            return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(p - r->base), "section 'ENUM' is too short");
        uint32_t n = ekbf_get32(p);
        p += 4;
        if (n > 255 || n > (size_t)(end - p) / 4)
            return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(p - r->base), "bad enumeration size %u", n);
        r->enums[k] = p;
        r->n_enum[k] = n;
        for (uint32_t i = 0; i < n; i++)
            if (check_str(r, p + 4 * i, false, err))
                return -1;
        p += 4 * n;
    }
    return 0;
}

static int load_gram(ekb_reader *r, ekb_reader_error *err)
{
    const unsigned char *p = NULL;
    uint32_t len = 0;
    if (need_sect(r, EKBF_SEC_GRAM, &p, &len, err))
        return -1;
    size_t off = (size_t)(p - r->base);
    if (len < EKBF_GRAM_HEAD)
        return ekbr_fail(err, EKB_READER_ERR_CORRUPT, off, "section 'GRAM' is too short");
    uint32_t nb = ekbf_get32(p), np = ekbf_get32(p + 4), na = ekbf_get32(p + 8);
    if (nb == 0 || (nb & (nb - 1)) != 0 || nb > (1u << 28) || np > (1u << 28) || na > (1u << 28) ||
        (uint64_t)len != EKBF_GRAM_HEAD + 4 * ((uint64_t)nb + 1) + 8 * (uint64_t)np + 4 * (uint64_t)na)
        return ekbr_fail(err, EKB_READER_ERR_CORRUPT, off, "section 'GRAM' has bad sizes");
    r->gram_mask = nb - 1;
    r->n_pairs = np;
    r->n_always = na;
    r->gram_buckets = p + EKBF_GRAM_HEAD;
    r->gram_pairs = r->gram_buckets + 4 * ((size_t)nb + 1);
    r->gram_always = r->gram_pairs + 8 * (size_t)np;
    uint32_t prev = 0;
    for (uint32_t i = 0; i <= nb; i++) {
        uint32_t s = ekbf_get32(r->gram_buckets + 4 * (size_t)i);
        if (s < prev || s > np || (i == 0 && s != 0) || (i == nb && s != np))
            return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(r->gram_buckets + 4 * (size_t)i - r->base),
                             "gram bucket %u starts at %u", i, s);
        prev = s;
    }
    for (uint32_t i = 0; i < np; i++)
        if ((ekbf_get32(r->gram_pairs + 8 * (size_t)i + 4) & ~EKBF_GRAM_SHORT) >= r->n_entries)
            return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(r->gram_pairs + 8 * (size_t)i - r->base),
                             "gram names entry out of range");
    for (uint32_t i = 0; i < na; i++)
        if (ekbf_get32(r->gram_always + 4 * (size_t)i) >= r->n_entries)
            return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(r->gram_always + 4 * (size_t)i - r->base),
                             "always-run list names entry out of range");
    return 0;
}

/* PFLT: the atoms and the programs' steps (lib/regex/prefilter.h). The
 * atoms' string references are checked with the other strings. */
static int load_pflt(ekb_reader *r, ekb_reader_error *err)
{
    const unsigned char *p = NULL;
    uint32_t len = 0;
    if (need_sect(r, EKBF_SEC_PFLT, &p, &len, err))
        return -1;
    size_t off = (size_t)(p - r->base);
    if (len < 4 || len % 4 != 0 || ekbf_get32(p) > (len - 4) / 4)
        return ekbr_fail(err, EKB_READER_ERR_CORRUPT, off, "section 'PFLT' has bad sizes");
    r->pf_atoms = ekbf_get32(p);
    r->pf_atom = p + 4;
    r->pf_step = r->pf_atom + 4 * (size_t)r->pf_atoms;
    r->pf_steps = (len - 4) / 4 - r->pf_atoms;
    return 0;
}

/* A program never pops more than it pushed, names atoms that exist, and
 * leaves one value (or is empty: always a candidate). */
static int check_program(ekb_reader *r, uint32_t first, uint32_t n)
{
    uint32_t depth = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t w = ekbf_get32(r->pf_step + 4 * ((size_t)first + i)), op = w >> 30, arg = w & EKBF_PF_ARG_MASK;
        if (op == EKBF_PF_ATOM && arg < r->pf_atoms)
            depth++;
        else if ((op == EKBF_PF_AND || op == EKBF_PF_OR) && arg >= 1 && arg <= depth)
            depth -= arg - 1;
        else
            return -1;
    }
    if (n && depth != 1)
        return -1;
    if (n > r->pf_max_program)
        r->pf_max_program = n;
    return 0;
}

#define CHECK_STR(rec, off, nullable) \
    do { if (check_str(r, (rec) + (off), (nullable), err)) return -1; } while (0)
#define CHECK_RANGE(rec, off, n, what) \
    do { if (ekbr_list_ok((rec) + (off), (n))) \
        return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)((rec) + (off) - r->base), "%s out of range", what); \
    } while (0)

static int check_records(ekb_reader *r, ekb_reader_error *err)
{
    for (uint32_t i = 0; i < r->n_list; i++)
        CHECK_STR(r->list, 4 * (size_t)i, true);
    for (uint32_t i = 0; i < r->pf_atoms; i++)
        CHECK_STR(r->pf_atom, 4 * (size_t)i, false);
    for (uint32_t i = 0; i < r->n_memb; i++)
        if (ekbf_get32(r->memb + 4 * (size_t)i) >= r->n_entries)
            return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(r->memb + 4 * (size_t)i - r->base),
                             "group member out of range");
    for (int g = 0; g < 3; g++)
        for (uint32_t i = 0; i < r->groups[g].n; i++) {
            const unsigned char *q = ekbr_record(&r->groups[g], i);
            CHECK_STR(q, EKBF_G_NAME, false);
            if (ekbr_range_ok(q + EKBF_G_START, r->n_memb))
                return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(q - r->base), "group members out of range");
        }
    for (uint32_t i = 0; i < r->vers.n; i++) {
        const unsigned char *q = ekbr_record(&r->vers, i);
        CHECK_STR(q, EKBF_V_VERSION, false);
        unsigned extras = 0;
        for (int k = 0; k < 4; k++)
            extras += (q[EKBF_V_PRESENT] >> (4 + k)) & 1;
        uint32_t at = ekbf_get32(q + EKBF_V_EXTRAS);
        if (at > r->n_list || extras > r->n_list - at)
            return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(q - r->base), "version members out of range");
        if (q[EKBF_V_STATUS] >= r->n_enum[EKBF_ENUM_STATUS])
            return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(q - r->base), "version status out of range");
    }
    const ekbr_table *fixes[2] = {&r->dead, &r->work};
    for (int t = 0; t < 2; t++)
        for (uint32_t i = 0; i < fixes[t]->n; i++) {
            const unsigned char *q = ekbr_record(fixes[t], i);
            CHECK_STR(q, 0, false);
            CHECK_STR(q, 4, true);
            CHECK_STR(q, 8, true);
            uint32_t ss = ekbf_get32(q + EKBF_D_SOURCES), sn = ekbf_get16(q + EKBF_D_SOURCES_N);
            if (ss > r->n_list || sn > r->n_list - ss)
                return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(q - r->base), "sources out of range");
        }
    for (uint32_t i = 0; i < r->link.n; i++) {
        const unsigned char *q = ekbr_record(&r->link, i);
        if (ekbf_get32(q + EKBF_L_TARGET) >= r->n_entries)
            return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(q - r->base), "link target out of range");
        CHECK_STR(q, EKBF_L_CONDITION, true);
    }
    for (uint32_t i = 0; i < r->n_entries; i++) {
        const unsigned char *q = ekbr_record(&r->entr, i);
        CHECK_STR(q, EKBF_E_ID, false);
        for (int off = EKBF_E_SIGNATURE; off <= EKBF_E_ERROR_CODE; off += 4)
            CHECK_STR(q, off, true);
        if (ekbf_get32(q + EKBF_E_DOMAIN) >= r->groups[0].n || ekbf_get32(q + EKBF_E_CATEGORY) >= r->groups[1].n)
            return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(q - r->base), "domain or category out of range");
        for (int k = 0; k < 4; k++)
            if (q[EKBF_E_ROOT_CAUSE_TYPE + k] >= r->n_enum[k])
                return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(q + EKBF_E_ROOT_CAUSE_TYPE + k - r->base),
                                 "enumeration value out of range");
        CHECK_RANGE(q, EKBF_E_VERSIONS, r->vers.n, "versions");
        CHECK_RANGE(q, EKBF_E_DEAD_ENDS, r->dead.n, "dead ends");
        CHECK_RANGE(q, EKBF_E_WORKAROUNDS, r->work.n, "workarounds");
        static const int lists[] = {EKBF_E_WORKAROUNDS_ZH, EKBF_E_TAGS, EKBF_E_ALIASES, EKBF_E_SAMPLES_MATCH,
                                    EKBF_E_SAMPLES_NO_MATCH};
        for (size_t k = 0; k < sizeof lists / sizeof *lists; k++)
            CHECK_RANGE(q, lists[k], r->n_list, "string list");
        uint32_t os = ekbf_get32(q + EKBF_E_OS_SPECIFIC), osn = ekbf_get16(q + EKBF_E_OS_SPECIFIC + 4);
        if (os > r->n_list || osn > (r->n_list - os) / 2)
            return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(q + EKBF_E_OS_SPECIFIC - r->base),
                             "os_specific out of range");
        for (int off = EKBF_E_LEADS_TO; off <= EKBF_E_CONFUSED; off += 6)
            CHECK_RANGE(q, off, r->link.n, "links");
        const unsigned char *g = ekbr_record(&r->rgxs, i);
        if (ekbf_get32(g + EKBF_R_FLAGS) & ~(uint32_t)EKBF_RF_ALL)
            return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(g - r->base), "unknown regex flags");
        if (ekbr_range_ok(g + EKBF_R_PF_OFFSET, r->pf_steps) ||
            check_program(r, ekbf_get32(g + EKBF_R_PF_OFFSET), ekbf_get32(g + EKBF_R_PF_LENGTH)))
            return ekbr_fail(err, EKB_READER_ERR_CORRUPT, (size_t)(g - r->base), "bad prefilter program");
    }
    return 0;
}

static int load_all(ekb_reader *r, unsigned flags, ekb_reader_error *err)
{
    if (check_header(r, err))
        return -1;
    if (!(flags & EKB_READER_NO_CHECKSUM)) {
        uint64_t want = ekbf_get64(r->base + EKBF_HDR_CHECKSUM);
        uint64_t got = ekbf_xxh64(r->base + 16, r->size - 16);
        if (want != got)
            return ekbr_fail(err, EKB_READER_ERR_CHECKSUM, EKBF_HDR_CHECKSUM,
                             "checksum is %016llx, the content gives %016llx", (unsigned long long)want,
                             (unsigned long long)got);
    }
    uint32_t sizes[5];
    if (load_meta(r, sizes, err) || load_symt(r, err) || need_sect(r, EKBF_SEC_STRS, &r->strs, &r->strs_len, err) ||
        load_enums(r, err) || table(r, EKBF_SEC_ENTR, sizes[0], &r->entr, err) ||
        table(r, EKBF_SEC_VERS, sizes[1], &r->vers, err) || table(r, EKBF_SEC_DEAD, sizes[2], &r->dead, err) ||
        table(r, EKBF_SEC_WORK, sizes[3], &r->work, err) || table(r, EKBF_SEC_LINK, sizes[4], &r->link, err) ||
        table(r, EKBF_SEC_DOMS, EKBF_G_SIZE, &r->groups[0], err) ||
        table(r, EKBF_SEC_CATS, EKBF_G_SIZE, &r->groups[1], err) ||
        table(r, EKBF_SEC_TAGS, EKBF_G_SIZE, &r->groups[2], err) ||
        table(r, EKBF_SEC_RGXS, EKBF_R_SIZE, &r->rgxs, err) ||
        u32_array(r, EKBF_SEC_LIST, &r->list, &r->n_list, err) ||
        u32_array(r, EKBF_SEC_MEMB, &r->memb, &r->n_memb, err) || load_pflt(r, err))
        return -1;
    if (r->entr.n != r->n_entries || r->rgxs.n != r->n_entries)
        return ekbr_fail(err, EKB_READER_ERR_CORRUPT, EKBF_HDR_ENTRIES, "header says %u entries, the tables hold %u and %u",
                         r->n_entries, r->entr.n, r->rgxs.n);
    if (load_gram(r, err) || check_records(r, err))
        return -1;
    return 0;
}

static int finish_open(ekb_reader *r, unsigned flags, ekb_reader **out, ekb_reader_error *err)
{
    r->flags = flags;
    if (load_all(r, flags, err))
        goto fail;
    r->codes = calloc((size_t)r->n_entries + 1, sizeof *r->codes);
    r->cctx = pcre2_compile_context_create(NULL);
    if (!r->codes || !r->cctx) {
        ekbr_fail(err, EKB_READER_ERR_NOMEM, 0, "out of memory");
        goto fail;
    }
    for (uint32_t i = 0; i < r->n_entries; i++)
        atomic_init(&r->codes[i], NULL);
    if (flags & EKB_READER_COMPILE_ALL)
        for (uint32_t i = 0; i < r->n_entries; i++)
            if (!ekbr_regex(r, i, err))
                goto fail;
    *out = r;
    return 0;
fail:
    ekb_reader_close(r);
    return -1;
}

int ekb_reader_open_memory(const void *data, size_t size, unsigned flags, ekb_reader **out, ekb_reader_error *err)
{
    if (!out || (!data && size))
        return ekbr_fail(err, EKB_READER_ERR_ARG, 0, "no buffer or no place for the result");
    *out = NULL;
    ekb_reader *r = calloc(1, sizeof *r);
    if (!r)
        return ekbr_fail(err, EKB_READER_ERR_NOMEM, 0, "out of memory");
    r->base = data ? data : (const unsigned char *)"";
    r->size = size;
    return finish_open(r, flags, out, err);
}

int ekb_reader_open_file(const char *path, unsigned flags, ekb_reader **out, ekb_reader_error *err)
{
    if (!out || !path)
        return ekbr_fail(err, EKB_READER_ERR_ARG, 0, "no path or no place for the result");
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = fd < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : errno ? errno : EINVAL;
        if (fd >= 0)
            close(fd);
        ekbr_fail(err, EKB_READER_ERR_IO, 0, "cannot open '%s': %s", path, strerror(e));
        if (err)
            err->sys_errno = e;
        return -1;
    }
    ekb_reader *r = calloc(1, sizeof *r);
    if (!r) {
        close(fd);
        return ekbr_fail(err, EKB_READER_ERR_NOMEM, 0, "out of memory");
    }
    if (st.st_size > 0) {
        if ((uint64_t)st.st_size > SIZE_MAX) {
            close(fd);
            free(r);
            return ekbr_fail(err, EKB_READER_ERR_IO, 0, "'%s' is too large to map", path);
        }
        void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (m == MAP_FAILED) {
            int e = errno;
            close(fd);
            free(r);
            ekbr_fail(err, EKB_READER_ERR_IO, 0, "cannot map '%s': %s", path, strerror(e));
            if (err)
                err->sys_errno = e;
            return -1;
        }
        r->map = m;
        r->map_len = (size_t)st.st_size;
        r->base = m;
    } else {
        r->base = (const unsigned char *)"";
    }
    close(fd);
    r->size = (size_t)st.st_size;
    return finish_open(r, flags, out, err);
}

void ekb_reader_close(ekb_reader *r)
{
    if (!r)
        return;
    if (r->codes) {
        for (uint32_t i = 0; i < r->n_entries; i++) {
            pcre2_code *c = atomic_load(&r->codes[i]);
            if (c && c != EKBR_FAILED(r))
                pcre2_code_free(c);
        }
        free(r->codes);
    }
    pcre2_compile_context_free(r->cctx);
    if (r->map)
        munmap(r->map, r->map_len);
    free(r);
}

void ekb_reader_get_info(const ekb_reader *r, ekb_reader_info *out)
{
    out->major = r->major;
    out->minor = r->minor;
    out->entries = r->n_entries;
    out->corpus_hash = r->corpus_hash;
    out->size = r->size;
    out->has_samples = (r->meta_flags & EKBF_META_FLAG_SAMPLES) != 0;
}

size_t ekb_reader_section_count(const ekb_reader *r)
{
    return r->n_sect;
}

int ekb_reader_section(const ekb_reader *r, size_t i, char name[5], uint32_t *offset, uint32_t *length)
{
    if (i >= r->n_sect)
        return -1;
    sect_name(r->sect[i].id, name);
    *offset = r->sect[i].offset;
    *length = r->sect[i].length;
    return 0;
}

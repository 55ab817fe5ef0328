/* build.c: compiling a loaded corpus into the index: entries in id order,
 * strings interned once and compressed (FSST, then Huffman), sections laid
 * out, header and checksum written. Deterministic: nothing depends on file
 * order, locale, time or machine. */
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "parallel.h"
#include "fsst.h"
#include "huffman.h"
#include "policy.h"

unsigned char *ekb_bytes_add(ekb_bytes *b, size_t n)
{
    if (b->failed)
        return NULL;
    /* even for n == 0 the buffer exists: NULL always means failure */
    if (n > SIZE_MAX - b->len - 1 || ekb_grow_to(&b->p, &b->cap, b->len + n ? b->len + n : 1, 1, 256) != 0) {
        b->failed = true;
        return NULL;
    }
    unsigned char *at = b->p + b->len;
    memset(at, 0, n);
    b->len += n;
    return at;
}

void ekb_bytes_free(ekb_bytes *b)
{
    free(b->p);
    *b = (ekb_bytes){0};
}

/* --- interning --- */

/* xxh64 reads eight bytes a step: interning hashes every string of every
 * entry (hundreds of megabytes at 100k entries). */
static uint32_t hash_bytes(const char *s, size_t n)
{
    return (uint32_t)ekbf_xxh64(s, n);
}

static uint32_t str_hash(const void *ctx, size_t i)
{
    return ((const builder *)ctx)->str[i].hash;
}

static int rehash(builder *b)
{
    size_t ns = b->n_slots ? b->n_slots * 2 : 4096;
    uint32_t *slots = ekb_slots_make(ns, b->n_str, str_hash, b);
    if (!slots)
        return -1;
    free(b->slots);
    b->slots = slots;
    b->n_slots = ns;
    return 0;
}

uint32_t ekb_b_intern(builder *b, const char *s, size_t len)
{
    if (b->oom)
        return 0;
    if ((b->n_str + 1) * 2 > b->n_slots && rehash(b) != 0) {
        b->oom = true;
        return 0;
    }
    if (len > UINT32_MAX) {
        b->oom = true; /* cannot come from a frozen entry */
        return 0;
    }
    uint32_t hash = hash_bytes(s, len);
    size_t h = hash & (b->n_slots - 1);
    while (b->slots[h]) {
        bstr *x = &b->str[b->slots[h] - 1];
        if (x->hash == hash && x->len == len && memcmp(x->s, s, len) == 0)
            return b->slots[h] - 1;
        h = (h + 1) & (b->n_slots - 1);
    }
    if (ekb_grow(&b->str, &b->cap_str, b->n_str, sizeof *b->str, 1024) != 0) {
        b->oom = true;
        return 0;
    }
    b->str[b->n_str] = (bstr){s, (uint32_t)len, hash};
    b->slots[h] = (uint32_t)++b->n_str;
    return (uint32_t)(b->n_str - 1);
}

void ekb_b_ref(builder *b, int sec, size_t off, uint32_t n)
{
    if (b->sec[sec].failed || off + 4 > b->sec[sec].len)
        return;
    ekbf_put32(b->sec[sec].p + off, n);
    if (n == EKBF_NULL)
        return;
    if (ekb_grow(&b->fix, &b->cap_fix, b->n_fix, sizeof *b->fix, 4096) != 0) {
        b->oom = true;
        return;
    }
    b->fix[b->n_fix++] = (fixup){(uint32_t)off, n, (uint8_t)sec};
}

const char *ekb_b_own(builder *b, char *s)
{
    if (!s || ekb_grow(&b->owned, &b->cap_owned, b->n_owned, sizeof *b->owned, 16) != 0) {
        b->oom = true;
        free(s);
        return NULL;
    }
    return b->owned[b->n_owned++] = s;
}

/* --- entries and groups --- */

static int cmp_item(const void *a, const void *b)
{
    return strcmp(((const item *)a)->id, ((const item *)b)->id);
}

long ekb_b_entry_number(const builder *b, const char *id)
{
    item key = {.id = id};
    const item *at = b->n_items ? bsearch(&key, b->items, b->n_items, sizeof *b->items, cmp_item) : NULL;
    return at ? (long)(at - b->items) : -1;
}

static uint32_t name_hash(const void *ctx, size_t i)
{
    const char *name = ((const nameset *)ctx)->v[i];
    return hash_bytes(name, strlen(name));
}

/* Files every name in a hash table of n_slots (a power of two, above n)
 * under its number; false when out of memory. */
static bool nameset_hash(nameset *ns, size_t n_slots)
{
    uint32_t *slots = ekb_slots_make(n_slots, ns->n, name_hash, ns);
    if (!slots)
        return false;
    free(ns->slots);
    ns->slots = slots;
    ns->n_slots = n_slots;
    return true;
}

/* Adds s unless it is there: 100,000 entries name a few hundred distinct
 * domains, categories and tags, so only those are kept and sorted. *num
 * gets its number in the order of adding (EKB_NO_GROUP for NULL). */
static int nameset_add(nameset *ns, const char *s, uint32_t *num)
{
    *num = EKB_NO_GROUP;
    if (!s)
        return 0;
    if (2 * (ns->n + 1) > ns->n_slots && !nameset_hash(ns, ns->n_slots ? 2 * ns->n_slots : 64))
        return -1;
    size_t k = hash_bytes(s, strlen(s)) & (ns->n_slots - 1);
    for (; ns->slots[k]; k = (k + 1) & (ns->n_slots - 1))
        if (strcmp(ns->v[ns->slots[k] - 1], s) == 0) {
            *num = ns->slots[k] - 1;
            return 0;
        }
    if (ekb_grow(&ns->v, &ns->cap, ns->n, sizeof *ns->v, 64) != 0)
        return -1;
    ns->slots[k] = (uint32_t)ns->n + 1;
    *num = (uint32_t)ns->n;
    ns->v[ns->n++] = s;
    return 0;
}

typedef struct named {
    const char *name;
    uint32_t added; /* its number in the order of adding */
} named;

static int cmp_named(const void *a, const void *b)
{
    return strcmp(((const named *)a)->name, ((const named *)b)->name);
}

/* Sorts the distinct names: their numbers are their places in byte order.
 * renumber[k] is the new number of the name added k-th. The hash table
 * goes (the items know their numbers). */
static int nameset_seal(nameset *ns, uint32_t *renumber)
{
    named *by_name = malloc((ns->n + 1) * sizeof *by_name);
    if (!by_name)
        return -1;
    for (size_t i = 0; i < ns->n; i++)
        by_name[i] = (named){ns->v[i], (uint32_t)i};
    qsort(by_name, ns->n, sizeof *by_name, cmp_named);
    for (size_t i = 0; i < ns->n; i++) {
        ns->v[i] = by_name[i].name;
        renumber[by_name[i].added] = (uint32_t)i;
    }
    free(by_name);
    free(ns->slots);
    ns->slots = NULL;
    ns->n_slots = 0;
    return 0;
}

static uint32_t renumbered(const uint32_t *renumber, uint32_t k, uint32_t none)
{
    return k == EKB_NO_GROUP ? none : renumber[k];
}

/* The domain, category and tag names of the current items, and each
 * item's numbers in them: found as the names are collected, so that the
 * passes writing the groups do not read the (cold) names again. */
static int collect_groups(builder *b)
{
    for (int g = 0; g < 3; g++)
        b->groups[g].n = 0; /* a sealed set has no hash table left */
    b->n_tag_k = 0;
    for (size_t i = 0; i < b->n_items; i++) {
        item *it = &b->items[i];
        if (nameset_add(&b->groups[0], it->domain, &it->group_k[0]) ||
            nameset_add(&b->groups[1], it->category, &it->group_k[1]))
            return -1;
        it->tag_first = (uint32_t)b->n_tag_k;
        it->n_tags = 0;
        for (size_t k = 0; k < ekb_cv_size(it->tags); k++) {
            uint32_t num;
            if (nameset_add(&b->groups[2], ekb_cv_str(ekb_cv_at(it->tags, k)), &num) != 0)
                return -1;
            if (num == EKB_NO_GROUP)
                continue; /* not a string */
            if (ekb_grow(&b->tag_k, &b->cap_tag_k, b->n_tag_k, sizeof *b->tag_k, 1024) != 0)
                return -1;
            b->tag_k[b->n_tag_k++] = num;
            it->n_tags++;
        }
    }
    uint32_t *renumber[3] = {NULL, NULL, NULL};
    int r = 0;
    for (int g = 0; g < 3 && r == 0; g++)
        if (!(renumber[g] = malloc((b->groups[g].n + 1) * sizeof *renumber[g])) ||
            nameset_seal(&b->groups[g], renumber[g]) != 0)
            r = -1;
    for (int g = 0; g < 2 && r == 0; g++) {
        /* a missing name (only under --force) counts as "", the first
         * name in byte order when there is one */
        const nameset *ns = &b->groups[g];
        uint32_t none = ns->n && !ns->v[0][0] ? 0 : EKB_NO_GROUP;
        for (size_t i = 0; i < b->n_items; i++)
            b->items[i].group_k[g] = renumbered(renumber[g], b->items[i].group_k[g], none);
    }
    for (size_t j = 0; j < b->n_tag_k && r == 0; j++)
        b->tag_k[j] = renumber[2][b->tag_k[j]];
    for (int g = 0; g < 3; g++)
        free(renumber[g]);
    return r;
}

/* Group numbers of entry e in group kind g: calls add for each. */
static int each_member(const builder *b, const item *e, int g, int (*add)(void *, size_t), void *ctx)
{
    if (g < 2)
        return e->group_k[g] != EKB_NO_GROUP ? add(ctx, e->group_k[g]) : 0;
    for (uint32_t j = e->tag_first; j < e->tag_first + e->n_tags; j++)
        if (add(ctx, b->tag_k[j]))
            return -1;
    return 0;
}

typedef struct counting {
    size_t *count; /* per group: members, then the next free slot */
    unsigned char *memb;
    uint32_t entry;
} counting;

static int count_one(void *ctx, size_t k)
{
    ((counting *)ctx)->count[k]++;
    return 0;
}

static int place_one(void *ctx, size_t k)
{
    counting *c = ctx;
    ekbf_put32(c->memb + 4 * c->count[k]++, c->entry);
    return 0;
}

/* DOMS, CATS, TAGS and MEMB: each group's name and its entries, ascending
 * (a counting sort: linear in the number of memberships). */
static int write_groups(builder *b)
{
    static const int secs[3] = {S_DOMS, S_CATS, S_TAGS};
    for (int g = 0; g < 3; g++) {
        nameset *ns = &b->groups[g];
        counting c = {calloc(ns->n + 1, sizeof *c.count), NULL, 0};
        unsigned char *recs = ekb_bytes_add(&b->sec[secs[g]], EKBF_G_SIZE * ns->n);
        if (!c.count || !recs) {
            free(c.count);
            return -1;
        }
        for (size_t i = 0; i < b->n_items; i++)
            each_member(b, &b->items[i], g, count_one, &c);
        size_t total = 0, base = b->sec[S_MEMB].len / 4;
        for (size_t k = 0; k < ns->n; k++) {
            size_t n = c.count[k];
            unsigned char *rec = recs + EKBF_G_SIZE * k;
            ekbf_put32(rec + EKBF_G_START, (uint32_t)(base + total));
            ekbf_put32(rec + EKBF_G_COUNT, (uint32_t)n);
            ekb_b_ref(b, secs[g], EKBF_G_SIZE * k + EKBF_G_NAME, ekb_b_intern(b, ns->v[k], strlen(ns->v[k])));
            c.count[k] = total;
            total += n;
        }
        /* count[k] is now group k's next slot among this kind's members */
        c.memb = ekb_bytes_add(&b->sec[S_MEMB], 4 * total);
        if (!c.memb) {
            free(c.count);
            return -1;
        }
        for (size_t i = 0; i < b->n_items; i++) {
            c.entry = (uint32_t)i;
            each_member(b, &b->items[i], g, place_one, &c);
        }
        free(c.count);
    }
    return b->oom ? -1 : 0;
}

/* --- strings pool --- */

static void put_varint(unsigned char **p, uint32_t v)
{
    while (v >= 0x80) {
        *(*p)++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *(*p)++ = (unsigned char)v;
}

/* Which symbol table a string uses, so that each learns one kind of text:
 * 1 for text mostly outside ASCII (the Chinese translations), 2 for
 * code-like text (regexes, commands, paths, URLs), 0 for prose. */
static unsigned table_of(const bstr *x)
{
    static const char code_chars[] = "\\()[]{}/$=_`|*+.:;<>'\"";
    bool is_code[256] = {false};
    for (const char *c = code_chars; *c; c++)
        is_code[(unsigned char)*c] = true;
    size_t high = 0, punct = 0;
    for (size_t i = 0; i < x->len; i++) {
        unsigned char c = (unsigned char)x->s[i];
        high += c >= 0x80;
        punct += is_code[c];
    }
    return high * 4 > x->len ? 1 : punct * 20 > x->len ? 2 : 0;
}

/* Encoding the strings, in chunks on every core, in two passes. The first
 * encodes each string with FSST with the table of its kind (the tables were
 * trained on the kinds of text table_of tells apart; trying all three for
 * the shortest took three times as long for 0.1% of the pool), keeps the
 * codes in its chunk's buffer and counts, per chunk and table, the Huffman
 * symbols they use. The second codes them with their table's Huffman code
 * into the chunk's final buffer, as varint(length << 2 | table) and the
 * bits. After each pass offset[i] is where string i starts in its chunk's
 * buffer. */
#define POOL_CHUNK 4096

typedef struct pool_job {
    const builder *b;
    const bool *used;
    const unsigned char *kind; /* each string's table (table_of) */
    const ekb_fsst *t;
    const ekb_huff *h;
    uint64_t *freq; /* per chunk: EKBF_TABLES × EKBF_HUFF_SYMBOLS counts */
    uint32_t *offset, *fsst_len;
    unsigned char *table;
    ekb_bytes *fsst, *coded; /* per chunk: pass 1's and pass 2's strings */
} pool_job;

static size_t chunk_end(const builder *b, size_t chunk)
{
    return (chunk + 1) * POOL_CHUNK < b->n_str ? (chunk + 1) * POOL_CHUNK : b->n_str;
}

/* Room for need bytes at the end of out, where the next string goes: its
 * offset into *at. The caller sets out->len to the string's end. */
static unsigned char *string_room(ekb_bytes *out, size_t need, uint32_t *at)
{
    size_t start = out->len;
    if (start > UINT32_MAX || !ekb_bytes_add(out, need))
        return NULL;
    *at = (uint32_t)start;
    return out->p + start;
}

/* Pass 1: FSST, with the table of the string's kind. */
static int fsst_chunk(void *ctx, size_t chunk, ekb_diags *d)
{
    (void)d;
    pool_job *j = ctx;
    const builder *b = j->b;
    ekb_bytes *out = &j->fsst[chunk];
    uint64_t *freq = j->freq + chunk * EKBF_TABLES * EKBF_HUFF_SYMBOLS;
    for (size_t i = chunk * POOL_CHUNK; i < chunk_end(b, chunk); i++) {
        if (!j->used[i])
            continue;
        const unsigned char *src = (const unsigned char *)b->str[i].s;
        size_t len = b->str[i].len;
        unsigned table = j->kind[i];
        unsigned char *codes = string_room(out, 2 * len + 16, &j->offset[i]);
        if (!codes)
            return -1;
        size_t m = ekb_fsst_encode(&j->t[table], src, len, codes);
        if (m > UINT32_MAX / 4)
            return -1;
        ekb_huff_count(codes, m, freq + (size_t)table * EKBF_HUFF_SYMBOLS);
        j->table[i] = (unsigned char)table;
        j->fsst_len[i] = (uint32_t)m;
        out->len = j->offset[i] + m;
    }
    return 0;
}

/* Pass 2: pass 1's FSST codes, Huffman-coded behind room for the longest
 * varint head, then the head written and the bits moved up against it. */
static int huff_chunk(void *ctx, size_t chunk, ekb_diags *d)
{
    (void)d;
    pool_job *j = ctx;
    const builder *b = j->b;
    ekb_bytes *out = &j->coded[chunk];
    for (size_t i = chunk * POOL_CHUNK; i < chunk_end(b, chunk); i++) {
        if (!j->used[i])
            continue;
        size_t n = j->fsst_len[i];
        const unsigned char *codes = j->fsst[chunk].p + j->offset[i]; /* before offset[i] moves */
        unsigned char *p = string_room(out, 10 + 2 * n + 2, &j->offset[i]);
        if (!p)
            return -1;
        size_t m = ekb_huff_encode(&j->h[j->table[i]], codes, n, p + 10);
        if (m > UINT32_MAX / 4)
            return -1;
        unsigned char *h = p;
        put_varint(&h, (uint32_t)m << 2 | j->table[i]);
        memmove(h, p + 10, m);
        out->len = (size_t)(h - out->p) + m;
    }
    ekb_bytes_free(&j->fsst[chunk]); /* pass 2 was the last to read it */
    return 0;
}

/* Trains table k on the used strings of kind k (table_of). Returns 0 or -1. */
static int train_tables(const builder *b, const bool *used, const unsigned char *kind, ekb_fsst *t)
{
    const unsigned char **sv = malloc((b->n_str + 1) * sizeof *sv);
    size_t *lv = malloc((b->n_str + 1) * sizeof *lv);
    int r = sv && lv ? 0 : -1;
    for (unsigned k = 0; r == 0 && k < EKBF_TABLES; k++) {
        size_t n = 0;
        for (size_t i = 0; i < b->n_str; i++)
            if (used[i] && kind[i] == k) {
                sv[n] = (const unsigned char *)b->str[i].s;
                lv[n++] = b->str[i].len;
            }
        r = ekb_fsst_train(&t[k], sv, lv, n);
    }
    free(sv);
    free(lv);
    return r;
}

/* SYMT: the table count, then per table its symbol count, the symbols'
 * lengths, their bytes back to back, and the Huffman code lengths, two to a
 * byte. Returns 0 or -1. */
static int write_symt(builder *b, const ekb_fsst *t, const ekb_huff *h)
{
    unsigned char *p = ekb_bytes_add(&b->sec[S_SYMT], 1);
    if (!p)
        return -1;
    p[0] = EKBF_TABLES;
    for (unsigned k = 0; k < EKBF_TABLES; k++) {
        size_t bytes = 0;
        for (unsigned i = 0; i < t[k].n; i++)
            bytes += t[k].len[i];
        if (!(p = ekb_bytes_add(&b->sec[S_SYMT], 1 + (size_t)t[k].n + bytes + EKBF_HUFF_LEN_BYTES)))
            return -1;
        *p++ = (unsigned char)t[k].n;
        unsigned char *sym = p + t[k].n;
        for (unsigned i = 0; i < t[k].n; i++) {
            p[i] = t[k].len[i];
            for (unsigned j = 0; j < t[k].len[i]; j++)
                *sym++ = (unsigned char)(t[k].sym[i] >> (8 * j));
        }
        memset(sym, 0, EKBF_HUFF_LEN_BYTES);
        for (unsigned s = 0; s < EKBF_HUFF_SYMBOLS; s++)
            sym[s / 2] |= (unsigned char)(h[k].len[s] << (s % 2 ? 4 : 0));
    }
    return 0;
}

/* SYMT and STRS: trains the FSST tables on the referenced strings, encodes
 * each string with FSST, builds each table's Huffman code from the codes
 * used, codes each string with it, then patches every reference with its
 * offset. */
static int write_pool(builder *b, ekb_index *out)
{
    int r = -1;
    size_t n_chunks = (b->n_str + POOL_CHUNK - 1) / POOL_CHUNK;
    bool *used = calloc(b->n_str + 1, sizeof *used);
    unsigned char *kind = malloc(b->n_str + 1);
    uint32_t *offset = malloc((b->n_str + 1) * sizeof *offset), *fsst_len = malloc((b->n_str + 1) * sizeof *fsst_len);
    unsigned char *table = malloc(b->n_str + 1);
    ekb_fsst *t = malloc(EKBF_TABLES * sizeof *t);
    ekb_huff *h = malloc(EKBF_TABLES * sizeof *h);
    uint64_t *freq = calloc((n_chunks + 1) * EKBF_TABLES * EKBF_HUFF_SYMBOLS, sizeof *freq);
    ekb_bytes *fsst = calloc(n_chunks + 1, sizeof *fsst), *coded = calloc(n_chunks + 1, sizeof *coded);
    if (!used || !kind || !offset || !fsst_len || !table || !t || !h || !freq || !fsst || !coded)
        goto done;
    for (size_t i = 0; i < b->n_fix; i++)
        used[b->fix[i].str] = true;
    for (size_t i = 0; i < b->n_str; i++)
        if (used[i]) {
            out->unique_strings++;
            out->string_bytes += b->str[i].len;
            kind[i] = (unsigned char)table_of(&b->str[i]);
        }
    out->strings = b->n_fix;
    pool_job job = {b, used, kind, t, h, freq, offset, fsst_len, table, fsst, coded};
    if (train_tables(b, used, kind, t) != 0 || ekb_parallel_for(n_chunks, 0, fsst_chunk, &job, NULL) != 0)
        goto done;
    /* the counts of every chunk, added in chunk order, into the first */
    for (size_t c = 1; c < n_chunks; c++)
        for (size_t s = 0; s < EKBF_TABLES * EKBF_HUFF_SYMBOLS; s++)
            freq[s] += freq[c * EKBF_TABLES * EKBF_HUFF_SYMBOLS + s];
    for (unsigned k = 0; k < EKBF_TABLES; k++)
        if (ekb_huff_build(&h[k], freq + (size_t)k * EKBF_HUFF_SYMBOLS) != 0)
            goto done;
    if (write_symt(b, t, h) != 0 || ekb_parallel_for(n_chunks, 0, huff_chunk, &job, NULL) != 0)
        goto done;
    /* the chunks back to back, in string order: the same bytes whatever the
     * number of threads */
    ekb_bytes *pool = &b->sec[S_STRS];
    for (size_t c = 0; c < n_chunks; c++) {
        size_t base = pool->len;
        if (base + coded[c].len > UINT32_MAX)
            goto done;
        unsigned char *q = coded[c].len ? ekb_bytes_add(pool, coded[c].len) : NULL;
        if (coded[c].len && !q)
            goto done;
        if (q)
            memcpy(q, coded[c].p, coded[c].len);
        for (size_t i = c * POOL_CHUNK; i < chunk_end(b, c); i++)
            if (used[i])
                offset[i] += (uint32_t)base;
    }
    out->pool_bytes = pool->len;
    for (size_t i = 0; i < b->n_fix; i++)
        ekbf_put32(b->sec[b->fix[i].sec].p + b->fix[i].off, offset[b->fix[i].str]);
    r = 0;
done:
    for (size_t c = 0; fsst && coded && c < n_chunks; c++) {
        ekb_bytes_free(&fsst[c]);
        ekb_bytes_free(&coded[c]);
    }
    free(fsst);
    free(coded);
    free(freq);
    free(used);
    free(kind);
    free(offset);
    free(fsst_len);
    free(table);
    free(t);
    free(h);
    return r;
}

/* --- policy and schema --- */

static int regex_flags(builder *b, ekb_corpus *c)
{
    static const struct { const char *name; uint32_t bit; } names[] = {
        {"caseless", EKBF_RF_CASELESS}, {"multiline", EKBF_RF_MULTILINE}, {"dotall", EKBF_RF_DOTALL},
        {"extended", EKBF_RF_EXTENDED}, {"ungreedy", EKBF_RF_UNGREEDY},
    };
    json_t *flags = ekb_policy_get(&c->policy, "/regex/default_flags"), *v;
    size_t i;
    json_array_foreach(flags, i, v) {
        size_t k = 0;
        while (k < sizeof names / sizeof *names && !(json_is_string(v) && !strcmp(json_string_value(v), names[k].name)))
            k++;
        if (k == sizeof names / sizeof *names)
            return ekb_diags_add(b->d, c->policy.doc ? c->policy.doc->path : "", 0, 0, EKB_ERROR, "index.policy",
                                 NULL, NULL, "regex flag '%s' is not one of caseless, multiline, dotall, extended, ungreedy",
                                 json_is_string(v) ? json_string_value(v) : "?") ? -1 : 1;
        b->regex_flags |= names[k].bit;
    }
    return 0;
}

static int load_enums(builder *b, ekb_corpus *c)
{
    static const char *const where[EKBF_ENUM_COUNT] = {
        "/properties/root_cause_type/enum", "/properties/verification_tier/enum", "/properties/resolvable/enum",
        "/properties/locale/enum", "/$defs/version/properties/status/enum",
    };
    json_t *root = c->schema_doc ? c->schema_doc->root : NULL;
    for (int k = 0; k < EKBF_ENUM_COUNT; k++) {
        json_t *v = root ? ekb_json_pointer_get(root, where[k]) : NULL;
        if (!json_is_array(v) || json_array_size(v) > 255)
            return ekb_diags_add(b->d, c->schema_doc ? c->schema_doc->path : "", 0, 0, EKB_ERROR, "index.schema",
                                 NULL, NULL, "the entry schema has no enum of at most 255 names at '%s'", where[k])
                       ? -1 : 1;
        b->enums[k] = v;
    }
    return 0;
}

static int write_enums(builder *b)
{
    for (int k = 0; k < EKBF_ENUM_COUNT; k++) {
        size_t n = json_array_size(b->enums[k]), q = b->sec[S_ENUM].len;
        unsigned char *p = ekb_bytes_add(&b->sec[S_ENUM], 4 + 4 * n);
        if (!p)
            return -1;
        ekbf_put32(p, (uint32_t)n);
        for (size_t i = 0; i < n; i++) {
            json_t *v = json_array_get(b->enums[k], i);
            const char *s = json_is_string(v) ? json_string_value(v) : "";
            ekb_b_ref(b, S_ENUM, q + 4 + 4 * i, ekb_b_intern(b, s, strlen(s)));
        }
    }
    return b->oom ? -1 : 0;
}

static int write_meta(builder *b, ekb_corpus *c)
{
    unsigned char *p = ekb_bytes_add(&b->sec[S_META], EKBF_META_SIZE);
    if (!p)
        return -1;
    ekbf_put32(p + EKBF_META_ENTRY_SIZE, EKBF_E_SIZE);
    ekbf_put32(p + EKBF_META_VERSION_SIZE, EKBF_V_SIZE);
    ekbf_put32(p + EKBF_META_DEAD_END_SIZE, EKBF_D_SIZE);
    ekbf_put32(p + EKBF_META_WORKAROUND_SIZE, EKBF_W_SIZE);
    ekbf_put32(p + EKBF_META_LINK_SIZE, EKBF_L_SIZE);
    unsigned long ml = ekb_policy_uint(&c->policy, "/regex/match_limit", 1000000, b->d);
    unsigned long dl = ekb_policy_uint(&c->policy, "/regex/depth_limit", 5000, b->d);
    unsigned long hl = ekb_policy_uint(&c->policy, "/regex/heap_limit_kib", 20480, b->d);
    ekbf_put32(p + EKBF_META_MATCH_LIMIT, ml > UINT32_MAX ? UINT32_MAX : (uint32_t)ml);
    ekbf_put32(p + EKBF_META_DEPTH_LIMIT, dl > UINT32_MAX ? UINT32_MAX : (uint32_t)dl);
    ekbf_put32(p + EKBF_META_HEAP_LIMIT_KIB, hl > UINT32_MAX ? UINT32_MAX : (uint32_t)hl);
    ekbf_put32(p + EKBF_META_FLAGS, b->samples ? EKBF_META_FLAG_SAMPLES : 0);
    return 0;
}

/* RGXS, PFLT and GRAM: each entry's flags and prefilter program, and the
 * gram table over all entries. */
static int write_regexes(builder *b, ekb_index *out)
{
    size_t n = b->n_items;
    ekb_cover *covers = calloc(n + 1, sizeof *covers);
    const char **pats = malloc((n + 1) * sizeof *pats);
    uint32_t *first = malloc((n + 1) * sizeof *first), *count = malloc((n + 1) * sizeof *count);
    unsigned char *p = ekb_bytes_add(&b->sec[S_RGXS], EKBF_R_SIZE * n);
    int r = covers && pats && first && count && p ? 0 : -1;
    for (size_t i = 0; r == 0 && i < n; i++)
        pats[i] = b->items[i].regex;
    if (r == 0)
        r = ekb_index_prefilter(b, pats, n, first, count, covers);
    for (size_t i = 0; r == 0 && i < n; i++) {
        p = b->sec[S_RGXS].p + EKBF_R_SIZE * i;
        ekbf_put32(p + EKBF_R_FLAGS, b->regex_flags);
        ekbf_put32(p + EKBF_R_PF_OFFSET, first[i]);
        ekbf_put32(p + EKBF_R_PF_LENGTH, count[i]);
    }
    if (r == 0)
        r = ekb_gram_section(covers, (uint32_t)n, &b->sec[S_GRAM], &out->always_run);
    for (size_t i = 0; covers && i < n; i++)
        ekb_cover_free(&covers[i]);
    free(covers);
    free(pats);
    free(first);
    free(count);
    return r;
}

/* --- the file --- */

static int assemble(builder *b, ekb_index *out)
{
    static const uint32_t ids[N_SEC] = {
        EKBF_SEC_META, EKBF_SEC_SYMT, EKBF_SEC_STRS, EKBF_SEC_ENUM, EKBF_SEC_ENTR, EKBF_SEC_VERS,
        EKBF_SEC_DEAD, EKBF_SEC_WORK, EKBF_SEC_LINK, EKBF_SEC_LIST, EKBF_SEC_DOMS, EKBF_SEC_CATS,
        EKBF_SEC_TAGS, EKBF_SEC_MEMB, EKBF_SEC_RGXS, EKBF_SEC_PFLT, EKBF_SEC_GRAM,
    };
    size_t hsize = EKBF_HDR_SIZE + EKBF_SECT_SIZE * N_SEC, total = hsize;
    for (int s = 0; s < N_SEC; s++) {
        if (b->sec[s].failed)
            return -1;
        total += b->sec[s].len;
    }
    if (total > UINT32_MAX)
        return ekb_diags_add(b->d, "", 0, 0, EKB_ERROR, "index.too-large", NULL, NULL,
                             "the index would be %zu bytes, above the format's 4 GiB", total) ? -1 : 1;
    unsigned char *f = calloc(total, 1);
    if (!f)
        return -1;
    memcpy(f, EKBF_MAGIC, 8);
    ekbf_put16(f + EKBF_HDR_MAJOR, EKBF_MAJOR);
    ekbf_put16(f + EKBF_HDR_MINOR, EKBF_MINOR);
    ekbf_put32(f + EKBF_HDR_HEADER_SIZE, (uint32_t)hsize);
    ekbf_put32(f + EKBF_HDR_FILE_SIZE, (uint32_t)total);
    ekbf_put32(f + EKBF_HDR_ENTRIES, (uint32_t)b->n_items);
    ekbf_put32(f + EKBF_HDR_SECTIONS, N_SEC);
    ekbf_put64(f + EKBF_HDR_CORPUS_HASH, out->corpus_hash);
    size_t at = hsize;
    for (int s = 0; s < N_SEC; s++) {
        unsigned char *t = f + EKBF_HDR_SIZE + EKBF_SECT_SIZE * s;
        ekbf_put32(t, ids[s]);
        ekbf_put32(t + 8, (uint32_t)at);
        ekbf_put32(t + 12, (uint32_t)b->sec[s].len);
        if (b->sec[s].len)
            memcpy(f + at, b->sec[s].p, b->sec[s].len);
        at += b->sec[s].len;
    }
    ekbf_put64(f + EKBF_HDR_CHECKSUM, ekbf_xxh64(f + 16, total - 16));
    out->data = f;
    out->len = total;
    out->entries = (uint32_t)b->n_items;
    return 0;
}

int ekb_index_corpus_hash(const char *const *ids, const ekb_doc *const *docs, size_t n, uint64_t *out)
{
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    for (size_t i = 0; i < n; i++) {
        unsigned char h[8];
        ekbf_put64(h, ekb_doc_text_hash(docs[i]));
        ekb_strbuf_addn(&sb, ids[i], strlen(ids[i]) + 1);
        ekb_strbuf_addn(&sb, (const char *)h, 8);
    }
    if (ekb_strbuf_failed(&sb))
        return -1;
    *out = ekbf_xxh64(sb.s ? sb.s : "", sb.len);
    ekb_strbuf_free(&sb);
    return 0;
}

/* Empties the sections and references, keeping the interned strings. */
static void builder_reset(builder *b)
{
    for (int s = 0; s < N_SEC; s++)
        b->sec[s].len = 0;
    b->n_fix = 0;
}

static void builder_free(builder *b)
{
    for (int s = 0; s < N_SEC; s++)
        ekb_bytes_free(&b->sec[s]);
    free(b->str);
    free(b->slots);
    free(b->fix);
    for (size_t i = 0; i < b->n_owned; i++)
        free(b->owned[i]);
    free(b->owned);
    free(b->items);
    for (int g = 0; g < 3; g++) {
        free(b->groups[g].v);
        free(b->groups[g].slots);
    }
    free(b->tag_k);
}

/* Items: every loaded corpus file, by id; a second file with the same id is
 * reported and left out. */
static int collect_items(builder *b, ekb_corpus *c, int *status)
{
    b->items = malloc((c->n_corpus + 1) * sizeof *b->items);
    if (!b->items)
        return -1;
    for (size_t i = 0; i < c->n_corpus; i++) {
        ekb_corpus_file *f = &c->files[i];
        if (!f->doc)
            continue;
        const ekb_cv *cv = ekb_doc_cv(f->doc);
        if (!cv && f->doc->root)
            return -1;
        const char *id = ekb_cv_str(ekb_cv_get(cv, "id"));
        if (!id)
            id = f->id;
        if (!id) {
            if (ekb_diags_add(b->d, f->path, 0, 0, EKB_ERROR, "index.unencodable", NULL, NULL,
                              "file has no id: left out of the index"))
                return -1;
            *status = 1;
            continue;
        }
        b->items[b->n_items++] = (item){
            .f = f, .cv = cv, .id = id, .ok = true,
            .domain = ekb_cv_str(ekb_cv_get(cv, "domain")), .category = ekb_cv_str(ekb_cv_get(cv, "category")),
            .regex = ekb_cv_str(ekb_cv_get(cv, "regex")), .tags = ekb_cv_get(cv, "tags"),
        };
    }
    qsort(b->items, b->n_items, sizeof *b->items, cmp_item);
    size_t m = 0;
    for (size_t i = 0; i < b->n_items; i++) {
        if (m && strcmp(b->items[m - 1].id, b->items[i].id) == 0) {
            if (ekb_diags_add(b->d, b->items[i].f->path, 0, 0, EKB_ERROR, "index.duplicate-id", b->items[i].id,
                              NULL, "id '%s' is also given by '%s': left out of the index", b->items[i].id,
                              b->items[m - 1].f->path))
                return -1;
            *status = 1;
            continue;
        }
        b->items[m++] = b->items[i];
    }
    b->n_items = m;
    return 0;
}

int ekb_index_build(ekb_corpus *c, const ekb_index_options *o, ekb_index *out, ekb_diags *d)
{
    builder b = {.d = d, .samples = o && o->samples, .opt = o};
    memset(out, 0, sizeof *out);
    int status = 0, r;
    if (collect_items(&b, c, &status) != 0)
        goto oom;
    if ((r = load_enums(&b, c)) != 0 || (r = regex_flags(&b, c)) != 0) {
        builder_free(&b);
        return r < 0 ? -1 : 2;
    }
    if (collect_groups(&b) != 0)
        goto oom;
    /* Encode every entry. Only a corpus that skipped validation can hold an
     * entry the format cannot: then start again in two passes, the first
     * finding the entries to leave out (the numbering depends on it). */
    bool all_fit = true;
    for (size_t i = 0; i < b.n_items && all_fit; i++) {
        r = ekb_encode_entry(&b, (uint32_t)i, false, false);
        if (r < 0)
            goto oom;
        all_fit = r == 0;
    }
    if (!all_fit) {
        builder_reset(&b);
        for (size_t i = 0; i < b.n_items; i++) {
            r = ekb_encode_entry(&b, (uint32_t)i, true, true);
            if (r < 0)
                goto oom;
            b.items[i].ok = r == 0;
            if (r)
                status = 1;
        }
        size_t m = 0;
        for (size_t i = 0; i < b.n_items; i++)
            if (b.items[i].ok)
                b.items[m++] = b.items[i];
        b.n_items = m;
        if (collect_groups(&b) != 0)
            goto oom;
        for (size_t i = 0; i < b.n_items; i++)
            if (ekb_encode_entry(&b, (uint32_t)i, false, true) < 0)
                goto oom;
        if (b.dropped_links)
            status = 1;
    }
    const char **ids = malloc((b.n_items + 1) * sizeof *ids);
    const ekb_doc **docs = malloc((b.n_items + 1) * sizeof *docs);
    if (!ids || !docs) {
        free(ids);
        free(docs);
        goto oom;
    }
    for (size_t i = 0; i < b.n_items; i++) {
        ids[i] = b.items[i].id;
        docs[i] = b.items[i].f->doc;
    }
    r = ekb_index_corpus_hash(ids, docs, b.n_items, &out->corpus_hash);
    free(ids);
    free(docs);
    if (r != 0 || write_enums(&b) != 0 || write_groups(&b) != 0 || write_meta(&b, c) != 0 ||
        write_regexes(&b, out) != 0 || write_pool(&b, out) != 0)
        goto oom;
    r = assemble(&b, out);
    builder_free(&b);
    return r < 0 ? -1 : r > 0 ? 2 : status;
oom:
    builder_free(&b);
    ekb_index_free(out);
    return -1;
}

void ekb_index_free(ekb_index *ix)
{
    free(ix->data);
    ix->data = NULL;
    ix->len = 0;
}

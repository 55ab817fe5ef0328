/* match.c: which entries recognise a text: the gram prefilter picks the
 * candidates, PCRE2 (JIT, with the policy's limits) confirms them. */
#include <stdlib.h>
#include <string.h>

#include "reader_private.h"

typedef struct found_t {
    ekb_reader_hit m;
    double confidence;
} found_t;

struct ekb_reader_matcher {
    const ekb_reader *r;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit_stack;
    uint32_t *seen;  /* epoch at which each entry became a candidate */
    uint32_t epoch;
    uint32_t *cand;
    found_t *found;
    size_t limit_hits, tried;
};

static uint32_t compile_options(uint32_t flags)
{
    uint32_t o = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
    if (flags & EKBF_RF_CASELESS)
        o |= PCRE2_CASELESS;
    if (flags & EKBF_RF_MULTILINE)
        o |= PCRE2_MULTILINE;
    if (flags & EKBF_RF_DOTALL)
        o |= PCRE2_DOTALL;
    if (flags & EKBF_RF_EXTENDED)
        o |= PCRE2_EXTENDED;
    if (flags & EKBF_RF_UNGREEDY)
        o |= PCRE2_UNGREEDY;
    return o;
}

pcre2_code *ekbr_regex(const ekb_reader *r, uint32_t i, ekb_reader_error *err)
{
    pcre2_code *c = atomic_load_explicit(&r->codes[i], memory_order_acquire);
    if (c == EKBR_FAILED(r))
        return ekbr_fail(err, EKB_READER_ERR_REGEX, 0, "the regex of entry %u does not compile", i), NULL;
    if (c)
        return c;
    ekb_reader_entry e;
    ekb_reader_entry_at(r, i, &e);
    char *pat = ekb_reader_str_dup(r, e.regex);
    if (!pat)
        return ekbr_fail(err, EKB_READER_ERR_NOMEM, 0, "out of memory"), NULL;
    uint32_t flags = ekbf_get32(r->rgxs.p + (size_t)i * r->rgxs.size + EKBF_R_FLAGS);
    int code;
    PCRE2_SIZE off;
    c = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, compile_options(flags), &code, &off, r->cctx);
    free(pat);
    pcre2_code *expected = NULL;
    if (!c) {
        PCRE2_UCHAR msg[120];
        pcre2_get_error_message(code, msg, sizeof msg);
        /* a pattern that cannot compile now never will: remember it */
        atomic_compare_exchange_strong(&r->codes[i], &expected, EKBR_FAILED(r));
        return ekbr_fail(err, EKB_READER_ERR_REGEX, 0, "the regex of entry %u does not compile: %s at offset %zu",
                         i, (const char *)msg, (size_t)off), NULL;
    }
    pcre2_jit_compile(c, PCRE2_JIT_COMPLETE); /* without JIT the interpreter runs it */
    if (!atomic_compare_exchange_strong_explicit(&r->codes[i], &expected, c, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        pcre2_code_free(c); /* another thread was first */
        c = expected == EKBR_FAILED(r) ? NULL : expected;
    }
    return c;
}

ekb_reader_matcher *ekb_reader_matcher_new(const ekb_reader *r)
{
    if (!r)
        return NULL;
    ekb_reader_matcher *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->r = r;
    size_t n = (size_t)r->n_entries + 1;
    m->md = pcre2_match_data_create(1, NULL);
    m->mctx = pcre2_match_context_create(NULL);
    m->jit_stack = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
    m->seen = calloc(n, sizeof *m->seen);
    m->cand = malloc(n * sizeof *m->cand);
    m->found = malloc(n * sizeof *m->found);
    if (!m->md || !m->mctx || !m->seen || !m->cand || !m->found) {
        ekb_reader_matcher_free(m);
        return NULL;
    }
    if (r->match_limit)
        pcre2_set_match_limit(m->mctx, r->match_limit);
    if (r->depth_limit)
        pcre2_set_depth_limit(m->mctx, r->depth_limit);
    if (r->heap_limit_kib)
        pcre2_set_heap_limit(m->mctx, r->heap_limit_kib);
    if (m->jit_stack)
        pcre2_jit_stack_assign(m->mctx, NULL, m->jit_stack);
    return m;
}

void ekb_reader_matcher_free(ekb_reader_matcher *m)
{
    if (!m)
        return;
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mctx);
    pcre2_jit_stack_free(m->jit_stack);
    free(m->seen);
    free(m->cand);
    free(m->found);
    free(m);
}

size_t ekb_reader_matcher_limit_hits(const ekb_reader_matcher *m)
{
    return m->limit_hits;
}

size_t ekb_reader_matcher_tried(const ekb_reader_matcher *m)
{
    return m->tried;
}

static inline unsigned char fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Adds the entries registered under gram (3 or 4 bytes) as candidates. */
static size_t probe(ekb_reader_matcher *m, uint32_t gram, uint32_t short_flag, size_t nc)
{
    const ekb_reader *r = m->r;
    uint32_t b = ekbf_gram_hash(gram, r->gram_mask);
    uint32_t s = ekbf_get32(r->gram_buckets + 4 * (size_t)b), e = ekbf_get32(r->gram_buckets + 4 * (size_t)b + 4);
    for (uint32_t k = s; k < e; k++) {
        const unsigned char *p = r->gram_pairs + 8 * (size_t)k;
        uint32_t w = ekbf_get32(p + 4);
        if (ekbf_get32(p) != gram || (w & EKBF_GRAM_SHORT) != short_flag)
            continue;
        w &= ~EKBF_GRAM_SHORT;
        if (m->seen[w] != m->epoch) {
            m->seen[w] = m->epoch;
            m->cand[nc++] = w;
        }
    }
    return nc;
}

/* Candidates: the always-run entries, and those one of whose grams occurs in
 * the text (case folded to ASCII lower case). */
static size_t candidates(ekb_reader_matcher *m, const unsigned char *t, size_t len)
{
    const ekb_reader *r = m->r;
    size_t nc = 0;
    for (uint32_t i = 0; i < r->n_always; i++) {
        uint32_t w = ekbf_get32(r->gram_always + 4 * (size_t)i);
        if (m->seen[w] != m->epoch) {
            m->seen[w] = m->epoch;
            m->cand[nc++] = w;
        }
    }
    if (len < 3 || r->n_pairs == 0)
        return nc;
    /* after byte i, g holds bytes i-3..i, the first in its low byte */
    uint32_t g = (uint32_t)fold(t[0]) << 16 | (uint32_t)fold(t[1]) << 24;
    for (size_t i = 2; i < len; i++) {
        g = g >> 8 | (uint32_t)fold(t[i]) << 24;
        nc = probe(m, g >> 8, EKBF_GRAM_SHORT, nc);
        if (i >= 3)
            nc = probe(m, g, 0, nc);
    }
    return nc;
}

/* The ranking: longest span, then higher confidence, then lower index. */
static int rank(const void *a, const void *b)
{
    const found_t *x = a, *y = b;
    size_t sx = x->m.end - x->m.start, sy = y->m.end - y->m.start;
    if (sx != sy)
        return sx > sy ? -1 : 1;
    if (x->confidence != y->confidence)
        return x->confidence > y->confidence ? -1 : 1;
    return x->m.entry < y->m.entry ? -1 : x->m.entry > y->m.entry;
}

int ekb_reader_match(ekb_reader_matcher *m, const char *text, size_t len, unsigned flags, ekb_reader_hit *out,
                     size_t max, ekb_reader_error *err)
{
    if (!m || (!text && len) || (!out && max))
        return ekbr_fail(err, EKB_READER_ERR_ARG, 0, "no matcher, text or room for results");
    const ekb_reader *r = m->r;
    if (!text)
        text = "";
    m->limit_hits = m->tried = 0;
    if (++m->epoch == 0) { /* wrapped: forget every old mark */
        memset(m->seen, 0, ((size_t)r->n_entries + 1) * sizeof *m->seen);
        m->epoch = 1;
    }
    size_t nc;
    if (flags & EKB_READER_MATCH_NAIVE) {
        for (uint32_t i = 0; i < r->n_entries; i++)
            m->cand[i] = i;
        nc = r->n_entries;
    } else {
        nc = candidates(m, (const unsigned char *)text, len);
    }
    size_t nf = 0;
    for (size_t k = 0; k < nc; k++) {
        uint32_t i = m->cand[k];
        pcre2_code *c = ekbr_regex(r, i, err);
        if (!c)
            return -1;
        m->tried++;
        int rc = pcre2_match(c, (PCRE2_SPTR)text, len, 0, 0, m->md, m->mctx);
        if (rc >= 0) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
            found_t *f = &m->found[nf++];
            f->m.entry = i;
            f->m.start = ov[0];
            f->m.end = ov[1] >= ov[0] ? ov[1] : ov[0]; /* \K can put the end first */
            f->confidence = ekbf_getf64(r->entr.p + (size_t)i * r->entr.size + EKBF_E_CONFIDENCE);
        } else if (rc != PCRE2_ERROR_NOMATCH && rc != PCRE2_ERROR_PARTIAL) {
            m->limit_hits++; /* match, depth, heap or JIT stack limit */
        }
    }
    qsort(m->found, nf, sizeof *m->found, rank);
    for (size_t k = 0; k < nf && k < max; k++)
        out[k] = m->found[k].m;
    return nf > (size_t)0x7fffffff ? 0x7fffffff : (int)nf;
}

/* match.c: which entries recognise a text: the gram prefilter picks the
 * candidates, PCRE2 (JIT, with the policy's limits) confirms them. */
#include <stdlib.h>
#include <string.h>

#include "reader_private.h"

typedef struct found_t {
    ekb_reader_hit m;
    double confidence;
} found_t;

/* Texts up to this many bytes have each candidate's whole prefilter program
 * checked before its regex runs; longer ones (logs) go straight to PCRE2,
 * whose JIT scans faster than a search per atom would. */
#define EVAL_MAX 8192

struct ekb_reader_matcher {
    const ekb_reader *r;
    unsigned char *folded; /* the text folded, when at most EVAL_MAX bytes */
    size_t n_folded;
    uint32_t *atom_seen;   /* epoch at which an atom was looked for */
    unsigned char *atom_found;
    unsigned char *stack;  /* program evaluation */
    size_t skipped;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit_stack;
    uint32_t *seen;  /* epoch at which each entry became a candidate */
    uint32_t epoch;
    uint32_t *cand;
    found_t *found;
    size_t limit_hits, tried;
};

uint32_t ekbf_pcre2_options(uint32_t flags)
{
    uint32_t o = PCRE2_UTF | PCRE2_UCP;
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
    uint32_t flags = ekbf_get32(ekbr_record(&r->rgxs, i) + EKBF_R_FLAGS);
    int code;
    PCRE2_SIZE off;
    c = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, ekbf_pcre2_options(flags) | PCRE2_MATCH_INVALID_UTF, &code, &off, r->cctx);
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
    m->folded = malloc(EVAL_MAX + 1);
    m->atom_seen = calloc((size_t)r->pf_atoms + 1, sizeof *m->atom_seen);
    m->atom_found = malloc((size_t)r->pf_atoms + 1);
    m->stack = malloc((size_t)r->pf_max_program + 1);
    if (!m->md || !m->mctx || !m->seen || !m->cand || !m->found || !m->folded || !m->atom_seen || !m->atom_found ||
        !m->stack) {
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
    free(m->folded);
    free(m->atom_seen);
    free(m->atom_found);
    free(m->stack);
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

/* The folded byte at t[*i], advancing *i, as lib/regex/prefilter folds: ASCII
 * to lower case, and U+017F (long s) and U+212A (Kelvin sign), which PCRE2
 * matches caselessly as 's' and 'k', to those letters. */
static inline unsigned char fold_at(const unsigned char *t, size_t len, size_t *i)
{
    unsigned char c = t[(*i)++];
    if (c >= 'A' && c <= 'Z')
        return (unsigned char)(c + 32);
    if (c == 0xC5 && *i < len && t[*i] == 0xBF) {
        (*i)++;
        return 's';
    }
    if (c == 0xE2 && len - *i >= 2 && t[*i] == 0x84 && t[*i + 1] == 0xAA) {
        *i += 2;
        return 'k';
    }
    return c;
}

/* Adds entry w as a candidate unless it is one already. */
static inline size_t add_candidate(ekb_reader_matcher *m, uint32_t w, size_t nc)
{
    if (m->seen[w] != m->epoch) {
        m->seen[w] = m->epoch;
        m->cand[nc++] = w;
    }
    return nc;
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
        nc = add_candidate(m, w & ~EKBF_GRAM_SHORT, nc);
    }
    return nc;
}

/* Candidates: the always-run entries, and those one of whose grams occurs in
 * the folded text. A short text is kept folded for the programs. */
static size_t candidates(ekb_reader_matcher *m, const unsigned char *t, size_t len)
{
    const ekb_reader *r = m->r;
    size_t nc = 0;
    for (uint32_t i = 0; i < r->n_always; i++)
        nc = add_candidate(m, ekbf_get32(r->gram_always + 4 * (size_t)i), nc);
    bool keep = len <= EVAL_MAX;
    m->n_folded = 0;
    /* after k folded bytes, g holds the last four, the oldest in its low byte */
    uint32_t g = 0;
    size_t k = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = fold_at(t, len, &i);
        if (keep)
            m->folded[m->n_folded++] = c;
        g = g >> 8 | (uint32_t)c << 24;
        if (++k >= 3 && r->n_pairs)
            nc = probe(m, g >> 8, EKBF_GRAM_SHORT, nc);
        if (k >= 4 && r->n_pairs)
            nc = probe(m, g, 0, nc);
    }
    return nc;
}

/* Whether atom a occurs in the folded text (looked for once per call). */
static bool atom_in_text(ekb_reader_matcher *m, uint32_t a)
{
    if (m->atom_seen[a] == m->epoch)
        return m->atom_found[a];
    const ekb_reader *r = m->r;
    char atom[EKBF_PF_ATOM_MAX + 1];
    size_t n = ekb_reader_str_copy(r, ekbf_get32(r->pf_atom + 4 * (size_t)a), atom, sizeof atom);
    if (n > EKBF_PF_ATOM_MAX)
        n = EKBF_PF_ATOM_MAX; /* a part of a required atom is required too */
    const unsigned char *t = m->folded;
    bool found = n == 0;
    for (size_t i = 0; !found && n && i + n <= m->n_folded; i++) {
        const unsigned char *hit = memchr(t + i, (unsigned char)atom[0], m->n_folded - n + 1 - i);
        if (!hit)
            break;
        i = (size_t)(hit - t);
        found = memcmp(hit, atom, n) == 0;
    }
    m->atom_seen[a] = m->epoch;
    m->atom_found[a] = found;
    return found;
}

/* Runs entry i's prefilter program on the folded text (checked at open:
 * it cannot underflow its stack and leaves one value). */
static bool program_allows(ekb_reader_matcher *m, uint32_t i)
{
    const ekb_reader *r = m->r;
    const unsigned char *g = ekbr_record(&r->rgxs, i);
    uint32_t first = ekbf_get32(g + EKBF_R_PF_OFFSET), n = ekbf_get32(g + EKBF_R_PF_LENGTH);
    if (n == 0)
        return true;
    size_t sp = 0;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t w = ekbf_get32(r->pf_step + 4 * ((size_t)first + k)), op = w >> 30, arg = w & EKBF_PF_ARG_MASK;
        if (op == EKBF_PF_ATOM) {
            m->stack[sp++] = atom_in_text(m, arg);
            continue;
        }
        bool v = op == EKBF_PF_AND;
        for (uint32_t j = 0; j < arg; j++)
            v = op == EKBF_PF_AND ? v && m->stack[sp - 1 - j] : v || m->stack[sp - 1 - j];
        sp -= arg;
        m->stack[sp++] = v;
    }
    return m->stack[0];
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
    m->limit_hits = m->tried = m->skipped = 0;
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
    bool eval = !(flags & EKB_READER_MATCH_NAIVE) && len <= EVAL_MAX;
    for (size_t k = 0; k < nc; k++) {
        uint32_t i = m->cand[k];
        if (eval && !program_allows(m, i)) {
            m->skipped++;
            continue;
        }
        ekb_reader_error e2;
        pcre2_code *c = ekbr_regex(r, i, &e2);
        if (!c) {
            if (e2.code != EKB_READER_ERR_REGEX) {
                if (err)
                    *err = e2;
                return -1;
            }
            m->limit_hits++; /* a pattern that does not compile never matches */
            continue;
        }
        m->tried++;
        int rc = pcre2_match(c, (PCRE2_SPTR)text, len, 0, 0, m->md, m->mctx);
        if (rc >= 0) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
            found_t *f = &m->found[nf++];
            f->m.entry = i;
            f->m.start = ov[0];
            f->m.end = ov[1] >= ov[0] ? ov[1] : ov[0]; /* \K can put the end first */
            f->confidence = ekbf_getf64(ekbr_record(&r->entr, i) + EKBF_E_CONFIDENCE);
        } else if (rc != PCRE2_ERROR_NOMATCH && rc != PCRE2_ERROR_PARTIAL) {
            m->limit_hits++; /* match, depth, heap or JIT stack limit */
        }
    }
    qsort(m->found, nf, sizeof *m->found, rank);
    for (size_t k = 0; k < nf && k < max; k++)
        out[k] = m->found[k].m;
    return nf > (size_t)0x7fffffff ? 0x7fffffff : (int)nf;
}

/* check_build.c: the regex corpus: every entry's regex compiled and put in
 * the prefilter, then texts and background lines matched across entries. */
#include "check_private.h"

#include <stdlib.h>
#include <string.h>

#include "parallel.h"
#include "util.h"

/* Entries (or lines) per unit of parallel work: each unit sets up its own
 * scratch space, so units should not be tiny; there should be many of them
 * on a big corpus, so that threads share the load. */
#define CHUNK 16

/* collect makes room for every text first, so adding cannot fail */
static void add_text(ekb_rx_entry *e, int kind, size_t index, const ekb_cv *v)
{
    if (!ekb_cv_is_string(v))
        return;
    const char *s = ekb_cv_str(v);
    size_t len = ekb_cv_len(v);
    uint32_t t = e->n_texts++, same = 0;
    while (same < t && !(e->texts[same].len == len && memcmp(e->texts[same].s, s, len) == 0))
        same++;
    e->texts[t] = (ekb_rx_text){.kind = (uint8_t)kind, .index = (uint32_t)index, .s = s, .len = len, .same = same};
}

static int collect(ekb_rx_entry *e, ekb_corpus_file *f, const ekb_cv *root)
{
    e->f = f;
    const char *doc_id = ekb_cv_str(ekb_cv_get(root, "id"));
    e->id = f->id ? f->id : doc_id ? doc_id : f->path;
    const ekb_cv *re = ekb_cv_get(root, "regex");
    if (ekb_cv_is_string(re)) {
        e->pattern = ekb_cv_str(re);
        e->plen = ekb_cv_len(re);
    }
    const ekb_cv *aliases = ekb_cv_get(root, "aliases");
    const ekb_cv *samples = ekb_cv_get(root, "samples");
    const ekb_cv *match = ekb_cv_get(samples, "match");
    size_t cap = 1 + ekb_cv_size(aliases) + ekb_cv_size(match);
    if (!(e->texts = malloc(cap * sizeof *e->texts)))
        return -1;
    add_text(e, EKB_TEXT_SIGNATURE, 0, ekb_cv_get(root, "signature"));
    for (size_t i = 0; i < ekb_cv_size(aliases); i++)
        add_text(e, EKB_TEXT_ALIAS, i, ekb_cv_at(aliases, i));
    for (size_t i = 0; i < ekb_cv_size(match); i++)
        add_text(e, EKB_TEXT_MATCH, i, ekb_cv_at(match, i));
    const ekb_cv *no = ekb_cv_get(samples, "no_match");
    e->no_match = ekb_cv_is_array(no) ? no : NULL;
    const ekb_cv *links = ekb_cv_get(ekb_cv_get(root, "transition_graph"), "frequently_confused_with");
    e->links = ekb_cv_is_array(links) ? links : NULL;
    return 0;
}

/* A loaded file frozen (ekb_doc_cv), on every core: errkb-regex parses
 * the corpus as jansson values, and the checks read frozen ones. */
static int freeze_one(void *ctx, size_t i, ekb_diags *d)
{
    (void)d;
    ekb_doc *doc = ((ekb_corpus *)ctx)->files[i].doc;
    return doc && doc->root && !ekb_doc_cv(doc) ? -1 : 0;
}

/* --- compiling, in parallel --- */

static int compile_chunk(void *ctx, size_t chunk, ekb_diags *d)
{
    (void)d;
    ekb_regex_corpus *rc = ctx;
    ekb_matcher m;
    if (ekb_rx_borrow_matcher(rc, &m) != 0)
        return -1;
    int r = 0;
    for (size_t i = chunk * CHUNK; i < rc->n && i < (chunk + 1) * CHUNK && r == 0; i++) {
        ekb_rx_entry *e = &rc->e[i];
        if (!e->pattern)
            continue;
        int c = ekb_regex_compile(&rc->ro, e->pattern, e->plen, 0, false, &e->code, &e->errcode, &e->erroff);
        if (c < 0)
            r = -1;
        else if (c == 0)
            e->empty_match = ekb_regex_match(&m, e->code, "", 0, NULL, NULL, NULL) == EKB_MATCH_FOUND;
    }
    ekb_rx_return_matcher(rc, &m);
    return r;
}

typedef struct visit_job {
    ekb_regex_corpus *rc;
    uint32_t *entry; /* of each compiled pattern */
} visit_job;

static int find_bt_sites(void *ctx, size_t i, struct ekb_rx_tree *t)
{
    visit_job *vj = ctx;
    ekb_rx_entry *e = &vj->rc->e[vj->entry[i]];
    if (!e->f->target)
        return 0; /* context only: never checked */
    if (ekb_bt_analyze_tree(t, &e->bt) != 0)
        return -1;
    e->bt_ready = true;
    return 0;
}

int ekb_regex_corpus_new(ekb_corpus *c, const ekb_regex_check_options *o, ekb_diags *d, ekb_regex_corpus **out)
{
    *out = NULL;
    ekb_regex_corpus *rc = calloc(1, sizeof *rc);
    if (!rc)
        return -1;
    pthread_mutex_init(&rc->spare_lock, NULL);
    rc->c = c;
    rc->opt = *o;
    if (ekb_regex_opts_from_policy(&rc->ro, &c->policy, d) != 0 ||
        !(rc->entry_of_file = malloc((c->n + 1) * sizeof *rc->entry_of_file)) ||
        !(rc->e = calloc(c->n + 1, sizeof *rc->e)) || !(rc->entry_of_pf = malloc((c->n + 1) * sizeof *rc->entry_of_pf)) ||
        !(rc->pf = ekb_prefilter_new(0))) {
        ekb_regex_corpus_free(rc);
        return -1;
    }
    if (ekb_parallel_for(c->n, o->jobs, freeze_one, c, d) != 0) {
        ekb_regex_corpus_free(rc);
        return -1;
    }
    for (size_t i = 0; i < c->n; i++) {
        rc->entry_of_file[i] = -1;
        ekb_corpus_file *f = &c->files[i];
        const ekb_cv *root = f->doc ? ekb_doc_cv(f->doc) : NULL;
        if (!ekb_cv_is_object(root))
            continue;
        if (collect(&rc->e[rc->n], f, root) != 0) {
            ekb_regex_corpus_free(rc);
            return -1;
        }
        rc->entry_of_file[i] = (long)rc->n++;
    }
    if (ekb_parallel_for((rc->n + CHUNK - 1) / CHUNK, o->jobs, compile_chunk, rc, d) != 0) {
        ekb_regex_corpus_free(rc);
        return -1;
    }
    /* the compiled patterns into the prefilter, analysed in parallel */
    const char **patterns = malloc((rc->n + 1) * sizeof *patterns);
    size_t *lens = malloc((rc->n + 1) * sizeof *lens);
    uint32_t *ids = malloc((rc->n + 1) * sizeof *ids);
    size_t n_compiled = 0;
    int r = patterns && lens && ids ? 0 : -1;
    for (size_t i = 0; i < rc->n && r == 0; i++) {
        ekb_rx_entry *e = &rc->e[i];
        rc->st.entries++;
        rc->st.texts += e->n_texts;
        if (!e->code)
            continue;
        rc->st.compiled++;
        patterns[n_compiled] = e->pattern;
        lens[n_compiled++] = e->plen;
    }
    /* the backtracking check reads the same parse as the prefilter */
    visit_job vj = {rc, malloc((n_compiled + 1) * sizeof *vj.entry)};
    if (!vj.entry)
        r = -1;
    for (size_t i = 0, k = 0; i < rc->n && r == 0; i++)
        if (rc->e[i].code)
            vj.entry[k++] = (uint32_t)i;
    if (r == 0)
        r = ekb_prefilter_add_all_visit(rc->pf, patterns, lens, n_compiled, rc->ro.options, o->jobs, find_bt_sites,
                                        &vj, ids);
    free(vj.entry);
    for (size_t i = 0, k = 0; i < rc->n && r == 0; i++) {
        ekb_rx_entry *e = &rc->e[i];
        if (!e->code)
            continue;
        e->pf_id = ids[k++];
        rc->entry_of_pf[e->pf_id] = (uint32_t)i;
        rc->st.unfiltered += ekb_prefilter_unfiltered(rc->pf, e->pf_id);
    }
    free(patterns);
    free(lens);
    free(ids);
    if (r != 0 || ekb_prefilter_compile(rc->pf) != 0) {
        ekb_regex_corpus_free(rc);
        return -1;
    }
    rc->st.atoms = ekb_prefilter_atoms(rc->pf);
    *out = rc;
    return 0;
}

const ekb_prefilter *ekb_regex_corpus_prefilter(const ekb_regex_corpus *rc, uint32_t *options)
{
    *options = rc->ro.options;
    return rc->pf;
}

long ekb_regex_corpus_pattern_id(const ekb_regex_corpus *rc, const ekb_corpus_file *f)
{
    if (f < rc->c->files || f >= rc->c->files + rc->c->n)
        return -1;
    long e = rc->entry_of_file[f - rc->c->files];
    return e >= 0 && rc->e[e].code ? (long)rc->e[e].pf_id : -1;
}

void ekb_regex_corpus_free(ekb_regex_corpus *rc)
{
    if (!rc)
        return;
    for (size_t i = 0; i < rc->n; i++) {
        pcre2_code_free(rc->e[i].code);
        free(rc->e[i].texts);
        free(rc->e[i].no_match_run);
        free(rc->e[i].hits);
        free(rc->e[i].rev);
        free(rc->e[i].bg);
        ekb_bt_analysis_free(&rc->e[i].bt);
    }
    for (size_t i = 0; i < rc->n_spare; i++)
        ekb_matcher_free(&rc->spare[i]);
    free(rc->spare);
    pthread_mutex_destroy(&rc->spare_lock);
    free(rc->e);
    free(rc->entry_of_file);
    free(rc->entry_of_pf);
    ekb_prefilter_free(rc->pf);
    ekb_rx_background_free(&rc->bg);
    free(rc);
}

/* --- links --- */

static bool lists(const ekb_rx_entry *a, const char *id)
{
    for (size_t i = 0; i < ekb_cv_size(a->links); i++) {
        const ekb_cv *v = ekb_cv_at(a->links, i);
        const char *s = ekb_cv_is_object(v) ? ekb_cv_str(ekb_cv_get(v, "id")) : ekb_cv_str(v);
        if (s && strcmp(s, id) == 0)
            return true;
    }
    return false;
}

bool ekb_rx_linked(const ekb_rx_entry *a, const ekb_rx_entry *b)
{
    return lists(a, b->id) || lists(b, a->id);
}

/* --- cross-matching, in parallel --- */

typedef struct pair_list {
    ekb_rx_hit *v;
    size_t n, cap;
} pair_list;

static int pair_push(pair_list *l, ekb_rx_hit h)
{
    if (ekb_grow(&l->v, &l->cap, l->n, sizeof *l->v, 8) != 0)
        return -1;
    l->v[l->n++] = h;
    return 0;
}

typedef struct cross_job {
    ekb_regex_corpus *rc;
    /* entries or lines per unit: each unit sets up a scratch the size of
     * the prefilter (megabytes at 100k entries), so a big corpus has a few
     * hundred big units rather than thousands of CHUNK */
    size_t chunk;
    size_t entry_chunks;      /* units [0, entry_chunks) are entries, the rest background lines */
    size_t usable, usable_targets;
    pair_list *bg_hits;       /* per background unit: (line, regex entry) */
    ekb_regex_stats *st;      /* per unit */
} cross_job;

static bool usable(const ekb_rx_entry *e)
{
    return e->code && !e->empty_match;
}

/* Which of A's no_match samples its regex could match at all: a sample
 * made as a near miss usually lacks a literal the regex requires, and then
 * the sample check skips PCRE2's slowest case, a failing match. */
static int sift_no_match(const ekb_regex_corpus *rc, ekb_rx_entry *A, ekb_pf_scratch *s, ekb_regex_stats *st)
{
    size_t n = ekb_cv_size(A->no_match);
    if (!n || !usable(A) || !A->f->target)
        return 0;
    if (!(A->no_match_run = calloc(n, sizeof *A->no_match_run)))
        return -1;
    for (size_t i = 0; i < n; i++) {
        const ekb_cv *v = ekb_cv_at(A->no_match, i);
        bool may;
        if (!ekb_cv_is_string(v))
            continue;
        if (ekb_prefilter_may_match(rc->pf, s, A->pf_id, ekb_cv_str(v), ekb_cv_len(v), &may) != 0)
            return -1;
        A->no_match_run[i] = may;
        st->no_match_brute++;
        st->no_match_run += A->no_match_run[i];
    }
    return 0;
}

static int cross_entries(cross_job *j, size_t unit, ekb_pf_scratch *s, ekb_matcher *m)
{
    ekb_regex_corpus *rc = j->rc;
    ekb_regex_stats *st = &j->st[unit];
    for (size_t a = unit * j->chunk; a < rc->n && a < (unit + 1) * j->chunk; a++) {
        ekb_rx_entry *A = &rc->e[a];
        pair_list hits = {0};
        bool at = A->f->target;
        for (uint32_t t = 0; t < A->n_texts; t++) {
            const ekb_rx_text *x = &A->texts[t];
            st->pairs_brute += at ? j->usable - usable(A) : j->usable_targets;
            uint32_t same = x->same;
            if (same < t) {
                /* the same text again: the same regexes recognise it */
                for (size_t k = 0, n0 = hits.n; k < n0; k++) {
                    ekb_rx_hit h = hits.v[k];
                    if (h.text != same)
                        continue;
                    h.text = t;
                    if (pair_push(&hits, h) != 0) {
                        free(hits.v);
                        return -1;
                    }
                }
                st->pairs_matched += A->texts[same].matches;
                continue;
            }
            const uint32_t *ids;
            size_t n;
            if (ekb_prefilter_candidates(rc->pf, s, x->s, x->len, &ids, &n) != 0) {
                free(hits.v);
                return -1;
            }
            for (size_t k = 0; k < n; k++) {
                uint32_t b = rc->entry_of_pf[ids[k]];
                const ekb_rx_entry *B = &rc->e[b];
                if (b == a || !usable(B) || !(at || B->f->target))
                    continue;
                st->pairs_run++;
                int r = ekb_regex_match_valid(m, B->code, x->s, x->len, NULL, NULL, NULL);
                bool limit = r == EKB_MATCH_LIMIT;
                if (r != EKB_MATCH_FOUND && !limit)
                    continue;
                st->pairs_matched += !limit;
                A->texts[t].matches += !limit;
                if ((limit || !ekb_rx_linked(A, B)) && pair_push(&hits, (ekb_rx_hit){(uint32_t)a, t, b, limit}) != 0) {
                    free(hits.v);
                    return -1;
                }
            }
        }
        A->hits = hits.v;
        A->n_hits = hits.n;
        if (sift_no_match(rc, A, s, st) != 0)
            return -1;
    }
    return 0;
}

static int cross_background(cross_job *j, size_t unit, ekb_pf_scratch *s, ekb_matcher *m)
{
    ekb_regex_corpus *rc = j->rc;
    ekb_regex_stats *st = &j->st[unit];
    size_t first = (unit - j->entry_chunks) * j->chunk;
    for (size_t line = first; line < rc->bg.n && line < first + j->chunk; line++) {
        const char *text = rc->bg.text + rc->bg.off[line];
        size_t len = rc->bg.end[line] - rc->bg.off[line];
        st->background_brute += j->usable_targets;
        const uint32_t *ids;
        size_t n;
        if (ekb_prefilter_candidates(rc->pf, s, text, len, &ids, &n) != 0)
            return -1;
        for (size_t k = 0; k < n; k++) {
            uint32_t b = rc->entry_of_pf[ids[k]];
            const ekb_rx_entry *B = &rc->e[b];
            if (!usable(B) || !B->f->target)
                continue;
            st->background_run++;
            if (ekb_regex_match(m, B->code, text, len, NULL, NULL, NULL) == EKB_MATCH_FOUND &&
                pair_push(&j->bg_hits[unit], (ekb_rx_hit){(uint32_t)line, 0, b, false}) != 0)
                return -1;
        }
    }
    return 0;
}

static int cross_unit(void *ctx, size_t unit, ekb_diags *d)
{
    (void)d;
    cross_job *j = ctx;
    ekb_pf_scratch *s = ekb_pf_scratch_new(j->rc->pf);
    ekb_matcher m;
    if (!s || ekb_rx_borrow_matcher(j->rc, &m) != 0) {
        ekb_pf_scratch_free(s);
        return -1;
    }
    int r = unit < j->entry_chunks ? cross_entries(j, unit, s, &m) : cross_background(j, unit, s, &m);
    ekb_rx_return_matcher(j->rc, &m);
    ekb_pf_scratch_free(s);
    return r;
}

static int cmp_pair(const void *x, const void *y)
{
    const uint64_t *a = x, *b = y;
    return *a < *b ? -1 : *a > *b;
}

/* Hands each background hit to its regex's entry, each text hit to the
 * entry whose regex recognised it, and counts the ambiguous pairs. */
static int distribute(cross_job *j, size_t units)
{
    ekb_regex_corpus *rc = j->rc;
    size_t *nbg = calloc(rc->n + 1, sizeof *nbg), *nrev = calloc(rc->n + 1, sizeof *nrev);
    size_t total = 0;
    int r = nbg && nrev ? 0 : -1;
    for (size_t u = j->entry_chunks; u < units && r == 0; u++)
        for (size_t k = 0; k < j->bg_hits[u].n; k++)
            nbg[j->bg_hits[u].v[k].regex_entry]++;
    for (size_t a = 0; a < rc->n && r == 0; a++)
        for (size_t k = 0; k < rc->e[a].n_hits; k++, total++)
            nrev[rc->e[a].hits[k].regex_entry]++;
    for (size_t b = 0; b < rc->n && r == 0; b++) {
        if (nbg[b] && !(rc->e[b].bg = malloc(nbg[b] * sizeof *rc->e[b].bg)))
            r = -1;
        if (nrev[b] && !(rc->e[b].rev = malloc(nrev[b] * sizeof *rc->e[b].rev)))
            r = -1;
    }
    for (size_t u = j->entry_chunks; u < units && r == 0; u++)
        for (size_t k = 0; k < j->bg_hits[u].n; k++) {
            ekb_rx_entry *B = &rc->e[j->bg_hits[u].v[k].regex_entry];
            B->bg[B->n_bg++] = j->bg_hits[u].v[k].text_entry;
        }
    uint64_t *pairs = malloc((total + 1) * sizeof *pairs);
    if (!pairs)
        r = -1;
    size_t np = 0;
    for (size_t a = 0; a < rc->n && r == 0; a++)
        for (size_t k = 0; k < rc->e[a].n_hits; k++) {
            ekb_rx_hit h = rc->e[a].hits[k];
            ekb_rx_entry *B = &rc->e[h.regex_entry];
            B->rev[B->n_rev++] = h;
            if (h.limit)
                continue;
            uint64_t lo = a < h.regex_entry ? a : h.regex_entry, hi = a < h.regex_entry ? h.regex_entry : a;
            pairs[np++] = lo << 32 | hi;
        }
    if (r == 0) {
        qsort(pairs, np, sizeof *pairs, cmp_pair);
        for (size_t i = 0; i < np; i++)
            rc->st.ambiguous_pairs += i == 0 || pairs[i] != pairs[i - 1];
    }
    free(pairs);
    free(nbg);
    free(nrev);
    return r;
}

int ekb_regex_corpus_cross(ekb_regex_corpus *rc, ekb_diags *d)
{
    int lr = ekb_rx_background_load(&rc->bg, rc->c->schema_dir, d);
    if (lr < 0)
        return -1;
    rc->st.background_lines = rc->bg.n;
    size_t chunk = rc->n / 256 > CHUNK ? rc->n / 256 : CHUNK;
    cross_job j = {.rc = rc, .chunk = chunk, .entry_chunks = (rc->n + chunk - 1) / chunk};
    for (size_t i = 0; i < rc->n; i++) {
        j.usable += usable(&rc->e[i]);
        j.usable_targets += usable(&rc->e[i]) && rc->e[i].f->target;
    }
    size_t units = j.entry_chunks + (rc->bg.n + chunk - 1) / chunk;
    j.bg_hits = calloc(units + 1, sizeof *j.bg_hits);
    j.st = calloc(units + 1, sizeof *j.st);
    int r = j.bg_hits && j.st ? ekb_parallel_for(units, rc->opt.jobs, cross_unit, &j, d) : -1;
    if (r == 0)
        r = distribute(&j, units);
    for (size_t u = 0; j.st && u < units; u++) {
        rc->st.pairs_brute += j.st[u].pairs_brute;
        rc->st.pairs_run += j.st[u].pairs_run;
        rc->st.pairs_matched += j.st[u].pairs_matched;
        rc->st.background_brute += j.st[u].background_brute;
        rc->st.background_run += j.st[u].background_run;
        rc->st.no_match_brute += j.st[u].no_match_brute;
        rc->st.no_match_run += j.st[u].no_match_run;
    }
    for (size_t u = 0; j.bg_hits && u < units; u++)
        free(j.bg_hits[u].v);
    free(j.bg_hits);
    free(j.st);
    return r;
}

int ekb_regex_corpus_finish(ekb_regex_corpus *rc, ekb_diags *d)
{
    size_t n = rc->st.ambiguous_pairs;
    if (!n)
        return 0;
    return ekb_diags_add(d, "", 0, 0, EKB_NOTE, "regex.ambiguous-pairs", NULL, NULL,
                         "%zu ambiguous entry pair%s: a regex recognises another entry's text and neither "
                         "entry lists the other in frequently_confused_with",
                         n, n == 1 ? "" : "s");
}

ekb_regex_stats ekb_regex_corpus_stats(const ekb_regex_corpus *rc)
{
    ekb_regex_stats st = rc->st;
    st.bt_measured = atomic_load(&rc->bt_measured);
    st.bt_skipped = atomic_load(&rc->bt_skipped);
    st.bt_unparsed = atomic_load(&rc->bt_unparsed);
    st.bt_runs = atomic_load(&rc->bt_runs);
    st.bt_steps = atomic_load(&rc->bt_steps);
    return st;
}

/* --- --try --- */

int ekb_regex_try(const ekb_regex_corpus *rc, const char *line, size_t len, bool targets_only,
                  ekb_regex_hit **hits, size_t *n, size_t *limited)
{
    *hits = NULL;
    *n = *limited = 0;
    ekb_pf_scratch *s = ekb_pf_scratch_new(rc->pf);
    ekb_matcher m;
    if (!s || ekb_matcher_init(&m, &rc->ro) != 0) {
        ekb_pf_scratch_free(s);
        return -1;
    }
    const uint32_t *ids;
    size_t nc;
    int r = ekb_prefilter_candidates(rc->pf, s, line, len, &ids, &nc);
    if (r == 0 && !(*hits = malloc((nc + 1) * sizeof **hits)))
        r = -1;
    /* prefilter ids follow the entries' order, which is the id order */
    for (size_t k = 0; r == 0 && k < nc; k++) {
        const ekb_rx_entry *e = &rc->e[rc->entry_of_pf[ids[k]]];
        if (targets_only && !e->f->target)
            continue;
        size_t start, end;
        int mr = ekb_regex_match(&m, e->code, line, len, &start, &end, NULL);
        if (mr == EKB_MATCH_FOUND)
            (*hits)[(*n)++] = (ekb_regex_hit){e->id, e->f->path, start, end};
        else if (mr == EKB_MATCH_LIMIT)
            (*limited)++;
    }
    ekb_matcher_free(&m);
    ekb_pf_scratch_free(s);
    if (r != 0) {
        free(*hits);
        *hits = NULL;
        *n = 0;
    }
    return r;
}

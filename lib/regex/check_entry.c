/* check_entry.c: the findings about one target entry: its regex compiles,
 * recognises its own texts and not its no_match samples, is not over-broad,
 * ambiguous or prone to catastrophic backtracking. */
#include "check_private.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

#include "backtrack.h"
#include "quote.h"

#define QUOTE_TEXT 60   /* code points of a quoted text */
#define QUOTE_PART 40   /* of a matched part or a pattern piece */

/* Builds a quoted string for a message; "'?'" when out of memory, with *oom set. */
typedef struct quoter {
    char *v[4];
    int n;
    bool oom;
} quoter;

static const char *q(quoter *qt, const char *s, size_t len, size_t max)
{
    char *r = ekb_rx_quoted(s, len, max);
    if (!r) {
        qt->oom = true;
        return "'?'";
    }
    if (qt->n == 4) { /* more than a message needs: recycle the oldest */
        free(qt->v[0]);
        memmove(qt->v, qt->v + 1, 3 * sizeof *qt->v);
        qt->n = 3;
    }
    return qt->v[qt->n++] = r;
}

static void q_reset(quoter *qt)
{
    for (int i = 0; i < qt->n; i++)
        free(qt->v[i]);
    qt->n = 0;
}

/* "match limit (1000000)" and the like. */
static const char *limit_desc(const ekb_regex_corpus *rc, int err, char *buf, size_t n)
{
    if (err == PCRE2_ERROR_MATCHLIMIT)
        snprintf(buf, n, "match limit (%u)", rc->ro.match_limit);
    else if (err == PCRE2_ERROR_DEPTHLIMIT)
        snprintf(buf, n, "depth limit (%u)", rc->ro.depth_limit);
    else if (err == PCRE2_ERROR_HEAPLIMIT)
        snprintf(buf, n, "heap limit (%u KiB)", rc->ro.heap_limit_kib);
    else
        snprintf(buf, n, "error %d", err);
    return buf;
}

static void text_pointer(const ekb_rx_text *t, char *buf, size_t n)
{
    if (t->kind == EKB_TEXT_SIGNATURE)
        snprintf(buf, n, "/signature");
    else if (t->kind == EKB_TEXT_ALIAS)
        snprintf(buf, n, "/aliases/%u", t->index);
    else
        snprintf(buf, n, "/samples/match/%u", t->index);
}

static const char *text_kind(const ekb_rx_text *t)
{
    return t->kind == EKB_TEXT_SIGNATURE ? "signature" : t->kind == EKB_TEXT_ALIAS ? "alias" : "match sample";
}

static int report_compile_error(ekb_rx_entry *e, ekb_diags *d)
{
    char *msg = ekb_regex_error_message(e->errcode);
    if (!msg)
        return -1;
    int r = ekb_doc_report(d, e->f->doc, e->id, "/regex", false, EKB_ERROR, "regex.compile",
                           "regex does not compile at offset %zu: %s", e->erroff, msg);
    free(msg);
    return r;
}

int ekb_regex_report_compile_errors(ekb_regex_corpus *rc, bool targets_only, ekb_diags *d)
{
    for (size_t i = 0; i < rc->n; i++) {
        ekb_rx_entry *e = &rc->e[i];
        if (e->pattern && !e->code && (e->f->target || !targets_only) && report_compile_error(e, d) != 0)
            return -1;
    }
    return 0;
}

/* The entry's own texts must match, its no_match samples must not. */
static int check_samples(ekb_regex_corpus *rc, ekb_rx_entry *e, ekb_matcher *m, quoter *qt, ekb_diags *d)
{
    static const char *const rules[] = {"regex.signature", "regex.alias", "regex.sample-match"};
    char ptr[64], lim[64];
    int r = 0;
    for (uint32_t i = 0; i < e->n_texts && r == 0; i++) {
        const ekb_rx_text *t = &e->texts[i];
        int err;
        uint32_t same = t->same;
        int mr = same < i ? e->texts[same].verdict : ekb_regex_match_valid(m, e->code, t->s, t->len, NULL, NULL, &err);
        if (same < i)
            err = e->texts[same].error;
        e->texts[i].verdict = mr;
        e->texts[i].error = err;
        if (mr == EKB_MATCH_FOUND)
            continue; /* the usual case: nothing to spell */
        text_pointer(t, ptr, sizeof ptr);
        const char *what = t->kind == EKB_TEXT_SIGNATURE ? "the signature" : t->kind == EKB_TEXT_ALIAS ? "alias" : "sample";
        if (mr == EKB_MATCH_NONE)
            r = ekb_doc_report(d, e->f->doc, e->id, ptr, false, EKB_ERROR, rules[t->kind], "regex does not match %s %s",
                               what, q(qt, t->s, t->len, QUOTE_TEXT));
        else
            r = ekb_doc_report(d, e->f->doc, e->id, ptr, false, EKB_ERROR, "regex.limit",
                               "regex stops at the PCRE2 %s on %s %s", limit_desc(rc, err, lim, sizeof lim), what,
                               q(qt, t->s, t->len, QUOTE_TEXT));
        q_reset(qt);
    }
    for (size_t i = 0; i < ekb_cv_size(e->no_match) && r == 0; i++) {
        const ekb_cv *v = ekb_cv_at(e->no_match, i);
        if (!ekb_cv_is_string(v) || (e->no_match_run && !e->no_match_run[i]))
            continue; /* not a string, or the prefilter rules a match out */
        const char *s = ekb_cv_str(v);
        size_t len = ekb_cv_len(v), start, end;
        int err;
        int mr = ekb_regex_match_valid(m, e->code, s, len, &start, &end, &err);
        if (mr == EKB_MATCH_NONE)
            continue;
        snprintf(ptr, sizeof ptr, "/samples/no_match/%zu", i);
        if (mr == EKB_MATCH_FOUND)
            r = ekb_doc_report(d, e->f->doc, e->id, ptr, false, EKB_ERROR, "regex.sample-no-match",
                               "regex matches no_match sample %s (at %s)", q(qt, s, len, QUOTE_TEXT),
                               q(qt, s + start, end - start, QUOTE_PART));
        else
            r = ekb_doc_report(d, e->f->doc, e->id, ptr, false, EKB_ERROR, "regex.limit",
                               "regex stops at the PCRE2 %s on no_match sample %s", limit_desc(rc, err, lim, sizeof lim),
                               q(qt, s, len, QUOTE_TEXT));
        q_reset(qt);
    }
    return r;
}

static int check_breadth(ekb_regex_corpus *rc, ekb_rx_entry *e, ekb_matcher *m, quoter *qt, ekb_diags *d)
{
    if (e->empty_match)
        return ekb_doc_report(d, e->f->doc, e->id, "/regex", false, EKB_WARNING, "regex.empty-match",
                              "regex matches the empty string, so it recognises any line");
    if (!e->n_bg)
        return 0;
    const ekb_rx_background *bg = &rc->bg;
    uint32_t line = e->bg[0];
    const char *text = bg->text + bg->off[line];
    size_t len = bg->end[line] - bg->off[line], start = 0, end = 0;
    ekb_regex_match(m, e->code, text, len, &start, &end, NULL);
    char more[64] = "";
    if (e->n_bg > 1)
        snprintf(more, sizeof more, " and %zu more", e->n_bg - 1);
    int r = ekb_doc_report(d, e->f->doc, e->id, "/regex", false, EKB_WARNING, "regex.background",
                           "regex matches an ordinary log line (%s:%u%s): %s (at %s)", bg->path, bg->line_no[line],
                           more, q(qt, text, len, QUOTE_TEXT), q(qt, text + start, end - start, QUOTE_PART));
    q_reset(qt);
    return r;
}

static int check_ambiguity(ekb_regex_corpus *rc, ekb_rx_entry *e, quoter *qt, ekb_diags *d)
{
    char ptr[64];
    int r = 0;
    for (size_t k = 0; k < e->n_hits && r == 0; k++) {
        const ekb_rx_hit *h = &e->hits[k];
        if (h->limit)
            continue; /* the other regex's problem */
        const ekb_rx_entry *b = &rc->e[h->regex_entry];
        const ekb_rx_text *t = &e->texts[h->text];
        text_pointer(t, ptr, sizeof ptr);
        r = ekb_doc_report(d, e->f->doc, e->id, ptr, false, EKB_WARNING, "regex.ambiguous",
                           "%s of '%s' is also recognised by the regex of '%s': %s (neither entry lists the other "
                           "in frequently_confused_with)",
                           text_kind(t), e->id, b->id, q(qt, t->s, t->len, QUOTE_TEXT));
        q_reset(qt);
    }
    for (size_t k = 0; k < e->n_rev && r == 0; k++) {
        const ekb_rx_hit *h = &e->rev[k];
        const ekb_rx_entry *a = &rc->e[h->text_entry];
        const ekb_rx_text *t = &a->texts[h->text];
        if (h->limit)
            r = ekb_doc_report(d, e->f->doc, e->id, "/regex", false, EKB_ERROR, "regex.limit",
                               "regex of '%s' stops at a PCRE2 limit on the %s of '%s': %s", e->id, text_kind(t),
                               a->id, q(qt, t->s, t->len, QUOTE_TEXT));
        else
            r = ekb_doc_report(d, e->f->doc, e->id, "/regex", false, EKB_WARNING, "regex.ambiguous",
                               "regex of '%s' also recognises the %s of '%s': %s (neither entry lists the other "
                               "in frequently_confused_with)",
                               e->id, text_kind(t), a->id, q(qt, t->s, t->len, QUOTE_TEXT));
        q_reset(qt);
    }
    return r;
}

static int check_backtracking(ekb_regex_corpus *rc, ekb_rx_entry *e, quoter *qt, ekb_diags *d)
{
    ekb_bt_analysis a = e->bt;
    memset(&e->bt, 0, sizeof e->bt); /* now this check's */
    if (!e->bt_ready && ekb_bt_analyze(e->pattern, e->plen, rc->ro.options, &a) != 0)
        return -1;
    if (!a.parsed) {
        atomic_fetch_add(&rc->bt_unparsed, 1);
        return 0;
    }
    int r = 0;
    for (size_t i = 0; i < a.n && r == 0; i++) {
        const ekb_bt_site *s = &a.v[i];
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            seen |= a.v[j].classic && a.v[j].start == s->start && a.v[j].end == s->end;
        if (!s->classic || s->guarded || seen)
            continue;
        const char *span = q(qt, e->pattern + s->start, s->end - s->start, QUOTE_PART);
        if (s->kind == EKB_BT_NESTED)
            r = ekb_doc_report(d, e->f->doc, e->id, "/regex", false, EKB_WARNING, "regex.backtracking-shape",
                               "nested quantifier %s at offset %u can backtrack exponentially", span, s->start);
        else
            r = ekb_doc_report(d, e->f->doc, e->id, "/regex", false, EKB_WARNING, "regex.backtracking-shape",
                               "repeated alternation %s at offset %u has overlapping branches and can backtrack "
                               "exponentially",
                               span, s->start);
        q_reset(qt);
    }
    if (r != 0 || !a.n) {
        if (r == 0)
            atomic_fetch_add(&rc->bt_skipped, 1);
        ekb_bt_analysis_free(&a);
        return r;
    }
    atomic_fetch_add(&rc->bt_measured, 1);
    ekb_bt_result res;
    r = ekb_bt_measure(&rc->ro, e->pattern, e->plen, &a, &res);
    if (r != 0) {
        ekb_bt_analysis_free(&a);
        return r < 0 ? -1 : 0;
    }
    atomic_fetch_add(&rc->bt_runs, res.runs);
    atomic_fetch_add(&rc->bt_steps, res.work);
    if (res.verdict != EKB_BT_FINE) {
        const ekb_bt_site *s = &a.v[res.site];
        const char *span = q(qt, e->pattern + s->start, s->end - s->start, QUOTE_PART);
        char what[200], lim[64];
        if (res.verdict == EKB_BT_LIMIT)
            snprintf(what, sizeof what, "it hits the PCRE2 %s on a %zu-byte input",
                     limit_desc(rc, res.pcre2_error, lim, sizeof lim), res.length);
        else if (res.verdict == EKB_BT_GROWTH)
            snprintf(what, sizeof what,
                     "its work grows faster than the input, from %llu steps on %zu bytes to over %llu on a %zu-byte input",
                     res.prev_steps, res.prev_length, res.budget, res.length);
        else if (res.verdict == EKB_BT_STEPS)
            snprintf(what, sizeof what, "it needs over %llu steps on a %zu-byte input", res.budget, res.length);
        else
            snprintf(what, sizeof what,
                     "its adversarial inputs took over %llu steps in all (%zu runs), the last a %zu-byte input",
                     ekb_bt_total_limit(&rc->ro), res.runs, res.length);
        r = ekb_doc_report(d, e->f->doc, e->id, "/regex", false, EKB_ERROR, "regex.backtracking",
                           "regex backtracks catastrophically: %s %s, made for %s at offset %u", what, res.shape, span,
                           s->start);
        q_reset(qt);
    }
    ekb_bt_result_free(&res);
    ekb_bt_analysis_free(&a);
    return r;
}

int ekb_rx_borrow_matcher(ekb_regex_corpus *rc, ekb_matcher *m)
{
    pthread_mutex_lock(&rc->spare_lock);
    bool have = rc->n_spare > 0;
    if (have)
        *m = rc->spare[--rc->n_spare];
    pthread_mutex_unlock(&rc->spare_lock);
    return have ? 0 : ekb_matcher_init(m, &rc->ro);
}

void ekb_rx_return_matcher(ekb_regex_corpus *rc, ekb_matcher *m)
{
    pthread_mutex_lock(&rc->spare_lock);
    bool kept = ekb_grow(&rc->spare, &rc->cap_spare, rc->n_spare, sizeof *rc->spare, 4) == 0;
    if (kept)
        rc->spare[rc->n_spare++] = *m;
    pthread_mutex_unlock(&rc->spare_lock);
    if (!kept)
        ekb_matcher_free(m);
}

int ekb_regex_check_file(ekb_regex_corpus *rc, ekb_corpus_file *f, ekb_diags *d)
{
    long ei = rc->entry_of_file[f - rc->c->files];
    if (ei < 0)
        return 0;
    ekb_rx_entry *e = &rc->e[ei];
    if (!e->pattern)
        return 0; /* no string regex: the schema says so */
    if (!e->code)
        return report_compile_error(e, d);
    ekb_matcher m;
    if (ekb_rx_borrow_matcher(rc, &m) != 0)
        return -1;
    quoter qt = {0};
    int r = check_samples(rc, e, &m, &qt, d);
    if (r == 0)
        r = check_breadth(rc, e, &m, &qt, d);
    if (r == 0)
        r = check_ambiguity(rc, e, &qt, d);
    if (r == 0)
        r = check_backtracking(rc, e, &qt, d);
    if (r == 0 && rc->opt.portable)
        r = ekb_rx_portability(rc, e, d);
    q_reset(&qt);
    ekb_rx_return_matcher(rc, &m);
    return r != 0 || qt.oom ? -1 : 0;
}

/* check.c: the drift findings of one entry (missing, orphan, count,
 * untranslated, tokens, length, stale, unconfirmed) and confirming it. */
#include "drift.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Tokens named in one finding before "and N more". */
#define MAX_LISTED 5

typedef struct checker {
    const ekb_drift_config *cfg;
    const ekb_drift_lock *lock;
    ekb_doc *doc;
    const char *lock_id, *report_id;
    ekb_diags *d;
    ekb_drift_counts *counts;
} checker;

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

/* A string with something besides (ASCII, no-break or ideographic) spaces. */
static bool has_text(const json_t *v)
{
    if (!json_is_string(v))
        return false;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    for (size_t i = 0; i < n;) {
        if (is_ws(s[i]))
            i++;
        else if (n - i >= 2 && memcmp(s + i, "\xC2\xA0", 2) == 0)
            i += 2;
        else if (n - i >= 3 && memcmp(s + i, "\xE3\x80\x80", 3) == 0)
            i += 3;
        else
            return true;
    }
    return false;
}

static bool has_letters(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            return true;
    }
    return false;
}

/* Equal but for the amount of white space. */
static bool same_text(const char *a, size_t an, const char *b, size_t bn)
{
    size_t i = 0, j = 0;
    bool started = false;
    for (;;) {
        bool wa = false, wb = false;
        for (; i < an && is_ws(a[i]); i++)
            wa = true;
        for (; j < bn && is_ws(b[j]); j++)
            wb = true;
        if (i == an || j == bn)
            return i == an && j == bn;
        if ((started && wa != wb) || a[i] != b[j])
            return false;
        i++;
        j++;
        started = true;
    }
}

static bool has_prefix_dir(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(s, prefix, n) == 0 && s[n] == '/';
}

/* One drift.count finding per pair of arrays of different lengths, naming
 * the positions that lack a partner. */
static int report_mismatch(checker *c, const ekb_drift_pairs *pairs, const ekb_drift_mismatch *m)
{
    ekb_strbuf what;
    ekb_strbuf_init(&what);
    size_t listed = 0, more = 0;
    for (size_t i = 0; i < pairs->n; i++) {
        const ekb_drift_pair *p = &pairs->v[i];
        if (p->def != m->def || !p->unpaired || !has_prefix_dir(p->source_ptr, m->source_ptr) ||
            !has_prefix_dir(p->target_ptr, m->target_ptr))
            continue;
        bool s = has_text(p->source), t = has_text(p->target);
        if (s == t)
            continue;
        if (listed == MAX_LISTED) {
            more++;
            continue;
        }
        ekb_strbuf_addf(&what, "%s%s '%s'", listed ? ", " : ": ", s ? "no translation for" : "no source for",
                        s ? p->source_ptr : p->target_ptr);
        listed++;
    }
    if (more)
        ekb_strbuf_addf(&what, " and %zu more", more);
    int r = ekb_strbuf_failed(&what) ? -1
            : ekb_doc_report(c->d, c->doc, c->report_id, m->target_ptr, false, EKB_ERROR, "drift.count",
                             "'%s' has %zu item%s but '%s' has %zu%s", m->target_ptr, m->target_n,
                             m->target_n == 1 ? "" : "s", m->source_ptr, m->source_n, what.s ? what.s : "");
    ekb_strbuf_free(&what);
    return r;
}

/* Reports a present translation that is not one (a copy of the source, or
 * too little of the language's scripts); *bad says whether it was. */
static int untranslated(checker *c, const ekb_drift_pair *p, const char *ns, size_t nsl, const char *nt, size_t ntl,
                        bool *bad)
{
    const ekb_drift_lang *lang = &c->cfg->langs[p->def->lang];
    *bad = true;
    if (same_text(ns, nsl, nt, ntl))
        return ekb_doc_report(c->d, c->doc, c->report_id, p->target_ptr, false, EKB_ERROR, "drift.untranslated",
                              "%s translation '%s' is a copy of its source '%s'", lang->code, p->target_ptr,
                              p->source_ptr);
    /* a source without letters ("404") has nothing to translate */
    if (!has_letters(ns, nsl)) {
        *bad = false;
        return 0;
    }
    ekb_drift_units u;
    if (ekb_drift_script_count(lang->script, nt, ntl, &u) != 0)
        return -1;
    if (u.script == 0)
        return ekb_doc_report(c->d, c->doc, c->report_id, p->target_ptr, false, EKB_ERROR, "drift.untranslated",
                              "%s translation '%s' has no %s text", lang->code, p->target_ptr, lang->scripts);
    double share = (double)u.script / (double)(u.script + u.other);
    if (share < p->def->limits.min_script_share)
        return ekb_doc_report(c->d, c->doc, c->report_id, p->target_ptr, false, EKB_ERROR, "drift.untranslated",
                              "%s translation '%s' is only %d%% %s text (the minimum is %g%%)", lang->code,
                              p->target_ptr, (int)(share * 100), lang->scripts,
                              p->def->limits.min_script_share * 100);
    *bad = false;
    return 0;
}

static int check_tokens(checker *c, const ekb_drift_pair *p, const char *ns, size_t nsl, const char *nt, size_t ntl)
{
    ekb_drift_tokens toks;
    ekb_drift_tokens_init(&toks);
    if (ekb_drift_tokens_extract(ns, nsl, &toks) != 0) {
        ekb_drift_tokens_free(&toks);
        return -1;
    }
    ekb_strbuf list;
    ekb_strbuf_init(&list);
    size_t lost = 0;
    for (size_t i = 0; i < toks.n; i++) {
        const ekb_drift_token *t = &toks.v[i];
        if (ekb_drift_token_found(t->text, t->len, nt, ntl))
            continue;
        if (lost++ < MAX_LISTED)
            ekb_strbuf_addf(&list, "%s'%.*s' (%s)", lost > 1 ? ", " : "", (int)t->len, t->text,
                            ekb_drift_token_kind_name(t->kind));
    }
    if (lost > MAX_LISTED)
        ekb_strbuf_addf(&list, " and %zu more", lost - MAX_LISTED);
    int r = ekb_strbuf_failed(&list) ? -1 : 0;
    if (r == 0 && lost)
        r = ekb_doc_report(c->d, c->doc, c->report_id, p->target_ptr, false, EKB_ERROR, "drift.tokens",
                           "%s translation '%s' lacks %s of its source", c->cfg->langs[p->def->lang].code,
                           p->target_ptr, list.s);
    ekb_strbuf_free(&list);
    ekb_drift_tokens_free(&toks);
    return r;
}

static int check_length(checker *c, const ekb_drift_pair *p)
{
    size_t ls = ekb_utf8_length(json_string_value(p->source), json_string_length(p->source));
    size_t lt = ekb_utf8_length(json_string_value(p->target), json_string_length(p->target));
    double ratio = (double)lt / (double)(ls ? ls : 1);
    const ekb_drift_limits *l = &p->def->limits;
    if (ratio >= l->length_ratio_min && ratio <= l->length_ratio_max)
        return 0;
    return ekb_doc_report(c->d, c->doc, c->report_id, p->target_ptr, false, EKB_WARNING, "drift.length",
                          "%s translation '%s' is %.0f%% of the length of its source (expected %g%% to %g%%)",
                          c->cfg->langs[p->def->lang].code, p->target_ptr, ratio * 100, l->length_ratio_min * 100,
                          l->length_ratio_max * 100);
}

/* Stale or unconfirmed against the lock; the pair's state in *st. */
static int check_lock(checker *c, const ekb_drift_pair *p, ekb_drift_state *st)
{
    *st = EKB_DRIFT_TRANSLATED;
    if (!c->lock || !c->lock_id)
        return 0;
    const char *code = c->cfg->langs[p->def->lang].code;
    const ekb_drift_lock_line *line = ekb_drift_lock_find(c->lock, c->lock_id, p->target_ptr);
    if (!line) {
        *st = EKB_DRIFT_UNCONFIRMED;
        return ekb_doc_report(c->d, c->doc, c->report_id, p->target_ptr, false, EKB_WARNING, "drift.unconfirmed",
                              "%s translation '%s' has never been confirmed; review it, then run "
                              "'errkb-drift --accept %s'", code, p->target_ptr, c->lock_id);
    }
    if (line->fp != ekb_drift_fingerprint(json_string_value(p->source), json_string_length(p->source))) {
        *st = EKB_DRIFT_STALE;
        return ekb_doc_report(c->d, c->doc, c->report_id, p->target_ptr, false, EKB_WARNING, "drift.stale",
                              "source '%s' changed since its %s translation '%s' was confirmed; review the "
                              "translation, then run 'errkb-drift --accept %s'", p->source_ptr, code,
                              p->target_ptr, c->lock_id);
    }
    return 0;
}

static int check_pair(checker *c, const ekb_drift_pair *p)
{
    const char *code = c->cfg->langs[p->def->lang].code;
    ekb_drift_counts *cnt = c->counts ? &c->counts[p->def->lang] : NULL;
    bool sp = has_text(p->source), tp = has_text(p->target);
    if (!sp) {
        if (!tp || p->unpaired)
            return 0;
        return ekb_doc_report(c->d, c->doc, c->report_id, p->target_ptr, false, EKB_WARNING, "drift.orphan",
                              "%s translation '%s' has no source '%s'", code, p->target_ptr, p->source_ptr);
    }
    if (cnt)
        cnt->pairs++;
    if (!tp) {
        if (cnt)
            cnt->state[EKB_DRIFT_MISSING]++;
        if (p->unpaired)
            return 0;
        if (!p->target)
            return ekb_doc_report(c->d, c->doc, c->report_id, p->source_ptr, false, EKB_ERROR, "drift.missing",
                                  "no %s translation '%s' of '%s'", code, p->target_ptr, p->source_ptr);
        const char *why = json_is_null(p->target) ? "null" : json_is_string(p->target) ? "blank" : "not a string";
        return ekb_doc_report(c->d, c->doc, c->report_id, p->target_ptr, false, EKB_ERROR, "drift.missing",
                              "%s translation '%s' of '%s' is %s", code, p->target_ptr, p->source_ptr, why);
    }
    size_t nsl, ntl;
    char *ns_owned, *nt_owned;
    const char *ns = ekb_drift_normalized(json_string_value(p->source), json_string_length(p->source), &nsl, &ns_owned);
    const char *nt = ekb_drift_normalized(json_string_value(p->target), json_string_length(p->target), &ntl, &nt_owned);
    int r = ns && nt ? 0 : -1;
    bool bad = false;
    ekb_drift_state st = EKB_DRIFT_UNTRANSLATED;
    if (r == 0)
        r = untranslated(c, p, ns, nsl, nt, ntl, &bad);
    /* a translation that is not one has nothing else worth checking */
    if (r == 0 && !bad) {
        r = check_tokens(c, p, ns, nsl, nt, ntl);
        if (r == 0)
            r = check_length(c, p);
        if (r == 0)
            r = check_lock(c, p, &st);
    }
    if (cnt && r == 0)
        cnt->state[st]++;
    free(ns_owned);
    free(nt_owned);
    return r;
}

int ekb_drift_check_entry(const ekb_drift_config *cfg, const ekb_drift_lock *lock, ekb_doc *doc,
                          const char *lock_id, const char *report_id, ekb_diags *d, ekb_drift_counts *counts)
{
    ekb_drift_pairs pairs = {0};
    checker c = {cfg, lock, doc, lock_id, report_id, d, counts};
    int r = ekb_drift_pairs_expand(doc->root, cfg, &pairs);
    for (size_t i = 0; r == 0 && i < pairs.n_mm; i++)
        r = report_mismatch(&c, &pairs, &pairs.mm[i]);
    for (size_t i = 0; r == 0 && i < pairs.n; i++)
        r = check_pair(&c, &pairs.v[i]);
    ekb_drift_pairs_free(&pairs);
    return r;
}

int ekb_drift_accept_entry(const ekb_drift_config *cfg, ekb_doc *doc, const char *lock_id, ekb_drift_lock *lock,
                           size_t *n)
{
    ekb_drift_pairs pairs = {0};
    int r = ekb_drift_pairs_expand(doc->root, cfg, &pairs);
    for (size_t i = 0; r == 0 && i < pairs.n; i++) {
        const ekb_drift_pair *p = &pairs.v[i];
        if (!has_text(p->source) || !has_text(p->target))
            continue;
        r = ekb_drift_lock_add(lock, lock_id, p->target_ptr,
                               ekb_drift_fingerprint(json_string_value(p->source), json_string_length(p->source)));
        if (r == 0 && n)
            (*n)++;
    }
    ekb_drift_pairs_free(&pairs);
    return r;
}

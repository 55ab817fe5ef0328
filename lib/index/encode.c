/* encode.c: one entry (a frozen value, cv.h) into the index's record sections.
 * Validation has normally checked the entry already; these checks only make
 * sure that what --force lets through cannot produce a broken index. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "doc.h"

/* One pass (every entry assumed to fit), or when one did not: a dry pass
 * that reports what does not fit, then the final pass over the rest. */
typedef enum pass { PASS_SINGLE, PASS_DRY, PASS_FINAL } pass;

typedef struct enc {
    builder *b;
    item *it;
    pass pass;
    bool bad;
} enc;

enum { REQ = 1, NULLABLE = 2 };

static void bad(enc *x, const char *at, const char *key, const char *fmt, ...) EKB_PRINTF(4, 5);
static void bad(enc *x, const char *at, const char *key, const char *fmt, ...)
{
    x->bad = true;
    if (x->pass != PASS_DRY)
        return;
    ekb_strbuf msg, ptr;
    ekb_strbuf_init(&msg);
    ekb_strbuf_init(&ptr);
    va_list ap;
    va_start(ap, fmt);
    ekb_strbuf_vaddf(&msg, fmt, ap);
    va_end(ap);
    ekb_strbuf_adds(&ptr, at);
    if (key)
        ekb_strbuf_add_pointer_segment(&ptr, key, strlen(key));
    if (ekb_strbuf_failed(&msg) || ekb_strbuf_failed(&ptr) ||
        ekb_doc_report(x->b->d, x->it->f->doc, x->it->id, ptr.s ? ptr.s : "", false, EKB_ERROR,
                       "index.unencodable", "%s", msg.s ? msg.s : "") != 0)
        x->b->oom = true;
    ekb_strbuf_free(&msg);
    ekb_strbuf_free(&ptr);
}

/* A list's place in its section: start u32, count u16. */
static void put_list(enc *x, int sec, size_t off, size_t start, size_t n, const char *at, const char *key)
{
    if (n > UINT16_MAX || start > UINT32_MAX) {
        bad(x, at, key, "'%s' has more than %u items", key, UINT16_MAX);
        return;
    }
    ekbf_put32(x->b->sec[sec].p + off, (uint32_t)start);
    ekbf_put16(x->b->sec[sec].p + off + 4, (uint16_t)n);
}

static uint32_t get_str(enc *x, const ekb_cv *obj, const char *at, const char *key, unsigned kind, unsigned *present,
                        unsigned bit)
{
    const ekb_cv *v = ekb_cv_get(obj, key);
    if (!v) {
        if (kind & REQ)
            bad(x, at, key, "member '%s' is missing", key);
        return EKBF_NULL;
    }
    if (present)
        *present |= bit;
    if (ekb_cv_is_null(v) && (kind & NULLABLE))
        return EKBF_NULL;
    if (!ekb_cv_is_string(v)) {
        bad(x, at, key, "'%s' is not a string", key);
        return EKBF_NULL;
    }
    return ekb_b_intern(x->b, ekb_cv_str(v), ekb_cv_len(v));
}

static double get_num(enc *x, const ekb_cv *obj, const char *at, const char *key, bool required, unsigned *present,
                      unsigned bit)
{
    const ekb_cv *v = ekb_cv_get(obj, key);
    if (!v) {
        if (required)
            bad(x, at, key, "member '%s' is missing", key);
        return 0;
    }
    if (present)
        *present |= bit;
    if (!ekb_cv_is_number(v)) {
        bad(x, at, key, "'%s' is not a number", key);
        return 0;
    }
    return ekb_cv_number(v);
}

static unsigned get_enum(enc *x, const ekb_cv *obj, const char *at, const char *key, int which)
{
    const ekb_cv *v = ekb_cv_get(obj, key);
    json_t *names = x->b->enums[which]; /* the schema's, as jansson values */
    if (ekb_cv_is_string(v))
        for (size_t i = 0; i < json_array_size(names); i++) {
            json_t *name = json_array_get(names, i);
            if (json_is_string(name) && json_string_length(name) == ekb_cv_len(v) &&
                memcmp(json_string_value(name), ekb_cv_str(v), ekb_cv_len(v)) == 0)
                return (unsigned)i;
        }
    bad(x, at, key, "'%s' is not one of the schema's values", key);
    return 0;
}

static uint32_t get_date(enc *x, const ekb_cv *obj, const char *key)
{
    const char *s = ekb_cv_str(ekb_cv_get(obj, key));
    if (s && strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
        uint32_t v = 0;
        bool ok = true;
        for (int i = 0; i < 10; i++)
            if (i != 4 && i != 7) {
                ok &= s[i] >= '0' && s[i] <= '9';
                v = v * 10 + (uint32_t)(s[i] - '0');
            }
        if (ok)
            return v;
    }
    bad(x, "", key, "'%s' is not a YYYY-MM-DD date", key);
    return 0;
}

/* Appends the items of a string array to LIST; start and count go to
 * rec+off of section sec. NULL items are allowed when nullable. */
static void str_list(enc *x, const ekb_cv *arr, const char *at, const char *key, bool nullable, int sec, size_t off)
{
    builder *b = x->b;
    if (!ekb_cv_is_array(arr)) {
        bad(x, at, key, "'%s' is not an array", key);
        return;
    }
    size_t n = ekb_cv_size(arr), start = b->sec[S_LIST].len / 4;
    if (!ekb_bytes_add(&b->sec[S_LIST], 4 * n))
        return;
    for (size_t i = 0; i < n; i++) {
        const ekb_cv *v = ekb_cv_at(arr, i);
        uint32_t ref = EKBF_NULL;
        if (ekb_cv_is_string(v))
            ref = ekb_b_intern(b, ekb_cv_str(v), ekb_cv_len(v));
        else if (!(nullable && ekb_cv_is_null(v)))
            bad(x, at, key, "'%s' item %zu is not a string", key, i);
        ekb_b_ref(b, S_LIST, 4 * (start + i), ref);
    }
    put_list(x, sec, off, start, n, at, key);
}

static void versions(enc *x, const ekb_cv *e, size_t rec)
{
    builder *b = x->b;
    const ekb_cv *arr = ekb_cv_get(e, "versions");
    if (!ekb_cv_is_array(arr)) {
        bad(x, "", "versions", "'versions' is not an array");
        return;
    }
    size_t n = ekb_cv_size(arr), start = b->sec[S_VERS].len / EKBF_V_SIZE;
    if (!ekb_bytes_add(&b->sec[S_VERS], n * EKBF_V_SIZE))
        return;
    static const char *const opt[4] = {"introduced", "deprecated", "removed", "behavior_change"};
    for (size_t i = 0; i < n; i++) {
        const ekb_cv *v = ekb_cv_at(arr, i);
        char at[40];
        snprintf(at, sizeof at, "/versions/%zu", i);
        if (!ekb_cv_is_object(v)) {
            bad(x, at, NULL, "version %zu is not an object", i);
            continue;
        }
        size_t q = (start + i) * EKBF_V_SIZE;
        unsigned present = 0;
        ekb_b_ref(b, S_VERS, q + EKBF_V_VERSION, get_str(x, v, at, "version", REQ, NULL, 0));
        /* the optional members that are there, one after the other in LIST */
        size_t extras = b->sec[S_LIST].len / 4;
        ekbf_put32(b->sec[S_VERS].p + q + EKBF_V_EXTRAS, (uint32_t)extras);
        for (int k = 0; k < 4; k++) {
            uint32_t ref = get_str(x, v, at, opt[k], NULLABLE, &present, 1u << k);
            if (ref != EKBF_NULL && ekb_bytes_add(&b->sec[S_LIST], 4)) {
                present |= 16u << k;
                ekb_b_ref(b, S_LIST, 4 * extras++, ref);
            }
        }
        b->sec[S_VERS].p[q + EKBF_V_STATUS] = (unsigned char)get_enum(x, v, at, "status", EKBF_ENUM_STATUS);
        b->sec[S_VERS].p[q + EKBF_V_PRESENT] = (unsigned char)present;
    }
    put_list(x, S_ENTR, rec + EKBF_E_VERSIONS, start, n, "", "versions");
}

/* dead_ends (work false) or workarounds (work true). */
static void fixes(enc *x, const ekb_cv *e, bool work, size_t rec)
{
    builder *b = x->b;
    const char *key = work ? "workarounds" : "dead_ends";
    int sec = work ? S_WORK : S_DEAD;
    const ekb_cv *arr = ekb_cv_get(e, key);
    if (!ekb_cv_is_array(arr)) {
        bad(x, "", key, "'%s' is not an array", key);
        return;
    }
    size_t n = ekb_cv_size(arr), start = b->sec[sec].len / EKBF_D_SIZE;
    if (!ekb_bytes_add(&b->sec[sec], n * EKBF_D_SIZE))
        return;
    for (size_t i = 0; i < n; i++) {
        const ekb_cv *v = ekb_cv_at(arr, i);
        char at[40];
        snprintf(at, sizeof at, "/%s/%zu", key, i);
        if (!ekb_cv_is_object(v)) {
            bad(x, at, NULL, "item %zu is not an object", i);
            continue;
        }
        size_t q = (start + i) * EKBF_D_SIZE;
        unsigned present = 0;
        ekb_b_ref(b, sec, q + EKBF_D_ACTION, get_str(x, v, at, "action", REQ, NULL, 0));
        if (work)
            ekb_b_ref(b, sec, q + EKBF_W_HOW, get_str(x, v, at, "how", 0, &present, EKBF_IP_HOW));
        else
            ekb_b_ref(b, sec, q + EKBF_D_WHY, get_str(x, v, at, "why_fails", REQ, NULL, 0));
        ekb_b_ref(b, sec, q + EKBF_D_CONDITION, get_str(x, v, at, "condition", 0, &present, EKBF_IP_CONDITION));
        ekbf_putf64(b->sec[sec].p + q + EKBF_D_RATE,
                    get_num(x, v, at, work ? "success_rate" : "fail_rate", true, NULL, 0));
        const ekb_cv *src = ekb_cv_get(v, "sources");
        if (src) {
            present |= EKBF_IP_SOURCES;
            if (ekb_cv_size(src) > UINT16_MAX)
                bad(x, at, "sources", "more than %u sources", UINT16_MAX);
            else
                str_list(x, src, at, "sources", false, sec, q + EKBF_D_SOURCES);
        }
        b->sec[sec].p[q + EKBF_D_PRESENT] = (unsigned char)present;
    }
    put_list(x, S_ENTR, rec + (work ? EKBF_E_WORKAROUNDS : EKBF_E_DEAD_ENDS), start, n, "", key);
}

/* One transition_graph list. Targets not among the encodable entries are
 * left out (the second pass reports them). */
static void links(enc *x, const ekb_cv *graph, const char *key, size_t rec, size_t off)
{
    builder *b = x->b;
    const ekb_cv *arr = ekb_cv_get(graph, key);
    if (!ekb_cv_is_array(arr)) {
        bad(x, "/transition_graph", key, "'%s' is not an array", key);
        return;
    }
    size_t start = b->sec[S_LINK].len / EKBF_L_SIZE, n = 0;
    for (size_t i = 0; i < ekb_cv_size(arr); i++) {
        const ekb_cv *v = ekb_cv_at(arr, i);
        char at[64];
        snprintf(at, sizeof at, "/transition_graph/%s/%zu", key, i);
        const ekb_cv *idv = ekb_cv_is_object(v) ? ekb_cv_get(v, "id") : v;
        if (!ekb_cv_is_string(idv)) {
            bad(x, at, NULL, "link %zu is neither an id nor an object with an id", i);
            continue;
        }
        long target = ekb_b_entry_number(b, ekb_cv_str(idv));
        if (target < 0) {
            /* a single pass starts again in two; the dry pass does not know
             * the final entries yet; the final pass leaves the link out */
            if (x->pass == PASS_SINGLE) {
                x->bad = true;
            } else if (x->pass == PASS_FINAL) {
                b->dropped_links++;
                if (ekb_doc_report(b->d, x->it->f->doc, x->it->id, at, false, EKB_ERROR, "index.link-dropped",
                                   "no entry '%s' in the index: link left out", ekb_cv_str(idv)) != 0)
                    b->oom = true;
            }
            continue;
        }
        unsigned char *p = ekb_bytes_add(&b->sec[S_LINK], EKBF_L_SIZE);
        if (!p)
            return;
        size_t q = (start + n++) * EKBF_L_SIZE;
        unsigned flags = 0;
        uint32_t cond = EKBF_NULL;
        double prob = 0;
        if (ekb_cv_is_object(v)) {
            flags |= EKBF_LF_OBJECT;
            prob = get_num(x, v, at, "probability", false, &flags, EKBF_LF_PROBABILITY);
            cond = get_str(x, v, at, "condition", 0, &flags, EKBF_LF_CONDITION);
        }
        p = b->sec[S_LINK].p + q;
        ekbf_put32(p + EKBF_L_TARGET, (uint32_t)target);
        ekbf_putf64(p + EKBF_L_PROBABILITY, prob);
        ekbf_put32(p + EKBF_L_FLAGS, flags);
        ekb_b_ref(b, S_LINK, q + EKBF_L_CONDITION, cond);
    }
    put_list(x, S_ENTR, rec + off, start, n, "/transition_graph", key);
}

static int cmp_member(const void *a, const void *b)
{
    /* key nodes: always strings */
    return strcmp((*(const ekb_cv *const *)a)->u.s, (*(const ekb_cv *const *)b)->u.s);
}

/* os_specific: pairs of (key, value) in LIST, keys in byte order. */
static void os_specific(enc *x, const ekb_cv *obj, size_t rec)
{
    builder *b = x->b;
    if (!ekb_cv_is_object(obj)) {
        bad(x, "", "os_specific", "'os_specific' is not an object");
        return;
    }
    /* the key nodes; each member's value is the node after its key */
    size_t n = ekb_cv_size(obj);
    const ekb_cv **keys = malloc((n + 1) * sizeof *keys);
    if (!keys) {
        b->oom = true;
        return;
    }
    for (size_t k = 0; k < n; k++)
        keys[k] = ekb_cv_key_at(obj, k);
    qsort(keys, n, sizeof *keys, cmp_member);
    size_t start = b->sec[S_LIST].len / 4;
    if (ekb_bytes_add(&b->sec[S_LIST], 8 * n)) {
        for (size_t i = 0; i < n; i++) {
            const char *key = keys[i]->u.s;
            const ekb_cv *v = keys[i] + 1;
            if (!ekb_cv_is_string(v))
                bad(x, "/os_specific", key, "'%s' is not a string", key);
            ekb_b_ref(b, S_LIST, 4 * (start + 2 * i), ekb_b_intern(b, key, strlen(key)));
            ekb_b_ref(b, S_LIST, 4 * (start + 2 * i + 1),
                      ekb_cv_is_string(v) ? ekb_b_intern(b, ekb_cv_str(v), ekb_cv_len(v)) : EKBF_NULL);
        }
        put_list(x, S_ENTR, rec + EKBF_E_OS_SPECIFIC, start, n, "", "os_specific");
    }
    free(keys);
}

static void error_code(enc *x, const ekb_cv *e, size_t rec, unsigned *present)
{
    builder *b = x->b;
    const ekb_cv *v = ekb_cv_get(e, "error_code");
    uint32_t ref = EKBF_NULL;
    if (!v)
        return;
    *present |= EKBF_P_ERROR_CODE;
    if (ekb_cv_is_string(v)) {
        ref = ekb_b_intern(b, ekb_cv_str(v), ekb_cv_len(v));
    } else if (ekb_cv_is_integer(v)) {
        const char *s = ekb_b_own(b, ekb_asprintf("%lld", ekb_cv_integer(v)));
        if (s)
            ref = ekb_b_intern(b, s, strlen(s));
        *present |= EKBF_P_ERROR_CODE_INT;
    } else if (!ekb_cv_is_null(v)) {
        bad(x, "", "error_code", "'error_code' is neither a string, an integer nor null");
    }
    ekb_b_ref(b, S_ENTR, rec + EKBF_E_ERROR_CODE, ref);
}

/* The entry's domain (g 0) or category (1): its number, found when the
 * groups were collected (collect_groups). */
static void group(enc *x, const char *key, int g, size_t at)
{
    const char *name = g ? x->it->category : x->it->domain;
    if (!name)
        bad(x, "", key, "'%s' is not a string", key);
    ekbf_put32(x->b->sec[S_ENTR].p + at, name ? x->it->group_k[g] : 0);
}

int ekb_encode_entry(builder *b, uint32_t idx, bool dry, bool report)
{
    item *it = &b->items[idx];
    const ekb_cv *e = it->cv;
    enc x = {.b = b, .it = it, .pass = dry ? PASS_DRY : report ? PASS_FINAL : PASS_SINGLE};
    if (!ekb_cv_is_object(e)) {
        bad(&x, "", NULL, "the entry is not an object");
        return 1;
    }
    size_t saved[N_SEC], saved_fix = b->n_fix;
    for (int s = 0; s < N_SEC; s++)
        saved[s] = b->sec[s].len;
    size_t rec = b->sec[S_ENTR].len;
    if (!ekb_bytes_add(&b->sec[S_ENTR], EKBF_E_SIZE))
        return -1;
    unsigned present = 0;
    unsigned char *p;
#define REF(off, v) ekb_b_ref(b, S_ENTR, rec + (off), (v))
    REF(EKBF_E_ID, get_str(&x, e, "", "id", REQ, NULL, 0));
    REF(EKBF_E_SIGNATURE, get_str(&x, e, "", "signature", REQ, NULL, 0));
    REF(EKBF_E_SIGNATURE_ZH, get_str(&x, e, "", "signature_zh", NULLABLE, &present, EKBF_P_SIGNATURE_ZH));
    REF(EKBF_E_REGEX, get_str(&x, e, "", "regex", REQ, NULL, 0));
    REF(EKBF_E_ROOT_CAUSE, get_str(&x, e, "", "root_cause", REQ, NULL, 0));
    REF(EKBF_E_ROOT_CAUSE_ZH, get_str(&x, e, "", "root_cause_zh", NULLABLE, &present, EKBF_P_ROOT_CAUSE_ZH));
    REF(EKBF_E_SUBCATEGORY, get_str(&x, e, "", "subcategory", NULLABLE, &present, EKBF_P_SUBCATEGORY));
    REF(EKBF_E_DOC_URL, get_str(&x, e, "", "official_doc_url", NULLABLE, &present, EKBF_P_DOC_URL));
    REF(EKBF_E_DOC_SECTION, get_str(&x, e, "", "official_doc_section", NULLABLE, &present, EKBF_P_DOC_SECTION));
#undef REF
    error_code(&x, e, rec, &present);
    group(&x, "domain", 0, rec + EKBF_E_DOMAIN);
    group(&x, "category", 1, rec + EKBF_E_CATEGORY);
    p = b->sec[S_ENTR].p + rec;
    p[EKBF_E_ROOT_CAUSE_TYPE] = (unsigned char)get_enum(&x, e, "", "root_cause_type", EKBF_ENUM_ROOT_CAUSE_TYPE);
    p[EKBF_E_TIER] = (unsigned char)get_enum(&x, e, "", "verification_tier", EKBF_ENUM_TIER);
    p[EKBF_E_RESOLVABLE] = (unsigned char)get_enum(&x, e, "", "resolvable", EKBF_ENUM_RESOLVABLE);
    p[EKBF_E_LOCALE] = (unsigned char)get_enum(&x, e, "", "locale", EKBF_ENUM_LOCALE);
    ekbf_putf64(p + EKBF_E_CONFIDENCE, get_num(&x, e, "", "confidence", true, NULL, 0));
    ekbf_putf64(p + EKBF_E_FIX_RATE, get_num(&x, e, "", "fix_success_rate", false, &present, EKBF_P_FIX_RATE));
    ekbf_put32(p + EKBF_E_FIRST_SEEN, get_date(&x, e, "first_seen"));
    ekbf_put32(p + EKBF_E_LAST_CONFIRMED, get_date(&x, e, "last_confirmed"));
    ekbf_put32(p + EKBF_E_LAST_UPDATED, get_date(&x, e, "last_updated"));
    const ekb_cv *ev = ekb_cv_get(e, "evidence_count");
    if (!ekb_cv_is_integer(ev) || ekb_cv_integer(ev) < 0)
        bad(&x, "", "evidence_count", "'evidence_count' is not an integer of at least 0");
    else
        ekbf_put64(p + EKBF_E_EVIDENCE, (uint64_t)ekb_cv_integer(ev));

    versions(&x, e, rec);
    fixes(&x, e, false, rec);
    fixes(&x, e, true, rec);
    const ekb_cv *v;
    if ((v = ekb_cv_get(e, "workarounds_zh"))) {
        present |= EKBF_P_WORKAROUNDS_ZH;
        str_list(&x, v, "", "workarounds_zh", true, S_ENTR, rec + EKBF_E_WORKAROUNDS_ZH);
    }
    if ((v = ekb_cv_get(e, "os_specific"))) {
        present |= EKBF_P_OS_SPECIFIC;
        os_specific(&x, v, rec);
    }
    if ((v = ekb_cv_get(e, "tags"))) {
        present |= EKBF_P_TAGS;
        str_list(&x, v, "", "tags", false, S_ENTR, rec + EKBF_E_TAGS);
    }
    if ((v = ekb_cv_get(e, "aliases"))) {
        present |= EKBF_P_ALIASES;
        str_list(&x, v, "", "aliases", false, S_ENTR, rec + EKBF_E_ALIASES);
    }
    const ekb_cv *graph = ekb_cv_get(e, "transition_graph");
    if (!ekb_cv_is_object(graph)) {
        bad(&x, "", "transition_graph", "'transition_graph' is not an object");
    } else {
        links(&x, graph, "leads_to", rec, EKBF_E_LEADS_TO);
        links(&x, graph, "preceded_by", rec, EKBF_E_PRECEDED_BY);
        links(&x, graph, "frequently_confused_with", rec, EKBF_E_CONFUSED);
    }
    const ekb_cv *samples = ekb_cv_get(e, "samples");
    if (b->samples && samples) {
        present |= EKBF_P_SAMPLES;
        if (!ekb_cv_is_object(samples)) {
            bad(&x, "", "samples", "'samples' is not an object");
        } else {
            if ((v = ekb_cv_get(samples, "match"))) {
                present |= EKBF_P_SAMPLES_MATCH;
                str_list(&x, v, "/samples", "match", false, S_ENTR, rec + EKBF_E_SAMPLES_MATCH);
            }
            if ((v = ekb_cv_get(samples, "no_match"))) {
                present |= EKBF_P_SAMPLES_NO_MATCH;
                str_list(&x, v, "/samples", "no_match", false, S_ENTR, rec + EKBF_E_SAMPLES_NO_MATCH);
            }
        }
    }
    ekbf_put32(b->sec[S_ENTR].p + rec + EKBF_E_PRESENT, present);

    bool failed = b->oom;
    for (int s = 0; s < N_SEC; s++)
        failed |= b->sec[s].failed;
    if (failed)
        return -1;
    if (dry || x.bad) {
        for (int s = 0; s < N_SEC; s++)
            b->sec[s].len = saved[s];
        b->n_fix = saved_fix;
    }
    return x.bad ? 1 : 0;
}

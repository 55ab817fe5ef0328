/* dump.c: the index back as canonical JSON: members in the schema's order,
 * UTF-8 unescaped, numbers in their shortest round-trip form. */
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reader_private.h"

typedef struct dumper {
    const ekb_reader *r;
    FILE *out;
    char *buf; /* decoded string scratch */
    size_t cap;
    int failed;
} dumper;

static void put(dumper *d, const char *s)
{
    if (fputs(s, d->out) == EOF)
        d->failed = 1;
}

static void put_str(dumper *d, ekb_reader_str s)
{
    if (s == EKB_READER_NULL) {
        put(d, "null");
        return;
    }
    /* decoded once when the scratch is big enough, twice when it grows */
    size_t n = ekb_reader_str_copy(d->r, s, d->buf, d->cap);
    if (n >= d->cap) {
        char *b = realloc(d->buf, n + 1);
        if (!b) {
            d->failed = 1;
            return;
        }
        d->buf = b;
        d->cap = n + 1;
        ekb_reader_str_copy(d->r, s, d->buf, d->cap);
    }
    putc('"', d->out);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)d->buf[i];
        switch (c) {
        case '"': put(d, "\\\""); break;
        case '\\': put(d, "\\\\"); break;
        case '\b': put(d, "\\b"); break;
        case '\f': put(d, "\\f"); break;
        case '\n': put(d, "\\n"); break;
        case '\r': put(d, "\\r"); break;
        case '\t': put(d, "\\t"); break;
        default:
            if (c < 0x20)
                fprintf(d->out, "\\u%04x", c);
            else
                putc(c, d->out);
        }
    }
    putc('"', d->out);
}

/* Shortest of %.15g, %.16g, %.17g that reads back as the same double, with
 * '.' as the decimal point whatever the locale. */
static void put_num(dumper *d, double v)
{
    if (!isfinite(v)) {
        put(d, "null");
        return;
    }
    char b[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(b, sizeof b, "%.*g", prec, v);
        if (strtod(b, NULL) == v)
            break;
    }
    const char *dp = localeconv()->decimal_point;
    if (dp && dp[0] && strcmp(dp, ".") != 0) {
        char *at = strstr(b, dp);
        if (at) {
            size_t dl = strlen(dp);
            *at = '.';
            memmove(at + 1, at + dl, strlen(at + dl) + 1);
        }
    }
    put(d, b);
}

static void key(dumper *d, const char *k, int *first)
{
    if (!*first)
        putc(',', d->out);
    *first = 0;
    fprintf(d->out, "\"%s\":", k);
}

/* "k":v, a member of an object (first: none written yet). */
static void member_str(dumper *d, const char *k, ekb_reader_str v, int *first)
{
    key(d, k, first);
    put_str(d, v);
}

static void member_num(dumper *d, const char *k, double v, int *first)
{
    key(d, k, first);
    put_num(d, v);
}

static void put_date(dumper *d, uint32_t v)
{
    fprintf(d->out, "\"%04u-%02u-%02u\"", (unsigned)(v / 10000), (unsigned)(v / 100 % 100), (unsigned)(v % 100));
}

static void put_str_list(dumper *d, const ekb_reader_entry *e, ekb_reader_list l)
{
    putc('[', d->out);
    for (uint32_t i = 0; i < e->n[l]; i++) {
        if (i)
            putc(',', d->out);
        put_str(d, ekb_reader_str_at(d->r, e, l, i));
    }
    putc(']', d->out);
}

static void put_fixes(dumper *d, const ekb_reader_entry *e, ekb_reader_list l)
{
    putc('[', d->out);
    for (uint32_t i = 0; i < e->n[l]; i++) {
        ekb_reader_fix f;
        ekb_reader_fix_at(d->r, e, l, i, &f);
        int first = 1;
        put(d, i ? ",{" : "{");
        member_str(d, "action", f.action, &first);
        if (l == EKB_READER_DEAD_ENDS) {
            member_str(d, "why_fails", f.why_fails, &first);
            member_num(d, "fail_rate", f.rate, &first);
        } else {
            member_num(d, "success_rate", f.rate, &first);
            if (f.present & EKBF_IP_HOW)
                member_str(d, "how", f.how, &first);
        }
        if (f.present & EKBF_IP_CONDITION)
            member_str(d, "condition", f.condition, &first);
        if (f.present & EKBF_IP_SOURCES) {
            key(d, "sources", &first);
            putc('[', d->out);
            for (uint32_t j = 0; j < f.n_sources; j++) {
                if (j)
                    putc(',', d->out);
                put_str(d, ekb_reader_fix_source(d->r, &f, j));
            }
            putc(']', d->out);
        }
        putc('}', d->out);
    }
    putc(']', d->out);
}

static void put_links(dumper *d, const ekb_reader_entry *e, ekb_reader_list l)
{
    putc('[', d->out);
    for (uint32_t i = 0; i < e->n[l]; i++) {
        ekb_reader_link k;
        ekb_reader_link_at(d->r, e, l, i, &k);
        ekb_reader_entry t;
        ekb_reader_entry_at(d->r, k.target, &t);
        if (i)
            putc(',', d->out);
        if (!(k.present & EKBF_LF_OBJECT)) {
            put_str(d, t.id);
            continue;
        }
        int first = 1;
        putc('{', d->out);
        member_str(d, "id", t.id, &first);
        if (k.present & EKBF_LF_PROBABILITY)
            member_num(d, "probability", k.probability, &first);
        if (k.present & EKBF_LF_CONDITION)
            member_str(d, "condition", k.condition, &first);
        putc('}', d->out);
    }
    putc(']', d->out);
}

static void put_versions(dumper *d, const ekb_reader_entry *e)
{
    static const char *const opt[4] = {"introduced", "deprecated", "removed", "behavior_change"};
    putc('[', d->out);
    for (uint32_t i = 0; i < e->n[EKB_READER_VERSIONS]; i++) {
        ekb_reader_version v;
        ekb_reader_version_at(d->r, e, i, &v);
        ekb_reader_str vals[4] = {v.introduced, v.deprecated, v.removed, v.behavior_change};
        int first = 1;
        put(d, i ? ",{" : "{");
        member_str(d, "version", v.version, &first);
        for (int k = 0; k < 4; k++)
            if (v.present & (1u << k))
                member_str(d, opt[k], vals[k], &first);
        member_str(d, "status", ekb_reader_enum_name(d->r, EKB_READER_ENUM_STATUS, v.status), &first);
        putc('}', d->out);
    }
    putc(']', d->out);
}

static void dump_entry(dumper *d, uint32_t i)
{
    const ekb_reader *r = d->r;
    ekb_reader_entry e;
    ekb_reader_entry_at(r, i, &e);
    int first = 1;
    putc('{', d->out);
#define STR(name, v) member_str(d, name, v, &first)
#define OPT(bit, name, v) do { if (e.present & (bit)) STR(name, v); } while (0)
    STR("id", e.id);
    STR("signature", e.signature);
    OPT(EKB_READER_HAS_SIGNATURE_ZH, "signature_zh", e.signature_zh);
    STR("regex", e.regex);
    STR("domain", ekb_reader_group_name(r, EKB_READER_GROUP_DOMAIN, e.domain));
    STR("category", ekb_reader_group_name(r, EKB_READER_GROUP_CATEGORY, e.category));
    OPT(EKB_READER_HAS_SUBCATEGORY, "subcategory", e.subcategory);
    STR("root_cause", e.root_cause);
    STR("root_cause_type", ekb_reader_enum_name(r, EKB_READER_ENUM_ROOT_CAUSE_TYPE, e.root_cause_type));
    OPT(EKB_READER_HAS_ROOT_CAUSE_ZH, "root_cause_zh", e.root_cause_zh);
    key(d, "versions", &first);
    put_versions(d, &e);
    if (e.present & EKB_READER_HAS_OS_SPECIFIC) {
        int f2 = 1;
        key(d, "os_specific", &first);
        putc('{', d->out);
        for (uint32_t k = 0; k < e.n[EKB_READER_OS_SPECIFIC]; k++) {
            if (!f2)
                putc(',', d->out);
            f2 = 0;
            put_str(d, ekb_reader_str_at(r, &e, EKB_READER_OS_SPECIFIC, 2 * k));
            putc(':', d->out);
            put_str(d, ekb_reader_str_at(r, &e, EKB_READER_OS_SPECIFIC, 2 * k + 1));
        }
        putc('}', d->out);
    }
    key(d, "dead_ends", &first);
    put_fixes(d, &e, EKB_READER_DEAD_ENDS);
    key(d, "workarounds", &first);
    put_fixes(d, &e, EKB_READER_WORKAROUNDS);
    if (e.present & EKB_READER_HAS_WORKAROUNDS_ZH) {
        key(d, "workarounds_zh", &first);
        put_str_list(d, &e, EKB_READER_WORKAROUNDS_ZH);
    }
    key(d, "transition_graph", &first);
    put(d, "{\"leads_to\":");
    put_links(d, &e, EKB_READER_LEADS_TO);
    put(d, ",\"preceded_by\":");
    put_links(d, &e, EKB_READER_PRECEDED_BY);
    put(d, ",\"frequently_confused_with\":");
    put_links(d, &e, EKB_READER_CONFUSED_WITH);
    putc('}', d->out);
    OPT(EKB_READER_HAS_DOC_URL, "official_doc_url", e.official_doc_url);
    OPT(EKB_READER_HAS_DOC_SECTION, "official_doc_section", e.official_doc_section);
    if (e.present & EKB_READER_HAS_ERROR_CODE) {
        key(d, "error_code", &first);
        if ((e.present & EKB_READER_ERROR_CODE_INT) && e.error_code != EKB_READER_NULL) {
            char b[32];
            ekb_reader_str_copy(r, e.error_code, b, sizeof b);
            put(d, b);
        } else {
            put_str(d, e.error_code);
        }
    }
    STR("verification_tier", ekb_reader_enum_name(r, EKB_READER_ENUM_TIER, e.verification_tier));
    member_num(d, "confidence", e.confidence, &first);
    if (e.present & EKB_READER_HAS_FIX_RATE)
        member_num(d, "fix_success_rate", e.fix_success_rate, &first);
    STR("resolvable", ekb_reader_enum_name(r, EKB_READER_ENUM_RESOLVABLE, e.resolvable));
    key(d, "first_seen", &first);
    put_date(d, e.first_seen);
    key(d, "last_confirmed", &first);
    put_date(d, e.last_confirmed);
    key(d, "last_updated", &first);
    put_date(d, e.last_updated);
    key(d, "evidence_count", &first);
    fprintf(d->out, "%llu", (unsigned long long)e.evidence_count);
    if (e.present & EKB_READER_HAS_TAGS) {
        key(d, "tags", &first);
        put_str_list(d, &e, EKB_READER_TAGS);
    }
    STR("locale", ekb_reader_enum_name(r, EKB_READER_ENUM_LOCALE, e.locale));
    if (e.present & EKB_READER_HAS_ALIASES) {
        key(d, "aliases", &first);
        put_str_list(d, &e, EKB_READER_ALIASES);
    }
    if (e.present & EKB_READER_HAS_SAMPLES) {
        int f2 = 1;
        key(d, "samples", &first);
        putc('{', d->out);
        if (e.present & EKB_READER_HAS_SAMPLES_MATCH) {
            key(d, "match", &f2);
            put_str_list(d, &e, EKB_READER_SAMPLES_MATCH);
        }
        if (e.present & EKB_READER_HAS_SAMPLES_NO_MATCH) {
            key(d, "no_match", &f2);
            put_str_list(d, &e, EKB_READER_SAMPLES_NO_MATCH);
        }
        putc('}', d->out);
    }
#undef STR
#undef OPT
    putc('}', d->out);
}

static int finish(dumper *d, ekb_reader_error *err)
{
    free(d->buf);
    if (d->failed || ferror(d->out))
        return ekbr_fail(err, EKB_READER_ERR_IO, 0, "cannot write the dump");
    return 0;
}

int ekb_reader_dump_entry(const ekb_reader *r, uint32_t i, FILE *out, ekb_reader_error *err)
{
    if (!r || !out || i >= r->n_entries)
        return ekbr_fail(err, EKB_READER_ERR_ARG, 0, "no entry %u", i);
    dumper d = {.r = r, .out = out};
    dump_entry(&d, i);
    return finish(&d, err);
}

int ekb_reader_dump_json(const ekb_reader *r, FILE *out, ekb_reader_error *err)
{
    if (!r || !out)
        return ekbr_fail(err, EKB_READER_ERR_ARG, 0, "no reader or no output");
    dumper d = {.r = r, .out = out};
    fprintf(out, "{\"format_version\":\"%u.%u\",\"corpus_hash\":\"%016llx\",\"entry_count\":%u,\"entries\":[\n",
            r->major, r->minor, (unsigned long long)r->corpus_hash, r->n_entries);
    for (uint32_t i = 0; i < r->n_entries && !d.failed; i++) {
        dump_entry(&d, i);
        put(&d, i + 1 < r->n_entries ? ",\n" : "\n");
    }
    put(&d, "]}\n");
    return finish(&d, err);
}

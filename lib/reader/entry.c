/* entry.c: reading entries, their lists, languages, enumerations and groups.
 * Everything here was range-checked when the index was opened. */
#include <string.h>

#include "reader_private.h"

static const int list_offset[EKB_READER_LIST_COUNT] = {
    EKBF_E_VERSIONS, EKBF_E_DEAD_ENDS, EKBF_E_WORKAROUNDS, EKBF_E_WORKAROUNDS_ZH, EKBF_E_OS_SPECIFIC,
    EKBF_E_TAGS, EKBF_E_ALIASES, EKBF_E_LEADS_TO, EKBF_E_PRECEDED_BY, EKBF_E_CONFUSED,
    EKBF_E_SAMPLES_MATCH, EKBF_E_SAMPLES_NO_MATCH,
};

int ekb_reader_entry_at(const ekb_reader *r, uint32_t i, ekb_reader_entry *e)
{
    if (!r || !e || i >= r->n_entries)
        return ekbr_fail(NULL, EKB_READER_ERR_ARG, 0, "no entry %u", i);
    const unsigned char *q = ekbr_record(&r->entr, i);
    e->index = i;
    e->id = ekbf_get32(q + EKBF_E_ID);
    e->signature = ekbf_get32(q + EKBF_E_SIGNATURE);
    e->signature_zh = ekbf_get32(q + EKBF_E_SIGNATURE_ZH);
    e->regex = ekbf_get32(q + EKBF_E_REGEX);
    e->root_cause = ekbf_get32(q + EKBF_E_ROOT_CAUSE);
    e->root_cause_zh = ekbf_get32(q + EKBF_E_ROOT_CAUSE_ZH);
    e->subcategory = ekbf_get32(q + EKBF_E_SUBCATEGORY);
    e->official_doc_url = ekbf_get32(q + EKBF_E_DOC_URL);
    e->official_doc_section = ekbf_get32(q + EKBF_E_DOC_SECTION);
    e->error_code = ekbf_get32(q + EKBF_E_ERROR_CODE);
    e->domain = ekbf_get32(q + EKBF_E_DOMAIN);
    e->category = ekbf_get32(q + EKBF_E_CATEGORY);
    e->root_cause_type = q[EKBF_E_ROOT_CAUSE_TYPE];
    e->verification_tier = q[EKBF_E_TIER];
    e->resolvable = q[EKBF_E_RESOLVABLE];
    e->locale = q[EKBF_E_LOCALE];
    e->present = ekbf_get32(q + EKBF_E_PRESENT) & EKBF_P_ALL;
    e->confidence = ekbf_getf64(q + EKBF_E_CONFIDENCE);
    e->fix_success_rate = ekbf_getf64(q + EKBF_E_FIX_RATE);
    e->first_seen = ekbf_get32(q + EKBF_E_FIRST_SEEN);
    e->last_confirmed = ekbf_get32(q + EKBF_E_LAST_CONFIRMED);
    e->last_updated = ekbf_get32(q + EKBF_E_LAST_UPDATED);
    e->evidence_count = ekbf_get64(q + EKBF_E_EVIDENCE);
    for (int k = 0; k < EKB_READER_LIST_COUNT; k++) {
        e->start_[k] = ekbf_get32(q + list_offset[k]);
        e->n[k] = ekbf_get16(q + list_offset[k] + 4);
    }
    return 0;
}

/* Binary search of a table sorted by the string at field of its records:
 * 1 found (record number in *out when not NULL), 0 not. */
static int find_sorted(const ekb_reader *r, const ekbr_table *t, size_t field, const char *name, uint32_t *out)
{
    size_t n = strlen(name);
    uint32_t lo = 0, hi = t->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = ekb_reader_str_cmp(r, ekbf_get32(ekbr_record(t, mid) + field), name, n);
        if (c == 0) {
            if (out)
                *out = mid;
            return 1;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

int ekb_reader_find(const ekb_reader *r, const char *id, uint32_t *index)
{
    if (!r || !id)
        return -1;
    return find_sorted(r, &r->entr, EKBF_E_ID, id, index);
}

int ekb_reader_version_at(const ekb_reader *r, const ekb_reader_entry *e, uint32_t i, ekb_reader_version *out)
{
    if (i >= e->n[EKB_READER_VERSIONS])
        return -1;
    const unsigned char *q = ekbr_record(&r->vers, (size_t)e->start_[EKB_READER_VERSIONS] + i);
    out->version = ekbf_get32(q + EKBF_V_VERSION);
    out->status = q[EKBF_V_STATUS];
    out->present = q[EKBF_V_PRESENT] & EKBF_VP_ALL;
    ekb_reader_str *opt[4] = {&out->introduced, &out->deprecated, &out->removed, &out->behavior_change};
    uint32_t at = ekbf_get32(q + EKBF_V_EXTRAS);
    for (int k = 0; k < 4; k++)
        *opt[k] = q[EKBF_V_PRESENT] & (16u << k) ? ekbf_get32(r->list + 4 * (size_t)at++) : EKB_READER_NULL;
    return 0;
}

int ekb_reader_fix_at(const ekb_reader *r, const ekb_reader_entry *e, ekb_reader_list list, uint32_t i,
                      ekb_reader_fix *out)
{
    if ((list != EKB_READER_DEAD_ENDS && list != EKB_READER_WORKAROUNDS) || i >= e->n[list])
        return -1;
    bool work = list == EKB_READER_WORKAROUNDS;
    const ekbr_table *t = work ? &r->work : &r->dead;
    const unsigned char *q = ekbr_record(t, (size_t)e->start_[list] + i);
    out->action = ekbf_get32(q + EKBF_D_ACTION);
    out->why_fails = work ? EKB_READER_NULL : ekbf_get32(q + EKBF_D_WHY);
    out->how = work ? ekbf_get32(q + EKBF_W_HOW) : EKB_READER_NULL;
    out->condition = ekbf_get32(q + EKBF_D_CONDITION);
    out->rate = ekbf_getf64(q + EKBF_D_RATE);
    out->sources_ = ekbf_get32(q + EKBF_D_SOURCES);
    out->n_sources = ekbf_get16(q + EKBF_D_SOURCES_N);
    out->present = q[EKBF_D_PRESENT] & EKBF_IP_ALL;
    return 0;
}

static ekb_reader_str list_item(const ekb_reader *r, uint32_t start, uint32_t i)
{
    return ekbf_get32(r->list + 4 * ((size_t)start + i));
}

ekb_reader_str ekb_reader_fix_source(const ekb_reader *r, const ekb_reader_fix *f, uint32_t j)
{
    return j < f->n_sources ? list_item(r, f->sources_, j) : EKB_READER_NULL;
}

int ekb_reader_link_at(const ekb_reader *r, const ekb_reader_entry *e, ekb_reader_list list, uint32_t i,
                       ekb_reader_link *out)
{
    if (list < EKB_READER_LEADS_TO || list > EKB_READER_CONFUSED_WITH || i >= e->n[list])
        return -1;
    const unsigned char *q = ekbr_record(&r->link, (size_t)e->start_[list] + i);
    out->target = ekbf_get32(q + EKBF_L_TARGET);
    out->probability = ekbf_getf64(q + EKBF_L_PROBABILITY);
    out->condition = ekbf_get32(q + EKBF_L_CONDITION);
    out->present = ekbf_get32(q + EKBF_L_FLAGS) & EKBF_LF_ALL;
    return 0;
}

ekb_reader_str ekb_reader_str_at(const ekb_reader *r, const ekb_reader_entry *e, ekb_reader_list list, uint32_t i)
{
    switch (list) {
    case EKB_READER_OS_SPECIFIC:
        return i / 2 < e->n[list] ? list_item(r, e->start_[list], i) : EKB_READER_NULL;
    case EKB_READER_WORKAROUNDS_ZH:
    case EKB_READER_TAGS:
    case EKB_READER_ALIASES:
    case EKB_READER_SAMPLES_MATCH:
    case EKB_READER_SAMPLES_NO_MATCH:
        return i < e->n[list] ? list_item(r, e->start_[list], i) : EKB_READER_NULL;
    default:
        return EKB_READER_NULL;
    }
}

ekb_reader_str ekb_reader_enum_name(const ekb_reader *r, ekb_reader_enum which, unsigned v)
{
    if ((unsigned)which >= EKBF_ENUM_COUNT || v >= r->n_enum[which])
        return EKB_READER_NULL;
    return ekbf_get32(r->enums[which] + 4 * v);
}

unsigned ekb_reader_enum_count(const ekb_reader *r, ekb_reader_enum which)
{
    return (unsigned)which < EKBF_ENUM_COUNT ? r->n_enum[which] : 0;
}

ekb_reader_str ekb_reader_text(const ekb_reader *r, const ekb_reader_entry *e, ekb_reader_field field,
                               uint32_t item, const char *lang)
{
    ekb_reader_str src = EKB_READER_NULL, tr = EKB_READER_NULL;
    switch (field) {
    case EKB_READER_FIELD_SIGNATURE:
        src = e->signature;
        tr = e->signature_zh;
        break;
    case EKB_READER_FIELD_ROOT_CAUSE:
        src = e->root_cause;
        tr = e->root_cause_zh;
        break;
    case EKB_READER_FIELD_WORKAROUND_ACTION: {
        ekb_reader_fix f;
        if (ekb_reader_fix_at(r, e, EKB_READER_WORKAROUNDS, item, &f))
            return EKB_READER_NULL;
        src = f.action;
        tr = ekb_reader_str_at(r, e, EKB_READER_WORKAROUNDS_ZH, item);
        break;
    }
    }
    /* translations exist for zh only; the entry's own locale needs none */
    if (!lang || strcmp(lang, "zh") != 0 || tr == EKB_READER_NULL ||
        ekb_reader_str_cmp(r, ekb_reader_enum_name(r, EKB_READER_ENUM_LOCALE, e->locale), "zh", 2) == 0)
        return src;
    return tr;
}

static const ekbr_table *group_table(const ekb_reader *r, ekb_reader_group g)
{
    return (unsigned)g < 3 ? &r->groups[g] : NULL;
}

uint32_t ekb_reader_group_count(const ekb_reader *r, ekb_reader_group g)
{
    const ekbr_table *t = group_table(r, g);
    return t ? t->n : 0;
}

ekb_reader_str ekb_reader_group_name(const ekb_reader *r, ekb_reader_group g, uint32_t i)
{
    const ekbr_table *t = group_table(r, g);
    return t && i < t->n ? ekbf_get32(ekbr_record(t, i) + EKBF_G_NAME) : EKB_READER_NULL;
}

int ekb_reader_group_find(const ekb_reader *r, ekb_reader_group g, const char *name, uint32_t *out)
{
    const ekbr_table *t = group_table(r, g);
    return t && name ? find_sorted(r, t, EKBF_G_NAME, name, out) : 0;
}

uint32_t ekb_reader_group_size(const ekb_reader *r, ekb_reader_group g, uint32_t i)
{
    const ekbr_table *t = group_table(r, g);
    return t && i < t->n ? ekbf_get32(ekbr_record(t, i) + EKBF_G_COUNT) : 0;
}

uint32_t ekb_reader_group_entry(const ekb_reader *r, ekb_reader_group g, uint32_t i, uint32_t k)
{
    const ekbr_table *t = group_table(r, g);
    if (!t || i >= t->n)
        return UINT32_MAX;
    const unsigned char *q = ekbr_record(t, i);
    if (k >= ekbf_get32(q + EKBF_G_COUNT))
        return UINT32_MAX;
    return ekbf_get32(r->memb + 4 * ((size_t)ekbf_get32(q + EKBF_G_START) + k));
}

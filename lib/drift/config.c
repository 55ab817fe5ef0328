/* config.c: the policy's languages:, translations: and drift: sections. */
#include "drift.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Defaults when the policy leaves a drift: key out. */
static const ekb_drift_limits default_limits = {0.2, 0.1, 1.5};
static const char default_lock_file[] = "schema/translations.lock";

typedef struct loader {
    const ekb_policy *p;
    ekb_diags *d;
    int status; /* 0, 1 (reported), -1 (memory) */
} loader;

/* Reports a problem at pointer in the policy and marks the load failed. */
static void bad(loader *ld, const char *pointer, const char *fmt, ...) EKB_PRINTF(3, 4);
static void bad(loader *ld, const char *pointer, const char *fmt, ...)
{
    ekb_strbuf msg;
    ekb_strbuf_init(&msg);
    va_list ap;
    va_start(ap, fmt);
    ekb_strbuf_vaddf(&msg, fmt, ap);
    va_end(ap);
    if (ekb_strbuf_failed(&msg) ||
        ekb_doc_report(ld->d, ld->p->doc, NULL, pointer, false, EKB_ERROR, "policy.drift", "%s", msg.s) != 0)
        ld->status = -1;
    else if (ld->status == 0)
        ld->status = 1;
    ekb_strbuf_free(&msg);
}

static void oom(loader *ld)
{
    ld->status = -1;
}

/* A number at pointer within [lo, hi], def when absent. */
static double number(loader *ld, const char *pointer, double def, double lo, double hi)
{
    json_t *v = ekb_policy_get(ld->p, pointer);
    if (!v)
        return def;
    if (!json_is_number(v)) {
        bad(ld, pointer, "expected a number");
        return def;
    }
    double x = json_number_value(v);
    if (x < lo || x > hi) {
        bad(ld, pointer, "%g is out of range (%g to %g)", x, lo, hi);
        return def;
    }
    return x;
}

static void limits(loader *ld, const char *base, ekb_drift_limits *l, const ekb_drift_limits *def)
{
    char *p1 = ekb_asprintf("%s/min_script_share", base);
    char *p2 = ekb_asprintf("%s/length_ratio_min", base);
    char *p3 = ekb_asprintf("%s/length_ratio_max", base);
    if (p1 && p2 && p3) {
        l->min_script_share = number(ld, p1, def->min_script_share, 0, 1);
        l->length_ratio_min = number(ld, p2, def->length_ratio_min, 0, 1e6);
        l->length_ratio_max = number(ld, p3, def->length_ratio_max, 0, 1e6);
        /* a pair that sets neither inherits the band, checked once already */
        bool own = def == &default_limits || ekb_policy_get(ld->p, p2) || ekb_policy_get(ld->p, p3);
        if (own && l->length_ratio_max <= l->length_ratio_min)
            bad(ld, ekb_policy_get(ld->p, p3) ? p3 : base, "length_ratio_max %g is not above length_ratio_min %g",
                l->length_ratio_max, l->length_ratio_min);
    } else {
        oom(ld);
    }
    free(p1);
    free(p2);
    free(p3);
}

/* --- languages --- */

static void load_language(loader *ld, ekb_drift_lang *lang, const char *code, json_t *v)
{
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    ekb_strbuf_adds(&sb, "/languages");
    ekb_strbuf_add_pointer_segment(&sb, code, strlen(code));
    char *at = ekb_strbuf_steal(&sb);
    char *at_scripts = at ? ekb_asprintf("%s/scripts", at) : NULL;
    lang->code = strdup(code);
    json_t *name = json_object_get(v, "name");
    lang->name = strdup(json_is_string(name) ? json_string_value(name) : code);
    json_t *scripts = json_object_get(v, "scripts");
    size_t n = json_array_size(scripts);
    const char **names = calloc(n + 1, sizeof *names);
    ekb_strbuf list;
    ekb_strbuf_init(&list);
    if (!at || !at_scripts || !lang->code || !lang->name || !names) {
        oom(ld);
        goto out;
    }
    if (!json_is_object(v) || !json_is_array(scripts) || n == 0) {
        bad(ld, at, "language '%s' needs a list of scripts", code);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_array_get(scripts, i);
        if (!json_is_string(s)) {
            bad(ld, at_scripts, "script names must be strings");
            goto out;
        }
        names[i] = json_string_value(s);
        /* "Han", "Hiragana and Han", "Hiragana, Katakana or Han" */
        ekb_strbuf_adds(&list, i == 0 ? "" : i + 1 < n ? ", " : " or ");
        ekb_strbuf_adds(&list, names[i]);
    }
    if (ekb_strbuf_failed(&list) || !(lang->scripts = ekb_strbuf_steal(&list))) {
        oom(ld);
        goto out;
    }
    char *err = NULL;
    lang->script = ekb_drift_script_new(names, n, &err);
    if (!lang->script) {
        if (err)
            bad(ld, at_scripts, "cannot use the scripts of '%s': %s", code, err);
        else
            oom(ld);
    }
    free(err);
out:
    ekb_strbuf_free(&list);
    free(names);
    free(at);
    free(at_scripts);
}

static void load_languages(loader *ld, ekb_drift_config *cfg)
{
    json_t *langs = ekb_policy_get(ld->p, "/languages");
    if (!langs)
        return;
    if (!json_is_object(langs)) {
        bad(ld, "/languages", "'languages' must be a mapping of language codes");
        return;
    }
    cfg->langs = calloc(json_object_size(langs) + 1, sizeof *cfg->langs);
    if (!cfg->langs) {
        oom(ld);
        return;
    }
    const char *code;
    json_t *v;
    json_object_foreach(langs, code, v) {
        load_language(ld, &cfg->langs[cfg->n_langs++], code, v);
        if (ld->status < 0)
            return;
    }
}

/* --- translation pairs --- */

/* Splits a pointer pattern into unescaped segments. */
static int split_pointer(const char *ptr, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t k = 0;
    for (const char *p = ptr; *p; p++)
        k += *p == '/';
    char **seg = calloc(k + 1, sizeof *seg);
    if (!seg)
        return -1;
    *out = seg;
    const char *p = ptr;
    while (*p == '/') {
        p++;
        size_t len = strcspn(p, "/");
        char *s = ekb_json_pointer_segment(p, len, NULL);
        if (!s)
            return -1;
        seg[(*n)++] = s;
        p += len;
    }
    return 0;
}

static size_t stars(char **seg, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += strcmp(seg[i], "*") == 0;
    return k;
}

static void load_pair(loader *ld, ekb_drift_config *cfg, ekb_drift_pairdef *def, size_t i, json_t *v,
                      const ekb_drift_limits *deflim)
{
    char *at = ekb_asprintf("/translations/%zu", i);
    if (!at) {
        oom(ld);
        return;
    }
    json_t *src = json_object_get(v, "source"), *tgt = json_object_get(v, "target"), *lang = json_object_get(v, "lang");
    if (!json_is_string(src) || !json_is_string(tgt) || !json_is_string(lang)) {
        bad(ld, at, "a translation pair needs 'source', 'target' and 'lang' strings");
        free(at);
        return;
    }
    const char *s = json_string_value(src), *t = json_string_value(tgt), *l = json_string_value(lang);
    if (!(def->source = strdup(s)) || !(def->target = strdup(t)) || split_pointer(s, &def->src_seg, &def->n_src) ||
        split_pointer(t, &def->tgt_seg, &def->n_tgt)) {
        oom(ld);
        free(at);
        return;
    }
    if ((*s && *s != '/') || (*t && *t != '/') || def->n_src == 0 || def->n_tgt == 0)
        bad(ld, at, "'source' and 'target' must be JSON pointers below the entry, not '%s' and '%s'", s, t);
    else if (strcmp(s, t) == 0)
        bad(ld, at, "'source' and 'target' are the same field '%s'", s);
    else if (stars(def->src_seg, def->n_src) != stars(def->tgt_seg, def->n_tgt))
        bad(ld, at, "'%s' and '%s' must have as many '*' segments", s, t);
    def->lang = cfg->n_langs;
    for (size_t k = 0; k < cfg->n_langs; k++)
        if (strcmp(cfg->langs[k].code, l) == 0)
            def->lang = k;
    if (def->lang == cfg->n_langs) {
        char *at_lang = ekb_asprintf("%s/lang", at);
        if (at_lang)
            bad(ld, at_lang, "language '%s' is not declared under 'languages'", l);
        else
            oom(ld);
        free(at_lang);
    }
    limits(ld, at, &def->limits, deflim);
    free(at);
}

static void load_pairs(loader *ld, ekb_drift_config *cfg, const ekb_drift_limits *deflim)
{
    json_t *list = ekb_policy_get(ld->p, "/translations");
    if (!list)
        return;
    if (!json_is_array(list)) {
        bad(ld, "/translations", "'translations' must be a list of pairs");
        return;
    }
    cfg->pairs = calloc(json_array_size(list) + 1, sizeof *cfg->pairs);
    if (!cfg->pairs) {
        oom(ld);
        return;
    }
    size_t i;
    json_t *v;
    json_array_foreach(list, i, v) {
        load_pair(ld, cfg, &cfg->pairs[cfg->n_pairs++], i, v, deflim);
        if (ld->status < 0)
            return;
    }
}

int ekb_drift_config_load(ekb_drift_config *cfg, const ekb_policy *p, ekb_diags *d)
{
    memset(cfg, 0, sizeof *cfg);
    loader ld = {p, d, 0};
    json_t *drift = ekb_policy_get(p, "/drift");
    if (drift && !json_is_object(drift))
        bad(&ld, "/drift", "'drift' must be a mapping");
    ekb_drift_limits deflim;
    limits(&ld, "/drift", &deflim, &default_limits);
    json_t *lock = ekb_policy_get(p, "/drift/lock_file");
    if (lock && (!json_is_string(lock) || !*json_string_value(lock)))
        bad(&ld, "/drift/lock_file", "'lock_file' must be a path");
    if (ld.status >= 0 && !(cfg->lock_file = strdup(json_is_string(lock) ? json_string_value(lock) : default_lock_file)))
        oom(&ld);
    if (ld.status >= 0)
        load_languages(&ld, cfg);
    if (ld.status >= 0)
        load_pairs(&ld, cfg, &deflim);
    return ld.status;
}

void ekb_drift_config_free(ekb_drift_config *cfg)
{
    for (size_t i = 0; i < cfg->n_langs; i++) {
        free(cfg->langs[i].code);
        free(cfg->langs[i].name);
        free(cfg->langs[i].scripts);
        ekb_drift_script_free(cfg->langs[i].script);
    }
    free(cfg->langs);
    for (size_t i = 0; i < cfg->n_pairs; i++) {
        ekb_drift_pairdef *def = &cfg->pairs[i];
        free(def->source);
        free(def->target);
        for (size_t k = 0; k < def->n_src; k++)
            free(def->src_seg[k]);
        for (size_t k = 0; k < def->n_tgt; k++)
            free(def->tgt_seg[k]);
        free(def->src_seg);
        free(def->tgt_seg);
    }
    free(cfg->pairs);
    free(cfg->lock_file);
    memset(cfg, 0, sizeof *cfg);
}

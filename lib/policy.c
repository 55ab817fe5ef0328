/* policy.c: reading schema/policy.yaml (or the built-in copy). */
#include "policy.h"

#include <stdlib.h>
#include <string.h>

#include "builtin.h"

char *ekb_json_pointer_segment(const char *p, size_t n, size_t *len)
{
    char *seg = malloc(n + 1);
    if (!seg)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '~' && i + 1 < n && (p[i + 1] == '0' || p[i + 1] == '1'))
            seg[k++] = p[++i] == '0' ? '~' : '/';
        else
            seg[k++] = p[i];
    }
    seg[k] = '\0';
    if (len)
        *len = k;
    return seg;
}

json_t *ekb_json_pointer_step(json_t *v, const char *seg, size_t len)
{
    if (json_is_object(v))
        return json_object_getn(v, seg, len);
    if (json_is_array(v)) {
        char *end;
        unsigned long idx = strtoul(seg, &end, 10);
        return *seg && !*end ? json_array_get(v, idx) : NULL;
    }
    return NULL;
}

json_t *ekb_json_pointer_get(json_t *root, const char *pointer)
{
    json_t *cur = root;
    const char *p = pointer;
    while (cur && *p == '/') {
        p++;
        size_t n = strcspn(p, "/"), k;
        char *seg = ekb_json_pointer_segment(p, n, &k);
        if (!seg)
            return NULL;
        cur = ekb_json_pointer_step(cur, seg, k);
        free(seg);
        p += n;
    }
    return *p ? NULL : cur;
}

json_t *ekb_policy_get(const ekb_policy *p, const char *pointer)
{
    return p->doc ? ekb_json_pointer_get(p->doc->root, pointer) : NULL;
}

unsigned long ekb_policy_uint(const ekb_policy *p, const char *pointer, unsigned long def, ekb_diags *d)
{
    json_t *v = ekb_policy_get(p, pointer);
    if (!v)
        return def;
    if (json_is_integer(v) && json_integer_value(v) >= 0)
        return (unsigned long)json_integer_value(v);
    if (d)
        ekb_doc_report(d, p->doc, NULL, pointer, false, EKB_ERROR, "policy.type",
                       "expected a non-negative integer; using the default %lu", def);
    return def;
}

double ekb_policy_number(const ekb_policy *p, const char *pointer, double def, ekb_diags *d)
{
    json_t *v = ekb_policy_get(p, pointer);
    if (!v)
        return def;
    if (json_is_number(v))
        return json_number_value(v);
    if (d)
        ekb_doc_report(d, p->doc, NULL, pointer, false, EKB_ERROR, "policy.type",
                       "expected a number; using the default %g", def);
    return def;
}

int ekb_policy_load(ekb_policy *p, const char *schema_dir, ekb_diags *d)
{
    memset(p, 0, sizeof *p);
    ekb_limits lim = {.max_file_bytes = 1 << 20, .max_depth = 64};
    char *path = schema_dir ? ekb_path_join(schema_dir, "policy.yaml") : NULL;
    if (schema_dir && !path)
        return -1;
    int r;
    if (path && ekb_is_file(path))
        r = ekb_doc_load_file(path, &lim, &p->doc, d);
    else
        r = ekb_doc_load_buffer("<built-in policy.yaml>", (const char *)ekb_builtin_policy,
                                ekb_builtin_policy_len, EKB_SYNTAX_YAML, &lim, &p->doc, d);
    free(path);
    if (r != 0)
        return r;
    if (!json_is_object(p->doc->root)) {
        return ekb_doc_report(d, p->doc, NULL, "", false, EKB_ERROR, "policy.type",
                              "the policy must be a mapping") ? -1 : 1;
    }
    size_t before = ekb_diags_count(d, EKB_ERROR);
    p->limits.max_file_bytes = ekb_policy_uint(p, "/limits/max_file_bytes", 1 << 20, d);
    p->limits.max_depth = (unsigned)ekb_policy_uint(p, "/limits/max_depth", 32, d);
    p->max_diagnostics_per_file = (unsigned)ekb_policy_uint(p, "/limits/max_diagnostics_per_file", 20, d);
    p->staleness_days = (unsigned)ekb_policy_uint(p, "/staleness_days", 1095, d);
    return ekb_diags_count(d, EKB_ERROR) > before ? 1 : 0;
}

void ekb_policy_free(ekb_policy *p)
{
    ekb_doc_free(p->doc);
    p->doc = NULL;
}

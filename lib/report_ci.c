/* report_ci.c: the formats CI services read: GitHub Actions workflow commands
 * and SARIF 2.1.0 (code scanning, GitLab, IDE viewers). */
#include "report_ci.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rules_table.h"

#ifndef EKB_VERSION
#define EKB_VERSION "unknown"
#endif
#ifndef EKB_HOMEPAGE
#define EKB_HOMEPAGE "https://errkb.invalid/"
#endif

#define SARIF_SCHEMA "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

/* --- GitHub workflow commands --- */

void ekb_github_escape(ekb_strbuf *sb, const char *s, bool property)
{
    /* the rules of @actions/core's escapeData and escapeProperty */
    for (; *s; s++) {
        switch (*s) {
        case '%': ekb_strbuf_adds(sb, "%25"); break;
        case '\r': ekb_strbuf_adds(sb, "%0D"); break;
        case '\n': ekb_strbuf_adds(sb, "%0A"); break;
        case ':': ekb_strbuf_adds(sb, property ? "%3A" : ":"); break;
        case ',': ekb_strbuf_adds(sb, property ? "%2C" : ","); break;
        default: ekb_strbuf_addc(sb, *s); break;
        }
    }
}

static const char *github_command(ekb_severity sev)
{
    return sev == EKB_ERROR ? "error" : sev == EKB_WARNING ? "warning" : "notice";
}

int ekb_report_write_github(FILE *out, const ekb_report *r, const ekb_diags *d)
{
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    for (size_t i = 0; i < d->n; i++) {
        const ekb_diag *g = &d->v[i];
        ekb_strbuf_reset(&sb);
        ekb_strbuf_addf(&sb, "::%s ", github_command(g->severity));
        if (*g->path) {
            ekb_strbuf_adds(&sb, "file=");
            ekb_github_escape(&sb, g->path, true);
            if (g->line)
                ekb_strbuf_addf(&sb, ",line=%u", g->line);
            if (g->line && g->col)
                ekb_strbuf_addf(&sb, ",col=%u", g->col);
            ekb_strbuf_addc(&sb, ',');
        }
        ekb_strbuf_adds(&sb, "title=");
        ekb_github_escape(&sb, g->rule, true);
        ekb_strbuf_adds(&sb, "::");
        ekb_github_escape(&sb, g->message, false);
        if (ekb_strbuf_failed(&sb)) {
            ekb_strbuf_free(&sb);
            return -1;
        }
        fprintf(out, "%s\n", sb.s);
    }
    ekb_strbuf_free(&sb);
    if (!r->quiet)
        ekb_report_write_summary(out, r);
    return 0;
}

/* --- SARIF --- */

static bool uri_keeps(unsigned char c)
{
    /* unreserved / sub-delims / '@' / '/'; ':' is encoded so that a relative
     * path's first segment is never taken for a scheme */
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~!$&'()*+,;=@/", c);
}

void ekb_sarif_uri(ekb_strbuf *sb, const char *path, const char *cwd)
{
    if (path[0] == '/') {
        size_t cl = cwd ? strlen(cwd) : 0;
        if (cl > 1 && strncmp(path, cwd, cl) == 0 && path[cl] == '/') {
            path += cl + 1;
        } else {
            ekb_strbuf_adds(sb, "file://");
        }
    }
    while (path[0] == '.' && path[1] == '/') {
        path += 2;
        while (*path == '/')
            path++;
    }
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (uri_keeps(*p))
            ekb_strbuf_addc(sb, (char)*p);
        else
            ekb_strbuf_addf(sb, "%%%02X", *p);
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The sorted, distinct rule ids of d (borrowed strings) in *ids. */
static size_t used_rules(const ekb_diags *d, const char **ids)
{
    for (size_t i = 0; i < d->n; i++)
        ids[i] = d->v[i].rule;
    qsort(ids, d->n, sizeof *ids, cmp_str);
    size_t m = 0;
    for (size_t i = 0; i < d->n; i++)
        if (m == 0 || strcmp(ids[m - 1], ids[i]) != 0)
            ids[m++] = ids[i];
    return m;
}

static json_t *rule_descriptor(const char *id)
{
    const ekb_rule_info *info = ekb_rule_find(id);
    /* a rule missing from the table still gets valid metadata; SARIF's
     * levels are the severity names (error, warning, note) */
    const char *text = info ? info->summary : "errkb finding";
    const char *level = ekb_severity_name(info ? info->severity : EKB_ERROR);
    return json_pack("{s:s, s:{s:s}, s:{s:s}}", "id", id, "shortDescription", "text", text,
                     "defaultConfiguration", "level", level);
}

static json_t *result_of(const ekb_diag *g, size_t rule_index, const char *cwd)
{
    json_t *res = json_pack("{s:s, s:I, s:s, s:{s:s}}", "ruleId", g->rule, "ruleIndex", (json_int_t)rule_index,
                            "level", ekb_severity_name(g->severity), "message", "text", g->message);
    if (!res || !*g->path)
        return res;
    ekb_strbuf uri;
    ekb_strbuf_init(&uri);
    ekb_sarif_uri(&uri, g->path, cwd);
    json_t *phys = uri.failed ? NULL : json_pack("{s:{s:s}}", "artifactLocation", "uri", uri.s);
    ekb_strbuf_free(&uri);
    json_t *region = NULL;
    if (phys && g->line) {
        region = g->col ? json_pack("{s:I, s:I}", "startLine", (json_int_t)g->line, "startColumn", (json_int_t)g->col)
                        : json_pack("{s:I}", "startLine", (json_int_t)g->line);
        if (!region || json_object_set_new(phys, "region", region) != 0) {
            json_decref(phys);
            phys = NULL;
        }
    }
    json_t *locs = phys ? json_pack("[{s:o}]", "physicalLocation", phys) : NULL;
    if (!locs || json_object_set_new(res, "locations", locs) != 0) {
        json_decref(res);
        return NULL;
    }
    return res;
}

int ekb_report_write_sarif(FILE *out, const ekb_report *r, const ekb_diags *d)
{
    const char **ids = malloc((d->n + 1) * sizeof *ids);
    char *cwd = getcwd(NULL, 0); /* NULL is fine: absolute paths then stay file:// URIs */
    json_t *rules = json_array(), *results = json_array();
    json_t *log = NULL;
    int bad = !ids || !rules || !results;
    size_t n_ids = bad ? 0 : used_rules(d, ids);
    for (size_t i = 0; i < n_ids && !bad; i++)
        bad = json_array_append_new(rules, rule_descriptor(ids[i])) != 0;
    for (size_t i = 0; i < d->n && !bad; i++) {
        const char **hit = bsearch(&d->v[i].rule, ids, n_ids, sizeof *ids, cmp_str);
        bad = json_array_append_new(results, result_of(&d->v[i], (size_t)(hit - ids), cwd)) != 0;
    }
    if (!bad) {
        log = json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:O}}, s:s, s:O}]}", "$schema", SARIF_SCHEMA,
                        "version", "2.1.0", "runs", "tool", "driver", "name", r->tool, "version", EKB_VERSION,
                        "informationUri", EKB_HOMEPAGE, "rules", rules, "columnKind", "unicodeCodePoints",
                        "results", results);
        bad = !log;
    }
    int rc = -1;
    if (!bad) {
        rc = json_dumpf(log, out, JSON_INDENT(2)) == 0 ? 0 : -1;
        fputc('\n', out);
    }
    json_decref(log);
    json_decref(rules);
    json_decref(results);
    free(cwd);
    free(ids);
    return rc;
}

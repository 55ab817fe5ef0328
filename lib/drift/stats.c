/* stats.c: translation coverage per language and domain (--stats), and the
 * --min-coverage gate. Like msgfmt --statistics, only confirmed translations
 * that pass count as translated. */
#include "drift.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

struct ekb_drift_stats {
    const ekb_drift_config *cfg;
    char **domains;          /* sorted */
    ekb_drift_counts *rows;  /* n * cfg->n_langs, row i for domains[i] */
    size_t n, cap;
    ekb_drift_counts *total; /* cfg->n_langs */
};

ekb_drift_stats *ekb_drift_stats_new(const ekb_drift_config *cfg)
{
    ekb_drift_stats *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cfg = cfg;
    if (!(s->total = calloc(cfg->n_langs + 1, sizeof *s->total))) {
        free(s);
        return NULL;
    }
    return s;
}

void ekb_drift_stats_free(ekb_drift_stats *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->domains[i]);
    free(s->domains);
    free(s->rows);
    free(s->total);
    free(s);
}

static void add_counts(ekb_drift_counts *to, const ekb_drift_counts *from)
{
    to->pairs += from->pairs;
    for (int k = 0; k < EKB_DRIFT_NSTATES; k++)
        to->state[k] += from->state[k];
}

/* The row of domain, inserted in order when new; NULL on memory. */
static ekb_drift_counts *row(ekb_drift_stats *s, const char *domain)
{
    size_t nl = s->cfg->n_langs ? s->cfg->n_langs : 1;
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->domains[mid], domain);
        if (c == 0)
            return &s->rows[mid * nl];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* both arrays have room for cap domains: each grows from that count (a
     * domains array grown alone is only larger than s->cap says) */
    size_t dcap = s->cap, rcap = s->cap;
    if (ekb_grow(&s->domains, &dcap, s->n, sizeof *s->domains, 16) != 0 ||
        ekb_grow(&s->rows, &rcap, s->n, nl * sizeof *s->rows, 16) != 0)
        return NULL;
    s->cap = rcap;
    char *name = strdup(domain);
    if (!name)
        return NULL;
    memmove(&s->domains[lo + 1], &s->domains[lo], (s->n - lo) * sizeof *s->domains);
    memmove(&s->rows[(lo + 1) * nl], &s->rows[lo * nl], (s->n - lo) * nl * sizeof *s->rows);
    s->domains[lo] = name;
    memset(&s->rows[lo * nl], 0, nl * sizeof *s->rows);
    s->n++;
    return &s->rows[lo * nl];
}

int ekb_drift_stats_add(ekb_drift_stats *s, const char *domain, const ekb_drift_counts *counts)
{
    ekb_drift_counts *r = row(s, domain);
    if (!r)
        return -1;
    for (size_t l = 0; l < s->cfg->n_langs; l++) {
        add_counts(&r[l], &counts[l]);
        add_counts(&s->total[l], &counts[l]);
    }
    return 0;
}

static bool lang_has_pairs(const ekb_drift_config *cfg, size_t lang)
{
    for (size_t i = 0; i < cfg->n_pairs; i++)
        if (cfg->pairs[i].lang == lang)
            return true;
    return false;
}

/* "97.5%", rounded down so that 100.0% means every pair; "-" without pairs. */
static void percent(char buf[48], const ekb_drift_counts *c)
{
    if (!c->pairs) {
        strcpy(buf, "-");
        return;
    }
    size_t permille = c->state[EKB_DRIFT_TRANSLATED] * 1000 / c->pairs;
    snprintf(buf, 48, "%zu.%zu%%", permille / 10, permille % 10);
}

static const char *const columns[] = {"pairs", "translated", "untranslated", "missing", "stale", "unconfirmed",
                                      "coverage"};

static void write_row(FILE *out, int width, const char *name, const ekb_drift_counts *c)
{
    static const ekb_drift_state order[] = {EKB_DRIFT_TRANSLATED, EKB_DRIFT_UNTRANSLATED, EKB_DRIFT_MISSING,
                                            EKB_DRIFT_STALE, EKB_DRIFT_UNCONFIRMED};
    char pc[48];
    percent(pc, c);
    fprintf(out, "%-*s  %*zu", width, name, (int)strlen(columns[0]), c->pairs);
    for (size_t k = 0; k < sizeof order / sizeof *order; k++)
        fprintf(out, "  %*zu", (int)strlen(columns[k + 1]), c->state[order[k]]);
    fprintf(out, "  %*s\n", (int)strlen(columns[6]), pc);
}

int ekb_drift_stats_write(FILE *out, const ekb_drift_stats *s)
{
    static const char all[] = "(all)";
    int width = (int)strlen("domain");
    if (width < (int)strlen(all))
        width = (int)strlen(all);
    for (size_t i = 0; i < s->n; i++)
        if ((int)strlen(s->domains[i]) > width)
            width = (int)strlen(s->domains[i]);
    size_t nl = s->cfg->n_langs ? s->cfg->n_langs : 1;
    bool first = true;
    for (size_t l = 0; l < s->cfg->n_langs; l++) {
        if (!lang_has_pairs(s->cfg, l))
            continue;
        const ekb_drift_lang *lang = &s->cfg->langs[l];
        fprintf(out, "%s%s (%s) translation coverage\n", first ? "" : "\n", lang->code, lang->name);
        first = false;
        fprintf(out, "%-*s", width, "domain");
        for (size_t k = 0; k < sizeof columns / sizeof *columns; k++)
            fprintf(out, "  %s", columns[k]);
        fputc('\n', out);
        for (size_t i = 0; i < s->n; i++)
            write_row(out, width, s->domains[i], &s->rows[i * nl + l]);
        write_row(out, width, all, &s->total[l]);
    }
    return ferror(out) ? -1 : 0;
}

int ekb_drift_stats_gate(const ekb_drift_stats *s, double min_percent, ekb_diags *d)
{
    for (size_t l = 0; l < s->cfg->n_langs; l++) {
        const ekb_drift_counts *c = &s->total[l];
        if (!c->pairs || (double)c->state[EKB_DRIFT_TRANSLATED] * 100.0 >= min_percent * (double)c->pairs)
            continue;
        char pc[48];
        percent(pc, c);
        if (ekb_diags_add(d, "", 0, 0, EKB_ERROR, "drift.coverage", NULL, NULL,
                          "%s translation coverage %s is below the minimum of %g%%", s->cfg->langs[l].code, pc,
                          min_percent) != 0)
            return -1;
    }
    return 0;
}

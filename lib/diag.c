/* diag.c: the diagnostics list: add, merge, sort, cap. */
#include "diag.h"

#include <stdlib.h>
#include <string.h>

void ekb_diags_init(ekb_diags *d)
{
    d->v = NULL;
    d->n = d->cap = 0;
    d->next_seq = 0;
}

static void diag_free(ekb_diag *g)
{
    free(g->path);
    free(g->rule);
    free(g->message);
    free(g->entry_id);
    free(g->pointer);
}

void ekb_diags_free(ekb_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        diag_free(&d->v[i]);
    free(d->v);
    ekb_diags_init(d);
}

static int diags_reserve(ekb_diags *d, size_t extra)
{
    if (extra > SIZE_MAX - d->n)
        return -1;
    return ekb_grow_to(&d->v, &d->cap, d->n + extra, sizeof *d->v, 16);
}

static char *dup_or_null(const char *s, bool *failed)
{
    if (!s)
        return NULL;
    char *r = strdup(s);
    if (!r)
        *failed = true;
    return r;
}

int ekb_diags_vadd(ekb_diags *d, const char *path, unsigned line, unsigned col,
                   ekb_severity sev, const char *rule, const char *entry_id,
                   const char *pointer, const char *fmt, va_list ap)
{
    if (diags_reserve(d, 1) != 0)
        return -1;
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    ekb_strbuf_vaddf(&sb, fmt, ap);
    bool failed = false;
    ekb_diag g = {
        .path = dup_or_null(path ? path : "", &failed),
        .line = line,
        .col = col,
        .severity = sev,
        .rule = dup_or_null(rule, &failed),
        .message = ekb_strbuf_steal(&sb),
        .entry_id = dup_or_null(entry_id, &failed),
        .pointer = dup_or_null(pointer, &failed),
        .seq = d->next_seq++,
    };
    if (failed || !g.message) {
        diag_free(&g);
        return -1;
    }
    d->v[d->n++] = g;
    return 0;
}

int ekb_diags_add(ekb_diags *d, const char *path, unsigned line, unsigned col,
                  ekb_severity sev, const char *rule, const char *entry_id,
                  const char *pointer, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = ekb_diags_vadd(d, path, line, col, sev, rule, entry_id, pointer, fmt, ap);
    va_end(ap);
    return r;
}

int ekb_diags_take(ekb_diags *dst, ekb_diags *src)
{
    if (diags_reserve(dst, src->n) != 0)
        return -1;
    for (size_t i = 0; i < src->n; i++) {
        dst->v[dst->n] = src->v[i];
        dst->v[dst->n].seq = dst->next_seq++;
        dst->n++;
    }
    free(src->v);
    ekb_diags_init(src);
    return 0;
}

void ekb_diags_drop(ekb_diags *d, bool (*drop)(void *ctx, const ekb_diag *g), void *ctx)
{
    size_t keep = 0;
    for (size_t i = 0; i < d->n; i++) {
        if (drop(ctx, &d->v[i]))
            diag_free(&d->v[i]);
        else
            d->v[keep++] = d->v[i];
    }
    d->n = keep;
}

static int diag_cmp(const void *a, const void *b)
{
    const ekb_diag *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    if (c)
        return c;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void ekb_diags_sort(ekb_diags *d)
{
    if (d->n > 1)
        qsort(d->v, d->n, sizeof *d->v, diag_cmp);
}

int ekb_diags_cap(ekb_diags *d, size_t max_per_file)
{
    if (max_per_file == 0)
        return 0;
    /* Compacts in place; out of memory only loses the note, so the list
     * stays whole (each slot below out owned once) whatever happens. */
    int r = 0;
    size_t out = 0;
    for (size_t i = 0; i < d->n;) {
        size_t j = i;
        while (j < d->n && strcmp(d->v[j].path, d->v[i].path) == 0)
            j++;
        size_t keep = j - i > max_per_file ? max_per_file : j - i;
        for (size_t k = i; k < i + keep; k++)
            d->v[out++] = d->v[k];
        if (keep < j - i) {
            size_t dropped = j - i - keep, errors = 0;
            for (size_t k = i + keep; k < j; k++)
                errors += d->v[k].severity == EKB_ERROR;
            /* the first dropped slot becomes the note: its path stays */
            ekb_diag *note = &d->v[i + keep];
            char *msg = ekb_asprintf("%zu further diagnostics suppressed (%zu errors)", dropped, errors);
            char *rule = strdup("limits.suppressed");
            for (size_t k = i + keep + 1; k < j; k++)
                diag_free(&d->v[k]);
            if (!msg || !rule) {
                free(msg);
                free(rule);
                diag_free(note);
                r = -1;
            } else {
                free(note->message);
                free(note->rule);
                free(note->pointer);
                note->message = msg;
                note->rule = rule;
                note->pointer = NULL;
                note->line = note->col = 0;
                note->severity = EKB_NOTE; /* counts were taken before capping */
                d->v[out++] = *note;
            }
        }
        i = j;
    }
    d->n = out;
    return r;
}

size_t ekb_diags_count(const ekb_diags *d, ekb_severity sev)
{
    size_t c = 0;
    for (size_t i = 0; i < d->n; i++)
        c += d->v[i].severity == sev;
    return c;
}

const char *ekb_severity_name(ekb_severity sev)
{
    switch (sev) {
    case EKB_ERROR: return "error";
    case EKB_WARNING: return "warning";
    default: return "note";
    }
}

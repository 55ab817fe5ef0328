/* diag.h: diagnostics collected by every tool, sorted and capped before output. */
#ifndef EKB_DIAG_H
#define EKB_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

typedef enum ekb_severity { EKB_ERROR, EKB_WARNING, EKB_NOTE } ekb_severity;

typedef struct ekb_diag {
    char *path;      /* as the user named the file; "" when about no file */
    unsigned line;   /* 1-based; 0 when the whole file is meant */
    unsigned col;    /* 1-based, in Unicode code points */
    ekb_severity severity;
    char *rule;      /* "schema.maximum", "load.syntax", ... */
    char *message;
    char *entry_id;  /* NULL when unknown */
    char *pointer;   /* JSON pointer of the value, NULL when none */
    size_t seq;      /* order of arrival: ties in the sort keep it */
} ekb_diag;

typedef struct ekb_diags {
    ekb_diag *v;
    size_t n, cap;
    size_t next_seq;
} ekb_diags;

void ekb_diags_init(ekb_diags *d);
void ekb_diags_free(ekb_diags *d);

/* Adds a diagnostic; returns 0, or -1 when out of memory. */
int ekb_diags_add(ekb_diags *d, const char *path, unsigned line, unsigned col,
                  ekb_severity sev, const char *rule, const char *entry_id,
                  const char *pointer, const char *fmt, ...) EKB_PRINTF(9, 10);
int ekb_diags_vadd(ekb_diags *d, const char *path, unsigned line, unsigned col,
                   ekb_severity sev, const char *rule, const char *entry_id,
                   const char *pointer, const char *fmt, va_list ap);

/* Moves every diagnostic of src to the end of dst (src ends empty). */
int ekb_diags_take(ekb_diags *dst, ekb_diags *src);

/* Removes and frees the diagnostics drop says yes to; the rest keep their
 * order. */
void ekb_diags_drop(ekb_diags *d, bool (*drop)(void *ctx, const ekb_diag *g), void *ctx);

/* Sorts by path, line, column, then arrival. */
void ekb_diags_sort(ekb_diags *d);

/* After sorting: keeps the first max_per_file diagnostics of each file and
 * replaces the rest by one note saying how many were suppressed. 0 = no cap. */
int ekb_diags_cap(ekb_diags *d, size_t max_per_file);

size_t ekb_diags_count(const ekb_diags *d, ekb_severity sev);

const char *ekb_severity_name(ekb_severity sev);

#endif

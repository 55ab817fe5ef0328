/* report.h: writing diagnostics in the formats every tool shares. */
#ifndef EKB_REPORT_H
#define EKB_REPORT_H

#include <stdio.h>

#include "diag.h"

typedef enum ekb_format {
    EKB_FORMAT_TEXT, EKB_FORMAT_JSON, EKB_FORMAT_JUNIT,
    EKB_FORMAT_GITHUB, /* GitHub Actions workflow commands (::error file=...::) */
    EKB_FORMAT_SARIF   /* SARIF 2.1.0, one run */
} ekb_format;

/* The format names --format takes, for messages: "text, json, ...". */
#define EKB_FORMAT_NAMES "text, json, junit, github, sarif"

/* Parses "text", "json", "junit", "github", "sarif"; false when unknown. */
bool ekb_format_parse(const char *name, ekb_format *out);

/* One checked unit (a file, with its entry id when known): a JUnit test case. */
typedef struct ekb_report_unit {
    const char *path;
    const char *id;
} ekb_report_unit;

typedef struct ekb_report {
    const char *tool;
    ekb_format format;
    const ekb_report_unit *units;
    size_t n_units;
    size_t files, entries;     /* for the summary */
    size_t errors, warnings;   /* counted before the per-file cap */
    bool quiet;                /* text: no summary line */
} ekb_report;

/* Writes one diagnostic as a text line, "file:line:col: severity: message
 * [rule]"; without a line, "file: ..."; without a file, "tool: ...". */
void ekb_report_write_diag(FILE *out, const char *tool, const ekb_diag *g);

/* Writes the report; returns 0, or -1 when writing failed. */
int ekb_report_write(FILE *out, const ekb_report *r, const ekb_diags *d);

#endif

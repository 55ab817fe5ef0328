/* report_ci.h: the report formats CI services read (inside the library). */
#ifndef EKB_REPORT_CI_H
#define EKB_REPORT_CI_H

#include <stdio.h>

#include "report.h"

/* The text format's summary line ("tool: 3 files, ..."). */
void ekb_report_write_summary(FILE *out, const ekb_report *r);

/* GitHub Actions workflow commands, one per diagnostic, then the summary
 * line (unless quiet). Returns 0 or -1 (memory). */
int ekb_report_write_github(FILE *out, const ekb_report *r, const ekb_diags *d);

/* One SARIF 2.1.0 log with one run. Returns 0 or -1 (memory). */
int ekb_report_write_sarif(FILE *out, const ekb_report *r, const ekb_diags *d);

/* Appends s with GitHub's escaping of workflow command data (property is
 * false: %, CR, LF) or of a property value (also ':' and ','). */
void ekb_github_escape(ekb_strbuf *sb, const char *s, bool property);

/* Appends path as a SARIF artifact URI: relative to cwd (when given and the
 * path is absolute and below it) with forward slashes, "./" dropped, and
 * every byte outside RFC 3986's unreserved, sub-delims, ':', '@' and '/'
 * percent-encoded; an absolute path elsewhere becomes a file:// URI. */
void ekb_sarif_uri(ekb_strbuf *sb, const char *path, const char *cwd);

#endif

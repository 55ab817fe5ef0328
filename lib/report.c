/* report.c: text (compiler style), JSON and JUnit XML (libxml2) output; the
 * CI formats (GitHub, SARIF) are in report_ci.c. */
#include "report.h"
#include "report_ci.h"

#include <jansson.h>
#include <string.h>
#include <libxml/xmlwriter.h>

bool ekb_format_parse(const char *name, ekb_format *out)
{
    static const struct { const char *name; ekb_format f; } formats[] = {
        {"text", EKB_FORMAT_TEXT},     {"json", EKB_FORMAT_JSON},   {"junit", EKB_FORMAT_JUNIT},
        {"github", EKB_FORMAT_GITHUB}, {"sarif", EKB_FORMAT_SARIF}};
    for (size_t i = 0; i < sizeof formats / sizeof *formats; i++)
        if (strcmp(name, formats[i].name) == 0) {
            *out = formats[i].f;
            return true;
        }
    return false;
}

void ekb_report_write_diag(FILE *out, const char *tool, const ekb_diag *g)
{
    if (!*g->path)
        fprintf(out, "%s: ", tool);
    else if (g->line)
        fprintf(out, "%s:%u:%u: ", g->path, g->line, g->col);
    else
        fprintf(out, "%s: ", g->path);
    fprintf(out, "%s: %s [%s]\n", ekb_severity_name(g->severity), g->message, g->rule);
}

void ekb_report_write_summary(FILE *out, const ekb_report *r)
{
    fprintf(out, "%s: %zu file%s, %zu entr%s, %zu error%s, %zu warning%s\n", r->tool, r->files,
            r->files == 1 ? "" : "s", r->entries, r->entries == 1 ? "y" : "ies", r->errors,
            r->errors == 1 ? "" : "s", r->warnings, r->warnings == 1 ? "" : "s");
}

static int write_text(FILE *out, const ekb_report *r, const ekb_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        ekb_report_write_diag(out, r->tool, &d->v[i]);
    if (!r->quiet)
        ekb_report_write_summary(out, r);
    return 0;
}

static int write_json(FILE *out, const ekb_report *r, const ekb_diags *d)
{
    json_t *list = json_array();
    json_t *doc = json_pack("{s:s, s:{s:I, s:I, s:I, s:I}}", "tool", r->tool, "summary", "files",
                            (json_int_t)r->files, "entries", (json_int_t)r->entries, "errors",
                            (json_int_t)r->errors, "warnings", (json_int_t)r->warnings);
    if (!list || !doc) {
        json_decref(list);
        json_decref(doc);
        return -1;
    }
    int bad = 0;
    for (size_t i = 0; i < d->n && !bad; i++) {
        const ekb_diag *g = &d->v[i];
        json_t *o = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s?, s:s?}", "path", g->path, "line",
                              (json_int_t)g->line, "column", (json_int_t)g->col, "severity",
                              ekb_severity_name(g->severity), "rule", g->rule, "message", g->message, "id",
                              g->entry_id, "pointer", g->pointer);
        bad = !o || json_array_append_new(list, o) != 0;
    }
    bad = bad || json_object_set_new(doc, "diagnostics", list) != 0;
    if (bad) {
        json_decref(doc);
        return -1;
    }
    int rc = json_dumpf(doc, out, JSON_INDENT(2)) == 0 ? 0 : -1;
    fputc('\n', out);
    json_decref(doc);
    return rc;
}

static int xml_failure(xmlTextWriterPtr w, const ekb_diag *g)
{
    const char *tag = g->severity == EKB_ERROR ? "failure" : "system-out";
    int rc = xmlTextWriterStartElement(w, BAD_CAST tag);
    if (g->severity == EKB_ERROR) {
        rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "type", BAD_CAST g->rule) < 0;
        rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "message", BAD_CAST g->message) < 0;
    }
    rc |= xmlTextWriterWriteFormatString(w, "%s:%u:%u: %s: %s [%s]", g->path, g->line, g->col,
                                         ekb_severity_name(g->severity), g->message, g->rule) < 0;
    rc |= xmlTextWriterEndElement(w) < 0;
    return rc < 0 ? -1 : 0;
}

/* JUnit: one test case per unit (entry file), one failure per error;
 * warnings go to the case's system-out. Diagnostics about no unit (the
 * policy, a missing folder) get a case of their own. */
static int write_junit(FILE *out, const ekb_report *r, const ekb_diags *d)
{
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    if (!w) {
        xmlBufferFree(buf);
        return -1;
    }
    xmlTextWriterSetIndent(w, 1);
    int rc = xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) < 0;
    char num[32], fails[32];
    snprintf(num, sizeof num, "%zu", r->n_units);
    snprintf(fails, sizeof fails, "%zu", r->errors);
    rc |= xmlTextWriterStartElement(w, BAD_CAST "testsuites") < 0;
    rc |= xmlTextWriterStartElement(w, BAD_CAST "testsuite") < 0;
    rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST r->tool) < 0;
    rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "tests", BAD_CAST num) < 0;
    rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "failures", BAD_CAST fails) < 0;
    bool *used = calloc(d->n + 1, sizeof *used);
    if (!used)
        rc = 1;
    for (size_t u = 0; u < r->n_units && !rc; u++) {
        const ekb_report_unit *unit = &r->units[u];
        rc |= xmlTextWriterStartElement(w, BAD_CAST "testcase") < 0;
        rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "classname", BAD_CAST r->tool) < 0;
        rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST(unit->id ? unit->id : unit->path)) < 0;
        rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "file", BAD_CAST unit->path) < 0;
        /* diagnostics are sorted by path: find this unit's run */
        size_t lo = 0, hi = d->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(d->v[mid].path, unit->path) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t i = lo; i < d->n && !rc && strcmp(d->v[i].path, unit->path) == 0; i++)
            if (!used[i]) {
                used[i] = true;
                rc |= xml_failure(w, &d->v[i]) < 0;
            }
        rc |= xmlTextWriterEndElement(w) < 0;
    }
    for (size_t i = 0; i < d->n && !rc; i++) {
        if (used[i])
            continue;
        rc |= xmlTextWriterStartElement(w, BAD_CAST "testcase") < 0;
        rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "classname", BAD_CAST r->tool) < 0;
        rc |= xmlTextWriterWriteAttribute(w, BAD_CAST "name", BAD_CAST(*d->v[i].path ? d->v[i].path : r->tool)) < 0;
        rc |= xml_failure(w, &d->v[i]) < 0;
        rc |= xmlTextWriterEndElement(w) < 0;
    }
    free(used);
    rc |= xmlTextWriterEndDocument(w) < 0;
    xmlFreeTextWriter(w);
    if (!rc)
        rc = fwrite(xmlBufferContent(buf), 1, (size_t)xmlBufferLength(buf), out) != (size_t)xmlBufferLength(buf);
    xmlBufferFree(buf);
    return rc ? -1 : 0;
}

int ekb_report_write(FILE *out, const ekb_report *r, const ekb_diags *d)
{
    int rc;
    switch (r->format) {
    case EKB_FORMAT_JSON: rc = write_json(out, r, d); break;
    case EKB_FORMAT_JUNIT: rc = write_junit(out, r, d); break;
    case EKB_FORMAT_GITHUB: rc = ekb_report_write_github(out, r, d); break;
    case EKB_FORMAT_SARIF: rc = ekb_report_write_sarif(out, r, d); break;
    default: rc = write_text(out, r, d); break;
    }
    if (fflush(out) != 0 || ferror(out))
        rc = -1;
    return rc;
}

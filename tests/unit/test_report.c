/* test_report.c: the CI report formats (GitHub workflow commands, SARIF) and
 * the rule table they take their metadata from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_ci.h"
#include "rules_table.h"

/* Writes d in format f through a memory stream; returns the text (freed by caller). */
static char *render(ekb_format f, const ekb_diags *d, bool quiet)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    ekb_report r = {.tool = "errkb-test", .format = f, .files = 2, .entries = 2,
                    .errors = ekb_diags_count(d, EKB_ERROR), .warnings = ekb_diags_count(d, EKB_WARNING),
                    .quiet = quiet};
    assert_int_equal(ekb_report_write(out, &r, d), 0);
    fclose(out);
    return buf;
}

static void test_format_names(void **state)
{
    (void)state;
    ekb_format f;
    assert_true(ekb_format_parse("github", &f));
    assert_int_equal(f, EKB_FORMAT_GITHUB);
    assert_true(ekb_format_parse("sarif", &f));
    assert_int_equal(f, EKB_FORMAT_SARIF);
    assert_false(ekb_format_parse("SARIF", &f));
    assert_false(ekb_format_parse("gitlab", &f));
}

static char *escaped(const char *s, bool property)
{
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    ekb_github_escape(&sb, s, property);
    return ekb_strbuf_steal(&sb);
}

static void test_github_escape(void **state)
{
    (void)state;
    char *p = escaped("a%b\r\nc:d,e", true), *m = escaped("a%b\r\nc:d,e", false);
    assert_string_equal(p, "a%25b%0D%0Ac%3Ad%2Ce");
    assert_string_equal(m, "a%25b%0D%0Ac:d,e");
    free(p);
    free(m);
    /* %25 must not be escaped twice: the input "%0A" stays distinguishable */
    p = escaped("%0A", false);
    assert_string_equal(p, "%250A");
    free(p);
}

static void test_github_lines(void **state)
{
    (void)state;
    ekb_diags d;
    ekb_diags_init(&d);
    assert_int_equal(ekb_diags_add(&d, "entries/a,b:c.json", 14, 21, EKB_ERROR, "schema.maximum", NULL, NULL,
                                   "1.7 is above maximum 1 (50%% off)\nsecond line"), 0);
    assert_int_equal(ekb_diags_add(&d, "entries/w.yaml", 3, 0, EKB_WARNING, "corpus.stale", NULL, NULL, "old"), 0);
    assert_int_equal(ekb_diags_add(&d, "entries/x.json", 0, 0, EKB_NOTE, "limits.suppressed", NULL, NULL, "2 more"), 0);
    assert_int_equal(ekb_diags_add(&d, "", 0, 0, EKB_ERROR, "usage.no-corpus", NULL, NULL, "no entries: here"), 0);
    char *out = render(EKB_FORMAT_GITHUB, &d, false);
    assert_string_equal(out,
        "::error file=entries/a%2Cb%3Ac.json,line=14,col=21,title=schema.maximum::1.7 is above maximum 1 (50%25 off)%0Asecond line\n"
        "::warning file=entries/w.yaml,line=3,title=corpus.stale::old\n"
        "::notice file=entries/x.json,title=limits.suppressed::2 more\n"
        "::error title=usage.no-corpus::no entries: here\n"
        "errkb-test: 2 files, 2 entries, 2 errors, 1 warning\n");
    free(out);
    out = render(EKB_FORMAT_GITHUB, &d, true);
    assert_null(strstr(out, "errkb-test:"));
    free(out);
    ekb_diags_free(&d);
}

static char *uri(const char *path, const char *cwd)
{
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    ekb_sarif_uri(&sb, path, cwd);
    return ekb_strbuf_steal(&sb);
}

static void test_sarif_uri(void **state)
{
    (void)state;
    static const char *const cases[][3] = {
        {"entries/a/b.json", "/w", "entries/a/b.json"},
        {"./entries/a b.json", "/w", "entries/a%20b.json"},
        {".//./x.yaml", "/w", "x.yaml"},
        {"/w/entries/x.json", "/w", "entries/x.json"},
        {"/wx/entries/x.json", "/w", "file:///wx/entries/x.json"},
        {"/w/entries/x.json", NULL, "file:///w/entries/x.json"},
        {"a:b/c#d?e%f.json", "/w", "a%3Ab/c%23d%3Fe%25f.json"},
        {"caf\xc3\xa9/x.json", "/w", "caf%C3%A9/x.json"},
        {"../kb/entries/x.json", "/w", "../kb/entries/x.json"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *u = uri(cases[i][0], cases[i][1]);
        assert_string_equal(u, cases[i][2]);
        free(u);
    }
}

static void test_sarif_log(void **state)
{
    (void)state;
    ekb_diags d;
    ekb_diags_init(&d);
    assert_int_equal(ekb_diags_add(&d, "entries/a.json", 14, 21, EKB_ERROR, "schema.maximum", "demo/a", "/x", "too big"), 0);
    assert_int_equal(ekb_diags_add(&d, "entries/a.json", 20, 0, EKB_WARNING, "corpus.stale", NULL, NULL, "old"), 0);
    assert_int_equal(ekb_diags_add(&d, "entries/b.json", 2, 3, EKB_ERROR, "schema.maximum", NULL, NULL, "too big"), 0);
    assert_int_equal(ekb_diags_add(&d, "entries/c.json", 0, 0, EKB_NOTE, "limits.suppressed", NULL, NULL, "more"), 0);
    assert_int_equal(ekb_diags_add(&d, "", 0, 0, EKB_ERROR, "no.such-rule", NULL, NULL, "odd"), 0);
    char *out = render(EKB_FORMAT_SARIF, &d, false);
    json_error_t err;
    json_t *log = json_loads(out, 0, &err);
    assert_non_null(log);
    assert_string_equal(json_string_value(json_object_get(log, "version")), "2.1.0");
    json_t *runs = json_object_get(log, "runs");
    assert_int_equal(json_array_size(runs), 1);
    json_t *run = json_array_get(runs, 0);
    json_t *driver = json_object_get(json_object_get(run, "tool"), "driver");
    assert_string_equal(json_string_value(json_object_get(driver, "name")), "errkb-test");
    assert_non_null(json_string_value(json_object_get(driver, "version")));
    assert_non_null(json_string_value(json_object_get(driver, "informationUri")));
    json_t *rules = json_object_get(driver, "rules");
    /* one descriptor per distinct rule, sorted */
    static const char *const ids[] = {"corpus.stale", "limits.suppressed", "no.such-rule", "schema.maximum"};
    assert_int_equal(json_array_size(rules), 4);
    for (size_t i = 0; i < 4; i++) {
        json_t *r = json_array_get(rules, i);
        assert_string_equal(json_string_value(json_object_get(r, "id")), ids[i]);
        assert_non_null(json_string_value(json_object_get(json_object_get(r, "shortDescription"), "text")));
    }
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(json_array_get(rules, 0), "defaultConfiguration"), "level")),
        "warning");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(json_array_get(rules, 1), "defaultConfiguration"), "level")),
        "note");
    json_t *results = json_object_get(run, "results");
    assert_int_equal(json_array_size(results), 5);
    for (size_t i = 0; i < 5; i++) {
        json_t *res = json_array_get(results, i);
        size_t k = (size_t)json_integer_value(json_object_get(res, "ruleIndex"));
        assert_string_equal(json_string_value(json_object_get(json_array_get(rules, k), "id")),
                            json_string_value(json_object_get(res, "ruleId")));
    }
    json_t *r0 = json_array_get(results, 0);
    assert_string_equal(json_string_value(json_object_get(r0, "level")), "error");
    assert_string_equal(json_string_value(json_object_get(json_object_get(r0, "message"), "text")), "too big");
    json_t *pl = json_object_get(json_array_get(json_object_get(r0, "locations"), 0), "physicalLocation");
    assert_string_equal(json_string_value(json_object_get(json_object_get(pl, "artifactLocation"), "uri")),
                        "entries/a.json");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(pl, "region"), "startLine")), 14);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(pl, "region"), "startColumn")), 21);
    /* column 0: no startColumn; line 0: no region; no path: no locations */
    json_t *r1 = json_array_get(results, 1);
    json_t *reg1 = json_object_get(json_object_get(json_array_get(json_object_get(r1, "locations"), 0),
                                                   "physicalLocation"), "region");
    assert_int_equal(json_integer_value(json_object_get(reg1, "startLine")), 20);
    assert_null(json_object_get(reg1, "startColumn"));
    json_t *pl3 = json_object_get(json_array_get(json_object_get(json_array_get(results, 3), "locations"), 0),
                                  "physicalLocation");
    assert_non_null(pl3);
    assert_null(json_object_get(pl3, "region"));
    assert_string_equal(json_string_value(json_object_get(json_array_get(results, 3), "level")), "note");
    assert_null(json_object_get(json_array_get(results, 4), "locations"));
    json_decref(log);
    free(out);
    ekb_diags_free(&d);
}

static void test_sarif_empty(void **state)
{
    (void)state;
    ekb_diags d;
    ekb_diags_init(&d);
    char *out = render(EKB_FORMAT_SARIF, &d, false);
    json_t *log = json_loads(out, 0, NULL);
    assert_non_null(log);
    json_t *run = json_array_get(json_object_get(log, "runs"), 0);
    assert_int_equal(json_array_size(json_object_get(run, "results")), 0);
    assert_int_equal(json_array_size(json_object_get(json_object_get(json_object_get(run, "tool"), "driver"), "rules")), 0);
    json_decref(log);
    free(out);
}

static void test_rule_table(void **state)
{
    (void)state;
    size_t n;
    const ekb_rule_info *t = ekb_rule_table(&n);
    assert_true(n > 50);
    for (size_t i = 0; i < n; i++) {
        if (i)
            assert_true(strcmp(t[i - 1].id, t[i].id) < 0); /* sorted, no repeats */
        const char *s = t[i].summary;
        size_t len = strlen(s);
        assert_true(len > 10 && len < 120);
        assert_false(isupper((unsigned char)s[0]));
        assert_true(s[len - 1] != '.');
        assert_ptr_equal(ekb_rule_find(t[i].id), &t[i]);
    }
    assert_null(ekb_rule_find("schema.nonsense"));
    assert_int_equal(ekb_rule_find("corpus.stale")->severity, EKB_WARNING);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_names), cmocka_unit_test(test_github_escape),
        cmocka_unit_test(test_github_lines), cmocka_unit_test(test_sarif_uri),
        cmocka_unit_test(test_sarif_log),    cmocka_unit_test(test_sarif_empty),
        cmocka_unit_test(test_rule_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

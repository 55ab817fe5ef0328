/* test_backtrack.c: the backtracking detector: which sites the analysis
 * finds (and which safe shapes it leaves alone), the adversarial inputs it
 * builds, and the verdicts of the measurement, which must be deterministic
 * and come quickly even for exponential patterns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "regex/backtrack.h"

static const ekb_regex_opts opts = {
    .options = PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS,
    .match_limit = 1000000,
    .depth_limit = 5000,
    .heap_limit_kib = 20480,
};

static ekb_bt_analysis analyze(const char *pattern)
{
    ekb_bt_analysis a;
    assert_int_equal(ekb_bt_analyze(pattern, strlen(pattern), opts.options, &a), 0);
    assert_true(a.parsed);
    return a;
}

static size_t count_kind(const ekb_bt_analysis *a, ekb_bt_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n; i++)
        n += a->v[i].kind == kind;
    return n;
}

static bool any_classic(const ekb_bt_analysis *a)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].classic && !a->v[i].guarded)
            return true;
    return false;
}

static void classic_shapes(void **state)
{
    (void)state;
    ekb_bt_analysis a = analyze("^(a+)+$");
    assert_int_equal(a.n, 1);
    assert_int_equal(a.v[0].kind, EKB_BT_NESTED);
    assert_true(a.v[0].classic);
    assert_false(a.v[0].guarded);
    assert_int_equal(a.v[0].start, 1);
    assert_int_equal(a.v[0].end, 6);
    assert_string_equal(a.v[0].prefix, "");
    assert_string_equal(a.v[0].pump, "a");
    assert_string_equal(a.v[0].follow, "");
    ekb_bt_analysis_free(&a);

    a = analyze("(x|x)*y");
    assert_int_equal(a.v[0].kind, EKB_BT_ALTERNATION);
    assert_true(a.v[0].classic);
    assert_string_equal(a.v[0].pump, "x");
    assert_string_equal(a.v[0].follow, "y");
    ekb_bt_analysis_free(&a);

    static const char *const exponential[] = {
        "(a|aa)+b", "(\\w+\\s?)+:", "(?:\\d+|\\d)*x", "(a*)*b", "prefix: (?:[a-z]+,?)+;", "((ab)+)+c",
        "(?:\\d+|x)+!",
    };
    for (size_t i = 0; i < sizeof exponential / sizeof *exponential; i++) {
        a = analyze(exponential[i]);
        if (!any_classic(&a))
            fail_msg("no classic shape found in '%s'", exponential[i]);
        ekb_bt_analysis_free(&a);
    }
}

static void safe_shapes(void **state)
{
    (void)state;
    /* no repeat can go on for long: nothing to measure */
    static const char *const none[] = {
        "abc", "[^\\n]{0,500}?x", "Failed building wheel for \\S+", "foo(?:bar|baz)+qux",
        "Client \\S{1,256} has exceeded timeout", "\\[rejected\\]\\s+\\S+\\s+->\\s+\\S+\\s+\\(",
        "^\\S+@", "(?:ERR!|error) code E404", "\\S+@",
    };
    for (size_t i = 0; i < sizeof none / sizeof *none; i++) {
        ekb_bt_analysis a = analyze(none[i]);
        if (a.n)
            fail_msg("'%s' has %zu sites, none expected (first: kind %d at %u)", none[i], a.n, a.v[0].kind,
                     a.v[0].start);
        ekb_bt_analysis_free(&a);
    }
    /* repeated, but unambiguous: no classic shape */
    static const char *const not_classic[] = {"(ab+)+c", "(a|ab)*c", "(?:ab|ac)+d", "(?:\\.\\w+)*!"};
    for (size_t i = 0; i < sizeof not_classic / sizeof *not_classic; i++) {
        ekb_bt_analysis a = analyze(not_classic[i]);
        assert_false(any_classic(&a));
        ekb_bt_analysis_free(&a);
    }
    /* possessive and atomic: the shape is there, but guarded */
    static const char *const guarded[] = {"(a++)+$", "(?>(a+)+)b", "(a+)++$"};
    for (size_t i = 0; i < sizeof guarded / sizeof *guarded; i++) {
        ekb_bt_analysis a = analyze(guarded[i]);
        assert_true(a.n > 0);
        assert_true(a.v[0].classic);
        assert_true(a.v[0].guarded);
        ekb_bt_analysis_free(&a);
    }
}

static void polynomial_sites(void **state)
{
    (void)state;
    ekb_bt_analysis a = analyze("\\d+\\d+x");
    assert_int_equal(a.n, 1);
    assert_int_equal(a.v[0].kind, EKB_BT_ADJACENT);
    assert_false(a.v[0].classic);
    assert_string_equal(a.v[0].pump, "0");
    assert_string_equal(a.v[0].follow, "x");
    ekb_bt_analysis_free(&a);

    /* what lies between the two repeats is part of the pump */
    a = analyze("error: .*foo.*bar");
    assert_int_equal(count_kind(&a, EKB_BT_ADJACENT), 1);
    assert_string_equal(a.v[0].prefix, "error: ");
    assert_string_equal(a.v[0].pump, "fooa");
    assert_string_equal(a.v[0].follow, "bar");
    ekb_bt_analysis_free(&a);

    /* unbounded repeats over disjoint characters do not interact */
    a = analyze("key=\\s*\\S+;");
    assert_int_equal(a.n, 0);
    ekb_bt_analysis_free(&a);

    /* one unbounded repeat costs one attempt linear work: unanchored search
     * retrying it at every start is not this check's business */
    static const char *const linear[] = {"\\S+@", "x\\S+@", "\\b\\d+ duplicate symbols? for", "CONNACK.*code 2"};
    for (size_t i = 0; i < sizeof linear / sizeof *linear; i++) {
        a = analyze(linear[i]);
        assert_int_equal(a.n, 0);
        ekb_bt_analysis_free(&a);
    }
}

static ekb_bt_result measure(const char *pattern)
{
    ekb_bt_analysis a = analyze(pattern);
    ekb_bt_result r;
    assert_int_equal(ekb_bt_measure(&opts, pattern, strlen(pattern), &a, &r), 0);
    ekb_bt_analysis_free(&a);
    return r;
}

static void bombs_are_caught(void **state)
{
    (void)state;
    ekb_bt_result r = measure("^(a+)+$");
    assert_int_equal(r.verdict, EKB_BT_LIMIT);
    assert_int_equal(r.pcre2_error, PCRE2_ERROR_MATCHLIMIT);
    assert_int_equal(r.length, 1024);
    assert_string_equal(r.shape, "'a' x 1023 + '!'");
    ekb_bt_result_free(&r);

    r = measure("(x|x)*y");
    assert_int_equal(r.verdict, EKB_BT_LIMIT);
    assert_int_equal(r.length, 1024);
    /* the required 'y' is there, or PCRE2 would not even start */
    assert_string_equal(r.shape, "'x' x 1022 + '!y'");
    ekb_bt_result_free(&r);

    r = measure("(a|aa)+b");
    assert_int_equal(r.verdict, EKB_BT_LIMIT);
    ekb_bt_result_free(&r);

    /* quadratic within one attempt: every "foo" restarts the second .* */
    r = measure("error: .*foo.*bar");
    assert_true(r.verdict == EKB_BT_GROWTH || r.verdict == EKB_BT_STEPS || r.verdict == EKB_BT_LIMIT);
    ekb_bt_result_free(&r);

    /* cubic: two adjacent repeats, every split point tried */
    r = measure("\\d+\\d+x");
    assert_int_not_equal(r.verdict, EKB_BT_FINE);
    assert_true(r.steps > r.budget || r.verdict == EKB_BT_LIMIT);
    ekb_bt_result_free(&r);
}

static void linear_patterns_pass(void **state)
{
    (void)state;
    static const char *const fine[] = {
        "(a++)+$", "(?>(a+)+)b", "(a+)++$",
    };
    for (size_t i = 0; i < sizeof fine / sizeof *fine; i++) {
        ekb_bt_result r = measure(fine[i]);
        if (r.verdict != EKB_BT_FINE)
            fail_msg("'%s': verdict %d on %s", fine[i], r.verdict, r.shape ? r.shape : "?");
        /* every size up to 64 KiB was run */
        assert_true(r.runs >= 4);
        assert_null(r.shape);
        ekb_bt_result_free(&r);
    }
}

static void deterministic(void **state)
{
    (void)state;
    static const char *const patterns[] = {"\\d+\\d+x", "(x|x)*y", "(a++)+$"};
    for (size_t i = 0; i < sizeof patterns / sizeof *patterns; i++) {
        ekb_bt_result a = measure(patterns[i]), b = measure(patterns[i]);
        assert_int_equal(a.verdict, b.verdict);
        assert_int_equal(a.steps, b.steps);
        assert_int_equal(a.work, b.work);
        assert_int_equal(a.runs, b.runs);
        ekb_bt_result_free(&a);
        ekb_bt_result_free(&b);
    }
    assert_int_equal(ekb_bt_step_limit(&opts, 1024), 4ull * 1000000 + 1024ull * 1024);
}

/* Every pattern's runs together stay within a total: a corpus of patterns
 * that are each slow but not super-linear still takes bounded time. */
static void total_budget(void **state)
{
    (void)state;
    ekb_regex_opts low = opts;
    low.match_limit = 200; /* total 51200 steps, less than its runs up to 64 KiB need */
    const char *p = "(a++)+$";
    ekb_bt_analysis a = analyze(p);
    ekb_bt_result r;
    assert_int_equal(ekb_bt_measure(&low, p, strlen(p), &a, &r), 0);
    assert_int_equal(r.verdict, EKB_BT_BUDGET);
    assert_true(r.work <= ekb_bt_total_limit(&low) + r.length + 1);
    ekb_bt_result_free(&r);
    /* with the policy's limit the same pattern is fine */
    assert_int_equal(ekb_bt_measure(&opts, p, strlen(p), &a, &r), 0);
    assert_int_equal(r.verdict, EKB_BT_FINE);
    assert_true(r.work < ekb_bt_total_limit(&opts));
    ekb_bt_result_free(&r);
    ekb_bt_analysis_free(&a);
}

static void no_sites_no_runs(void **state)
{
    (void)state;
    ekb_bt_result r = measure("connection refused");
    assert_int_equal(r.verdict, EKB_BT_FINE);
    assert_int_equal(r.runs, 0);
    ekb_bt_result_free(&r);
    /* syntax beyond the parser: not parsed, nothing found */
    ekb_bt_analysis a;
    assert_int_equal(ekb_bt_analyze("abc", 3, opts.options | PCRE2_LITERAL, &a), 0);
    assert_false(a.parsed);
    assert_int_equal(a.n, 0);
    ekb_bt_analysis_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classic_shapes),
        cmocka_unit_test(safe_shapes),
        cmocka_unit_test(polynomial_sites),
        cmocka_unit_test(bombs_are_caught),
        cmocka_unit_test(linear_patterns_pass),
        cmocka_unit_test(deterministic),
        cmocka_unit_test(total_budget),
        cmocka_unit_test(no_sites_no_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

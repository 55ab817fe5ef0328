/* test_rules.c: the pieces of the corpus rules that need no corpus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rules.h"

static void dates(void **state)
{
    (void)state;
    long a, b;
    assert_true(ekb_parse_date("1970-01-01", &a));
    assert_int_equal(a, 0);
    assert_true(ekb_parse_date("2024-02-29", &a));
    assert_true(ekb_parse_date("2024-03-01", &b));
    assert_int_equal(b - a, 1);
    assert_false(ekb_parse_date("2023-02-29", &a));
    assert_false(ekb_parse_date("1900-02-29", &a));
    assert_true(ekb_parse_date("2000-02-29", &a));
    assert_false(ekb_parse_date("2024-13-01", &a));
    assert_false(ekb_parse_date("2024-1-01", &a));
    assert_false(ekb_parse_date("2024-01-01T", &a));
}

static void urls(void **state)
{
    (void)state;
    assert_null(ekb_url_problem("https://docs.oasis-open.org/mqtt/mqtt/v3.1.1/os/mqtt-v3.1.1-os.html#_Toc398718030"));
    assert_null(ekb_url_problem("http://example.com/a?b=c"));
    assert_non_null(ekb_url_problem("ftp://example.com/"));
    assert_non_null(ekb_url_problem("/relative/path"));
    assert_non_null(ekb_url_problem("http://localhost:8080/"));
    assert_non_null(ekb_url_problem("http://127.0.0.1/"));
    assert_non_null(ekb_url_problem("https://10.1.2.3/x"));
    assert_non_null(ekb_url_problem("https://172.20.0.1/x"));
    assert_null(ekb_url_problem("https://172.32.0.1/x"));
    assert_non_null(ekb_url_problem("https://192.168.1.1/"));
    assert_non_null(ekb_url_problem("https://169.254.169.254/latest/meta-data"));
    assert_non_null(ekb_url_problem("http://[::1]/"));
    assert_non_null(ekb_url_problem("http://[fe80::1]/"));
    assert_non_null(ekb_url_problem("http://[fd00::1]/"));
    assert_null(ekb_url_problem("http://[2001:db8::1]/"));
    assert_non_null(ekb_url_problem("https://app.localhost/"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dates),
        cmocka_unit_test(urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_util.c: the small helpers every part of the library uses: growable
 * arrays, hex digits, UTF-8 encoding and checking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "parallel.h"
#include "util.h"

/* Each index: one diagnostic, and a mark that the index ran. */
static int mark_and_report(void *ctx, size_t i, ekb_diags *d)
{
    ((unsigned char *)ctx)[i]++;
    return ekb_diags_add(d, "x.json", (unsigned)i + 1, 1, EKB_WARNING, "test.rule", NULL, NULL, "index %zu", i);
}

static void parallel_for_collects_or_drops(void **state)
{
    (void)state;
    enum { N = 1000 };
    unsigned char *ran = calloc(N, 1);
    assert_non_null(ran);
    ekb_diags d;
    ekb_diags_init(&d);
    assert_int_equal(ekb_parallel_for(N, 2, mark_and_report, ran, &d), 0);
    assert_int_equal(d.n, N);
    ekb_diags_free(&d);
    /* NULL: the workers' diagnostics are dropped (freed: the sanitizer and
     * valgrind runs would see a leak), every index still runs once more */
    assert_int_equal(ekb_parallel_for(N, 2, mark_and_report, ran, NULL), 0);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(ran[i], 2);
    free(ran);
}

/* Sums 1..n into a total: the task's result is only there after the wait. */
typedef struct sum_job {
    unsigned long n, total;
} sum_job;

static void sum_up(void *ctx)
{
    sum_job *j = ctx;
    for (unsigned long i = 1; i <= j->n; i++)
        j->total += i;
}

static void task_runs_beside_the_caller(void **state)
{
    (void)state;
    sum_job j = {.n = 100000};
    ekb_task *t = ekb_task_start(sum_up, &j);
    unsigned long mine = 0; /* the caller's own work meanwhile */
    for (unsigned long i = 1; i <= 1000; i++)
        mine += i;
    ekb_task_wait(t);
    assert_int_equal(mine, 500500UL);
    assert_int_equal(j.total, 5000050000UL);
    ekb_task_wait(NULL); /* nothing to wait for */
}

static void grow_doubles_and_keeps_contents(void **state)
{
    (void)state;
    int *v = NULL;
    size_t n = 0, cap = 0;
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(ekb_grow(&v, &cap, n, sizeof *v, 4), 0);
        assert_true(n < cap);
        v[n++] = i;
    }
    assert_int_equal(cap, 1024); /* 4, 8, ..., 1024 */
    for (int i = 0; i < 1000; i++)
        assert_int_equal(v[i], i);
    /* room left: nothing moves */
    int *before = v;
    assert_int_equal(ekb_grow(&v, &cap, 1000, sizeof *v, 4), 0);
    assert_ptr_equal(v, before);
    free(v);
}

static void grow_refuses_overflow(void **state)
{
    (void)state;
    char *v = NULL;
    size_t cap = SIZE_MAX / 2 + 1;
    assert_int_equal(ekb_grow(&v, &cap, cap, 4, 8), -1);
    assert_null(v);
    assert_int_equal(cap, SIZE_MAX / 2 + 1);
}

static void grow_to_makes_room_for_many(void **state)
{
    (void)state;
    char *v = NULL;
    size_t cap = 0;
    assert_int_equal(ekb_grow_to(&v, &cap, 0, 1, 16), 0); /* nothing needed */
    assert_null(v);
    assert_int_equal(ekb_grow_to(&v, &cap, 100, 1, 16), 0);
    assert_int_equal(cap, 128); /* 16 doubled until it holds 100 */
    memset(v, 'x', 100);
    assert_int_equal(ekb_grow_to(&v, &cap, 128, 1, 16), 0);
    assert_int_equal(cap, 128);
    assert_int_equal(ekb_grow_to(&v, &cap, SIZE_MAX, 1, 16), -1);
    assert_int_equal(cap, 128);
    assert_int_equal(v[99], 'x');
    free(v);
}

static void strbuf_truncate(void **state)
{
    (void)state;
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    ekb_strbuf_truncate(&sb, 0); /* nothing there yet: nothing happens */
    ekb_strbuf_adds(&sb, "/a/b");
    size_t mark = sb.len;
    ekb_strbuf_adds(&sb, "/c");
    ekb_strbuf_truncate(&sb, mark);
    assert_string_equal(sb.s, "/a/b");
    ekb_strbuf_truncate(&sb, 99); /* longer than it is: unchanged */
    assert_string_equal(sb.s, "/a/b");
    ekb_strbuf_reset(&sb);
    assert_string_equal(sb.s, "");
    ekb_strbuf_free(&sb);
}

static void hex_digits(void **state)
{
    (void)state;
    const char *digits = "0123456789abcdefABCDEF";
    const int values[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 10, 11, 12, 13, 14, 15};
    for (size_t i = 0; digits[i]; i++)
        assert_int_equal(ekb_hex_digit(digits[i]), values[i]);
    const int others[] = {'g', 'G', '/', ':', '@', '`', ' ', 0, -1, 0xE4, (char)0xE4};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++)
        assert_int_equal(ekb_hex_digit(others[i]), -1);
}

static uint32_t low_bits(const void *ctx, size_t i)
{
    return ((const uint32_t *)ctx)[i];
}

/* Items land at their hash's slot or the next free one, wrapping round:
 * 7 and 15 collide in 8 slots, 7 is taken, 15 wraps to slot 0. */
static void slots_probe_linearly(void **state)
{
    (void)state;
    static const uint32_t hashes[] = {3, 7, 15, 11};
    uint32_t *slots = ekb_slots_make(8, 4, low_bits, hashes);
    assert_non_null(slots);
    static const uint32_t want[8] = {3, 0, 0, 1, 4, 0, 0, 2};
    assert_memory_equal(slots, want, sizeof want);
    free(slots);
}

static void utf8_encode_and_check(void **state)
{
    (void)state;
    const uint32_t cps[] = {0x24, 0xA2, 0x20AC, 0x4E2D, 0x10348, 0x10FFFF};
    const size_t lens[] = {1, 2, 3, 3, 4, 4};
    for (size_t i = 0; i < sizeof cps / sizeof *cps; i++) {
        char b[4];
        size_t n = ekb_utf8_encode(cps[i], b);
        assert_int_equal(n, lens[i]);
        assert_int_equal(ekb_utf8_seq_len((const unsigned char *)b, n), n);
        assert_int_equal(ekb_utf8_length(b, n), 1);
    }
    /* overlong, surrogate, beyond U+10FFFF, cut short */
    assert_int_equal(ekb_utf8_seq_len((const unsigned char *)"\xC0\xAF", 2), 0);
    assert_int_equal(ekb_utf8_seq_len((const unsigned char *)"\xED\xA0\x80", 3), 0);
    assert_int_equal(ekb_utf8_seq_len((const unsigned char *)"\xF4\x90\x80\x80", 4), 0);
    assert_int_equal(ekb_utf8_seq_len((const unsigned char *)"\xE4\xB8", 2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grow_doubles_and_keeps_contents),
        cmocka_unit_test(grow_refuses_overflow),
        cmocka_unit_test(grow_to_makes_room_for_many),
        cmocka_unit_test(hex_digits),
        cmocka_unit_test(strbuf_truncate),
        cmocka_unit_test(parallel_for_collects_or_drops),
        cmocka_unit_test(task_runs_beside_the_caller),
        cmocka_unit_test(utf8_encode_and_check),
        cmocka_unit_test(slots_probe_linearly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_json_parse.c: the fast JSON reader builds exactly what jansson
 * builds, and gives up (NULL) on every text jansson rejects.
 * Arguments: files or folders of JSON texts to compare on (the bundled
 * entries, the conformance suite when it is there). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "json_parse.h"

static int g_argc;
static char **g_argv;

static const size_t jansson_flags = JSON_REJECT_DUPLICATES | JSON_DECODE_ANY;

/* Both readers on the same bytes: either both refuse, or both give the same
 * value with the same key order and the same number types. */
static void assert_same_as_jansson(const char *text, size_t len)
{
    json_error_t err;
    json_t *want = json_loadb(text, len, jansson_flags, &err);
    json_t *got = ekb_json_parse(text, len);
    if (!want) {
        if (got)
            fail_msg("fast reader accepted what jansson rejects (%s): %.*s", err.text, (int)(len < 200 ? len : 200),
                     text);
        return;
    }
    if (!got)
        fail_msg("fast reader refused what jansson accepts: %.*s", (int)(len < 200 ? len : 200), text);
    char *a = json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
    char *b = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a, b);
    assert_true(json_equal(want, got));
    free(a);
    free(b);
    json_decref(want);
    json_decref(got);
}

static void same(const char *text) { assert_same_as_jansson(text, strlen(text)); }

static void refused(const char *text)
{
    json_t *got = ekb_json_parse(text, strlen(text));
    if (got)
        fail_msg("fast reader accepted: %s", text);
}

static void valid_texts(void **state)
{
    (void)state;
    const char *texts[] = {
        "{}", "[]", "0", "-0", "1", "-1", "123456789", "9223372036854775807", "-9223372036854775808",
        "0.5", "-0.0", "1e3", "1E+3", "1e-3", "2.5e-308", "1.7976931348623157e308", "1e-400",
        "true", "false", "null", "\"\"", "  \t\r\n {\"a\" :  1 , \"b\":[1, 2,\n3]}  \n",
        "\"plain ascii that is longer than eight bytes\"",
        "\"esc \\\" \\\\ \\/ \\b \\f \\n \\r \\t\"", "\"\\u00e9\\u4E2D\\uD83D\\uDE00\"",
        "\"\\u0001\"", "\"中文 UTF-8 \xF0\x9F\x98\x80 text\"", "\"\x7F\"",
        "{\"k\\u00e9y\":\"v\\nv\",\"k\\u00e8y\":\"w\"}", "{\"\":0}",
        "{\"z\":1,\"a\":2,\"m\":{\"b\":[{},[],{\"c\":null}]}}",
        "[\"abcdefg\\\"hijklmnop\", \"12345678\\\\\", \"1234567\\u0041\"]",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        same(texts[i]);
}

static void invalid_texts(void **state)
{
    (void)state;
    const char *texts[] = {
        "", " ", "{", "}", "[", "[1,]", "{\"a\":1,}", "{\"a\"}", "{\"a\" 1}", "{a:1}", "[1 2]", "01", "1.", ".5",
        "+1", "-", "1e", "1e+", "tru", "nul", "True", "NaN", "Infinity", "\"open", "\"bad \\x escape\"",
        "\"\\u12\"", "\"\\uZZZZ\"", "\"\\uD800\"", "\"\\uDC00\"", "\"\\uD800\\u0041\"", "\"\\u0000\"",
        "{\"a\\u0000b\":1}", "\"tab\there\"", "\"new\nline\"", "\"\xC3\"", "\"\xC0\xAF\"", "\"\xED\xA0\x80\"",
        "\"\xF4\x90\x80\x80\"", "\"\xFF\"", "[1] x", "1 2", "{\"a\":1,\"a\":2}", "{\"a\":{\"b\":1,\"b\":1}}",
        "9223372036854775808", "-9223372036854775809", "1e400", "-1e400", "[1,,2]", "[,]", "{,}",
    };
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        refused(texts[i]);
        same(texts[i]); /* jansson refuses it as well */
    }
}

static void nul_byte_and_embedded_length(void **state)
{
    (void)state;
    assert_same_as_jansson("[1]\0", 4);
    assert_same_as_jansson("\"a\0b\"", 5);
    assert_null(ekb_json_parse("\"a\0b\"", 5));
    /* the length is honoured: nothing is read past it */
    assert_same_as_jansson("[1, 2]]]]", 6);
}

/* A byte that ends the plain run (quote, backslash, control, beyond ASCII)
 * at every place of strings up to 40 bytes long: the reader looks at 16 or
 * 8 bytes at a time and must stop at exactly that byte. */
static void stop_bytes_everywhere(void **state)
{
    (void)state;
    static const char *const stops[] = {"\\n", "\\\"", "\xc3\xa9", "\xe4\xb8\xad", "\x01", "\xff", "\"", "\\"};
    char text[128];
    for (size_t len = 0; len <= 40; len++)
        for (size_t at = 0; at <= len; at++)
            for (size_t k = 0; k < sizeof stops / sizeof *stops; k++) {
                size_t n = 0;
                text[n++] = '"';
                for (size_t i = 0; i < at; i++)
                    text[n++] = (char)('a' + i % 26);
                for (const char *c = stops[k]; *c; c++)
                    text[n++] = *c;
                for (size_t i = at; i < len; i++)
                    text[n++] = (char)('A' + i % 26);
                text[n++] = '"';
                assert_same_as_jansson(text, n);
            }
}

static void deep_nesting(void **state)
{
    (void)state;
    size_t n = 3000;
    char *s = malloc(2 * n + 1);
    assert_non_null(s);
    memset(s, '[', n);
    memset(s + n, ']', n);
    s[2 * n] = '\0';
    assert_null(ekb_json_parse(s, 2 * n)); /* jansson's limit: it reports */
    json_t *j = json_loadb(s, 2 * n, jansson_flags, NULL);
    assert_null(j);
    /* within the limit both read it */
    assert_same_as_jansson(s + n - 100, 200);
    /* 600 levels: past the fast path's limit, not jansson's; the loader's
     * fallback to jansson reads it */
    assert_null(ekb_json_parse(s + n - 600, 1200));
    j = json_loadb(s + n - 600, 1200, jansson_flags, NULL);
    assert_non_null(j);
    json_decref(j);
    free(s);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap && !(buf = realloc(buf, cap = cap ? 2 * cap : 65536)))
            break;
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

static size_t compare_tree(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        assert_non_null(d);
        size_t count = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char *child = malloc(strlen(path) + strlen(e->d_name) + 2);
            assert_non_null(child);
            sprintf(child, "%s/%s", path, e->d_name);
            count += compare_tree(child);
            free(child);
        }
        closedir(d);
        return count;
    }
    size_t len = strlen(path);
    if (len < 5 || strcmp(path + len - 5, ".json") != 0)
        return 0;
    size_t n = 0;
    char *text = read_file(path, &n);
    assert_non_null(text);
    assert_same_as_jansson(text, n);
    free(text);
    return 1;
}

static void same_on_real_files(void **state)
{
    (void)state;
    size_t files = 0;
    for (int i = 1; i < g_argc; i++) {
        struct stat st;
        if (stat(g_argv[i], &st) != 0) {
            print_message("skipped: %s is not there\n", g_argv[i]);
            continue;
        }
        files += compare_tree(g_argv[i]);
    }
    print_message("compared %zu files\n", files);
    assert_true(files > 0);
}

/* A small deterministic generator (xorshift), so failures reproduce. */
static uint64_t next_random(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Mutations of a real entry: byte flips, bytes that matter to the grammar,
 * deletions and truncations. Whatever comes out, both readers agree. */
static void same_on_mutations(void **state)
{
    (void)state;
    const char *base = "{\"id\": \"db/x\", \"rate\": 0.85, \"n\": -12, \"ok\": true, \"none\": null,\n"
                       " \"zh\": \"\xE4\xB8\xAD\xE6\x96\x87 \\u4E2D \\\"q\\\"\", \"list\": [1, 2.5e3, \"a\\tb\", {}, []],\n"
                       " \"deep\": {\"a\": {\"b\": [\"long string with many plain bytes\"]}}}";
    size_t n = strlen(base);
    char *buf = malloc(n + 1);
    assert_non_null(buf);
    static const char specials[] = "{}[]\",:\\u0123456789.eE+-tfn \n\t\x80\xC3\xE4\xFF";
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (int round = 0; round < 20000; round++) {
        memcpy(buf, base, n + 1);
        size_t len = n;
        int edits = 1 + (int)(next_random(&x) % 3);
        for (int k = 0; k < edits && len > 0; k++) {
            size_t at = next_random(&x) % len;
            switch (next_random(&x) % 4) {
            case 0: buf[at] = (char)(next_random(&x) & 0xFF); break;
            case 1: buf[at] = specials[next_random(&x) % (sizeof specials - 1)]; break;
            case 2: memmove(buf + at, buf + at + 1, len - at); len--; break;
            default: len = at; break;
            }
        }
        assert_same_as_jansson(buf, len);
    }
    free(buf);
}

int main(int argc, char **argv)
{
    g_argc = argc;
    g_argv = argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_texts),
        cmocka_unit_test(invalid_texts),
        cmocka_unit_test(nul_byte_and_embedded_length),
        cmocka_unit_test(stop_bytes_everywhere),
        cmocka_unit_test(deep_nesting),
        cmocka_unit_test(same_on_real_files),
        cmocka_unit_test(same_on_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_doc.c: the loader: JSON and YAML into one model, positions (also
 * once the text is dropped), rejections, the frozen value (cv.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "doc.h"
#include "json_parse.h"

static const ekb_limits limits = {.max_file_bytes = 4096, .max_depth = 8};

/* Loads text; returns the doc (or NULL) and leaves diagnostics in d. */
static ekb_doc *load(const char *path, const char *text, ekb_diags *d)
{
    ekb_doc *doc = NULL;
    ekb_diags_init(d);
    int r = ekb_doc_load_buffer(path, text, strlen(text), ekb_syntax_of_path(path), &limits, &doc, d);
    assert_true(r == 0 || r == 1);
    assert_true((r == 0) == (doc != NULL));
    return doc;
}

static void assert_pos(ekb_doc *doc, const char *ptr, bool at_key, unsigned line, unsigned col)
{
    ekb_pos p;
    assert_int_equal(ekb_doc_locate(doc, ptr, at_key, &p), 0);
    assert_int_equal(p.line, line);
    assert_int_equal(p.col, col);
}

static void assert_one_diag(ekb_diags *d, const char *rule, unsigned line, unsigned col, const char *msg)
{
    assert_int_equal(d->n, 1);
    assert_string_equal(d->v[0].rule, rule);
    assert_int_equal(d->v[0].line, line);
    assert_int_equal(d->v[0].col, col);
    if (msg)
        assert_string_equal(d->v[0].message, msg);
}

static void json_positions(void **state)
{
    (void)state;
    ekb_diags d;
    ekb_doc *doc = load("x.json", "{\n  \"a\": [1, {\"b~/\": \"\xe4\xb8\xad\xe6\x96\x87\", \"c\": null}],\n  \"d\": true\n}", &d);
    assert_non_null(doc);
    assert_pos(doc, "", false, 1, 1);
    assert_pos(doc, "/a", true, 2, 3);
    assert_pos(doc, "/a", false, 2, 8);
    assert_pos(doc, "/a/1/b~0~1", false, 2, 20);
    /* columns count code points: the two Chinese characters are 2 columns */
    assert_pos(doc, "/a/1/c", false, 2, 31);
    assert_pos(doc, "/d", false, 3, 8);
    /* a missing member points at its nearest ancestor */
    assert_pos(doc, "/a/1/zz", false, 2, 12);
    ekb_doc_free(doc);
    ekb_diags_free(&d);
}

/* Writes text to a new temp file of the given suffix; returns its path. */
static char *temp_file(const char *suffix, const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/ekb-doc-XXXXXX%s", suffix);
    int fd = mkstemps(path, (int)strlen(suffix));
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

/* A dropped text keeps its hash, and positions come from the file read
 * again; a file changed since it was parsed points at its first line. */
static void dropped_text(void **state)
{
    (void)state;
    static const char *const texts[] = {"{\n  \"a\": 1,\n  \"b\": [true, \"x\"]\n}\n", "a: 1\nb:\n  - true\n  - x\n"};
    static const char *const suffixes[] = {".json", ".yaml"};
    for (int k = 0; k < 2; k++) {
        char *path = temp_file(suffixes[k], texts[k]);
        ekb_diags d;
        ekb_diags_init(&d);
        ekb_doc *doc = NULL, *twin = NULL;
        assert_int_equal(ekb_doc_load_file(path, &limits, &doc, &d), 0);
        assert_int_equal(ekb_doc_load_file(path, &limits, &twin, &d), 0);
        uint64_t h = ekb_doc_text_hash(twin);
        ekb_doc_drop_text(doc);
        assert_null(doc->text);
        assert_true(ekb_doc_text_hash(doc) == h);
        assert_pos(doc, "/b/1", false, k == 0 ? 3 : 4, k == 0 ? 15 : 5);
        ekb_doc_free(doc);
        /* changed on disk after the parse: no wrong place, the first line */
        assert_int_equal(ekb_doc_load_file(path, &limits, &doc, &d), 0);
        ekb_doc_drop_text(doc);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(k == 0 ? "{\"b\": [1, 2]}\n" : "b: [1, 2]\n", f);
        fclose(f);
        assert_pos(doc, "/b/1", false, 1, 1);
        ekb_doc_free(doc);
        ekb_doc_free(twin);
        assert_int_equal(d.n, 0);
        ekb_diags_free(&d);
        unlink(path);
    }
}

static void json_bom_and_crlf(void **state)
{
    (void)state;
    ekb_diags d;
    ekb_doc *doc = load("x.json", "\xef\xbb\xbf{\r\n\"a\": 1,\r\n  \"b\": 2}", &d);
    assert_non_null(doc);
    assert_pos(doc, "/b", false, 3, 8);
    ekb_doc_free(doc);
    ekb_diags_free(&d);
}

static void yaml_positions_and_types(void **state)
{
    (void)state;
    ekb_diags d;
    ekb_doc *doc = load("x.yaml",
                        "a: yes\nd: 2024-06-01\nn: 0x1F\nf: .5\nz: ~\nt: True\nq: '12'\nlist:\n  - one\n  - k: v\n", &d);
    assert_non_null(doc);
    json_t *r = doc->root;
    assert_string_equal(json_string_value(json_object_get(r, "a")), "yes");
    assert_string_equal(json_string_value(json_object_get(r, "d")), "2024-06-01");
    assert_int_equal(json_integer_value(json_object_get(r, "n")), 31);
    assert_true(json_is_real(json_object_get(r, "f")));
    assert_true(json_is_null(json_object_get(r, "z")));
    assert_true(json_is_true(json_object_get(r, "t")));
    assert_string_equal(json_string_value(json_object_get(r, "q")), "12");
    assert_pos(doc, "/d", false, 2, 4);
    assert_pos(doc, "/d", true, 2, 1);
    assert_pos(doc, "/list/1/k", false, 10, 8);
    ekb_doc_free(doc);
    ekb_diags_free(&d);
}

static void duplicate_keys_name_both_places(void **state)
{
    (void)state;
    ekb_diags d;
    assert_null(load("x.json", "{\"a\": 1,\n \"b\": 2,\n \"a\": 3}", &d));
    assert_one_diag(&d, "load.duplicate-key", 3, 2, "duplicate key 'a' (first at 1:2)");
    ekb_diags_free(&d);
    assert_null(load("x.yaml", "a: 1\nb:\n  c: 1\n  c: 2\n", &d));
    assert_one_diag(&d, "load.duplicate-key", 4, 3, "duplicate key 'c' (first at 3:3)");
    ekb_diags_free(&d);
}

static void rejections(void **state)
{
    (void)state;
    static const struct {
        const char *path, *text, *rule;
        unsigned line, col;
    } cases[] = {
        {"a.json", "   \n", "load.empty", 0, 0},
        {"a.yaml", "# only a comment\n", "load.empty", 0, 0},
        {"a.json", "{\"a\": \"\xc3\x28\"}", "load.utf8", 1, 8},
        {"a.json", "{\"a\": \"\xed\xa0\x80\"}", "load.utf8", 1, 8},
        {"a.json", "{\"a\": [1,,2]}", "load.syntax", 1, 10},
        {"a.yaml", "a: &x 1\nb: *x\n", "load.yaml-anchor", 1, 4},
        {"a.yaml", "a: !custom 1\n", "load.yaml-tag", 1, 4},
        {"a.yaml", "1: one\n", "load.yaml-key", 1, 1},
        {"a.yaml", "a: 1\n---\nb: 2\n", "load.yaml-documents", 2, 1},
        {"a.yaml", "a: .nan\n", "load.yaml-value", 1, 4},
        {"a.yaml", "a: [1, 2\n", "load.syntax", 2, 1},
        /* found after runs the encoding check skips many bytes at a time */
        {"a.yaml", "abcdefghij: \"\xe4\xb8\xad\xe6\x96\x87\xe4\xb8\xad\xe6\x96\x87\xed\xa0\x80\"\n", "load.utf8", 1, 18},
        {"a.yaml", "abcdefghijklmnopqrstuvwxyz: x\n\xe4\xb8\n", "load.utf8", 2, 1},
        /* libyaml refuses escapes that are not code points: its strings
         * are taken as valid UTF-8 unchecked */
        {"a.yaml", "a: \"x\\uD800y\"\n", "load.syntax", 1, 8},
        {"a.yaml", "a: \"x\\U00110000y\"\n", "load.syntax", 1, 8},
        {"a.json", "[[[[[[[[[[1]]]]]]]]]]", "load.too-deep", 1, 10},
        {"a.yaml", "- - - - - - - - - - 1\n", "load.too-deep", 1, 17},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ekb_diags d;
        assert_null(load(cases[i].path, cases[i].text, &d));
        assert_int_equal(d.n, 1);
        if (strcmp(d.v[0].rule, cases[i].rule) != 0 || d.v[0].line != cases[i].line || d.v[0].col != cases[i].col)
            fail_msg("case %zu: got %s %u:%u (%s)", i, d.v[0].rule, d.v[0].line, d.v[0].col, d.v[0].message);
        ekb_diags_free(&d);
    }
}

/* The depth limit (8) at its edge: nine levels load, ten do not, whether
 * the fast parser read the text (it counts the levels as it goes) or
 * jansson did (a "\u0000" the fast parser leaves to it; the tree is walked). */
static void depth_limit_edge(void **state)
{
    (void)state;
    ekb_limits nul = limits;
    nul.allow_nul_escape = true;
    static const char *const nine[] = {"[[[[[[[[[1]]]]]]]]]", "[[[[[[[[[\"\\u0000\"]]]]]]]]]"};
    static const char *const ten[] = {"[[[[[[[[[[1]]]]]]]]]]", "[[[[[[[[[[\"\\u0000\"]]]]]]]]]]"};
    for (int k = 0; k < 2; k++) {
        ekb_diags d;
        ekb_doc *doc = NULL;
        ekb_diags_init(&d);
        assert_int_equal(ekb_doc_load_buffer("a.json", nine[k], strlen(nine[k]), EKB_SYNTAX_JSON, &nul, &doc, &d), 0);
        ekb_doc_free(doc);
        assert_int_equal(ekb_doc_load_buffer("a.json", ten[k], strlen(ten[k]), EKB_SYNTAX_JSON, &nul, &doc, &d), 1);
        assert_int_equal(d.n, 1);
        assert_string_equal(d.v[0].rule, "load.too-deep");
        ekb_diags_free(&d);
    }
}

static void nul_and_size(void **state)
{
    (void)state;
    ekb_diags d;
    ekb_diags_init(&d);
    ekb_doc *doc = NULL;
    assert_int_equal(ekb_doc_load_buffer("a.json", "{\"a\":\n1}\0", 9, EKB_SYNTAX_JSON, &limits, &doc, &d), 1);
    assert_one_diag(&d, "load.nul-byte", 2, 3, "NUL byte at offset 8");
    ekb_diags_free(&d);
    /* NUL bytes and blanks only: the NUL is the news, not emptiness */
    assert_int_equal(ekb_doc_load_buffer("a.json", " \0\n", 3, EKB_SYNTAX_JSON, &limits, &doc, &d), 1);
    assert_one_diag(&d, "load.nul-byte", 1, 2, "NUL byte at offset 1");
    ekb_diags_free(&d);
    char big[5000];
    memset(big, ' ', sizeof big);
    big[0] = '1';
    assert_int_equal(ekb_doc_load_buffer("a.json", big, sizeof big, EKB_SYNTAX_JSON, &limits, &doc, &d), 1);
    assert_string_equal(d.v[0].rule, "load.too-large");
    ekb_diags_free(&d);
}

static void diags_sort_and_cap(void **state)
{
    (void)state;
    ekb_diags d;
    ekb_diags_init(&d);
    for (unsigned i = 5; i > 0; i--)
        assert_int_equal(ekb_diags_add(&d, "b", i, 1, EKB_ERROR, "r", NULL, NULL, "m%u", i), 0);
    assert_int_equal(ekb_diags_add(&d, "a", 9, 9, EKB_WARNING, "r", NULL, NULL, "w"), 0);
    ekb_diags_sort(&d);
    assert_string_equal(d.v[0].path, "a");
    assert_string_equal(d.v[1].message, "m1");
    assert_int_equal(ekb_diags_cap(&d, 2), 0);
    assert_int_equal(d.n, 4);
    assert_string_equal(d.v[3].message, "3 further diagnostics suppressed (3 errors)");
    assert_int_equal(d.v[3].severity, EKB_NOTE);
    ekb_diags_free(&d);
}

/* A frozen value has the tree's types, values and member order. */
static void assert_same(const json_t *j, const ekb_cv *v)
{
    assert_non_null(v);
    switch (json_typeof(j)) {
    case JSON_NULL: assert_true(ekb_cv_is_null(v)); break;
    case JSON_TRUE: assert_int_equal(v->type, EKB_CV_TRUE); break;
    case JSON_FALSE: assert_int_equal(v->type, EKB_CV_FALSE); break;
    case JSON_INTEGER:
        assert_true(ekb_cv_is_integer(v));
        assert_true(ekb_cv_integer(v) == json_integer_value(j));
        assert_true(ekb_cv_number(v) == json_number_value(j));
        break;
    case JSON_REAL:
        assert_true(ekb_cv_is_number(v) && !ekb_cv_is_integer(v));
        assert_true(ekb_cv_number(v) == json_real_value(j));
        break;
    case JSON_STRING:
        assert_int_equal(ekb_cv_len(v), json_string_length(j));
        assert_memory_equal(ekb_cv_str(v), json_string_value(j), json_string_length(j));
        assert_int_equal(ekb_cv_str(v)[ekb_cv_len(v)], '\0');
        break;
    case JSON_ARRAY:
        assert_int_equal(ekb_cv_size(v), json_array_size(j));
        for (size_t i = 0; i < json_array_size(j); i++)
            assert_same(json_array_get(j, i), ekb_cv_at(v, i));
        assert_null(ekb_cv_at(v, json_array_size(j)));
        break;
    case JSON_OBJECT: {
        assert_int_equal(ekb_cv_size(v), json_object_size(j));
        size_t i = 0, key_len;
        const char *key;
        json_t *value;
        json_object_keylen_foreach((json_t *)j, key, key_len, value) {
            const ekb_cv *k = ekb_cv_key_at(v, i);
            assert_int_equal(ekb_cv_len(k), key_len);
            assert_memory_equal(ekb_cv_str(k), key, key_len);
            assert_same(value, ekb_cv_value_at(v, i));
            if (strlen(key) == key_len) /* a key with a NUL is found by no C string */
                assert_ptr_equal(ekb_cv_get(v, key), ekb_cv_value_at(v, i));
            i++;
        }
        assert_null(ekb_cv_key_at(v, i));
        break;
    }
    }
}

static void frozen_value(void **state)
{
    (void)state;
    json_t *j = json_pack("{s:s, s:n, s:b, s:b, s:I, s:f, s:[i, s, [], {}], s:{s:s, s:{s:[n]}}, s:s}", "s", "text",
                          "n", "t", 1, "f", 0, "i", (json_int_t)-42, "r", 1.5, "a", 7, "x", "o", "k", "v", "z", "deep",
                          "\xC3\xA9", "\xC3\xBC");
    assert_non_null(j);
    /* a string and a key holding a NUL */
    assert_int_equal(json_object_setn_new(j, "a\0b", 3, json_stringn("x\0y", 3)), 0);
    ekb_cv *v = ekb_cv_freeze(j);
    assert_same(j, v);
    assert_string_equal(ekb_cv_str(ekb_cv_get(ekb_cv_get(v, "o"), "k")), "v");
    assert_null(ekb_cv_get(v, "missing"));
    assert_int_equal(ekb_cv_at(ekb_cv_get(v, "a"), 0)->type, EKB_CV_INTEGER);
    /* every reader takes NULL and values of the wrong type */
    const ekb_cv *str = ekb_cv_get(v, "s"), *num = ekb_cv_get(v, "i");
    assert_null(ekb_cv_get(NULL, "s"));
    assert_null(ekb_cv_get(str, "s"));
    assert_null(ekb_cv_at(str, 0));
    assert_null(ekb_cv_at(NULL, 0));
    assert_int_equal(ekb_cv_size(str), 0);
    assert_int_equal(ekb_cv_size(NULL), 0);
    assert_null(ekb_cv_str(num));
    assert_int_equal(ekb_cv_len(num), 0);
    assert_true(ekb_cv_number(str) == 0);
    assert_false(ekb_cv_is_string(NULL));
    free(v);
    json_decref(j);
    assert_null(ekb_cv_freeze(NULL));
}

/* Once the tree is dropped, the entry is read frozen; positions still work. */
/* The JSON reader counts the frozen block's shape as it reads; a shape
 * given to ekb_cv_freeze_shaped that is too small is not trusted. */
static void frozen_from_shape(void **state)
{
    (void)state;
    const char *text = "{\"a\": [1, \"xy\"], \"bc\": {\"d\": null}, \"e\\u00e9\": \"q\\\"\"}";
    ekb_json_shape shape;
    json_t *j = ekb_json_parse_shape(text, strlen(text), &shape);
    assert_non_null(j);
    assert_int_equal(shape.levels, 2);
    /* the root, 3 + 1 members (two nodes each), 2 items */
    assert_int_equal(shape.nodes, 1 + 2 * 3 + 2 * 1 + 2);
    /* "a", "bc", "d", "e" + U+00E9 (three bytes), each with its NUL */
    assert_int_equal(shape.key_bytes, 2 + 3 + 2 + 4);
    /* "xy" and 'q"' */
    assert_int_equal(shape.bytes, 3 + 3);
    ekb_cv *exact = ekb_cv_freeze_shaped(j, (ekb_cv_shape){shape.nodes, shape.key_bytes, shape.bytes});
    assert_same(j, exact);
    free(exact);
    static const ekb_cv_shape small[] = {{1, 0, 0}, {10, 11, 5}, {10, 10, 6}, {9, 11, 6}};
    for (size_t i = 0; i < sizeof small / sizeof *small; i++) {
        ekb_cv *v = ekb_cv_freeze_shaped(j, small[i]);
        assert_same(j, v);
        free(v);
    }
    json_decref(j);
}

static void dropped_tree(void **state)
{
    (void)state;
    ekb_diags d;
    ekb_doc *doc = load("e.yaml", "id: a/b\nlist:\n  - 1\n  - two\n", &d);
    assert_non_null(doc);
    const ekb_cv *before = ekb_doc_cv(doc);
    assert_same(doc->root, before);
    assert_ptr_equal(ekb_doc_cv(doc), before); /* made once */
    assert_int_equal(ekb_doc_drop_tree(doc), 0);
    assert_null(doc->root);
    assert_ptr_equal(ekb_doc_cv(doc), before);
    assert_string_equal(ekb_cv_str(ekb_cv_at(ekb_cv_get(before, "list"), 1)), "two");
    assert_pos(doc, "/list/1", false, 4, 5);
    ekb_doc_free(doc);
    ekb_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_positions),
        cmocka_unit_test(json_bom_and_crlf),
        cmocka_unit_test(dropped_text),
        cmocka_unit_test(frozen_value),
        cmocka_unit_test(frozen_from_shape),
        cmocka_unit_test(dropped_tree),
        cmocka_unit_test(yaml_positions_and_types),
        cmocka_unit_test(duplicate_keys_name_both_places),
        cmocka_unit_test(rejections),
        cmocka_unit_test(depth_limit_edge),
        cmocka_unit_test(nul_and_size),
        cmocka_unit_test(diags_sort_and_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

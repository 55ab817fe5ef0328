/* test_schema.c: the JSON Schema validator's API: messages, instance and
 * schema pointers, keywords, at_key, closest-branch reporting, references to
 * files and fetched documents, compile errors, and one schema shared by two
 * threads. (Conformance as such is tests/conformance/.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "schema.h"

#define MAX_ERRS 16

typedef struct err_copy {
    char ptr[256], kw[64], sptr[256], msg[512];
    bool at_key;
    json_type itype;
} err_copy;

typedef struct errs {
    size_t n;
    err_copy v[MAX_ERRS];
    size_t stop_after; /* 0: never stop */
} errs;

static int collect(void *ctx, const ekb_schema_error *e)
{
    errs *es = ctx;
    if (es->n < MAX_ERRS) {
        err_copy *c = &es->v[es->n];
        snprintf(c->ptr, sizeof c->ptr, "%s", e->instance_pointer);
        snprintf(c->kw, sizeof c->kw, "%s", e->keyword);
        snprintf(c->sptr, sizeof c->sptr, "%s", e->schema_pointer);
        snprintf(c->msg, sizeof c->msg, "%s", e->message);
        c->at_key = e->at_key;
        c->itype = e->instance ? json_typeof(e->instance) : JSON_NULL;
    }
    es->n++;
    return es->stop_after && es->n >= es->stop_after;
}

static json_t *parse(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
    if (!j)
        fail_msg("bad test JSON: %s: %s", text, je.text);
    return j;
}

static ekb_schema *compile_opt(const char *text, const ekb_schema_options *opt)
{
    json_t *j = parse(text);
    char *err = NULL;
    ekb_schema *s = ekb_schema_new(j, NULL, opt, &err);
    json_decref(j);
    if (!s)
        fail_msg("schema rejected: %s", err ? err : "out of memory");
    return s;
}

static ekb_schema *compile(const char *text) { return compile_opt(text, NULL); }

/* Validates text against schema, filling es; returns the verdict. */
static int check(const ekb_schema *s, const char *text, errs *es)
{
    json_t *j = parse(text);
    memset(es, 0, sizeof *es);
    int r = ekb_schema_validate(s, j, collect, es);
    int quiet = ekb_schema_validate(s, j, NULL, NULL);
    assert_int_equal(r, quiet);
    json_decref(j);
    return r;
}

/* The one error of an invalid instance. */
static void expect_one(const char *schema, const char *inst, const char *ptr, const char *kw, const char *sptr,
                       const char *msg, bool at_key)
{
    ekb_schema *s = compile(schema);
    errs es;
    assert_int_equal(check(s, inst, &es), 0);
    if (es.n != 1) {
        for (size_t i = 0; i < es.n && i < MAX_ERRS; i++)
            print_message("error %zu: %s: %s\n", i, es.v[i].ptr, es.v[i].msg);
    }
    assert_int_equal(es.n, 1);
    assert_string_equal(es.v[0].ptr, ptr);
    assert_string_equal(es.v[0].kw, kw);
    assert_string_equal(es.v[0].sptr, sptr);
    assert_string_equal(es.v[0].msg, msg);
    assert_int_equal(es.v[0].at_key, at_key);
    ekb_schema_free(s);
}

static void test_valid(void **state)
{
    (void)state;
    ekb_schema *s = compile("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"integer\"}},\"required\":[\"a\"]}");
    errs es;
    assert_int_equal(check(s, "{\"a\": 1}", &es), 1);
    assert_int_equal(es.n, 0);
    assert_int_equal(check(s, "{\"a\": 1.0}", &es), 1); /* 1.0 is an integer */
    ekb_schema_free(s);
}

static void test_assertion_messages(void **state)
{
    (void)state;
    expect_one("{\"properties\":{\"c\":{\"maximum\":1}}}", "{\"c\":1.7}", "/c", "maximum", "/properties/c/maximum",
               "c 1.7 is above maximum 1", false);
    expect_one("{\"type\":[\"string\",\"null\"]}", "3", "", "type", "/type", "expected string or null, found number",
               false);
    expect_one("{\"required\":[\"id\",\"regex\"]}", "{\"id\":\"x\"}", "", "required", "/required",
               "missing required property 'regex'", false);
    expect_one("{\"properties\":{\"a\":true},\"additionalProperties\":false}", "{\"a\":1,\"foo\":2}", "/foo",
               "additionalProperties", "/additionalProperties", "property 'foo' is not allowed", true);
    expect_one("{\"format\":\"date\"}", "\"2024-02-30\"", "", "format", "/format", "'2024-02-30' is not a valid date",
               false);
    expect_one("{\"pattern\":\"^[a-z]+$\"}", "\"x1\"", "", "pattern", "/pattern",
               "'x1' does not match pattern '^[a-z]+$'", false);
    expect_one("{\"enum\":[\"en\",\"zh\",\"ja\",\"ko\",\"de\",\"fr\",\"es\"]}", "\"zz\"", "", "enum", "/enum",
               "'zz' is not one of 'en', 'zh', 'ja', 'ko', 'de', ...", false);
    expect_one("{\"maxItems\":2}", "[1,2,3]", "", "maxItems", "/maxItems", "array has 3 items, more than maxItems 2",
               false);
    expect_one("{\"minLength\":2}", "\"\\u00e9\"", "", "minLength", "/minLength",
               "'\xc3\xa9' has 1 character, fewer than minLength 2", false);
    expect_one("{\"multipleOf\":0.0001}", "0.00751", "", "multipleOf", "/multipleOf",
               "0.00751 is not a multiple of 0.0001", false);
    expect_one("{\"uniqueItems\":true}", "[1,\"a\",1.0]", "", "uniqueItems", "/uniqueItems",
               "array items 0 and 2 are equal (1), expected unique items", false);
    expect_one("{\"dependentRequired\":{\"a\":[\"b\"]}}", "{\"a\":1}", "", "dependentRequired", "/dependentRequired",
               "missing property 'b', required when 'a' is present", false);
    expect_one("{\"contains\":{\"type\":\"string\"},\"minContains\":2}", "[\"a\",1]", "", "minContains",
               "/minContains", "array has 1 item that matches contains, fewer than minContains 2", false);
}

static void test_numbers(void **state)
{
    (void)state;
    ekb_schema *s = compile("{\"multipleOf\":0.0001}");
    errs es;
    assert_int_equal(check(s, "0.0075", &es), 1);
    ekb_schema_free(s);
    s = compile("{\"type\":\"integer\",\"multipleOf\":0.123456789}");
    assert_int_equal(check(s, "1e308", &es), 0);
    ekb_schema_free(s);
    s = compile("{\"maximum\":9007199254740992}");
    assert_int_equal(check(s, "9007199254740993", &es), 0); /* exact for integers */
    assert_int_equal(check(s, "9007199254740992", &es), 1);
    ekb_schema_free(s);
    s = compile("{\"multipleOf\":3}");
    assert_int_equal(check(s, "9223372036854775806", &es), 1);
    assert_int_equal(check(s, "9223372036854775807", &es), 0);
    ekb_schema_free(s);
    s = compile("{\"const\":1}");
    assert_int_equal(check(s, "1.0", &es), 1);
    ekb_schema_free(s);
}

static void test_pointers_and_refs(void **state)
{
    (void)state;
    /* keys with '/' and '~' are escaped; errors inside a $ref target carry
     * the target's schema location */
    expect_one("{\"properties\":{\"a/b\":{\"items\":{\"$ref\":\"#/$defs/t~0x\"}}},"
               "\"$defs\":{\"t~x\":{\"properties\":{\"c~d\":{\"type\":\"string\"}}}}}",
               "{\"a/b\":[{\"c~d\":\"ok\"},{\"c~d\":5}]}", "/a~1b/1/c~0d", "type", "/$defs/t~0x/properties/c~0d/type",
               "expected string, found number", false);
}

static void test_any_of_closest(void **state)
{
    (void)state;
    const char *link = "{\"anyOf\":[{\"type\":\"string\",\"pattern\":\"^[a-z]+/[a-z]+$\"},"
                       "{\"type\":\"object\",\"required\":[\"id\"],\"properties\":{\"id\":{\"type\":\"string\"},"
                       "\"p\":{\"maximum\":1}}}]}";
    /* the branch whose type matches is the one reported */
    expect_one(link, "\"bad id\"", "", "pattern", "/anyOf/0/pattern",
               "'bad id' does not match pattern '^[a-z]+/[a-z]+$'", false);
    expect_one(link, "{\"p\":0.5}", "", "required", "/anyOf/1/required", "missing required property 'id'", false);
    /* no branch takes the type: one error naming them all */
    expect_one(link, "5", "", "anyOf", "/anyOf", "expected string or object, found number", false);
    /* same type everywhere: the branch with the fewest errors */
    expect_one("{\"anyOf\":[{\"required\":[\"a\",\"b\"]},{\"required\":[\"c\"]}]}", "{}", "", "required",
               "/anyOf/1/required", "missing required property 'c'", false);
}

static void test_one_of_not_if(void **state)
{
    (void)state;
    expect_one("{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":2}]}", "3", "", "oneOf", "/oneOf",
               "3 matches oneOf branches 0 and 1, expected exactly one", false);
    expect_one("{\"oneOf\":[{\"type\":\"integer\"},{\"minimum\":2}]}", "1.5", "", "minimum", "/oneOf/1/minimum",
               "1.5 is below minimum 2", false);
    expect_one("{\"not\":{\"type\":\"null\"}}", "null", "", "not", "/not",
               "null matches the schema in not, expected it not to", false);
    /* a failing 'if' is no error; the branch taken reports its own */
    expect_one("{\"if\":{\"minimum\":0},\"then\":{\"maximum\":10},\"else\":{\"const\":-1}}", "-5", "", "const",
               "/else/const", "expected -1, found -5", false);
    ekb_schema *s = compile("{\"if\":{\"minimum\":0},\"then\":{\"maximum\":10}}");
    errs es;
    assert_int_equal(check(s, "-5", &es), 1);
    assert_int_equal(es.n, 0);
    ekb_schema_free(s);
}

static void test_keys(void **state)
{
    (void)state;
    expect_one("{\"propertyNames\":{\"pattern\":\"^[a-z]+$\"}}", "{\"ok\":1,\"Bad\":2}", "/Bad", "propertyNames",
               "/propertyNames/pattern", "property name 'Bad' does not match pattern '^[a-z]+$'", true);
    expect_one("{\"allOf\":[{\"properties\":{\"a\":true}}],\"unevaluatedProperties\":false}", "{\"a\":1,\"b\":2}", "/b",
               "unevaluatedProperties", "/unevaluatedProperties", "property 'b' is not allowed", true);
    /* a failing allOf branch is one error, not also an unevaluated property */
    expect_one("{\"allOf\":[{\"properties\":{\"a\":{\"type\":\"string\"}}}],\"unevaluatedProperties\":false}",
               "{\"a\":1}", "/a", "type", "/allOf/0/properties/a/type", "expected string, found number", false);
}

static void test_items(void **state)
{
    (void)state;
    expect_one("{\"prefixItems\":[{\"type\":\"string\"}],\"items\":false}", "[\"a\",1,2]", "", "items", "/items",
               "array has 3 items, at most 1 allowed", false);
    expect_one("{\"items\":{\"type\":\"string\"}}", "[\"a\",1]", "/1", "type", "/items/type",
               "expected string, found number", false);
}

static void test_several_and_stop(void **state)
{
    (void)state;
    ekb_schema *s = compile("{\"properties\":{\"a\":{\"type\":\"string\"},\"b\":{\"minimum\":0}},"
                            "\"required\":[\"c\"]}");
    errs es;
    assert_int_equal(check(s, "{\"a\":1,\"b\":-1}", &es), 0);
    assert_int_equal(es.n, 3);
    json_t *j = parse("{\"a\":1,\"b\":-1}");
    memset(&es, 0, sizeof es);
    es.stop_after = 1;
    assert_int_equal(ekb_schema_validate(s, j, collect, &es), 0);
    assert_int_equal(es.n, 1);
    json_decref(j);
    ekb_schema_free(s);
}

static void test_format_option(void **state)
{
    (void)state;
    ekb_schema_options opt = {.no_format_assertion = true};
    ekb_schema *s = compile_opt("{\"format\":\"date\"}", &opt);
    errs es;
    assert_int_equal(check(s, "\"2024-02-30\"", &es), 1);
    ekb_schema_free(s);
    s = compile("{\"format\":\"uri\"}");
    assert_int_equal(check(s, "\"https://example.org/a?b#c\"", &es), 1);
    assert_int_equal(check(s, "\"example.org/a\"", &es), 0);
    assert_int_equal(check(s, "\"http://[::ffff:01.2.3.4]/\"", &es), 0);
    ekb_schema_free(s);
    s = compile("{\"format\":\"date-time\"}");
    assert_int_equal(check(s, "\"1998-12-31T15:59:60.1-08:00\"", &es), 1);
    assert_int_equal(check(s, "\"1998-12-31T15:59:60Z\"", &es), 0);
    ekb_schema_free(s);
}

static void test_compile_errors(void **state)
{
    (void)state;
    static const struct {
        const char *schema, *needle;
    } bad[] = {
        {"{\"properties\":{\"x\":{\"pattern\":\"^(a\"}}}", "/properties/x"},
        {"{\"properties\":{\"x\":{\"pattern\":\"^(a\"}}}", "pattern"},
        {"{\"$ref\":\"#/$defs/missing\"}", "#/$defs/missing"},
        {"{\"items\":{\"$ref\":\"other.json\"}}", "other.json"},
        {"{\"minLength\":-1}", "minLength"},
        {"{\"type\":\"strin\"}", "type"},
        {"{\"properties\":{\"a\":3}}", "/properties/a"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *j = parse(bad[i].schema);
        char *err = NULL;
        ekb_schema *s = ekb_schema_new(j, NULL, NULL, &err);
        assert_null(s);
        assert_non_null(err);
        if (!strstr(err, bad[i].needle))
            fail_msg("'%s' does not name '%s'", err, bad[i].needle);
        free(err);
        json_decref(j);
    }
}

static json_t *fetch_remote(void *ctx, const char *uri)
{
    int *calls = ctx;
    (*calls)++;
    if (strcmp(uri, "https://example.org/defs.json") == 0)
        return json_loads("{\"$defs\":{\"small\":{\"maximum\":3}}}", 0, NULL);
    return NULL;
}

static void test_external_refs(void **state)
{
    (void)state;
    /* a relative reference to a file under base_dir */
    char dir[] = "/tmp/ekb-schema-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[300];
    snprintf(path, sizeof path, "%s/other.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("{\"$defs\":{\"word\":{\"type\":\"string\",\"pattern\":\"^[a-z]+$\"}}}", f);
    fclose(f);
    ekb_schema_options opt = {.base_dir = dir};
    ekb_schema *s = compile_opt("{\"$id\":\"https://errkb.invalid/schema/entry.json\","
                                "\"items\":{\"$ref\":\"other.json#/$defs/word\"}}",
                                &opt);
    errs es;
    assert_int_equal(check(s, "[\"abc\"]", &es), 1);
    assert_int_equal(check(s, "[\"abc\",\"A\"]", &es), 0);
    assert_int_equal(es.n, 1);
    assert_string_equal(es.v[0].ptr, "/1");
    assert_string_equal(es.v[0].sptr, "https://errkb.invalid/schema/other.json#/$defs/word/pattern");
    ekb_schema_free(s);
    unlink(path);
    rmdir(dir);

    /* an absolute URI that no document declares goes to fetch */
    int calls = 0;
    ekb_schema_options fo = {.fetch = fetch_remote, .fetch_ctx = &calls};
    s = compile_opt("{\"$ref\":\"https://example.org/defs.json#/$defs/small\"}", &fo);
    assert_int_equal(calls, 1);
    assert_int_equal(check(s, "3", &es), 1);
    assert_int_equal(check(s, "4", &es), 0);
    assert_string_equal(es.v[0].msg, "4 is above maximum 3");
    ekb_schema_free(s);
}

static void test_dynamic_ref(void **state)
{
    (void)state;
    const char *schema = "{\"$id\":\"https://example.org/derived\",\"$ref\":\"base\","
                         "\"$defs\":{\"ext\":{\"$dynamicAnchor\":\"addons\",\"properties\":{\"b\":{\"type\":\"string\"}}},"
                         "\"base\":{\"$id\":\"base\",\"unevaluatedProperties\":false,"
                         "\"properties\":{\"a\":true},\"$dynamicRef\":\"#addons\","
                         "\"$defs\":{\"none\":{\"$dynamicAnchor\":\"addons\"}}}}}";
    ekb_schema *s = compile(schema);
    errs es;
    assert_int_equal(check(s, "{\"a\":1,\"b\":\"x\"}", &es), 1);
    assert_int_equal(check(s, "{\"a\":1,\"c\":\"x\"}", &es), 0);
    assert_int_equal(es.n, 1);
    assert_string_equal(es.v[0].ptr, "/c");
    assert_true(es.v[0].at_key);
    ekb_schema_free(s);
}

/* ---- one schema, two threads ---- */

typedef struct worker {
    const ekb_schema *s;
    json_t *good, *bad;
    int failures;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < 2000; i++) {
        errs es = {0};
        if (ekb_schema_validate(w->s, w->good, collect, &es) != 1 || es.n != 0)
            w->failures++;
        memset(&es, 0, sizeof es);
        if (ekb_schema_validate(w->s, w->bad, collect, &es) != 0 || es.n != 4 ||
            strcmp(es.v[0].msg, "'Bad' does not match pattern '^[a-z]+$'") != 0)
            w->failures++;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    ekb_schema *s = compile("{\"type\":\"object\",\"properties\":{\"tags\":{\"type\":\"array\","
                            "\"items\":{\"type\":\"string\",\"pattern\":\"^[a-z]+$\"}},"
                            "\"when\":{\"format\":\"date\"},\"doc\":{\"format\":\"uri\"},"
                            "\"link\":{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"object\",\"required\":[\"id\"]}]}},"
                            "\"additionalProperties\":false}");
    worker w[2];
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        w[i].s = s;
        w[i].good = parse("{\"tags\":[\"a\",\"b\"],\"when\":\"2024-02-29\",\"doc\":\"https://e.org/a?b\","
                          "\"link\":{\"id\":\"x\"}}");
        w[i].bad = parse("{\"tags\":[\"Bad\"],\"when\":\"2023-02-29\",\"doc\":\"e.org/a b\",\"link\":{}}");
        w[i].failures = 0;
    }
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(w[i].failures, 0);
        json_decref(w[i].good);
        json_decref(w[i].bad);
    }
    ekb_schema_free(s);
}

/* Every property of the entry schema (the one built into the tools, made
 * from schema/entry.schema.json) has a description, for editors' help. */
static void count_undescribed(json_t *node, const char *where, size_t *missing)
{
    if (json_is_array(node)) {
        for (size_t i = 0; i < json_array_size(node); i++)
            count_undescribed(json_array_get(node, i), where, missing);
        return;
    }
    if (!json_is_object(node))
        return;
    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(node, "properties"), key, v) {
        if (json_is_object(v) && !json_is_string(json_object_get(v, "description"))) {
            print_message("no description: %s/%s\n", where, key);
            (*missing)++;
        }
    }
    json_object_foreach(node, key, v)
        count_undescribed(v, key, missing);
}

static void test_entry_schema_described(void **state)
{
    (void)state;
    json_error_t e;
    json_t *schema = json_loadb((const char *)ekb_builtin_entry_schema, ekb_builtin_entry_schema_len, 0, &e);
    assert_non_null(schema);
    size_t missing = 0;
    count_undescribed(schema, "", &missing);
    assert_int_equal(missing, 0);
    json_decref(schema);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_assertion_messages),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_pointers_and_refs),
        cmocka_unit_test(test_any_of_closest),
        cmocka_unit_test(test_one_of_not_if),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_items),
        cmocka_unit_test(test_several_and_stop),
        cmocka_unit_test(test_format_option),
        cmocka_unit_test(test_compile_errors),
        cmocka_unit_test(test_external_refs),
        cmocka_unit_test(test_dynamic_ref),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_entry_schema_described),
    };
    return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}

/* test_drift.c: errkb-drift's pieces: token extraction and matching, text
 * normalisation, the script test, policy pairs and the lock file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drift/drift.h"
#include "util.h"

/* "kind:text|kind:text" for the tokens of s (normalised first). */
static char *tokens_of(const char *s)
{
    size_t nl;
    char *ns = ekb_drift_normalize(s, strlen(s), &nl);
    assert_non_null(ns);
    ekb_drift_tokens t;
    ekb_drift_tokens_init(&t);
    assert_int_equal(ekb_drift_tokens_extract(ns, nl, &t), 0);
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    for (size_t i = 0; i < t.n; i++)
        ekb_strbuf_addf(&sb, "%s%s:%.*s", i ? "|" : "", ekb_drift_token_kind_name(t.v[i].kind), (int)t.v[i].len,
                        t.v[i].text);
    ekb_drift_tokens_free(&t);
    free(ns);
    char *out = ekb_strbuf_steal(&sb);
    assert_non_null(out);
    return out;
}

static void extraction(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want;
    } cases[] = {
        /* versions and section numbers, numbers in prose */
        {"violating MQTT v3.1.1 section 3.1.3 and MQTT v5.0 section 3.1.3.",
         "version:v3.1.1|version:3.1.3|version:v5.0"},
        {"MQTT protocol violation: Identifier already in use (CONNACK code 2)", "number:2"},
        {"HTTP 503, 0x85, 50% and 1,000 items; AH00072 and Qt6 on 1.x",
         "number:503|number:0x85|number:50%|number:1,000|code:AH00072|code:Qt6|version:1.x"},
        /* glued to English words: only the number or the name counts */
        {"a 64-bit build of CMake-generated files in a 3-way merge", "number:64|identifier:CMake|number:3"},
        /* URLs keep balanced brackets, lose sentence punctuation */
        {"see https://en.wikipedia.org/wiki/Tab_(key) and (https://example.org/x).",
         "URL:https://en.wikipedia.org/wiki/Tab_(key)|URL:https://example.org/x"},
        /* code spans as a whole, then their parts */
        {"run `make -j4 V=1` or pass --jobs=4 and -v",
         "code span:make -j4 V=1|flag:-j4|setting:V=1|flag:--jobs=4|flag:-v"},
        {"version `GLIBC_2.34' not found", "code span:GLIBC_2.34"}, /* once, as the span */
        /* quotations only when they hold code; apostrophes open nothing */
        {"set 'allow_zero_length_clientid true' but not 'the fuzzy flag', the pod's name",
         "quoted code:allow_zero_length_clientid true|identifier:allow_zero_length_clientid"},
        {"the line \"CMAKE_CXX_COMPILER not set, after EnableLanguage\" is printed",
         "quoted code:CMAKE_CXX_COMPILER not set, after EnableLanguage|identifier:CMAKE_CXX_COMPILER|"
         "identifier:EnableLanguage"},
        {"Deployments are in \"apps\", not \"\"", ""},
        /* identifiers: ::, dots, underscores, camelCase, variables; not e.g. */
        {"std::vector, os.path.join(), e.g. and i.e. the serviceAccountName of $HOME",
         "identifier:std::vector|identifier:os.path.join|identifier:serviceAccountName|identifier:$HOME"},
        {"URLs, PIDs, OOMKilled and .pc files", "identifier:OOMKilled|identifier:.pc"},
        /* paths, but not and/or */
        {"under /etc/ssl, ~/.ssh/config, ./configure and lib/cmake/Qt6 and/or here",
         "path:/etc/ssl|path:~/.ssh/config|path:./configure|path:lib/cmake/Qt6"},
        /* error codes from the list; English words in capitals are not codes */
        {"errno ENOENT, signal SIGKILL, WSAECONNRESET; ERROR, EXIT and SIGNAL are words",
         "code:ENOENT|code:SIGKILL|code:WSAECONNRESET"},
        /* a token once, however often it appears */
        {"port 80, then port 80 again", "number:80"},
        /* prose has none */
        {"Restart the broker to clear all active connections.", ""},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *got = tokens_of(cases[i].text);
        if (strcmp(got, cases[i].want) != 0)
            print_error("case %zu: %s\n", i, cases[i].text);
        assert_string_equal(got, cases[i].want);
        free(got);
    }
}

static void normalisation(void **state)
{
    (void)state;
    size_t n;
    /* full-width letters, digits and punctuation; ideographic space; curly quotes */
    static const char wide[] = "ＣＯＮＮＡＣＫ\xE3\x80\x80代码２（ｖ３．１）“x”‘y’…";
    char *s = ekb_drift_normalize(wide, strlen(wide), &n);
    assert_non_null(s);
    assert_string_equal(s, "CONNACK 代码2(v3.1)\"x\"'y'...");
    assert_int_equal(n, strlen(s));
    free(s);
    /* CJK punctuation without an ASCII form stays */
    s = ekb_drift_normalize("停止。、", strlen("停止。、"), &n);
    assert_string_equal(s, "停止。、");
    free(s);
    s = ekb_drift_normalize("", 0, &n);
    assert_string_equal(s, "");
    assert_int_equal(n, 0);
    free(s);
    /* long ASCII runs (taken eight bytes at a time) around folded spaces,
     * Chinese after them, a sequence cut short at the end */
    static const char mixed[] = "abcdefghij\xC2\xA0klmnopqrstuvwxyz\xE2\x80\x82w\xE4\xB8\xAD\xEF\xBC\x8C\xE4\xB8";
    s = ekb_drift_normalize(mixed, strlen(mixed), &n);
    assert_string_equal(s, "abcdefghij klmnopqrstuvwxyz w\xE4\xB8\xAD,\xE4\xB8");
    assert_int_equal(n, strlen(s));
    free(s);
}

static bool found(const char *tok, const char *text)
{
    size_t n;
    char *t = ekb_drift_normalize(text, strlen(text), &n);
    assert_non_null(t);
    bool r = ekb_drift_token_found(tok, strlen(tok), t, n);
    free(t);
    return r;
}

static void matching(void **state)
{
    (void)state;
    assert_true(found("2", "标识符已在使用（CONNACK代码2）"));
    assert_true(found("2", "（CONNACK 代码２）"));           /* full-width digit */
    assert_true(found("3.1.3", "违反了MQTT v3.1.1第3.1.3节"));
    assert_true(found("v3.1.1", "MQTT　v３．１．１"));
    assert_true(found("key=value", "设置 key = value 即可"));    /* white space does not matter */
    assert_true(found("GNU make 4.4", "GNU make4.4 起"));
    assert_true(found("-v", "使用-v查看调用"));
    assert_true(found("CMAKE_CACHEFILE_DIR", "（CMAKE_CACHEFILE_DIR）"));
    assert_true(found("https://x.org/a", "详见 https://x.org/a。"));
    /* not inside a longer word or number */
    assert_false(found("2", "2024 年"));
    assert_false(found("2", "code 12"));
    assert_false(found("3.1", "第 3.1.3 节"));
    assert_false(found("v5.0", "v5.0.1"));
    assert_false(found("CMake", "CMakeLists.txt"));
    assert_false(found("foo_bar", "foo_bar_baz"));
    /* case matters: codes are verbatim */
    assert_false(found("ENOENT", "enoent"));
    assert_false(found("1.25.3", "nginx 1.25 中"));
    assert_true(found("", "anything"));
}

static ekb_drift_units units(const char *const *names, size_t n, const char *text)
{
    char *err = NULL;
    ekb_drift_script *s = ekb_drift_script_new(names, n, &err);
    assert_null(err);
    assert_non_null(s);
    ekb_drift_units u;
    assert_int_equal(ekb_drift_script_count(s, text, strlen(text), &u), 0);
    ekb_drift_script_free(s);
    return u;
}

static void scripts(void **state)
{
    (void)state;
    static const char *const han[] = {"Han"};
    static const char *const ja[] = {"Hiragana", "Katakana", "Han"};
    static const char *const ko[] = {"Hangul"};
    ekb_drift_units u = units(han, 1, "错误：连接被拒绝。");
    assert_int_equal(u.script, 7); /* punctuation is no letter */
    assert_int_equal(u.other, 0);
    u = units(han, 1, "用 CMake 构建 build.ninja");
    assert_int_equal(u.script, 3); /* an English word counts once */
    assert_int_equal(u.other, 3);
    u = units(han, 1, "連線逾時，請稍後再試");       /* traditional characters are Han */
    assert_int_equal(u.script, 9);
    assert_int_equal(u.other, 0);
    u = units(han, 1, "サーバーに接続。");           /* kana are not Han; 。 does not help */
    assert_int_equal(u.script, 2);
    assert_int_equal(u.other, 1);
    u = units(han, 1, "Enable 'clean_session' (MQTT v3.1.1)"); /* Enable clean session MQTT v */
    assert_int_equal(u.script, 0);
    assert_int_equal(u.other, 5);
    u = units(ja, 3, "サーバーに接続する。");
    assert_int_equal(u.script, 9);
    assert_int_equal(u.other, 0);
    u = units(ko, 1, "연결이 거부되었습니다 (ECONNREFUSED)");
    assert_int_equal(u.script, 10);
    assert_int_equal(u.other, 1);
    u = units(han, 1, "");
    assert_int_equal(u.script + u.other, 0);
    /* beyond the BMP: U+20000 is Han, U+1F600 no letter; Latin-1 letters
     * are other letters, and one of them joins the run of its word */
    u = units(han, 1, "\xF0\xA0\x80\x80\xF0\x9F\x98\x80 caf\xC3\xA9 \xC3\xA9t\xC3\xA9 \xE4\xB8\xAD");
    assert_int_equal(u.script, 2);
    assert_int_equal(u.other, 2);
}

static void script_names(void **state)
{
    (void)state;
    char *err = NULL;
    const char *unknown[] = {"Klingon"};
    assert_null(ekb_drift_script_new(unknown, 1, &err));
    assert_non_null(strstr(err, "'Klingon'"));
    free(err);
    const char *syntax[] = {"Han}|.*"};
    assert_null(ekb_drift_script_new(syntax, 1, &err));
    assert_non_null(strstr(err, "not a Unicode script name"));
    free(err);
    assert_null(ekb_drift_script_new(NULL, 0, &err));
    free(err);
}

/* A policy from YAML text, as ekb_policy_load would give it. */
static void policy_from(ekb_policy *p, const char *yaml)
{
    memset(p, 0, sizeof *p);
    ekb_diags d;
    ekb_diags_init(&d);
    ekb_limits lim = {.max_file_bytes = 1 << 20, .max_depth = 64};
    assert_int_equal(ekb_doc_load_buffer("policy.yaml", yaml, strlen(yaml), EKB_SYNTAX_YAML, &lim, &p->doc, &d), 0);
    ekb_diags_free(&d);
}

static void pairs(void **state)
{
    (void)state;
    ekb_policy p;
    policy_from(&p, "languages: {zh: {scripts: [Han]}}\n"
                    "translations:\n"
                    "  - {source: /signature, target: /signature_zh, lang: zh}\n"
                    "  - {source: /steps/*/lines/*, target: /steps_zh/*/*, lang: zh, min_script_share: 0.5}\n"
                    "drift: {min_script_share: 0.3}\n");
    ekb_drift_config cfg;
    ekb_diags d;
    ekb_diags_init(&d);
    assert_int_equal(ekb_drift_config_load(&cfg, &p, &d), 0);
    assert_int_equal(d.n, 0);
    assert_int_equal(cfg.n_pairs, 2);
    assert_true(cfg.pairs[0].limits.min_script_share == 0.3);
    assert_true(cfg.pairs[1].limits.min_script_share == 0.5);
    assert_true(cfg.pairs[1].limits.length_ratio_max == 1.5);
    assert_string_equal(cfg.lock_file, "schema/translations.lock");

    json_t *root = json_loads("{\"signature\": \"s\","
                              " \"steps\": [{\"lines\": [\"a\", \"b\"]}, {\"lines\": [\"c\"]}],"
                              " \"steps_zh\": [[\"甲\"], [\"丙\", \"丁\"], [\"戊\"]]}", 0, NULL);
    assert_non_null(root);
    ekb_drift_pairs ps = {0};
    assert_int_equal(ekb_drift_pairs_expand(root, &cfg, &ps), 0);
    static const struct {
        const char *src, *tgt;
        bool has_src, has_tgt, unpaired;
    } want[] = {
        {"/signature", "/signature_zh", true, false, false},
        {"/steps/0/lines/0", "/steps_zh/0/0", true, true, false},
        {"/steps/0/lines/1", "/steps_zh/0/1", true, false, true},
        {"/steps/1/lines/0", "/steps_zh/1/0", true, true, false},
        {"/steps/1/lines/1", "/steps_zh/1/1", false, true, true},
        {"/steps/2/lines/0", "/steps_zh/2/0", false, true, true}, /* beyond the source array */
    };
    assert_int_equal(ps.n, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(ps.v[i].source_ptr, want[i].src);
        assert_string_equal(ps.v[i].target_ptr, want[i].tgt);
        assert_int_equal(ps.v[i].source != NULL, want[i].has_src);
        assert_int_equal(ps.v[i].target != NULL, want[i].has_tgt);
        assert_int_equal(ps.v[i].unpaired, want[i].unpaired);
    }
    /* the outer arrays (2 vs 3) and the first inner pair (2 vs 1), (1 vs 2) */
    assert_int_equal(ps.n_mm, 3);
    assert_string_equal(ps.mm[0].target_ptr, "/steps_zh");
    assert_int_equal(ps.mm[0].source_n, 2);
    assert_int_equal(ps.mm[0].target_n, 3);
    assert_string_equal(ps.mm[1].source_ptr, "/steps/0/lines");
    assert_string_equal(ps.mm[2].target_ptr, "/steps_zh/1");
    ekb_drift_pairs_free(&ps);
    json_decref(root);
    ekb_drift_config_free(&cfg);
    ekb_diags_free(&d);
    ekb_doc_free(p.doc);
}

static void bad_policy(void **state)
{
    (void)state;
    ekb_policy p;
    policy_from(&p, "languages: {zh: {scripts: [Han]}}\n"
                    "translations:\n"
                    "  - {source: /a/*, target: /b, lang: zh}\n"
                    "  - {source: /c, target: /d, lang: fr}\n"
                    "drift: {min_script_share: 2}\n");
    ekb_drift_config cfg;
    ekb_diags d;
    ekb_diags_init(&d);
    assert_int_equal(ekb_drift_config_load(&cfg, &p, &d), 1);
    assert_int_equal(d.n, 3);
    ekb_diags_sort(&d);
    assert_non_null(strstr(d.v[0].message, "must have as many '*' segments"));
    assert_non_null(strstr(d.v[1].message, "language 'fr' is not declared"));
    assert_non_null(strstr(d.v[2].message, "out of range"));
    ekb_drift_config_free(&cfg);
    ekb_diags_free(&d);
    ekb_doc_free(p.doc);
}

static void fingerprints(void **state)
{
    (void)state;
    /* FNV-1a 64 test vectors */
    assert_true(ekb_drift_fingerprint("", 0) == UINT64_C(0xcbf29ce484222325));
    assert_true(ekb_drift_fingerprint("a", 1) == UINT64_C(0xaf63dc4c8601ec8c));
    assert_true(ekb_drift_fingerprint("foobar", 6) == UINT64_C(0x85944171f73967e8));
}

static char *temp_path(char dir[32], const char *name)
{
    strcpy(dir, "/tmp/test-drift-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return ekb_path_join(dir, name);
}

static void lock_round_trip(void **state)
{
    (void)state;
    char dir[32];
    char *path = temp_path(dir, "translations.lock");
    ekb_diags d;
    ekb_diags_init(&d);
    ekb_drift_lock l;
    assert_int_equal(ekb_drift_lock_read(&l, path, &d), 0); /* no file yet */
    assert_false(l.exists);
    assert_int_equal(ekb_drift_lock_add(&l, "b/y", "/signature_zh", 0x1), 0);
    assert_int_equal(ekb_drift_lock_add(&l, "a/x", "/workarounds_zh/1", UINT64_C(0xfedcba9876543210)), 0);
    assert_int_equal(ekb_drift_lock_add(&l, "a/x", "/root_cause_zh", 0x2), 0);
    assert_int_equal(ekb_drift_lock_write(&l, path), 0);
    ekb_drift_lock_free(&l);

    char *text;
    size_t len;
    assert_int_equal(ekb_read_file(path, 1 << 20, &text, &len), 0);
    const char *body = strstr(text, "\na/x");
    assert_non_null(body);
    assert_string_equal(body + 1, "a/x /root_cause_zh 0000000000000002\n"
                                  "a/x /workarounds_zh/1 fedcba9876543210\n"
                                  "b/y /signature_zh 0000000000000001\n");
    assert_int_equal(text[0], '#'); /* the header comment */
    free(text);

    assert_int_equal(ekb_drift_lock_read(&l, path, &d), 0);
    assert_true(l.exists);
    assert_int_equal(l.n, 3);
    const ekb_drift_lock_line *line = ekb_drift_lock_find(&l, "a/x", "/workarounds_zh/1");
    assert_non_null(line);
    assert_true(line->fp == UINT64_C(0xfedcba9876543210));
    assert_int_equal(line->line, 8);
    assert_null(ekb_drift_lock_find(&l, "a/x", "/signature_zh"));
    ekb_drift_lock_free(&l);
    assert_int_equal(d.n, 0);
    unlink(path);
    rmdir(dir);
    free(path);
}

static void lock_errors(void **state)
{
    (void)state;
    char dir[32];
    char *path = temp_path(dir, "translations.lock");
    static const char text[] = "# comment\n"
                               "\n"
                               "a/x /signature_zh 00000000000000zz\n"
                               "a/x signature_zh 0000000000000001\n"
                               "a/x /root_cause_zh\n"
                               "a/x /root_cause_zh 0000000000000001 extra\n"
                               "b/y /signature_zh 0000000000000001\r\n"
                               "b/y /signature_zh 0000000000000002\n";
    assert_int_equal(ekb_write_file_atomic(path, text, sizeof text - 1), 0);
    ekb_diags d;
    ekb_diags_init(&d);
    ekb_drift_lock l;
    assert_int_equal(ekb_drift_lock_read(&l, path, &d), 1);
    ekb_diags_sort(&d);
    assert_int_equal(d.n, 5);
    static const struct {
        unsigned line, col;
        const char *says;
    } want[] = {
        {3, 19, "is not 16 hex digits"},
        {4, 5, "is not a JSON pointer"},
        {5, 1, "expected '<entry id> <pointer> <fingerprint>'"},
        {6, 37, "unexpected text"},
        {8, 1, "listed twice (first on line 7)"},
    };
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(d.v[i].line, want[i].line);
        assert_int_equal(d.v[i].col, want[i].col);
        assert_non_null(strstr(d.v[i].message, want[i].says));
        assert_string_equal(d.v[i].rule, "drift.lock");
    }
    ekb_drift_lock_free(&l);
    ekb_diags_free(&d);
    unlink(path);
    rmdir(dir);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(extraction),
        cmocka_unit_test(normalisation),
        cmocka_unit_test(matching),
        cmocka_unit_test(scripts),
        cmocka_unit_test(script_names),
        cmocka_unit_test(pairs),
        cmocka_unit_test(bad_policy),
        cmocka_unit_test(fingerprints),
        cmocka_unit_test(lock_round_trip),
        cmocka_unit_test(lock_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

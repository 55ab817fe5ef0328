/* test_prefilter.c: the prefilter: the atoms and AND/OR trees of many
 * patterns; that it never drops a real match, on the bundled corpus (every
 * text and background line against every regex, compared with brute force)
 * and on random patterns; the serialised form; the case folding it relies on.
 * usage: test-prefilter ENTRIES_DIR */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "builtin.h"
#include "corpus.h"
#include "regex/compile.h"
#include "regex/prefilter.h"
#include "regex/syntax.h"

static const char *entries_dir;

#define OPTS (PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS)

static char *describe_one(const char *pattern, uint32_t options)
{
    ekb_prefilter *pf = ekb_prefilter_new(0);
    assert_non_null(pf);
    uint32_t id;
    assert_int_equal(ekb_prefilter_add(pf, pattern, strlen(pattern), options, &id), 0);
    assert_int_equal(id, 0);
    char *d = ekb_prefilter_describe(pf, id);
    assert_non_null(d);
    ekb_prefilter_free(pf);
    return d;
}

static void trees(void **state)
{
    (void)state;
    static const struct { const char *pattern, *want; } cases[] = {
        {"abc", "'abc'"},
        {"ab", "ALL"}, /* shorter than the minimum atom */
        {"abc|def", "OR('abc', 'def')"},
        {"abc.*def", "AND('abc', 'def')"},
        {"HeLLo WoRLD", "'hello world'"},
        {"(?-i:No space left)", "'no space left'"},
        {"colou?r", "OR('colour', 'color')"},
        {"x[ab]yz", "OR('xayz', 'xbyz')"},
        {"[Cc]onnection", "'connection'"},
        {"\\d+ errors? found", "OR(' errors found', ' error found')"},
        {"foo(?:bar|baz)+qux", "AND('foo', OR('bar', 'baz'), 'qux')"},
        {"a(?=b)bcd", "'abcd'"},
        {"\\Qa.b*c\\E", "'a.b*c'"},
        {"[^x]abc", "'abc'"},
        {"\\x{212A}elvin", "'kelvin'"},                 /* Kelvin sign folds to k */
        {"\\x{17F}ession", "'session'"},                /* long s folds to s */
        {"\\x{e9}t\\x{e9} connect", "' connect'"},      /* no atom holds non-ASCII */
        {"ab(*ACCEPT)cdef", "ALL"},                     /* a match may end early */
        {"(abc)\\1xyz", "AND('abc', 'xyz')"},
        {"abc{2}d", "'abccd'"},
        {"(?:ab){3,}", "'ababab'"},
        {"a|b|cde", "ALL"},
        {"x{0}abc", "'abc'"},
        {"(?x) a b c  # a comment", "'abc'"},
        {"a\\Kbcd", "'abcd'"},
        {"(?i)Err(?-i)OR: bad", "'error: bad'"},
        {"\\bfatal\\b: (?<!x)y", "'fatal: y'"},
        /* 2 x 2 x 2 x 2 strings fit an exact set, 32 do not: the 16 become a
         * requirement, the rest starts again */
        {"(?:a|b)(?:c|d)(?:e|f)(?:g|h)(?:i|j)xyz",
         "AND(OR('aceg', 'aceh', 'acfg', 'acfh', 'adeg', 'adeh', 'adfg', 'adfh', 'bceg', 'bceh', 'bcfg', 'bcfh', "
         "'bdeg', 'bdeh', 'bdfg', 'bdfh'), OR('ixyz', 'jxyz'))"},
        {"", "ALL"},
        {".*", "ALL"},
        {"(?:error|warning): \\S+ not found", "AND(OR('error: ', 'warning: '), ' not found')"},
        {"[\\w.-]+@example\\.com", "'@example.com'"},
        {"(?<name>abc)(?P=name)", "'abc'"},
        {"(?(1)abc|def)ghi", "'ghi'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *d = describe_one(cases[i].pattern, OPTS);
        if (strcmp(d, cases[i].want) != 0)
            fail_msg("pattern '%s': got %s, want %s", cases[i].pattern, d, cases[i].want);
        free(d);
    }
    /* a literal longer than EKB_PF_MAX_ATOM is cut: its start is still required */
    char long_lit[200];
    memset(long_lit, 'q', sizeof long_lit - 1);
    long_lit[sizeof long_lit - 1] = '\0';
    char *d = describe_one(long_lit, OPTS);
    assert_int_equal(strlen(d), EKB_PF_MAX_ATOM + 2);
    free(d);
    /* extended mode from the options, not the pattern */
    d = describe_one("a b c", OPTS | PCRE2_EXTENDED);
    assert_string_equal(d, "'abc'");
    free(d);
}

/* --- a corpus of patterns and texts, and the brute-force comparison --- */

typedef struct strs {
    char **v;
    size_t *len;
    size_t n, cap;
} strs;

static void push(strs *s, const char *p, size_t len)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        s->len = realloc(s->len, s->cap * sizeof *s->len);
        assert_non_null(s->v);
        assert_non_null(s->len);
    }
    s->v[s->n] = malloc(len + 1);
    assert_non_null(s->v[s->n]);
    memcpy(s->v[s->n], p, len);
    s->v[s->n][len] = '\0';
    s->len[s->n++] = len;
}

static void strs_free(strs *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    free(s->len);
}

/* Every (text, pattern) pair that PCRE2 matches must be among the text's
 * candidates. Returns the number of matching pairs (so callers can check
 * that the comparison meant something); *runs gets the candidates. */
static size_t never_drops(const strs *patterns, const strs *texts, uint32_t options, size_t *runs)
{
    /* random patterns can backtrack a lot on the texts: a low limit keeps the
     * test quick; a limit is no match, and only matches are compared */
    ekb_regex_opts o = {.options = options, .match_limit = 20000, .depth_limit = 1000, .heap_limit_kib = 20480};
    ekb_prefilter *pf = ekb_prefilter_new(0);
    assert_non_null(pf);
    pcre2_code **code = calloc(patterns->n + 1, sizeof *code);
    uint32_t *pf_of = calloc(patterns->n + 1, sizeof *pf_of);
    assert_non_null(code);
    assert_non_null(pf_of);
    for (size_t i = 0; i < patterns->n; i++) {
        int err;
        size_t off;
        if (ekb_regex_compile(&o, patterns->v[i], patterns->len[i], 0, true, &code[i], &err, &off) != 0)
            continue;
        assert_int_equal(ekb_prefilter_add(pf, patterns->v[i], patterns->len[i], options, &pf_of[i]), 0);
    }
    assert_int_equal(ekb_prefilter_compile(pf), 0);
    size_t filtered = 0;
    for (size_t i = 0; i < patterns->n; i++)
        filtered += code[i] && !ekb_prefilter_unfiltered(pf, pf_of[i]);
    /* most patterns have a requirement to check, or the test proves little */
    assert_true(filtered * 2 > patterns->n);
    ekb_pf_scratch *s = ekb_pf_scratch_new(pf);
    assert_non_null(s);
    ekb_matcher m;
    assert_int_equal(ekb_matcher_init(&m, &o), 0);
    size_t matches = 0;
    *runs = 0;
    /* candidate[p] == t + 1: pattern p is a candidate for text t */
    size_t *candidate = calloc(patterns->n + 1, sizeof *candidate);
    assert_non_null(candidate);
    for (size_t t = 0; t < texts->n; t++) {
        const uint32_t *ids;
        size_t n;
        assert_int_equal(ekb_prefilter_candidates(pf, s, texts->v[t], texts->len[t], &ids, &n), 0);
        *runs += n;
        for (size_t k = 0; k < n; k++) {
            assert_true(k == 0 || ids[k - 1] < ids[k]);
            assert_true(ids[k] < patterns->n);
            candidate[ids[k]] = t + 1;
        }
        /* one pattern's answer alone is the same */
        for (size_t i = 0; i < patterns->n; i++) {
            bool may = false;
            if (!code[i])
                continue;
            assert_int_equal(ekb_prefilter_may_match(pf, s, pf_of[i], texts->v[t], texts->len[t], &may), 0);
            if (may != (candidate[pf_of[i]] == t + 1))
                fail_msg("may_match says %d for pattern '%s' on '%s'", may, patterns->v[i], texts->v[t]);
        }
        for (size_t i = 0; i < patterns->n; i++) {
            if (!code[i] || ekb_regex_match(&m, code[i], texts->v[t], texts->len[t], NULL, NULL, NULL) != EKB_MATCH_FOUND)
                continue;
            matches++;
            if (candidate[pf_of[i]] != t + 1) {
                char *d = ekb_prefilter_describe(pf, pf_of[i]);
                fail_msg("dropped: pattern '%s' (%s) matches '%s'", patterns->v[i], d ? d : "?", texts->v[t]);
            }
        }
    }
    free(candidate);
    ekb_matcher_free(&m);
    ekb_pf_scratch_free(s);
    for (size_t i = 0; i < patterns->n; i++)
        pcre2_code_free(code[i]);
    free(code);
    free(pf_of);
    ekb_prefilter_free(pf);
    return matches;
}

static void add_strings(strs *s, json_t *arr)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
        if (json_is_string(v))
            push(s, json_string_value(v), json_string_length(v));
}

static void bundled_corpus(void **state)
{
    (void)state;
    ekb_corpus c;
    ekb_diags d;
    ekb_diags_init(&d);
    ekb_corpus_options co = {.corpus_dir = entries_dir, .no_schema = true};
    assert_int_equal(ekb_corpus_open(&c, &co, &d), 0);
    assert_int_equal(ekb_corpus_load(&c, true, 0, &d), 0);
    strs patterns = {0}, texts = {0};
    for (size_t i = 0; i < c.n; i++) {
        if (!c.files[i].doc)
            continue;
        json_t *root = c.files[i].doc->root, *re = json_object_get(root, "regex");
        if (json_is_string(re))
            push(&patterns, json_string_value(re), json_string_length(re));
        json_t *sig = json_object_get(root, "signature");
        if (json_is_string(sig))
            push(&texts, json_string_value(sig), json_string_length(sig));
        add_strings(&texts, json_object_get(root, "aliases"));
        add_strings(&texts, json_object_get(json_object_get(root, "samples"), "match"));
        add_strings(&texts, json_object_get(json_object_get(root, "samples"), "no_match"));
    }
    /* and the background lines */
    const char *bg = (const char *)ekb_builtin_background_log;
    for (const char *p = bg; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len && *p != '#')
            push(&texts, p, len);
        p += len + (nl != NULL);
    }
    assert_true(patterns.n >= 100);
    size_t runs;
    size_t matches = never_drops(&patterns, &texts, PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &runs);
    /* every entry's own texts match it: a comparison of substance */
    assert_true(matches >= patterns.n);
    /* and the prefilter saves nearly all of the runs */
    assert_true(runs * 20 < patterns.n * texts.n);
    print_message("bundled corpus: %zu patterns, %zu texts, %zu matches, %zu runs instead of %zu\n", patterns.n,
                  texts.n, matches, runs, patterns.n * texts.n);
    strs_free(&patterns);
    strs_free(&texts);
    ekb_corpus_close(&c);
    ekb_diags_free(&d);
}

/* --- random patterns --- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

/* Pieces the patterns and the texts share, so that they match often. Some
 * carry case and the two non-ASCII letters that fold to ASCII. */
static const char *const words[] = {
    "err", "Error", "ERROR", "fail", "failed", "conn", "refused", "Connection", "timeout", "abc", "abcabc",
    "kelvin", "\xe2\x84\xaa" "elvin", "se\xc5\xbfsion", "session", "x", "y", "xy", "12", "404", ": ", " ", "-",
    "\xc3\xa9t\xc3\xa9", "a.b", "q*", "\n", "KEY", "sss",
};
#define N_WORDS (sizeof words / sizeof *words)

static void escape_into(ekb_strbuf *sb, const char *w)
{
    for (; *w; w++) {
        if (strchr("\\^$.|?*+()[]{}", *w))
            ekb_strbuf_addc(sb, '\\');
        if (*w == '\n')
            ekb_strbuf_adds(sb, "\\n");
        else
            ekb_strbuf_addc(sb, *w);
    }
}

static void gen(ekb_strbuf *sb, int depth);

static void gen_atom(ekb_strbuf *sb, int depth)
{
    switch (rnd(depth > 3 ? 8 : 14)) {
    case 0: case 1: case 2: case 3:
        escape_into(sb, words[rnd(N_WORDS)]);
        break;
    case 4: {
        static const char *const classes[] = {"[a-c]", "[Kk]", "[^x]", "\\d", "\\w", "\\s", ".", "[xy]", "[\\x{212A}s]",
                                              "[:-]", "\\S", "[[:alpha:]]", "\\x{17F}", "[e\\x{e9}]"};
        ekb_strbuf_adds(sb, classes[rnd(sizeof classes / sizeof *classes)]);
        break;
    }
    case 5: {
        static const char *const asserts[] = {"\\b", "^", "$", "(?=e)", "(?!x)", "(?<=r)", "(?<!q)", "\\B", "(?i)",
                                              "(?-i)", "\\K"};
        ekb_strbuf_adds(sb, asserts[rnd(sizeof asserts / sizeof *asserts)]);
        return; /* PCRE2 refuses most quantified assertions */
    }
    case 6:
        ekb_strbuf_adds(sb, "\\Q");
        ekb_strbuf_adds(sb, words[rnd(N_WORDS)][0] == '\n' ? "n" : words[rnd(N_WORDS)]);
        ekb_strbuf_adds(sb, "\\E");
        break;
    case 7:
        escape_into(sb, words[rnd(N_WORDS)]);
        escape_into(sb, words[rnd(N_WORDS)]);
        break;
    default: {
        static const char *const opens[] = {"(?:", "(", "(?i:", "(?-i:", "(?>", "(?|"};
        ekb_strbuf_adds(sb, opens[rnd(sizeof opens / sizeof *opens)]);
        gen(sb, depth + 1);
        ekb_strbuf_addc(sb, ')');
    }
    }
    static const char *const quants[] = {"", "", "", "", "*", "+", "?", "{2}", "{1,3}", "{0,2}", "{2,}", "*?", "+?",
                                         "?+", "{0}"};
    ekb_strbuf_adds(sb, quants[rnd(sizeof quants / sizeof *quants)]);
}

static void gen(ekb_strbuf *sb, int depth)
{
    unsigned branches = 1 + (rnd(3) == 0) * (1 + rnd(2));
    for (unsigned b = 0; b < branches; b++) {
        if (b)
            ekb_strbuf_addc(sb, '|');
        unsigned items = 1 + rnd(4);
        for (unsigned i = 0; i < items; i++)
            gen_atom(sb, depth);
    }
}

static void random_patterns(void **state)
{
    (void)state;
    strs patterns = {0}, texts = {0};
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    for (int i = 0; i < 2000; i++) {
        ekb_strbuf_reset(&sb);
        gen(&sb, 0);
        push(&patterns, sb.s ? sb.s : "", sb.len);
    }
    for (int i = 0; i < 2000; i++) {
        ekb_strbuf_reset(&sb);
        unsigned n = 1 + rnd(8);
        for (unsigned k = 0; k < n; k++)
            ekb_strbuf_adds(&sb, words[rnd(N_WORDS)]);
        push(&texts, sb.s ? sb.s : "", sb.len);
    }
    ekb_strbuf_free(&sb);
    /* the parser understands every pattern PCRE2 accepts here (a pattern it
     * gave up on would be always run: safe, but it would prove nothing) */
    ekb_regex_opts o = {.options = OPTS, .match_limit = 1000, .depth_limit = 100, .heap_limit_kib = 1024};
    size_t compiled = 0;
    for (size_t i = 0; i < patterns.n; i++) {
        pcre2_code *re;
        int err;
        size_t off;
        if (ekb_regex_compile(&o, patterns.v[i], patterns.len[i], 0, false, &re, &err, &off) != 0)
            continue;
        pcre2_code_free(re);
        compiled++;
        ekb_rx_tree t;
        if (ekb_rx_parse(patterns.v[i], patterns.len[i], OPTS, &t) != 0)
            fail_msg("the parser gave up on '%s'", patterns.v[i]);
        ekb_rx_tree_free(&t);
    }
    size_t runs;
    size_t caseless = never_drops(&patterns, &texts, PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS, &runs);
    size_t sensitive = never_drops(&patterns, &texts, PCRE2_UTF | PCRE2_UCP, &runs);
    print_message("random: %zu patterns (%zu compile) x %zu texts: %zu + %zu matches\n", patterns.n, compiled, texts.n,
                  caseless, sensitive);
    /* many pairs matched, so the property was put to the test */
    assert_true(caseless > 10000);
    assert_true(sensitive > 5000);
    assert_true(compiled > patterns.n * 9 / 10);
    strs_free(&patterns);
    strs_free(&texts);
}

/* --- the serialised form --- */

static void round_trip(void **state)
{
    (void)state;
    static const char *const patterns[] = {
        "connection refused", "x[ab]yz|foo\\d+bar", ".*", "(?:error|warning): \\S+ not found", "abc(de|fgh)ij",
    };
    static const char *const texts[] = {
        "ERROR: libfoo not found", "Connection Refused", "xayz", "foo12bar", "abcfghij", "nothing", "",
    };
    size_t np = sizeof patterns / sizeof *patterns;
    ekb_prefilter *a = ekb_prefilter_new(0), *b = ekb_prefilter_new(0);
    assert_non_null(a);
    assert_non_null(b);
    for (size_t i = 0; i < np; i++) {
        uint32_t id;
        assert_int_equal(ekb_prefilter_add(a, patterns[i], strlen(patterns[i]), OPTS, &id), 0);
    }
    /* copy through the public data only: atoms as strings, flat programs */
    size_t na = ekb_prefilter_atoms(a);
    const char **atom = calloc(na + 1, sizeof *atom);
    size_t *len = calloc(na + 1, sizeof *len);
    assert_non_null(atom);
    assert_non_null(len);
    for (size_t k = 0; k < na; k++)
        atom[k] = ekb_prefilter_atom(a, k, &len[k]);
    for (uint32_t i = 0; i < np; i++) {
        size_t n;
        const ekb_pf_step *steps = ekb_prefilter_program(a, i, &n);
        uint32_t id;
        assert_int_equal(ekb_prefilter_add_program(b, steps, n, atom, len, &id), 0);
        assert_int_equal(id, i);
        assert_int_equal(ekb_prefilter_unfiltered(a, i), ekb_prefilter_unfiltered(b, i));
        char *da = ekb_prefilter_describe(a, i), *db = ekb_prefilter_describe(b, i);
        assert_string_equal(da, db);
        free(da);
        free(db);
    }
    free(atom);
    free(len);
    assert_int_equal(ekb_prefilter_compile(a), 0);
    assert_int_equal(ekb_prefilter_compile(b), 0);
    ekb_pf_scratch *sa = ekb_pf_scratch_new(a), *sb = ekb_pf_scratch_new(b);
    assert_non_null(sa);
    assert_non_null(sb);
    for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
        const uint32_t *ia, *ib;
        size_t na2, nb2;
        assert_int_equal(ekb_prefilter_candidates(a, sa, texts[t], strlen(texts[t]), &ia, &na2), 0);
        assert_int_equal(ekb_prefilter_candidates(b, sb, texts[t], strlen(texts[t]), &ib, &nb2), 0);
        assert_int_equal(na2, nb2);
        assert_memory_equal(ia, ib, na2 * sizeof *ia);
    }
    /* "ERROR: libfoo not found": pattern 3, and the unfiltered ".*" */
    const uint32_t *ids;
    size_t n;
    assert_int_equal(ekb_prefilter_candidates(a, sa, texts[0], strlen(texts[0]), &ids, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], 2);
    assert_int_equal(ids[1], 3);
    ekb_pf_scratch_free(sa);
    ekb_pf_scratch_free(sb);
    ekb_prefilter_free(a);
    ekb_prefilter_free(b);
}

/* known programs: pattern i of the batch is pattern map[i] of src, or not
 * there when map[i] is -1 */
static long known_id(const void *ctx, size_t i)
{
    return ((const long *)ctx)[i];
}

/* Asserts that a and b hold the same atoms in the same order and the same
 * programs. */
static void assert_same_prefilter(const ekb_prefilter *a, const ekb_prefilter *b)
{
    assert_int_equal(ekb_prefilter_atoms(a), ekb_prefilter_atoms(b));
    for (size_t k = 0; k < ekb_prefilter_atoms(a); k++) {
        size_t la, lb;
        const char *x = ekb_prefilter_atom(a, k, &la), *y = ekb_prefilter_atom(b, k, &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(x, y, la);
    }
    assert_int_equal(ekb_prefilter_patterns(a), ekb_prefilter_patterns(b));
    for (uint32_t i = 0; i < ekb_prefilter_patterns(a); i++) {
        size_t na, nb;
        const ekb_pf_step *x = ekb_prefilter_program(a, i, &na), *y = ekb_prefilter_program(b, i, &nb);
        assert_int_equal(na, nb);
        for (size_t k = 0; k < na; k++) {
            assert_int_equal(x[k].op, y[k].op);
            assert_int_equal(x[k].arg, y[k].arg);
        }
    }
}

/* Copying the programs another prefilter made (in another order, of a part
 * of the patterns) gives what analysing every pattern gives: errkb-compile's
 * index takes them from its regex checks. */
static void known_programs(void **state)
{
    (void)state;
    enum { N = 3000 };
    strs patterns = {0};
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    for (int i = 0; i < N; i++) {
        ekb_strbuf_reset(&sb);
        gen(&sb, 0);
        push(&patterns, sb.s ? sb.s : "", sb.len);
    }
    ekb_strbuf_free(&sb);
    uint32_t *ids = malloc(N * sizeof *ids);
    long *map = malloc(N * sizeof *map);
    const char **rev = malloc(N * sizeof *rev);
    size_t *rev_len = malloc(N * sizeof *rev_len);
    assert_non_null(ids);
    assert_non_null(map);
    assert_non_null(rev);
    assert_non_null(rev_len);
    /* src: every third pattern left out, the others in reverse order */
    size_t n_src = 0;
    for (size_t i = N; i-- > 0;)
        if (i % 3 != 0) {
            rev[n_src] = patterns.v[i];
            rev_len[n_src++] = patterns.len[i];
        }
    ekb_prefilter *src = ekb_prefilter_new(0), *plain = ekb_prefilter_new(0), *copied = ekb_prefilter_new(0);
    assert_non_null(src);
    assert_non_null(plain);
    assert_non_null(copied);
    assert_int_equal(ekb_prefilter_add_all(src, rev, rev_len, n_src, OPTS, 2, ids), 0);
    size_t k = 0;
    for (size_t i = N; i-- > 0;)
        map[i] = i % 3 != 0 ? (long)ids[k++] : -1;
    assert_int_equal(ekb_prefilter_add_all(plain, (const char *const *)patterns.v, patterns.len, N, OPTS, 2, ids), 0);
    ekb_pf_known known = {src, known_id, map};
    assert_int_equal(
        ekb_prefilter_add_all_known(copied, (const char *const *)patterns.v, patterns.len, N, OPTS, 2, &known, ids),
        0);
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(ids[i], i);
    assert_same_prefilter(plain, copied);
    /* src lacks the atoms of the patterns left out: those were analysed */
    assert_true(ekb_prefilter_atoms(src) < ekb_prefilter_atoms(plain));
    ekb_prefilter_free(src);
    ekb_prefilter_free(plain);
    ekb_prefilter_free(copied);
    free(ids);
    free(map);
    free(rev);
    free(rev_len);
    strs_free(&patterns);
}

static void malformed_programs(void **state)
{
    (void)state;
    ekb_prefilter *pf = ekb_prefilter_new(0);
    assert_non_null(pf);
    const char *atom[] = {"abc", "def"};
    size_t len[] = {3, 3};
    uint32_t id;
    ekb_pf_step too_few[] = {{EKB_PF_ATOM, 0}, {EKB_PF_AND, 2}};
    ekb_pf_step two_left[] = {{EKB_PF_ATOM, 0}, {EKB_PF_ATOM, 1}};
    ekb_pf_step bad_op[] = {{7, 0}};
    ekb_pf_step good[] = {{EKB_PF_ATOM, 0}, {EKB_PF_ATOM, 1}, {EKB_PF_OR, 2}};
    assert_int_equal(ekb_prefilter_add_program(pf, too_few, 2, atom, len, &id), 1);
    assert_int_equal(ekb_prefilter_add_program(pf, two_left, 2, atom, len, &id), 1);
    assert_int_equal(ekb_prefilter_add_program(pf, bad_op, 1, atom, len, &id), 1);
    assert_int_equal(ekb_prefilter_add_program(pf, good, 3, atom, len, &id), 0);
    assert_int_equal(ekb_prefilter_patterns(pf), 1);
    char *d = ekb_prefilter_describe(pf, id);
    assert_string_equal(d, "OR('abc', 'def')");
    free(d);
    ekb_prefilter_free(pf);
}

/* The text folding maps ASCII upper case, U+017F and U+212A to lower-case
 * ASCII. That is enough only if no other code point matches an ASCII letter
 * caselessly: ask PCRE2 about every one. */
static void case_folding_is_complete(void **state)
{
    (void)state;
    ekb_regex_opts o = {.options = OPTS, .match_limit = 1000, .depth_limit = 100, .heap_limit_kib = 1024};
    pcre2_code *re;
    int err;
    size_t off;
    const char *p = "^[a-z0-9]$";
    assert_int_equal(ekb_regex_compile(&o, p, strlen(p), 0, true, &re, &err, &off), 0);
    ekb_matcher m;
    assert_int_equal(ekb_matcher_init(&m, &o), 0);
    size_t found = 0;
    for (uint32_t cp = 0x80; cp < 0x110000; cp++) {
        if (cp >= 0xD800 && cp < 0xE000)
            continue;
        char buf[4];
        size_t n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (n == 2) {
            buf[0] = (char)(0xC0 | (cp >> 6));
        } else if (n == 3) {
            buf[0] = (char)(0xE0 | (cp >> 12));
            buf[1] = (char)(0x80 | ((cp >> 6) & 63));
        } else {
            buf[0] = (char)(0xF0 | (cp >> 18));
            buf[1] = (char)(0x80 | ((cp >> 12) & 63));
            buf[2] = (char)(0x80 | ((cp >> 6) & 63));
        }
        if (n == 2)
            buf[1] = (char)(0x80 | (cp & 63));
        else
            buf[n - 1] = (char)(0x80 | (cp & 63));
        if (ekb_regex_match(&m, re, buf, n, NULL, NULL, NULL) == EKB_MATCH_FOUND) {
            if (cp != 0x17F && cp != 0x212A)
                fail_msg("U+%04X matches an ASCII letter caselessly but is not folded", cp);
            found++;
        }
    }
    assert_int_equal(found, 2);
    ekb_matcher_free(&m);
    pcre2_code_free(re);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test-prefilter ENTRIES_DIR\n");
        return 2;
    }
    entries_dir = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(trees),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(malformed_programs),
        cmocka_unit_test(known_programs),
        cmocka_unit_test(case_folding_is_complete),
        cmocka_unit_test(bundled_corpus),
        cmocka_unit_test(random_patterns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

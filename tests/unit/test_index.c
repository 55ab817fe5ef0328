/* test_index.c: the index writer and the reader: round trip of every bundled
 * entry, determinism, corruption (truncations, byte flips), lookups, groups,
 * languages, matching (prefilter against every regex tried), threads, and
 * the generated files written all or nothing.
 * usage: test-index ENTRIES_DIR FIXTURE_ENTRIES_DIR */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "corpus.h"
#include "index/huffman.h"
#include "index/index.h"
#include "index/output.h"
#include "reader/errkb_reader.h"
#include "reader/format.h"

static const char *bundled_dir, *fixture_dir;

typedef struct built {
    ekb_corpus c;
    ekb_index ix;
    ekb_reader *r;
} built;

static void build_from(const char *entries, bool samples, built *b)
{
    memset(b, 0, sizeof *b);
    ekb_diags d;
    ekb_diags_init(&d);
    ekb_corpus_options co = {.corpus_dir = entries};
    assert_int_equal(ekb_corpus_open(&b->c, &co, &d), 0);
    assert_int_equal(ekb_corpus_load(&b->c, true, 1, &d), 0);
    ekb_index_options io = {.samples = samples};
    assert_int_equal(ekb_index_build(&b->c, &io, &b->ix, &d), 0);
    assert_int_equal(d.n, 0);
    ekb_diags_free(&d);
    ekb_reader_error err;
    assert_int_equal(ekb_reader_open_memory(b->ix.data, b->ix.len, 0, &b->r, &err), 0);
}

static void built_free(built *b)
{
    ekb_reader_close(b->r);
    ekb_index_free(&b->ix);
    ekb_corpus_close(&b->c);
}

/* Integers become reals, so that 1 and 1.0 compare equal. Takes v (a
 * reference the caller gave up) and returns the converted value. */
static json_t *numbers_as_reals(json_t *v)
{
    if (json_is_integer(v)) {
        json_t *real = json_real((double)json_integer_value(v));
        json_decref(v);
        return real;
    }
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) json_object_set_new(v, k, numbers_as_reals(json_incref(x)));
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            json_array_set_new(v, i, numbers_as_reals(json_incref(json_array_get(v, i))));
    }
    return v;
}

static void check_round_trip(bool samples)
{
    built b;
    build_from(bundled_dir, samples, &b);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_non_null(mem);
    assert_int_equal(ekb_reader_dump_json(b.r, mem, NULL), 0);
    fclose(mem);
    json_error_t je;
    json_t *dump = json_loads(text, 0, &je);
    assert_non_null(dump);
    json_t *entries = json_object_get(dump, "entries");
    assert_int_equal(json_array_size(entries), b.ix.entries);
    size_t checked = 0;
    for (size_t i = 0; i < b.c.n_corpus; i++) {
        json_t *src = json_deep_copy(b.c.files[i].doc->root);
        if (!samples)
            json_object_del(src, "samples");
        uint32_t at;
        assert_int_equal(ekb_reader_find(b.r, json_string_value(json_object_get(src, "id")), &at), 1);
        json_t *got = json_deep_copy(json_array_get(entries, at));
        src = numbers_as_reals(src);
        got = numbers_as_reals(got);
        if (!json_equal(src, got)) {
            char *a = json_dumps(src, JSON_SORT_KEYS), *g = json_dumps(got, JSON_SORT_KEYS);
            fail_msg("entry %s differs:\n%s\n%s", b.c.files[i].path, a, g);
        }
        json_decref(src);
        json_decref(got);
        checked++;
    }
    assert_int_equal(checked, b.ix.entries);
    json_decref(dump);
    free(text);
    built_free(&b);
}

static void round_trip(void **state)
{
    (void)state;
    check_round_trip(false);
}

static void round_trip_samples(void **state)
{
    (void)state;
    check_round_trip(true);
}

static int write_text(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(text, 1, len, f);
    return fclose(f) == 0 && w == len ? 0 : -1;
}

/* The same corpus copied with its files created in reverse order, under
 * another time zone and locale, compiles to the same bytes. */
static void determinism(void **state)
{
    (void)state;
    built a, b2;
    build_from(bundled_dir, false, &a);
    build_from(bundled_dir, false, &b2);
    assert_int_equal(a.ix.len, b2.ix.len);
    assert_memory_equal(a.ix.data, b2.ix.data, a.ix.len);
    built_free(&b2);

    char tmpl[] = "/tmp/ekb-det-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char *root = ekb_path_join(tmpl, "entries");
    assert_int_equal(mkdir(root, 0777), 0);
    for (size_t i = a.c.n_corpus; i-- > 0;) {
        ekb_corpus_file *f = &a.c.files[i];
        char *path = ekb_path_join(root, f->rel), *slash = strrchr(path, '/');
        *slash = '\0';
        mkdir(path, 0777);
        *slash = '/';
        char *text;
        size_t len;
        assert_int_equal(ekb_read_file(f->path, 1 << 24, &text, &len), 0);
        assert_int_equal(write_text(path, text, len), 0);
        free(text);
        free(path);
    }
    char *schema_src = ekb_path_join(a.c.root, "schema"), *schema_dst = ekb_path_join(tmpl, "schema");
    assert_int_equal(mkdir(schema_dst, 0777), 0);
    const char *names[] = {"entry.schema.json", "policy.yaml"};
    for (int k = 0; k < 2; k++) {
        char *from = ekb_path_join(schema_src, names[k]), *to = ekb_path_join(schema_dst, names[k]), *text;
        size_t len;
        assert_int_equal(ekb_read_file(from, 1 << 24, &text, &len), 0);
        assert_int_equal(write_text(to, text, len), 0);
        free(text);
        free(from);
        free(to);
    }
    setenv("TZ", "Pacific/Kiritimati", 1);
    tzset();
    setlocale(LC_ALL, "C.UTF-8");
    built c;
    build_from(root, false, &c);
    assert_int_equal(a.ix.len, c.ix.len);
    assert_memory_equal(a.ix.data, c.ix.data, a.ix.len);
    built_free(&c);
    setlocale(LC_ALL, "C");
    char *cmd = ekb_asprintf("rm -rf '%s'", tmpl);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(root);
    free(schema_src);
    free(schema_dst);
    built_free(&a);
}

/* A producer of "abc" repeated ctx->reps times, in pieces; it fails with
 * EIO after fail_after pieces when that is not 0. */
typedef struct pieces {
    int reps, fail_after;
} pieces;

static int produce_pieces(const void *ctx, ekb_output_sink *sink)
{
    const pieces *p = ctx;
    for (int i = 0; i < p->reps; i++) {
        if (p->fail_after && i == p->fail_after)
            return EIO;
        int e = sink->put(sink, "abc", 3);
        if (e)
            return e;
    }
    return 0;
}

static size_t count_files(const char *dir)
{
    char *cmd = ekb_asprintf("ls -A '%s' | wc -l", dir);
    FILE *f = popen(cmd, "r");
    unsigned long n = 0;
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%lu", &n), 1);
    pclose(f);
    free(cmd);
    return n;
}

/* Outputs are written all or nothing, produced ones included; --check
 * compares produced bytes piece by piece. */
static void outputs_all_or_nothing(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/ekb-out-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    pieces three = {3, 0}, failing = {1000, 500}, four = {4, 0};
    ekb_output_file files[2] = {
        {"plain", "hello", 5, NULL, NULL},
        {"made", NULL, 0, produce_pieces, &three},
    };
    char *err = NULL;
    assert_int_equal(ekb_output_write(tmpl, files, 2, &err), 0);
    char *made = ekb_path_join(tmpl, "made"), *text;
    size_t len, stale = 9;
    assert_int_equal(ekb_read_file(made, 100, &text, &len), 0);
    assert_int_equal(len, 9);
    assert_memory_equal(text, "abcabcabc", 9);
    free(text);
    assert_int_equal(ekb_output_check(tmpl, files, 2, &stale), 0);
    files[1].ctx = &four; /* one piece more than on disk */
    assert_int_equal(ekb_output_check(tmpl, files, 2, &stale), 1);
    assert_int_equal(stale, 1);
    /* a producer failing halfway: nothing changes, no temp file is left */
    files[0].data = "changed";
    files[0].len = 7;
    files[1].ctx = &failing;
    assert_int_equal(ekb_output_write(tmpl, files, 2, &err), -1);
    assert_non_null(strstr(err, "cannot write"));
    assert_non_null(strstr(err, "made"));
    free(err);
    assert_int_equal(count_files(tmpl), 2);
    files[0].data = "hello";
    files[0].len = 5;
    files[1].ctx = &three;
    assert_int_equal(ekb_output_check(tmpl, files, 2, &stale), 0);
    /* staged, then discarded: the old files stay, the temp files go */
    files[0].data = "staged";
    files[0].len = 6;
    ekb_output_staged *st = NULL;
    assert_int_equal(ekb_output_stage(tmpl, files, 2, &st, &err), 0);
    assert_non_null(st);
    assert_int_equal(count_files(tmpl), 4);
    ekb_output_discard(st);
    assert_int_equal(count_files(tmpl), 2);
    assert_int_equal(ekb_output_check(tmpl, files, 2, &stale), 1);
    assert_int_equal(stale, 0);
    /* staged, then committed */
    assert_int_equal(ekb_output_stage(tmpl, files, 2, &st, &err), 0);
    assert_int_equal(ekb_output_commit(st, &err), 0);
    assert_int_equal(count_files(tmpl), 2);
    assert_int_equal(ekb_output_check(tmpl, files, 2, &stale), 0);
    /* a folder that staging made goes with a discard */
    char *sub = ekb_path_join(tmpl, "new");
    assert_int_equal(ekb_output_stage(sub, files, 2, &st, &err), 0);
    assert_int_equal(count_files(sub), 2);
    ekb_output_discard(st);
    struct stat sb;
    assert_int_not_equal(stat(sub, &sb), 0);
    /* and with a staging that fails */
    files[1].ctx = &failing;
    assert_int_equal(ekb_output_stage(sub, files, 2, &st, &err), -1);
    assert_null(st);
    assert_non_null(strstr(err, "cannot write"));
    free(err);
    assert_int_not_equal(stat(sub, &sb), 0);
    files[1].ctx = &three;
    free(sub);
    char *cmd = ekb_asprintf("rm -rf '%s'", tmpl);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(made);
}

/* Reads everything an opened reader offers, to let ASan see any bad read. */
static void exercise(ekb_reader *r)
{
    ekb_reader_info info;
    ekb_reader_get_info(r, &info);
    FILE *null = fopen("/dev/null", "w");
    assert_non_null(null);
    ekb_reader_dump_json(r, null, NULL);
    fclose(null);
    char buf[64];
    for (uint32_t i = 0; i < info.entries && i < 8; i++) {
        ekb_reader_entry e;
        ekb_reader_entry_at(r, i, &e);
        ekb_reader_str_copy(r, e.id, buf, sizeof buf);
        ekb_reader_find(r, buf, NULL);
        ekb_reader_text(r, &e, EKB_READER_FIELD_SIGNATURE, 0, "zh");
        ekb_reader_text(r, &e, EKB_READER_FIELD_WORKAROUND_ACTION, 0, "zh");
    }
    for (int g = 0; g < 3; g++)
        for (uint32_t i = 0; i < ekb_reader_group_count(r, (ekb_reader_group)g) && i < 4; i++)
            ekb_reader_group_entry(r, (ekb_reader_group)g, i, 0);
    ekb_reader_matcher *m = ekb_reader_matcher_new(r);
    if (m) {
        ekb_reader_hit hits[4];
        static const char text[] = "main.c:(.text+0x1a): undefined reference to `foo_init'\n"
                                   "MQTT protocol violation: Identifier already in use";
        ekb_reader_match(m, text, sizeof text - 1, 0, hits, 4, NULL);
        ekb_reader_matcher_free(m);
    }
}

static void truncations(void **state)
{
    (void)state;
    built b;
    build_from(bundled_dir, false, &b);
    size_t cuts[600], n = 0;
    for (size_t k = 0; k <= EKBF_HDR_SIZE + 2; k++)
        cuts[n++] = k;
    for (size_t s = 0; s < ekb_reader_section_count(b.r); s++) {
        char name[5];
        uint32_t off, len;
        ekb_reader_section(b.r, s, name, &off, &len);
        size_t at[] = {off - 1, off, off + 1, off + len / 2, off + len - 1, off + len};
        for (size_t k = 0; k < 6; k++)
            if (at[k] < b.ix.len)
                cuts[n++] = at[k];
    }
    srand(7);
    while (n < sizeof cuts / sizeof *cuts)
        cuts[n++] = (size_t)rand() % b.ix.len;
    for (size_t k = 0; k < n; k++) {
        /* a copy of exactly the cut length, so ASan sees any read past it */
        unsigned char *copy = malloc(cuts[k] + 1);
        memcpy(copy, b.ix.data, cuts[k]);
        for (unsigned flags = 0; flags <= EKB_READER_NO_CHECKSUM; flags += EKB_READER_NO_CHECKSUM) {
            ekb_reader *r = NULL;
            ekb_reader_error err;
            assert_int_equal(ekb_reader_open_memory(copy, cuts[k], flags, &r, &err), -1);
            assert_null(r);
            assert_true(err.code == EKB_READER_ERR_TRUNCATED || err.code == EKB_READER_ERR_MAGIC ||
                        err.code == EKB_READER_ERR_CORRUPT);
            assert_true(strlen(err.text) > 0);
        }
        free(copy);
    }
    built_free(&b);
}

/* Random byte changes: with the checksum all are caught; without it, or
 * with the checksum recomputed after the change, the reader either refuses
 * the file or reads it without any out-of-bounds access. */
static void flips(void **state)
{
    (void)state;
    built b;
    build_from(bundled_dir, false, &b);
    unsigned char *copy = malloc(b.ix.len);
    srand(20261125);
    size_t opened = 0;
    for (int k = 0; k < 3000; k++) {
        memcpy(copy, b.ix.data, b.ix.len);
        /* half the flips in the header and tables, where structure lives */
        size_t at = k % 2 ? (size_t)rand() % b.ix.len
                          : (size_t)rand() % (b.ix.len < 4096 ? b.ix.len : 4096) + (k % 4 ? 0 : b.ix.len - 4096);
        if (at >= b.ix.len)
            at = b.ix.len - 1;
        copy[at] ^= (unsigned char)(1u << (rand() % 8));
        ekb_reader *r;
        ekb_reader_error err;
        assert_int_equal(ekb_reader_open_memory(copy, b.ix.len, 0, &r, &err), -1);
        assert_true(err.code == EKB_READER_ERR_CHECKSUM || err.code == EKB_READER_ERR_MAGIC ||
                    err.code == EKB_READER_ERR_VERSION || err.code == EKB_READER_ERR_CORRUPT ||
                    err.code == EKB_READER_ERR_TRUNCATED);
        if (k % 2 == 0)
            ekbf_put64(copy + EKBF_HDR_CHECKSUM, ekbf_xxh64(copy + 16, b.ix.len - 16));
        unsigned flags = k % 2 ? EKB_READER_NO_CHECKSUM : 0;
        if (ekb_reader_open_memory(copy, b.ix.len, flags, &r, &err) == 0) {
            opened++;
            exercise(r);
            ekb_reader_close(r);
        }
    }
    assert_true(opened > 0); /* flips inside strings are not structural */
    free(copy);
    built_free(&b);
}

/* Checks a Huffman code: no code longer than the limit, Kraft's sum exactly
 * 1 (complete) when two or more symbols are used, no code a prefix of
 * another, and a code for exactly the symbols used. */
static void assert_good_code(const ekb_huff *h, const uint64_t *freq)
{
    uint64_t kraft = 0;
    unsigned used = 0;
    for (unsigned s = 0; s < EKBF_HUFF_SYMBOLS; s++) {
        assert_int_equal(h->len[s] != 0, freq[s] != 0);
        assert_true(h->len[s] <= EKBF_HUFF_MAX_BITS);
        if (h->len[s]) {
            used++;
            kraft += (uint64_t)1 << (EKBF_HUFF_MAX_BITS - h->len[s]);
        }
    }
    if (used >= 2)
        assert_int_equal(kraft, (uint64_t)1 << EKBF_HUFF_MAX_BITS);
    for (unsigned a = 0; a < EKBF_HUFF_SYMBOLS; a++)
        for (unsigned b = 0; h->len[a] && b < EKBF_HUFF_SYMBOLS; b++)
            if (a != b && h->len[b] && h->len[b] >= h->len[a])
                assert_int_not_equal(h->code[b] >> (h->len[b] - h->len[a]), h->code[a]);
}

static void huffman_codes(void **state)
{
    (void)state;
    uint64_t freq[EKBF_HUFF_SYMBOLS];
    ekb_huff h;
    /* Fibonacci weights give a tree 39 deep: the limit must flatten it */
    memset(freq, 0, sizeof freq);
    uint64_t a = 1, b = 1;
    for (unsigned s = 0; s < 40; s++) {
        freq[s * 13 % EKBF_HUFF_SYMBOLS] = a;
        uint64_t c = a + b;
        a = b;
        b = c;
    }
    assert_int_equal(ekb_huff_build(&h, freq), 0);
    assert_good_code(&h, freq);
    bool deepest = false;
    for (unsigned s = 0; s < EKBF_HUFF_SYMBOLS; s++)
        deepest |= h.len[s] == EKBF_HUFF_MAX_BITS;
    assert_true(deepest);
    /* every symbol once: a flat code of 9 or 10 bits */
    for (unsigned s = 0; s < EKBF_HUFF_SYMBOLS; s++)
        freq[s] = 1;
    assert_int_equal(ekb_huff_build(&h, freq), 0);
    assert_good_code(&h, freq);
    /* one symbol (a table whose strings are all empty): one bit */
    memset(freq, 0, sizeof freq);
    freq[EKBF_HUFF_END] = 7;
    assert_int_equal(ekb_huff_build(&h, freq), 0);
    assert_int_equal(h.len[EKBF_HUFF_END], 1);
    /* codes of a string: FSST code 3, the escaped byte 0xE4, code 3 again,
     * then the end; the bits from the highest of each byte down */
    memset(freq, 0, sizeof freq);
    freq[3] = 4;
    freq[EKBF_HUFF_LITERAL + 0xE4] = 2;
    freq[EKBF_HUFF_END] = 1;
    freq[7] = 1;
    assert_int_equal(ekb_huff_build(&h, freq), 0);
    /* lengths 1, 2, 3, 3: canonical codes 0, 10, 110 (symbol 7), 111 (end) */
    assert_int_equal(h.len[3], 1);
    assert_int_equal(h.code[EKBF_HUFF_LITERAL + 0xE4], 2);
    assert_int_equal(h.code[7], 6);
    assert_int_equal(h.code[EKBF_HUFF_END], 7);
    const unsigned char fsst[] = {3, 255, 0xE4, 3};
    unsigned char out[16];
    assert_int_equal(ekb_huff_encode(&h, fsst, sizeof fsst, out), 1);
    assert_int_equal(out[0], 0x4E); /* 0 10 0 111, then a zero bit: 0100 1110 */
}

/* The Huffman code lengths of table 0 in an index: where they start. */
static size_t table0_lengths(const unsigned char *ix)
{
    uint32_t n_sect = ekbf_get32(ix + EKBF_HDR_SECTIONS);
    for (uint32_t i = 0; i < n_sect; i++) {
        const unsigned char *row = ix + EKBF_HDR_SIZE + (size_t)EKBF_SECT_SIZE * i;
        if (ekbf_get32(row) != EKBF_SEC_SYMT)
            continue;
        const unsigned char *p = ix + ekbf_get32(row + 8) + 1; /* past the table count */
        size_t bytes = 0;
        for (unsigned k = 0; k < p[0]; k++)
            bytes += p[1 + k];
        return (size_t)(p - ix) + 1 + p[0] + bytes;
    }
    fail();
    return 0;
}

/* A copy of the index with lengths byte `at` set to v, opened with its
 * checksum made right: the reader must refuse it as corrupt. */
static void assert_refused_lengths(const built *b, size_t at, unsigned char v)
{
    unsigned char *copy = malloc(b->ix.len);
    assert_non_null(copy);
    memcpy(copy, b->ix.data, b->ix.len);
    copy[at] = v;
    ekbf_put64(copy + EKBF_HDR_CHECKSUM, ekbf_xxh64(copy + 16, b->ix.len - 16));
    ekb_reader *r;
    ekb_reader_error err;
    assert_int_equal(ekb_reader_open_memory(copy, b->ix.len, 0, &r, &err), -1);
    assert_int_equal(err.code, EKB_READER_ERR_CORRUPT);
    free(copy);
}

static void bad_huffman_codes(void **state)
{
    (void)state;
    built b;
    build_from(bundled_dir, false, &b);
    size_t lens = table0_lengths(b.ix.data);
    /* FSST code 255 never exists: a length for it is refused */
    assert_refused_lengths(&b, lens + 255 / 2, (unsigned char)(b.ix.data[lens + 255 / 2] | 0x30));
    /* no code for the end of a string */
    assert_refused_lengths(&b, lens + EKBF_HUFF_END / 2, 0);
    /* every symbol one bit long: far more codes than a prefix code allows */
    assert_refused_lengths(&b, lens + EKBF_HUFF_LITERAL / 2, 0x11);
    built_free(&b);
}

static void foreign_and_versions(void **state)
{
    (void)state;
    ekb_reader *r;
    ekb_reader_error err;
    static const char json[] = "{\"id\": \"demo/a\", \"signature\": \"x\"}";
    assert_int_equal(ekb_reader_open_memory(json, sizeof json - 1, 0, &r, &err), -1);
    assert_int_equal(err.code, EKB_READER_ERR_MAGIC);
    assert_int_equal(ekb_reader_open_file("/nonexistent/errkb.idx", 0, &r, &err), -1);
    assert_int_equal(err.code, EKB_READER_ERR_IO);
    assert_int_equal(ekb_reader_open_file("/", 0, &r, &err), -1);
    assert_int_equal(err.code, EKB_READER_ERR_IO);

    built b;
    build_from(fixture_dir, false, &b);
    unsigned char *copy = malloc(b.ix.len + 64);
    /* a newer major version is refused, naming both versions */
    memcpy(copy, b.ix.data, b.ix.len);
    ekbf_put16(copy + EKBF_HDR_MAJOR, EKBF_MAJOR + 1);
    ekbf_put64(copy + EKBF_HDR_CHECKSUM, ekbf_xxh64(copy + 16, b.ix.len - 16));
    assert_int_equal(ekb_reader_open_memory(copy, b.ix.len, 0, &r, &err), -1);
    assert_int_equal(err.code, EKB_READER_ERR_VERSION);
    char newer[16];
    snprintf(newer, sizeof newer, "%u.0", EKBF_MAJOR + 1);
    assert_non_null(strstr(err.text, newer));
    /* a newer minor version with a section this reader does not know opens */
    uint32_t n_sect = ekbf_get32(b.ix.data + EKBF_HDR_SECTIONS);
    size_t old_h = EKBF_HDR_SIZE + EKBF_SECT_SIZE * n_sect, new_len = b.ix.len + EKBF_SECT_SIZE + 8;
    memcpy(copy, b.ix.data, old_h);
    memcpy(copy + old_h + EKBF_SECT_SIZE, b.ix.data + old_h, b.ix.len - old_h);
    for (uint32_t i = 0; i < n_sect; i++) {
        unsigned char *t = copy + EKBF_HDR_SIZE + EKBF_SECT_SIZE * i;
        ekbf_put32(t + 8, ekbf_get32(t + 8) + EKBF_SECT_SIZE);
    }
    unsigned char *t = copy + old_h;
    ekbf_put32(t, EKBF_FOURCC('X', 'T', 'R', 'A'));
    ekbf_put32(t + 4, 0);
    ekbf_put32(t + 8, (uint32_t)(b.ix.len + EKBF_SECT_SIZE));
    ekbf_put32(t + 12, 8);
    memcpy(copy + b.ix.len + EKBF_SECT_SIZE, "newdata!", 8);
    ekbf_put16(copy + EKBF_HDR_MINOR, 7);
    ekbf_put32(copy + EKBF_HDR_SECTIONS, n_sect + 1);
    ekbf_put32(copy + EKBF_HDR_HEADER_SIZE, (uint32_t)(old_h + EKBF_SECT_SIZE));
    ekbf_put32(copy + EKBF_HDR_FILE_SIZE, (uint32_t)new_len);
    ekbf_put64(copy + EKBF_HDR_CHECKSUM, ekbf_xxh64(copy + 16, new_len - 16));
    assert_int_equal(ekb_reader_open_memory(copy, new_len, 0, &r, &err), 0);
    ekb_reader_info info;
    ekb_reader_get_info(r, &info);
    assert_int_equal(info.minor, 7);
    assert_int_equal(info.entries, b.ix.entries);
    exercise(r);
    ekb_reader_close(r);
    /* trailing bytes after the file size are refused */
    assert_int_equal(ekb_reader_open_memory(copy, new_len - 1, 0, &r, &err), -1);
    free(copy);
    built_free(&b);
}

static char *str(const ekb_reader *r, ekb_reader_str s)
{
    char *v = ekb_reader_str_dup(r, s);
    return v ? v : strdup("(null)");
}

/* The fixture corpus: demo/alpha (translated), demo/beta (no translations),
 * other/gamma. */
static void lookups_and_languages(void **state)
{
    (void)state;
    built b;
    build_from(fixture_dir, false, &b);
    ekb_reader *r = b.r;
    uint32_t i;
    assert_int_equal(ekb_reader_find(r, "demo/alpha", &i), 1);
    assert_int_equal(i, 0);
    assert_int_equal(ekb_reader_find(r, "other/gamma", &i), 1);
    assert_int_equal(i, 2);
    assert_int_equal(ekb_reader_find(r, "demo/alph", &i), 0);
    assert_int_equal(ekb_reader_find(r, "demo/alphaa", &i), 0);
    assert_int_equal(ekb_reader_find(r, "", &i), 0);
    ekb_reader_entry e;
    assert_int_equal(ekb_reader_entry_at(r, 3, &e), -1);
    assert_int_equal(ekb_reader_entry_at(r, 0, &e), 0);
    char *s = str(r, ekb_reader_text(r, &e, EKB_READER_FIELD_SIGNATURE, 0, "zh"));
    assert_string_equal(s, "代理拒绝了连接");
    free(s);
    s = str(r, ekb_reader_text(r, &e, EKB_READER_FIELD_SIGNATURE, 0, "en"));
    assert_string_equal(s, "Broker refused the connection: not authorised");
    free(s);
    s = str(r, ekb_reader_text(r, &e, EKB_READER_FIELD_WORKAROUND_ACTION, 1, "zh"));
    assert_string_equal(s, "Use the second fix."); /* a null translation falls back */
    free(s);
    assert_int_equal(ekb_reader_entry_at(r, 1, &e), 0);
    s = str(r, ekb_reader_text(r, &e, EKB_READER_FIELD_ROOT_CAUSE, 0, "zh"));
    assert_string_equal(s, "Beta has no translation at all.");
    free(s);
    /* strings into small buffers are cut like snprintf */
    char small[5];
    assert_int_equal(ekb_reader_str_copy(r, e.id, small, sizeof small), strlen("demo/beta"));
    assert_string_equal(small, "demo");
    /* groups */
    uint32_t g;
    assert_int_equal(ekb_reader_group_count(r, EKB_READER_GROUP_DOMAIN), 2);
    assert_int_equal(ekb_reader_group_find(r, EKB_READER_GROUP_DOMAIN, "demo", &g), 1);
    assert_int_equal(ekb_reader_group_size(r, EKB_READER_GROUP_DOMAIN, g), 2);
    assert_int_equal(ekb_reader_group_entry(r, EKB_READER_GROUP_DOMAIN, g, 1), 1);
    assert_int_equal(ekb_reader_group_entry(r, EKB_READER_GROUP_DOMAIN, g, 2), UINT32_MAX);
    assert_int_equal(ekb_reader_group_find(r, EKB_READER_GROUP_TAG, "mqtt", &g), 1);
    assert_int_equal(ekb_reader_group_size(r, EKB_READER_GROUP_TAG, g), 2);
    assert_int_equal(ekb_reader_group_find(r, EKB_READER_GROUP_CATEGORY, "nope", &g), 0);
    /* links point at entries */
    assert_int_equal(ekb_reader_entry_at(r, 0, &e), 0);
    ekb_reader_link l;
    assert_int_equal(e.n[EKB_READER_LEADS_TO], 1);
    assert_int_equal(ekb_reader_link_at(r, &e, EKB_READER_LEADS_TO, 0, &l), 0);
    assert_int_equal(l.target, 2);
    assert_true(l.present & 2);
    assert_true(l.probability > 0.49 && l.probability < 0.51);
    built_free(&b);
}

static void ranking(void **state)
{
    (void)state;
    built b;
    build_from(fixture_dir, false, &b);
    ekb_reader_matcher *m = ekb_reader_matcher_new(b.r);
    ekb_reader_hit hits[4];
    /* alpha and gamma both match; gamma's match is longer */
    static const char text[] = "mqtt: Broker refused the connection: not authorised (code 5)";
    int n = ekb_reader_match(m, text, sizeof text - 1, 0, hits, 4, NULL);
    assert_int_equal(n, 2);
    assert_int_equal(hits[0].entry, 2);
    assert_int_equal(hits[1].entry, 0);
    assert_true(hits[0].end - hits[0].start > hits[1].end - hits[1].start);
    /* max smaller than the matches: the best ones, and the full count */
    assert_int_equal(ekb_reader_match(m, text, sizeof text - 1, 0, hits, 1, NULL), 2);
    assert_int_equal(hits[0].entry, 2);
    assert_int_equal(ekb_reader_match(m, "nothing here", 12, 0, hits, 4, NULL), 0);
    assert_int_equal(ekb_reader_match(m, NULL, 0, 0, hits, 4, NULL), 0);
    /* invalid UTF-8 is matched, not refused */
    static const char bad[] = "\xff\xfe Broker refused the connection: not authorised";
    assert_int_equal(ekb_reader_match(m, bad, sizeof bad - 1, 0, hits, 4, NULL), 1);
    ekb_reader_matcher_free(m);
    built_free(&b);
}

/* Every signature, alias and sample of the bundled corpus gives the same
 * matches through the prefilter as with every regex tried in turn. */
static void prefilter_agrees_with_naive(void **state)
{
    (void)state;
    built b;
    build_from(bundled_dir, true, &b);
    ekb_reader *r = b.r;
    ekb_reader_matcher *m = ekb_reader_matcher_new(r);
    ekb_reader_info info;
    ekb_reader_get_info(r, &info);
    ekb_reader_hit *h1 = calloc(info.entries, sizeof *h1), *h2 = calloc(info.entries, sizeof *h2);
    size_t texts = 0, tried = 0, naive_tried = 0;
    for (uint32_t i = 0; i < info.entries; i++) {
        ekb_reader_entry e;
        ekb_reader_entry_at(r, i, &e);
        ekb_reader_str list[64];
        size_t nl = 0;
        list[nl++] = e.signature;
        for (uint32_t k = 0; k < e.n[EKB_READER_ALIASES] && nl < 64; k++)
            list[nl++] = ekb_reader_str_at(r, &e, EKB_READER_ALIASES, k);
        for (uint32_t k = 0; k < e.n[EKB_READER_SAMPLES_MATCH] && nl < 64; k++)
            list[nl++] = ekb_reader_str_at(r, &e, EKB_READER_SAMPLES_MATCH, k);
        for (uint32_t k = 0; k < e.n[EKB_READER_SAMPLES_NO_MATCH] && nl < 64; k++)
            list[nl++] = ekb_reader_str_at(r, &e, EKB_READER_SAMPLES_NO_MATCH, k);
        for (size_t k = 0; k < nl; k++) {
            char *t = str(r, list[k]);
            int a = ekb_reader_match(m, t, strlen(t), 0, h1, info.entries, NULL);
            tried += ekb_reader_matcher_tried(m);
            int n = ekb_reader_match(m, t, strlen(t), EKB_READER_MATCH_NAIVE, h2, info.entries, NULL);
            naive_tried += ekb_reader_matcher_tried(m);
            assert_int_equal(a, n);
            assert_memory_equal(h1, h2, (size_t)a * sizeof *h1);
            if (k == 0) { /* an entry's own signature matches it */
                bool self = false;
                for (int j = 0; j < a; j++)
                    self |= h1[j].entry == i;
                assert_true(self);
            }
            free(t);
            texts++;
        }
    }
    print_message("prefilter: %zu texts, %zu regexes tried (naive: %zu)\n", texts, tried, naive_tried);
    free(h1);
    free(h2);
    ekb_reader_matcher_free(m);
    built_free(&b);
}

typedef struct thread_job {
    const ekb_reader *r;
    int matches;
} thread_job;

static void *match_thread(void *arg)
{
    thread_job *j = arg;
    ekb_reader_matcher *m = ekb_reader_matcher_new(j->r);
    ekb_reader_hit hits[8];
    static const char text[] = "MQTT protocol violation: Identifier already in use";
    for (int k = 0; k < 50; k++)
        j->matches += ekb_reader_match(m, text, sizeof text - 1, k % 2 ? EKB_READER_MATCH_NAIVE : 0, hits, 8,
                                       NULL) > 0;
    ekb_reader_matcher_free(m);
    return NULL;
}

static void threads(void **state)
{
    (void)state;
    built b;
    build_from(bundled_dir, false, &b);
    pthread_t t[4];
    thread_job j[4];
    for (int k = 0; k < 4; k++) {
        j[k] = (thread_job){b.r, 0};
        assert_int_equal(pthread_create(&t[k], NULL, match_thread, &j[k]), 0);
    }
    for (int k = 0; k < 4; k++) {
        pthread_join(t[k], NULL);
        assert_int_equal(j[k].matches, 50);
    }
    built_free(&b);
}

/* A regex that backtracks without end on a hostile line: the policy's match
 * limit stops it, the call returns (as no match) and says so. */
static void hostile_text(void **state)
{
    (void)state;
    char tmpl[] = "/tmp/ekb-hostile-XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    char *dir = ekb_asprintf("%s/entries/demo", tmpl), *cmd = ekb_asprintf("mkdir -p '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    char *src = ekb_path_join(fixture_dir, "demo/beta.yaml"), *text;
    size_t len;
    assert_int_equal(ekb_read_file(src, 1 << 20, &text, &len), 0);
    const char *old = "regex: 'Beta failure \\d+'";
    char *at = strstr(text, old);
    assert_non_null(at);
    char *patched = ekb_asprintf("%.*sregex: '^(a|aa)+$'%s", (int)(at - text), text, at + strlen(old));
    char *dst = ekb_path_join(dir, "beta.yaml");
    assert_int_equal(write_text(dst, patched, strlen(patched)), 0);
    char *entries = ekb_asprintf("%s/entries", tmpl);
    built b;
    build_from(entries, false, &b);
    ekb_reader_matcher *m = ekb_reader_matcher_new(b.r);
    char hostile[4001];
    memset(hostile, 'a', 3999);
    hostile[3999] = 'b';
    hostile[4000] = '\0';
    ekb_reader_hit hits[2];
    time_t t0 = time(NULL);
    assert_int_equal(ekb_reader_match(m, hostile, 4000, 0, hits, 2, NULL), 0);
    assert_int_equal(ekb_reader_matcher_limit_hits(m), 1);
    assert_true(time(NULL) - t0 < 10);
    assert_int_equal(ekb_reader_match(m, "aaaa", 4, 0, hits, 2, NULL), 1);
    ekb_reader_matcher_free(m);
    built_free(&b);
    cmd = ekb_asprintf("rm -rf '%s'", tmpl);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(dir);
    free(src);
    free(text);
    free(patched);
    free(dst);
    free(entries);
}

static void file_open(void **state)
{
    (void)state;
    built b;
    build_from(fixture_dir, false, &b);
    char path[] = "/tmp/ekb-idx-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b.ix.data, b.ix.len), (ssize_t)b.ix.len);
    close(fd);
    ekb_reader *r;
    assert_int_equal(ekb_reader_open_file(path, EKB_READER_COMPILE_ALL, &r, NULL), 0);
    ekb_reader_info info;
    ekb_reader_get_info(r, &info);
    assert_int_equal(info.entries, 3);
    exercise(r);
    ekb_reader_close(r);
    /* an empty file */
    assert_int_equal(truncate(path, 0), 0);
    ekb_reader_error err;
    assert_int_equal(ekb_reader_open_file(path, 0, &r, &err), -1);
    unlink(path);
    built_free(&b);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: test-index ENTRIES_DIR FIXTURE_ENTRIES_DIR\n");
        return 2;
    }
    bundled_dir = argv[1];
    fixture_dir = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(huffman_codes),
        cmocka_unit_test(bad_huffman_codes),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(round_trip_samples),
        cmocka_unit_test(determinism),
        cmocka_unit_test(truncations),
        cmocka_unit_test(flips),
        cmocka_unit_test(foreign_and_versions),
        cmocka_unit_test(lookups_and_languages),
        cmocka_unit_test(ranking),
        cmocka_unit_test(prefilter_agrees_with_naive),
        cmocka_unit_test(threads),
        cmocka_unit_test(hostile_text),
        cmocka_unit_test(file_open),
        cmocka_unit_test(outputs_all_or_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

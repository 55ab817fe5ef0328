/* errkb-lookup: which known error is this text? Matches text, a log file or
 * standard input against the compiled index (the one embedded at build time,
 * or --index FILE); also shows one entry, dumps or describes an index.
 * Uses the reader library only. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "errkb_index.h"
#include "errkb_reader.h"

#ifndef EKB_VERSION
#define EKB_VERSION "0.1.0"
#endif

static const char help[] =
    "usage: errkb-lookup [OPTION]... TEXT|FILE|-\n"
    "       errkb-lookup [OPTION]... --id ID\n"
    "       errkb-lookup [--index FILE] --dump|--stats\n"
    "Tell which known errors TEXT is: print the best matching entries with their\n"
    "root cause, dead ends and workarounds. An operand that names a file, or -\n"
    "for standard input, is scanned as a log.\n"
    "\n"
    "  --index FILE  read this index instead of the one built into the program\n"
    "  --lang LANG   en (default) or zh; missing translations fall back to en\n"
    "  --json        one JSON document instead of text\n"
    "  --all         every matching entry, not only the best three\n"
    "  --id ID       show entry ID\n"
    "  --dump        print the whole index as canonical JSON\n"
    "  --stats       print the index's sections and sizes\n"
    "  --bench       time opening the index and matching TEXT (median of many\n"
    "                runs), with the prefilter and with every regex tried; with\n"
    "                FILE or -, time matching each of its lines on its own\n"
    "  -h, --help    show this help\n"
    "  --version     show the version\n"
    "\n"
    "Exit status: 0 something matched (or was shown), 1 nothing matched or no\n"
    "such id, 2 usage, I/O or index error.\n";

enum { OPT_INDEX = 1000, OPT_LANG, OPT_JSON, OPT_ALL, OPT_ID, OPT_DUMP, OPT_STATS, OPT_VERSION, OPT_BENCH };

static const struct option options[] = {
    {"index", required_argument, NULL, OPT_INDEX}, {"lang", required_argument, NULL, OPT_LANG},
    {"json", no_argument, NULL, OPT_JSON},         {"all", no_argument, NULL, OPT_ALL},
    {"id", required_argument, NULL, OPT_ID},       {"dump", no_argument, NULL, OPT_DUMP},
    {"stats", no_argument, NULL, OPT_STATS},       {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},   {"bench", no_argument, NULL, OPT_BENCH},
    {NULL, 0, NULL, 0},
};

typedef struct lookup {
    const ekb_reader *r;
    const char *lang;
    bool json;
    char *buf; /* decoded string scratch */
    size_t cap;
} lookup;

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "errkb-lookup: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'errkb-lookup --help' for more information.\n");
    return 2;
}

/* Decoded text of s, valid until the next call: decoded once when the
 * scratch is big enough, twice when it grows. */
static const char *text(lookup *l, ekb_reader_str s)
{
    size_t n = ekb_reader_str_copy(l->r, s, l->buf, l->cap);
    if (n >= l->cap) {
        char *b = realloc(l->buf, n + 1);
        if (!b)
            return "";
        l->buf = b;
        l->cap = n + 1;
        ekb_reader_str_copy(l->r, s, l->buf, l->cap);
    }
    return l->buf;
}

static void json_string(FILE *out, const char *s)
{
    putc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\t')
            fputs("\\t", out);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            putc(*p, out);
    }
    putc('"', out);
}

static int percent(double rate)
{
    return (int)(rate * 100 + 0.5);
}

/* One entry as the answer to "what is this error": text or a JSON object. */
static void show(lookup *l, uint32_t index, const ekb_reader_hit *hit, size_t line)
{
    const ekb_reader *r = l->r;
    ekb_reader_entry e;
    ekb_reader_entry_at(r, index, &e);
    FILE *out = stdout;
    if (l->json) {
        fputs("{\"id\":", out);
        json_string(out, text(l, e.id));
        if (hit)
            fprintf(out, ",\"span\":[%zu,%zu]", hit->start, hit->end);
        if (hit && line)
            fprintf(out, ",\"line\":%zu", line);
        fputs(",\"signature\":", out);
        json_string(out, text(l, ekb_reader_text(r, &e, EKB_READER_FIELD_SIGNATURE, 0, l->lang)));
        fprintf(out, ",\"confidence\":%.2f,\"root_cause\":", e.confidence);
        json_string(out, text(l, ekb_reader_text(r, &e, EKB_READER_FIELD_ROOT_CAUSE, 0, l->lang)));
        fputs(",\"dead_ends\":[", out);
        for (uint32_t i = 0; i < e.n[EKB_READER_DEAD_ENDS]; i++) {
            ekb_reader_fix f;
            ekb_reader_fix_at(r, &e, EKB_READER_DEAD_ENDS, i, &f);
            fputs(i ? ",{\"action\":" : "{\"action\":", out);
            json_string(out, text(l, f.action));
            fprintf(out, ",\"fail_rate\":%.2f}", f.rate);
        }
        fputs("],\"workarounds\":[", out);
        for (uint32_t i = 0; i < e.n[EKB_READER_WORKAROUNDS]; i++) {
            ekb_reader_fix f;
            ekb_reader_fix_at(r, &e, EKB_READER_WORKAROUNDS, i, &f);
            fputs(i ? ",{\"action\":" : "{\"action\":", out);
            json_string(out, text(l, ekb_reader_text(r, &e, EKB_READER_FIELD_WORKAROUND_ACTION, i, l->lang)));
            fprintf(out, ",\"success_rate\":%.2f", f.rate);
            if (f.present & 1) {
                fputs(",\"how\":", out);
                json_string(out, text(l, f.how));
            }
            putc('}', out);
        }
        fputs("]}", out);
        return;
    }
    fprintf(out, "%s", text(l, e.id));
    if (hit && line)
        fprintf(out, "  (line %zu, confidence %.2f)\n", line, e.confidence);
    else if (hit)
        fprintf(out, "  (matched bytes %zu-%zu, confidence %.2f)\n", hit->start, hit->end, e.confidence);
    else
        fprintf(out, "  (confidence %.2f)\n", e.confidence);
    bool zh = l->lang && !strcmp(l->lang, "zh");
    fprintf(out, "  %s %s\n", zh ? "错误信息:" : "signature: ",
            text(l, ekb_reader_text(r, &e, EKB_READER_FIELD_SIGNATURE, 0, l->lang)));
    fprintf(out, "  %s %s\n", zh ? "根本原因:" : "root cause:",
            text(l, ekb_reader_text(r, &e, EKB_READER_FIELD_ROOT_CAUSE, 0, l->lang)));
    if (e.n[EKB_READER_DEAD_ENDS])
        fprintf(out, "  %s\n", zh ? "无效做法:" : "dead ends:");
    for (uint32_t i = 0; i < e.n[EKB_READER_DEAD_ENDS]; i++) {
        ekb_reader_fix f;
        ekb_reader_fix_at(r, &e, EKB_READER_DEAD_ENDS, i, &f);
        fprintf(out, "    - %s (%s %d%%)\n", text(l, f.action), zh ? "失败率" : "fails", percent(f.rate));
    }
    if (e.n[EKB_READER_WORKAROUNDS])
        fprintf(out, "  %s\n", zh ? "解决办法:" : "workarounds:");
    for (uint32_t i = 0; i < e.n[EKB_READER_WORKAROUNDS]; i++) {
        ekb_reader_fix f;
        ekb_reader_fix_at(r, &e, EKB_READER_WORKAROUNDS, i, &f);
        fprintf(out, "    %u. %s (%s %d%%)\n", i + 1,
                text(l, ekb_reader_text(r, &e, EKB_READER_FIELD_WORKAROUND_ACTION, i, l->lang)),
                zh ? "成功率" : "works", percent(f.rate));
        if ((f.present & 1) && ekb_reader_str_len(r, f.how))
            fprintf(out, "       %s\n", text(l, f.how));
    }
}

static int read_input(const char *path, char **data, size_t *len)
{
    FILE *in = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!in)
        return errno;
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    int err = b ? 0 : ENOMEM;
    while (!err) {
        if (n == cap) {
            char *nb = cap < ((size_t)-1) / 2 ? realloc(b, cap * 2) : NULL;
            if (!nb) {
                err = ENOMEM;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - n, in);
        n += got;
        if (got == 0) {
            if (ferror(in))
                err = EIO;
            break;
        }
    }
    if (in != stdin)
        fclose(in);
    if (err) {
        free(b);
        return err;
    }
    *data = b;
    *len = n;
    return 0;
}

/* An operand read as input (a regular file, or - for standard input)
 * rather than taken as the text itself. */
static bool names_input(const char *arg)
{
    struct stat st;
    return !strcmp(arg, "-") || (stat(arg, &st) == 0 && S_ISREG(st.st_mode));
}

static size_t line_of(const char *t, size_t off)
{
    size_t line = 1;
    for (size_t i = 0; i < off; i++)
        line += t[i] == '\n';
    return line;
}

static int do_match(lookup *l, const char *t, size_t len, bool all, bool is_log)
{
    ekb_reader_matcher *m = ekb_reader_matcher_new(l->r);
    ekb_reader_info info;
    ekb_reader_get_info(l->r, &info);
    ekb_reader_hit *hits = malloc(((size_t)info.entries + 1) * sizeof *hits);
    if (!m || !hits) {
        ekb_reader_matcher_free(m);
        free(hits);
        fprintf(stderr, "errkb-lookup: out of memory\n");
        return 2;
    }
    ekb_reader_error err;
    int n = ekb_reader_match(m, t, len, 0, hits, info.entries, &err);
    if (n < 0) {
        fprintf(stderr, "errkb-lookup: %s\n", err.text);
        ekb_reader_matcher_free(m);
        free(hits);
        return 2;
    }
    size_t shown = all ? (size_t)n : (size_t)n < 3 ? (size_t)n : 3;
    if (l->json)
        fputs("{\"matches\":[", stdout);
    for (size_t i = 0; i < shown; i++) {
        if (l->json && i)
            putc(',', stdout);
        if (!l->json && i)
            putc('\n', stdout);
        show(l, hits[i].entry, &hits[i], is_log ? line_of(t, hits[i].start) : 0);
    }
    if (l->json)
        printf("],\"total\":%d}\n", n);
    else if (n == 0)
        fprintf(stderr, "errkb-lookup: no known error matches\n");
    else if ((size_t)n > shown)
        printf("\n(%zu more: --all shows every match)\n", (size_t)n - shown);
    ekb_reader_matcher_free(m);
    free(hits);
    return n > 0 ? 0 : 1;
}

static int stats(const ekb_reader *r, const char *source)
{
    ekb_reader_info info;
    ekb_reader_get_info(r, &info);
    printf("index %s: format %u.%u, %u entries, %zu bytes, %.1f bytes/entry, corpus %016llx%s\n", source,
           info.major, info.minor, info.entries, info.size, info.entries ? (double)info.size / info.entries : 0.0,
           (unsigned long long)info.corpus_hash, info.has_samples ? ", with samples" : "");
    printf("%-8s %10s %10s %7s\n", "section", "offset", "bytes", "share");
    for (size_t i = 0; i < ekb_reader_section_count(r); i++) {
        char name[5];
        uint32_t off, len;
        ekb_reader_section(r, i, name, &off, &len);
        printf("%-8s %10u %10u %6.1f%%\n", name, off, len, info.size ? 100.0 * len / (double)info.size : 0.0);
    }
    printf("domains %u, categories %u, tags %u\n", ekb_reader_group_count(r, EKB_READER_GROUP_DOMAIN),
           ekb_reader_group_count(r, EKB_READER_GROUP_CATEGORY), ekb_reader_group_count(r, EKB_READER_GROUP_TAG));
    return 0;
}

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median of n timings of one call of what (n at most 1001). */
#define MEDIAN(n, what, result) \
    do { \
        double t_[1001]; \
        for (int k_ = 0; k_ < (n); k_++) { \
            double s_ = now_us(); \
            what; \
            t_[k_] = now_us() - s_; \
        } \
        qsort(t_, (size_t)(n), sizeof *t_, cmp_double); \
        (result) = t_[(n) / 2]; \
    } while (0)

/* --bench: open time (file: map, checks, checksum; or the embedded array),
 * and the median time of matching text, with the prefilter and naively. */
static int bench(const char *index_path, const ekb_reader *r, const char *t)
{
    ekb_reader_info info;
    ekb_reader_get_info(r, &info);
    double open_us, fast_us, naive_us;
    int bad = 0;
    MEDIAN(101, {
        ekb_reader *x;
        if (index_path ? ekb_reader_open_file(index_path, 0, &x, NULL)
                       : ekb_reader_open_memory(errkb_index_data, ERRKB_INDEX_SIZE, 0, &x, NULL))
            bad = 1;
        else
            ekb_reader_close(x);
    }, open_us);
    ekb_reader_matcher *m = ekb_reader_matcher_new(r);
    ekb_reader_hit hit;
    size_t len = strlen(t);
    if (!m || bad)
        return 2;
    /* every regex compiled once before timing: first use compiles */
    int n = ekb_reader_match(m, t, len, EKB_READER_MATCH_NAIVE, &hit, 1, NULL);
    MEDIAN(1001, ekb_reader_match(m, t, len, 0, &hit, 1, NULL), fast_us);
    size_t tried = ekb_reader_matcher_tried(m);
    int runs = info.entries > 20000 ? 11 : info.entries > 2000 ? 101 : 1001;
    MEDIAN(runs, ekb_reader_match(m, t, len, EKB_READER_MATCH_NAIVE, &hit, 1, NULL), naive_us);
    printf("entries %u\nindex bytes %zu\nopen median %.1f us (%s)\n", info.entries, info.size, open_us,
           index_path ? "mmap, all checks, checksum" : "embedded, all checks, checksum");
    printf("match median %.2f us (%zu regexes run, %d matches)\nnaive median %.2f us (%u regexes run)\n"
           "naive / prefilter %.0fx\n",
           fast_us, tried, n, naive_us, info.entries, fast_us > 0 ? naive_us / fast_us : 0.0);
    ekb_reader_matcher_free(m);
    return 0;
}

/* --bench on a file: the median time of matching each line on its own
 * (1001 runs each, regexes compiled first), then the median over lines. */
static int bench_lines(const ekb_reader *r, const char *path)
{
    char *data = NULL;
    size_t len = 0;
    int e = read_input(path, &data, &len);
    if (e) {
        fprintf(stderr, "errkb-lookup: %s: %s\n", path, strerror(e));
        return 2;
    }
    ekb_reader_matcher *m = ekb_reader_matcher_new(r);
    size_t cap = 64, n = 0, matched = 0;
    double *med = malloc(cap * sizeof *med);
    int code = m && med ? 0 : 2;
    ekb_reader_hit hit;
    if (code == 0) /* every regex compiled once before timing */
        ekb_reader_match(m, "", 0, EKB_READER_MATCH_NAIVE, &hit, 1, NULL);
    for (char *line = data; code == 0 && line < data + len;) {
        char *end = memchr(line, '\n', (size_t)(data + len - line));
        size_t l = end ? (size_t)(end - line) : (size_t)(data + len - line);
        char *next = line + l + 1;
        if (l && line[l - 1] == '\r')
            l--;
        if (l == 0) {
            line = next;
            continue;
        }
        if (n == cap) {
            double *v = realloc(med, (cap *= 2) * sizeof *v);
            if (!v) {
                code = 2;
                break;
            }
            med = v;
        }
        matched += ekb_reader_match(m, line, l, 0, &hit, 1, NULL) > 0;
        MEDIAN(1001, ekb_reader_match(m, line, l, 0, &hit, 1, NULL), med[n]);
        n++;
        line = next;
    }
    if (code == 0 && n == 0) {
        fprintf(stderr, "errkb-lookup: %s: no lines to time\n", path);
        code = 2;
    }
    if (code == 0) {
        qsort(med, n, sizeof *med, cmp_double);
        ekb_reader_info info;
        ekb_reader_get_info(r, &info);
        printf("entries %u\nlines %zu (%zu matched)\nmatch median %.2f us (per-line medians %.2f to %.2f us)\n",
               info.entries, n, matched, med[n / 2], med[0], med[n - 1]);
    } else if (code == 2 && n) {
        fprintf(stderr, "errkb-lookup: out of memory\n");
    }
    free(med);
    free(data);
    ekb_reader_matcher_free(m);
    return code;
}

int main(int argc, char **argv)
{
    const char *index_path = NULL, *id = NULL;
    lookup l = {.lang = "en"};
    bool all = false, dump = false, want_stats = false, want_bench = false;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (c) {
        case OPT_INDEX: index_path = optarg; break;
        case OPT_LANG:
            if (strcmp(optarg, "en") && strcmp(optarg, "zh"))
                return usage_error("unknown language '%s': en or zh", optarg);
            l.lang = optarg;
            break;
        case OPT_JSON: l.json = true; break;
        case OPT_ALL: all = true; break;
        case OPT_ID: id = optarg; break;
        case OPT_DUMP: dump = true; break;
        case OPT_STATS: want_stats = true; break;
        case OPT_BENCH: want_bench = true; break;
        case 'h': fputs(help, stdout); return fflush(stdout) ? 2 : 0;
        case OPT_VERSION: printf("errkb-lookup %s\n", EKB_VERSION); return 0;
        default: return usage_error("unknown or incomplete option '%s'", argv[optind - 1]);
        }
    }
    int operands = argc - optind;
    if ((dump || want_stats || id) && operands > 0)
        return usage_error("unexpected operand '%s'", argv[optind]);
    if (!dump && !want_stats && !id && operands != 1)
        return usage_error("%s", operands ? "give one TEXT, FILE or -" : "nothing to look up: give TEXT, FILE or -");
    ekb_reader *r;
    ekb_reader_error err;
    if (index_path ? ekb_reader_open_file(index_path, 0, &r, &err)
                   : ekb_reader_open_memory(errkb_index_data, ERRKB_INDEX_SIZE, 0, &r, &err)) {
        fprintf(stderr, "errkb-lookup: %s: %s\n", index_path ? index_path : "built-in index", err.text);
        return 2;
    }
    l.r = r;
    int code = 0;
    if (dump) {
        if (ekb_reader_dump_json(r, stdout, &err) != 0) {
            fprintf(stderr, "errkb-lookup: %s\n", err.text);
            code = 2;
        }
    } else if (want_bench) {
        const char *arg = argv[optind];
        code = names_input(arg) ? bench_lines(r, arg) : bench(index_path, r, arg);
    } else if (want_stats) {
        code = stats(r, index_path ? index_path : "(built in)");
    } else if (id) {
        uint32_t i;
        if (ekb_reader_find(r, id, &i) != 1) {
            fprintf(stderr, "errkb-lookup: no entry '%s' in the index\n", id);
            code = 1;
        } else if (l.json) {
            if (ekb_reader_dump_entry(r, i, stdout, &err) != 0)
                code = 2;
            putc('\n', stdout);
        } else {
            show(&l, i, NULL, 0);
        }
    } else {
        const char *arg = argv[optind];
        if (names_input(arg)) {
            char *data = NULL;
            size_t len = 0;
            int e = read_input(arg, &data, &len);
            if (e) {
                fprintf(stderr, "errkb-lookup: cannot read '%s': %s\n", arg, strerror(e));
                code = 2;
            } else {
                code = do_match(&l, data, len, all, true);
                free(data);
            }
        } else {
            code = do_match(&l, arg, strlen(arg), all, false);
        }
    }
    free(l.buf);
    ekb_reader_close(r);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "errkb-lookup: cannot write the output\n");
        code = 2;
    }
    return code;
}

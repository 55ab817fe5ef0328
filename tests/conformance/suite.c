/* suite.c: runs every case of the JSON Schema Test Suite's draft2020-12
 * folder (optional/format/ included, with format asserted) against the
 * validator. Remote references to http://localhost:1234/ are served from the
 * suite's remotes/ folder. Cases listed in UNSUPPORTED.md are skipped and
 * counted as such.
 *
 * usage: json-schema-suite [--verbose] [--tool ERRKB_VALIDATE] SUITE_DIR [UNSUPPORTED.md]
 * With --tool, each case goes through the built errkb-validate instead of
 * the library: the schema and the instance are written to files and
 * `errkb-validate --schema S --ref-root http://localhost:1234/=REMOTES I`
 * answers with its exit status (0 valid, 1 invalid).
 * Prints one line per failing case (--verbose: also every error reported)
 * and ends with "N passed, M failed, K skipped"; exits 0 when nothing
 * failed, 77 when SUITE_DIR is absent. */
#define _GNU_SOURCE /* asprintf */
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "schema.h"

#define REMOTE_PREFIX "http://localhost:1234/"

typedef struct skip_entry {
    char *file, *group, *test;
    int used;
} skip_entry;

typedef struct runner {
    const char *root;  /* SUITE_DIR */
    char *remotes;     /* SUITE_DIR/remotes */
    skip_entry *skips;
    size_t nskips;
    unsigned passed, failed, skipped;
    int verbose;
    const char *tool;  /* --tool: errkb-validate to run per case */
    char *tmpdir;
} runner;

extern char **environ;

/* Writes v to path (any JSON value); 0 or -1. */
static int write_json(const char *path, const json_t *v)
{
    return json_dump_file(v, path, JSON_ENCODE_ANY | JSON_COMPACT);
}

/* Runs the tool on one case: 1 valid, 0 invalid, -1 trouble. */
static int tool_verdict(runner *r, const json_t *schema, const json_t *data)
{
    char *sp = NULL, *dp = NULL, *root = NULL;
    int verdict = -1;
    if (asprintf(&sp, "%s/schema.json", r->tmpdir) < 0 || asprintf(&dp, "%s/data.json", r->tmpdir) < 0 ||
        asprintf(&root, "%s=%s", REMOTE_PREFIX, r->remotes) < 0)
        goto out;
    if (write_json(sp, schema) != 0 || write_json(dp, data) != 0)
        goto out;
    char *argv[] = {(char *)r->tool, "--quiet", "--schema", sp, "--ref-root", root, dp, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int status;
    if (posix_spawn(&pid, r->tool, &fa, NULL, argv, environ) == 0 && waitpid(pid, &status, 0) == pid &&
        WIFEXITED(status) && WEXITSTATUS(status) <= 1)
        verdict = WEXITSTATUS(status) == 0;
    posix_spawn_file_actions_destroy(&fa);
out:
    free(sp);
    free(dp);
    free(root);
    return verdict;
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *s = malloc(n);
    if (!s) {
        fprintf(stderr, "json-schema-test-suite: out of memory\n");
        exit(1);
    }
    snprintf(s, n, "%s/%s", a, b);
    return s;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- UNSUPPORTED.md: a Markdown table | file | group | test | reason | ---- */

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static int load_skips(runner *r, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "json-schema-test-suite: cannot open %s\n", path);
        return -1;
    }
    char line[2048];
    while (fgets(line, sizeof line, f)) {
        char *s = trim(line);
        if (s[0] != '|')
            continue;
        char *cells[5];
        int nc = 0;
        char *p = s + 1;
        while (nc < 5 && *p) {
            char *bar = strchr(p, '|');
            if (!bar)
                break;
            *bar = '\0';
            cells[nc++] = trim(p);
            p = bar + 1;
        }
        if (nc < 4 || strcmp(cells[0], "file") == 0 || strspn(cells[0], "-: ") == strlen(cells[0]))
            continue;
        skip_entry *v = realloc(r->skips, (r->nskips + 1) * sizeof *v);
        if (!v) {
            fclose(f);
            return -1;
        }
        r->skips = v;
        skip_entry *e = &r->skips[r->nskips++];
        e->file = strdup(cells[0]);
        e->group = strdup(cells[1]);
        e->test = strdup(cells[2]);
        e->used = 0;
        if (!e->file || !e->group || !e->test) {
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return 0;
}

static skip_entry *find_skip(runner *r, const char *file, const char *group, const char *test)
{
    for (size_t i = 0; i < r->nskips; i++)
        if (strcmp(r->skips[i].file, file) == 0 && strcmp(r->skips[i].group, group) == 0 &&
            strcmp(r->skips[i].test, test) == 0)
            return &r->skips[i];
    return NULL;
}

/* ---- remote documents ---- */

static json_t *fetch(void *ctx, const char *uri)
{
    runner *r = ctx;
    if (strncmp(uri, REMOTE_PREFIX, strlen(REMOTE_PREFIX)) != 0)
        return NULL;
    const char *rel = uri + strlen(REMOTE_PREFIX);
    if (strstr(rel, ".."))
        return NULL;
    char *path = join(r->remotes, rel);
    json_t *doc = json_load_file(path, JSON_DECODE_ANY, NULL);
    free(path);
    return doc;
}

/* ---- running ---- */

typedef struct collected {
    unsigned count;
    int verbose;
    char first[512];
} collected;

static int collect(void *ctx, const ekb_schema_error *err)
{
    collected *c = ctx;
    if (c->verbose)
        printf("    %s%s: %s [%s at %s]\n", err->instance_pointer[0] ? err->instance_pointer : "(root)",
               err->at_key ? " (key)" : "", err->message, err->keyword, err->schema_pointer[0] ? err->schema_pointer : "/");
    if (c->count++ == 0)
        snprintf(c->first, sizeof c->first, "%s at '%s' [%s %s]", err->message, err->instance_pointer,
                 err->keyword, err->schema_pointer);
    return 0;
}

static void fail_line(runner *r, const char *file, const char *group, const char *test, const char *fmt,
                      const char *detail)
{
    r->failed++;
    printf("FAIL %s | %s | %s: ", file, group, test);
    printf(fmt, detail);
    printf("\n");
}

static void run_group(runner *r, const char *file, const json_t *g)
{
    const char *gdesc = json_string_value(json_object_get(g, "description"));
    const json_t *tests = json_object_get(g, "tests");
    const json_t *schema_json = json_object_get(g, "schema");
    if (!gdesc || !json_is_array(tests) || !schema_json) {
        fail_line(r, file, gdesc ? gdesc : "?", "*", "%s", "malformed test group");
        return;
    }
    /* skip first: an unsupported group may not even compile */
    size_t nt = json_array_size(tests);
    size_t runnable = 0;
    for (size_t i = 0; i < nt; i++) {
        const char *tdesc = json_string_value(json_object_get(json_array_get(tests, i), "description"));
        if (!find_skip(r, file, gdesc, tdesc ? tdesc : ""))
            runnable++;
    }
    ekb_schema *s = NULL;
    char *err = NULL;
    if (runnable) {
        ekb_schema_options opt = {.fetch = fetch, .fetch_ctx = r};
        s = ekb_schema_new((json_t *)schema_json, NULL, &opt, &err);
    }
    for (size_t i = 0; i < nt; i++) {
        const json_t *t = json_array_get(tests, i);
        const char *tdesc = json_string_value(json_object_get(t, "description"));
        if (!tdesc)
            tdesc = "";
        skip_entry *sk = find_skip(r, file, gdesc, tdesc);
        if (sk) {
            sk->used = 1;
            r->skipped++;
            continue;
        }
        if (!s) {
            fail_line(r, file, gdesc, tdesc, "schema rejected: %s", err ? err : "out of memory");
            continue;
        }
        const json_t *data = json_object_get(t, "data");
        int want = json_is_true(json_object_get(t, "valid"));
        if (r->tool) {
            int got = tool_verdict(r, schema_json, data);
            if (got < 0)
                fail_line(r, file, gdesc, tdesc, "%s", "errkb-validate failed (exit status 2 or a crash)");
            else if (got != want)
                fail_line(r, file, gdesc, tdesc, "%s",
                          want ? "expected valid, errkb-validate said invalid" : "expected invalid, errkb-validate said valid");
            else
                r->passed++;
            continue;
        }
        collected col = {.verbose = r->verbose};
        if (r->verbose)
            printf("%s | %s | %s (%s)\n", file, gdesc, tdesc, want ? "valid" : "invalid");
        int quiet = ekb_schema_validate(s, data, NULL, NULL);
        int loud = ekb_schema_validate(s, data, collect, &col);
        if (quiet < 0 || loud < 0) {
            fail_line(r, file, gdesc, tdesc, "%s", "validator failed (out of memory)");
        } else if (quiet != loud) {
            fail_line(r, file, gdesc, tdesc, "verdicts differ with and without a callback%s", "");
        } else if (quiet != want) {
            char detail[600];
            snprintf(detail, sizeof detail, "expected %s, got %s%s%s", want ? "valid" : "invalid",
                     quiet ? "valid" : "invalid", col.count ? ": " : "", col.first);
            fail_line(r, file, gdesc, tdesc, "%s", detail);
        } else if (!quiet && col.count == 0) {
            fail_line(r, file, gdesc, tdesc, "%s", "invalid but no error was reported");
        } else if (quiet && col.count) {
            fail_line(r, file, gdesc, tdesc, "valid but an error was reported: %s", col.first);
        } else {
            r->passed++;
        }
    }
    ekb_schema_free(s);
    free(err);
}

static void run_file(runner *r, const char *path, const char *rel)
{
    json_error_t e;
    json_t *doc = json_load_file(path, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
    if (!json_is_array(doc)) {
        r->failed++;
        printf("FAIL %s: cannot load: %s (line %d)\n", rel, doc ? "not an array" : e.text, e.line);
        json_decref(doc);
        return;
    }
    for (size_t i = 0; i < json_array_size(doc); i++)
        run_group(r, rel, json_array_get(doc, i));
    json_decref(doc);
}

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every *.json below dir, in name order; rel is the path below draft2020-12. */
static void run_dir(runner *r, const char *dir, const char *rel)
{
    DIR *d = opendir(dir);
    if (!d) {
        r->failed++;
        printf("FAIL %s: cannot open folder\n", dir);
        return;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char **v = realloc(names, (n + 1) * sizeof *v);
        if (!v || !(v[n] = strdup(de->d_name))) {
            fprintf(stderr, "json-schema-test-suite: out of memory\n");
            exit(1);
        }
        names = v;
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, name_cmp);
    for (size_t i = 0; i < n; i++) {
        char *path = join(dir, names[i]);
        char *sub = rel[0] ? join(rel, names[i]) : strdup(names[i]);
        if (!sub)
            exit(1);
        size_t l = strlen(names[i]);
        if (is_dir(path))
            run_dir(r, path, sub);
        else if (l > 5 && strcmp(names[i] + l - 5, ".json") == 0)
            run_file(r, path, sub);
        free(sub);
        free(path);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    runner r = {0};
    if (argc > 1 && strcmp(argv[1], "--verbose") == 0) {
        r.verbose = 1;
        argv++;
        argc--;
    }
    if (argc > 2 && strcmp(argv[1], "--tool") == 0) {
        r.tool = argv[2];
        argv += 2;
        argc -= 2;
    }
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: json-schema-suite [--verbose] [--tool ERRKB_VALIDATE] SUITE_DIR [UNSUPPORTED.md]\n");
        return 2;
    }
    r.root = argv[1];
    char *draft = join(r.root, "draft2020-12");
    if (!is_dir(draft)) {
        printf("json-schema-test-suite: skipped (%s not found)\n", draft);
        free(draft);
        return 77;
    }
    r.remotes = join(r.root, "remotes");
    int rc = 0;
    char tmpl[] = "/tmp/errkb-suite-XXXXXX";
    if (r.tool && !(r.tmpdir = mkdtemp(tmpl))) {
        perror("mkdtemp");
        rc = 1;
    }
    if (argc == 3 && load_skips(&r, argv[2]) != 0)
        rc = 1;
    if (rc == 0) {
        run_dir(&r, draft, "");
        for (size_t i = 0; i < r.nskips; i++) {
            if (!r.skips[i].used) {
                r.failed++;
                printf("FAIL UNSUPPORTED.md lists a case the suite does not have: %s | %s | %s\n", r.skips[i].file,
                       r.skips[i].group, r.skips[i].test);
            }
        }
        printf("%u passed, %u failed, %u skipped\n", r.passed, r.failed, r.skipped);
        rc = r.failed ? 1 : 0;
    }
    for (size_t i = 0; i < r.nskips; i++) {
        free(r.skips[i].file);
        free(r.skips[i].group);
        free(r.skips[i].test);
    }
    free(r.skips);
    if (r.tmpdir) {
        char *sp = join(r.tmpdir, "schema.json"), *dp = join(r.tmpdir, "data.json");
        unlink(sp);
        unlink(dp);
        free(sp);
        free(dp);
        rmdir(r.tmpdir);
    }
    free(r.remotes);
    free(draft);
    return rc;
}

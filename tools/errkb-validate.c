/* errkb-validate: the entry schema and the corpus rules over entry files, or
 * (--schema) any JSON Schema over any JSON or YAML instances. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "rules.h"
#include "run.h"
#include "schema.h"
#include "validate.h"

static const char help[] =
    "usage: errkb-validate [OPTION]... [FILE|DIR]...\n"
    "Check entry files against the entry schema and the corpus rules.\n"
    "With no FILE, check the whole entries/ folder found at or above the\n"
    "current folder. A file is checked in the context of its whole corpus.\n"
    "\n"
    EKB_CLI_HELP_SHARED
    "  --schema FILE       validate each FILE (any JSON or YAML value) against this\n"
    "                      JSON Schema only; no corpus rules\n"
    "  --ref-root URI=DIR  with --schema: resolve $ref URIs starting with URI to\n"
    "                      files below DIR (repeatable)\n"
    EKB_CLI_HELP_END
    "\n"
    "Exit status: 0 clean, 1 findings, 2 usage, I/O or internal error.\n";

enum { OPT_SCHEMA = EKB_OPT_TOOL, OPT_REF_ROOT };

static const struct option options[] = {
    {"schema", required_argument, NULL, OPT_SCHEMA},
    {"ref-root", required_argument, NULL, OPT_REF_ROOT},
    {NULL, 0, NULL, 0},
};

typedef struct ref_root {
    const char *prefix; /* borrowed from argv, cut at '=' */
    const char *dir;
} ref_root;

typedef struct validate_opts {
    const char *schema_path;
    ref_root roots[16];
    int n_roots;
    ekb_run *run;
} validate_opts;

static int take_option(void *ctx, int id, const char *arg)
{
    validate_opts *o = ctx;
    if (id == OPT_SCHEMA) {
        o->schema_path = arg;
        return 0;
    }
    char *eq = strchr(arg, '=');
    if (!eq || eq == arg || o->n_roots == (int)(sizeof o->roots / sizeof *o->roots))
        return ekb_cli_usage_error(&o->run->cli, "--ref-root wants URI=DIR (at most 16), not '%s'", arg);
    *eq = '\0';
    o->roots[o->n_roots++] = (ref_root){arg, eq + 1};
    return 0;
}

static int check_entry(void *ctx, ekb_run *run, ekb_corpus_file *f, ekb_diags *d)
{
    return ekb_validate_entry(&run->corpus, f, ctx, d);
}

/* --- --schema mode --- */

static json_t *fetch_ref(void *ctx, const char *uri)
{
    validate_opts *o = ctx;
    for (int i = 0; i < o->n_roots; i++) {
        size_t pl = strlen(o->roots[i].prefix);
        if (strncmp(uri, o->roots[i].prefix, pl) != 0)
            continue;
        size_t rest = strcspn(uri + pl, "#");
        char *path = ekb_asprintf("%s/%.*s", o->roots[i].dir, (int)rest, uri + pl);
        if (!path)
            return NULL;
        json_t *v = json_load_file(path, JSON_DECODE_ANY, NULL);
        free(path);
        if (v)
            return v;
    }
    return NULL;
}

static int schema_mode(validate_opts *o)
{
    ekb_run *run = o->run;
    ekb_cli *cli = &run->cli;
    ekb_limits lim = {.max_file_bytes = 64 << 20, .max_depth = 512, .allow_nul_escape = true};
    ekb_diags *d = &run->diags;
    ekb_doc *sdoc = NULL;
    int r = ekb_doc_load_file(o->schema_path, &lim, &sdoc, d);
    ekb_schema *schema = NULL;
    char *dir = NULL, *base = NULL;
    if (r == 0) {
        char real[PATH_MAX];
        if (realpath(o->schema_path, real)) {
            base = ekb_asprintf("file://%s", real);
            char *slash = strrchr(real, '/');
            dir = ekb_strndup(real, (size_t)(slash - real));
        }
        char *err = NULL;
        ekb_schema_options so = {.base_dir = dir, .fetch = fetch_ref, .fetch_ctx = o};
        schema = ekb_schema_new(sdoc->root, base, &so, &err);
        if (!schema)
            r = ekb_diags_add(d, o->schema_path, 0, 0, EKB_ERROR, "schema.invalid", NULL, NULL,
                              "cannot use the schema: %s", err ? err : "out of memory") ? -1 : 1;
        free(err);
    }
    int code = EKB_EXIT_TROUBLE;
    if (r == 0) {
        ekb_report_unit *units = calloc((size_t)cli->n_paths + 1, sizeof *units);
        for (int i = 0; units && i < cli->n_paths && r == 0; i++) {
            units[i].path = cli->paths[i];
            ekb_doc *doc = NULL;
            if (ekb_doc_load_file(cli->paths[i], &lim, &doc, d) < 0) {
                r = -1;
                break;
            }
            if (!doc)
                continue;
            if (ekb_validate_schema(schema, doc, NULL, d) < 0)
                r = -1;
            ekb_doc_free(doc);
        }
        if (units && r == 0) {
            ekb_diags_sort(d);
            ekb_report rep = {.tool = cli->prog, .format = cli->format, .units = units,
                              .n_units = (size_t)cli->n_paths, .files = (size_t)cli->n_paths,
                              .entries = (size_t)cli->n_paths, .errors = ekb_diags_count(d, EKB_ERROR),
                              .warnings = ekb_diags_count(d, EKB_WARNING), .quiet = cli->quiet};
            code = ekb_cli_exit_code(cli, d);
            if (ekb_report_write(stdout, &rep, d) != 0)
                code = EKB_EXIT_TROUBLE;
        } else {
            fprintf(stderr, "%s: out of memory\n", cli->prog);
        }
        free(units);
    } else {
        for (size_t i = 0; i < d->n; i++)
            ekb_report_write_diag(stderr, cli->prog, &d->v[i]);
    }
    ekb_schema_free(schema);
    ekb_doc_free(sdoc);
    free(dir);
    free(base);
    ekb_diags_free(d);
    return code;
}

int main(int argc, char **argv)
{
    ekb_run run = {0};
    validate_opts o = {.run = &run};
    int r = ekb_cli_parse(&run.cli, argc, argv, options, take_option, &o, help);
    if (r >= 0)
        return r;
    if (o.schema_path) {
        if (run.cli.n_paths == 0)
            return ekb_cli_usage_error(&run.cli, "--schema needs at least one FILE to validate");
        ekb_diags_init(&run.diags);
        return schema_mode(&o);
    }
    /* Each file is loaded, checked and freed on its worker: flat memory, and
     * the pages of one file are reused by the next. */
    run.stream = true;
    run.lazy_listing = true;
    if ((r = ekb_run_open(&run, true, false)) >= 0)
        return r;
    ekb_rules_options ro = {.today = run.cli.today, .staleness_days = run.corpus.policy.staleness_days};
    if (ekb_run_each(&run, check_entry, &ro) != 0 || ekb_rules_check_symmetry(&run.corpus, &run.diags) != 0)
        run.oom = true;
    return ekb_run_finish(&run);
}

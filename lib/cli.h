/* cli.h: the command-line conventions every errkb tool shares. */
#ifndef EKB_CLI_H
#define EKB_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "diag.h"
#include "report.h"

/* Exit codes, the same for every tool. */
enum { EKB_EXIT_CLEAN = 0, EKB_EXIT_FINDINGS = 1, EKB_EXIT_TROUBLE = 2 };

/* Ids of the shared options; a tool numbers its own from EKB_OPT_TOOL. */
enum {
    EKB_OPT_FORMAT = 1000, EKB_OPT_WERROR, EKB_OPT_CORPUS, EKB_OPT_TODAY, EKB_OPT_JOBS,
    EKB_OPT_QUIET, EKB_OPT_HELP, EKB_OPT_VERSION, EKB_OPT_CHANGED_SINCE, EKB_OPT_TOOL = 1100
};

/* The --help lines of the shared options, for every tool's help text; the
 * man pages repeat them (tests/man checks that the two agree). */
#define EKB_CLI_HELP_SHARED \
    "  --corpus DIR        the entries folder (default: found by walking up)\n" \
    "  --changed-since REF\n" \
    "                      check only the entries changed since the git revision\n" \
    "                      REF (committed, staged, unstaged or untracked) and the\n" \
    "                      entries whose verdict depends on them\n" \
    "  --format FMT        text (default), json, junit, github or sarif\n" \
    "  --werror            warnings fail the run too\n" \
    "  --today YYYY-MM-DD  the date the date rules compare with (default: today, UTC)\n" \
    "  --jobs N            threads (default: one per CPU)\n" \
    "  --quiet             no summary line\n"
#define EKB_CLI_HELP_END \
    "  -h, --help          show this help\n" \
    "  --version           show the version\n"

typedef struct ekb_cli {
    const char *prog;
    ekb_format format;
    bool werror, quiet;
    const char *corpus_dir;
    const char *changed_since; /* --changed-since REF, NULL when not given */
    long today;          /* days since 1970-01-01 */
    unsigned jobs;       /* 0: one per CPU */
    char **paths;        /* operands (borrowed from argv) */
    int n_paths;
} ekb_cli;

/* A tool's own option: return 0, or nonzero after printing a usage error. */
typedef int (*ekb_cli_option_fn)(void *ctx, int id, const char *arg);

/* Parses argv: the shared options, then the tool's (extra, ending with a
 * zeroed entry; may be NULL). help is the full --help text (stdout).
 * Returns -1 to go on, or an exit code (0 after --help/--version, 2 on misuse). */
int ekb_cli_parse(ekb_cli *cli, int argc, char **argv, const struct option *extra,
                  ekb_cli_option_fn fn, void *ctx, const char *help);

/* Prints "prog: message" and a hint to stderr; returns EKB_EXIT_TROUBLE. */
int ekb_cli_usage_error(const ekb_cli *cli, const char *fmt, ...) EKB_PRINTF(2, 3);

/* 1 when d has errors (or warnings under --werror), else 0. */
int ekb_cli_exit_code(const ekb_cli *cli, const ekb_diags *d);

#endif

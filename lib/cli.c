/* cli.c: shared option parsing, usage errors and exit codes. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

#ifndef EKB_VERSION
#define EKB_VERSION "unknown"
#endif

static const struct option common_options[] = {
    {"format", required_argument, NULL, EKB_OPT_FORMAT},
    {"werror", no_argument, NULL, EKB_OPT_WERROR},
    {"corpus", required_argument, NULL, EKB_OPT_CORPUS},
    {"today", required_argument, NULL, EKB_OPT_TODAY},
    {"jobs", required_argument, NULL, EKB_OPT_JOBS},
    {"quiet", no_argument, NULL, EKB_OPT_QUIET},
    {"help", no_argument, NULL, EKB_OPT_HELP},
    {"version", no_argument, NULL, EKB_OPT_VERSION},
    {"changed-since", required_argument, NULL, EKB_OPT_CHANGED_SINCE},
};

int ekb_cli_usage_error(const ekb_cli *cli, const char *fmt, ...)
{
    fprintf(stderr, "%s: ", cli->prog);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help' for more information.\n", cli->prog);
    return EKB_EXIT_TROUBLE;
}

static int common_option(ekb_cli *cli, int id, const char *arg, const char *help)
{
    switch (id) {
    case EKB_OPT_FORMAT:
        if (!ekb_format_parse(arg, &cli->format))
            return ekb_cli_usage_error(cli, "unknown format '%s' (" EKB_FORMAT_NAMES ")", arg);
        return -1;
    case EKB_OPT_CHANGED_SINCE:
        /* git would take "-x" for an option: refuse it here (and the git
         * calls also put it after --end-of-options) */
        if (!*arg || *arg == '-')
            return ekb_cli_usage_error(cli, "--changed-since wants a git revision, not '%s'", arg);
        cli->changed_since = arg;
        return -1;
    case EKB_OPT_WERROR: cli->werror = true; return -1;
    case EKB_OPT_CORPUS: cli->corpus_dir = arg; return -1;
    case EKB_OPT_QUIET: cli->quiet = true; return -1;
    case EKB_OPT_TODAY:
        if (!ekb_parse_date(arg, &cli->today))
            return ekb_cli_usage_error(cli, "--today wants a date YYYY-MM-DD, not '%s'", arg);
        return -1;
    case EKB_OPT_JOBS: {
        char *end;
        long n = strtol(arg, &end, 10);
        if (*end || n < 1 || n > 256)
            return ekb_cli_usage_error(cli, "--jobs wants a number from 1 to 256, not '%s'", arg);
        cli->jobs = (unsigned)n;
        return -1;
    }
    case EKB_OPT_HELP: fputs(help, stdout); return fflush(stdout) ? EKB_EXIT_TROUBLE : EKB_EXIT_CLEAN;
    case EKB_OPT_VERSION: printf("%s %s\n", cli->prog, EKB_VERSION); return EKB_EXIT_CLEAN;
    default: return EKB_EXIT_TROUBLE;
    }
}

int ekb_cli_parse(ekb_cli *cli, int argc, char **argv, const struct option *extra,
                  ekb_cli_option_fn fn, void *ctx, const char *help)
{
    const char *slash = strrchr(argv[0], '/');
    cli->prog = slash ? slash + 1 : argv[0];
    cli->format = EKB_FORMAT_TEXT;
    cli->today = ekb_today();
    size_t n_common = sizeof common_options / sizeof *common_options, n_extra = 0;
    while (extra && extra[n_extra].name)
        n_extra++;
    struct option *all = calloc(n_common + n_extra + 1, sizeof *all);
    if (!all) {
        fprintf(stderr, "%s: out of memory\n", cli->prog);
        return EKB_EXIT_TROUBLE;
    }
    memcpy(all, common_options, sizeof common_options);
    if (n_extra)
        memcpy(all + n_common, extra, n_extra * sizeof *extra);
    int result = -1;
    opterr = 0;
    optind = 1;
    while (result < 0) {
        int id = getopt_long(argc, argv, "h", all, NULL);
        if (id == -1)
            break;
        if (id == 'h')
            id = EKB_OPT_HELP;
        if (id == '?' || id == ':') {
            result = optopt ? ekb_cli_usage_error(cli, "unknown option '-%c'", optopt)
                            : ekb_cli_usage_error(cli, "unknown or incomplete option '%s'", argv[optind - 1]);
        } else if (id >= EKB_OPT_TOOL) {
            if (fn(ctx, id, optarg) != 0)
                result = EKB_EXIT_TROUBLE;
        } else {
            result = common_option(cli, id, optarg, help);
        }
    }
    free(all);
    cli->paths = argv + optind;
    cli->n_paths = argc - optind;
    return result;
}

int ekb_cli_exit_code(const ekb_cli *cli, const ekb_diags *d)
{
    if (ekb_diags_count(d, EKB_ERROR))
        return EKB_EXIT_FINDINGS;
    if (cli->werror && ekb_diags_count(d, EKB_WARNING))
        return EKB_EXIT_FINDINGS;
    return EKB_EXIT_CLEAN;
}

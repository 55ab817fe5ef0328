/* subprocess.h: running a helper program (git) from an argument vector, with no
 * shell in between, and capturing what it prints. */
#ifndef EKB_SUBPROCESS_H
#define EKB_SUBPROCESS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ekb_spawn_result {
    int status;      /* exit code; 127 when it could not be started, 128+N on signal N */
    char *out;       /* standard output, NUL-terminated (may hold NULs itself) */
    size_t out_len;
    char *err;       /* standard error, NUL-terminated */
    size_t err_len;
    bool truncated;  /* a stream printed more than max_bytes: the rest was dropped */
} ekb_spawn_result;

/* Runs argv[0] (searched on PATH) with argv and standard input from
 * /dev/null, and waits for it. Each stream keeps at most max_bytes.
 * Returns 0 (then see res->status), or -1 when out of memory or the pipes
 * could not be made; res is then empty. Free res with ekb_spawn_result_free. */
int ekb_spawn_capture(char *const argv[], size_t max_bytes, ekb_spawn_result *res);

void ekb_spawn_result_free(ekb_spawn_result *res);

#endif

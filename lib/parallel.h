/* parallel.h: run a function over 0..n-1 on several threads. */
#ifndef EKB_PARALLEL_H
#define EKB_PARALLEL_H

#include <stddef.h>

#include "diag.h"

/* Called for each index on some worker; d is that worker's own list.
 * Return 0, or -1 to stop everything (out of memory). */
typedef int (*ekb_parallel_fn)(void *ctx, size_t index, ekb_diags *d);

/* Runs fn for every index with up to jobs threads (0: one per online CPU),
 * then moves every worker's diagnostics into d; with d NULL (fn reports
 * nothing) they are dropped. Returns 0 or -1. */
int ekb_parallel_for(size_t n, unsigned jobs, ekb_parallel_fn fn, void *ctx, ekb_diags *d);

/* One function run beside the caller's work, e.g. freeing what is no longer
 * needed while the results are written. */
typedef struct ekb_task ekb_task;

/* Starts fn(ctx) on a thread of its own and returns the task to wait for.
 * Returns NULL when no thread could be had: fn has then run already, on
 * the caller's thread, so the work is done either way. */
ekb_task *ekb_task_start(void (*fn)(void *ctx), void *ctx);

/* Waits for the task to finish and frees it; NULL does nothing. */
void ekb_task_wait(ekb_task *t);

/* Number of online CPUs, at least 1. */
unsigned ekb_cpu_count(void);

#endif

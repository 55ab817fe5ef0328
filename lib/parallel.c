/* parallel.c: a tiny work-sharing loop over pthreads. */
#include "parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct shared {
    size_t n;
    atomic_size_t next;
    atomic_int failed;
    ekb_parallel_fn fn;
    void *ctx;
} shared;

typedef struct worker {
    shared *sh;
    ekb_diags diags;
    pthread_t thread;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    for (;;) {
        if (atomic_load(&sh->failed))
            break;
        size_t i = atomic_fetch_add(&sh->next, 1);
        if (i >= sh->n)
            break;
        if (sh->fn(sh->ctx, i, &w->diags) != 0)
            atomic_store(&sh->failed, 1);
    }
    return NULL;
}

unsigned ekb_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

int ekb_parallel_for(size_t n, unsigned jobs, ekb_parallel_fn fn, void *ctx, ekb_diags *d)
{
    if (jobs == 0)
        jobs = ekb_cpu_count();
    /* Threads cost more than they save on a handful of files. */
    if (n < 64)
        jobs = 1;
    shared sh = {.n = n, .fn = fn, .ctx = ctx};
    atomic_init(&sh.next, 0);
    atomic_init(&sh.failed, 0);
    worker *ws = calloc(jobs, sizeof *ws);
    if (!ws)
        return -1;
    unsigned started = 0;
    for (unsigned t = 0; t < jobs; t++) {
        ws[t].sh = &sh;
        ekb_diags_init(&ws[t].diags);
    }
    /* worker 0 runs on this thread; the others on new ones */
    for (unsigned t = 1; t < jobs; t++) {
        if (pthread_create(&ws[t].thread, NULL, work, &ws[t]) != 0)
            break;
        started = t;
    }
    work(&ws[0]);
    for (unsigned t = 1; t <= started; t++)
        pthread_join(ws[t].thread, NULL);
    int r = atomic_load(&sh.failed) ? -1 : 0;
    for (unsigned t = 0; t < jobs; t++) {
        if (d && ekb_diags_take(d, &ws[t].diags) != 0)
            r = -1;
        ekb_diags_free(&ws[t].diags);
    }
    free(ws);
    return r;
}

struct ekb_task {
    pthread_t thread;
    void (*fn)(void *ctx);
    void *ctx;
};

static void *run_task(void *arg)
{
    ekb_task *t = arg;
    t->fn(t->ctx);
    return NULL;
}

ekb_task *ekb_task_start(void (*fn)(void *ctx), void *ctx)
{
    ekb_task *t = malloc(sizeof *t);
    if (t) {
        t->fn = fn;
        t->ctx = ctx;
        if (pthread_create(&t->thread, NULL, run_task, t) == 0)
            return t;
        free(t);
    }
    fn(ctx);
    return NULL;
}

void ekb_task_wait(ekb_task *t)
{
    if (!t)
        return;
    pthread_join(t->thread, NULL);
    free(t);
}

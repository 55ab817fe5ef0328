/* bulk_json.c: a bump allocator for jansson values.
 *
 * errkb-compile keeps every parsed file until the index is written: at
 * 100,000 entries that is 20 million jansson allocations and 2 GB of
 * values. Through malloc, each is a call, a header and, for the memory as
 * a whole, half a million page faults; freeing them at the end costs as
 * much again. Here each thread carves its values out of 64 MiB blocks that
 * the kernel backs with 2 MiB pages (one fault each), and nothing is freed
 * before the process exits. Measured in docs/errkb-compile.md. */
#include "bulk_json.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#ifndef EKB_SANITIZED
#define BLOCK ((size_t)64 << 20)
/* above this, a value gets a mapping of its own rather than a block's tail */
#define LARGE (BLOCK / 16)

/* The thread's current block: [next, end). Each thread has its own, so no
 * lock is needed; a thread's unused tail is lost when it ends (address
 * space only: untouched pages are never backed). */
static _Thread_local char *next, *end;

static void *map(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    (void)madvise(p, size, MADV_HUGEPAGE); /* a hint: without it, plain pages */
    return p;
}

static void *bulk_malloc(size_t n)
{
    if (n > SIZE_MAX - 7)
        return NULL;
    /* 8, not malloc's 16: jansson's values hold nothing wider than a
     * pointer, a size_t or a double, and a 16-byte grain would cost 8 bytes
     * on average for each of 29 million values (100k entries) */
    n = (n + 7) & ~(size_t)7;
    if (n > LARGE)
        return map(n);
    if (!next || n > (size_t)(end - next)) {
        char *b = map(BLOCK);
        if (!b)
            return NULL;
        next = b;
        end = b + BLOCK;
    }
    void *p = next;
    next += n;
    return p;
}

static void bulk_free(void *p)
{
    (void)p; /* everything goes at exit */
}

bool bulk_json_install(void)
{
    json_set_alloc_funcs(bulk_malloc, bulk_free);
    return true;
}
#else
bool bulk_json_install(void)
{
    return false;
}
#endif

void bulk_json_free_string(char *s)
{
    json_malloc_t m;
    json_free_t f;
    json_get_alloc_funcs(&m, &f);
    f(s);
}

/* bulk_json.c: bump allocation for jansson values.
 *
 * errkb-compile parses every file of the corpus: at 100,000 entries, 29
 * million jansson values. Each file's values are made in a scope of its
 * worker thread (bulk_json_scope): carved out of chunks that the next file
 * on that thread reuses, so they land in memory already touched; the
 * compile freezes the entry (lib/cv.h) before the scope ends. Values made
 * outside a scope (schema, policy) come from 64 MiB blocks backed by 2 MiB
 * pages and stay until the process exits. jansson's frees do nothing.
 * Measured in docs/errkb-compile.md. */
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

/* A thread's file scope (bulk_json_scope): chunks of memory that each file
 * checked on the thread reuses, so that its values land in memory already
 * touched and in cache. The chunks stay with the thread. */
#define SCOPE_CHUNK ((size_t)1 << 20)

typedef struct chunk {
    struct chunk *next;
    size_t size;
    char data[]; /* at offset 16: aligned for any jansson value */
} chunk;

static _Thread_local bool in_scope;
static _Thread_local chunk *scope_first, *scope_cur;
static _Thread_local char *scope_next;

static void *scope_malloc(size_t n)
{
    while (!scope_cur || n > (size_t)(scope_cur->data + scope_cur->size - scope_next)) {
        chunk *after = scope_cur ? scope_cur->next : scope_first;
        if (!after || after->size < n) { /* a new chunk goes in before it */
            size_t size = n > SCOPE_CHUNK ? n : SCOPE_CHUNK;
            chunk *c = malloc(sizeof *c + size);
            if (!c)
                return NULL;
            c->size = size;
            c->next = after;
            if (scope_cur)
                scope_cur->next = c;
            else
                scope_first = c;
            after = c;
        }
        scope_cur = after;
        scope_next = after->data;
    }
    void *p = scope_next;
    scope_next += n;
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
    if (in_scope)
        return scope_malloc(n);
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

void bulk_json_scope(bool enter)
{
    in_scope = enter;
    scope_cur = NULL; /* the next allocation starts at the first chunk */
    scope_next = NULL;
}
#else
bool bulk_json_install(void)
{
    return false;
}

void bulk_json_scope(bool enter)
{
    (void)enter;
}
#endif

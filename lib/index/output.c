/* output.c: writing the generated files as one step (every file to a temp
 * file, then every rename), and comparing them with what is on disk. */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parallel.h"
#include "util.h"

static int write_all(int fd, const void *data, size_t n)
{
    const unsigned char *p = data;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

typedef struct fd_sink {
    ekb_output_sink base;
    int fd;
} fd_sink;

static int fd_put(ekb_output_sink *s, const void *p, size_t n)
{
    return write_all(((fd_sink *)s)->fd, p, n);
}

/* One file on its way: its temp file is written on a thread of its own. */
typedef struct pending {
    const ekb_output_file *file;
    char *dst, *tmp;
    bool created; /* tmp exists */
    int err;
    const char *what;
} pending;

static void write_temp(void *ctx)
{
    pending *p = ctx;
    int fd = mkstemp(p->tmp);
    if (fd < 0) {
        p->err = errno;
        p->what = "cannot create";
        return;
    }
    p->created = true;
    fd_sink sink = {{fd_put}, fd};
    const ekb_output_file *f = p->file;
    int err = f->produce ? f->produce(f->ctx, &sink.base) : write_all(fd, f->data, f->len);
    if (err == 0 && fchmod(fd, 0644) != 0)
        err = errno;
    if (err == 0 && fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && err == 0)
        err = errno;
    p->err = err;
    p->what = "cannot write";
}

static void pending_free(pending *v, size_t n)
{
    for (size_t i = 0; v && i < n; i++) {
        if (v[i].created)
            unlink(v[i].tmp); /* renamed ones are gone already: ENOENT */
        free(v[i].tmp);
        free(v[i].dst);
    }
    free(v);
}

int ekb_output_write(const char *dir, const ekb_output_file *files, size_t n, char **errmsg)
{
    *errmsg = NULL;
    pending *v = calloc(n + 1, sizeof *v);
    ekb_task **tasks = calloc(n + 1, sizeof *tasks);
    int err = 0;
    const char *what = "cannot create";
    const char *subject = dir;
    if (!v || !tasks) {
        err = ENOMEM;
        goto fail;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        err = errno;
        what = "cannot create folder";
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        v[i].file = &files[i];
        if (!(v[i].dst = ekb_path_join(dir, files[i].name)) || !(v[i].tmp = ekb_asprintf("%s.XXXXXX", v[i].dst))) {
            err = ENOMEM;
            goto fail;
        }
        /* a destination that cannot be replaced fails now, before any write */
        if (lstat(v[i].dst, &st) == 0 && S_ISDIR(st.st_mode)) {
            err = EISDIR;
            what = "cannot replace";
            subject = v[i].dst;
            goto fail;
        }
    }
    /* the files side by side: writing 400 MB is mostly the kernel's copying */
    for (size_t i = 1; i < n; i++)
        tasks[i] = ekb_task_start(write_temp, &v[i]);
    if (n)
        write_temp(&v[0]);
    for (size_t i = 1; i < n; i++)
        ekb_task_wait(tasks[i]);
    for (size_t i = 0; i < n; i++)
        if (v[i].err) {
            err = v[i].err;
            what = v[i].what;
            subject = v[i].dst;
            goto fail;
        }
    for (size_t i = 0; i < n; i++) {
        if (rename(v[i].tmp, v[i].dst) != 0) {
            err = errno;
            what = "cannot replace";
            subject = v[i].dst;
            goto fail;
        }
        v[i].created = false;
    }
    pending_free(v, n);
    free(tasks);
    return 0;
fail:
    *errmsg = ekb_asprintf("%s '%s': %s", what, subject, strerror(err));
    pending_free(v, n);
    free(tasks);
    return -1;
}

/* A sink comparing what is put with a file's bytes. */
typedef struct cmp_sink {
    ekb_output_sink base;
    const char *text;
    size_t len, at;
} cmp_sink;

static int cmp_put(ekb_output_sink *s, const void *p, size_t n)
{
    cmp_sink *c = (cmp_sink *)s;
    if (n > c->len - c->at || memcmp(c->text + c->at, p, n) != 0)
        return EEXIST; /* any value: it only stops the producer */
    c->at += n;
    return 0;
}

/* Whether the file at path holds exactly f's bytes. 1 yes, 0 no, -1 memory. */
static int same_bytes(const char *path, const ekb_output_file *f)
{
    char *text = NULL;
    size_t len = 0;
    int e = ekb_read_file(path, f->produce ? SIZE_MAX : f->len + 1, &text, &len);
    if (e == ENOMEM)
        return -1;
    int same = 0;
    if (e == 0 && f->produce) {
        cmp_sink c = {{cmp_put}, text, len, 0};
        int r = f->produce(f->ctx, &c.base);
        same = r == ENOMEM ? -1 : r == 0 && c.at == len;
    } else if (e == 0) {
        same = len == f->len && memcmp(text, f->data, len) == 0;
    }
    free(text);
    return same;
}

int ekb_output_check(const char *dir, const ekb_output_file *files, size_t n, size_t *first_stale)
{
    for (size_t i = 0; i < n; i++) {
        char *path = ekb_path_join(dir, files[i].name);
        if (!path)
            return -1;
        int same = same_bytes(path, &files[i]);
        free(path);
        if (same < 0)
            return -1;
        if (!same) {
            *first_stale = i;
            return 1;
        }
    }
    return 0;
}

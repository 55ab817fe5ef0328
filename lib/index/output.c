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

struct ekb_output_staged {
    pending *v;
    size_t n;
    char *made_dir; /* the folder, when staging created it */
};

/* Ends a staging that failed: the message, then what it made removed. */
static int stage_failed(ekb_output_staged *st, int err, const char *what, const char *subject, char **errmsg)
{
    *errmsg = ekb_asprintf("%s '%s': %s", what, subject, strerror(err));
    ekb_output_discard(st);
    return -1;
}

int ekb_output_stage(const char *dir, const ekb_output_file *files, size_t n, ekb_output_staged **out,
                     char **errmsg)
{
    *errmsg = NULL;
    *out = NULL;
    ekb_output_staged *st = calloc(1, sizeof *st);
    if (st)
        st->v = calloc(n + 1, sizeof *st->v);
    if (!st || !st->v)
        return stage_failed(st, ENOMEM, "cannot create", dir, errmsg);
    if (mkdir(dir, 0777) == 0) {
        if (!(st->made_dir = strdup(dir))) {
            rmdir(dir);
            return stage_failed(st, ENOMEM, "cannot create", dir, errmsg);
        }
    } else if (errno != EEXIST) {
        return stage_failed(st, errno, "cannot create folder", dir, errmsg);
    }
    pending *v = st->v;
    st->n = n;
    for (size_t i = 0; i < n; i++) {
        struct stat sb;
        v[i].file = &files[i];
        if (!(v[i].dst = ekb_path_join(dir, files[i].name)) || !(v[i].tmp = ekb_asprintf("%s.XXXXXX", v[i].dst)))
            return stage_failed(st, ENOMEM, "cannot create", dir, errmsg);
        /* a destination that cannot be replaced fails now, before any write */
        if (lstat(v[i].dst, &sb) == 0 && S_ISDIR(sb.st_mode))
            return stage_failed(st, EISDIR, "cannot replace", v[i].dst, errmsg);
    }
    ekb_task **tasks = calloc(n + 1, sizeof *tasks);
    if (!tasks)
        return stage_failed(st, ENOMEM, "cannot create", dir, errmsg);
    /* the files side by side: writing 400 MB is mostly the kernel's copying */
    for (size_t i = 1; i < n; i++)
        tasks[i] = ekb_task_start(write_temp, &v[i]);
    if (n)
        write_temp(&v[0]);
    for (size_t i = 1; i < n; i++)
        ekb_task_wait(tasks[i]);
    free(tasks);
    for (size_t i = 0; i < n; i++)
        if (v[i].err)
            return stage_failed(st, v[i].err, v[i].what, v[i].dst, errmsg);
    *out = st;
    return 0;
}

int ekb_output_commit(ekb_output_staged *st, char **errmsg)
{
    *errmsg = NULL;
    for (size_t i = 0; i < st->n; i++) {
        if (rename(st->v[i].tmp, st->v[i].dst) != 0) {
            int err = errno;
            *errmsg = ekb_asprintf("cannot replace '%s': %s", st->v[i].dst, strerror(err));
            ekb_output_discard(st);
            return -1;
        }
        st->v[i].created = false;
    }
    ekb_output_discard(st);
    return 0;
}

void ekb_output_discard(ekb_output_staged *st)
{
    if (!st)
        return;
    pending_free(st->v, st->n);
    if (st->made_dir)
        rmdir(st->made_dir); /* fails, as it should, once the files are in */
    free(st->made_dir);
    free(st);
}

int ekb_output_write(const char *dir, const ekb_output_file *files, size_t n, char **errmsg)
{
    ekb_output_staged *st;
    if (ekb_output_stage(dir, files, n, &st, errmsg) != 0)
        return -1;
    return ekb_output_commit(st, errmsg);
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

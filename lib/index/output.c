/* output.c: writing the generated files as one step (every file to a temp
 * file, then every rename), and comparing them with what is on disk. */
#include "output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

static int write_all(int fd, const unsigned char *p, size_t n)
{
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

int ekb_output_write(const char *dir, const ekb_output_file *files, size_t n, char **errmsg)
{
    *errmsg = NULL;
    char **tmp = calloc(n + 1, sizeof *tmp), **dst = calloc(n + 1, sizeof *dst);
    int err = 0;
    const char *what = "cannot create";
    const char *subject = dir;
    if (!tmp || !dst) {
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
        if (!(dst[i] = ekb_path_join(dir, files[i].name)) || !(tmp[i] = ekb_asprintf("%s.XXXXXX", dst[i]))) {
            err = ENOMEM;
            goto fail;
        }
        subject = dst[i];
        /* a destination that cannot be replaced fails now, before any rename */
        if (lstat(dst[i], &st) == 0 && S_ISDIR(st.st_mode)) {
            err = EISDIR;
            what = "cannot replace";
            goto fail;
        }
        int fd = mkstemp(tmp[i]);
        if (fd < 0) {
            err = errno;
            free(tmp[i]);
            tmp[i] = NULL;
            goto fail;
        }
        what = "cannot write";
        if ((err = write_all(fd, files[i].data, files[i].len)) == 0 && fchmod(fd, 0644) != 0)
            err = errno;
        if (err == 0 && fsync(fd) != 0)
            err = errno;
        if (close(fd) != 0 && err == 0)
            err = errno;
        if (err)
            goto fail;
        what = "cannot create";
    }
    for (size_t i = 0; i < n; i++)
        if (rename(tmp[i], dst[i]) != 0) {
            err = errno;
            what = "cannot replace";
            subject = dst[i];
            goto fail;
        }
    for (size_t i = 0; i < n; i++) {
        free(tmp[i]);
        free(dst[i]);
    }
    free(tmp);
    free(dst);
    return 0;
fail:
    *errmsg = ekb_asprintf("%s '%s': %s", what, subject, strerror(err));
    for (size_t i = 0; tmp && i < n; i++) {
        if (tmp[i])
            unlink(tmp[i]); /* renamed ones are gone already: ENOENT */
        free(tmp[i]);
        if (dst)
            free(dst[i]);
    }
    free(tmp);
    free(dst);
    return -1;
}

int ekb_output_check(const char *dir, const ekb_output_file *files, size_t n, size_t *first_stale)
{
    for (size_t i = 0; i < n; i++) {
        char *path = ekb_path_join(dir, files[i].name), *text = NULL;
        size_t len = 0;
        if (!path)
            return -1;
        int e = ekb_read_file(path, files[i].len + 1, &text, &len);
        free(path);
        bool same = e == 0 && len == files[i].len && memcmp(text, files[i].data, len) == 0;
        free(text);
        if (!same) {
            *first_stale = i;
            return 1;
        }
    }
    return 0;
}

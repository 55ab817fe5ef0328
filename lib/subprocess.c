/* subprocess.c: posix_spawnp with both output streams captured through pipes,
 * read together with poll so that neither can fill up and block the child. */
#include "subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

extern char **environ;

void ekb_spawn_result_free(ekb_spawn_result *res)
{
    free(res->out);
    free(res->err);
    memset(res, 0, sizeof *res);
}

/* Reads what is there on fd into sb (up to max bytes, the rest dropped).
 * Returns 1 at end of stream, 0 to go on, -1 on a read error. */
static int drain(int fd, ekb_strbuf *sb, size_t max, bool *truncated)
{
    char chunk[4096];
    ssize_t k = read(fd, chunk, sizeof chunk);
    if (k < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : -1;
    if (k == 0)
        return 1;
    size_t room = sb->len < max ? max - sb->len : 0;
    if ((size_t)k > room)
        *truncated = true;
    ekb_strbuf_addn(sb, chunk, (size_t)k < room ? (size_t)k : room);
    return 0;
}

static void close_pair(int p[2])
{
    if (p[0] >= 0)
        close(p[0]);
    if (p[1] >= 0)
        close(p[1]);
}

/* pipe2 is not POSIX: a pipe, then close-on-exec, so that the child keeps
 * only the ends it is given. */
static int pipe_cloexec(int p[2])
{
    if (pipe(p) != 0)
        return -1;
    if (fcntl(p[0], F_SETFD, FD_CLOEXEC) != 0 || fcntl(p[1], F_SETFD, FD_CLOEXEC) != 0) {
        close_pair(p);
        p[0] = p[1] = -1;
        return -1;
    }
    return 0;
}

int ekb_spawn_capture(char *const argv[], size_t max_bytes, ekb_spawn_result *res)
{
    memset(res, 0, sizeof *res);
    int po[2] = {-1, -1}, pe[2] = {-1, -1};
    if (pipe_cloexec(po) != 0 || pipe_cloexec(pe) != 0) {
        close_pair(po);
        close_pair(pe);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    int e = posix_spawn_file_actions_init(&fa);
    bool fa_made = e == 0;
    e = e ? e : posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    e = e ? e : posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    e = e ? e : posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    pid_t pid = -1;
    /* dup2 clears close-on-exec on 1 and 2; the originals close at exec */
    int spawn_err = e ? e : posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    if (fa_made)
        posix_spawn_file_actions_destroy(&fa);
    close(po[1]);
    close(pe[1]);
    if (e != 0) {
        close(po[0]);
        close(pe[0]);
        errno = e;
        return -1;
    }
    ekb_strbuf out, err;
    ekb_strbuf_init(&out);
    ekb_strbuf_init(&err);
    if (spawn_err == 0) {
        struct pollfd fds[2] = {{.fd = po[0], .events = POLLIN}, {.fd = pe[0], .events = POLLIN}};
        int open_fds = 2;
        while (open_fds > 0) {
            if (poll(fds, 2, -1) < 0) {
                if (errno == EINTR)
                    continue;
                break;
            }
            for (int i = 0; i < 2; i++) {
                if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                    continue;
                int r = drain(fds[i].fd, i ? &err : &out, max_bytes, &res->truncated);
                if (r != 0) {
                    fds[i].fd = -1; /* poll ignores negative descriptors */
                    open_fds--;
                }
            }
        }
        /* closed before waiting: should poll have failed, a child still
         * writing gets EPIPE rather than blocking on a full pipe forever */
        close(po[0]);
        close(pe[0]);
        po[0] = pe[0] = -1;
        int st = 0;
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        res->status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 127;
    } else {
        res->status = 127;
        ekb_strbuf_addf(&err, "cannot run %s: %s\n", argv[0], strerror(spawn_err));
    }
    if (po[0] >= 0)
        close(po[0]);
    if (pe[0] >= 0)
        close(pe[0]);
    res->out_len = out.len;
    res->err_len = err.len;
    res->out = ekb_strbuf_steal(&out);
    res->err = ekb_strbuf_steal(&err);
    if (!res->out || !res->err) {
        ekb_spawn_result_free(res);
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

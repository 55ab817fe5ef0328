/* util.c: growable strings, path helpers, whole-file reading and atomic writes. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define EKB_HAVE_VALGRIND_H 1
#endif
#endif

void ekb_strbuf_init(ekb_strbuf *sb)
{
    sb->s = NULL;
    sb->len = sb->cap = 0;
    sb->failed = false;
}

void ekb_strbuf_free(ekb_strbuf *sb)
{
    free(sb->s);
    ekb_strbuf_init(sb);
}

void ekb_strbuf_reset(ekb_strbuf *sb) { ekb_strbuf_truncate(sb, 0); }

void ekb_strbuf_truncate(ekb_strbuf *sb, size_t len)
{
    if (sb->s && len <= sb->len) {
        sb->len = len;
        sb->s[len] = '\0';
    }
}

int ekb_grow_to(void *items, size_t *cap, size_t need, size_t size, size_t first)
{
    if (need <= *cap)
        return 0;
    size_t want = *cap ? *cap : first ? first : 1;
    while (want < need) {
        if (want > SIZE_MAX / 2)
            return -1;
        want *= 2;
    }
    if (want > SIZE_MAX / size)
        return -1;
    /* items points at a pointer of some object type: read and write it as
     * bytes, which every pointer type allows */
    void *p;
    memcpy(&p, items, sizeof p);
    p = realloc(p, want * size);
    if (!p)
        return -1;
    memcpy(items, &p, sizeof p);
    *cap = want;
    return 0;
}

int ekb_grow(void *items, size_t *cap, size_t n, size_t size, size_t first)
{
    return n == SIZE_MAX ? -1 : ekb_grow_to(items, cap, n + 1, size, first);
}

bool ekb_strbuf_reserve(ekb_strbuf *sb, size_t extra)
{
    if (sb->failed)
        return false;
    if (extra >= SIZE_MAX / 2 - sb->len) {
        sb->failed = true;
        return false;
    }
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap)
        return true;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap *= 2;
    char *s = realloc(sb->s, cap);
    if (!s) {
        sb->failed = true;
        return false;
    }
    sb->s = s;
    sb->cap = cap;
    return true;
}

void ekb_strbuf_addn(ekb_strbuf *sb, const char *s, size_t n)
{
    if (!ekb_strbuf_reserve(sb, n))
        return;
    memcpy(sb->s + sb->len, s, n);
    sb->len += n;
    sb->s[sb->len] = '\0';
}

void ekb_strbuf_adds(ekb_strbuf *sb, const char *s) { ekb_strbuf_addn(sb, s, strlen(s)); }

void ekb_strbuf_addc(ekb_strbuf *sb, char c) { ekb_strbuf_addn(sb, &c, 1); }

void ekb_strbuf_vaddf(ekb_strbuf *sb, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        sb->failed = true;
        return;
    }
    if (!ekb_strbuf_reserve(sb, (size_t)n))
        return;
    vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void ekb_strbuf_addf(ekb_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ekb_strbuf_vaddf(sb, fmt, ap);
    va_end(ap);
}

void ekb_strbuf_add_pointer_segment(ekb_strbuf *sb, const char *key, size_t n)
{
    ekb_strbuf_addc(sb, '/');
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (key[i] != '~' && key[i] != '/')
            continue;
        ekb_strbuf_addn(sb, key + start, i - start);
        ekb_strbuf_adds(sb, key[i] == '~' ? "~0" : "~1");
        start = i + 1;
    }
    ekb_strbuf_addn(sb, key + start, n - start);
}

char *ekb_strbuf_steal(ekb_strbuf *sb)
{
    if (sb->failed) {
        ekb_strbuf_free(sb);
        return NULL;
    }
    char *s = sb->s ? sb->s : strdup("");
    ekb_strbuf_init(sb);
    return s;
}

char *ekb_asprintf(const char *fmt, ...)
{
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    va_list ap;
    va_start(ap, fmt);
    ekb_strbuf_vaddf(&sb, fmt, ap);
    va_end(ap);
    return ekb_strbuf_steal(&sb);
}

char *ekb_strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *ekb_path_join(const char *dir, const char *name)
{
    /* no printf: walking a folder of 100k files calls this for each */
    size_t dl = strlen(dir), nl = strlen(name);
    while (dl > 1 && dir[dl - 1] == '/')
        dl--;
    char *p = malloc(dl + nl + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, dl);
    p[dl] = '/';
    memcpy(p + dl + 1, name, nl + 1);
    return p;
}

bool ekb_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool ekb_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int ekb_read_file(const char *path, size_t max_bytes, char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    /* O_NONBLOCK: a FIFO must not hang us before fstat can refuse it */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return errno;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return e;
    }
    if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode)) {
        close(fd);
        return S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    }
    /* Read up to max_bytes + 1 whatever stat says: /proc files lie. */
    size_t cap = (size_t)st.st_size <= max_bytes ? (size_t)st.st_size + 1 : 4096;
    char *buf = malloc(cap + 1);
    if (!buf) {
        close(fd);
        return ENOMEM;
    }
    size_t n = 0;
    for (;;) {
        if (n == cap) {
            if (n > max_bytes)
                break;
            size_t ncap = cap * 2;
            char *nb = realloc(buf, ncap + 1);
            if (!nb) {
                free(buf);
                close(fd);
                return ENOMEM;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(buf);
            close(fd);
            return e;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (n > max_bytes) {
        free(buf);
        return EFBIG;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

int ekb_write_file_atomic(const char *path, const void *data, size_t len)
{
    char *tmp = ekb_asprintf("%s.XXXXXX", path);
    if (!tmp)
        return ENOMEM;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return e;
    }
    const char *p = data;
    size_t left = len;
    int err = 0;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            err = errno;
            break;
        }
        p += w;
        left -= (size_t)w;
    }
    if (!err && fchmod(fd, 0644) != 0)
        err = errno;
    if (!err && fsync(fd) != 0)
        err = errno;
    if (close(fd) != 0 && !err)
        err = errno;
    if (!err && rename(tmp, path) != 0)
        err = errno;
    if (err)
        unlink(tmp);
    free(tmp);
    return err;
}

size_t ekb_utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; min = 0x10000; }
    else return 0;
    if (n < len)
        return 0;
    unsigned cp = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

size_t ekb_utf8_encode(uint32_t cp, char *b)
{
    if (cp < 0x80) {
        b[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 63));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 63));
        b[2] = (char)(0x80 | (cp & 63));
        return 3;
    }
    b[0] = (char)(0xF0 | (cp >> 18));
    b[1] = (char)(0x80 | ((cp >> 12) & 63));
    b[2] = (char)(0x80 | ((cp >> 6) & 63));
    b[3] = (char)(0x80 | (cp & 63));
    return 4;
}

size_t ekb_utf8_length(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            count++;
    return count;
}

bool ekb_running_on_valgrind(void)
{
#ifdef EKB_HAVE_VALGRIND_H
    return RUNNING_ON_VALGRIND != 0;
#else
    return false;
#endif
}

uint32_t *ekb_slots_make(size_t n_slots, size_t n, uint32_t (*hash)(const void *ctx, size_t i), const void *ctx)
{
    uint32_t *slots = calloc(n_slots, sizeof *slots);
    if (!slots)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        size_t k = hash(ctx, i) & (n_slots - 1);
        while (slots[k])
            k = (k + 1) & (n_slots - 1);
        slots[k] = (uint32_t)i + 1;
    }
    return slots;
}

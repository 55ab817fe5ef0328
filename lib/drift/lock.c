/* lock.c: the lock file recording which source text each translation was
 * confirmed against (gettext's "#| msgid" idea, kept as a fingerprint).
 *
 * Plain text, one line per confirmed translation, sorted so that diffs stay
 * small and readable:
 *   # comment lines and blank lines are ignored
 *   <entry id> <translation pointer> <16 hex digits: FNV-1a 64 of the source>
 * Fields are separated by spaces; ids and pointers contain none. */
#include "drift.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define LOCK_MAX_BYTES ((size_t)256 << 20)

static const char header[] =
    "# translations.lock: the source texts whose translations a translator confirmed.\n"
    "# One line per translation: <entry id> <translation pointer> <fingerprint>, the\n"
    "# fingerprint being the 64-bit FNV-1a hash (hex) of the source text's UTF-8 when\n"
    "# its translation was confirmed. errkb-drift reports a translation as stale when\n"
    "# its source no longer has that fingerprint.\n"
    "# Written by 'errkb-drift --accept [ID...]' after review; do not edit by hand.\n";

uint64_t ekb_drift_fingerprint(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3u;
    }
    return h;
}

static int line_cmp(const void *a, const void *b)
{
    const ekb_drift_lock_line *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : strcmp(x->pointer, y->pointer);
}

void ekb_drift_lock_sort(ekb_drift_lock *l)
{
    if (l->n > 1)
        qsort(l->v, l->n, sizeof *l->v, line_cmp);
    l->sorted = true;
}

static int push(ekb_drift_lock *l, char *id, char *pointer, uint64_t fp, unsigned line)
{
    if (ekb_grow(&l->v, &l->cap, l->n, sizeof *l->v, 256) != 0)
        return -1;
    l->v[l->n++] = (ekb_drift_lock_line){id, pointer, fp, line};
    l->sorted = false;
    return 0;
}

int ekb_drift_lock_add(ekb_drift_lock *l, const char *id, const char *pointer, uint64_t fp)
{
    char *i = strdup(id), *p = strdup(pointer);
    if (!i || !p || push(l, i, p, fp, 0) != 0) {
        free(i);
        free(p);
        return -1;
    }
    return 0;
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }


/* Parses one line s[0..n) (no newline). Returns 0, 1 when reported, -1. */
static int parse_line(ekb_drift_lock *l, const char *path, unsigned lineno, const char *s, size_t n, ekb_diags *d)
{
    const char *f[4];
    size_t fl[4], k = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && is_blank(s[i]))
            i++;
        if (i == n)
            break;
        if (k == 0 && s[i] == '#')
            return 0;
        size_t j = i;
        while (j < n && !is_blank(s[j]))
            j++;
        if (k == 3) {
            unsigned col = (unsigned)ekb_utf8_length(s, i) + 1;
            return ekb_diags_add(d, path, lineno, col, EKB_ERROR, "drift.lock", NULL, NULL,
                                 "unexpected text after the fingerprint") ? -1 : 1;
        }
        f[k] = s + i;
        fl[k++] = j - i;
        i = j;
    }
    if (k == 0)
        return 0;
    if (k < 3)
        return ekb_diags_add(d, path, lineno, 1, EKB_ERROR, "drift.lock", NULL, NULL,
                             "expected '<entry id> <pointer> <fingerprint>'") ? -1 : 1;
    unsigned col3 = (unsigned)ekb_utf8_length(s, (size_t)(f[2] - s)) + 1;
    if (f[1][0] != '/')
        return ekb_diags_add(d, path, lineno, (unsigned)ekb_utf8_length(s, (size_t)(f[1] - s)) + 1, EKB_ERROR,
                             "drift.lock", NULL, NULL, "'%.*s' is not a JSON pointer", (int)fl[1], f[1]) ? -1 : 1;
    uint64_t fp = 0;
    bool ok = fl[2] == 16;
    for (size_t j = 0; ok && j < 16; j++) {
        int h = ekb_hex_digit(f[2][j]);
        ok = h >= 0;
        fp = fp << 4 | (uint64_t)(h < 0 ? 0 : h);
    }
    if (!ok)
        return ekb_diags_add(d, path, lineno, col3, EKB_ERROR, "drift.lock", NULL, NULL,
                             "fingerprint '%.*s' is not 16 hex digits", (int)fl[2], f[2]) ? -1 : 1;
    char *id = ekb_strndup(f[0], fl[0]), *ptr = ekb_strndup(f[1], fl[1]);
    if (!id || !ptr || push(l, id, ptr, fp, lineno) != 0) {
        free(id);
        free(ptr);
        return -1;
    }
    return 0;
}

int ekb_drift_lock_read(ekb_drift_lock *l, const char *path, ekb_diags *d)
{
    memset(l, 0, sizeof *l);
    char *text;
    size_t len;
    int e = ekb_read_file(path, LOCK_MAX_BYTES, &text, &len);
    if (e == ENOENT) {
        l->sorted = true;
        return 0;
    }
    if (e == ENOMEM)
        return -1;
    if (e)
        return ekb_diags_add(d, path, 0, 0, EKB_ERROR, "drift.lock", NULL, NULL, "cannot read the lock file: %s",
                             strerror(e)) ? -1 : 1;
    l->exists = true;
    int status = 0;
    unsigned lineno = 0;
    for (size_t i = 0; i < len && status >= 0;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len, stop = end;
        if (stop > i && text[stop - 1] == '\r')
            stop--;
        int r = parse_line(l, path, ++lineno, text + i, stop - i, d);
        if (r != 0)
            status = r;
        i = end + 1;
    }
    free(text);
    if (status < 0)
        return -1;
    ekb_drift_lock_sort(l);
    for (size_t i = 1; i < l->n && status >= 0; i++) {
        const ekb_drift_lock_line *a = &l->v[i - 1], *b = &l->v[i];
        if (line_cmp(a, b) == 0) {
            const ekb_drift_lock_line *later = a->line > b->line ? a : b, *first = a->line > b->line ? b : a;
            status = ekb_diags_add(d, path, later->line, 1, EKB_ERROR, "drift.lock", NULL, NULL,
                                   "'%s %s' is listed twice (first on line %u)", later->id, later->pointer,
                                   first->line) ? -1 : 1;
        }
    }
    return status;
}

void ekb_drift_lock_filter(ekb_drift_lock *l, bool (*keep)(void *ctx, const ekb_drift_lock_line *line), void *ctx)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (keep(ctx, &l->v[i])) {
            l->v[k++] = l->v[i];
        } else {
            free(l->v[i].id);
            free(l->v[i].pointer);
        }
    }
    l->n = k;
}

const ekb_drift_lock_line *ekb_drift_lock_find(const ekb_drift_lock *l, const char *id, const char *pointer)
{
    ekb_drift_lock_line key = {.id = (char *)id, .pointer = (char *)pointer};
    return l->n ? bsearch(&key, l->v, l->n, sizeof key, line_cmp) : NULL;
}

int ekb_drift_lock_write(ekb_drift_lock *l, const char *path)
{
    if (!l->sorted)
        ekb_drift_lock_sort(l);
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    ekb_strbuf_adds(&sb, header);
    for (size_t i = 0; i < l->n; i++)
        ekb_strbuf_addf(&sb, "%s %s %016" PRIx64 "\n", l->v[i].id, l->v[i].pointer, l->v[i].fp);
    if (ekb_strbuf_failed(&sb)) {
        ekb_strbuf_free(&sb);
        return ENOMEM;
    }
    int e = ekb_write_file_atomic(path, sb.s, sb.len);
    ekb_strbuf_free(&sb);
    return e;
}

void ekb_drift_lock_free(ekb_drift_lock *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].id);
        free(l->v[i].pointer);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}

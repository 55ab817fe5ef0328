/* background.c: the background set: ordinary log lines that no entry's
 * regex should recognise (schema/background.log, or the built-in copy). */
#include "check_private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "quote.h"

/* "entries/x/../../schema/background.log" → "schema/background.log": a
 * lexical tidy-up of the folder the corpus was found through, for messages. */
static char *tidy_path(const char *p)
{
    size_t n = strlen(p);
    char *out = malloc(n + 2);
    size_t *starts = malloc((n / 2 + 2) * sizeof *starts);
    if (!out || !starts) {
        free(out);
        free(starts);
        return NULL;
    }
    size_t len = 0, depth = 0;
    bool abs = p[0] == '/';
    if (abs)
        out[len++] = '/';
    for (const char *s = p; *s;) {
        while (*s == '/')
            s++;
        const char *e = strchr(s, '/');
        size_t sl = e ? (size_t)(e - s) : strlen(s);
        if (sl == 0)
            break;
        bool dotdot = sl == 2 && s[0] == '.' && s[1] == '.';
        if (sl == 1 && s[0] == '.') {
            /* skip */
        } else if (dotdot && depth > 0) {
            len = starts[--depth];
        } else if (dotdot && abs) {
            /* "/.." is "/" */
        } else {
            if (!dotdot)
                starts[depth++] = len;
            else
                starts[depth] = len; /* a leading ".." stays, and cannot be popped */
            if (len && out[len - 1] != '/')
                out[len++] = '/';
            memcpy(out + len, s, sl);
            len += sl;
        }
        s += sl;
    }
    if (len == 0)
        out[len++] = '.';
    out[len] = '\0';
    free(starts);
    return out;
}

static int split_lines(ekb_rx_background *bg, ekb_diags *d)
{
    size_t cap = 1;
    for (size_t i = 0; i < bg->len; i++)
        cap += bg->text[i] == '\n';
    bg->off = malloc(cap * sizeof *bg->off);
    bg->end = malloc(cap * sizeof *bg->end);
    bg->line_no = malloc(cap * sizeof *bg->line_no);
    if (!bg->off || !bg->end || !bg->line_no)
        return -1;
    uint32_t line = 0;
    for (size_t at = 0; at < bg->len;) {
        const char *nl = memchr(bg->text + at, '\n', bg->len - at);
        size_t end = nl ? (size_t)(nl - bg->text) : bg->len;
        size_t e = end;
        if (e > at && bg->text[e - 1] == '\r')
            e--;
        line++;
        /* blank lines and '#' comments are not part of the set */
        if (e > at && bg->text[at] != '#' && !ekb_rx_valid_utf8(bg->text + at, e - at)) {
            if (ekb_diags_add(d, bg->path, line, 1, EKB_ERROR, "regex.background-utf8", NULL, NULL,
                              "background line is not valid UTF-8; it is left out") != 0)
                return -1;
        } else if (e > at && bg->text[at] != '#') {
            bg->off[bg->n] = at;
            bg->end[bg->n] = e;
            bg->line_no[bg->n++] = line;
        }
        at = end + 1;
    }
    return 0;
}

int ekb_rx_background_load(ekb_rx_background *bg, const char *schema_dir, ekb_diags *d)
{
    memset(bg, 0, sizeof *bg);
    char *path = schema_dir ? ekb_path_join(schema_dir, "background.log") : NULL;
    if (schema_dir && !path)
        return -1;
    if (path && ekb_is_file(path)) {
        int e = ekb_read_file(path, (size_t)16 << 20, &bg->text, &bg->len);
        if (e == ENOMEM) {
            free(path);
            return -1;
        }
        bg->path = tidy_path(path);
        if (e) {
            int r = ekb_diags_add(d, bg->path ? bg->path : path, 0, 0, EKB_ERROR, "load.io", NULL, NULL,
                                  "cannot read the background lines: %s", strerror(e)) ? -1 : 1;
            free(path);
            return r;
        }
    } else {
        bg->path = strdup("<built-in background.log>");
        bg->len = ekb_builtin_background_log_len;
        if ((bg->text = malloc(bg->len + 1)))
            memcpy(bg->text, ekb_builtin_background_log, bg->len + 1);
    }
    free(path);
    if (!bg->path || !bg->text)
        return -1;
    return split_lines(bg, d);
}

void ekb_rx_background_free(ekb_rx_background *bg)
{
    free(bg->path);
    free(bg->text);
    free(bg->off);
    free(bg->end);
    free(bg->line_no);
    memset(bg, 0, sizeof *bg);
}

/* tokens.c: what must survive translation verbatim (numbers, codes, versions,
 * URLs, code spans, identifiers, paths, flags, settings), and finding it again.
 *
 * The source is cut into chunks at white space and non-ASCII characters, and
 * chunks into pieces at brackets; each piece, stripped of sentence
 * punctuation, is a token when its shape says it is code. Quoted text is a
 * token as a whole only when it holds code: quoted prose may be translated.
 * Prose "key value" settings are not tokens as a pair (translations reword
 * "set X to 5"); their key and numeric value are, one by one. */
#include "drift.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* --- normalisation --- */

/* Decodes one UTF-8 sequence at s (valid input, as jansson guarantees);
 * returns its length and the code point in *cp. A stray byte stands for itself. */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (c < 0x80 || c < 0xC0 || len > n) {
        *cp = c;
        return 1;
    }
    unsigned v = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = c;
            return 1;
        }
        v = v << 6 | (s[i] & 0x3F);
    }
    *cp = v;
    return len;
}

/* The ASCII text a code point folds to, NULL when it stays as it is. */
static const char *fold(unsigned cp, char one[2])
{
    if (cp >= 0xFF01 && cp <= 0xFF5E) {
        one[0] = (char)(cp - 0xFEE0);
        one[1] = '\0';
        return one;
    }
    switch (cp) {
    case 0x00A0: case 0x2002: case 0x2003: case 0x2004: case 0x2005: case 0x2006:
    case 0x2007: case 0x2008: case 0x2009: case 0x200A: case 0x202F: case 0x3000:
        return " ";
    case 0x2018: case 0x2019: return "'";
    case 0x201C: case 0x201D: return "\"";
    case 0x2026: return "...";
    default: return NULL;
    }
}

char *ekb_drift_normalize(const char *s, size_t n, size_t *out_len)
{
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t run = i;
        while (run < n && u[run] < 0x80)
            run++;
        ekb_strbuf_addn(&sb, s + i, run - i); /* ASCII stays */
        if ((i = run) == n)
            break;
        unsigned cp;
        size_t len = utf8_decode(u + i, n - i, &cp);
        char one[2];
        const char *f = fold(cp, one);
        if (f)
            ekb_strbuf_adds(&sb, f);
        else
            ekb_strbuf_addn(&sb, s + i, len);
        i += len;
    }
    ekb_strbuf_addn(&sb, "", 0); /* an empty input still gets a buffer */
    if (ekb_strbuf_failed(&sb)) {
        ekb_strbuf_free(&sb);
        return NULL;
    }
    *out_len = sb.len;
    return ekb_strbuf_steal(&sb);
}

/* --- character classes (ASCII only: tokens are ASCII) --- */

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_alpha(char c) { return is_lower(c) || is_upper(c); }
static bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
static bool is_word(char c) { return is_alnum(c) || c == '_'; }
static bool is_ascii(char c) { return (unsigned char)c < 0x80; }
static bool in_set(char c, const char *set) { return c && strchr(set, c); }

/* --- adding tokens --- */

static int add(ekb_drift_tokens *out, const char *s, size_t n, ekb_drift_token_kind kind)
{
    for (size_t i = 0; i < out->n; i++)
        if (out->v[i].len == n && memcmp(out->v[i].text, s, n) == 0)
            return 0;
    if (out->n == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 16;
        ekb_drift_token *v = realloc(out->v, cap * sizeof *v);
        if (!v)
            return -1;
        out->v = v;
        out->cap = cap;
    }
    char *t = ekb_strndup(s, n);
    if (!t)
        return -1;
    out->v[out->n++] = (ekb_drift_token){t, n, kind};
    return 0;
}

void ekb_drift_tokens_init(ekb_drift_tokens *t)
{
    memset(t, 0, sizeof *t);
}

void ekb_drift_tokens_free(ekb_drift_tokens *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].text);
    free(t->v);
    memset(t, 0, sizeof *t);
}

const char *ekb_drift_token_kind_name(ekb_drift_token_kind k)
{
    static const char *const names[] = {"number", "version", "code", "URL", "code span",
                                        "quoted code", "identifier", "path", "flag", "setting"};
    return (size_t)k < sizeof names / sizeof *names ? names[k] : "token";
}

/* --- shapes of one piece --- */

static bool has_alnum(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (is_alnum(s[i]))
            return true;
    return false;
}

static size_t count_char(const char *s, size_t n, char c)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == c;
    return k;
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return false;
    return true;
}

/* 12, -1, 1,000, 2.5, 50%, 0x85 */
static bool is_number(const char *s, size_t n)
{
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        for (size_t i = 2; i < n; i++)
            if (!is_digit(s[i]) && !in_set(s[i], "abcdefABCDEF"))
                return false;
        return true;
    }
    size_t i = n && (s[0] == '-' || s[0] == '+');
    if (n && s[n - 1] == '%')
        n--;
    if (i >= n || !is_digit(s[i]))
        return false;
    for (; i < n; i++)
        if (!is_digit(s[i]) && !((s[i] == '.' || s[i] == ',') && i + 1 < n && is_digit(s[i + 1]) && is_digit(s[i - 1])))
            return false;
    return true;
}

/* 3.1.1, v5.0, v5, 1.x: a version or section number */
static bool is_version(const char *s, size_t n)
{
    size_t i = n && (s[0] == 'v' || s[0] == 'V');
    bool dotted = false;
    while (i < n) {
        size_t j = i;
        while (j < n && is_digit(s[j]))
            j++;
        if (j == i && !(dotted && j < n && s[j] == 'x' && j + 1 == n))
            return false;
        if (j == i)
            j++; /* the x of 1.x */
        if (j == n)
            return dotted || s[0] == 'v' || s[0] == 'V';
        if (s[j] != '.')
            return false;
        dotted = true;
        i = j + 1;
    }
    return false;
}

/* A dotted name: a '.' between alphanumerics or leading a name (".pc"), and
 * a part that is a word rather than an initial ("e.g", "U.S" are prose). */
static bool is_dotted_name(const char *s, size_t n)
{
    bool dot = n > 1 && s[0] == '.' && is_alpha(s[1]);
    for (size_t i = 1; i + 1 < n && !dot; i++)
        dot = s[i] == '.' && is_alnum(s[i - 1]) && is_alnum(s[i + 1]);
    if (!dot)
        return false;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        bool alpha = false;
        while (j < n && s[j] != '.')
            alpha |= is_alpha(s[j++]);
        if (j - i >= 2 && alpha)
            return true;
        i = j + 1;
    }
    return false;
}

/* camelCase, iOS, or an acronym running into a word (CMake, OOMKilled),
 * but not a plural acronym (URLs, PIDs). */
static bool is_mixed_case(const char *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (is_lower(s[i]) && is_upper(s[i + 1]))
            return true;
    for (size_t i = 0; i + 2 < n; i++)
        if (is_upper(s[i]) && is_upper(s[i + 1]) && is_lower(s[i + 2]))
            return !(i + 3 == n && s[i + 2] == 's');
    return false;
}

/* ENOENT, EADDRINUSE, WSAECONNRESET, SIGKILL: errno and signal names */
static bool is_symbolic_code(const char *s, size_t n)
{
    size_t p;
    if (n > 4 && memcmp(s, "WSAE", 4) == 0)
        p = 4;
    else if (n > 3 && memcmp(s, "SIG", 3) == 0)
        p = 3;
    else if (n > 0 && s[0] == 'E')
        p = 1;
    else
        return false;
    if (n - p < 3)
        return false;
    for (size_t i = p; i < n; i++)
        if (!is_upper(s[i]) && !(i > p && is_digit(s[i])))
            return false;
    return true;
}

/* key=value with a name for key */
static bool is_setting(const char *s, size_t n)
{
    if (!n || !(is_alpha(s[0]) || s[0] == '_'))
        return false;
    size_t i = 0;
    while (i < n && (is_word(s[i]) || s[i] == '.' || s[i] == '-'))
        i++;
    return i < n && s[i] == '=' && (i + 1 == n || s[i + 1] != '=');
}

static bool is_path(const char *s, size_t n)
{
    if (n > 1 && s[0] == '/' && (is_alnum(s[1]) || in_set(s[1], "._~$")))
        return true;
    if ((n > 2 && memcmp(s, "~/", 2) == 0) || (n > 2 && memcmp(s, "./", 2) == 0) || (n > 3 && memcmp(s, "../", 3) == 0))
        return true;
    return count_char(s, n, '/') >= 2;
}

static bool has_scope(const char *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == ':' && s[i + 1] == ':' && ((i > 0 && is_alnum(s[i - 1])) || (i + 2 < n && is_alnum(s[i + 2]))))
            return true;
    return false;
}

/* 64-bit, 3-way: a number glued to an English word; only the number counts */
static size_t number_with_word(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (is_digit(s[i]) || (s[i] == '.' && i > 0 && i + 1 < n && is_digit(s[i + 1]))))
        i++;
    if (i == 0 || i + 1 >= n || s[i] != '-')
        return 0;
    for (size_t j = i + 1; j < n; j++)
        if (!is_lower(s[j]) && s[j] != '-')
            return 0;
    return i;
}

/* The token kind of a stripped piece; false when it is prose. */
static bool classify(const char *s, size_t n, ekb_drift_token_kind *kind, size_t *keep)
{
    *keep = n;
    if (!has_alnum(s, n))
        return false;
    size_t num = number_with_word(s, n);
    if (num) {
        *keep = num;
        *kind = EKB_TOKEN_NUMBER;
        return true;
    }
    bool digit = false;
    for (size_t i = 0; i < n; i++)
        digit |= is_digit(s[i]);
    if (s[0] == '-' && n > 1 && (is_alpha(s[1]) || (s[1] == '-' && n > 2 && is_alpha(s[2]))))
        *kind = EKB_TOKEN_FLAG;
    else if (is_setting(s, n))
        *kind = EKB_TOKEN_SETTING;
    else if (is_path(s, n))
        *kind = EKB_TOKEN_PATH;
    else if (has_scope(s, n) || (s[0] == '$' && n > 1 && (is_alpha(s[1]) || in_set(s[1], "_{("))) ||
             (memchr(s, '_', n) && has_alnum(s, n)) || is_dotted_name(s, n) || is_mixed_case(s, n))
        *kind = EKB_TOKEN_IDENTIFIER;
    else if (is_symbolic_code(s, n))
        *kind = EKB_TOKEN_CODE;
    else if (!digit)
        return false;
    else if (is_version(s, n))
        *kind = EKB_TOKEN_VERSION;
    else if (is_number(s, n))
        *kind = EKB_TOKEN_NUMBER;
    else
        *kind = EKB_TOKEN_CODE;
    return true;
}

/* Strips sentence punctuation and a possessive 's from a piece. */
static void strip(const char *s, size_t *a, size_t *b)
{
    for (;;) {
        while (*a < *b && in_set(s[*a], "'\"`,;"))
            (*a)++;
        while (*b > *a && in_set(s[*b - 1], ".,;:!?'\"`"))
            (*b)--;
        if (*b - *a > 2 && s[*b - 2] == '\'' && s[*b - 1] == 's' && is_alnum(s[*b - 3]))
            *b -= 2;
        else
            return;
    }
}

/* One piece between brackets: add it when it is a token. *found (may be
 * NULL) is set when it is. */
static int piece(const char *s, size_t a, size_t b, ekb_drift_tokens *out, bool *found)
{
    strip(s, &a, &b);
    ekb_drift_token_kind kind;
    size_t keep;
    if (a >= b || !classify(s + a, b - a, &kind, &keep))
        return 0;
    if (found)
        *found = true;
    return out ? add(out, s + a, keep, kind) : 0;
}

static bool is_bracket(char c) { return in_set(c, "()[]{}<>"); }

/* Where a URL starts in chunk s[a..b): its scheme before "://"; b if none. */
static size_t url_start(const char *s, size_t a, size_t b)
{
    for (size_t i = a; i + 3 <= b; i++) {
        if (memcmp(s + i, "://", 3) != 0)
            continue;
        size_t q = i;
        while (q > a && (is_alnum(s[q - 1]) || in_set(s[q - 1], "+.-")))
            q--;
        while (q < i && !is_alpha(s[q]))
            q++;
        if (q < i && i + 3 < b)
            return q;
    }
    return b;
}

/* The end of a URL: without trailing punctuation or a closing bracket that
 * it did not open. */
static size_t url_end(const char *s, size_t a, size_t b)
{
    for (;;) {
        if (b > a && in_set(s[b - 1], ".,;:!?'\"`")) {
            b--;
            continue;
        }
        static const char closers[] = ")]}>", openers[] = "([{<";
        const char *c = b > a && s[b - 1] ? strchr(closers, s[b - 1]) : NULL;
        if (c) {
            char open = openers[c - closers];
            if (count_char(s + a, b - a, open) < count_char(s + a, b - a, s[b - 1])) {
                b--;
                continue;
            }
        }
        return b;
    }
}

/* A chunk (no white space): a URL, or pieces split at brackets. out may be
 * NULL to only ask whether the chunk holds a token (*found). */
static int chunk(const char *s, size_t a, size_t b, ekb_drift_tokens *out, bool *found)
{
    size_t u = url_start(s, a, b);
    if (u < b) {
        size_t e = url_end(s, u, b);
        if (found)
            *found = true;
        if (out && add(out, s + u, e - u, EKB_TOKEN_URL) != 0)
            return -1;
        b = u;
    }
    size_t p = a;
    for (size_t i = a; i <= b; i++) {
        if (i == b || is_bracket(s[i])) {
            if (p < i && piece(s, p, i, out, found) != 0)
                return -1;
            p = i + 1;
        }
    }
    return 0;
}

/* Calls chunk() on every chunk of s[a..b). */
static int chunks(const char *s, size_t a, size_t b, ekb_drift_tokens *out, bool *found)
{
    size_t i = a;
    while (i < b) {
        while (i < b && (is_space(s[i]) || !is_ascii(s[i])))
            i++;
        size_t j = i;
        while (j < b && !is_space(s[j]) && is_ascii(s[j]))
            j++;
        if (j > i && chunk(s, i, j, out, found) != 0)
            return -1;
        i = j;
    }
    return 0;
}

/* `code` spans; GNU-style `code' when no second backtick follows. */
static int code_spans(const char *s, size_t n, ekb_drift_tokens *out)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '`')
            continue;
        const char *close = memchr(s + i + 1, '`', n - i - 1);
        size_t j = close ? (size_t)(close - s) : n;
        if (!close) {
            for (j = i + 1; j < n; j++)
                if (s[j] == '\'' && (j + 1 == n || !is_word(s[j + 1])))
                    break;
        }
        if (j >= n)
            return 0;
        size_t a = i + 1, b = j;
        while (a < b && is_space(s[a]))
            a++;
        while (b > a && is_space(s[b - 1]))
            b--;
        if (b > a && add(out, s + a, b - a, EKB_TOKEN_CODE_SPAN) != 0)
            return -1;
        i = j;
    }
    return 0;
}

/* '...' and "..." around code: the whole quotation is a token. An opening
 * quote follows white space or an opening bracket and precedes text; the
 * closing one follows text and precedes white space or punctuation, so the
 * apostrophes of "don't" and "the pod's" open and close nothing. */
static int quotations(const char *s, size_t n, ekb_drift_tokens *out)
{
    for (size_t i = 0; i + 2 < n; i++) {
        char q = s[i];
        if ((q != '\'' && q != '"') || (i > 0 && !is_space(s[i - 1]) && !in_set(s[i - 1], "([{<:=,") && is_ascii(s[i - 1])))
            continue;
        if (is_space(s[i + 1]) || s[i + 1] == q)
            continue;
        size_t j = i + 2;
        for (; j < n && s[j] != '\n'; j++)
            if (s[j] == q && !is_space(s[j - 1]) &&
                (j + 1 == n || is_space(s[j + 1]) || in_set(s[j + 1], ".,;:!?)]}>") || !is_ascii(s[j + 1])))
                break;
        if (j >= n || s[j] != q)
            continue;
        bool code = false;
        if (chunks(s, i + 1, j, NULL, &code) != 0)
            return -1;
        if (code && add(out, s + i + 1, j - i - 1, EKB_TOKEN_QUOTED) != 0)
            return -1;
        i = j;
    }
    return 0;
}

int ekb_drift_tokens_extract(const char *s, size_t n, ekb_drift_tokens *out)
{
    if (code_spans(s, n, out) != 0 || quotations(s, n, out) != 0)
        return -1;
    return chunks(s, 0, n, out, NULL);
}

/* --- finding a token again --- */

/* Whether the match text[a..z] (z: its last byte) stands on its own: not
 * glued to a word, and a number not part of a longer dotted number. */
static bool bounded(const char *text, size_t n, size_t a, size_t z)
{
    char f = text[a], l = text[z];
    if (a > 0 && is_word(f) && is_word(text[a - 1]))
        return false;
    if (a > 1 && is_digit(f) && text[a - 1] == '.' && is_digit(text[a - 2]))
        return false;
    if (z + 1 < n && is_word(l) && is_word(text[z + 1]))
        return false;
    if (z + 2 < n && is_digit(l) && text[z + 1] == '.' && is_digit(text[z + 2]))
        return false;
    return true;
}

bool ekb_drift_token_found(const char *tok, size_t tn, const char *text, size_t n)
{
    size_t t0 = 0;
    while (t0 < tn && is_space(tok[t0]))
        t0++;
    if (t0 == tn)
        return true;
    const char *p = text, *end = text + n;
    while ((p = memchr(p, tok[t0], (size_t)(end - p))) != NULL) {
        size_t a = (size_t)(p - text), i = a, z = a;
        size_t j = t0;
        bool ok = true;
        while (j < tn) {
            if (is_space(tok[j])) {
                j++;
                continue;
            }
            while (i < n && i > a && is_space(text[i]))
                i++;
            if (i >= n || text[i] != tok[j]) {
                ok = false;
                break;
            }
            z = i++;
            j++;
        }
        if (ok && bounded(text, n, a, z))
            return true;
        p++;
    }
    return false;
}

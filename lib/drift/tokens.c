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

/* Whether the 8 bytes at s are all ASCII. */
static bool ascii_word(const unsigned char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return (w & 0x8080808080808080u) == 0;
}

/* How many ASCII bytes start s[i..n), eight at a time where it can. */
static size_t ascii_run(const unsigned char *s, size_t i, size_t n)
{
    size_t j = i;
    while (n - j >= 8 && ascii_word(s + j))
        j += 8;
    while (j < n && s[j] < 0x80)
        j++;
    return j - i;
}

const char *ekb_drift_normalized(const char *s, size_t n, size_t *out_len, char **owned)
{
    *owned = NULL;
    if (ascii_run((const unsigned char *)s, 0, n) == n) {
        *out_len = n;
        return s;
    }
    return *owned = ekb_drift_normalize(s, n, out_len);
}

char *ekb_drift_normalize(const char *s, size_t n, size_t *out_len)
{
    /* every fold is at most as long as what it replaces (U+2026 is three
     * bytes, like "..."), so the copy fits in n bytes */
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, k = 0;
    while (i < n) {
        /* a run of ASCII, as it is */
        size_t run = ascii_run(u, i, n);
        if (run) {
            memcpy(out + k, s + i, run);
            k += run;
            i += run;
            continue;
        }
        /* three bytes that no fold maps (a lead byte other than E2, E3 and
         * EF: Chinese text): as they are */
        if (n - i >= 3 && u[i] >= 0xE0 && u[i] <= 0xEE && u[i] != 0xE2 && u[i] != 0xE3 &&
            (u[i + 1] & 0xC0) == 0x80 && (u[i + 2] & 0xC0) == 0x80) {
            memcpy(out + k, s + i, 3);
            k += 3;
            i += 3;
            continue;
        }
        unsigned cp;
        size_t len = utf8_decode(u + i, n - i, &cp);
        char one[2];
        const char *f = fold(cp, one);
        if (f && strlen(f) > len)
            f = NULL; /* cannot happen (see above); keeps the bound obvious */
        size_t fl = f ? strlen(f) : len;
        memcpy(out + k, f ? f : s + i, fl);
        k += fl;
        i += len;
    }
    out[k] = '\0';
    *out_len = k;
    return out;
}

/* --- character classes (ASCII only: tokens are ASCII) --- */

/* A table rather than strchr(): the extractor looks at every byte of every
 * source text a few times. */
enum {
    C_SPACE = 1,    /* white space */
    C_LEAD = 2,     /* stripped from the front of a piece */
    C_TRAIL = 4,    /* stripped from the end of a piece (sentence punctuation) */
    C_BRACKET = 8,  /* splits a chunk into pieces */
    C_QOPEN = 16,   /* may come just before an opening quote */
    C_QCLOSE = 32,  /* may come just after a closing quote */
    C_SCHEME = 64,  /* in a URL scheme besides letters and digits */
};

static const unsigned char cls[128] = {
    [' '] = C_SPACE, ['\t'] = C_SPACE, ['\n'] = C_SPACE, ['\r'] = C_SPACE, ['\f'] = C_SPACE, ['\v'] = C_SPACE,
    ['\''] = C_LEAD | C_TRAIL, ['"'] = C_LEAD | C_TRAIL, ['`'] = C_LEAD | C_TRAIL,
    [','] = C_LEAD | C_TRAIL | C_QOPEN | C_QCLOSE, [';'] = C_LEAD | C_TRAIL | C_QCLOSE,
    ['.'] = C_TRAIL | C_QCLOSE | C_SCHEME, [':'] = C_TRAIL | C_QOPEN | C_QCLOSE,
    ['!'] = C_TRAIL | C_QCLOSE, ['?'] = C_TRAIL | C_QCLOSE,
    ['('] = C_BRACKET | C_QOPEN, [')'] = C_BRACKET | C_QCLOSE, ['['] = C_BRACKET | C_QOPEN,
    [']'] = C_BRACKET | C_QCLOSE, ['{'] = C_BRACKET | C_QOPEN, ['}'] = C_BRACKET | C_QCLOSE,
    ['<'] = C_BRACKET | C_QOPEN, ['>'] = C_BRACKET | C_QCLOSE,
    ['='] = C_QOPEN, ['+'] = C_SCHEME, ['-'] = C_SCHEME,
};

static bool is_ascii(char c) { return (unsigned char)c < 0x80; }
static bool has(char c, unsigned bits) { return is_ascii(c) && (cls[(unsigned char)c] & bits); }
static bool is_space(char c) { return has(c, C_SPACE); }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_alpha(char c) { return is_lower(c) || is_upper(c); }
static bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }
static bool is_word(char c) { return is_alnum(c) || c == '_'; }

/* --- adding tokens --- */

static int add(ekb_drift_tokens *out, const char *s, size_t n, ekb_drift_token_kind kind)
{
    for (size_t i = 0; i < out->n; i++)
        if (out->v[i].len == n && memcmp(out->v[i].text, s, n) == 0)
            return 0;
    if (ekb_grow(&out->v, &out->cap, out->n, sizeof *out->v, 16) != 0)
        return -1;
    out->v[out->n++] = (ekb_drift_token){s, n, kind};
    return 0;
}

void ekb_drift_tokens_init(ekb_drift_tokens *t)
{
    memset(t, 0, sizeof *t);
}

void ekb_drift_tokens_free(ekb_drift_tokens *t)
{
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

/* 12, -1, 1,000, 2.5, 50%, 0x85 */
static bool is_number(const char *s, size_t n)
{
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        for (size_t i = 2; i < n; i++)
            if (ekb_hex_digit(s[i]) < 0)
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

/* Symbolic error codes: errno names (POSIX, Linux, BSD), Node.js and npm
 * codes of the same shape, and signal names. A list rather than a shape:
 * "ERROR" or "EXIT" are English words a translation may translate. */
static const char *const symbolic_codes[] = {
    "E2BIG", "EACCES", "EADDRINUSE", "EADDRNOTAVAIL", "EADV", "EAFNOSUPPORT", "EAGAIN", "EALREADY", "EAUTH",
    "EBADE", "EBADENGINE", "EBADF", "EBADFD", "EBADMSG", "EBADR", "EBADRQC", "EBADSLT", "EBFONT", "EBUSY",
    "ECANCELED", "ECHILD", "ECHRNG", "ECOMM", "ECONNABORTED", "ECONNREFUSED", "ECONNRESET", "EDEADLK",
    "EDESTADDRREQ", "EDOM", "EDQUOT", "EEXIST", "EFAULT", "EFBIG", "EFTYPE", "EHOSTDOWN", "EHOSTUNREACH",
    "EHWPOISON", "EIDRM", "EILSEQ", "EINPROGRESS", "EINTEGRITY", "EINTR", "EINVAL", "EIO", "EISCONN", "EISDIR",
    "EISNAM", "EKEYEXPIRED", "EKEYREJECTED", "EKEYREVOKED", "ELIBACC", "ELIBBAD", "ELIBEXEC", "ELIBMAX",
    "ELIBSCN", "ELIFECYCLE", "ELNRNG", "ELOOP", "EMEDIUMTYPE", "EMFILE", "EMLINK", "EMSGSIZE", "EMULTIHOP",
    "ENAMETOOLONG", "ENAVAIL", "ENEEDAUTH", "ENETDOWN", "ENETRESET", "ENETUNREACH", "ENFILE", "ENOANO",
    "ENOBUFS", "ENOCSI", "ENODATA", "ENODEV", "ENOENT", "ENOEXEC", "ENOKEY", "ENOLCK", "ENOLINK", "ENOMEDIUM",
    "ENOMEM", "ENOMSG", "ENONET", "ENOPKG", "ENOPROTOOPT", "ENOSPC", "ENOSR", "ENOSTR", "ENOSYS", "ENOTBLK",
    "ENOTCONN", "ENOTDIR", "ENOTEMPTY", "ENOTFOUND", "ENOTNAM", "ENOTRECOVERABLE", "ENOTSOCK", "ENOTSUP",
    "ENOTTY", "ENOTUNIQ", "ENXIO", "EOPNOTSUPP", "EOVERFLOW", "EOWNERDEAD", "EPERM", "EPFNOSUPPORT", "EPIPE",
    "EPROCLIM", "EPROTO", "EPROTONOSUPPORT", "EPROTOTYPE", "ERANGE", "EREMCHG", "EREMOTE", "EREMOTEIO",
    "ERESOLVE", "ERESTART", "ERFKILL", "EROFS", "ESHUTDOWN", "ESOCKTNOSUPPORT", "ESPIPE", "ESRCH", "ESRMNT",
    "ESTALE", "ESTRPIPE", "ETIME", "ETIMEDOUT", "ETOOMANYREFS", "ETXTBSY", "EUCLEAN", "EUNATCH", "EUSERS",
    "EWOULDBLOCK", "EXDEV", "EXFULL",
    "SIGABRT", "SIGALRM", "SIGBUS", "SIGCHLD", "SIGCONT", "SIGEMT", "SIGFPE", "SIGHUP", "SIGILL", "SIGINFO",
    "SIGINT", "SIGIO", "SIGKILL", "SIGPIPE", "SIGPOLL", "SIGPROF", "SIGPWR", "SIGQUIT", "SIGSEGV", "SIGSTKFLT",
    "SIGSTOP", "SIGSYS", "SIGTERM", "SIGTRAP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGVTALRM",
    "SIGWINCH", "SIGXCPU", "SIGXFSZ",
};

/* strcmp() of s[0..n) against a NUL-terminated name. */
static int name_cmp(const char *s, size_t n, const char *name)
{
    size_t m = strlen(name);
    int c = memcmp(s, name, n < m ? n : m);
    return c ? c : n < m ? -1 : n > m;
}

/* ENOENT, SIGKILL (from the list), WSAECONNRESET (Winsock's prefix) */
static bool is_symbolic_code(const char *s, size_t n)
{
    if (n > 4 && memcmp(s, "WSAE", 4) == 0) {
        for (size_t i = 4; i < n; i++)
            if (!is_upper(s[i]))
                return false;
        return true;
    }
    if (n < 3 || (s[0] != 'E' && s[0] != 'S'))
        return false;
    size_t lo = 0, hi = sizeof symbolic_codes / sizeof *symbolic_codes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = name_cmp(s, n, symbolic_codes[mid]);
        if (c == 0)
            return true;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return false;
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
    if (n > 1 && s[0] == '/' && (is_alnum(s[1]) || s[1] == '.' || s[1] == '_' || s[1] == '~' || s[1] == '$'))
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

/* $HOME, ${VAR}, $(cmd) */
static bool is_variable(const char *s, size_t n)
{
    return n > 1 && s[0] == '$' && (is_alpha(s[1]) || s[1] == '_' || s[1] == '{' || s[1] == '(');
}

/* a::b, $VAR, snake_case, dotted.name, camelCase */
static bool is_identifier(const char *s, size_t n)
{
    return has_scope(s, n) || is_variable(s, n) || memchr(s, '_', n) || is_dotted_name(s, n) || is_mixed_case(s, n);
}

/* 64-bit, CMake-generated: a number or a mixed-case name glued to English
 * words by hyphens. Only the name must survive ("64 位", "CMake 生成的");
 * returns its length, 0 when the piece is not of that form. */
static size_t glued_to_words(const char *s, size_t n)
{
    const char *dash = memchr(s, '-', n);
    size_t i = dash ? (size_t)(dash - s) : 0;
    if (i == 0 || i + 1 >= n)
        return 0;
    for (size_t j = i + 1; j < n; j++)
        if (!is_lower(s[j]) && !(s[j] == '-' && s[j - 1] != '-'))
            return 0;
    bool letters = true;
    for (size_t j = 0; j < i; j++)
        letters &= is_alpha(s[j]);
    if (letters ? is_mixed_case(s, i) : is_number(s, i) || is_version(s, i))
        return i;
    return 0;
}

/* The token kind of a stripped piece; false when it is prose. */
static bool classify(const char *s, size_t n, ekb_drift_token_kind *kind, size_t *keep)
{
    *keep = n;
    /* most words of prose: lower-case letters only, which no kind below
     * takes (each needs a digit, a capital or a sign) */
    size_t lower = 0;
    while (lower < n && is_lower(s[lower]))
        lower++;
    if (lower == n)
        return false;
    if (!has_alnum(s, n))
        return false;
    size_t glued = glued_to_words(s, n);
    if (glued) {
        *keep = glued;
        *kind = is_version(s, glued)  ? EKB_TOKEN_VERSION
                : is_number(s, glued) ? EKB_TOKEN_NUMBER
                                      : EKB_TOKEN_IDENTIFIER;
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
    else if (digit && is_version(s, n))
        *kind = EKB_TOKEN_VERSION;
    else if (is_identifier(s, n))
        *kind = EKB_TOKEN_IDENTIFIER;
    else if (is_symbolic_code(s, n))
        *kind = EKB_TOKEN_CODE;
    else if (!digit)
        return false;
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
        while (*a < *b && has(s[*a], C_LEAD))
            (*a)++;
        while (*b > *a && has(s[*b - 1], C_TRAIL))
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

/* Where a URL starts in chunk s[a..b): its scheme before "://"; b if none. */
static size_t url_start(const char *s, size_t a, size_t b)
{
    for (size_t i = a; i + 3 <= b; i++) {
        const char *colon = memchr(s + i, ':', b - 2 - i);
        if (!colon)
            break;
        i = (size_t)(colon - s);
        if (s[i + 1] != '/' || s[i + 2] != '/')
            continue;
        size_t q = i;
        while (q > a && (is_alnum(s[q - 1]) || has(s[q - 1], C_SCHEME)))
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
        if (b > a && has(s[b - 1], C_TRAIL)) {
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
        if (i == b || has(s[i], C_BRACKET)) {
            if (p < i && piece(s, p, i, out, found) != 0)
                return -1;
            p = i + 1;
        }
    }
    return 0;
}

/* Sentence punctuation that may end a prose word (not ':', which may be a
 * URL's, nor a quote, which may make a possessive). */
static bool ends_word(char c) { return c == '.' || c == ',' || c == ';' || c == '!' || c == '?'; }

/* Calls chunk() on every chunk of s[a..b). */
static int chunks(const char *s, size_t a, size_t b, ekb_drift_tokens *out, bool *found)
{
    size_t i = a;
    while (i < b) {
        while (i < b && (is_space(s[i]) || !is_ascii(s[i])))
            i++;
        /* Most chunks are prose words: lower-case letters, the first
         * perhaps a capital, maybe followed by sentence punctuation. Such
         * a chunk is no token (no URL, no bracket; stripped, it has no
         * digit, sign or inner capital, which every kind classify() knows
         * needs, and no symbolic code is spelt so), so it is passed over in
         * this one look. */
        size_t j = i;
        if (j < b && is_upper(s[j]))
            j++;
        while (j < b && is_lower(s[j]))
            j++;
        if (j > i) {
            size_t word = j;
            while (j < b && ends_word(s[j]))
                j++;
            if (j == b || is_space(s[j]) || !is_ascii(s[j])) {
                i = j;
                continue;
            }
            j = word;
        }
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
        const char *tick = memchr(s + i, '`', n - i);
        if (!tick)
            return 0;
        i = (size_t)(tick - s);
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
    if (!memchr(s, '\'', n) && !memchr(s, '"', n))
        return 0; /* most texts quote nothing */
    for (size_t i = 0; i + 2 < n; i++) {
        char q = s[i];
        if ((q != '\'' && q != '"') || (i > 0 && !is_space(s[i - 1]) && !has(s[i - 1], C_QOPEN) && is_ascii(s[i - 1])))
            continue;
        if (is_space(s[i + 1]) || s[i + 1] == q)
            continue;
        size_t j = i + 2;
        for (; j < n && s[j] != '\n'; j++)
            if (s[j] == q && !is_space(s[j - 1]) &&
                (j + 1 == n || is_space(s[j + 1]) || has(s[j + 1], C_QCLOSE) || !is_ascii(s[j + 1])))
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

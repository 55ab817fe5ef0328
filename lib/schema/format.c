/* format.c: the 'format' assertions: date, date-time (RFC 3339), uri
 * (RFC 3986, on top of libxml2's parser), email (RFC 5321 mailbox), regex,
 * ipv4 and ipv6. Strings are given with their length: they may hold NUL. */
#include "schema_private.h"

#include <libxml/uri.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    ekb_format f;
    const char *noun;
} formats[] = {
    {"date", EKB_FMT_DATE, "date"},
    {"date-time", EKB_FMT_DATE_TIME, "date-time"},
    {"uri", EKB_FMT_URI, "uri"},
    {"email", EKB_FMT_EMAIL, "email address"},
    {"regex", EKB_FMT_REGEX, "regular expression"},
    {"ipv4", EKB_FMT_IPV4, "ipv4 address"},
    {"ipv6", EKB_FMT_IPV6, "ipv6 address"},
};

ekb_format ekb_schema_format_kind(const char *name)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(name, formats[i].name) == 0)
            return formats[i].f;
    return EKB_FMT_NONE;
}

const char *ekb_schema_format_noun(ekb_format f)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (formats[i].f == f)
            return formats[i].noun;
    return "value";
}

static bool dig(char c) { return c >= '0' && c <= '9'; }
static bool alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool hexdig(char c) { return ekb_hex_digit(c) >= 0; }

/* n ASCII digits at s as a number, or -1. */
static int digits(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!dig(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* ---- date, date-time ---- */

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static bool full_date(const char *s)
{
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 0 || m < 0 || d < 0 || s[4] != '-' || s[7] != '-')
        return false;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return false;
    int max = mdays[m - 1] + (m == 2 && is_leap(y));
    return d <= max;
}

static bool check_date(const char *s, size_t n) { return n == 10 && full_date(s); }

static bool check_date_time(const char *s, size_t n)
{
    if (n < 20 || !full_date(s) || (s[10] != 'T' && s[10] != 't'))
        return false;
    const char *t = s + 11;
    size_t rest = n - 11;
    int hh = digits(t, 2), mm = digits(t + 3, 2), ss = digits(t + 6, 2);
    if (hh < 0 || mm < 0 || ss < 0 || t[2] != ':' || t[5] != ':')
        return false;
    if (hh > 23 || mm > 59 || ss > 60)
        return false;
    size_t i = 8;
    if (i < rest && t[i] == '.') {
        i++;
        size_t start = i;
        while (i < rest && dig(t[i]))
            i++;
        if (i == start)
            return false;
    }
    if (i >= rest)
        return false;
    int off = 0; /* minutes east of UTC */
    if (t[i] == 'Z' || t[i] == 'z') {
        i++;
    } else if (t[i] == '+' || t[i] == '-') {
        if (rest - i < 6)
            return false;
        int oh = digits(t + i + 1, 2), om = digits(t + i + 4, 2);
        if (oh < 0 || om < 0 || t[i + 3] != ':' || oh > 23 || om > 59)
            return false;
        off = (oh * 60 + om) * (t[i] == '-' ? -1 : 1);
        i += 6;
    } else {
        return false;
    }
    if (i != rest)
        return false;
    if (ss == 60) {
        /* a leap second is the last second of the UTC day */
        int utc = ((hh * 60 + mm - off) % 1440 + 1440) % 1440;
        if (utc != 23 * 60 + 59)
            return false;
    }
    return true;
}

/* ---- ipv4, ipv6 ---- */

/* dec-octet of RFC 3986: no leading zeros. */
static bool is_ipv4(const char *s, size_t n)
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= n || s[i] != '.')
                return false;
            i++;
        }
        size_t st = i;
        int v = 0;
        while (i < n && dig(s[i]) && i - st < 3) {
            v = v * 10 + (s[i] - '0');
            i++;
        }
        size_t len = i - st;
        if (len == 0 || v > 255 || (len > 1 && s[st] == '0'))
            return false;
    }
    return i == n;
}

static bool is_ipv6(const char *s, size_t n)
{
    int groups = 0;
    bool compressed = false;
    size_t i = 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        compressed = true;
        i = 2;
        if (i == n)
            return true;
    } else if (n > 0 && s[0] == ':') {
        return false;
    }
    while (i < n) {
        size_t st = i;
        while (i < n && hexdig(s[i]) && i - st < 4)
            i++;
        if (i < n && s[i] == '.') {
            /* an embedded IPv4 address ends the address */
            if (!is_ipv4(s + st, n - st))
                return false;
            groups += 2;
            i = n;
            break;
        }
        if (i == st)
            return false;
        groups++;
        if (i == n)
            break;
        if (s[i] != ':')
            return false;
        i++;
        if (i < n && s[i] == ':') {
            if (compressed)
                return false;
            compressed = true;
            i++;
            if (i == n)
                break;
        } else if (i == n) {
            return false; /* trailing single ':' */
        }
    }
    return compressed ? groups < 8 : groups == 8;
}

/* ---- uri ---- */

static bool unreserved(char c) { return alpha(c) || dig(c) || c == '-' || c == '.' || c == '_' || c == '~'; }
static bool sub_delim(char c) { return c && strchr("!$&'()*+,;=", c) != NULL; }

/* Accepts *(allowed / pct-encoded) over s[0..n). extra: more allowed chars. */
static bool chars_ok(const char *s, size_t n, const char *extra)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= n)
                return false;
            if (!hexdig(s[i + 1]) || !hexdig(s[i + 2]))
                return false;
            i += 2;
        } else if (!(unreserved(c) || sub_delim(c) || (c && strchr(extra, c)))) {
            return false;
        }
    }
    return true;
}

static bool check_authority(const char *a, size_t n)
{
    const char *at = memchr(a, '@', n);
    if (at) {
        if (!chars_ok(a, (size_t)(at - a), ":"))
            return false;
        n -= (size_t)(at - a) + 1;
        a = at + 1;
    }
    const char *port = NULL;
    size_t hostn = n;
    if (n > 0 && a[0] == '[') {
        const char *close = memchr(a, ']', n);
        if (!close)
            return false;
        size_t ln = (size_t)(close - a) - 1;
        const char *lit = a + 1;
        if (ln > 0 && (lit[0] == 'v' || lit[0] == 'V')) {
            size_t k = 1;
            while (k < ln && hexdig(lit[k]))
                k++;
            if (k == 1 || k >= ln || lit[k] != '.' || k + 1 == ln || !chars_ok(lit + k + 1, ln - k - 1, ":"))
                return false;
        } else if (!is_ipv6(lit, ln)) {
            return false;
        }
        hostn = (size_t)(close - a) + 1;
        if (hostn < n) {
            if (a[hostn] != ':')
                return false;
            port = a + hostn + 1;
        }
    } else {
        const char *colon = memchr(a, ':', n);
        if (colon) {
            hostn = (size_t)(colon - a);
            port = colon + 1;
        }
        if (!chars_ok(a, hostn, ""))
            return false;
    }
    if (port) {
        for (const char *p = port; p < a + n; p++)
            if (!dig(*p))
                return false;
    }
    return true;
}

/* 1 valid, 0 invalid, -1 out of memory. */
static int check_uri(const char *s, size_t n)
{
    if (memchr(s, '\0', n))
        return 0;
    /* scheme */
    if (n == 0 || !alpha(s[0]))
        return 0;
    size_t i = 1;
    while (i < n && (alpha(s[i]) || dig(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
        i++;
    if (i >= n || s[i] != ':')
        return 0;
    i++;
    size_t hier_end = i;
    while (hier_end < n && s[hier_end] != '?' && s[hier_end] != '#')
        hier_end++;
    const char *path = s + i;
    size_t pathn = hier_end - i;
    if (pathn >= 2 && path[0] == '/' && path[1] == '/') {
        size_t an = 2;
        while (an < pathn && path[an] != '/')
            an++;
        if (!check_authority(path + 2, an - 2))
            return 0;
        path += an;
        pathn -= an;
    }
    if (!chars_ok(path, pathn, ":@/"))
        return 0;
    size_t j = hier_end;
    if (j < n && s[j] == '?') {
        size_t q = j + 1;
        while (j < n && s[j] != '#')
            j++;
        if (!chars_ok(s + q, j - q, ":@/?"))
            return 0;
    }
    if (j < n && s[j] == '#') {
        if (!chars_ok(s + j + 1, n - j - 1, ":@/?"))
            return 0;
    }
    /* libxml2 must agree that it is a URI reference it can parse */
    char *z = ekb_strndup(s, n);
    if (!z)
        return -1;
    xmlURIPtr u = xmlParseURI(z);
    free(z);
    if (!u)
        return 0;
    bool ok = u->scheme != NULL;
    xmlFreeURI(u);
    return ok;
}

/* ---- email ---- */

static bool atext(char c) { return alpha(c) || dig(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c)); }

static bool check_hostname(const char *s, size_t n)
{
    if (n == 0 || n > 253)
        return false;
    size_t i = 0;
    while (i < n) {
        size_t st = i;
        while (i < n && s[i] != '.') {
            if (!(alpha(s[i]) || dig(s[i]) || s[i] == '-'))
                return false;
            i++;
        }
        size_t len = i - st;
        if (len == 0 || len > 63 || s[st] == '-' || s[i - 1] == '-')
            return false;
        if (i < n)
            i++; /* '.' */
        if (i == n && s[n - 1] == '.')
            return false;
    }
    return true;
}

static bool check_email(const char *s, size_t n)
{
    size_t i = 0;
    if (n > 0 && s[0] == '"') {
        i = 1;
        for (;;) {
            if (i >= n)
                return false;
            unsigned char c = (unsigned char)s[i];
            if (c == '"')
                break;
            if (c == '\\') {
                if (i + 1 >= n || (unsigned char)s[i + 1] < 32 || (unsigned char)s[i + 1] > 126)
                    return false;
                i += 2;
                continue;
            }
            if (c < 32 || c > 126)
                return false;
            i++;
        }
        i++;
    } else {
        size_t st = i;
        bool prev_dot = true;
        while (i < n && s[i] != '@') {
            if (s[i] == '.') {
                if (prev_dot)
                    return false;
                prev_dot = true;
            } else if (atext(s[i])) {
                prev_dot = false;
            } else {
                return false;
            }
            i++;
        }
        if (i == st || prev_dot)
            return false;
    }
    if (i >= n || s[i] != '@')
        return false;
    const char *d = s + i + 1;
    size_t dn = n - i - 1;
    if (dn >= 2 && d[0] == '[' && d[dn - 1] == ']') {
        if (dn > 7 && strncmp(d + 1, "IPv6:", 5) == 0)
            return is_ipv6(d + 6, dn - 7);
        return is_ipv4(d + 1, dn - 2);
    }
    return check_hostname(d, dn);
}

static int check_regex(const char *s, size_t n)
{
    char *err = NULL;
    pcre2_code *c = ekb_schema_regex_compile(s, n, &err);
    if (c) {
        pcre2_code_free(c);
        return 1;
    }
    if (!err)
        return -1;
    free(err);
    return 0;
}

int ekb_schema_format_check(ekb_format f, const char *s, size_t len)
{
    switch (f) {
    case EKB_FMT_DATE:
        return check_date(s, len);
    case EKB_FMT_DATE_TIME:
        return check_date_time(s, len);
    case EKB_FMT_URI:
        return check_uri(s, len);
    case EKB_FMT_EMAIL:
        return check_email(s, len);
    case EKB_FMT_REGEX:
        return check_regex(s, len);
    case EKB_FMT_IPV4:
        return is_ipv4(s, len);
    case EKB_FMT_IPV6:
        return is_ipv6(s, len);
    case EKB_FMT_NONE:
        break;
    }
    return 1;
}

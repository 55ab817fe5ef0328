/* json_parse.c: a fast path for the common case, a valid JSON text. One pass
 * over the bytes builds the value json_loadb would build; at anything it is
 * not sure of (invalid text, a duplicate key, \u0000, an integer beyond
 * json_int_t, a real number that overflows, nesting deeper than 512) it
 * gives up and returns NULL, and the caller lets jansson, the reference,
 * parse the text again and say what is wrong.
 *
 * Why: jansson reads through a character stream, about 80 MB/s here, and
 * whole-corpus runs are bound by parsing. This reader scans strings a word
 * at a time and hands jansson finished keys and strings: about four times
 * faster on entry files (bench/RESULTS.md). */
#include "json_parse.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "util.h"

#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Texts nested deeper go to jansson (which reads up to its own limit,
 * JSON_PARSER_MAX_DEPTH, and reports beyond it): entries are a few levels
 * deep, and the recursion here stays well within any thread's stack. */
#define MAX_DEPTH 512

/* The most negative json_int_t (a long long on every jansson we build on). */
#define JSON_INT_MIN LLONG_MIN

typedef struct parser {
    const unsigned char *s, *end;
    ekb_strbuf scratch; /* decoded strings that had escapes */
    unsigned depth, deepest;
    size_t nodes, key_bytes, bytes; /* the shape (ekb_json_shape) */
} parser;

static void skip_ws(parser *p)
{
    while (p->s < p->end && ekb_json_is_ws(*p->s))
        p->s++;
}

/* True when the 8 bytes at s are all plain string bytes: ASCII from 0x20,
 * not '"' and not '\\'. (The SWAR tests of "Bit Twiddling Hacks".) */
static bool plain_word(const unsigned char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t quote = w ^ (ones * '"'), slash = w ^ (ones * '\\');
    uint64_t has_zero = ((quote - ones) & ~quote) | ((slash - ones) & ~slash);
    uint64_t below_space = w - ones * 0x20;
    return ((has_zero | below_space | w) & highs) == 0;
}

/* How many plain string bytes (as plain_word) start s, up to end, looked
 * at sixteen at a time where SSE2 is there (every x86-64), else eight. */
static size_t plain_run(const unsigned char *s, const unsigned char *end)
{
    const unsigned char *at = s;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"'), slash = _mm_set1_epi8('\\'), control = _mm_set1_epi8(0x1F);
    while (end - at >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)at);
        __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, slash)),
                                    _mm_cmpeq_epi8(_mm_min_epu8(v, control), v));
        /* a stop byte, or one from 0x80 (its sign bit) */
        unsigned mask = (unsigned)_mm_movemask_epi8(stop) | (unsigned)_mm_movemask_epi8(v);
        if (mask)
            return (size_t)(at - s) + (size_t)__builtin_ctz(mask);
        at += 16;
    }
#endif
    while (end - at >= 8 && plain_word(at))
        at += 8;
    return (size_t)(at - s);
}

static int hex4(const unsigned char *s)
{
    int v = 0;
    for (int k = 0; k < 4; k++) {
        int h = ekb_hex_digit(s[k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Decodes one escape after the backslash at *ps into the scratch buffer. */
static bool decode_escape(parser *p, const unsigned char **ps)
{
    const unsigned char *s = *ps + 1;
    if (s >= p->end)
        return false;
    unsigned char e = *s++;
    static const char plain[] = "\"\\/bfnrt", decoded[] = "\"\\/\b\f\n\r\t";
    const char *hit = e ? strchr(plain, e) : NULL;
    if (hit) {
        ekb_strbuf_addc(&p->scratch, decoded[hit - plain]);
    } else if (e == 'u') {
        if (p->end - s < 4)
            return false;
        int cp = hex4(s);
        s += 4;
        if (cp <= 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
            return false; /* \u0000, bad hex, a lone low surrogate */
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (p->end - s < 6 || s[0] != '\\' || s[1] != 'u')
                return false;
            int lo = hex4(s + 2);
            if (lo < 0xDC00 || lo > 0xDFFF)
                return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            s += 6;
        }
        char b[4];
        ekb_strbuf_addn(&p->scratch, b, ekb_utf8_encode((uint32_t)cp, b));
    } else {
        return false;
    }
    *ps = s;
    return true;
}

/* Reads the string whose opening quote is at p->s. On success *out points
 * at its bytes (in the text, or in the scratch buffer when it had escapes)
 * and *len is their number. */
static bool read_string(parser *p, const char **out, size_t *len)
{
    const unsigned char *start = ++p->s, *s = start;
    bool escaped = false;
    for (;;) {
        s += plain_run(s, p->end);
        if (s >= p->end)
            return false;
        unsigned char c = *s;
        if (c == '"')
            break;
        if (c < 0x20)
            return false;
        if (c == '\\') {
            if (!escaped) {
                ekb_strbuf_reset(&p->scratch);
                escaped = true;
            }
            ekb_strbuf_addn(&p->scratch, (const char *)start, (size_t)(s - start));
            if (!decode_escape(p, &s))
                return false;
            start = s;
            continue;
        }
        if (c < 0x80) {
            s++;
            continue;
        }
        /* most text beyond ASCII here is Chinese, checked inline */
        if (ekb_utf8_plain3(s, (size_t)(p->end - s))) {
            do
                s += 3;
            while (ekb_utf8_plain3(s, (size_t)(p->end - s)));
            continue;
        }
        size_t l = ekb_utf8_seq_len(s, (size_t)(p->end - s));
        if (l == 0)
            return false;
        s += l;
    }
    p->s = s + 1;
    if (!escaped) {
        *out = (const char *)start;
        *len = (size_t)(s - start);
        return true;
    }
    ekb_strbuf_addn(&p->scratch, (const char *)start, (size_t)(s - start));
    if (ekb_strbuf_failed(&p->scratch))
        return false;
    *out = p->scratch.s;
    *len = p->scratch.len;
    return true;
}

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* A number by the JSON grammar: an integer when it has neither fraction nor
 * exponent (json_int_t, as jansson), else a real read in the C locale. */
static json_t *read_number(parser *p)
{
    const unsigned char *start = p->s, *s = p->s;
    bool negative = s < p->end && *s == '-';
    if (negative)
        s++;
    if (s >= p->end || !is_digit(*s))
        return NULL;
    if (*s == '0')
        s++;
    else
        while (s < p->end && is_digit(*s))
            s++;
    bool real = false;
    if (s < p->end && *s == '.') {
        real = true;
        if (++s >= p->end || !is_digit(*s))
            return NULL;
        while (s < p->end && is_digit(*s))
            s++;
    }
    if (s < p->end && (*s == 'e' || *s == 'E')) {
        real = true;
        if (++s < p->end && (*s == '+' || *s == '-'))
            s++;
        if (s >= p->end || !is_digit(*s))
            return NULL;
        while (s < p->end && is_digit(*s))
            s++;
    }
    p->s = s;
    if (!real) {
        /* Accumulate negatively: the most negative json_int_t fits. */
        json_int_t v = 0;
        for (const unsigned char *d = start + negative; d < s; d++) {
            int digit = *d - '0';
            if (v < (JSON_INT_MIN + digit) / 10)
                return NULL;
            v = v * 10 - digit;
        }
        if (!negative) {
            if (v == JSON_INT_MIN)
                return NULL;
            v = -v;
        }
        return json_integer(v);
    }
    size_t n = (size_t)(s - start);
    char stack[64];
    char *copy = n < sizeof stack ? stack : malloc(n + 1);
    if (!copy)
        return NULL;
    memcpy(copy, start, n);
    copy[n] = '\0';
    errno = 0;
    double d = strtod(copy, NULL);
    bool overflow = errno == ERANGE && (d > 1.0 || d < -1.0);
    if (copy != stack)
        free(copy);
    return overflow ? NULL : json_real(d);
}

static json_t *read_value(parser *p);

static json_t *read_object(parser *p)
{
    json_t *obj = json_object();
    if (!obj)
        return NULL;
    p->s++;
    skip_ws(p);
    if (p->s < p->end && *p->s == '}') {
        p->s++;
        return obj;
    }
    for (;;) {
        skip_ws(p);
        const char *key;
        size_t key_len;
        if (p->s >= p->end || *p->s != '"' || !read_string(p, &key, &key_len))
            break;
        /* The key may sit in the scratch buffer, which the value reuses. */
        char small[64];
        char *key_copy = NULL;
        if (key == p->scratch.s) {
            key_copy = key_len < sizeof small ? small : malloc(key_len + 1);
            if (!key_copy)
                break;
            memcpy(key_copy, key, key_len);
            key = key_copy;
        }
        skip_ws(p);
        json_t *value = NULL;
        if (p->s < p->end && *p->s == ':') {
            p->s++;
            skip_ws(p);
            value = read_value(p);
        }
        size_t before = json_object_size(obj);
        int set = value ? json_object_setn_new_nocheck(obj, key, key_len, value) : -1;
        if (key_copy && key_copy != small)
            free(key_copy);
        if (set != 0 || json_object_size(obj) == before)
            break; /* no value, no memory, or a duplicate key */
        p->nodes += 2;
        p->key_bytes += key_len + 1;
        skip_ws(p);
        if (p->s < p->end && *p->s == ',') {
            p->s++;
            continue;
        }
        if (p->s < p->end && *p->s == '}') {
            p->s++;
            return obj;
        }
        break;
    }
    json_decref(obj);
    return NULL;
}

static json_t *read_array(parser *p)
{
    json_t *arr = json_array();
    if (!arr)
        return NULL;
    p->s++;
    skip_ws(p);
    if (p->s < p->end && *p->s == ']') {
        p->s++;
        return arr;
    }
    for (;;) {
        skip_ws(p);
        json_t *value = read_value(p);
        if (!value || json_array_append_new(arr, value) != 0)
            break;
        p->nodes++;
        skip_ws(p);
        if (p->s < p->end && *p->s == ',') {
            p->s++;
            continue;
        }
        if (p->s < p->end && *p->s == ']') {
            p->s++;
            return arr;
        }
        break;
    }
    json_decref(arr);
    return NULL;
}

static json_t *read_literal(parser *p, const char *word, json_t *value)
{
    size_t n = strlen(word);
    if ((size_t)(p->end - p->s) < n || memcmp(p->s, word, n) != 0)
        return NULL;
    p->s += n;
    return value;
}

static json_t *read_value(parser *p)
{
    if (p->s >= p->end || p->depth >= MAX_DEPTH)
        return NULL;
    json_t *v;
    switch (*p->s) {
    case '{':
        if (++p->depth > p->deepest)
            p->deepest = p->depth;
        v = read_object(p);
        p->depth--;
        return v;
    case '[':
        if (++p->depth > p->deepest)
            p->deepest = p->depth;
        v = read_array(p);
        p->depth--;
        return v;
    case '"': {
        const char *s;
        size_t n;
        if (!read_string(p, &s, &n))
            return NULL;
        p->bytes += n + 1;
        return json_stringn_nocheck(s, n);
    }
    case 't': return read_literal(p, "true", json_true());
    case 'f': return read_literal(p, "false", json_false());
    case 'n': return read_literal(p, "null", json_null());
    default: return read_number(p);
    }
}

json_t *ekb_json_parse(const char *text, size_t len)
{
    ekb_json_shape shape;
    return ekb_json_parse_shape(text, len, &shape);
}

json_t *ekb_json_parse_shape(const char *text, size_t len, ekb_json_shape *shape)
{
    parser p = {.s = (const unsigned char *)text, .end = (const unsigned char *)text + len, .nodes = 1};
    /* strtod reads "0.5" whatever locale the program chose: this thread
     * uses the C locale while it parses (POSIX uselocale). */
    locale_t c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    if (c_locale == (locale_t)0)
        return NULL;
    locale_t previous = uselocale(c_locale);
    ekb_strbuf_init(&p.scratch);
    /* room for most escaped strings at once (a regex has backslashes):
     * one allocation instead of a string of reallocs from 64 bytes */
    ekb_strbuf_reserve(&p.scratch, 4096);
    skip_ws(&p);
    json_t *root = read_value(&p);
    skip_ws(&p);
    if (root && p.s != p.end) {
        json_decref(root);
        root = NULL;
    }
    ekb_strbuf_free(&p.scratch);
    uselocale(previous);
    freelocale(c_locale);
    *shape = (ekb_json_shape){p.deepest, p.nodes, p.key_bytes, p.bytes};
    return root;
}

/* syntax.c: a recursive-descent parser for the PCRE2 pattern syntax.
 *
 * It runs only on patterns PCRE2 has already compiled, so it need not
 * diagnose errors: anything it does not understand makes it answer 1
 * ("beyond me"), and the analyses then fall back to safe answers. */
#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include "syntax.h"

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Deeper nesting than PCRE2's default limit (250) is not expected. */
#define MAX_DEPTH 400

/* --- arena: every node and kid array of one tree --- */

typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    max_align_t data[];
} chunk;

struct ekb_rx_arena {
    chunk *head;
};

static void *arena_alloc(ekb_rx_arena *a, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    if (!a->head || a->head->cap - a->head->used < n) {
        size_t cap = n > 16384 ? n : 16384;
        chunk *c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = (char *)a->head->data + a->head->used;
    a->head->used += n;
    memset(p, 0, n);
    return p;
}

void *ekb_rx_alloc(ekb_rx_tree *t, size_t n)
{
    return arena_alloc(t->arena, n);
}

void ekb_rx_tree_free(ekb_rx_tree *t)
{
    if (!t || !t->arena)
        return;
    for (chunk *c = t->arena->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(t->arena);
    t->arena = NULL;
    t->root = NULL;
}

/* --- parser state --- */

typedef struct flags {
    bool caseless, extended, extended_more, dotall, ungreedy, no_capture;
} flags;

typedef struct parser {
    const unsigned char *p;
    size_t len, pos;
    bool ucp;
    unsigned depth;
    unsigned groups;   /* capture groups opened so far */
    int err;           /* 1 unsupported, -1 memory */
    ekb_rx_tree *tree;
} parser;

/* A growable list of nodes used while a concatenation or alternation is read. */
typedef struct nodelist {
    ekb_rx_node **v;
    size_t n, cap;
} nodelist;

static int list_push(parser *ps, nodelist *l, ekb_rx_node *n)
{
    if (ekb_grow(&l->v, &l->cap, l->n, sizeof *l->v, 8) != 0) {
        ps->err = -1;
        return -1;
    }
    l->v[l->n++] = n;
    return 0;
}

static ekb_rx_node *new_node(parser *ps, ekb_rx_kind kind, size_t start)
{
    ekb_rx_node *n = arena_alloc(ps->tree->arena, sizeof *n);
    if (!n) {
        ps->err = -1;
        return NULL;
    }
    n->kind = kind;
    n->start = (uint32_t)start;
    n->end = (uint32_t)ps->pos;
    ps->tree->n_nodes++;
    return n;
}

/* A new node of the given kind whose kids are the list, moved into the
 * arena; the list is freed either way. */
static ekb_rx_node *list_node(parser *ps, ekb_rx_kind kind, size_t start, nodelist *l)
{
    ekb_rx_node *n = new_node(ps, kind, start);
    if (n && l->n && !(n->kids = arena_alloc(ps->tree->arena, l->n * sizeof *n->kids))) {
        ps->err = -1;
        n = NULL;
    }
    if (n && l->n) {
        memcpy(n->kids, l->v, l->n * sizeof *n->kids);
        n->n_kids = (uint32_t)l->n;
    }
    free(l->v);
    *l = (nodelist){0};
    return n;
}

/* The list's only node, else a new node of the given kind holding them all;
 * the list is freed either way. */
static ekb_rx_node *list_join(parser *ps, ekb_rx_kind kind, size_t start, nodelist *l)
{
    if (l->n != 1)
        return list_node(ps, kind, start, l);
    ekb_rx_node *only = l->v[0];
    free(l->v);
    *l = (nodelist){0};
    return only;
}

static ekb_rx_node *node1(parser *ps, ekb_rx_kind kind, size_t start, ekb_rx_node *kid)
{
    ekb_rx_node *n = new_node(ps, kind, start);
    if (!n)
        return NULL;
    n->kids = arena_alloc(ps->tree->arena, sizeof *n->kids);
    if (!n->kids) {
        ps->err = -1;
        return NULL;
    }
    n->kids[0] = kid;
    n->n_kids = 1;
    return n;
}

static bool at_end(const parser *ps) { return ps->pos >= ps->len; }
static int peek(const parser *ps, size_t ahead)
{
    return ps->pos + ahead < ps->len ? ps->p[ps->pos + ahead] : -1;
}
static bool looking_at(const parser *ps, const char *s)
{
    size_t n = strlen(s);
    return ps->len - ps->pos >= n && memcmp(ps->p + ps->pos, s, n) == 0;
}
static void fail(parser *ps)
{
    if (!ps->err)
        ps->err = 1;
}


/* Reads one UTF-8 character (the pattern is valid UTF-8: PCRE2 checked). */
static uint32_t next_char(parser *ps)
{
    unsigned c = ps->p[ps->pos++];
    int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    uint32_t cp = more == 3 ? c & 7 : more == 2 ? c & 15 : more == 1 ? c & 31 : c;
    while (more-- > 0 && ps->pos < ps->len)
        cp = cp << 6 | (ps->p[ps->pos++] & 63);
    return cp;
}

/* Pattern white space that extended mode skips (PCRE2 in UTF mode). */
static size_t space_len(const parser *ps, size_t at)
{
    const unsigned char *s = ps->p + at;
    size_t left = ps->len - at;
    if (left && (*s == ' ' || (*s >= 9 && *s <= 13)))
        return 1;
    if (left >= 2 && s[0] == 0xC2 && s[1] == 0x85) /* U+0085 */
        return 2;
    if (left >= 3 && s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0x8E || s[2] == 0x8F || s[2] == 0xA8 || s[2] == 0xA9))
        return 3;
    return 0;
}

/* Skips what PCRE2 ignores between items, so that a quantifier after it
 * applies to the item before: comments (?#...), an isolated \E, an empty
 * \Q\E, and in extended mode white space and # comments. */
static void skip_extended(parser *ps, const flags *f)
{
    for (;;) {
        /* without the extended flag only "(?#", "\E" and "\Q\E" are
         * skipped: most characters start none of them */
        if (!f->extended && (at_end(ps) || (ps->p[ps->pos] != '(' && ps->p[ps->pos] != '\\')))
            return;
        size_t n = f->extended ? space_len(ps, ps->pos) : 0;
        if (n) {
            ps->pos += n;
        } else if (f->extended && peek(ps, 0) == '#') {
            while (!at_end(ps) && ps->p[ps->pos] != '\n')
                ps->pos++;
        } else if (looking_at(ps, "(?#")) {
            while (!at_end(ps) && ps->p[ps->pos] != ')')
                ps->pos++;
            if (!at_end(ps))
                ps->pos++;
        } else if (looking_at(ps, "\\E")) {
            ps->pos += 2;
        } else if (looking_at(ps, "\\Q\\E")) {
            ps->pos += 4;
        } else {
            return;
        }
    }
}

/* --- character sets --- */

static void set_invert(ekb_rx_set *s)
{
    s->ascii[0] = ~s->ascii[0];
    s->ascii[1] = ~s->ascii[1];
    s->wide = (uint8_t)ekb_rx_wide_invert(s->wide);
    s->example = 0;
}

static void set_range(ekb_rx_set *s, unsigned lo, unsigned hi)
{
    for (unsigned c = lo; c <= hi && c < 128; c++)
        ekb_rx_set_add(s, c);
}

static bool is_upper(unsigned c) { return c >= 'A' && c <= 'Z'; }
static bool is_lower(unsigned c) { return c >= 'a' && c <= 'z'; }
static bool is_digit(unsigned c) { return c >= '0' && c <= '9'; }
static bool is_alpha(unsigned c) { return is_upper(c) || is_lower(c); }
static bool is_alnum(unsigned c) { return is_alpha(c) || is_digit(c); }
static bool is_xdigit(unsigned c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static bool is_space(unsigned c) { return c == ' ' || (c >= 9 && c <= 13); }
static bool is_punct(unsigned c) { return c > 32 && c < 127 && !is_alnum(c); }

/* Adds the ASCII members of a C-style predicate. */
static void set_where(ekb_rx_set *s, bool (*pred)(unsigned))
{
    for (unsigned c = 0; c < 128; c++)
        if (pred(c))
            ekb_rx_set_add(s, c);
}

/* Adds c, and its other case when caseless. A code point above ASCII makes
 * the wide part unknown (and is kept as the example). U+017F (long s) and
 * U+212A (Kelvin sign) are caseless equivalents of 's' and 'k', which do not
 * make the wide part unknown in turn: the prefilter folds those two to ASCII
 * in the text it scans. */
static void set_add_char(ekb_rx_set *s, uint32_t c, bool caseless)
{
    if (c < 128) {
        ekb_rx_set_add(s, c);
        if (caseless && is_alpha(c))
            ekb_rx_set_add(s, c ^ 0x20);
        return;
    }
    s->wide = EKB_RX_W_ANY;
    if (!s->example)
        s->example = c;
    if (caseless && c == 0x17F)
        ekb_rx_set_add(s, 's'), ekb_rx_set_add(s, 'S');
    if (caseless && c == 0x212A)
        ekb_rx_set_add(s, 'k'), ekb_rx_set_add(s, 'K');
}

static bool pred_word(unsigned c) { return is_alnum(c) || c == '_'; }
static bool pred_h(unsigned c) { return c == ' ' || c == '\t'; }
static bool pred_v(unsigned c) { return c >= 10 && c <= 13; }
static bool pred_cntrl(unsigned c) { return c < 32 || c == 127; }
static bool pred_graph(unsigned c) { return c > 32 && c < 127; }
static bool pred_print(unsigned c) { return c >= 32 && c < 127; }
static bool pred_ascii(unsigned c) { return c < 128; }
static bool pred_blank(unsigned c) { return c == ' ' || c == '\t'; }
static bool pred_sym(unsigned c) { return c && strchr("$+<=>^`|~", (int)c) != NULL; }
static bool pred_upunct(unsigned c) { return is_punct(c) && !pred_sym(c); }
static bool pred_common(unsigned c) { return !is_alpha(c); }
static bool pred_xuc(unsigned c) { return c == '$' || c == '@' || c == '`'; }

/* The ASCII part of \d \w \s \h \v and their negations. Under UCP the
 * positive ones may also match above ASCII. */
static bool escape_set(parser *ps, int e, ekb_rx_set *s)
{
    memset(s, 0, sizeof *s);
    int lower = e | 0x20;
    switch (lower) {
    case 'd': set_where(s, is_digit); s->wide = ps->ucp ? EKB_RX_W_DIGIT : 0; break;
    case 'w': set_where(s, pred_word); s->wide = ps->ucp ? EKB_RX_W_WORD : 0; break;
    case 's': set_where(s, is_space); s->wide = ps->ucp ? EKB_RX_W_SPACE : 0; break;
    case 'h': set_where(s, pred_h); s->wide = EKB_RX_W_SPACE; s->example = 0xA0; break;
    case 'v': set_where(s, pred_v); s->wide = EKB_RX_W_SPACE; s->example = 0x2028; break;
    default: return false;
    }
    if (e != lower)
        set_invert(s);
    return true;
}

/* Loose property name comparison: case, spaces, '-' and '_' do not count. */
static bool prop_is(const char *name, size_t n, const char *want)
{
    size_t i = 0;
    for (const char *w = want; *w; w++) {
        while (i < n && (name[i] == ' ' || name[i] == '-' || name[i] == '_'))
            i++;
        if (i == n || (name[i] | 0x20) != (*w | 0x20))
            return false;
        i++;
    }
    while (i < n && (name[i] == ' ' || name[i] == '-' || name[i] == '_'))
        i++;
    return i == n;
}

/* \p{name}: the ASCII members of common properties and scripts; for any
 * other name every ASCII character (a superset). The wide part is unknown. */
static void property_set(const char *name, size_t n, ekb_rx_set *s)
{
    static const struct { const char *name; bool (*pred)(unsigned); } props[] = {
        {"L", is_alpha}, {"L&", is_alpha}, {"Lc", is_alpha}, {"Latin", is_alpha}, {"Latn", is_alpha},
        {"Lu", is_upper}, {"Ll", is_lower}, {"N", is_digit}, {"Nd", is_digit}, {"P", pred_upunct},
        {"S", pred_sym}, {"Z", pred_blank}, {"Zs", pred_blank}, {"C", pred_cntrl}, {"Cc", pred_cntrl},
        {"Common", pred_common}, {"Zyyy", pred_common}, {"Xan", is_alnum}, {"Xwd", pred_word},
        {"Xsp", is_space}, {"Xps", is_space}, {"Xuc", pred_xuc}, {"Any", pred_ascii},
    };
    static const char *const none[] = {
        "Lt", "Lm", "Lo", "Nl", "No", "Zl", "Zp", "Cf", "Co", "Cs", "Cn", "M", "Mn", "Mc", "Me", "Pi", "Pf",
        "So", "Inherited", "Zinh", "Han", "Hani", "Hiragana", "Hira", "Katakana", "Kana", "Hangul", "Hang",
        "Cyrillic", "Cyrl", "Greek", "Grek", "Arabic", "Arab", "Hebrew", "Hebr", "Thai", "Devanagari", "Deva",
    };
    memset(s, 0, sizeof *s);
    s->wide = EKB_RX_W_ANY;
    for (size_t i = 0; i < sizeof props / sizeof *props; i++)
        if (prop_is(name, n, props[i].name)) {
            set_where(s, props[i].pred);
            return;
        }
    for (size_t i = 0; i < sizeof none / sizeof *none; i++)
        if (prop_is(name, n, none[i]))
            return;
    set_where(s, pred_ascii);
}

/* After \p or \P: reads {name} or one letter into s. */
static void parse_property(parser *ps, bool negate, ekb_rx_set *s)
{
    const char *name;
    size_t n;
    if (peek(ps, 0) == '{') {
        size_t start = ++ps->pos;
        while (!at_end(ps) && ps->p[ps->pos] != '}')
            ps->pos++;
        if (at_end(ps)) {
            fail(ps);
            return;
        }
        name = (const char *)ps->p + start;
        n = ps->pos - start;
        ps->pos++;
        if (n && name[0] == '^') {
            negate = !negate;
            name++;
            n--;
        }
    } else if (!at_end(ps)) {
        name = (const char *)ps->p + ps->pos++;
        n = 1;
    } else {
        fail(ps);
        return;
    }
    /* "Script=Han", "sc:Han" and the like: the value is what counts */
    for (size_t i = 0; i < n; i++)
        if (name[i] == '=' || name[i] == ':') {
            name += i + 1;
            n -= i + 1;
            break;
        }
    property_set(name, n, s);
    if (negate)
        set_invert(s);
}


/* Reads up to max digits of the given base; returns the value. */
static uint32_t read_number(parser *ps, int base, int max, int *count)
{
    uint32_t v = 0;
    int n = 0;
    while (n < max && !at_end(ps)) {
        int d = ekb_hex_digit(ps->p[ps->pos]);
        if (d < 0 || d >= base)
            break;
        v = v * (uint32_t)base + (uint32_t)d;
        if (v > 0x10FFFF)
            v = 0x110000;
        ps->pos++;
        n++;
    }
    *count = n;
    return v;
}

/* Reads {digits} of the given base after \x or \o. */
static uint32_t read_braced(parser *ps, int base)
{
    ps->pos++; /* '{' */
    int n;
    uint32_t v = read_number(ps, base, 16, &n);
    if (n == 0 || peek(ps, 0) != '}') {
        fail(ps);
        return 0;
    }
    ps->pos++;
    return v;
}

/* Character escapes shared by classes and the rest: \a \e \f \n \r \t \0
 * \o{} \x \c \N{U+..}. Returns true with *cp set when e (just read) is one. */
static bool char_escape(parser *ps, int e, uint32_t *cp)
{
    int n;
    switch (e) {
    case 'a': *cp = 7; return true;
    case 'e': *cp = 27; return true;
    case 'f': *cp = 12; return true;
    case 'n': *cp = 10; return true;
    case 'r': *cp = 13; return true;
    case 't': *cp = 9; return true;
    case '0': *cp = read_number(ps, 8, 2, &n); return true;
    case 'o':
        if (peek(ps, 0) != '{')
            return fail(ps), false;
        *cp = read_braced(ps, 8);
        return true;
    case 'x':
        if (peek(ps, 0) == '{')
            *cp = read_braced(ps, 16);
        else
            *cp = read_number(ps, 16, 2, &n);
        return true;
    case 'c':
        if (at_end(ps) || ps->p[ps->pos] >= 128)
            return fail(ps), false;
        {
            unsigned c = ps->p[ps->pos++];
            if (is_lower(c))
                c ^= 0x20;
            *cp = c ^ 0x40;
        }
        return true;
    default:
        return false;
    }
}

/* --- classes --- */

static bool posix_class(parser *ps, ekb_rx_set *s)
{
    /* wide: the Unicode part under UCP */
    static const struct { const char *name; bool (*pred)(unsigned); uint8_t wide; } names[] = {
        {"alpha", is_alpha, EKB_RX_W_WORD}, {"digit", is_digit, EKB_RX_W_DIGIT}, {"alnum", is_alnum, EKB_RX_W_WORD},
        {"space", is_space, EKB_RX_W_SPACE}, {"upper", is_upper, EKB_RX_W_WORD}, {"lower", is_lower, EKB_RX_W_WORD},
        {"punct", is_punct, EKB_RX_W_ANY}, {"xdigit", is_xdigit, 0}, {"word", pred_word, EKB_RX_W_WORD},
        {"print", pred_print, EKB_RX_W_ANY}, {"graph", pred_graph, EKB_RX_W_ANY}, {"cntrl", pred_cntrl, EKB_RX_W_ANY},
        {"blank", pred_blank, EKB_RX_W_SPACE}, {"ascii", pred_ascii, 0},
    };
    /* at "[:" */
    size_t save = ps->pos;
    ps->pos += 2;
    bool neg = peek(ps, 0) == '^';
    if (neg)
        ps->pos++;
    size_t start = ps->pos;
    while (!at_end(ps) && is_lower(ps->p[ps->pos]))
        ps->pos++;
    size_t n = ps->pos - start;
    if (!looking_at(ps, ":]")) {
        ps->pos = save;
        return false;
    }
    ps->pos += 2;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strlen(names[i].name) == n && memcmp(names[i].name, ps->p + start, n) == 0) {
            memset(s, 0, sizeof *s);
            set_where(s, names[i].pred);
            s->wide = ps->ucp ? names[i].wide : 0;
            if (neg)
                set_invert(s);
            return true;
        }
    fail(ps);
    return true;
}

/* One class member: a character (returns 1, *cp set) or a set (returns 2,
 * *s set); 0 at the closing ']'. */
static int class_item(parser *ps, const flags *f, uint32_t *cp, ekb_rx_set *s, bool first)
{
    for (;;) {
        if (at_end(ps))
            return fail(ps), 0;
        if (f->extended_more && (peek(ps, 0) == ' ' || peek(ps, 0) == '\t')) {
            ps->pos++;
            continue;
        }
        int c = ps->p[ps->pos];
        if (c == ']' && !first)
            return 0;
        if (c == '[' && peek(ps, 1) == ':' && posix_class(ps, s))
            return ps->err ? 0 : 2;
        if (c == '[' && (peek(ps, 1) == '.' || peek(ps, 1) == '='))
            return fail(ps), 0;
        if (c != '\\') {
            *cp = next_char(ps);
            return 1;
        }
        ps->pos++;
        if (at_end(ps))
            return fail(ps), 0;
        int e = ps->p[ps->pos];
        if (e == 'Q') {
            /* \Q...\E in a class: the literal characters become members;
             * return them one by one through the caller's loop */
            ps->pos++;
            return 3;
        }
        if (e == 'E') {
            ps->pos++;
            continue;
        }
        if (e >= 128) {
            *cp = next_char(ps);
            return 1;
        }
        ps->pos++;
        if (escape_set(ps, e, s))
            return 2;
        if (e == 'p' || e == 'P') {
            parse_property(ps, e == 'P', s);
            return ps->err ? 0 : 2;
        }
        if (e == 'b') {
            *cp = 8;
            return 1;
        }
        if (e >= '1' && e <= '7') {
            ps->pos--;
            int n;
            *cp = read_number(ps, 8, 3, &n);
            return 1;
        }
        if (char_escape(ps, e, cp))
            return ps->err ? 0 : 1;
        if (ps->err)
            return 0;
        if (is_alnum((unsigned)e))
            return fail(ps), 0;
        *cp = (uint32_t)e;
        return 1;
    }
}

static void add_range(ekb_rx_set *s, uint32_t lo, uint32_t hi, bool caseless)
{
    for (uint32_t c = lo; c <= hi && c < 128; c++)
        set_add_char(s, c, caseless);
    if (hi >= 128) {
        s->wide = EKB_RX_W_ANY;
        if (!s->example)
            s->example = lo <= 0xE9 && hi >= 0xE9 ? 0xE9 : lo >= 128 ? lo : 128;
    }
}

static ekb_rx_node *parse_class(parser *ps, const flags *f)
{
    size_t start = ps->pos;
    /* PCRE2's Spencer-style word boundaries */
    if (looking_at(ps, "[[:<:]]") || looking_at(ps, "[[:>:]]")) {
        ps->pos += 7;
        return new_node(ps, EKB_RX_ASSERT, start);
    }
    ps->pos++; /* '[' */
    ekb_rx_set s = {0};
    bool neg = false;
    if (peek(ps, 0) == '^') {
        neg = true;
        ps->pos++;
    }
    bool first = true, in_q = false;
    for (;;) {
        uint32_t lo;
        ekb_rx_set sub;
        int k;
        if (in_q) {
            if (looking_at(ps, "\\E")) {
                ps->pos += 2;
                in_q = false;
                continue;
            }
            if (at_end(ps))
                return fail(ps), NULL;
            lo = next_char(ps);
            k = 1;
        } else {
            k = class_item(ps, f, &lo, &sub, first);
        }
        first = false;
        if (ps->err)
            return NULL;
        if (k == 0)
            break;
        if (k == 3) {
            in_q = true;
            continue;
        }
        if (k == 2) {
            ekb_rx_set_union(&s, &sub);
            continue;
        }
        /* a range? (not inside \Q...\E, where '-' is literal) */
        if (!in_q && peek(ps, 0) == '-' && peek(ps, 1) != ']' && peek(ps, 1) != -1) {
            size_t save = ps->pos;
            ps->pos++;
            uint32_t hi;
            int k2 = class_item(ps, f, &hi, &sub, false);
            if (ps->err)
                return NULL;
            if (k2 == 1) {
                add_range(&s, lo, hi, f->caseless);
                continue;
            }
            /* "a-\d" is an error in PCRE2; anything else: '-' was literal */
            ps->pos = save;
        }
        set_add_char(&s, lo, f->caseless);
    }
    if (at_end(ps))
        return fail(ps), NULL;
    ps->pos++; /* ']' */
    if (neg)
        set_invert(&s);
    ekb_rx_node *n = new_node(ps, EKB_RX_SET, start);
    if (n) {
        n->set = s;
        n->caseless = f->caseless;
    }
    return n;
}

/* --- escapes outside classes --- */

static ekb_rx_node *char_node(parser *ps, size_t start, uint32_t cp, const flags *f)
{
    ekb_rx_node *n = new_node(ps, EKB_RX_CHAR, start);
    if (n) {
        n->cp = cp;
        n->caseless = f->caseless;
        set_add_char(&n->set, cp, f->caseless);
    }
    return n;
}

static ekb_rx_node *set_node(parser *ps, size_t start, const ekb_rx_set *s, ekb_rx_kind kind)
{
    ekb_rx_node *n = new_node(ps, kind, start);
    if (n)
        n->set = *s;
    return n;
}

/* Skips past the next term: the end of a group name, or the ')' of a
 * comment or a verb; false when there is none. */
static bool skip_name(parser *ps, int term)
{
    while (!at_end(ps) && ps->p[ps->pos] != term)
        ps->pos++;
    if (at_end(ps))
        return false;
    ps->pos++;
    return true;
}

/* \Q...\E outside a class: a concatenation of literal characters. */
static ekb_rx_node *parse_quoted(parser *ps, size_t start, const flags *f)
{
    nodelist l = {0};
    while (!at_end(ps) && !looking_at(ps, "\\E")) {
        size_t s = ps->pos;
        uint32_t cp = next_char(ps);
        ekb_rx_node *c = char_node(ps, s, cp, f);
        if (!c || list_push(ps, &l, c) != 0) {
            free(l.v);
            return NULL;
        }
    }
    if (!at_end(ps))
        ps->pos += 2;
    return list_node(ps, l.n ? EKB_RX_CONCAT : EKB_RX_EMPTY, start, &l);
}

static ekb_rx_node *parse_escape(parser *ps, const flags *f)
{
    size_t start = ps->pos++;
    if (at_end(ps))
        return fail(ps), NULL;
    int e = ps->p[ps->pos];
    if (e >= 128)
        return char_node(ps, start, next_char(ps), f);
    ps->pos++;
    ekb_rx_set s;
    if (escape_set(ps, e, &s))
        return set_node(ps, start, &s, EKB_RX_SET);
    uint32_t cp;
    int n;
    switch (e) {
    case 'p':
    case 'P':
        parse_property(ps, e == 'P', &s);
        return ps->err ? NULL : set_node(ps, start, &s, EKB_RX_SET);
    case 'N':
        if (looking_at(ps, "{U+")) {
            ps->pos += 3;
            cp = read_number(ps, 16, 8, &n);
            if (!n || peek(ps, 0) != '}')
                return fail(ps), NULL;
            ps->pos++;
            return char_node(ps, start, cp, f);
        }
        memset(&s, 0, sizeof s);
        ekb_rx_set_all(&s);
        s.ascii[0] &= ~((uint64_t)1 << '\n');
        return set_node(ps, start, &s, EKB_RX_SET);
    case 'R':
        memset(&s, 0, sizeof s);
        set_range(&s, 10, 13);
        s.wide = EKB_RX_W_SPACE;
        s.example = 0x2028;
        return set_node(ps, start, &s, EKB_RX_MULTI);
    case 'X':
    case 'C':
        memset(&s, 0, sizeof s);
        ekb_rx_set_all(&s);
        return set_node(ps, start, &s, e == 'X' ? EKB_RX_MULTI : EKB_RX_SET);
    case 'b': case 'B': case 'A': case 'z': case 'Z': case 'G':
        return new_node(ps, EKB_RX_ASSERT, start);
    case 'K':
        return new_node(ps, EKB_RX_KEEP, start);
    case 'Q':
        return parse_quoted(ps, start, f);
    case 'E':
        return new_node(ps, EKB_RX_EMPTY, start);
    case 'g':
        if (peek(ps, 0) == '<' || peek(ps, 0) == '\'') {
            int term = peek(ps, 0) == '<' ? '>' : '\'';
            ps->pos++;
            if (!skip_name(ps, term))
                return fail(ps), NULL;
            return new_node(ps, EKB_RX_CALL, start);
        }
        if (peek(ps, 0) == '{') {
            ps->pos++;
            if (!skip_name(ps, '}'))
                return fail(ps), NULL;
        } else {
            if (peek(ps, 0) == '-' || peek(ps, 0) == '+')
                ps->pos++;
            read_number(ps, 10, 9, &n);
            if (!n)
                return fail(ps), NULL;
        }
        return new_node(ps, EKB_RX_BACKREF, start);
    case 'k':
        if (peek(ps, 0) != '<' && peek(ps, 0) != '\'' && peek(ps, 0) != '{')
            return fail(ps), NULL;
        {
            int open = ps->p[ps->pos++];
            if (!skip_name(ps, open == '<' ? '>' : open == '{' ? '}' : '\''))
                return fail(ps), NULL;
        }
        return new_node(ps, EKB_RX_BACKREF, start);
    default:
        break;
    }
    if (e >= '1' && e <= '9') {
        /* a back reference, unless it can only be octal (PCRE2's rule) */
        ps->pos--;
        size_t save = ps->pos;
        uint32_t num = read_number(ps, 10, 9, &n);
        if (num < 10 || e == '8' || e == '9' || num <= ps->groups)
            return new_node(ps, EKB_RX_BACKREF, start);
        ps->pos = save;
        cp = read_number(ps, 8, 3, &n);
        return char_node(ps, start, cp, f);
    }
    if (char_escape(ps, e, &cp))
        return ps->err ? NULL : char_node(ps, start, cp, f);
    if (ps->err)
        return NULL;
    if (is_alnum((unsigned)e))
        return fail(ps), NULL;
    return char_node(ps, start, (uint32_t)e, f);
}

/* --- groups --- */

static ekb_rx_node *parse_alt(parser *ps, flags *f);

/* Reads "(?flags)" or "(?flags:" letters; returns ')' or ':' (0 if not flags). */
static int parse_flag_letters(parser *ps, flags *f)
{
    bool on = true;
    for (;;) {
        int c = peek(ps, 0);
        switch (c) {
        case ')': case ':':
            ps->pos++;
            return c;
        case '-': on = false; break;
        case '^':
            f->caseless = f->extended = f->extended_more = f->dotall = f->no_capture = false;
            break;
        case 'i': f->caseless = on; break;
        case 's': f->dotall = on; break;
        case 'n': f->no_capture = on; break;
        case 'U': f->ungreedy = on; break;
        case 'x':
            if (peek(ps, 1) == 'x') {
                ps->pos++;
                f->extended_more = on;
            }
            f->extended = on;
            if (!on)
                f->extended_more = false;
            break;
        case 'm': case 'J': break;
        default:
            return 0;
        }
        ps->pos++;
    }
}

static ekb_rx_node *group_of(parser *ps, flags *f, ekb_rx_kind kind, size_t start)
{
    if (++ps->depth > MAX_DEPTH)
        return fail(ps), NULL;
    flags inner = *f;
    ekb_rx_node *body = parse_alt(ps, &inner);
    ps->depth--;
    if (!body)
        return NULL;
    if (peek(ps, 0) != ')')
        return fail(ps), NULL;
    ps->pos++;
    ekb_rx_node *n = node1(ps, kind, start, body);
    if (n)
        n->end = (uint32_t)ps->pos;
    return n;
}

static ekb_rx_node *look(parser *ps, flags *f, size_t start, bool behind, bool negated)
{
    ekb_rx_node *n = group_of(ps, f, EKB_RX_LOOK, start);
    if (n) {
        n->behind = behind;
        n->negated = negated;
    }
    return n;
}

/* (*NAME...) : verbs, start-of-pattern options and alpha assertions. */
static ekb_rx_node *parse_star(parser *ps, flags *f, size_t start)
{
    static const struct { const char *name; int kind; } alpha[] = {
        /* 0 lookahead, 1 negative lookahead, 2 lookbehind, 3 negative lookbehind,
         * 4 atomic group, 5 plain group */
        {"pla", 0}, {"positive_lookahead", 0}, {"napla", 0}, {"non_atomic_positive_lookahead", 0},
        {"nla", 1}, {"negative_lookahead", 1}, {"plb", 2}, {"positive_lookbehind", 2},
        {"naplb", 2}, {"non_atomic_positive_lookbehind", 2}, {"nlb", 3}, {"negative_lookbehind", 3},
        {"atomic", 4}, {"asr", 4}, {"atomic_script_run", 4}, {"sr", 5}, {"script_run", 5},
    };
    ps->pos += 2; /* "(*" */
    size_t ns = ps->pos;
    while (!at_end(ps) && (is_alnum(ps->p[ps->pos]) || ps->p[ps->pos] == '_'))
        ps->pos++;
    size_t nl = ps->pos - ns;
    if (peek(ps, 0) == ':')
        for (size_t i = 0; i < sizeof alpha / sizeof *alpha; i++)
            if (strlen(alpha[i].name) == nl && memcmp(alpha[i].name, ps->p + ns, nl) == 0) {
                ps->pos++;
                int k = alpha[i].kind;
                if (k <= 3)
                    return look(ps, f, start, k >= 2, k == 1 || k == 3);
                ekb_rx_node *g = group_of(ps, f, EKB_RX_GROUP, start);
                if (g)
                    g->atomic = k == 4;
                return g;
            }
    /* a verb: up to the closing parenthesis (a MARK name cannot hold one) */
    if (!skip_name(ps, ')'))
        return fail(ps), NULL;
    ekb_rx_node *n = new_node(ps, EKB_RX_VERB, start);
    if (!n)
        return NULL;
    static const char *const verbs[] = {"ACCEPT", "COMMIT", "F", "FAIL", "MARK", "PRUNE", "SKIP", "THEN", ""};
    n->verb = EKB_RX_VERB_OPTION; /* (*UTF), (*LIMIT_MATCH=...), (*CRLF), ... */
    for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
        if (strlen(verbs[i]) == nl && memcmp(verbs[i], ps->p + ns, nl) == 0)
            n->verb = i == 0 ? EKB_RX_VERB_ACCEPT : EKB_RX_VERB_OTHER;
    if (n->verb == EKB_RX_VERB_ACCEPT)
        ps->tree->has_accept = true;
    return n;
}

static ekb_rx_node *parse_callout(parser *ps, size_t start)
{
    ps->pos += 3; /* "(?C" */
    int c = peek(ps, 0);
    if (c >= 0 && strchr("`'\"^%#${", c)) {
        int close = c == '{' ? '}' : c;
        ps->pos++;
        for (;;) {
            if (at_end(ps))
                return fail(ps), NULL;
            if (ps->p[ps->pos] == close) {
                if (peek(ps, 1) == close) { /* doubled: a literal delimiter */
                    ps->pos += 2;
                    continue;
                }
                ps->pos++;
                break;
            }
            ps->pos++;
        }
    } else {
        int n;
        read_number(ps, 10, 4, &n);
    }
    if (peek(ps, 0) != ')')
        return fail(ps), NULL;
    ps->pos++;
    return new_node(ps, EKB_RX_CALLOUT, start);
}

static ekb_rx_node *parse_conditional(parser *ps, flags *f, size_t start)
{
    ps->pos += 2; /* "(?" ; now at the condition's '(' */
    nodelist l = {0};
    if (looking_at(ps, "(?=") || looking_at(ps, "(?!") || looking_at(ps, "(?<=") || looking_at(ps, "(?<!") ||
        looking_at(ps, "(*")) {
        size_t as = ps->pos;
        bool behind = ps->p[ps->pos + 2] == '<';
        bool neg = ps->p[ps->pos + 2 + behind] == '!';
        ekb_rx_node *a;
        if (ps->p[ps->pos + 1] == '*') {
            a = parse_star(ps, f, as);
        } else {
            ps->pos += 3 + behind;
            a = look(ps, f, as, behind, neg);
        }
        if (!a || a->kind != EKB_RX_LOOK || list_push(ps, &l, a) != 0) {
            free(l.v);
            return fail(ps), NULL;
        }
    } else {
        ps->pos++;
        if (!skip_name(ps, ')'))
            return fail(ps), NULL;
    }
    if (++ps->depth > MAX_DEPTH) {
        free(l.v);
        return fail(ps), NULL;
    }
    flags inner = *f;
    ekb_rx_node *body = parse_alt(ps, &inner);
    ps->depth--;
    if (!body || peek(ps, 0) != ')') {
        free(l.v);
        return fail(ps), NULL;
    }
    ps->pos++;
    /* the branches are the body's alternatives */
    ekb_rx_node **branch = body->kind == EKB_RX_ALT ? body->kids : &body;
    uint32_t n_branches = body->kind == EKB_RX_ALT ? body->n_kids : 1;
    for (uint32_t i = 0; i < n_branches; i++)
        if (list_push(ps, &l, branch[i]) != 0) {
            free(l.v);
            return NULL;
        }
    return list_node(ps, EKB_RX_COND, start, &l);
}

/* A named capture group, with pos at its name, which ends at term. */
static ekb_rx_node *named_group(parser *ps, flags *f, size_t start, int term)
{
    if (!skip_name(ps, term))
        return fail(ps), NULL;
    ps->groups++;
    ekb_rx_node *g = group_of(ps, f, EKB_RX_GROUP, start);
    if (g)
        g->capture = true;
    return g;
}

static ekb_rx_node *parse_group(parser *ps, flags *f)
{
    size_t start = ps->pos;
    if (peek(ps, 1) == '*')
        return parse_star(ps, f, start);
    if (peek(ps, 1) != '?') {
        ps->pos++;
        bool capture = !f->no_capture;
        if (capture)
            ps->groups++;
        ekb_rx_node *g = group_of(ps, f, EKB_RX_GROUP, start);
        if (g)
            g->capture = capture;
        return g;
    }
    int c = peek(ps, 2), c2 = peek(ps, 3);
    ekb_rx_node *g;
    switch (c) {
    case '#':
        if (!skip_name(ps, ')'))
            return fail(ps), NULL;
        return new_node(ps, EKB_RX_EMPTY, start);
    case ':': case '|':
        ps->pos += 3;
        return group_of(ps, f, EKB_RX_GROUP, start);
    case '>':
        ps->pos += 3;
        g = group_of(ps, f, EKB_RX_GROUP, start);
        if (g)
            g->atomic = true;
        return g;
    case '=': case '!':
        ps->pos += 3;
        return look(ps, f, start, false, c == '!');
    case '*':
        ps->pos += 3;
        return look(ps, f, start, false, false);
    case '<':
        if (c2 == '=' || c2 == '!') {
            ps->pos += 4;
            return look(ps, f, start, true, c2 == '!');
        }
        if (c2 == '*') {
            ps->pos += 4;
            return look(ps, f, start, true, false);
        }
        ps->pos += 3;
        return named_group(ps, f, start, '>');
    case '\'':
        ps->pos += 3;
        return named_group(ps, f, start, '\'');
    case 'P':
        if (c2 == '<') {
            ps->pos += 4;
            return named_group(ps, f, start, '>');
        }
        if (c2 == '=' || c2 == '>') {
            ps->pos += 4;
            if (!skip_name(ps, ')'))
                return fail(ps), NULL;
            return new_node(ps, c2 == '=' ? EKB_RX_BACKREF : EKB_RX_CALL, start);
        }
        return fail(ps), NULL;
    case '&': case 'R': case '+': case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        if (c == '-' && !(c2 >= '0' && c2 <= '9'))
            break; /* (?-i) */
        ps->pos += 3;
        if (!skip_name(ps, ')'))
            return fail(ps), NULL;
        return new_node(ps, EKB_RX_CALL, start);
    case 'C':
        return parse_callout(ps, start);
    case '(':
        return parse_conditional(ps, f, start);
    default:
        break;
    }
    /* option settings */
    ps->pos += 2;
    flags nf = *f;
    int end = parse_flag_letters(ps, &nf);
    if (end == ')') {
        *f = nf; /* to the end of the enclosing group */
        return new_node(ps, EKB_RX_FLAGS, start);
    }
    if (end == ':') {
        g = group_of(ps, &nf, EKB_RX_GROUP, start);
        if (g)
            g->scoped_flags = true;
        return g;
    }
    return fail(ps), NULL;
}

/* --- quantifiers, sequences, alternation --- */

/* Reads {m}, {m,} or {m,n} at pos; false (pos unchanged) when not one. */
static bool parse_braces(parser *ps, uint32_t *min, uint32_t *max)
{
    size_t save = ps->pos;
    ps->pos++;
    int n1, n2 = 0;
    uint32_t a = read_number(ps, 10, 6, &n1), b = a;
    if (n1 && peek(ps, 0) == ',') {
        ps->pos++;
        b = read_number(ps, 10, 6, &n2);
        if (!n2)
            b = EKB_RX_INF;
    }
    if (!n1 || peek(ps, 0) != '}') {
        ps->pos = save;
        return false;
    }
    ps->pos++;
    *min = a;
    *max = b;
    return true;
}

static ekb_rx_node *parse_quantifier(parser *ps, const flags *f, ekb_rx_node *atom)
{
    skip_extended(ps, f);
    int c = peek(ps, 0);
    uint32_t min, max;
    if (c == '*') {
        min = 0, max = EKB_RX_INF;
        ps->pos++;
    } else if (c == '+') {
        min = 1, max = EKB_RX_INF;
        ps->pos++;
    } else if (c == '?') {
        min = 0, max = 1;
        ps->pos++;
    } else if (c == '{' && parse_braces(ps, &min, &max)) {
        /* read */
    } else {
        return atom;
    }
    uint8_t greed = f->ungreedy ? EKB_RX_LAZY : EKB_RX_GREEDY;
    if (peek(ps, 0) == '+') {
        greed = EKB_RX_POSSESSIVE;
        ps->pos++;
    } else if (peek(ps, 0) == '?') {
        greed = f->ungreedy ? EKB_RX_GREEDY : EKB_RX_LAZY;
        ps->pos++;
    }
    ekb_rx_node *r = node1(ps, EKB_RX_REPEAT, atom->start, atom);
    if (!r)
        return NULL;
    r->min = min;
    r->max = max;
    r->greed = greed;
    r->end = (uint32_t)ps->pos;
    skip_extended(ps, f);
    c = peek(ps, 0);
    if (c == '*' || c == '+' || c == '?' || (c == '{' && parse_braces(ps, &min, &max)))
        return fail(ps), NULL; /* PCRE2 refuses a quantifier on a quantifier */
    return r;
}

static ekb_rx_node *parse_atom(parser *ps, flags *f)
{
    int c = ps->p[ps->pos];
    size_t start = ps->pos;
    ekb_rx_set s = {0};
    switch (c) {
    case '(':
        return parse_group(ps, f);
    case '[':
        return parse_class(ps, f);
    case '\\':
        return parse_escape(ps, f);
    case '.':
        ps->pos++;
        ekb_rx_set_all(&s);
        if (!f->dotall)
            s.ascii[0] &= ~((uint64_t)1 << '\n');
        return set_node(ps, start, &s, EKB_RX_SET);
    case '^': case '$':
        ps->pos++;
        return new_node(ps, EKB_RX_ASSERT, start);
    case '*': case '+': case '?':
        return fail(ps), NULL;
    case '{': {
        uint32_t a, b;
        if (parse_braces(ps, &a, &b))
            return fail(ps), NULL;
        ps->pos++;
        return char_node(ps, start, '{', f);
    }
    default:
        return char_node(ps, start, next_char(ps), f);
    }
}

/* A branch: items up to '|', ')' or the end. */
static ekb_rx_node *parse_concat(parser *ps, flags *f)
{
    size_t start = ps->pos;
    nodelist l = {0};
    for (;;) {
        skip_extended(ps, f);
        if (at_end(ps) || ps->p[ps->pos] == '|' || ps->p[ps->pos] == ')')
            break;
        ekb_rx_node *a = parse_atom(ps, f);
        /* a quantifier after \Q...\E applies to its last character */
        if (a && a->kind == EKB_RX_CONCAT && a->n_kids && ps->p[a->start] == '\\' && ps->p[a->start + 1] == 'Q') {
            for (uint32_t i = 0; i + 1 < a->n_kids; i++)
                if (list_push(ps, &l, a->kids[i]) != 0) {
                    free(l.v);
                    return NULL;
                }
            a = a->kids[a->n_kids - 1];
        }
        if (a)
            a = parse_quantifier(ps, f, a);
        if (!a || list_push(ps, &l, a) != 0) {
            free(l.v);
            return NULL;
        }
    }
    return list_join(ps, l.n ? EKB_RX_CONCAT : EKB_RX_EMPTY, start, &l);
}

static ekb_rx_node *parse_alt(parser *ps, flags *f)
{
    size_t start = ps->pos;
    nodelist l = {0};
    for (;;) {
        ekb_rx_node *b = parse_concat(ps, f);
        if (!b || list_push(ps, &l, b) != 0) {
            free(l.v);
            return NULL;
        }
        if (at_end(ps) || ps->p[ps->pos] != '|')
            break;
        ps->pos++;
    }
    return list_join(ps, EKB_RX_ALT, start, &l);
}

static void link_parents(ekb_rx_node *n)
{
    for (uint32_t i = 0; i < n->n_kids; i++) {
        n->kids[i]->parent = n;
        n->kids[i]->index = i;
        link_parents(n->kids[i]);
    }
}

int ekb_rx_parse(const char *pattern, size_t len, uint32_t options, ekb_rx_tree *out)
{
    memset(out, 0, sizeof *out);
    out->pattern = pattern;
    out->len = len;
    if (!(out->arena = calloc(1, sizeof *out->arena)))
        return -1;
    parser ps = {.p = (const unsigned char *)pattern, .len = len, .ucp = (options & PCRE2_UCP) != 0, .tree = out};
    flags f = {
        .caseless = (options & PCRE2_CASELESS) != 0,
        .extended = (options & (PCRE2_EXTENDED | PCRE2_EXTENDED_MORE)) != 0,
        .extended_more = (options & PCRE2_EXTENDED_MORE) != 0,
        .dotall = (options & PCRE2_DOTALL) != 0,
        .ungreedy = (options & PCRE2_UNGREEDY) != 0,
        .no_capture = (options & PCRE2_NO_AUTO_CAPTURE) != 0,
    };
    ekb_rx_node *root = NULL;
    if (options & PCRE2_LITERAL) {
        fail(&ps); /* not used by the corpus: the callers' safe answer will do */
    } else {
        root = parse_alt(&ps, &f);
        if (root && !at_end(&ps))
            fail(&ps); /* an unbalanced ')' */
    }
    if (ps.err || !root) {
        int r = ps.err < 0 ? -1 : 1;
        ekb_rx_tree_free(out);
        return r;
    }
    root->parent = NULL;
    link_parents(root);
    out->root = root;
    return 0;
}

int ekb_rx_walk(ekb_rx_node *n, ekb_rx_visit_fn fn, void *ctx)
{
    int r = fn(ctx, n);
    for (uint32_t i = 0; !r && i < n->n_kids; i++)
        r = ekb_rx_walk(n->kids[i], fn, ctx);
    return r;
}

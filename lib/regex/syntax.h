/* syntax.h: a parse tree of PCRE2 pattern syntax, shared by the prefilter,
 * the backtracking analysis and the portability notes (library-internal). */
#ifndef EKB_REGEX_SYNTAX_H
#define EKB_REGEX_SYNTAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EKB_RX_INF UINT32_MAX

/* The part of a set above U+007F, in coarse classes that are enough to tell
 * \s from \S or \d from \W. */
enum {
    EKB_RX_W_NONE,    /* no member above ASCII */
    EKB_RX_W_ANY,     /* some, not known which */
    EKB_RX_W_SPACE, EKB_RX_W_NSPACE, /* Unicode white space; all but it */
    EKB_RX_W_WORD, EKB_RX_W_NWORD,   /* Unicode letters, digits, marks; all but them */
    EKB_RX_W_DIGIT, EKB_RX_W_NDIGIT  /* Unicode decimal digits; all but them */
};

/* A set of characters: exact for ASCII, coarse above. Whatever builds a set
 * makes it a superset of what PCRE2 would match. */
typedef struct ekb_rx_set {
    uint64_t ascii[2];  /* bit c: ASCII character c is a member */
    uint8_t wide;       /* EKB_RX_W_*: the members above U+007F */
    uint32_t example;   /* a member above U+007F when one is known, else 0 */
} ekb_rx_set;

static inline bool ekb_rx_wide_meet(int a, int b)
{
    if (a == EKB_RX_W_NONE || b == EKB_RX_W_NONE)
        return false;
    if (a > b) {
        int t = a;
        a = b;
        b = t;
    }
    /* the pairs known to be disjoint, smaller tag first */
    return !((a == EKB_RX_W_SPACE && (b == EKB_RX_W_NSPACE || b == EKB_RX_W_WORD || b == EKB_RX_W_DIGIT)) ||
             (a == EKB_RX_W_WORD && b == EKB_RX_W_NWORD) || (a == EKB_RX_W_NWORD && b == EKB_RX_W_DIGIT) ||
             (a == EKB_RX_W_DIGIT && b == EKB_RX_W_NDIGIT));
}
static inline int ekb_rx_wide_union(int a, int b)
{
    return a == EKB_RX_W_NONE ? b : b == EKB_RX_W_NONE || a == b ? a : EKB_RX_W_ANY;
}
static inline int ekb_rx_wide_invert(int a)
{
    switch (a) {
    case EKB_RX_W_SPACE: return EKB_RX_W_NSPACE;
    case EKB_RX_W_NSPACE: return EKB_RX_W_SPACE;
    case EKB_RX_W_WORD: return EKB_RX_W_NWORD;
    case EKB_RX_W_NWORD: return EKB_RX_W_WORD;
    case EKB_RX_W_DIGIT: return EKB_RX_W_NDIGIT;
    case EKB_RX_W_NDIGIT: return EKB_RX_W_DIGIT;
    default: return EKB_RX_W_ANY; /* the complement of nothing, or of something unknown */
    }
}

static inline bool ekb_rx_set_has(const ekb_rx_set *s, unsigned c)
{
    return c < 128 && (s->ascii[c >> 6] >> (c & 63)) & 1;
}
static inline void ekb_rx_set_add(ekb_rx_set *s, unsigned c)
{
    if (c < 128)
        s->ascii[c >> 6] |= (uint64_t)1 << (c & 63);
}
static inline bool ekb_rx_set_meets(const ekb_rx_set *a, const ekb_rx_set *b)
{
    return (a->ascii[0] & b->ascii[0]) || (a->ascii[1] & b->ascii[1]) || ekb_rx_wide_meet(a->wide, b->wide);
}
static inline void ekb_rx_set_union(ekb_rx_set *a, const ekb_rx_set *b)
{
    a->ascii[0] |= b->ascii[0];
    a->ascii[1] |= b->ascii[1];
    a->wide = (uint8_t)ekb_rx_wide_union(a->wide, b->wide);
    if (!a->example)
        a->example = b->example;
}
/* Makes s every character (keeps s->example). */
static inline void ekb_rx_set_all(ekb_rx_set *s)
{
    s->ascii[0] = s->ascii[1] = ~(uint64_t)0;
    s->wide = EKB_RX_W_ANY;
}
static inline bool ekb_rx_set_empty(const ekb_rx_set *s)
{
    return !s->ascii[0] && !s->ascii[1] && !s->wide;
}

typedef enum ekb_rx_kind {
    EKB_RX_EMPTY,   /* matches "" (an empty group or branch) */
    EKB_RX_CHAR,    /* one literal character: cp, and set with case applied */
    EKB_RX_SET,     /* one character of a set: class, '.', \d, \p{..} */
    EKB_RX_MULTI,   /* \R or \X: one or more characters; set = first one */
    EKB_RX_ASSERT,  /* ^ $ \b \B \A \z \Z \G: zero width */
    EKB_RX_LOOK,    /* lookaround on kids[0]: behind, negated */
    EKB_RX_GROUP,   /* a group around kids[0]: capture, atomic */
    EKB_RX_CONCAT,  /* kids in order */
    EKB_RX_ALT,     /* kids are the branches */
    EKB_RX_REPEAT,  /* kids[0]{min,max}, greed */
    EKB_RX_BACKREF, /* \1, \k<name>: the text a group matched */
    EKB_RX_CALL,    /* (?R), (?1), (?&name): a group called as a subroutine */
    EKB_RX_COND,    /* (?(cond)yes|no): kids = the branches (and an assertion) */
    EKB_RX_KEEP,    /* \K */
    EKB_RX_CALLOUT, /* (?C...) */
    EKB_RX_VERB,    /* (*ACCEPT), (*SKIP), (*UTF), ... */
    EKB_RX_FLAGS    /* (?i) and the like, setting options for what follows */
} ekb_rx_kind;

enum { EKB_RX_GREEDY, EKB_RX_LAZY, EKB_RX_POSSESSIVE };

/* Verbs that matter to an analysis; the rest are EKB_RX_VERB_OTHER. */
enum { EKB_RX_VERB_OTHER, EKB_RX_VERB_ACCEPT, EKB_RX_VERB_OPTION };

typedef struct ekb_rx_node {
    ekb_rx_kind kind;
    uint32_t start, end;       /* byte span in the pattern */
    uint32_t cp;               /* CHAR: the code point */
    bool caseless;             /* CHAR, SET: caseless matching in force */
    ekb_rx_set set;            /* CHAR, SET, MULTI */
    uint32_t min, max;         /* REPEAT; max may be EKB_RX_INF */
    uint8_t greed;             /* REPEAT */
    uint8_t verb;              /* VERB */
    bool behind, negated;      /* LOOK */
    bool capture, atomic;      /* GROUP */
    bool scoped_flags;         /* GROUP: (?i:...) */
    struct ekb_rx_node *parent;
    uint32_t index;            /* position among the parent's kids */
    struct ekb_rx_node **kids;
    uint32_t n_kids;
} ekb_rx_node;

typedef struct ekb_rx_arena ekb_rx_arena;

typedef struct ekb_rx_tree {
    ekb_rx_node *root;
    const char *pattern;       /* borrowed */
    size_t len;
    size_t n_nodes;
    bool has_accept;           /* (*ACCEPT) somewhere: a match may stop early */
    ekb_rx_arena *arena;
} ekb_rx_tree;

/* Parses a pattern that PCRE2 compiled with the given options (PCRE2_UTF,
 * PCRE2_UCP, PCRE2_CASELESS, PCRE2_EXTENDED, PCRE2_DOTALL, ...). Returns 0,
 * 1 when the syntax is beyond this parser (the tree is then unusable and the
 * callers fall back to their conservative answer), -1 when out of memory. */
int ekb_rx_parse(const char *pattern, size_t len, uint32_t options, ekb_rx_tree *out);
void ekb_rx_tree_free(ekb_rx_tree *t);

/* Allocates n zeroed bytes that live as long as the tree; NULL when out of
 * memory. For analyses that build their own data about a tree. */
void *ekb_rx_alloc(ekb_rx_tree *t, size_t n);

/* Calls fn on every node, parents before children; stops when fn returns
 * nonzero and returns that value. */
typedef int (*ekb_rx_visit_fn)(void *ctx, ekb_rx_node *n);
int ekb_rx_walk(ekb_rx_node *n, ekb_rx_visit_fn fn, void *ctx);

#endif

/* portable.c: --portable: constructs of a PCRE2 pattern that RE2, Go's
 * regexp or Python's re reject (warnings) or read differently (notes). One
 * diagnostic per kind of construct, naming its first place. */
#include "check_private.h"

#include <string.h>

#include "quote.h"
#include "syntax.h"

typedef struct rule {
    const char *id;
    ekb_severity sev;
    const char *what;     /* the construct */
    const char *problem;  /* which engines object, and how */
} rule;

enum {
    R_BACKREF, R_LOOKAHEAD, R_LOOKBEHIND, R_LOOKBEHIND_VAR, R_POSSESSIVE, R_ATOMIC, R_KEEP, R_RECURSION,
    R_CONDITIONAL, R_VERB, R_FLAGS_MID, R_FLAGS_RE2, R_ESC_REJECT, R_ESC_PYTHON, R_ESC_Z, R_ESC_V, R_POSIX, N_RULES
};

static const rule rules[N_RULES] = {
    [R_BACKREF] = {"regex.portable-backreference", EKB_WARNING, "backreference", "RE2 and Go reject backreferences"},
    [R_LOOKAHEAD] = {"regex.portable-lookahead", EKB_WARNING, "lookahead", "RE2 and Go reject lookaround"},
    [R_LOOKBEHIND] = {"regex.portable-lookbehind", EKB_WARNING, "lookbehind", "RE2 and Go reject lookaround"},
    [R_LOOKBEHIND_VAR] = {"regex.portable-lookbehind", EKB_WARNING, "variable-width lookbehind",
                          "RE2 and Go reject lookaround, Python accepts only fixed-width lookbehind"},
    [R_POSSESSIVE] = {"regex.portable-possessive", EKB_WARNING, "possessive quantifier",
                      "RE2 and Go reject it, and so does Python before 3.11"},
    [R_ATOMIC] = {"regex.portable-atomic", EKB_WARNING, "atomic group",
                  "RE2 and Go reject it, and so does Python before 3.11"},
    [R_KEEP] = {"regex.portable-keep", EKB_WARNING, "\\K", "RE2, Go and Python reject it"},
    [R_RECURSION] = {"regex.portable-recursion", EKB_WARNING, "recursion or subroutine call",
                     "RE2, Go and Python reject it"},
    [R_CONDITIONAL] = {"regex.portable-conditional", EKB_WARNING, "conditional group",
                       "RE2 and Go reject it, Python accepts only a group number or name as the condition"},
    [R_VERB] = {"regex.portable-verb", EKB_WARNING, "backtracking verb or callout", "RE2, Go and Python reject it"},
    [R_FLAGS_MID] = {"regex.portable-inline-flags", EKB_WARNING, "inline flags after the start",
                     "Python 3.11 and later reject global flags that are not at the start of the pattern"},
    [R_FLAGS_RE2] = {"regex.portable-inline-flags", EKB_WARNING, "inline flag",
                     "RE2 and Go know only the flags i, m, s and U"},
    [R_ESC_REJECT] = {"regex.portable-escape", EKB_WARNING, "escape", "RE2, Go and Python reject it"},
    [R_ESC_PYTHON] = {"regex.portable-escape", EKB_NOTE, "escape", "Python's re rejects it"},
    [R_ESC_Z] = {"regex.portable-escape", EKB_NOTE, "escape",
                 "it also matches before a final newline in PCRE2, but not in Python; RE2 and Go reject it"},
    [R_ESC_V] = {"regex.portable-escape", EKB_NOTE, "escape",
                 "in RE2 and Go it is the vertical tab only, in PCRE2 any vertical space"},
    [R_POSIX] = {"regex.portable-escape", EKB_NOTE, "POSIX class", "Python reads it as a set of its letters"},
};

typedef struct seen {
    uint32_t start[N_RULES], end[N_RULES];
    size_t count[N_RULES];
    const ekb_rx_tree *t;
    uint32_t body; /* where the pattern proper starts (after leading option verbs) */
} seen;

static void note(seen *s, int r, const ekb_rx_node *n)
{
    if (s->count[r]++ == 0) {
        s->start[r] = n->start;
        s->end[r] = n->end;
    }
}

static bool fixed_width(const ekb_rx_node *n, uint32_t *w)
{
    switch (n->kind) {
    case EKB_RX_CHAR: case EKB_RX_SET:
        *w = 1;
        return true;
    case EKB_RX_GROUP:
        return fixed_width(n->kids[0], w);
    case EKB_RX_CONCAT: {
        uint32_t sum = 0;
        for (uint32_t i = 0; i < n->n_kids; i++) {
            uint32_t k;
            if (!fixed_width(n->kids[i], &k))
                return false;
            sum += k;
        }
        *w = sum;
        return true;
    }
    case EKB_RX_ALT: {
        uint32_t first = 0;
        for (uint32_t i = 0; i < n->n_kids; i++) {
            uint32_t k;
            if (!fixed_width(n->kids[i], &k) || (i && k != first))
                return false;
            first = k;
        }
        *w = first;
        return true;
    }
    case EKB_RX_REPEAT: {
        uint32_t k;
        if (n->min != n->max || !fixed_width(n->kids[0], &k))
            return false;
        *w = k * n->min;
        return true;
    }
    case EKB_RX_MULTI: case EKB_RX_BACKREF: case EKB_RX_CALL: case EKB_RX_COND:
        return false;
    default:
        *w = 0;
        return true;
    }
}

/* Escapes by the letter after the backslash. */
static void escape(seen *s, const ekb_rx_node *n)
{
    const char *p = s->t->pattern + n->start;
    if (n->end - n->start < 2 || p[0] != '\\')
        return;
    switch (p[1]) {
    case 'h': case 'H': case 'R': case 'X': case 'C': case 'G': case 'e':
        note(s, R_ESC_REJECT, n);
        return;
    case 'N':
        note(s, n->end - n->start > 2 ? R_ESC_PYTHON : R_ESC_REJECT, n);
        return;
    case 'Z':
        note(s, R_ESC_Z, n);
        return;
    case 'v': case 'V':
        note(s, R_ESC_V, n);
        return;
    case 'z': case 'Q': case 'p': case 'P': case 'o': case 'c':
        note(s, R_ESC_PYTHON, n);
        return;
    case 'x':
        if (p[2] == '{')
            note(s, R_ESC_PYTHON, n);
        return;
    default:
        return;
    }
}

static bool has_posix_class(const char *p, size_t n)
{
    for (size_t i = 1; i + 1 < n; i++)
        if (p[i] == '[' && p[i + 1] == ':' && p[i - 1] != '\\')
            return true;
    return false;
}

static bool re2_flags_only(const char *p, size_t n)
{
    for (size_t i = 2; i < n && p[i] != ':' && p[i] != ')'; i++)
        if (!strchr("imsU-", p[i]))
            return false;
    return true;
}

static int visit(void *ctx, ekb_rx_node *n)
{
    seen *s = ctx;
    const char *p = s->t->pattern + n->start;
    size_t len = n->end - n->start;
    uint32_t w;
    switch (n->kind) {
    case EKB_RX_BACKREF: note(s, R_BACKREF, n); break;
    case EKB_RX_LOOK:
        note(s, !n->behind ? R_LOOKAHEAD : fixed_width(n->kids[0], &w) ? R_LOOKBEHIND : R_LOOKBEHIND_VAR, n);
        break;
    case EKB_RX_REPEAT:
        if (n->greed == EKB_RX_POSSESSIVE)
            note(s, R_POSSESSIVE, n);
        break;
    case EKB_RX_GROUP:
        if (n->atomic)
            note(s, R_ATOMIC, n);
        if (n->scoped_flags && !re2_flags_only(p, len))
            note(s, R_FLAGS_RE2, n);
        break;
    case EKB_RX_KEEP: note(s, R_KEEP, n); break;
    case EKB_RX_CALL: note(s, R_RECURSION, n); break;
    case EKB_RX_COND: note(s, R_CONDITIONAL, n); break;
    case EKB_RX_CALLOUT: note(s, R_VERB, n); break;
    case EKB_RX_VERB:
        if (n->verb != EKB_RX_VERB_OPTION || n->start >= s->body)
            note(s, R_VERB, n);
        break;
    case EKB_RX_FLAGS:
        if (n->start > s->body)
            note(s, R_FLAGS_MID, n);
        if (!re2_flags_only(p, len))
            note(s, R_FLAGS_RE2, n);
        break;
    case EKB_RX_SET:
        if (p[0] == '[' && has_posix_class(p, len))
            note(s, R_POSIX, n);
        else
            escape(s, n);
        break;
    case EKB_RX_CHAR: case EKB_RX_ASSERT: case EKB_RX_MULTI:
        escape(s, n);
        break;
    case EKB_RX_CONCAT: case EKB_RX_EMPTY: /* \Q...\E; other sequences start with their first item */
        if (len >= 2 && p[0] == '\\' && p[1] == 'Q')
            escape(s, n);
        break;
    default:
        break;
    }
    return 0;
}

int ekb_rx_portability(const ekb_regex_corpus *rc, const ekb_rx_entry *e, ekb_diags *d)
{
    ekb_rx_tree t;
    int r = ekb_rx_parse(e->pattern, e->plen, rc->ro.options, &t);
    if (r != 0)
        return r < 0 ? -1 : 0;
    seen s = {.t = &t};
    /* leading (*UTF) and the like set options; the pattern proper follows */
    const ekb_rx_node *root = t.root;
    uint32_t i = 0;
    if (root->kind == EKB_RX_CONCAT)
        while (i < root->n_kids && root->kids[i]->kind == EKB_RX_VERB && root->kids[i]->verb == EKB_RX_VERB_OPTION)
            s.body = root->kids[i++]->end;
    else if (root->kind == EKB_RX_VERB && root->verb == EKB_RX_VERB_OPTION)
        s.body = root->end;
    ekb_rx_walk(t.root, visit, &s);
    for (int k = 0; k < N_RULES && r == 0; k++) {
        if (!s.count[k])
            continue;
        char *span = ekb_rx_quoted(e->pattern + s.start[k], s.end[k] - s.start[k], 40);
        char more[48] = "";
        if (s.count[k] > 1)
            snprintf(more, sizeof more, " (and %zu more)", s.count[k] - 1);
        r = !span ? -1
                  : ekb_doc_report(d, e->f->doc, e->id, "/regex", false, rules[k].sev, rules[k].id,
                                   "%s %s at offset %u%s: %s", rules[k].what, span, s.start[k], more,
                                   rules[k].problem);
        free(span);
    }
    ekb_rx_tree_free(&t);
    return r;
}

/* prefilter.c: the pattern analysis (parse tree → AND/OR tree of required
 * atoms, after RE2's prefilter) and the prefilter's serialisable data. */
#include "prefilter_private.h"

#include <stdlib.h>
#include <string.h>

#include "syntax.h"
#include "util.h"

/* An exact set may hold this many strings before it becomes a requirement. */
#define MAX_EXACT 16
/* A class of up to this many characters counts as a set of strings. */
#define MAX_CLASS 4

/* --- the analysis --- */

enum { M_ALL, M_ATOM, M_AND, M_OR };

/* A requirement: M_ALL (none), an atom, or AND/OR of requirements. */
typedef struct mnode {
    int op;
    const char *s;
    uint32_t len;
    struct mnode **kids;
    uint32_t n;
} mnode;

/* What a node matches: exactly one of a small set of strings, or some text
 * meeting a requirement. */
typedef struct strset {
    uint32_t n;
    const char **s;
    uint32_t *len;
} strset;

typedef struct info {
    bool exact;
    strset set;
    mnode *m;
} info;

typedef struct ana {
    ekb_rx_tree *t;
    bool oom;
    mnode all;
} ana;

static void *alloc(ana *a, size_t n)
{
    void *p = ekb_rx_alloc(a->t, n ? n : 1);
    if (!p)
        a->oom = true;
    return p;
}

/* The folded (lower-case ASCII) byte for a code point, -1 when none. */
static int fold(uint32_t cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return (int)cp + 32;
    if (cp < 128)
        return (int)cp;
    if (cp == 0x17F)
        return 's';
    if (cp == 0x212A)
        return 'k';
    return -1;
}

static info info_all(ana *a)
{
    return (info){.exact = false, .m = &a->all};
}

static bool set_alloc(ana *a, strset *s, uint32_t n)
{
    s->n = 0;
    s->s = alloc(a, n * sizeof *s->s);
    s->len = alloc(a, n * sizeof *s->len);
    return s->s && s->len;
}

static void set_put(strset *s, const char *p, uint32_t len)
{
    for (uint32_t i = 0; i < s->n; i++)
        if (s->len[i] == len && memcmp(s->s[i], p, len) == 0)
            return;
    s->s[s->n] = p;
    s->len[s->n++] = len;
}

static info info_exact1(ana *a, const char *p, uint32_t len)
{
    info r = {.exact = true};
    char *copy = alloc(a, len);
    if (!copy || !set_alloc(a, &r.set, 1))
        return info_all(a);
    memcpy(copy, p, len);
    set_put(&r.set, copy, len);
    return r;
}

static info info_empty(ana *a) { return info_exact1(a, "", 0); }

static strset cross(ana *a, const strset *x, const strset *y)
{
    strset r;
    if (!set_alloc(a, &r, x->n * y->n))
        return (strset){0};
    for (uint32_t i = 0; i < x->n; i++)
        for (uint32_t j = 0; j < y->n; j++) {
            uint32_t len = x->len[i] + y->len[j];
            char *p = alloc(a, len);
            if (!p)
                return (strset){0};
            memcpy(p, x->s[i], x->len[i]);
            memcpy(p + x->len[i], y->s[j], y->len[j]);
            set_put(&r, p, len);
        }
    return r;
}

static mnode *mk(ana *a, int op, uint32_t n)
{
    mnode *m = alloc(a, sizeof *m);
    if (!m)
        return &a->all;
    m->op = op;
    if (n && !(m->kids = alloc(a, n * sizeof *m->kids)))
        return &a->all;
    return m;
}

static bool contains(const char *hay, uint32_t hl, const char *needle, uint32_t nl)
{
    if (nl > hl)
        return false;
    for (uint32_t i = 0; i + nl <= hl; i++)
        if (memcmp(hay + i, needle, nl) == 0)
            return true;
    return false;
}

/* An exact set as a requirement: OR of its strings, leaving out any that
 * contains another (finding the shorter one suffices), ALL when "" is in. */
static mnode *to_match(ana *a, const info *x)
{
    if (!x->exact)
        return x->m;
    const strset *s = &x->set;
    for (uint32_t i = 0; i < s->n; i++)
        if (s->len[i] == 0)
            return &a->all;
    mnode *m = mk(a, M_OR, s->n);
    if (m == &a->all)
        return m;
    for (uint32_t i = 0; i < s->n; i++) {
        bool redundant = false;
        for (uint32_t j = 0; j < s->n && !redundant; j++)
            if (j != i && contains(s->s[i], s->len[i], s->s[j], s->len[j]) &&
                (s->len[j] < s->len[i] || j < i))
                redundant = true;
        if (redundant)
            continue;
        mnode *atom = mk(a, M_ATOM, 0);
        if (atom == &a->all)
            return atom;
        atom->s = s->s[i];
        atom->len = s->len[i] > EKB_PF_MAX_ATOM ? EKB_PF_MAX_ATOM : s->len[i];
        m->kids[m->n++] = atom;
    }
    return m->n == 1 ? m->kids[0] : m;
}

/* AND or OR of two requirements, flattening and applying ALL's rules. */
static mnode *combine(ana *a, int op, mnode *x, mnode *y)
{
    if (x->op == M_ALL)
        return op == M_AND ? y : x;
    if (y->op == M_ALL)
        return op == M_AND ? x : y;
    uint32_t nx = x->op == op ? x->n : 1, ny = y->op == op ? y->n : 1;
    mnode *m = mk(a, op, nx + ny);
    if (m == &a->all)
        return m;
    mnode *parts[2] = {x, y};
    for (int k = 0; k < 2; k++) {
        if (parts[k]->op == op)
            for (uint32_t i = 0; i < parts[k]->n; i++)
                m->kids[m->n++] = parts[k]->kids[i];
        else
            m->kids[m->n++] = parts[k];
    }
    return m;
}

static info analyze(ana *a, const ekb_rx_node *n);

static info analyze_set(ana *a, const ekb_rx_node *n)
{
    if (n->set.wide)
        return info_all(a);
    char members[MAX_CLASS];
    uint32_t count = 0;
    for (unsigned c = 0; c < 128; c++) {
        if (!ekb_rx_set_has(&n->set, c) || (c >= 'A' && c <= 'Z' && ekb_rx_set_has(&n->set, c + 32)))
            continue;
        char f = (char)fold(c);
        bool dup = false;
        for (uint32_t i = 0; i < count; i++)
            dup |= members[i] == f;
        if (dup)
            continue;
        if (count == MAX_CLASS)
            return info_all(a);
        members[count++] = f;
    }
    if (count == 0)
        return info_all(a); /* an empty class never matches; ALL is still safe */
    info r = {.exact = true};
    if (!set_alloc(a, &r.set, count))
        return info_all(a);
    for (uint32_t i = 0; i < count; i++) {
        char *p = alloc(a, 1);
        if (!p)
            return info_all(a);
        *p = members[i];
        set_put(&r.set, p, 1);
    }
    return r;
}

/* Concatenation: exact sets multiply while they stay small; a run of
 * literal characters becomes one string without copying per character. */
static info analyze_concat(ana *a, const ekb_rx_node *n)
{
    info pend = info_empty(a);
    mnode *req = &a->all;
    bool split = false;
    ekb_strbuf run;
    ekb_strbuf_init(&run);
    for (uint32_t i = 0; i <= n->n_kids && !a->oom; i++) {
        const ekb_rx_node *k = i < n->n_kids ? n->kids[i] : NULL;
        if (k && k->kind == EKB_RX_CHAR && fold(k->cp) >= 0) {
            ekb_strbuf_addc(&run, (char)fold(k->cp));
            continue;
        }
        info x;
        if (run.len) {
            /* the run is one piece; k is handled on the next turn */
            x = info_exact1(a, run.s, (uint32_t)run.len);
            ekb_strbuf_reset(&run);
            i--;
        } else if (k) {
            x = analyze(a, k);
        } else {
            break;
        }
        if (x.exact && x.set.n == 1 && x.set.len[0] == 0)
            continue;
        if (x.exact && pend.exact && pend.set.n * x.set.n <= MAX_EXACT) {
            pend.set = cross(a, &pend.set, &x.set);
            continue;
        }
        split = true;
        req = combine(a, M_AND, req, to_match(a, &pend));
        if (x.exact) {
            pend = x;
        } else {
            req = combine(a, M_AND, req, x.m);
            pend = info_empty(a);
        }
    }
    if (ekb_strbuf_failed(&run))
        a->oom = true;
    ekb_strbuf_free(&run);
    if (a->oom)
        return info_all(a);
    if (!split)
        return pend;
    return (info){.exact = false, .m = combine(a, M_AND, req, to_match(a, &pend))};
}

static info analyze_alt(ana *a, const ekb_rx_node *n)
{
    info *kids = alloc(a, n->n_kids * sizeof *kids);
    if (!kids)
        return info_all(a);
    uint32_t total = 0;
    bool exact = true;
    for (uint32_t i = 0; i < n->n_kids; i++) {
        kids[i] = analyze(a, n->kids[i]);
        exact &= kids[i].exact;
        if (kids[i].exact)
            total += kids[i].set.n;
    }
    if (exact && total <= MAX_EXACT) {
        info r = {.exact = true};
        if (!set_alloc(a, &r.set, total))
            return info_all(a);
        for (uint32_t i = 0; i < n->n_kids; i++)
            for (uint32_t j = 0; j < kids[i].set.n; j++)
                set_put(&r.set, kids[i].set.s[j], kids[i].set.len[j]);
        return r;
    }
    mnode *m = to_match(a, &kids[0]);
    for (uint32_t i = 1; i < n->n_kids; i++)
        m = combine(a, M_OR, m, to_match(a, &kids[i]));
    return (info){.exact = false, .m = m};
}

static info analyze_repeat(ana *a, const ekb_rx_node *n)
{
    if (n->max == 0)
        return info_empty(a);
    info c = analyze(a, n->kids[0]);
    if (n->min == 0) {
        if (n->max == 1 && c.exact && c.set.n + 1 <= MAX_EXACT) {
            info r = {.exact = true};
            if (!set_alloc(a, &r.set, c.set.n + 1))
                return info_all(a);
            for (uint32_t i = 0; i < c.set.n; i++)
                set_put(&r.set, c.set.s[i], c.set.len[i]);
            set_put(&r.set, "", 0);
            return r;
        }
        return info_all(a);
    }
    if (!c.exact)
        return c;
    /* k copies in a row, for the largest k <= min that keeps the set small */
    info r = c;
    uint32_t k = 1;
    while (k < n->min && k < 8 && r.set.n * c.set.n <= MAX_EXACT) {
        r.set = cross(a, &r.set, &c.set);
        k++;
    }
    if (a->oom)
        return info_all(a);
    if (k == n->min && n->max == n->min)
        return r;
    return (info){.exact = false, .m = to_match(a, &r)};
}

static info analyze(ana *a, const ekb_rx_node *n)
{
    if (a->oom)
        return info_all(a);
    switch (n->kind) {
    case EKB_RX_EMPTY: case EKB_RX_ASSERT: case EKB_RX_LOOK: case EKB_RX_KEEP:
    case EKB_RX_CALLOUT: case EKB_RX_VERB: case EKB_RX_FLAGS:
        return info_empty(a);
    case EKB_RX_CHAR: {
        int f = fold(n->cp);
        if (f < 0)
            return info_all(a);
        char c = (char)f;
        return info_exact1(a, &c, 1);
    }
    case EKB_RX_SET:
        return analyze_set(a, n);
    case EKB_RX_GROUP:
        return analyze(a, n->kids[0]);
    case EKB_RX_CONCAT:
        return analyze_concat(a, n);
    case EKB_RX_ALT:
        return analyze_alt(a, n);
    case EKB_RX_REPEAT:
        return analyze_repeat(a, n);
    default: /* MULTI, BACKREF, CALL, COND */
        return info_all(a);
    }
}

/* Drops atoms shorter than min: AND forgets them, OR becomes ALL. */
static mnode *prune(ana *a, mnode *m, size_t min)
{
    if (m->op == M_ATOM)
        return m->len < min ? &a->all : m;
    if (m->op == M_ALL)
        return m;
    mnode *r = mk(a, m->op, m->n);
    if (r == &a->all)
        return r;
    for (uint32_t i = 0; i < m->n; i++) {
        mnode *k = prune(a, m->kids[i], min);
        if (k->op == M_ALL) {
            if (m->op == M_OR)
                return &a->all;
            continue;
        }
        bool dup = false;
        for (uint32_t j = 0; j < r->n && !dup; j++)
            dup = k->op == M_ATOM && r->kids[j]->op == M_ATOM && k->len == r->kids[j]->len &&
                  memcmp(k->s, r->kids[j]->s, k->len) == 0;
        if (!dup)
            r->kids[r->n++] = k;
    }
    if (r->n == 0)
        return &a->all;
    return r->n == 1 ? r->kids[0] : r;
}

/* --- the data: atoms, programs --- */

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static const char *atom_at(const ekb_prefilter *pf, size_t i, size_t *len)
{
    *len = pf->atom_off[i + 1] - pf->atom_off[i];
    return pf->pool + pf->atom_off[i];
}

static uint32_t atom_hash(const void *ctx, size_t i)
{
    size_t len;
    const char *s = atom_at(ctx, i, &len);
    return hash_bytes(s, len);
}

static int rehash(ekb_prefilter *pf)
{
    size_t cap = pf->hash_cap ? pf->hash_cap * 2 : 256;
    uint32_t *h = ekb_slots_make(cap, pf->n_atoms, atom_hash, pf);
    if (!h)
        return -1;
    free(pf->hash);
    pf->hash = h;
    pf->hash_cap = cap;
    return 0;
}

/* The index of atom s, added when new; EKB_PF_NONE when out of memory. */
static uint32_t intern(ekb_prefilter *pf, const char *s, size_t len)
{
    if ((pf->n_atoms + 1) * 2 > pf->hash_cap && rehash(pf) != 0)
        return EKB_PF_NONE;
    size_t at = hash_bytes(s, len) & (pf->hash_cap - 1);
    while (pf->hash[at]) {
        size_t l;
        const char *t = atom_at(pf, pf->hash[at] - 1, &l);
        if (l == len && memcmp(t, s, len) == 0)
            return pf->hash[at] - 1;
        at = (at + 1) & (pf->hash_cap - 1);
    }
    /* at least one byte: memcpy below wants a buffer even for an empty atom */
    size_t need = pf->pool_len + len ? pf->pool_len + len : 1;
    if (ekb_grow_to(&pf->pool, &pf->pool_cap, need, 1, 4096) != 0)
        return EKB_PF_NONE;
    /* atom_off has one slot more than there are atoms: the end of the last */
    if (ekb_grow(&pf->atom_off, &pf->atom_cap, pf->n_atoms + 1, sizeof *pf->atom_off, 256) != 0)
        return EKB_PF_NONE;
    memcpy(pf->pool + pf->pool_len, s, len);
    pf->pool_len += len;
    pf->atom_off[pf->n_atoms + 1] = (uint32_t)pf->pool_len;
    pf->hash[at] = (uint32_t)++pf->n_atoms;
    return (uint32_t)pf->n_atoms - 1;
}

static int push_step(ekb_prefilter *pf, uint32_t op, uint32_t arg)
{
    if (ekb_grow(&pf->steps, &pf->step_cap, pf->n_steps, sizeof *pf->steps, 1024) != 0)
        return -1;
    pf->steps[pf->n_steps++] = (ekb_pf_step){op, arg};
    return 0;
}

static int emit(ekb_prefilter *pf, const mnode *m)
{
    if (m->op == M_ATOM) {
        uint32_t id = intern(pf, m->s, m->len);
        return id == EKB_PF_NONE ? -1 : push_step(pf, EKB_PF_ATOM, id);
    }
    for (uint32_t i = 0; i < m->n; i++)
        if (emit(pf, m->kids[i]) != 0)
            return -1;
    return push_step(pf, m->op == M_AND ? EKB_PF_AND : EKB_PF_OR, m->n);
}

/* Starts the next pattern's program; its steps follow. */
static int begin_pattern(ekb_prefilter *pf, uint32_t *id)
{
    /* two slots per pattern: where its program begins and ends */
    if (ekb_grow(&pf->prog, &pf->pat_cap, pf->n_patterns, 2 * sizeof *pf->prog, 256) != 0)
        return -1;
    ekb_pf_index_free(pf->index);
    pf->index = NULL;
    pf->prog[2 * pf->n_patterns] = pf->prog[2 * pf->n_patterns + 1] = (uint32_t)pf->n_steps;
    *id = (uint32_t)pf->n_patterns++;
    return 0;
}

static void end_pattern(ekb_prefilter *pf, uint32_t id)
{
    pf->prog[2 * id + 1] = (uint32_t)pf->n_steps;
}

ekb_prefilter *ekb_prefilter_new(size_t min_atom_len)
{
    ekb_prefilter *pf = calloc(1, sizeof *pf);
    if (!pf)
        return NULL;
    pf->min_atom = min_atom_len ? min_atom_len : EKB_PF_MIN_ATOM;
    if (!(pf->atom_off = calloc(256, sizeof *pf->atom_off))) {
        free(pf);
        return NULL;
    }
    pf->atom_cap = 256;
    return pf;
}

void ekb_prefilter_free(ekb_prefilter *pf)
{
    if (!pf)
        return;
    ekb_pf_index_free(pf->index);
    free(pf->pool);
    free(pf->atom_off);
    free(pf->hash);
    free(pf->steps);
    free(pf->prog);
    free(pf);
}

int ekb_prefilter_add_parsed(ekb_prefilter *pf, ekb_rx_tree *t, uint32_t *id)
{
    if (begin_pattern(pf, id) != 0)
        return -1;
    if (!t || t->has_accept)
        return 0; /* beyond the parser, or (*ACCEPT) may end a match early: always run */
    ana a = {.t = t, .all = {.op = M_ALL}};
    info top = analyze(&a, t->root);
    mnode *m = a.oom ? &a.all : prune(&a, to_match(&a, &top), pf->min_atom);
    int rc = a.oom ? -1 : 0;
    if (rc == 0 && m->op != M_ALL) {
        size_t mark = pf->n_steps;
        if (emit(pf, m) != 0) {
            pf->n_steps = mark;
            rc = -1;
        }
    }
    end_pattern(pf, *id);
    return rc;
}

int ekb_prefilter_add(ekb_prefilter *pf, const char *pattern, size_t len, uint32_t options, uint32_t *id)
{
    ekb_rx_tree t;
    int r = ekb_rx_parse(pattern, len, options, &t);
    if (r < 0)
        return -1;
    int rc = ekb_prefilter_add_parsed(pf, r == 0 ? &t : NULL, id);
    ekb_rx_tree_free(&t);
    return rc;
}

int ekb_prefilter_add_program(ekb_prefilter *pf, const ekb_pf_step *steps, size_t n_steps,
                              const char *const *atom, const size_t *atom_len, uint32_t *id)
{
    /* check the shape first: operands never run out, one value remains */
    size_t depth = 0;
    for (size_t i = 0; i < n_steps; i++) {
        if (steps[i].op == EKB_PF_ATOM)
            depth++;
        else if ((steps[i].op == EKB_PF_AND || steps[i].op == EKB_PF_OR) && steps[i].arg >= 1 &&
                 steps[i].arg <= depth)
            depth -= steps[i].arg - 1;
        else
            return 1;
    }
    if (n_steps && depth != 1)
        return 1;
    if (begin_pattern(pf, id) != 0)
        return -1;
    for (size_t i = 0; i < n_steps; i++) {
        uint32_t arg = steps[i].arg;
        if (steps[i].op == EKB_PF_ATOM) {
            size_t l = atom_len[arg] > EKB_PF_MAX_ATOM ? EKB_PF_MAX_ATOM : atom_len[arg];
            if ((arg = intern(pf, atom[arg], l)) == EKB_PF_NONE)
                return -1;
        }
        if (push_step(pf, steps[i].op, arg) != 0)
            return -1;
    }
    end_pattern(pf, *id);
    return 0;
}

size_t ekb_prefilter_min_atom(const ekb_prefilter *pf) { return pf->min_atom; }
size_t ekb_prefilter_patterns(const ekb_prefilter *pf) { return pf->n_patterns; }
size_t ekb_prefilter_atoms(const ekb_prefilter *pf) { return pf->n_atoms; }

const char *ekb_prefilter_atom(const ekb_prefilter *pf, size_t atom, size_t *len)
{
    return atom_at(pf, atom, len);
}

const ekb_pf_step *ekb_prefilter_program(const ekb_prefilter *pf, uint32_t id, size_t *n_steps)
{
    *n_steps = pf->prog[2 * id + 1] - pf->prog[2 * id];
    return pf->steps + pf->prog[2 * id];
}

bool ekb_prefilter_unfiltered(const ekb_prefilter *pf, uint32_t id)
{
    return pf->prog[2 * id + 1] == pf->prog[2 * id];
}

char *ekb_prefilter_describe(const ekb_prefilter *pf, uint32_t id)
{
    size_t n;
    const ekb_pf_step *s = ekb_prefilter_program(pf, id, &n);
    if (n == 0)
        return strdup("ALL");
    /* postfix → infix with a stack of strings */
    char **stack = calloc(n, sizeof *stack);
    if (!stack)
        return NULL;
    size_t top = 0;
    bool oom = false;
    for (size_t i = 0; i < n && !oom; i++) {
        ekb_strbuf sb;
        ekb_strbuf_init(&sb);
        if (s[i].op == EKB_PF_ATOM) {
            size_t len;
            const char *p = atom_at(pf, s[i].arg, &len);
            ekb_strbuf_addc(&sb, '\'');
            for (size_t j = 0; j < len; j++) {
                unsigned char c = (unsigned char)p[j];
                if (c < 32 || c == '\'' || c == '\\' || c == 127)
                    ekb_strbuf_addf(&sb, "\\x%02x", c);
                else
                    ekb_strbuf_addc(&sb, (char)c);
            }
            ekb_strbuf_addc(&sb, '\'');
        } else {
            ekb_strbuf_adds(&sb, s[i].op == EKB_PF_AND ? "AND(" : "OR(");
            size_t first = top - s[i].arg;
            for (size_t j = first; j < top; j++) {
                ekb_strbuf_adds(&sb, j > first ? ", " : "");
                ekb_strbuf_adds(&sb, stack[j]);
                free(stack[j]);
            }
            top = first;
            ekb_strbuf_addc(&sb, ')');
        }
        stack[top] = ekb_strbuf_steal(&sb);
        oom = !stack[top++];
    }
    char *r = oom ? NULL : stack[0];
    for (size_t i = oom ? 0 : 1; i < top; i++)
        free(stack[i]);
    free(stack);
    return r;
}

/* backtrack.c: finding backtracking sites in a parse tree, building
 * adversarial inputs from them, and measuring the work PCRE2 spends. */
#include "backtrack.h"

#include <stdlib.h>
#include <string.h>

#include "quote.h"
#include "syntax.h"
#include "util.h"

#define MAX_SITES 8
/* A bounded repeat with at least this maximum counts as unbounded: it can
 * cover the whole of our shortest input. */
#define LONG_REPEAT EKB_BT_MIN_LENGTH
#define MAX_WITNESS 4096

/* --- properties of subtrees --- */

static bool zero_width(const ekb_rx_node *n)
{
    switch (n->kind) {
    case EKB_RX_EMPTY: case EKB_RX_ASSERT: case EKB_RX_LOOK: case EKB_RX_KEEP:
    case EKB_RX_CALLOUT: case EKB_RX_VERB: case EKB_RX_FLAGS:
        return true;
    default:
        return false;
    }
}

static bool nullable(const ekb_rx_node *n)
{
    if (zero_width(n))
        return true;
    switch (n->kind) {
    case EKB_RX_CHAR: case EKB_RX_SET: case EKB_RX_MULTI:
        return false;
    case EKB_RX_GROUP:
        return nullable(n->kids[0]);
    case EKB_RX_CONCAT:
        for (uint32_t i = 0; i < n->n_kids; i++)
            if (!nullable(n->kids[i]))
                return false;
        return true;
    case EKB_RX_ALT:
        for (uint32_t i = 0; i < n->n_kids; i++)
            if (nullable(n->kids[i]))
                return true;
        return false;
    case EKB_RX_REPEAT:
        return n->min == 0 || nullable(n->kids[0]);
    default: /* BACKREF, CALL, COND: may be empty */
        return true;
    }
}

/* Characters that can begin (last: end) a non-empty match of n. */
static void edge_set(const ekb_rx_node *n, bool last, ekb_rx_set *out)
{
    switch (n->kind) {
    case EKB_RX_CHAR: case EKB_RX_SET: case EKB_RX_MULTI:
        ekb_rx_set_union(out, &n->set);
        return;
    case EKB_RX_GROUP:
        edge_set(n->kids[0], last, out);
        return;
    case EKB_RX_REPEAT:
        if (n->max)
            edge_set(n->kids[0], last, out);
        return;
    case EKB_RX_ALT:
        for (uint32_t i = 0; i < n->n_kids; i++)
            edge_set(n->kids[i], last, out);
        return;
    case EKB_RX_CONCAT:
        for (uint32_t k = 0; k < n->n_kids; k++) {
            const ekb_rx_node *kid = n->kids[last ? n->n_kids - 1 - k : k];
            edge_set(kid, last, out);
            if (!nullable(kid))
                return;
        }
        return;
    case EKB_RX_BACKREF: case EKB_RX_CALL: case EKB_RX_COND:
        ekb_rx_set_all(out);
        return;
    default:
        return;
    }
}

/* Every character n can consume. */
static void chars_of(const ekb_rx_node *n, ekb_rx_set *out)
{
    switch (n->kind) {
    case EKB_RX_CHAR: case EKB_RX_SET: case EKB_RX_MULTI:
        ekb_rx_set_union(out, &n->set);
        return;
    case EKB_RX_LOOK:
        return;
    case EKB_RX_BACKREF: case EKB_RX_CALL:
        ekb_rx_set_all(out);
        return;
    default:
        for (uint32_t i = 0; i < n->n_kids; i++)
            if (!(n->kind == EKB_RX_REPEAT && n->max == 0))
                chars_of(n->kids[i], out);
    }
}

static ekb_rx_set meet(const ekb_rx_set *a, const ekb_rx_set *b)
{
    ekb_rx_set r = {{a->ascii[0] & b->ascii[0], a->ascii[1] & b->ascii[1]}, 0, 0};
    if (ekb_rx_wide_meet(a->wide, b->wide)) {
        r.wide = (uint8_t)(a->wide == b->wide || b->wide == EKB_RX_W_ANY ? a->wide
                           : a->wide == EKB_RX_W_ANY ? b->wide : EKB_RX_W_ANY);
        r.example = a->example ? a->example : b->example;
    }
    return r;
}

static bool long_repeat(const ekb_rx_node *n)
{
    return n->kind == EKB_RX_REPEAT && n->max > n->min && n->max >= LONG_REPEAT;
}

/* --- walking in match order --- */

/* The item after n in match order: up through groups and branches to the
 * next item of an enclosing sequence. NULL at the end of the pattern or of
 * a lookaround. */
static const ekb_rx_node *next_up(const ekb_rx_node *n, int dir)
{
    for (;;) {
        const ekb_rx_node *p = n->parent;
        if (!p || p->kind == EKB_RX_LOOK)
            return NULL;
        if (p->kind == EKB_RX_CONCAT) {
            if (dir > 0 && n->index + 1 < p->n_kids)
                return p->kids[n->index + 1];
            if (dir < 0 && n->index > 0)
                return p->kids[n->index - 1];
        }
        n = p;
    }
}

/* Into plain groups and sequences, to their first (dir < 0: last) item. */
static const ekb_rx_node *descend(const ekb_rx_node *n, int dir)
{
    for (;;) {
        if (n->kind == EKB_RX_CONCAT && n->n_kids)
            n = n->kids[dir > 0 ? 0 : n->n_kids - 1];
        else if (n->kind == EKB_RX_GROUP && !n->atomic)
            n = n->kids[0];
        else
            return n;
    }
}

/* The items after (dir > 0) or before n, up to limit of them, in match order. */
static size_t items(const ekb_rx_node *n, int dir, const ekb_rx_node **out, size_t limit)
{
    size_t k = 0;
    for (const ekb_rx_node *it = next_up(n, dir); it && k < limit; it = next_up(it, dir)) {
        it = descend(it, dir);
        out[k++] = it;
    }
    if (dir < 0) /* collected backwards */
        for (size_t i = 0; i < k / 2; i++) {
            const ekb_rx_node *t = out[i];
            out[i] = out[k - 1 - i];
            out[k - 1 - i] = t;
        }
    return k;
}

/* In tail position within ancestor: everything after n up to it is nullable. */
static bool tail_within(const ekb_rx_node *n, const ekb_rx_node *ancestor)
{
    for (const ekb_rx_node *c = n; c != ancestor; c = c->parent) {
        const ekb_rx_node *p = c->parent;
        if (!p)
            return false;
        if (p->kind == EKB_RX_CONCAT)
            for (uint32_t i = c->index + 1; i < p->n_kids; i++)
                if (!nullable(p->kids[i]))
                    return false;
    }
    return true;
}

static bool guarded(const ekb_rx_node *n)
{
    for (const ekb_rx_node *p = n; p; p = p->parent)
        if ((p->kind == EKB_RX_REPEAT && p->greed == EKB_RX_POSSESSIVE) || (p->kind == EKB_RX_GROUP && p->atomic))
            return true;
    return false;
}

/* --- witnesses: strings that parts of the pattern match --- */

static const char pick_order[] = "axbcdefghijklmnopqrstuvwyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_-./:@,;=+#%&*!?'\"()[]{}<>|~^$` ";

/* A member of s, from prefer when they meet; 0xE9 when s has none known. */
static uint32_t pick(const ekb_rx_set *s, const ekb_rx_set *prefer)
{
    if (prefer) {
        ekb_rx_set m = meet(s, prefer);
        if (!ekb_rx_set_empty(&m))
            return pick(&m, NULL);
    }
    for (const char *c = pick_order; *c; c++)
        if (ekb_rx_set_has(s, (unsigned char)*c))
            return (unsigned char)*c;
    for (unsigned c = 1; c < 128; c++)
        if (ekb_rx_set_has(s, c))
            return c;
    if (s->example)
        return s->example;
    switch (s->wide) {
    case EKB_RX_W_SPACE: return 0xA0;   /* no-break space */
    case EKB_RX_W_DIGIT: return 0x660;  /* Arabic-Indic digit zero */
    case EKB_RX_W_NWORD: return 0xA7;   /* section sign */
    case EKB_RX_W_NONE: return 'a';     /* an empty set: any will do */
    default: return 0xE9;               /* e with acute */
    }
}

static void add_cp(ekb_strbuf *sb, uint32_t cp)
{
    char b[4];
    ekb_strbuf_addn(sb, b, ekb_utf8_encode(cp, b));
}

static bool contains_node(const ekb_rx_node *n, const ekb_rx_node *x)
{
    for (const ekb_rx_node *p = x; p; p = p->parent)
        if (p == n)
            return true;
    return false;
}

typedef struct wctx {
    const ekb_rx_set *prefer;
    const ekb_rx_node *override; /* emit override_text for this node */
    const char *override_text;
} wctx;

static void witness(const ekb_rx_node *n, const wctx *w, ekb_strbuf *sb)
{
    if (sb->len > MAX_WITNESS)
        return;
    if (n == w->override) {
        ekb_strbuf_adds(sb, w->override_text);
        return;
    }
    switch (n->kind) {
    case EKB_RX_CHAR:
        add_cp(sb, n->cp);
        return;
    case EKB_RX_SET: case EKB_RX_MULTI:
        add_cp(sb, pick(&n->set, w->prefer));
        return;
    case EKB_RX_GROUP:
        witness(n->kids[0], w, sb);
        return;
    case EKB_RX_CONCAT:
        for (uint32_t i = 0; i < n->n_kids; i++)
            witness(n->kids[i], w, sb);
        return;
    case EKB_RX_ALT: {
        const ekb_rx_node *b = n->kids[0];
        bool chosen = false;
        for (uint32_t i = 0; i < n->n_kids && w->override && !chosen; i++)
            if (contains_node(n->kids[i], w->override))
                b = n->kids[i], chosen = true;
        for (uint32_t i = 0; i < n->n_kids && w->prefer && !chosen; i++) {
            ekb_rx_set f = {0};
            edge_set(n->kids[i], false, &f);
            if (ekb_rx_set_meets(&f, w->prefer))
                b = n->kids[i], chosen = true;
        }
        witness(b, w, sb);
        return;
    }
    case EKB_RX_REPEAT: {
        uint32_t times = n->min;
        if (times == 0 && w->override && contains_node(n, w->override))
            times = 1;
        for (uint32_t i = 0; i < times && sb->len <= MAX_WITNESS; i++)
            witness(n->kids[0], w, sb);
        return;
    }
    default:
        return;
    }
}

static void witness_items(const ekb_rx_node **v, size_t n, const wctx *w, ekb_strbuf *sb)
{
    for (size_t i = 0; i < n; i++)
        witness(v[i], w, sb);
}

/* --- overlapping branches --- */

#define MAX_SEQ 64

/* The sets of a fixed-length match, position by position; -1 if n's length
 * varies (or is beyond MAX_SEQ). */
static int fixed_seq(const ekb_rx_node *n, ekb_rx_set *seq, int at)
{
    if (at < 0)
        return -1;
    if (zero_width(n))
        return at;
    switch (n->kind) {
    case EKB_RX_CHAR: case EKB_RX_SET:
        if (at == MAX_SEQ)
            return -1;
        seq[at] = n->set;
        return at + 1;
    case EKB_RX_GROUP:
        return fixed_seq(n->kids[0], seq, at);
    case EKB_RX_CONCAT:
        for (uint32_t i = 0; i < n->n_kids && at >= 0; i++)
            at = fixed_seq(n->kids[i], seq, at);
        return at;
    case EKB_RX_REPEAT:
        if (n->min != n->max || n->min > MAX_SEQ)
            return -1;
        for (uint32_t i = 0; i < n->min && at >= 0; i++)
            at = fixed_seq(n->kids[0], seq, at);
        return at;
    default:
        return -1;
    }
}

/* Whether two branches of a repeated alternation can match the same text
 * (so that a repetition can be split in more than one way). Fixed-length
 * branches are compared position by position, a longer one as a tiling of
 * the shorter ('a|aa'); others by their first and last characters. On
 * success *common is a string both match (fixed) or NULL (variable). */
static bool overlap(const ekb_rx_node *a, const ekb_rx_node *b, ekb_strbuf *common)
{
    ekb_rx_set sa[MAX_SEQ], sb[MAX_SEQ];
    int la = fixed_seq(a, sa, 0), lb = fixed_seq(b, sb, 0);
    if (la >= 0 && lb >= 0) {
        if (la == 0 || lb == 0)
            return false;
        const ekb_rx_set *s = la <= lb ? sa : sb, *l = la <= lb ? sb : sa;
        int ls = la <= lb ? la : lb, ll = la <= lb ? lb : la;
        if (ll % ls)
            return false;
        for (int i = 0; i < ll; i++)
            if (!ekb_rx_set_meets(&s[i % ls], &l[i]))
                return false;
        for (int i = 0; i < ls; i++) {
            ekb_rx_set m = meet(&s[i], &l[i]);
            add_cp(common, pick(&m, NULL));
        }
        return true;
    }
    ekb_rx_set fa = {0}, fb = {0}, za = {0}, zb = {0};
    edge_set(a, false, &fa);
    edge_set(b, false, &fb);
    edge_set(a, true, &za);
    edge_set(b, true, &zb);
    return ekb_rx_set_meets(&fa, &fb) && ekb_rx_set_meets(&za, &zb);
}

/* --- finding sites --- */

typedef struct finder {
    const ekb_rx_tree *t;
    ekb_bt_analysis *out;
    int oom;
    /* the candidates, before inputs are built */
    struct cand {
        ekb_bt_kind kind;
        const ekb_rx_node *site, *inner, *other;
        char *common; /* ALTERNATION: a string both branches match, or NULL */
        size_t between; /* ADJACENT: items between the two repeats */
    } c[MAX_SITES];
    size_t n;
} finder;

static void add_cand(finder *f, ekb_bt_kind kind, const ekb_rx_node *site, const ekb_rx_node *inner,
                     const ekb_rx_node *other, char *common, size_t between)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->c[i].kind == kind && f->c[i].site == site) {
            free(common);
            return;
        }
    if (f->n == MAX_SITES) {
        free(common);
        return;
    }
    f->c[f->n++] = (struct cand){kind, site, inner, other, common, between};
}

typedef struct search {
    finder *f;
    const ekb_rx_node *outer;
    ekb_rx_set body_first;
} search;

/* Within the body of a repeat: inner repeats at its tail that can also
 * start it, and alternations with overlapping branches. */
static int scan_body(void *ctx, ekb_rx_node *n)
{
    search *s = ctx;
    if (n == s->outer)
        return 0;
    if (n->kind == EKB_RX_REPEAT && n->max >= 2 && n->max > n->min && tail_within(n, s->outer->kids[0])) {
        ekb_rx_set f = {0};
        edge_set(n->kids[0], false, &f);
        if (ekb_rx_set_meets(&f, &s->body_first))
            add_cand(s->f, EKB_BT_NESTED, s->outer, n, NULL, NULL, 0);
    }
    if (n->kind == EKB_RX_ALT)
        for (uint32_t i = 0; i < n->n_kids; i++)
            for (uint32_t j = i + 1; j < n->n_kids; j++) {
                ekb_strbuf common;
                ekb_strbuf_init(&common);
                bool hit = overlap(n->kids[i], n->kids[j], &common);
                if (common.failed) {
                    s->f->oom = 1;
                    ekb_strbuf_free(&common);
                    return 1;
                }
                if (hit) {
                    char *c = NULL;
                    if (common.len && !(c = ekb_strbuf_steal(&common)))
                        s->f->oom = 1;
                    ekb_strbuf_free(&common);
                    add_cand(s->f, EKB_BT_ALTERNATION, s->outer, n->kids[i], n->kids[j], c, 0);
                    return 0;
                }
                ekb_strbuf_free(&common);
            }
    return 0;
}

/* Walk callback for every node: the three kinds of sites. */
static int find_sites(void *ctx, ekb_rx_node *n)
{
    finder *f = ctx;
    if (n->kind != EKB_RX_REPEAT)
        return 0;
    if (n->max >= 2) {
        search s = {.f = f, .outer = n};
        edge_set(n->kids[0], false, &s.body_first);
        ekb_rx_walk(n->kids[0], scan_body, &s);
    }
    if (!long_repeat(n))
        return 0;
    /* ADJACENT: a later unbounded repeat over common characters, with only
     * characters both can take in between: every split of a run between
     * the two is tried */
    ekb_rx_set mine = {0};
    chars_of(n->kids[0], &mine);
    const ekb_rx_node *after[32];
    size_t k = items(n, 1, after, 32);
    for (size_t i = 0; i < k; i++) {
        if (!long_repeat(after[i]))
            continue;
        ekb_rx_set theirs = {0};
        chars_of(after[i]->kids[0], &theirs);
        ekb_rx_set both = meet(&mine, &theirs);
        bool ok = !ekb_rx_set_empty(&both);
        for (size_t j = 0; j < i && ok; j++) {
            ekb_rx_set c = {0};
            chars_of(after[j], &c);
            ok = nullable(after[j]) || ekb_rx_set_meets(&c, &both);
        }
        if (ok)
            add_cand(f, EKB_BT_ADJACENT, n, after[i], NULL, NULL, i);
        break;
    }
    return 0;
}

/* A character for the end of the input that none of avoid takes. */
static char fail_char(const ekb_rx_set *avoid)
{
    static const char cands[] = "!#~\n \001%@0a_-./:;,=";
    for (const char *c = cands; *c; c++)
        if (!ekb_rx_set_has(avoid, (unsigned char)*c))
            return *c;
    return '\001';
}

static int build_site(finder *f, const struct cand *c, ekb_bt_site *s)
{
    const ekb_rx_node *site = c->site, *body = site->kids[0];
    ekb_strbuf pre, pump, fol;
    ekb_strbuf_init(&pre);
    ekb_strbuf_init(&pump);
    ekb_strbuf_init(&fol);
    const ekb_rx_node *before[64], *after[64];
    ekb_rx_set avoid = {0}, prefer = {0};
    const ekb_rx_node *last = c->kind == EKB_BT_ADJACENT ? c->inner : site;
    size_t nb = items(site, -1, before, 64), na = items(last, 1, after, 64);
    chars_of(body, &avoid);
    if (na)
        edge_set(after[0], false, &avoid);
    switch (c->kind) {
    case EKB_BT_NESTED: {
        ekb_rx_set a = {0}, b = {0};
        edge_set(c->inner->kids[0], false, &a);
        edge_set(body, false, &b);
        prefer = meet(&a, &b);
        witness_items(before, nb, &(wctx){0}, &pre);
        witness(body, &(wctx){.prefer = &prefer}, &pump);
        break;
    }
    case EKB_BT_ALTERNATION: {
        ekb_rx_set a = {0}, b = {0};
        edge_set(c->inner, false, &a);
        edge_set(c->other, false, &b);
        prefer = meet(&a, &b);
        witness_items(before, nb, &(wctx){0}, &pre);
        if (c->common)
            witness(body, &(wctx){.override = c->inner, .override_text = c->common}, &pump);
        else
            witness(body, &(wctx){.prefer = &prefer, .override = c->inner, .override_text = ""}, &pump);
        if (!c->common) {
            /* a variable branch: its own witness, leaning to shared characters */
            ekb_strbuf_reset(&pump);
            ekb_strbuf br;
            ekb_strbuf_init(&br);
            witness(c->inner, &(wctx){.prefer = &prefer}, &br);
            if (br.s)
                witness(body, &(wctx){.prefer = &prefer, .override = c->inner, .override_text = br.s}, &pump);
            if (br.failed)
                f->oom = 1;
            ekb_strbuf_free(&br);
        }
        break;
    }
    case EKB_BT_ADJACENT: {
        ekb_rx_set a = {0}, b = {0};
        chars_of(body, &a);
        chars_of(c->inner->kids[0], &b);
        prefer = meet(&a, &b);
        chars_of(c->inner->kids[0], &avoid);
        witness_items(before, nb, &(wctx){0}, &pre);
        /* what lies between the two repeats, then a character both take:
         * each copy is one more place to split */
        const ekb_rx_node *mid[32];
        size_t nm = items(site, 1, mid, c->between < 32 ? c->between : 32);
        witness_items(mid, nm, &(wctx){.prefer = &prefer}, &pump);
        add_cp(&pump, pick(&prefer, NULL));
        break;
    }
    }
    witness_items(after, na, &(wctx){0}, &fol);
    s->kind = c->kind;
    s->start = site->start;
    s->end = c->kind == EKB_BT_ADJACENT ? c->inner->end : site->end;
    s->classic = c->kind == EKB_BT_NESTED || c->kind == EKB_BT_ALTERNATION;
    s->guarded = guarded(site) || (c->kind == EKB_BT_NESTED && c->inner->greed == EKB_RX_POSSESSIVE);
    s->fail = fail_char(&avoid);
    s->prefix = ekb_strbuf_steal(&pre);
    s->pump = ekb_strbuf_steal(&pump);
    s->follow = ekb_strbuf_steal(&fol);
    return s->prefix && s->pump && s->follow ? 0 : -1;
}

int ekb_bt_analyze(const char *pattern, size_t len, uint32_t options, ekb_bt_analysis *out)
{
    ekb_rx_tree t;
    int r = ekb_rx_parse(pattern, len, options, &t);
    if (r < 0)
        return -1;
    r = ekb_bt_analyze_tree(r == 0 ? &t : NULL, out);
    ekb_rx_tree_free(&t);
    return r;
}

int ekb_bt_analyze_tree(const ekb_rx_tree *t, ekb_bt_analysis *out)
{
    memset(out, 0, sizeof *out);
    if (!t)
        return 0;
    out->parsed = true;
    finder f = {.t = t, .out = out};
    ekb_rx_walk(t->root, find_sites, &f);
    /* the classic shapes first: they are the ones that explode */
    int rc = f.oom ? -1 : 0;
    if (f.n && !(out->v = calloc(f.n, sizeof *out->v)))
        rc = -1;
    for (int pass = 0; pass < 2 && rc == 0; pass++)
        for (size_t i = 0; i < f.n && rc == 0; i++) {
            bool classic = f.c[i].kind == EKB_BT_NESTED || f.c[i].kind == EKB_BT_ALTERNATION;
            if (classic != (pass == 0))
                continue;
            if (build_site(&f, &f.c[i], &out->v[out->n]) != 0 || f.oom)
                rc = -1;
            out->n++;
        }
    for (size_t i = 0; i < f.n; i++)
        free(f.c[i].common);
    if (rc != 0)
        ekb_bt_analysis_free(out);
    return rc;
}

void ekb_bt_analysis_free(ekb_bt_analysis *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->v[i].prefix);
        free(a->v[i].pump);
        free(a->v[i].follow);
    }
    free(a->v);
    memset(a, 0, sizeof *a);
}

/* --- measuring --- */

typedef struct meter {
    unsigned long long steps, budget;
    size_t last;
} meter;

/* Called before every pattern item: one step, plus the characters the
 * matcher moved forward over since the last call (scans inside one item). */
static int on_callout(pcre2_callout_block *b, void *ctx)
{
    meter *m = ctx;
    m->steps++;
    if (b->current_position > m->last)
        m->steps += b->current_position - m->last;
    m->last = b->current_position;
    return m->steps > m->budget ? PCRE2_ERROR_CALLOUT : 0;
}

unsigned long long ekb_bt_step_limit(const ekb_regex_opts *o, size_t n)
{
    return 4ULL * o->match_limit + 1024ULL * n;
}

unsigned long long ekb_bt_total_limit(const ekb_regex_opts *o)
{
    return 256ULL * o->match_limit;
}

/* prefix + pump x k + suffix, about size bytes, into in (reused from one
 * input to the next); *k set. The copies are made by doubling what is
 * there, not one by one. */
static int make_input(const ekb_bt_site *s, const char *suffix, size_t size, ekb_strbuf *in, size_t *k)
{
    size_t pre = strlen(s->prefix), suf = strlen(suffix), pl = strlen(s->pump);
    *k = size > pre + suf + pl ? (size - pre - suf) / pl : 1;
    size_t body = *k * pl, len = pre + body + suf;
    ekb_strbuf_reset(in);
    if (!ekb_strbuf_reserve(in, len))
        return -1;
    memcpy(in->s, s->prefix, pre);
    memcpy(in->s + pre, s->pump, pl);
    for (size_t have = pl; have < body;) {
        size_t n = have < body - have ? have : body - have;
        memcpy(in->s + pre + have, in->s + pre, n);
        have += n;
    }
    memcpy(in->s + pre + body, suffix, suf + 1);
    in->len = len;
    return 0;
}

static char *describe(const ekb_bt_site *s, const char *suffix, size_t k)
{
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    if (*s->prefix) {
        ekb_rx_quote(&sb, s->prefix, strlen(s->prefix), 40);
        ekb_strbuf_adds(&sb, " + ");
    }
    ekb_rx_quote(&sb, s->pump, strlen(s->pump), 40);
    ekb_strbuf_addf(&sb, " x %zu", k);
    if (*suffix) {
        ekb_strbuf_adds(&sb, " + ");
        ekb_rx_quote(&sb, suffix, strlen(suffix), 40);
    }
    return ekb_strbuf_steal(&sb);
}

int ekb_bt_measure(const ekb_regex_opts *o, const char *pattern, size_t len, const ekb_bt_analysis *a,
                   ekb_bt_result *r)
{
    memset(r, 0, sizeof *r);
    if (!a->n)
        return 0;
    pcre2_code *code;
    int err;
    size_t off;
    int c = ekb_regex_compile(o, pattern, len, PCRE2_AUTO_CALLOUT, false, &code, &err, &off);
    if (c != 0)
        return c;
    meter m = {0};
    /* all runs of one pattern together: the time any pattern can take */
    unsigned long long total = ekb_bt_total_limit(o);
    ekb_matcher mt;
    ekb_strbuf in;
    ekb_strbuf_init(&in);
    int rc = ekb_matcher_init(&mt, o);
    if (rc == 0)
        pcre2_set_callout(mt.mc, on_callout, &m);
    for (size_t si = 0; si < a->n && rc == 0 && r->verdict == EKB_BT_FINE; si++) {
        const ekb_bt_site *s = &a->v[si];
        if (!*s->pump)
            continue;
        char fc[2] = {s->fail, 0};
        char *with_follow = ekb_asprintf("%c%s", s->fail, s->follow);
        if (!with_follow) {
            rc = -1;
            break;
        }
        const char *suffixes[3] = {"", fc, with_follow};
        size_t n_suffixes = *s->follow ? 3 : 2;
        /* each suffix makes a series of lengths; the shortest inputs of all
         * series go first, so that a verdict names the shortest input */
        unsigned long long prev[3] = {0, 0, 0};
        size_t prev_len[3] = {0, 0, 0};
        for (size_t size = EKB_BT_MIN_LENGTH; size <= EKB_BT_MAX_LENGTH && rc == 0 && r->verdict == EKB_BT_FINE;
             size *= 4) {
            for (size_t x = 0; x < n_suffixes && rc == 0 && r->verdict == EKB_BT_FINE; x++) {
                size_t k;
                if (make_input(s, suffixes[x], size, &in, &k) != 0) {
                    rc = -1;
                    break;
                }
                unsigned long long cap = ekb_bt_step_limit(o, in.len);
                unsigned long long grow = prev[x] ? 8 * prev[x] + 16ULL * in.len : cap;
                unsigned long long left = total > r->work ? total - r->work : 0;
                m.budget = grow < cap ? grow : cap;
                bool by_total = left < m.budget;
                if (by_total)
                    m.budget = left;
                m.steps = 0;
                m.last = 0;
                /* one match attempt, at the start: see backtrack.h */
                int mr = pcre2_match(code, (PCRE2_SPTR)in.s, in.len, 0, PCRE2_ANCHORED, mt.md, mt.mc);
                r->runs++;
                r->work += m.steps;
                if (mr == PCRE2_ERROR_NOMEMORY) {
                    rc = -1;
                    break;
                }
                bool limit = ekb_regex_is_limit(mr);
                if (limit || mr == PCRE2_ERROR_CALLOUT) {
                    r->verdict = limit      ? EKB_BT_LIMIT
                                 : by_total ? EKB_BT_BUDGET
                                 : grow < cap ? EKB_BT_GROWTH
                                              : EKB_BT_STEPS;
                    r->pcre2_error = limit ? mr : 0;
                    r->site = si;
                    r->length = in.len;
                    r->steps = m.steps;
                    r->budget = m.budget;
                    r->prev_length = prev_len[x];
                    r->prev_steps = prev[x];
                    if (!(r->shape = describe(s, suffixes[x], k)))
                        rc = -1;
                    break;
                }
                prev[x] = m.steps;
                prev_len[x] = in.len;
            }
        }
        free(with_follow);
    }
    ekb_strbuf_free(&in);
    ekb_matcher_free(&mt);
    pcre2_code_free(code);
    if (rc != 0)
        ekb_bt_result_free(r);
    return rc;
}

void ekb_bt_result_free(ekb_bt_result *r)
{
    free(r->shape);
    r->shape = NULL;
}

/* prefilter_index.c: the candidate index of a prefilter: an Aho-Corasick
 * automaton over the atoms, postings from atoms to patterns, and the query
 * that turns a text into the patterns worth running on it. */
#include "prefilter_private.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void ekb_pf_index_free(ekb_pf_index *ix)
{
    if (!ix)
        return;
    free(ix->child);
    free(ix->sibling);
    free(ix->fail);
    free(ix->dict);
    free(ix->out);
    free(ix->byte);
    free(ix->nodes);
    free(ix->kids);
    free(ix->post_off);
    free(ix->post);
    free(ix->unfiltered);
    free(ix);
}

static uint32_t child_of(const ekb_pf_index *ix, uint32_t node, uint8_t c)
{
    for (uint32_t k = ix->child[node]; k != EKB_PF_NONE; k = ix->sibling[k])
        if (ix->byte[k] == c)
            return k;
    return EKB_PF_NONE;
}

/* The trie of all atoms, then failure and dictionary links breadth first. */
static int build_automaton(const ekb_prefilter *pf, ekb_pf_index *ix)
{
    size_t cap = pf->pool_len + 1; /* at most one node per atom byte, plus the root */
    ix->child = malloc(cap * sizeof *ix->child);
    ix->sibling = malloc(cap * sizeof *ix->sibling);
    ix->fail = malloc(cap * sizeof *ix->fail);
    ix->dict = malloc(cap * sizeof *ix->dict);
    ix->out = malloc(cap * sizeof *ix->out);
    ix->byte = malloc(cap);
    if (!ix->child || !ix->sibling || !ix->fail || !ix->dict || !ix->out || !ix->byte)
        return -1;
    ix->n_nodes = 1;
    ix->child[0] = ix->sibling[0] = ix->out[0] = ix->dict[0] = EKB_PF_NONE;
    ix->fail[0] = 0;
    /* the root's children by byte as they are made: every atom starts
     * there, and the root has most children */
    for (int c = 0; c < 256; c++)
        ix->root_next[c] = 0;
    for (size_t a = 0; a < pf->n_atoms; a++) {
        const char *s = pf->pool + pf->atom_off[a];
        size_t len = pf->atom_off[a + 1] - pf->atom_off[a];
        uint32_t node = 0;
        for (size_t i = 0; i < len; i++) {
            uint8_t c = (uint8_t)s[i];
            uint32_t next = node ? child_of(ix, node, c) : ix->root_next[c] ? ix->root_next[c] : EKB_PF_NONE;
            if (next == EKB_PF_NONE) {
                next = (uint32_t)ix->n_nodes++;
                ix->byte[next] = c;
                ix->child[next] = ix->out[next] = ix->dict[next] = EKB_PF_NONE;
                ix->sibling[next] = ix->child[node];
                ix->child[node] = next;
                if (!node)
                    ix->root_next[c] = next;
            }
            node = next;
        }
        ix->out[node] = (uint32_t)a;
    }
    uint32_t *queue = malloc(ix->n_nodes * sizeof *queue);
    if (!queue)
        return -1;
    size_t head = 0, tail = 0;
    for (uint32_t k = ix->child[0]; k != EKB_PF_NONE; k = ix->sibling[k]) {
        ix->fail[k] = 0;
        queue[tail++] = k;
    }
    while (head < tail) {
        uint32_t u = queue[head++];
        for (uint32_t v = ix->child[u]; v != EKB_PF_NONE; v = ix->sibling[v]) {
            uint32_t f = ix->fail[u], g;
            while ((g = f ? child_of(ix, f, ix->byte[v]) : ix->root_next[ix->byte[v]]) == EKB_PF_NONE)
                f = ix->fail[f];
            ix->fail[v] = g == v ? 0 : g;
            uint32_t fv = ix->fail[v];
            ix->dict[v] = ix->out[fv] != EKB_PF_NONE ? fv : ix->dict[fv];
            queue[tail++] = v;
        }
    }
    free(queue);
    return 0;
}

/* The scan's layout of the automaton (see ekb_pf_index). */
static int build_scan_layout(ekb_pf_index *ix)
{
    size_t n = ix->n_nodes;
    ix->nodes = malloc((n + 1) * sizeof *ix->nodes);
    ix->kids = malloc((n + 1) * sizeof *ix->kids);
    if (!ix->nodes || !ix->kids)
        return -1;
    uint32_t at = 0;
    for (size_t u = 0; u < n; u++) {
        struct ekb_pf_node *nd = &ix->nodes[u];
        nd->kid_off = at;
        for (uint32_t k = ix->child[u]; k != EKB_PF_NONE; k = ix->sibling[k])
            ix->kids[at++] = (struct ekb_pf_kid){ix->byte[k], k};
        nd->n_kids = at - nd->kid_off;
        nd->fail = ix->fail[u];
        nd->emit = ix->out[u] != EKB_PF_NONE ? (uint32_t)u : ix->dict[u];
    }
    /* the build's links are not needed any more */
    free(ix->child);
    free(ix->sibling);
    free(ix->byte);
    free(ix->fail);
    ix->child = ix->sibling = ix->fail = NULL;
    ix->byte = NULL;
    return 0;
}

/* Each pattern is posted under the atoms of its cover, priced by how many
 * patterns name them; a pattern without a cover is unfiltered. */
static int build_postings(const ekb_prefilter *pf, ekb_pf_index *ix)
{
    size_t np = pf->n_patterns;
    ix->post_off = calloc(pf->n_atoms + 1, sizeof *ix->post_off);
    ix->unfiltered = malloc((np + 1) * sizeof *ix->unfiltered);
    uint32_t *uses = malloc((pf->n_atoms + 1) * sizeof *uses);
    uint32_t **cover = calloc(np + 1, sizeof *cover);
    size_t *n_cover = malloc((np + 1) * sizeof *n_cover);
    int r = ix->post_off && ix->unfiltered && uses && cover && n_cover ? 0 : -1;
    if (r == 0)
        ekb_prefilter_atom_uses(pf, uses);
    for (size_t p = 0; p < np && r == 0; p++) {
        size_t len = pf->prog[2 * p + 1] - pf->prog[2 * p];
        if (len > ix->max_program)
            ix->max_program = len;
        r = ekb_prefilter_cover(pf, (uint32_t)p, uses, EKB_PF_NO_COVER - 1, &cover[p], &n_cover[p]);
        if (r == 0 && n_cover[p] == EKB_PF_NO_COVER)
            ix->unfiltered[ix->n_unfiltered++] = (uint32_t)p;
        /* an atom named twice in a cover is posted once */
        for (size_t i = 0; r == 0 && n_cover[p] != EKB_PF_NO_COVER && i < n_cover[p]; i++) {
            bool again = false;
            for (size_t j = 0; j < i && !again; j++)
                again = cover[p][j] == cover[p][i];
            if (again)
                cover[p][i--] = cover[p][--n_cover[p]];
            else
                ix->post_off[cover[p][i] + 1]++;
        }
    }
    if (r == 0) {
        for (size_t a = 0; a < pf->n_atoms; a++)
            ix->post_off[a + 1] += ix->post_off[a];
        if (!(ix->post = malloc((ix->post_off[pf->n_atoms] + 1) * sizeof *ix->post)))
            r = -1;
    }
    /* fill in pattern order, so each posting list is ascending; the fill
     * advances each start to the next one's: shift back after */
    for (size_t p = 0; p < np && r == 0; p++)
        for (size_t i = 0; n_cover[p] != EKB_PF_NO_COVER && i < n_cover[p]; i++)
            ix->post[ix->post_off[cover[p][i]]++] = (uint32_t)p;
    if (r == 0) {
        for (size_t a = pf->n_atoms; a > 0; a--)
            ix->post_off[a] = ix->post_off[a - 1];
        ix->post_off[0] = 0;
    }
    for (size_t p = 0; cover && p < np; p++)
        free(cover[p]);
    free(cover);
    free(n_cover);
    free(uses);
    return r;
}

int ekb_prefilter_compile(ekb_prefilter *pf)
{
    ekb_pf_index_free(pf->index);
    pf->index = calloc(1, sizeof *pf->index);
    if (!pf->index)
        return -1;
    if (build_automaton(pf, pf->index) != 0 || build_scan_layout(pf->index) != 0 || build_postings(pf, pf->index) != 0) {
        ekb_pf_index_free(pf->index);
        pf->index = NULL;
        return -1;
    }
    return 0;
}

/* --- queries --- */

struct ekb_pf_scratch {
    uint32_t stamp;
    uint32_t *atom_stamp, *pat_stamp;
    size_t n_atoms, n_patterns;
    uint32_t *found, *touched, *out;
    size_t n_found, n_touched, n_out;
    uint8_t *stack;
    unsigned char *fold; /* a text folded, for ekb_prefilter_may_match */
    size_t fold_cap;
};

ekb_pf_scratch *ekb_pf_scratch_new(const ekb_prefilter *pf)
{
    ekb_pf_scratch *s = calloc(1, sizeof *s);
    if (!s || !pf->index)
        return free(s), NULL;
    s->n_atoms = pf->n_atoms;
    s->n_patterns = pf->n_patterns;
    s->atom_stamp = calloc(s->n_atoms + 1, sizeof *s->atom_stamp);
    s->pat_stamp = calloc(s->n_patterns + 1, sizeof *s->pat_stamp);
    s->found = malloc((s->n_atoms + 1) * sizeof *s->found);
    s->touched = malloc((s->n_patterns + 1) * sizeof *s->touched);
    s->out = malloc((s->n_patterns + 1) * sizeof *s->out);
    s->stack = malloc(pf->index->max_program + 1);
    if (!s->atom_stamp || !s->pat_stamp || !s->found || !s->touched || !s->out || !s->stack) {
        ekb_pf_scratch_free(s);
        return NULL;
    }
    return s;
}

void ekb_pf_scratch_free(ekb_pf_scratch *s)
{
    if (!s)
        return;
    free(s->fold);
    free(s->atom_stamp);
    free(s->pat_stamp);
    free(s->found);
    free(s->touched);
    free(s->out);
    free(s->stack);
    free(s);
}

static void next_stamp(ekb_pf_scratch *s)
{
    if (++s->stamp == 0) {
        memset(s->atom_stamp, 0, (s->n_atoms + 1) * sizeof *s->atom_stamp);
        memset(s->pat_stamp, 0, (s->n_patterns + 1) * sizeof *s->pat_stamp);
        s->stamp = 1;
    }
}

/* The folded byte at text[*i], advancing *i: ASCII lower-cased, and the two
 * characters PCRE2 treats as caseless 's' and 'k' (U+017F, U+212A) become
 * those letters. Other bytes stay; no atom holds them. */
static uint8_t folded(const unsigned char *t, size_t len, size_t *i)
{
    unsigned char c = t[(*i)++];
    if (c >= 'A' && c <= 'Z')
        return (uint8_t)(c + 32);
    if (c == 0xC5 && *i < len && t[*i] == 0xBF) {
        (*i)++;
        return 's';
    }
    if (c == 0xE2 && len - *i >= 2 && t[*i] == 0x84 && t[*i + 1] == 0xAA) {
        *i += 2;
        return 'k';
    }
    return c;
}

/* Finds the atoms in text into s->found (each once). */
static void scan(const ekb_prefilter *pf, ekb_pf_scratch *s, const char *text, size_t len)
{
    const ekb_pf_index *ix = pf->index;
    const unsigned char *t = (const unsigned char *)text;
    uint32_t state = 0;
    s->n_found = 0;
    for (size_t i = 0; i < len;) {
        uint8_t c = folded(t, len, &i);
        for (;;) {
            if (state == 0) {
                state = ix->root_next[c];
                break;
            }
            const struct ekb_pf_node *nd = &ix->nodes[state];
            const struct ekb_pf_kid *k = ix->kids + nd->kid_off, *end = k + nd->n_kids;
            while (k < end && k->byte != c)
                k++;
            if (k < end) {
                state = k->node;
                break;
            }
            state = nd->fail;
        }
        for (uint32_t k = ix->nodes[state].emit; k != EKB_PF_NONE; k = ix->dict[k]) {
            uint32_t a = ix->out[k];
            if (s->atom_stamp[a] == s->stamp)
                break; /* found before: so were the shorter ones behind it */
            s->atom_stamp[a] = s->stamp;
            s->found[s->n_found++] = a;
        }
    }
}

static bool run_program(const ekb_prefilter *pf, ekb_pf_scratch *s, uint32_t p)
{
    uint32_t b = pf->prog[2 * p], e = pf->prog[2 * p + 1];
    size_t top = 0;
    for (uint32_t i = b; i < e; i++) {
        const ekb_pf_step *st = &pf->steps[i];
        if (st->op == EKB_PF_ATOM) {
            s->stack[top++] = s->atom_stamp[st->arg] == s->stamp;
            continue;
        }
        size_t first = top - st->arg;
        uint8_t v = st->op == EKB_PF_AND;
        for (size_t j = first; j < top; j++)
            v = st->op == EKB_PF_AND ? (uint8_t)(v & s->stack[j]) : (uint8_t)(v | s->stack[j]);
        top = first;
        s->stack[top++] = v;
    }
    return top == 0 || s->stack[0];
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int ekb_prefilter_found_atoms(const ekb_prefilter *pf, ekb_pf_scratch *s, const char *text, size_t len,
                              const uint32_t **atoms, size_t *n)
{
    if (!pf->index || s->n_atoms != pf->n_atoms)
        return -1;
    next_stamp(s);
    scan(pf, s, text, len);
    qsort(s->found, s->n_found, sizeof *s->found, cmp_u32);
    *atoms = s->found;
    *n = s->n_found;
    return 0;
}

int ekb_prefilter_candidates(const ekb_prefilter *pf, ekb_pf_scratch *s, const char *text, size_t len,
                             const uint32_t **ids, size_t *n)
{
    const ekb_pf_index *ix = pf->index;
    if (!ix || s->n_atoms != pf->n_atoms || s->n_patterns != pf->n_patterns)
        return -1;
    next_stamp(s);
    scan(pf, s, text, len);
    /* the patterns that name a found atom, each once */
    s->n_touched = 0;
    for (size_t i = 0; i < s->n_found; i++) {
        uint32_t a = s->found[i];
        for (uint32_t k = ix->post_off[a]; k < ix->post_off[a + 1]; k++) {
            uint32_t p = ix->post[k];
            if (s->pat_stamp[p] != s->stamp) {
                s->pat_stamp[p] = s->stamp;
                s->touched[s->n_touched++] = p;
            }
        }
    }
    qsort(s->touched, s->n_touched, sizeof *s->touched, cmp_u32);
    /* merge the unfiltered patterns with the touched ones that pass */
    size_t i = 0, j = 0;
    s->n_out = 0;
    while (i < ix->n_unfiltered || j < s->n_touched) {
        if (j == s->n_touched || (i < ix->n_unfiltered && ix->unfiltered[i] < s->touched[j])) {
            s->out[s->n_out++] = ix->unfiltered[i++];
        } else {
            uint32_t p = s->touched[j++];
            if (run_program(pf, s, p))
                s->out[s->n_out++] = p;
        }
    }
    *ids = s->out;
    *n = s->n_out;
    return 0;
}

/* Whether atom occurs in text[0..n). */
static bool contains(const unsigned char *text, size_t n, const char *atom, size_t len)
{
    if (!len)
        return true;
    for (size_t i = 0; i + len <= n;) {
        const unsigned char *hit = memchr(text + i, (unsigned char)atom[0], n - len + 1 - i);
        if (!hit)
            return false;
        i = (size_t)(hit - text);
        if (memcmp(hit, atom, len) == 0)
            return true;
        i++;
    }
    return false;
}

static bool is_unfiltered(const ekb_pf_index *ix, uint32_t p)
{
    return ix->n_unfiltered && bsearch(&p, ix->unfiltered, ix->n_unfiltered, sizeof p, cmp_u32) != NULL;
}

int ekb_prefilter_may_match(const ekb_prefilter *pf, ekb_pf_scratch *s, uint32_t pattern, const char *text,
                            size_t len, bool *may)
{
    const ekb_pf_index *ix = pf->index;
    if (!ix || s->n_atoms != pf->n_atoms || pattern >= pf->n_patterns)
        return -1;
    if (is_unfiltered(ix, pattern)) {
        *may = true;
        return 0;
    }
    /* the text folded as the scan folds it, then each atom of the
     * pattern's program looked for in it */
    if (ekb_grow_to(&s->fold, &s->fold_cap, len + 1, 1, 256) != 0)
        return -1;
    const unsigned char *t = (const unsigned char *)text;
    size_t n = 0;
    for (size_t i = 0; i < len;)
        s->fold[n++] = folded(t, len, &i);
    next_stamp(s);
    for (uint32_t i = pf->prog[2 * pattern]; i < pf->prog[2 * pattern + 1]; i++) {
        const ekb_pf_step *st = &pf->steps[i];
        if (st->op != EKB_PF_ATOM || s->atom_stamp[st->arg] == s->stamp)
            continue;
        size_t alen = pf->atom_off[st->arg + 1] - pf->atom_off[st->arg];
        if (contains(s->fold, n, pf->pool + pf->atom_off[st->arg], alen))
            s->atom_stamp[st->arg] = s->stamp;
    }
    *may = run_program(pf, s, pattern);
    return 0;
}

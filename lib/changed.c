/* changed.c: the targets of --changed-since: git's list of changed paths,
 * then every corpus file whose verdict those changes can affect. */
#include "changed.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "subprocess.h"

/* git's lists of names can be long in a big repository, never this long */
#define GIT_OUTPUT_MAX ((size_t)256 << 20)

/* Runs git -C dir with the NULL-terminated args. Returns 0 (see res), -1 on
 * memory; a git that could not start or failed is res->status != 0. */
static int run_git(ekb_spawn_result *res, const char *dir, const char *const *args)
{
    const char *argv[24] = {"git", "--no-pager", "-C", dir};
    size_t k = 4;
    for (; *args && k < sizeof argv / sizeof *argv - 1; args++)
        argv[k++] = *args;
    argv[k] = NULL;
    return ekb_spawn_capture((char *const *)argv, GIT_OUTPUT_MAX, res);
}

/* The first line of git's complaint, or fallback. malloc'd; NULL on memory. */
static char *git_complaint(const ekb_spawn_result *res, const char *fallback)
{
    const char *s = res->err ? res->err : "";
    size_t n = strcspn(s, "\n");
    if (n == 0)
        return strdup(fallback);
    if (strncmp(s, "fatal: ", 7) == 0 || strncmp(s, "error: ", 7) == 0) {
        s += 7;
        n -= 7;
    }
    return ekb_asprintf("git: %.*s", (int)n, s);
}

/* The tree ref names, or on an unborn branch (ref "HEAD", HEAD naming a
 * branch without commits) the empty tree. *tree malloc'd. 0, 1 (*why), -1. */
static int resolve_tree(const char *dir, const char *ref, char **tree, char **why)
{
    *tree = NULL;
    char *spec = ekb_asprintf("%s^{tree}", ref);
    if (!spec)
        return -1;
    ekb_spawn_result res;
    const char *rev[] = {"rev-parse", "--verify", "--quiet", "--end-of-options", spec, NULL};
    int r = run_git(&res, dir, rev);
    free(spec);
    if (r != 0)
        return -1;
    if (res.status == 0) {
        *tree = ekb_strndup(res.out, strcspn(res.out, "\r\n"));
        ekb_spawn_result_free(&res);
        return *tree ? 0 : -1;
    }
    bool bad_rev = res.status == 1 && res.err_len == 0; /* --quiet: unknown revision */
    if (!bad_rev) {
        *why = git_complaint(&res, "git cannot read the repository");
        ekb_spawn_result_free(&res);
        return *why ? 1 : -1;
    }
    ekb_spawn_result_free(&res);
    if (strcmp(ref, "HEAD") == 0) {
        const char *sym[] = {"symbolic-ref", "--quiet", "HEAD", NULL};
        if (run_git(&res, dir, sym) != 0)
            return -1;
        bool unborn = res.status == 0;
        ekb_spawn_result_free(&res);
        const char *empty[] = {"hash-object", "-t", "tree", "/dev/null", NULL};
        if (unborn) {
            if (run_git(&res, dir, empty) != 0)
                return -1;
            if (res.status == 0)
                *tree = ekb_strndup(res.out, strcspn(res.out, "\r\n"));
            else
                *why = git_complaint(&res, "git cannot make the empty tree");
            ekb_spawn_result_free(&res);
            return *tree ? 0 : *why ? 1 : -1;
        }
    }
    *why = ekb_asprintf("git knows no revision '%s' here", ref);
    return *why ? 1 : -1;
}

/* Appends the NUL-separated names of out to *v. 0 or -1. */
static int add_names(const ekb_spawn_result *res, char ***v, size_t *n, size_t *cap)
{
    for (size_t i = 0; i < res->out_len;) {
        size_t len = strnlen(res->out + i, res->out_len - i);
        if (len) {
            if (ekb_grow(v, cap, *n, sizeof **v, 32) != 0 || !((*v)[*n] = ekb_strndup(res->out + i, len)))
                return -1;
            (*n)++;
        }
        i += len + 1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts v and drops repeats (a path both changed and listed twice). */
static size_t sort_unique(char **v, size_t n)
{
    if (n == 0)
        return 0; /* v may be NULL: qsort wants an array */
    qsort(v, n, sizeof *v, cmp_str);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && strcmp(v[m - 1], v[i]) == 0)
            free(v[i]);
        else
            v[m++] = v[i];
    }
    return m;
}

void ekb_git_paths_free(char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

int ekb_git_changed_paths(const char *dir, const char *ref, char ***paths, size_t *n, char **why)
{
    *paths = NULL;
    *n = 0;
    *why = NULL;
    char *tree;
    int r = resolve_tree(dir, ref, &tree, why);
    if (r != 0)
        return r;
    /* --no-renames: a renamed file must show its old name too (a removed id) */
    const char *diff[] = {"diff", "--name-only", "--no-renames", "--no-ext-diff", "--relative", "-z",
                          "--end-of-options", tree, "--", ".", NULL};
    const char *others[] = {"ls-files", "-z", "--others", "--exclude-standard", "--", ".", NULL};
    const char *const *cmds[] = {diff, others};
    size_t cap = 0;
    for (int k = 0; k < 2 && r == 0; k++) {
        ekb_spawn_result res;
        if (run_git(&res, dir, cmds[k]) != 0) {
            r = -1;
            break;
        }
        if (res.status != 0 || res.truncated) {
            *why = res.truncated ? strdup("git listed more changed files than errkb reads")
                                 : git_complaint(&res, "git cannot list the changed files");
            r = *why ? 1 : -1;
        } else if (add_names(&res, paths, n, &cap) != 0) {
            r = -1;
        }
        ekb_spawn_result_free(&res);
    }
    free(tree);
    if (r != 0) {
        ekb_git_paths_free(*paths, *n);
        *paths = NULL;
        *n = 0;
        return r;
    }
    *n = sort_unique(*paths, *n);
    return 0;
}

/* --- from changed paths to targets --- */

typedef struct changes {
    char **rels;    /* changed paths below entries/, sorted */
    size_t n_rels;
    char **ids;     /* the ids they give, sorted, distinct */
    size_t n_ids;
} changes;

static bool has(char *const *v, size_t n, const char *s)
{
    return n && bsearch(&s, v, n, sizeof *v, cmp_str) != NULL;
}

/* True when some string anywhere in v is one of the changed ids: links are
 * found in any field, so a new kind of link cannot be missed. */
static bool mentions(const json_t *v, const changes *ch)
{
    if (json_is_string(v))
        return has(ch->ids, ch->n_ids, json_string_value(v));
    if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v); i++)
            if (mentions(json_array_get(v, i), ch))
                return true;
        return false;
    }
    const char *key;
    json_t *x;
    json_object_foreach((json_t *)v, key, x) {
        if (mentions(x, ch))
            return true;
    }
    return false;
}

static int changes_ids(changes *ch)
{
    ch->ids = malloc((ch->n_rels + 1) * sizeof *ch->ids);
    if (!ch->ids)
        return -1;
    for (size_t i = 0; i < ch->n_rels; i++) {
        char *id = ekb_id_from_rel(ch->rels[i]);
        if (id)
            ch->ids[ch->n_ids++] = id;
        /* NULL: no id in this path (or no memory: then the path alone is
         * still a target, and a link to it cannot resolve anyway) */
    }
    ch->n_ids = sort_unique(ch->ids, ch->n_ids);
    return 0;
}

typedef struct target_paths {
    char **v; /* sorted, borrowed */
    size_t n;
} target_paths;

static bool not_about_target(void *ctx, const ekb_diag *g)
{
    const target_paths *t = ctx;
    return !has(t->v, t->n, g->path);
}

/* Moves to d the diagnostics of scratch that are about target files. */
static int keep_target_diags(const ekb_corpus *c, ekb_diags *scratch, ekb_diags *d)
{
    target_paths t = {malloc((c->n + 1) * sizeof *t.v), 0};
    if (!t.v)
        return -1;
    for (size_t i = 0; i < c->n; i++)
        if (c->files[i].target)
            t.v[t.n++] = c->files[i].path;
    qsort(t.v, t.n, sizeof *t.v, cmp_str);
    ekb_diags_drop(scratch, not_about_target, &t);
    free(t.v);
    return ekb_diags_take(d, scratch);
}

/* True when any change is below dir (the corpus's schema folder). */
static int schema_changed(const char *dir, const char *ref, bool *changed, char **why)
{
    char **v;
    size_t n;
    int r = ekb_git_changed_paths(dir, ref, &v, &n, why);
    *changed = r == 0 && n > 0;
    ekb_git_paths_free(v, n);
    return r;
}

int ekb_corpus_mark_changed(ekb_corpus *c, const char *ref, unsigned jobs, ekb_diags *d)
{
    if (!c->entries_dir)
        return 0; /* lone files: nothing to compare */
    changes ch = {0};
    char *why = NULL;
    bool schema = false;
    int r = ekb_git_changed_paths(c->entries_dir, ref, &ch.rels, &ch.n_rels, &why);
    if (r == 0 && c->schema_dir)
        r = schema_changed(c->schema_dir, ref, &schema, &why);
    if (r == 1) {
        r = ekb_diags_add(d, "", 0, 0, EKB_ERROR, "usage.changed-since", NULL, NULL,
                          "--changed-since %s: %s", ref, why) ? -1 : 1;
    }
    free(why);
    if (r == 0 && !schema)
        r = changes_ids(&ch);
    ekb_diags scratch;
    ekb_diags_init(&scratch);
    /* the links are in the files: read them all, when an id changed */
    if (r == 0 && !schema && ch.n_ids && ekb_corpus_load(c, true, jobs, &scratch) != 0)
        r = -1;
    if (r == 0 && !schema) {
        for (size_t i = 0; i < c->n_corpus; i++) {
            ekb_corpus_file *f = &c->files[i];
            bool dep = has(ch.rels, ch.n_rels, f->rel) || (f->id && has(ch.ids, ch.n_ids, f->id)) ||
                       (f->doc && ch.n_ids && mentions(f->doc->root, &ch));
            f->target = f->target && dep;
        }
    }
    if (r == 0 && keep_target_diags(c, &scratch, d) != 0)
        r = -1;
    ekb_diags_free(&scratch);
    ekb_git_paths_free(ch.rels, ch.n_rels);
    ekb_git_paths_free(ch.ids, ch.n_ids);
    return r;
}

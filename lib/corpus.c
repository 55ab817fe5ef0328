/* corpus.c: locating the corpus, listing entry files, marking targets. */
#include "corpus.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "builtin.h"
#include "changed.h"
#include "parallel.h"

#define MAX_WALK_DEPTH 8

static bool has_entry_extension(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (!strcmp(dot, ".json") || !strcmp(dot, ".yaml") || !strcmp(dot, ".yml"));
}

char *ekb_id_from_rel(const char *rel)
{
    const char *slash = strchr(rel, '/');
    if (!slash || strchr(slash + 1, '/'))
        return NULL;
    const char *dot = strrchr(slash + 1, '.');
    if (!dot || dot == slash + 1)
        return NULL;
    return ekb_strndup(rel, (size_t)(dot - rel));
}

static int add_file(ekb_corpus *c, char *path, char *rel)
{
    if (ekb_grow(&c->files, &c->cap, c->n, sizeof *c->files, 256) != 0)
        return -1;
    ekb_corpus_file f = {.path = path, .rel = rel};
    if (rel) {
        f.id = ekb_id_from_rel(rel);
        /* a NULL id from a bad layout is fine; from memory it is not */
    }
    c->files[c->n++] = f;
    return 0;
}

/* One name read from a folder, with readdir's idea of its type. */
typedef struct dir_item {
    char *name;
    unsigned char type;
} dir_item;

/* Walks dir (shown as shown) collecting entry files; rel_prefix is their
 * path below the walk root. Unreadable places are reported, not fatal. */
static int walk(ekb_corpus *c, const char *dir, const char *rel_prefix, unsigned depth, bool as_corpus,
                ekb_diags *d)
{
    DIR *dh = opendir(dir);
    if (!dh)
        return ekb_diags_add(d, dir, 0, 0, EKB_ERROR, "load.io", NULL, NULL, "cannot open folder: %s",
                             strerror(errno)) ? -1 : 0;
    dir_item *items = NULL;
    size_t n = 0, cap = 0;
    int r = 0;
    struct dirent *de;
    while ((de = readdir(dh)) != NULL) {
        if (de->d_name[0] == '.')
            continue; /* ., .., hidden files and editors' swap files */
        if (ekb_grow(&items, &cap, n, sizeof *items, 64) != 0) {
            r = -1;
            break;
        }
        items[n].type = de->d_type;
        if (!(items[n++].name = strdup(de->d_name))) {
            r = -1;
            break;
        }
    }
    closedir(dh);
    for (size_t i = 0; i < n && r == 0; i++) {
        const char *name = items[i].name;
        unsigned char type = items[i].type;
        char *full = ekb_path_join(dir, name);
        char *rel = *rel_prefix ? ekb_path_join(rel_prefix, name) : strdup(name);
        if (!full || !rel) {
            free(full);
            free(rel);
            r = -1;
            break;
        }
        struct stat lst, st;
        bool keep = false;
        /* readdir's type spares a stat per file; links and unknowns get one */
        bool known = type == DT_REG || type == DT_DIR;
        if (known) {
            memset(&lst, 0, sizeof lst);
            lst.st_mode = type == DT_REG ? S_IFREG : S_IFDIR;
            st = lst;
        }
        if (!known && lstat(full, &lst) != 0) {
            r = ekb_diags_add(d, full, 0, 0, EKB_ERROR, "load.io", NULL, NULL, "cannot read: %s", strerror(errno));
        } else if (!known && stat(full, &st) != 0) {
            r = ekb_diags_add(d, full, 0, 0, EKB_ERROR, "load.io", NULL, NULL, "cannot follow link: %s", strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            if (S_ISLNK(lst.st_mode))
                r = ekb_diags_add(d, full, 0, 0, EKB_WARNING, "load.symlink", NULL, NULL,
                                  "not following a symbolic link to a folder");
            else if (depth >= MAX_WALK_DEPTH)
                r = ekb_diags_add(d, full, 0, 0, EKB_ERROR, "load.io", NULL, NULL,
                                  "folders nested deeper than %d levels", MAX_WALK_DEPTH);
            else
                r = walk(c, full, rel, depth + 1, as_corpus, d);
        } else if (S_ISREG(st.st_mode) && has_entry_extension(name)) {
            keep = true;
            r = add_file(c, full, as_corpus ? rel : NULL);
            if (r == 0 && !as_corpus) {
                c->files[c->n - 1].target = true;
                free(rel);
            }
        } else if (has_entry_extension(name)) {
            r = ekb_diags_add(d, full, 0, 0, EKB_ERROR, "load.io", NULL, NULL, "not a regular file");
        }
        if (!keep) {
            free(full);
            free(rel);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(items[i].name);
    free(items);
    return r < 0 ? -1 : 0;
}

static int rel_cmp(const void *a, const void *b)
{
    const ekb_corpus_file *x = a, *y = b;
    return strcmp(x->rel, y->rel);
}

/* Joins a walk-up path: "." + "entries" gives "entries", not "./entries". */
static char *join_display(const char *dir, const char *name)
{
    return strcmp(dir, ".") == 0 ? strdup(name) : ekb_path_join(dir, name);
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The entries folder: --corpus, else the nearest 'entries' folder at or above
 * the first path (or the current folder). NULL (no error) when there is none. */
static int find_entries_dir(const ekb_corpus_options *opt, char **out)
{
    *out = NULL;
    if (opt->corpus_dir) {
        *out = strdup(opt->corpus_dir);
        return *out ? 0 : -1;
    }
    const char *start = opt->n_paths ? opt->paths[0] : ".";
    char *cur = ekb_is_dir(start) ? strdup(start) : NULL;
    if (!cur) {
        const char *slash = strrchr(start, '/');
        cur = slash ? ekb_strndup(start, (size_t)(slash - start)) : strdup(".");
        if (cur && !*cur) {
            free(cur);
            cur = strdup("/");
        }
    }
    if (!cur)
        return -1;
    for (int level = 0; level < 64; level++) {
        char real[PATH_MAX];
        if (!realpath(cur, real))
            break;
        if (strcmp(base_name(real), "entries") == 0) {
            *out = cur;
            return 0;
        }
        char *cand = join_display(cur, "entries");
        if (!cand)
            break;
        if (ekb_is_dir(cand)) {
            free(cur);
            *out = cand;
            return 0;
        }
        free(cand);
        if (strcmp(real, "/") == 0)
            break;
        char *up = strcmp(cur, ".") == 0 ? strdup("..") : ekb_path_join(cur, "..");
        free(cur);
        if (!(cur = up))
            return -1;
    }
    free(cur);
    return 0;
}

static int load_schema(ekb_corpus *c, ekb_diags *d)
{
    ekb_limits lim = {.max_file_bytes = 16 << 20, .max_depth = 256};
    char *path = c->schema_dir ? ekb_path_join(c->schema_dir, "entry.schema.json") : NULL;
    if (c->schema_dir && !path)
        return -1;
    int r;
    char *base_uri = NULL;
    if (path && ekb_is_file(path)) {
        r = ekb_doc_load_file(path, &lim, &c->schema_doc, d);
        char real[PATH_MAX];
        if (r == 0 && realpath(path, real) && !(base_uri = ekb_asprintf("file://%s", real)))
            r = -1;
    } else {
        r = ekb_doc_load_buffer("<built-in entry.schema.json>", (const char *)ekb_builtin_entry_schema,
                                ekb_builtin_entry_schema_len, EKB_SYNTAX_JSON, &lim, &c->schema_doc, d);
    }
    if (r == 0) {
        char *err = NULL;
        ekb_schema_options so = {.base_dir = c->schema_dir};
        c->schema = ekb_schema_new(c->schema_doc->root, base_uri, &so, &err);
        if (!c->schema) {
            r = ekb_diags_add(d, c->schema_doc->path, 0, 0, EKB_ERROR, "schema.invalid", NULL, NULL,
                              "cannot use the schema: %s", err ? err : "out of memory") ? -1 : 1;
            free(err);
        }
    }
    free(path);
    free(base_uri);
    return r;
}

/* Marks corpus files below real_dir (a folder the user named) as targets,
 * shown below the name the user gave. Returns 1 when real_dir is inside the
 * corpus, 0 when not, -1 on memory. */
static int mark_corpus_dir(ekb_corpus *c, const char *shown, const char *real_dir, const char *real_entries)
{
    size_t el = strlen(real_entries);
    if (strncmp(real_dir, real_entries, el) != 0 || (real_dir[el] != '\0' && real_dir[el] != '/'))
        return 0;
    const char *prefix = real_dir[el] ? real_dir + el + 1 : "";
    size_t pl = strlen(prefix);
    for (size_t i = 0; i < c->n_corpus; i++) {
        ekb_corpus_file *f = &c->files[i];
        if (pl && (strncmp(f->rel, prefix, pl) != 0 || f->rel[pl] != '/'))
            continue;
        char *p = ekb_path_join(shown, f->rel + (pl ? pl + 1 : 0));
        if (!p)
            return -1;
        free(f->path);
        f->path = p;
        f->target = true;
    }
    return 1;
}

static int mark_targets(ekb_corpus *c, const ekb_corpus_options *opt, ekb_diags *d)
{
    char real_entries[PATH_MAX] = "";
    if (c->entries_dir && !realpath(c->entries_dir, real_entries))
        real_entries[0] = '\0';
    if (opt->n_paths == 0) {
        if (!c->entries_dir)
            return ekb_diags_add(d, "", 0, 0, EKB_ERROR, "usage.no-corpus", NULL, NULL,
                                 "no entries folder here or above; name files or use --corpus") ? -1 : 1;
        return mark_corpus_dir(c, c->entries_dir, real_entries, real_entries) < 0 ? -1 : 0;
    }
    int status = 0;
    for (size_t i = 0; i < opt->n_paths; i++) {
        const char *p = opt->paths[i];
        char real[PATH_MAX];
        struct stat st;
        if (stat(p, &st) != 0 || !realpath(p, real)) {
            if (ekb_diags_add(d, p, 0, 0, EKB_ERROR, "load.io", NULL, NULL, "cannot open: %s", strerror(errno)))
                return -1;
            status = 1;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            int m = *real_entries ? mark_corpus_dir(c, p, real, real_entries) : 0;
            if (m < 0)
                return -1;
            if (m == 0 && walk(c, p, "", 0, false, d) < 0)
                return -1;
            continue;
        }
        size_t el = strlen(real_entries);
        ekb_corpus_file *hit = NULL;
        if (*real_entries && strncmp(real, real_entries, el) == 0 && real[el] == '/') {
            ekb_corpus_file key = {.rel = real + el + 1};
            hit = c->n_corpus ? bsearch(&key, c->files, c->n_corpus, sizeof key, rel_cmp) : NULL;
        }
        char *shown = strdup(p);
        if (!shown)
            return -1;
        if (hit) {
            free(hit->path);
            hit->path = shown;
            hit->target = true;
        } else {
            if (add_file(c, shown, NULL) != 0) {
                free(shown);
                return -1;
            }
            c->files[c->n - 1].target = true;
        }
    }
    return status;
}

/* --- lazy listing: the named files and what their links name --- */

#define LAZY_MAX_FILES 63 /* beyond this, listing the folder is cheaper */

/* Adds entries_dir/<id>.<ext> for each extension that exists, unless the
 * corpus lists that path already. Returns 0 or -1. */
static int lazy_add_id(ekb_corpus *c, const char *id)
{
    /* ids come from files the user is checking: accept only their alphabet */
    if (strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-/") != strlen(id) || strstr(id, "//") || *id == '/')
        return 0;
    static const char *const exts[] = {".json", ".yaml", ".yml"};
    for (size_t k = 0; k < sizeof exts / sizeof *exts; k++) {
        char *rel = ekb_asprintf("%s%s", id, exts[k]);
        if (!rel)
            return -1;
        bool known = false;
        for (size_t i = 0; i < c->n && !known; i++)
            known = c->files[i].rel && strcmp(c->files[i].rel, rel) == 0;
        char *path = known ? NULL : ekb_path_join(c->entries_dir, rel);
        if (!known && !path) {
            free(rel);
            return -1;
        }
        if (!known && ekb_is_file(path)) {
            if (add_file(c, path, rel) != 0) {
                free(path);
                free(rel);
                return -1;
            }
            continue;
        }
        free(path);
        free(rel);
    }
    return 0;
}

static const char *lazy_link_id(json_t *link)
{
    return json_is_string(link) ? json_string_value(link) : json_string_value(json_object_get(link, "id"));
}

/* The lazy listing, or 1 when the paths do not allow it (list the folder). */
static int lazy_list(ekb_corpus *c, const ekb_corpus_options *opt)
{
    if (!c->entries_dir || opt->n_paths == 0 || opt->n_paths > LAZY_MAX_FILES || opt->changed_since)
        return 1;
    char real_entries[PATH_MAX];
    if (!realpath(c->entries_dir, real_entries))
        return 1;
    size_t el = strlen(real_entries);
    char **rels = calloc(opt->n_paths, sizeof *rels);
    if (!rels)
        return -1;
    int r = 0;
    for (size_t i = 0; i < opt->n_paths && r == 0; i++) {
        char real[PATH_MAX];
        struct stat st;
        if (stat(opt->paths[i], &st) != 0 || !S_ISREG(st.st_mode) || !realpath(opt->paths[i], real) ||
            strncmp(real, real_entries, el) != 0 || real[el] != '/' || !has_entry_extension(real))
            r = 1; /* a folder, a file elsewhere, or a problem the full path reports */
        else if (!(rels[i] = strdup(real + el + 1)))
            r = -1;
    }
    ekb_diags ignored; /* the files' own problems are reported when they are checked */
    ekb_diags_init(&ignored);
    for (size_t i = 0; i < opt->n_paths && r == 0; i++) {
        char *id = ekb_id_from_rel(rels[i]);
        if (id && lazy_add_id(c, id) != 0)
            r = -1;
        /* a file whose path gives no id is still listed, so the layout rule sees it */
        if (r == 0 && !id) {
            char *path = ekb_path_join(c->entries_dir, rels[i]);
            char *rel = strdup(rels[i]);
            if (!path || !rel || add_file(c, path, rel) != 0) {
                free(path);
                free(rel);
                r = -1;
            }
        }
        free(id);
        ekb_doc *doc = NULL;
        if (r == 0 && ekb_doc_load_file(opt->paths[i], &c->policy.limits, &doc, &ignored) < 0)
            r = -1;
        json_t *graph = doc ? json_object_get(doc->root, "transition_graph") : NULL;
        const char *key;
        json_t *list;
        json_object_foreach(graph, key, list) {
            size_t k;
            json_t *link;
            json_array_foreach(list, k, link) {
                const char *t = lazy_link_id(link);
                if (r == 0 && t && lazy_add_id(c, t) != 0)
                    r = -1;
            }
        }
        ekb_doc_free(doc);
    }
    ekb_diags_free(&ignored);
    for (size_t i = 0; i < opt->n_paths; i++)
        free(rels[i]);
    free(rels);
    return r;
}

int ekb_corpus_open(ekb_corpus *c, const ekb_corpus_options *opt, ekb_diags *d)
{
    memset(c, 0, sizeof *c);
    if (find_entries_dir(opt, &c->entries_dir) != 0)
        return -1;
    if (c->entries_dir && !ekb_is_dir(c->entries_dir)) {
        int r = ekb_diags_add(d, c->entries_dir, 0, 0, EKB_ERROR, "load.io", NULL, NULL,
                              "corpus folder does not exist") ? -1 : 1;
        return r;
    }
    if (c->entries_dir) {
        if (!(c->root = ekb_path_join(c->entries_dir, "..")))
            return -1;
        char *sd = ekb_path_join(c->root, "schema");
        if (!sd)
            return -1;
        if (ekb_is_dir(sd))
            c->schema_dir = sd;
        else
            free(sd);
    }
    int r = ekb_policy_load(&c->policy, c->schema_dir, d);
    if (r != 0)
        return r;
    if (!opt->no_schema && (r = load_schema(c, d)) != 0)
        return r;
    int lazy = opt->lazy_listing ? lazy_list(c, opt) : 1;
    if (lazy < 0)
        return -1;
    if (lazy == 1 && c->n > 0) {
        /* lazy listing gave up half-way: start the list again */
        for (size_t i = 0; i < c->n; i++) {
            free(c->files[i].path);
            free(c->files[i].rel);
            free(c->files[i].id);
        }
        c->n = 0;
    }
    if (c->entries_dir) {
        if (lazy == 1 && walk(c, c->entries_dir, "", 0, true, d) < 0)
            return -1;
        c->n_corpus = c->n;
        qsort(c->files, c->n, sizeof *c->files, rel_cmp);
    }
    r = mark_targets(c, opt, d);
    if (r == 0 && opt->changed_since)
        r = ekb_corpus_mark_changed(c, opt->changed_since, opt->jobs, d);
    return r;
}

static int free_one(void *ctx, size_t i, ekb_diags *d)
{
    (void)d;
    ekb_corpus_file *f = &((ekb_corpus *)ctx)->files[i];
    free(f->path);
    free(f->rel);
    free(f->id);
    ekb_doc_free(f->doc);
    free(f->self_id);
    for (size_t k = 0; k < f->n_confused; k++)
        free(f->confused[k]);
    free(f->confused);
    return 0;
}

void ekb_corpus_close(ekb_corpus *c)
{
    /* Freeing ten thousand parsed files is real work: share it out too. */
    if (ekb_parallel_for(c->n, 0, free_one, c, NULL) != 0)
        for (size_t i = 0; i < c->n; i++)
            free_one(c, i, NULL);
    free(c->files);
    ekb_schema_free(c->schema);
    ekb_doc_free(c->schema_doc);
    ekb_policy_free(&c->policy);
    free(c->root);
    free(c->entries_dir);
    free(c->schema_dir);
    memset(c, 0, sizeof *c);
}

int ekb_corpus_file_load(ekb_corpus *c, ekb_corpus_file *f, ekb_diags *d)
{
    if (f->load_tried)
        return 0;
    f->load_tried = true;
    if (ekb_doc_load_file(f->path, &c->policy.limits, &f->doc, d) < 0)
        return -1;
    f->loaded = f->doc != NULL;
    return 0;
}

typedef struct load_job {
    ekb_corpus *c;
    size_t *idx;
} load_job;

static int load_one(void *ctx, size_t i, ekb_diags *d)
{
    load_job *j = ctx;
    return ekb_corpus_file_load(j->c, &j->c->files[j->idx[i]], d);
}

int ekb_corpus_load(ekb_corpus *c, bool all, unsigned jobs, ekb_diags *d)
{
    size_t *idx = malloc((c->n + 1) * sizeof *idx);
    if (!idx)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < c->n; i++)
        if ((all || c->files[i].target) && !c->files[i].load_tried)
            idx[m++] = i;
    load_job j = {c, idx};
    int r = ekb_parallel_for(m, jobs, load_one, &j, d);
    free(idx);
    return r;
}

static size_t lower_bound_prefix(const ekb_corpus *c, const char *id, size_t idl)
{
    size_t lo = 0, hi = c->n_corpus;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strncmp(c->files[mid].rel, id, idl) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const ekb_corpus_file *ekb_corpus_find_other(const ekb_corpus *c, const char *id, const ekb_corpus_file *f)
{
    size_t idl = strlen(id), i;
    if (f >= c->files && f < c->files + c->n_corpus && f->rel && strncmp(f->rel, id, idl) == 0) {
        /* f lies in the run of files whose path starts with id: its start
         * is a few steps back, not a search away (every file asks) */
        for (i = (size_t)(f - c->files); i > 0 && strncmp(c->files[i - 1].rel, id, idl) == 0; i--)
            ;
    } else {
        i = lower_bound_prefix(c, id, idl);
    }
    for (; i < c->n_corpus && strncmp(c->files[i].rel, id, idl) == 0; i++)
        if (&c->files[i] != f && c->files[i].id && strcmp(c->files[i].id, id) == 0)
            return &c->files[i];
    return NULL;
}

ekb_corpus_file *ekb_corpus_find(const ekb_corpus *c, const char *id)
{
    /* files are sorted by rel, and rel = id + extension; ids sort the same
     * way up to the extension, so search by prefix and check. */
    size_t idl = strlen(id);
    for (size_t i = lower_bound_prefix(c, id, idl); i < c->n_corpus && strncmp(c->files[i].rel, id, idl) == 0; i++)
        if (c->files[i].id && strcmp(c->files[i].id, id) == 0)
            return &c->files[i];
    return NULL;
}

size_t ekb_corpus_count_targets(const ekb_corpus *c, bool loaded_only)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++)
        k += c->files[i].target && (!loaded_only || c->files[i].loaded);
    return k;
}

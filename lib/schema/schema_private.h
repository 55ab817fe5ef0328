/* schema_private.h: the compiled schema tree and the helpers shared by the
 * validator's files (compile, resolve, validate, format, messages, ...).
 * Everything here is internal to lib/schema/; the public contract is
 * ../schema.h. Cross-file helpers use the prefix ekb_schema_ too, so the
 * static library adds no name outside its own space. */
#ifndef EKB_SCHEMA_PRIVATE_H
#define EKB_SCHEMA_PRIVATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "../schema.h"
#include "../util.h"

/* Type bits of the 'type' keyword. */
enum {
    EKB_T_NULL = 1u << 0,
    EKB_T_BOOLEAN = 1u << 1,
    EKB_T_OBJECT = 1u << 2,
    EKB_T_ARRAY = 1u << 3,
    EKB_T_NUMBER = 1u << 4,
    EKB_T_STRING = 1u << 5,
    EKB_T_INTEGER = 1u << 6,
};

typedef enum ekb_format {
    EKB_FMT_NONE = 0,
    EKB_FMT_DATE,
    EKB_FMT_DATE_TIME,
    EKB_FMT_URI,
    EKB_FMT_EMAIL,
    EKB_FMT_REGEX,
    EKB_FMT_IPV4,
    EKB_FMT_IPV6,
} ekb_format;

/* Flags of a compiled node: which numeric and size limits are present. */
enum {
    EKB_N_MINIMUM = 1u << 0,
    EKB_N_MAXIMUM = 1u << 1,
    EKB_N_XMINIMUM = 1u << 2,
    EKB_N_XMAXIMUM = 1u << 3,
    EKB_N_MULTIPLE = 1u << 4,
    EKB_N_MINLEN = 1u << 5,
    EKB_N_MAXLEN = 1u << 6,
    EKB_N_MINITEMS = 1u << 7,
    EKB_N_MAXITEMS = 1u << 8,
    EKB_N_MINPROPS = 1u << 9,
    EKB_N_MAXPROPS = 1u << 10,
    EKB_N_MINCONTAINS = 1u << 11,
    EKB_N_MAXCONTAINS = 1u << 12,
    EKB_N_UNIQUE = 1u << 13,
    EKB_N_CONST = 1u << 14,
    EKB_N_ENUM = 1u << 15,
    EKB_N_TYPE = 1u << 16,
};

/* A number from the schema, kept exact when it is an integer. */
typedef struct ekb_num {
    bool is_int;
    json_int_t i;
    double d;
} ekb_num;

typedef struct ekb_regex {
    pcre2_code *code;   /* owned */
    const char *source; /* borrowed from the schema document */
} ekb_regex;

typedef struct ekb_node ekb_node;

typedef struct ekb_prop {
    const char *name; /* borrowed key of the schema document */
    size_t len;
    ekb_node *sub;
} ekb_prop;

typedef struct ekb_pattern_prop {
    ekb_regex re;
    ekb_node *sub;
} ekb_pattern_prop;

typedef struct ekb_name {
    const char *s;
    size_t len;
} ekb_name;

typedef struct ekb_dep_required {
    ekb_name key;
    ekb_name *names;
    size_t n;
} ekb_dep_required;

typedef struct ekb_dep_schema {
    ekb_name key;
    ekb_node *sub;
} ekb_dep_schema;

/* One compiled (sub)schema. Read-only after ekb_schema_new. */
struct ekb_node {
    const json_t *src;     /* the schema value (borrowed from a kept document) */
    char *path;            /* schema location, "" for the root document's root */
    const char *parent_kw; /* keyword this schema is the value of; "" at a root */
    int rid;               /* schema resource it belongs to (dynamic scope) */
    bool is_bool, bool_val;
    bool has_uneval; /* unevaluatedProperties or unevaluatedItems present */
    unsigned flags;
    unsigned types;
    ekb_format format;
    const char *format_name;
    const json_t *const_v;
    const json_t *enum_v; /* array */
    ekb_num minimum, maximum, xminimum, xmaximum, multiple_of;
    size_t min_len, max_len, min_items, max_items, min_props, max_props;
    size_t min_contains, max_contains;
    ekb_regex pattern; /* code NULL when there is no 'pattern' */
    ekb_name *required;
    size_t nrequired;
    ekb_prop *props; /* sorted by (len, bytes) for binary search */
    size_t nprops;
    ekb_pattern_prop *pprops;
    size_t npprops;
    ekb_node *additional, *prop_names, *items, *contains;
    ekb_node *not_, *if_, *then_, *else_;
    ekb_node *uneval_props, *uneval_items;
    ekb_node **prefix;
    size_t nprefix;
    ekb_node **all_of, **any_of, **one_of;
    size_t nall_of, nany_of, none_of;
    ekb_dep_required *dep_req;
    size_t ndep_req;
    ekb_dep_schema *dep_sch;
    size_t ndep_sch;
    ekb_node *ref;
    ekb_node *dyn_ref;      /* static target of $dynamicRef */
    const char *dyn_name;   /* anchor name when the target bookends */
};

typedef struct ekb_resource {
    char *uri;           /* absolute, without fragment */
    const json_t *json;  /* the resource's root value */
    ekb_node *node;      /* its compiled root (may be NULL until compiled) */
    int rid;
} ekb_resource;

typedef struct ekb_anchor {
    char *uri; /* resource uri + "#" + name */
    ekb_node *node;
} ekb_anchor;

typedef struct ekb_dyn_anchor {
    int rid;
    const char *name; /* borrowed from the schema document */
    ekb_node *node;
} ekb_dyn_anchor;

struct ekb_schema {
    json_t **docs; /* owned references: the root, then fetched documents */
    size_t ndocs, capdocs;
    ekb_node **nodes; /* every node, for freeing */
    size_t nnodes, capnodes;
    ekb_node *root;
    ekb_resource *res;
    size_t nres, capres;
    int nrid;
    ekb_anchor *anchors;
    size_t nanchors, capanchors;
    ekb_dyn_anchor *dyn;
    size_t ndyn, capdyn;
    bool uses_dynamic;      /* some $dynamicRef bookends: track the dynamic scope */
    bool format_assertion;
    pcre2_match_context *mctx; /* read-only after compile: limits only */
};

/* Compile-time state (compile.c and resolve.c). */
typedef struct ekb_map_slot {
    const json_t *key;
    ekb_node *node;
} ekb_map_slot;

typedef struct ekb_pending_ref {
    ekb_node *node;
    char *uri;       /* resolved absolute reference */
    bool dynamic;
} ekb_pending_ref;

typedef struct ekb_compiler {
    ekb_schema *s;
    ekb_schema_options opt;
    char *err; /* first error, malloc'd; NULL with failed = out of memory */
    bool failed;
    ekb_map_slot *map;
    size_t mapcap, mapn;
    ekb_pending_ref *pend;
    size_t npend, cappend;
    char *dirs[4]; /* URI folders whose files map to opt.base_dir */
    size_t ndirs;
} ekb_compiler;

/* compile.c */
/* A schema location for a message: "" reads badly, the root is shown as "/". */
static inline const char *ekb_schema_where(const char *path) { return path[0] ? path : "/"; }
ekb_node *ekb_schema_compile_node(ekb_compiler *cp, const json_t *j, const char *base,
                                  const char *path, int rid, const char *parent_kw,
                                  bool doc_root);
void ekb_schema_fail(ekb_compiler *cp, const char *fmt, ...) EKB_PRINTF(2, 3);
void ekb_schema_oom(ekb_compiler *cp);

/* resolve.c */
ekb_node *ekb_schema_map_get(const ekb_compiler *cp, const json_t *key);
int ekb_schema_map_put(ekb_compiler *cp, const json_t *key, ekb_node *node);
int ekb_schema_add_resource(ekb_compiler *cp, const char *uri, const json_t *json,
                            ekb_node *node, int rid);
int ekb_schema_add_anchor(ekb_compiler *cp, const char *base, const char *name,
                          ekb_node *node, bool dynamic);
int ekb_schema_add_pending(ekb_compiler *cp, ekb_node *node, const char *base,
                           const char *ref, bool dynamic);
ekb_node *ekb_schema_add_document(ekb_compiler *cp, json_t *doc, const char *uri, bool owned);
int ekb_schema_resolve_all(ekb_compiler *cp);

/* uri.c */
char *ekb_schema_uri_resolve(const char *base, const char *ref);
/* Copy of uri without its fragment; *frag (if not NULL) points into uri
 * after the '#', or is NULL when there is none. */
char *ekb_schema_uri_strip(const char *uri, const char **frag);
/* Percent-decodes n bytes; NULL on failure (OOM or bad escape). */
char *ekb_schema_pct_decode(const char *s, size_t n, size_t *outlen);

/* regex.c */
/* Compiles an ECMA-262 style pattern; returns NULL and sets *err (malloc'd)
 * on failure, or NULL with *err NULL when out of memory. */
pcre2_code *ekb_schema_regex_compile(const char *src, size_t len, char **err);
/* 1 match, 0 no match, -1 out of memory, -2 a match limit was hit. */
int ekb_schema_regex_match(const pcre2_code *code, const pcre2_match_context *mctx,
                           pcre2_match_data *md, const char *s, size_t len);

/* format.c */
ekb_format ekb_schema_format_kind(const char *name);
/* 1 valid, 0 invalid, -1 out of memory. */
int ekb_schema_format_check(ekb_format f, const char *s, size_t len);
const char *ekb_schema_format_noun(ekb_format f);

/* value.c */
void ekb_schema_num_of(const json_t *j, ekb_num *out);
int ekb_schema_num_cmp(const ekb_num *a, const ekb_num *b);
bool ekb_schema_is_multiple(const ekb_num *x, const ekb_num *m);
bool ekb_schema_num_is_integral(const json_t *j);
bool ekb_schema_json_equal(const json_t *a, const json_t *b);
uint64_t ekb_schema_json_hash(const json_t *j);
/* Finds two equal items; returns 1 and sets *i < *j, 0 when all unique, -1 on OOM. */
int ekb_schema_find_duplicate(const json_t *arr, size_t *i, size_t *j);

/* messages.c */
void ekb_schema_add_subject(ekb_strbuf *sb, const json_t *v);
void ekb_schema_add_quoted(ekb_strbuf *sb, const char *s, size_t n, size_t max);
void ekb_schema_add_num(ekb_strbuf *sb, const ekb_num *n);
/* "expected <the types>, found <the type of found>" */
void ekb_schema_add_type_mismatch(ekb_strbuf *sb, unsigned types, const json_t *found);
void ekb_schema_add_enum(ekb_strbuf *sb, const json_t *arr);

#endif

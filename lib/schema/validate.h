/* validate.h: per-call validation state, shared by validate.c (evaluation),
 * assert.c (assertion keywords), annot.c (annotations for unevaluated*) and
 * report.c (where errors go). Nothing here outlives one ekb_schema_validate
 * call, so one compiled schema serves several threads at once. */
#ifndef EKB_SCHEMA_VALIDATE_H
#define EKB_SCHEMA_VALIDATE_H

#include "schema_private.h"

/* Where errors go. QUIET: nowhere, and evaluation stops at the first
 * failure (only the verdict is wanted). EMIT: to the caller's callback.
 * BUF: into a buffer, to pick the closest branch of anyOf/oneOf later. */
enum { EKB_M_QUIET, EKB_M_EMIT, EKB_M_BUF };

/* One step of the instance location; the pointer string is built only when
 * an error is reported. */
typedef struct ekb_seg {
    const char *key; /* NULL for an array index */
    size_t len;      /* key length, or the index */
} ekb_seg;

typedef struct ekb_errrec {
    char *iptr, *sptr, *msg;
    const char *kw;
    const json_t *inst;
    bool at_key;
    size_t depth;   /* instance depth of the error */
    unsigned types; /* expected types of a 'type' error, else 0 */
} ekb_errrec;

typedef struct ekb_errbuf {
    ekb_errrec *v;
    size_t n, cap;
} ekb_errbuf;

/* Annotations about one instance location, for unevaluatedProperties and
 * unevaluatedItems: which properties and items some subschema evaluated. */
typedef struct ekb_ann {
    bool all_props, all_items;
    size_t prefix; /* items [0, prefix) were evaluated */
    ekb_name *keys;
    size_t nkeys, capkeys;
    size_t *idx;
    size_t nidx, capidx;
} ekb_ann;

typedef struct ekb_vctx {
    const ekb_schema *s;
    ekb_schema_error_fn cb;
    void *cbctx;
    int mode;
    ekb_errbuf *buf;
    ekb_seg *segs;
    size_t nseg, capseg;
    int *scope; /* dynamic scope: resource ids, outermost first */
    size_t nscope, capscope;
    pcre2_match_data *md;
    unsigned depth;
    bool stopped; /* the callback asked to stop */
    bool key_as_instance; /* propertyNames: the instance is the key itself */
} ekb_vctx;

/* report.c */
int ekb_schema_seg_push(ekb_vctx *c, const char *key, size_t len);
int ekb_schema_seg_push_index(ekb_vctx *c, size_t i);
/* The value being validated as the subject of a message, named by its
 * member when it is one: "fail_rate 1.7", "resolvable 'yes'". */
void ekb_schema_add_instance(ekb_strbuf *sb, const ekb_vctx *c, const json_t *inst);
static inline void ekb_schema_seg_pop(ekb_vctx *c) { c->nseg--; }
/* Reports an error whose message is in sb (always consumed). kw names the
 * keyword, and with n gives the schema location; n's own location when kw
 * is NULL (a false schema). Returns 0, or -1 when out of memory. */
int ekb_schema_emit(ekb_vctx *c, const ekb_node *n, const char *kw, const char *err_kw, const json_t *inst,
                    bool at_key, unsigned types, ekb_strbuf *sb);
int ekb_schema_deliver(ekb_vctx *c, ekb_errrec *r);
/* ekb_schema_eval with the errors kept in buf, to be looked at first. */
int ekb_schema_eval_into(ekb_vctx *c, ekb_errbuf *buf, const ekb_node *n, const json_t *inst, ekb_ann *a);
void ekb_schema_errbuf_free(ekb_errbuf *b);
/* anyOf/oneOf with no passing branch: evaluates every branch again into a
 * buffer and passes on the errors of the closest one. Returns 0 or -1. */
int ekb_schema_report_closest(ekb_vctx *c, const ekb_node *n, const char *kw, ekb_node *const *br, size_t nb,
                              const json_t *inst, ekb_ann *a);

/* annot.c */
void ekb_schema_ann_free(ekb_ann *a);
int ekb_schema_ann_key(ekb_ann *a, const char *k, size_t len);
int ekb_schema_ann_index(ekb_ann *a, size_t i);
int ekb_schema_ann_merge(ekb_ann *dst, const ekb_ann *src);
bool ekb_schema_ann_has_key(const ekb_ann *a, const char *k, size_t len);
bool ekb_schema_ann_has_index(const ekb_ann *a, size_t i);

/* assert.c: each returns 1 valid, 0 invalid, -1 out of memory */
int ekb_schema_check_type(ekb_vctx *c, const ekb_node *n, const json_t *inst);
int ekb_schema_check_value(ekb_vctx *c, const ekb_node *n, const json_t *inst); /* const, enum */
int ekb_schema_check_string(ekb_vctx *c, const ekb_node *n, const json_t *inst);
int ekb_schema_check_number(ekb_vctx *c, const ekb_node *n, const json_t *inst);
int ekb_schema_check_object(ekb_vctx *c, const ekb_node *n, const json_t *inst);
int ekb_schema_check_array(ekb_vctx *c, const ekb_node *n, const json_t *inst);
int ekb_schema_match(ekb_vctx *c, const pcre2_code *code, const char *s, size_t len);

/* validate.c */
int ekb_schema_eval(ekb_vctx *c, const ekb_node *n, const json_t *inst, ekb_ann *a);

/* Evaluation step: stop at a failure when only the verdict counts. */
#define EKB_STEP(c, ok, expr)                                   \
    do {                                                        \
        int r_ = (expr);                                        \
        if (r_ < 0)                                             \
            return -1;                                          \
        if (r_ == 0) {                                          \
            (ok) = 0;                                           \
            if ((c)->mode == EKB_M_QUIET || (c)->stopped)       \
                return 0;                                       \
        }                                                       \
    } while (0)

#endif

/* policy.h: the corpus policy (schema/policy.yaml): data the tools read. */
#ifndef EKB_POLICY_H
#define EKB_POLICY_H

#include <jansson.h>

#include "diag.h"
#include "doc.h"

typedef struct ekb_policy {
    ekb_limits limits;
    unsigned max_diagnostics_per_file;
    unsigned staleness_days;
    ekb_doc *doc; /* the whole policy document, for the sections a tool reads itself */
} ekb_policy;

/* Loads schema_dir/policy.yaml, or the built-in policy when schema_dir is
 * NULL or has none. Problems are reported into d. Returns 0, 1 when the
 * policy is unusable, -1 on memory. */
int ekb_policy_load(ekb_policy *p, const char *schema_dir, ekb_diags *d);
void ekb_policy_free(ekb_policy *p);

/* Reads an unsigned integer at pointer in the policy; def when absent.
 * A present value of the wrong type is reported once into d. */
unsigned long ekb_policy_uint(const ekb_policy *p, const char *pointer, unsigned long def, ekb_diags *d);
double ekb_policy_number(const ekb_policy *p, const char *pointer, double def, ekb_diags *d);
/* Borrowed value at pointer, NULL when absent. */
json_t *ekb_policy_get(const ekb_policy *p, const char *pointer);

/* Value at an RFC 6901 pointer in root (borrowed), NULL when absent. */
json_t *ekb_json_pointer_get(json_t *root, const char *pointer);

/* One pointer segment of n bytes at p with ~0 and ~1 decoded: malloc'd,
 * its length in *len (when len is not NULL); NULL on memory. */
char *ekb_json_pointer_segment(const char *p, size_t n, size_t *len);

/* The member or item of v (borrowed) a decoded segment names, NULL when
 * none: a key of an object, a decimal index of an array. */
json_t *ekb_json_pointer_step(json_t *v, const char *seg, size_t len);

#endif

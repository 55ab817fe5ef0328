/* schema.h: JSON Schema draft 2020-12 validator over jansson values.
 *
 * A schema is compiled once (ekb_schema_new) into a read-only tree; validating
 * never modifies it, so one ekb_schema may be used by several threads at once.
 * The validator knows nothing about files or positions: it reports each error
 * with the JSON pointer of the offending instance value, and the caller turns
 * that into file:line:col. */
#ifndef EKB_SCHEMA_H
#define EKB_SCHEMA_H

#include <jansson.h>
#include <stdbool.h>

typedef struct ekb_schema ekb_schema;

/* Resolves a URI that no loaded schema resource declares (a remote $ref).
 * Returns a new reference to the document, or NULL when unknown. */
typedef json_t *(*ekb_schema_fetch_fn)(void *ctx, const char *uri);

typedef struct ekb_schema_options {
    /* Folder that relative file references ("other.json#/$defs/x") resolve
     * against when no fetch callback knows them; NULL for none. */
    const char *base_dir;
    ekb_schema_fetch_fn fetch; /* may be NULL */
    void *fetch_ctx;
    bool no_format_assertion;  /* true: 'format' is an annotation only */
} ekb_schema_options;

/* Compiles root (borrowed; the schema keeps its own reference). base_uri is
 * the retrieval URI of the document (NULL for none). On failure returns NULL
 * and, if errmsg is not NULL, sets *errmsg to a malloc'd message naming the
 * offending keyword and its schema location (caller frees). */
ekb_schema *ekb_schema_new(json_t *root, const char *base_uri,
                           const ekb_schema_options *opt, char **errmsg);
void ekb_schema_free(ekb_schema *schema);

typedef struct ekb_schema_error {
    const char *instance_pointer; /* RFC 6901 pointer into the instance, "" = root */
    /* "maximum", "required", "additionalProperties", ...; for a false
     * schema, the keyword it stands under ("items", "$ref", ...), or "false"
     * at the root or under $defs */
    const char *keyword;
    /* keyword location, e.g. "/properties/x/maximum", relative to the root
     * document; "uri#/pointer" for a schema from another document */
    const char *schema_pointer;
    const char *message;          /* says what was expected and what was found */
    const json_t *instance;       /* the offending value (borrowed) */
    /* true when the error is about a property name rather than its value
     * (additionalProperties, propertyNames, unevaluatedProperties, a
     * disallowed key): the caller should point at the key. instance is
     * then still the property's value. */
    bool at_key;
} ekb_schema_error;

/* Called once per error; every pointer in err is valid only during the call.
 * Return nonzero to stop validating. */
typedef int (*ekb_schema_error_fn)(void *ctx, const ekb_schema_error *err);

/* Validates instance. Returns 1 when valid, 0 when invalid (cb, if not NULL,
 * was called for each error), -1 on internal failure (out of memory).
 * One root cause gives one error: applicators (anyOf, oneOf, if/then/else,
 * not, $ref) report only the failures of the branch that came closest. */
int ekb_schema_validate(const ekb_schema *schema, const json_t *instance,
                        ekb_schema_error_fn cb, void *ctx);

#endif

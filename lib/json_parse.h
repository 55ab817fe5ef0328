/* json_parse.h: a fast parser for valid JSON texts into jansson values. */
#ifndef EKB_JSON_PARSE_H
#define EKB_JSON_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Parses len bytes of JSON text (any value at the top) into the value
 * json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY) returns.
 * Returns a new reference, or NULL when the text is not valid, has a
 * duplicate key or \u0000, is out of jansson's ranges, or memory ran out:
 * the caller then asks jansson, which reports the cause. */
json_t *ekb_json_parse(const char *text, size_t len);
/* What the reader saw of a text's shape as it read it, so that nothing
 * needs a second walk of the tree: how deeply containers nest (0: none, 1:
 * a container of scalars, ...), and the sizes ekb_cv_freeze counts (see
 * ekb_cv_shape). */
typedef struct ekb_json_shape {
    unsigned levels;
    size_t nodes, key_bytes, bytes;
} ekb_json_shape;
json_t *ekb_json_parse_shape(const char *text, size_t len, ekb_json_shape *shape);

/* JSON white space, shared with the position scanner (doc_json.c). */
static inline bool ekb_json_is_ws(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

#endif

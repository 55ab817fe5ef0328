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
/* The same, also saying in *levels how deeply containers nest (0: none, 1:
 * a container of scalars, ...), so that a depth limit needs no second walk. */
json_t *ekb_json_parse_levels(const char *text, size_t len, unsigned *levels);

/* JSON white space, shared with the position scanner (doc_json.c). */
static inline bool ekb_json_is_ws(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

#endif

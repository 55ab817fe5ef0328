/* cv.h: a parsed entry frozen into one compact, read-only block.
 *
 * errkb-compile keeps the whole corpus until the index is built: as jansson
 * values that is 29 million allocations and 1.85 GB at 100,000 entries,
 * and first touches of that much memory were a fifth of the compile's CPU.
 * A frozen value holds the same tree in one malloc'd block: 16-byte nodes,
 * the strings after them, no hash tables. The index builder and the regex
 * checks read entries through it; the jansson value can then go as soon as
 * the file is checked. Objects keep their members in jansson's order and
 * are searched linearly (an entry object has a few dozen members). */
#ifndef EKB_CV_H
#define EKB_CV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum ekb_cv_type {
    EKB_CV_NULL, EKB_CV_FALSE, EKB_CV_TRUE, EKB_CV_INTEGER, EKB_CV_REAL, EKB_CV_STRING, EKB_CV_ARRAY, EKB_CV_OBJECT
} ekb_cv_type;

/* One node. An array's n items, or an object's n members as key, value
 * pairs (2n nodes, the key a string), lie side by side at kids. */
typedef struct ekb_cv {
    uint8_t type;
    /* a string's first bytes (zero-padded), in what would be padding: a
     * member is looked up without reading the keys it is not */
    char head[3];
    uint32_t n; /* string length, items or members */
    union {
        const char *s; /* NUL-terminated */
        const struct ekb_cv *kids;
        long long i;
        double d;
    } u;
} ekb_cv;

/* Freezes v (its depth is the loader's, so recursion is bounded) into one
 * block: free() it. NULL when out of memory or when a string is 4 GiB. */
ekb_cv *ekb_cv_freeze(const json_t *v);

/* The sizes of v's frozen block: 1 + its array items and twice its object
 * members, all the way down; the bytes of its keys and of its other
 * strings, each with its NUL. */
typedef struct ekb_cv_shape {
    size_t nodes, key_bytes, bytes;
} ekb_cv_shape;

/* ekb_cv_freeze when v's shape is known already (the JSON reader counts
 * it as it reads): no walk to count it. A shape that turns out too small
 * is not trusted: then v is counted as ekb_cv_freeze counts it. */
ekb_cv *ekb_cv_freeze_shaped(const json_t *v, ekb_cv_shape shape);

/* Every reader takes NULL and a value of any type: NULL, 0 or false out. */
static inline bool ekb_cv_is(const ekb_cv *v, ekb_cv_type t) { return v && v->type == t; }
static inline bool ekb_cv_is_string(const ekb_cv *v) { return ekb_cv_is(v, EKB_CV_STRING); }
static inline bool ekb_cv_is_array(const ekb_cv *v) { return ekb_cv_is(v, EKB_CV_ARRAY); }
static inline bool ekb_cv_is_object(const ekb_cv *v) { return ekb_cv_is(v, EKB_CV_OBJECT); }
static inline bool ekb_cv_is_null(const ekb_cv *v) { return ekb_cv_is(v, EKB_CV_NULL); }
static inline bool ekb_cv_is_integer(const ekb_cv *v) { return ekb_cv_is(v, EKB_CV_INTEGER); }
static inline bool ekb_cv_is_number(const ekb_cv *v)
{
    return v && (v->type == EKB_CV_INTEGER || v->type == EKB_CV_REAL);
}

static inline const char *ekb_cv_str(const ekb_cv *v) { return ekb_cv_is_string(v) ? v->u.s : NULL; }
static inline size_t ekb_cv_len(const ekb_cv *v) { return ekb_cv_is_string(v) ? v->n : 0; }
static inline long long ekb_cv_integer(const ekb_cv *v) { return ekb_cv_is_integer(v) ? v->u.i : 0; }
static inline double ekb_cv_number(const ekb_cv *v)
{
    return !v ? 0 : v->type == EKB_CV_INTEGER ? (double)v->u.i : v->type == EKB_CV_REAL ? v->u.d : 0;
}

/* Items of an array or members of an object; 0 for anything else. */
static inline size_t ekb_cv_size(const ekb_cv *v)
{
    return v && (v->type == EKB_CV_ARRAY || v->type == EKB_CV_OBJECT) ? v->n : 0;
}

/* Item i of an array, or NULL. */
static inline const ekb_cv *ekb_cv_at(const ekb_cv *a, size_t i)
{
    return ekb_cv_is_array(a) && i < a->n ? &a->u.kids[i] : NULL;
}

/* Member i of an object: its key (a string node) and its value; NULL past the end. */
static inline const ekb_cv *ekb_cv_key_at(const ekb_cv *o, size_t i)
{
    return ekb_cv_is_object(o) && i < o->n ? &o->u.kids[2 * i] : NULL;
}
static inline const ekb_cv *ekb_cv_value_at(const ekb_cv *o, size_t i)
{
    return ekb_cv_is_object(o) && i < o->n ? &o->u.kids[2 * i + 1] : NULL;
}

/* The value of member key, or NULL. */
const ekb_cv *ekb_cv_get(const ekb_cv *o, const char *key);

#endif

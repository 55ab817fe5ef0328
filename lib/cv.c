/* cv.c: freezing a jansson value into one block (see cv.h). Two walks: the
 * first counts nodes and string bytes, the second fills the block, each
 * container's children reserved side by side before they are filled.
 *
 * The block is the nodes, then every object key, then the other strings:
 * the keys of an object lie a few cache lines apart, not one per value
 * between them, for ekb_cv_get on entries long gone from the cache. */
#include "cv.h"

#include <stdlib.h>
#include <string.h>

/* Adds v's sizes to *z (a string over 4 GiB is refused by the filling). */
static void count(const json_t *v, ekb_cv_shape *z)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        z->bytes += json_string_length(v) + 1;
        break;
    case JSON_ARRAY: {
        size_t i;
        json_t *item;
        z->nodes += json_array_size(v);
        json_array_foreach((json_t *)v, i, item)
            count(item, z);
        break;
    }
    case JSON_OBJECT: {
        const char *key;
        size_t key_len;
        json_t *value;
        z->nodes += 2 * json_object_size(v);
        json_object_keylen_foreach((json_t *)v, key, key_len, value) {
            z->key_bytes += key_len + 1;
            count(value, z);
        }
        break;
    }
    default:
        break;
    }
}

typedef struct filler {
    ekb_cv *node, *node_end; /* next free node, and the end of the nodes */
    char *key_byte, *key_end; /* next free byte for a key, and the end of the keys */
    char *byte, *byte_end;    /* next free byte for another string, and the end */
    bool short_;              /* the block is too small (a shape was wrong) */
} filler;

/* The first bytes of a string, as a node keeps them in head. */
static void head_of(const char *s, size_t len, char head[3])
{
    for (size_t i = 0; i < 3; i++)
        head[i] = i < len ? s[i] : '\0';
}

static void put_string(filler *f, char **at, const char *end, ekb_cv *out, const char *s, size_t len)
{
    if (len > UINT32_MAX || (size_t)(end - *at) < len + 1) {
        f->short_ = true;
        return;
    }
    memcpy(*at, s, len);
    (*at)[len] = '\0';
    *out = (ekb_cv){.type = EKB_CV_STRING, .n = (uint32_t)len, .u.s = *at};
    head_of(s, len, out->head);
    *at += len + 1;
}

/* Takes n nodes side by side; NULL (and short_) when there is no room. */
static ekb_cv *take_nodes(filler *f, size_t n)
{
    if ((size_t)(f->node_end - f->node) < n) {
        f->short_ = true;
        return NULL;
    }
    ekb_cv *kids = f->node;
    f->node += n;
    return kids;
}

static void fill(filler *f, const json_t *v, ekb_cv *out)
{
    switch (json_typeof(v)) {
    case JSON_NULL: *out = (ekb_cv){.type = EKB_CV_NULL}; break;
    case JSON_TRUE: *out = (ekb_cv){.type = EKB_CV_TRUE}; break;
    case JSON_FALSE: *out = (ekb_cv){.type = EKB_CV_FALSE}; break;
    case JSON_INTEGER: *out = (ekb_cv){.type = EKB_CV_INTEGER, .u.i = json_integer_value(v)}; break;
    case JSON_REAL: *out = (ekb_cv){.type = EKB_CV_REAL, .u.d = json_real_value(v)}; break;
    case JSON_STRING:
        put_string(f, &f->byte, f->byte_end, out, json_string_value(v), json_string_length(v));
        break;
    case JSON_ARRAY: {
        size_t n = json_array_size(v), i;
        ekb_cv *kids = take_nodes(f, n);
        if (!kids)
            return;
        *out = (ekb_cv){.type = EKB_CV_ARRAY, .n = (uint32_t)n, .u.kids = kids};
        json_t *item;
        json_array_foreach((json_t *)v, i, item) {
            fill(f, item, &kids[i]);
            if (f->short_)
                return;
        }
        break;
    }
    case JSON_OBJECT: {
        size_t n = json_object_size(v), i = 0;
        ekb_cv *kids = take_nodes(f, 2 * n);
        if (!kids)
            return;
        *out = (ekb_cv){.type = EKB_CV_OBJECT, .n = (uint32_t)n, .u.kids = kids};
        const char *key;
        size_t key_len;
        json_t *value;
        json_object_keylen_foreach((json_t *)v, key, key_len, value) {
            put_string(f, &f->key_byte, f->key_end, &kids[2 * i], key, key_len);
            fill(f, value, &kids[2 * i + 1]);
            if (f->short_)
                return;
            i++;
        }
        break;
    }
    }
}

/* Freezes v into a block of that shape; NULL when out of memory, or (with
 * *short_ set) when v does not fit it. */
static ekb_cv *freeze_into(const json_t *v, ekb_cv_shape z, bool *short_)
{
    *short_ = false;
    if (z.nodes < 1 || z.nodes > UINT32_MAX || z.key_bytes > SIZE_MAX / 2 - z.bytes ||
        z.nodes > (SIZE_MAX - z.bytes - z.key_bytes) / sizeof(ekb_cv))
        return NULL;
    ekb_cv *block = malloc(z.nodes * sizeof *block + z.key_bytes + z.bytes);
    if (!block)
        return NULL;
    char *keys = (char *)(block + z.nodes);
    filler f = {block + 1, block + z.nodes, keys, keys + z.key_bytes, keys + z.key_bytes,
                keys + z.key_bytes + z.bytes, false};
    fill(&f, v, block);
    if (f.short_) {
        free(block);
        *short_ = true;
        return NULL;
    }
    return block;
}

ekb_cv *ekb_cv_freeze(const json_t *v)
{
    if (!v)
        return NULL;
    ekb_cv_shape z = {1, 0, 0};
    count(v, &z);
    bool short_;
    return freeze_into(v, z, &short_);
}

ekb_cv *ekb_cv_freeze_shaped(const json_t *v, ekb_cv_shape shape)
{
    if (!v)
        return NULL;
    bool short_;
    ekb_cv *cv = freeze_into(v, shape, &short_);
    return cv || !short_ ? cv : ekb_cv_freeze(v);
}

const ekb_cv *ekb_cv_get(const ekb_cv *o, const char *key)
{
    if (!ekb_cv_is_object(o))
        return NULL;
    size_t len = strlen(key);
    char head[3];
    head_of(key, len, head);
    for (size_t i = 0; i < o->n; i++) {
        const ekb_cv *k = &o->u.kids[2 * i];
        /* the length and first bytes, in the node, rule out nearly every
         * other member without reading its key (a cache miss, in a corpus
         * of frozen entries) */
        if (k->n == len && k->head[0] == head[0] && k->head[1] == head[1] && k->head[2] == head[2] &&
            (len <= 3 || memcmp(k->u.s + 3, key + 3, len - 3) == 0))
            return &o->u.kids[2 * i + 1];
    }
    return NULL;
}

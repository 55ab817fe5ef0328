/* annot.c: the annotations unevaluatedProperties and unevaluatedItems need:
 * the properties and items of one instance location that some subschema
 * already evaluated. Kept only while a schema with unevaluated* is in play. */
#include "validate.h"

#include <stdlib.h>
#include <string.h>

void ekb_schema_ann_free(ekb_ann *a)
{
    free(a->keys);
    free(a->idx);
    memset(a, 0, sizeof *a);
}

bool ekb_schema_ann_has_key(const ekb_ann *a, const char *k, size_t len)
{
    if (a->all_props)
        return true;
    for (size_t i = 0; i < a->nkeys; i++)
        if (a->keys[i].s == k || (a->keys[i].len == len && memcmp(a->keys[i].s, k, len) == 0))
            return true;
    return false;
}

bool ekb_schema_ann_has_index(const ekb_ann *a, size_t i)
{
    if (a->all_items || i < a->prefix)
        return true;
    for (size_t k = 0; k < a->nidx; k++)
        if (a->idx[k] == i)
            return true;
    return false;
}

int ekb_schema_ann_key(ekb_ann *a, const char *k, size_t len)
{
    if (ekb_schema_ann_has_key(a, k, len))
        return 0;
    if (ekb_grow(&a->keys, &a->capkeys, a->nkeys, sizeof *a->keys, 8) != 0)
        return -1;
    a->keys[a->nkeys++] = (ekb_name){k, len};
    return 0;
}

int ekb_schema_ann_index(ekb_ann *a, size_t i)
{
    if (ekb_schema_ann_has_index(a, i))
        return 0;
    if (ekb_grow(&a->idx, &a->capidx, a->nidx, sizeof *a->idx, 8) != 0)
        return -1;
    a->idx[a->nidx++] = i;
    return 0;
}

int ekb_schema_ann_merge(ekb_ann *dst, const ekb_ann *src)
{
    dst->all_props |= src->all_props;
    dst->all_items |= src->all_items;
    if (src->prefix > dst->prefix)
        dst->prefix = src->prefix;
    for (size_t i = 0; i < src->nkeys; i++)
        if (ekb_schema_ann_key(dst, src->keys[i].s, src->keys[i].len) != 0)
            return -1;
    for (size_t i = 0; i < src->nidx; i++)
        if (ekb_schema_ann_index(dst, src->idx[i]) != 0)
            return -1;
    return 0;
}

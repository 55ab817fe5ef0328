/* value.c: JSON values as JSON Schema sees them: numbers compared by value
 * (1 == 1.0, exact for integers), deep equality, and duplicate search for
 * uniqueItems. */
#include "schema_private.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void ekb_schema_num_of(const json_t *j, ekb_num *out)
{
    if (json_is_integer(j)) {
        out->is_int = true;
        out->i = json_integer_value(j);
        out->d = (double)out->i;
    } else {
        out->is_int = false;
        out->i = 0;
        out->d = json_real_value(j);
    }
}

/* 2^63 as a double: the first double past json_int_t's range. */
#define TWO63 9223372036854775808.0
#define TWO53 9007199254740992.0
#define TWO52 4503599627370496.0

/* The library needs no libm: the little it wants is here. */
static double dabs(double d) { return d < 0 ? -d : d; }

static double dfloor(double d)
{
    if (!(dabs(d) < TWO52)) /* already integral, or not finite */
        return d;
    double t = (double)(long long)d;
    return t > d ? t - 1 : t;
}

static int cmp_int_real(json_int_t i, double d)
{
    if (d >= TWO63)
        return -1;
    if (d < -TWO63)
        return 1;
    double fl = dfloor(d);
    json_int_t f = (json_int_t)fl;
    if (i < f)
        return -1;
    if (i > f)
        return 1;
    return fl == d ? 0 : -1;
}

int ekb_schema_num_cmp(const ekb_num *a, const ekb_num *b)
{
    if (a->is_int && b->is_int)
        return a->i < b->i ? -1 : a->i > b->i;
    if (a->is_int)
        return cmp_int_real(a->i, b->d);
    if (b->is_int)
        return -cmp_int_real(b->i, a->d);
    return a->d < b->d ? -1 : a->d > b->d;
}

bool ekb_schema_num_is_integral(const json_t *j)
{
    if (json_is_integer(j))
        return true;
    if (!json_is_real(j))
        return false;
    double d = json_real_value(j);
    return isfinite(d) && dfloor(d) == d;
}

bool ekb_schema_is_multiple(const ekb_num *x, const ekb_num *m)
{
    if (x->is_int && m->is_int)
        return m->i != 0 && x->i % m->i == 0;
    double xd = x->d, md = m->d;
    if (md == 0)
        return false;
    if (xd == 0)
        return true;
    /* an integral divisor and an integral dividend: exact in integers */
    if (dfloor(md) == md && dabs(md) < TWO63) {
        json_int_t mi = (json_int_t)md;
        if (x->is_int)
            return mi != 0 && x->i % mi == 0;
        if (dfloor(xd) != xd)
            return false;
        if (dabs(xd) < TWO63)
            return mi != 0 && (json_int_t)xd % mi == 0;
    }
    double q = xd / md;
    if (!isfinite(q))
        return false;
    if (dabs(q) >= TWO53) /* every double is integral there */
        return true;
    double r = dabs(q - dfloor(q + 0.5));
    /* x and m were decimals in the document; allow the error their binary
     * approximation adds to the quotient (0.0075 / 0.0001 = 75.00000000000001) */
    return r <= (dabs(q) > 1 ? dabs(q) : 1) * 8 * DBL_EPSILON;
}

static bool num_equal(const json_t *a, const json_t *b)
{
    ekb_num x, y;
    ekb_schema_num_of(a, &x);
    ekb_schema_num_of(b, &y);
    return ekb_schema_num_cmp(&x, &y) == 0;
}

bool ekb_schema_json_equal(const json_t *a, const json_t *b)
{
    if (a == b)
        return true;
    if (json_is_number(a) && json_is_number(b))
        return num_equal(a, b);
    if (json_typeof(a) != json_typeof(b))
        return false;
    switch (json_typeof(a)) {
    case JSON_STRING:
        return json_string_length(a) == json_string_length(b) &&
               memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
    case JSON_ARRAY: {
        size_t n = json_array_size(a);
        if (n != json_array_size(b))
            return false;
        for (size_t i = 0; i < n; i++)
            if (!ekb_schema_json_equal(json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    }
    case JSON_OBJECT: {
        if (json_object_size(a) != json_object_size(b))
            return false;
        for (void *it = json_object_iter((json_t *)a); it; it = json_object_iter_next((json_t *)a, it)) {
            const json_t *bv = json_object_getn(b, json_object_iter_key(it), json_object_iter_key_len(it));
            if (!bv || !ekb_schema_json_equal(json_object_iter_value(it), bv))
                return false;
        }
        return true;
    }
    default: /* true, false, null: same type is same value */
        return true;
    }
}

static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Equal values (in the sense of ekb_schema_json_equal) hash equal. */
uint64_t ekb_schema_json_hash(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_NULL:
        return 0x6e756c6cULL;
    case JSON_TRUE:
        return 0x74727565ULL;
    case JSON_FALSE:
        return 0x66616c73ULL;
    case JSON_INTEGER:
    case JSON_REAL: {
        /* equal numbers have equal nearest doubles; large integers that
         * differ may collide, which only costs a full comparison */
        double d = json_is_integer(j) ? (double)json_integer_value(j) : json_real_value(j);
        if (d == 0)
            d = 0; /* -0.0 */
        uint64_t bits;
        memcpy(&bits, &d, sizeof bits);
        return mix(bits ^ 0x6e756dULL);
    }
    case JSON_STRING:
        return mix(hash_bytes(json_string_value(j), json_string_length(j)));
    case JSON_ARRAY: {
        uint64_t h = 0x617272ULL;
        for (size_t i = 0; i < json_array_size(j); i++)
            h = mix(h * 31 + ekb_schema_json_hash(json_array_get(j, i)));
        return h;
    }
    case JSON_OBJECT: {
        uint64_t h = 0x6f626aULL;
        for (void *it = json_object_iter((json_t *)j); it; it = json_object_iter_next((json_t *)j, it))
            h += mix(hash_bytes(json_object_iter_key(it), json_object_iter_key_len(it)) ^
                     ekb_schema_json_hash(json_object_iter_value(it)));
        return mix(h);
    }
    }
    return 0;
}

typedef struct hidx {
    uint64_t h;
    size_t i;
} hidx;

static int hidx_cmp(const void *a, const void *b)
{
    const hidx *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

int ekb_schema_find_duplicate(const json_t *arr, size_t *pi, size_t *pj)
{
    size_t n = json_array_size(arr);
    if (n <= 16) {
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                if (ekb_schema_json_equal(json_array_get(arr, i), json_array_get(arr, j))) {
                    *pi = i;
                    *pj = j;
                    return 1;
                }
        return 0;
    }
    hidx *v = malloc(n * sizeof *v);
    if (!v)
        return -1;
    for (size_t i = 0; i < n; i++) {
        v[i].h = ekb_schema_json_hash(json_array_get(arr, i));
        v[i].i = i;
    }
    qsort(v, n, sizeof *v, hidx_cmp);
    int found = 0;
    size_t bi = 0, bj = 0;
    for (size_t a = 0; a < n; a++) {
        for (size_t b = a + 1; b < n && v[b].h == v[a].h; b++) {
            if (!ekb_schema_json_equal(json_array_get(arr, v[a].i), json_array_get(arr, v[b].i)))
                continue;
            /* report the first pair in index order, as the quadratic scan would */
            if (!found || v[a].i < bi || (v[a].i == bi && v[b].i < bj)) {
                bi = v[a].i;
                bj = v[b].i;
            }
            found = 1;
        }
    }
    free(v);
    if (found) {
        *pi = bi;
        *pj = bj;
    }
    return found;
}

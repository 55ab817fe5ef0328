/* messages.c: the words of error messages: how a value, a number, a list of
 * types or an enum is shown. Strings are quoted and cut when long. */
#include "schema_private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUBJECT_MAX_BYTES 60
#define ENUM_MAX_ITEMS 5

void ekb_schema_add_quoted(ekb_strbuf *sb, const char *s, size_t n, size_t max)
{
    ekb_strbuf_addc(sb, '\'');
    size_t end = n;
    bool cut = false;
    if (max && n > max) {
        end = max;
        while (end > 0 && ((unsigned char)s[end] & 0xC0) == 0x80)
            end--; /* stay on a UTF-8 boundary */
        cut = true;
    }
    size_t start = 0;
    for (size_t i = 0; i < end; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != 0x7F)
            continue;
        ekb_strbuf_addn(sb, s + start, i - start);
        start = i + 1;
        if (c == '\n')
            ekb_strbuf_adds(sb, "\\n");
        else if (c == '\t')
            ekb_strbuf_adds(sb, "\\t");
        else if (c == '\r')
            ekb_strbuf_adds(sb, "\\r");
        else
            ekb_strbuf_addf(sb, "\\u%04x", c);
    }
    ekb_strbuf_addn(sb, s + start, end - start);
    if (cut)
        ekb_strbuf_adds(sb, "...");
    ekb_strbuf_addc(sb, '\'');
}

static void add_real(ekb_strbuf *sb, double d)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.15g", d);
    if (strtod(buf, NULL) != d)
        snprintf(buf, sizeof buf, "%.17g", d);
    ekb_strbuf_adds(sb, buf);
    if (!strpbrk(buf, ".eEin"))
        ekb_strbuf_adds(sb, ".0");
}

void ekb_schema_add_num(ekb_strbuf *sb, const ekb_num *n)
{
    if (n->is_int)
        ekb_strbuf_addf(sb, "%" JSON_INTEGER_FORMAT, n->i);
    else
        add_real(sb, n->d);
}

void ekb_schema_add_subject(ekb_strbuf *sb, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        ekb_schema_add_quoted(sb, json_string_value(v), json_string_length(v), SUBJECT_MAX_BYTES);
        break;
    case JSON_INTEGER:
        ekb_strbuf_addf(sb, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        add_real(sb, json_real_value(v));
        break;
    case JSON_TRUE:
        ekb_strbuf_adds(sb, "true");
        break;
    case JSON_FALSE:
        ekb_strbuf_adds(sb, "false");
        break;
    case JSON_NULL:
        ekb_strbuf_adds(sb, "null");
        break;
    case JSON_OBJECT:
        ekb_strbuf_adds(sb, json_object_size(v) ? "object" : "empty object");
        break;
    case JSON_ARRAY:
        ekb_strbuf_adds(sb, json_array_size(v) ? "array" : "empty array");
        break;
    }
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    case JSON_NULL:
        return "null";
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    }
    return "value";
}

static void add_types(ekb_strbuf *sb, unsigned types)
{
    static const struct {
        unsigned bit;
        const char *name;
    } order[] = {
        {EKB_T_STRING, "string"}, {EKB_T_NUMBER, "number"}, {EKB_T_INTEGER, "integer"},
        {EKB_T_BOOLEAN, "boolean"}, {EKB_T_OBJECT, "object"}, {EKB_T_ARRAY, "array"},
        {EKB_T_NULL, "null"},
    };
    if (types & EKB_T_NUMBER)
        types &= ~(unsigned)EKB_T_INTEGER;
    size_t total = 0, done = 0;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        total += (types & order[i].bit) != 0;
    if (total == 0) {
        ekb_strbuf_adds(sb, "nothing");
        return;
    }
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (!(types & order[i].bit))
            continue;
        if (done > 0)
            ekb_strbuf_adds(sb, done + 1 == total ? " or " : ", ");
        ekb_strbuf_adds(sb, order[i].name);
        done++;
    }
}

void ekb_schema_add_type_mismatch(ekb_strbuf *sb, unsigned types, const json_t *found)
{
    ekb_strbuf_adds(sb, "expected ");
    add_types(sb, types);
    ekb_strbuf_addf(sb, ", found %s", type_name(found));
}

void ekb_schema_add_enum(ekb_strbuf *sb, const json_t *arr)
{
    size_t n = json_array_size(arr);
    for (size_t i = 0; i < n && i < ENUM_MAX_ITEMS; i++) {
        if (i > 0)
            ekb_strbuf_adds(sb, ", ");
        ekb_schema_add_subject(sb, json_array_get(arr, i));
    }
    if (n > ENUM_MAX_ITEMS)
        ekb_strbuf_adds(sb, ", ...");
}

/* regex.c: ECMA-262 style patterns ('pattern', 'patternProperties', format
 * 'regex') on PCRE2.
 *
 * PCRE2 with UTF and without UCP already gives \d, \w and \b their ASCII
 * meaning; ALT_BSUX reads \uhhhh and \u{h...} like ECMA; DOLLAR_ENDONLY makes
 * '$' match only at the very end; ALLOW_EMPTY_CLASS reads [] and [^] like
 * ECMA. What is left to translate: \s and \S, which are Unicode in ECMA, and
 * the ECMA spellings of Unicode properties (\p{Letter}, \p{gc=Lu},
 * \p{Script=Greek}) that this PCRE2 knows by other names. */
#include "schema_private.h"

#include <stdlib.h>
#include <string.h>

/* ECMA white space and line terminators beyond ASCII, as UTF-8. */
static const char ecma_space[] = "\\s"
                                 "\xC2\xA0"                     /* U+00A0 */
                                 "\xE1\x9A\x80"                 /* U+1680 */
                                 "\xE2\x80\x80-\xE2\x80\x8A"    /* U+2000-U+200A */
                                 "\xE2\x80\xA8\xE2\x80\xA9"     /* U+2028, U+2029 */
                                 "\xE2\x80\xAF"                 /* U+202F */
                                 "\xE2\x81\x9F"                 /* U+205F */
                                 "\xE3\x80\x80"                 /* U+3000 */
                                 "\xEF\xBB\xBF";                /* U+FEFF */

/* General_Category long names (ECMA accepts them) to PCRE2's short ones. */
static const char *const gc_names[][2] = {
    {"Letter", "L"}, {"Cased_Letter", "LC"}, {"Uppercase_Letter", "Lu"}, {"Lowercase_Letter", "Ll"},
    {"Titlecase_Letter", "Lt"}, {"Modifier_Letter", "Lm"}, {"Other_Letter", "Lo"}, {"Mark", "M"},
    {"Combining_Mark", "M"}, {"Nonspacing_Mark", "Mn"}, {"Spacing_Mark", "Mc"}, {"Enclosing_Mark", "Me"},
    {"Number", "N"}, {"Decimal_Number", "Nd"}, {"digit", "Nd"}, {"Letter_Number", "Nl"}, {"Other_Number", "No"},
    {"Punctuation", "P"}, {"punct", "P"}, {"Connector_Punctuation", "Pc"}, {"Dash_Punctuation", "Pd"},
    {"Open_Punctuation", "Ps"}, {"Close_Punctuation", "Pe"}, {"Initial_Punctuation", "Pi"},
    {"Final_Punctuation", "Pf"}, {"Other_Punctuation", "Po"}, {"Symbol", "S"}, {"Math_Symbol", "Sm"},
    {"Currency_Symbol", "Sc"}, {"Modifier_Symbol", "Sk"}, {"Other_Symbol", "So"}, {"Separator", "Z"},
    {"Space_Separator", "Zs"}, {"Line_Separator", "Zl"}, {"Paragraph_Separator", "Zp"}, {"Other", "C"},
    {"Control", "Cc"}, {"cntrl", "Cc"}, {"Format", "Cf"}, {"Surrogate", "Cs"}, {"Private_Use", "Co"},
    {"Unassigned", "Cn"},
};

static bool name_is(const char *s, size_t n, const char *lit) { return strlen(lit) == n && memcmp(s, lit, n) == 0; }

/* Appends the PCRE2 spelling of the property name s[0..n) of \p{...}. */
static void add_property(ekb_strbuf *sb, const char *s, size_t n)
{
    const char *eq = memchr(s, '=', n);
    if (eq) {
        size_t kn = (size_t)(eq - s);
        const char *v = eq + 1;
        size_t vn = n - kn - 1;
        if (name_is(s, kn, "Script") || name_is(s, kn, "sc")) {
            ekb_strbuf_adds(sb, "sc:");
            ekb_strbuf_addn(sb, v, vn);
            return;
        }
        if (name_is(s, kn, "Script_Extensions") || name_is(s, kn, "scx")) {
            ekb_strbuf_adds(sb, "scx:");
            ekb_strbuf_addn(sb, v, vn);
            return;
        }
        if (name_is(s, kn, "General_Category") || name_is(s, kn, "gc")) {
            s = v;
            n = vn;
        }
    }
    for (size_t i = 0; i < sizeof gc_names / sizeof gc_names[0]; i++) {
        if (name_is(s, n, gc_names[i][0])) {
            ekb_strbuf_adds(sb, gc_names[i][1]);
            return;
        }
    }
    ekb_strbuf_addn(sb, s, n);
}

static char *translate(const char *src, size_t len, size_t *outlen)
{
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    bool in_class = false;
    for (size_t i = 0; i < len; i++) {
        char ch = src[i];
        if (ch == '\\' && i + 1 < len) {
            char nx = src[i + 1];
            if (nx == 's' || nx == 'S') {
                if (in_class) {
                    if (nx == 's')
                        ekb_strbuf_adds(&sb, ecma_space);
                    else
                        ekb_strbuf_adds(&sb, "\\S");
                } else {
                    ekb_strbuf_adds(&sb, nx == 's' ? "[" : "[^");
                    ekb_strbuf_adds(&sb, ecma_space);
                    ekb_strbuf_addc(&sb, ']');
                }
                i++;
                continue;
            }
            if ((nx == 'p' || nx == 'P') && i + 2 < len && src[i + 2] == '{') {
                const char *close = memchr(src + i + 3, '}', len - i - 3);
                if (close) {
                    ekb_strbuf_addn(&sb, src + i, 3);
                    add_property(&sb, src + i + 3, (size_t)(close - (src + i + 3)));
                    ekb_strbuf_addc(&sb, '}');
                    i = (size_t)(close - src);
                    continue;
                }
            }
            ekb_strbuf_addn(&sb, src + i, 2);
            i++;
            continue;
        }
        if (ch == '[' && !in_class) {
            in_class = true;
            ekb_strbuf_addc(&sb, ch);
            /* a ']' right after '[' or '[^' closes an empty class in ECMA,
             * which ALLOW_EMPTY_CLASS reproduces: nothing special to do */
            continue;
        }
        if (ch == ']' && in_class)
            in_class = false;
        ekb_strbuf_addc(&sb, ch);
    }
    *outlen = sb.len;
    return ekb_strbuf_steal(&sb); /* NULL when out of memory */
}

pcre2_code *ekb_schema_regex_compile(const char *src, size_t len, char **err)
{
    *err = NULL;
    size_t tlen = 0;
    char *t = translate(src, len, &tlen);
    if (!t)
        return NULL;
    pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
    if (!cc) {
        free(t);
        return NULL;
    }
    pcre2_set_compile_extra_options(cc, PCRE2_EXTRA_ALT_BSUX);
    int ec = 0;
    PCRE2_SIZE off = 0;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)t, tlen,
                                     PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALLOW_EMPTY_CLASS |
                                         PCRE2_ALT_BSUX | PCRE2_NEVER_BACKSLASH_C,
                                     &ec, &off, cc);
    pcre2_compile_context_free(cc);
    free(t);
    if (!code) {
        if (ec == PCRE2_ERROR_NOMEMORY)
            return NULL;
        PCRE2_UCHAR buf[160];
        if (pcre2_get_error_message(ec, buf, sizeof buf) < 0)
            strcpy((char *)buf, "invalid pattern");
        *err = ekb_asprintf("%s at offset %zu", (const char *)buf, (size_t)off);
        return NULL;
    }
    /* JIT is an optimisation only: without it pcre2_match interprets. */
    if (!ekb_running_on_valgrind())
        (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    return code;
}

int ekb_schema_regex_match(const pcre2_code *code, const pcre2_match_context *mctx,
                           pcre2_match_data *md, const char *s, size_t len)
{
    int rc = pcre2_match(code, (PCRE2_SPTR)s, len, 0, 0, md, (pcre2_match_context *)mctx);
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc <= PCRE2_ERROR_UTF8_ERR1 && rc >= PCRE2_ERROR_UTF8_ERR21)
        return 0; /* not UTF-8 (a json_string_nocheck value): matches nothing */
    return rc == PCRE2_ERROR_NOMEMORY ? -1 : -2;
}

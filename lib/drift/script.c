/* script.c: how much of a text is written in a language's scripts, with
 * PCRE2's Unicode script properties (\p{Han}, \p{Hangul}, ...).
 *
 * One pattern per language, compiled (and JIT-compiled) once per run:
 *   ((?:[^\P{L}\P{A}]|[^\P{L}\P{B}])+)|([^\P{L}\p{A}\p{B}]+)
 * The first group is a run of letters of the scripts A or B ("not a
 * non-letter and not outside A"), the second a run of letters of any other
 * script. Only letters count: since PCRE2 10.40, \p{Han} follows the script
 * extensions, which put CJK punctuation such as U+3002 in Han too, and a
 * kana text ending in a full stop must not pass as Chinese.
 * A character of the scripts counts as one unit and a foreign word as one, so
 * Chinese that keeps English identifiers is not drowned by their letters. */
#include "drift.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct ekb_drift_script {
    pcre2_code *code;
};

static bool valid_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
            return false;
    return true;
}

/* Whether PCRE2 compiles \p{name} (a valid_name()); false on memory too. */
static bool known_script(const char *name)
{
    char *pat = ekb_asprintf("\\p{%s}", name);
    if (!pat)
        return false;
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP, &ec, &eo, NULL);
    free(pat);
    bool known = code != NULL;
    pcre2_code_free(code);
    return known;
}

ekb_drift_script *ekb_drift_script_new(const char *const *names, size_t n, char **err)
{
    *err = NULL;
    if (n == 0) {
        *err = strdup("no script names");
        return NULL;
    }
    ekb_strbuf in, not_in, pat;
    ekb_strbuf_init(&in);
    ekb_strbuf_init(&not_in);
    ekb_strbuf_init(&pat);
    for (size_t i = 0; i < n; i++) {
        /* names go into the pattern: only plain names, no syntax */
        if (!valid_name(names[i])) {
            *err = ekb_asprintf("'%s' is not a Unicode script name", names[i]);
            ekb_strbuf_free(&in);
            ekb_strbuf_free(&not_in);
            return NULL;
        }
        if (!known_script(names[i])) {
            *err = ekb_asprintf("'%s' is not a script name PCRE2 knows", names[i]);
            ekb_strbuf_free(&in);
            ekb_strbuf_free(&not_in);
            return NULL;
        }
        ekb_strbuf_addf(&in, "%s[^\\P{L}\\P{%s}]", i ? "|" : "", names[i]);
        ekb_strbuf_addf(&not_in, "\\p{%s}", names[i]);
    }
    if (!ekb_strbuf_failed(&in) && !ekb_strbuf_failed(&not_in))
        ekb_strbuf_addf(&pat, "((?:%s)+)|([^\\P{L}%s]+)", in.s, not_in.s);
    bool failed = ekb_strbuf_failed(&in) || ekb_strbuf_failed(&not_in) || ekb_strbuf_failed(&pat);
    ekb_strbuf_free(&in);
    ekb_strbuf_free(&not_in);
    if (failed) {
        ekb_strbuf_free(&pat);
        return NULL;
    }
    int ec;
    PCRE2_SIZE eo;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat.s, pat.len, PCRE2_UTF | PCRE2_UCP, &ec, &eo, NULL);
    ekb_strbuf_free(&pat);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ec, msg, sizeof msg);
        *err = ekb_asprintf("%s", (const char *)msg);
        return NULL;
    }
    /* JIT is an optimisation: without it (unsupported CPU) matching still works */
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    ekb_drift_script *s = malloc(sizeof *s);
    if (!s) {
        pcre2_code_free(code);
        return NULL;
    }
    s->code = code;
    return s;
}

void ekb_drift_script_free(ekb_drift_script *s)
{
    if (!s)
        return;
    pcre2_code_free(s->code);
    free(s);
}

int ekb_drift_script_count(const ekb_drift_script *s, const char *text, size_t n, ekb_drift_units *out)
{
    out->script = out->other = 0;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(s->code, NULL);
    if (!md)
        return -1;
    PCRE2_SIZE off = 0;
    int r = 0;
    while (off < n) {
        /* jansson strings are valid UTF-8: no need to check them again */
        int rc = pcre2_match(s->code, (PCRE2_SPTR)text, n, off, PCRE2_NO_UTF_CHECK, md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0) {
            r = -1;
            break;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        if (rc >= 2 && ov[2] != PCRE2_UNSET)
            out->script += ekb_utf8_length(text + ov[2], ov[3] - ov[2]);
        else
            out->other++;
        if (ov[1] <= off)
            break; /* cannot happen: both groups match at least one character */
        off = ov[1];
    }
    pcre2_match_data_free(md);
    return r;
}

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
 * Chinese that keeps English identifiers is not drowned by their letters.
 *
 * Counting does not match text run after run: each block of 256 code
 * points is classified once, on first use (the block's code points in one
 * string, matched run after run), and texts are then read with table
 * look-ups. A run of the first group is a run of script letters, of the
 * second a run of other letters, so counting letters and runs from the
 * classes gives what matching the text gives. */
#include "drift.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { NOT_LETTER, SCRIPT_LETTER, OTHER_LETTER };
#define PAGES (0x110000 / 256)

struct ekb_drift_script {
    pcre2_code *code;
    /* the class of each code point, a block of 256 at a time, made on
     * first use; threads may make one at once (the first to publish wins) */
    _Atomic(uint8_t *) page[PAGES];
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
    for (size_t i = 0; i < PAGES; i++)
        atomic_init(&s->page[i], NULL);
    return s;
}

void ekb_drift_script_free(ekb_drift_script *s)
{
    if (!s)
        return;
    pcre2_code_free(s->code);
    for (size_t i = 0; i < PAGES; i++)
        free(atomic_load(&s->page[i]));
    free(s);
}

/* The classes of code points 256 * p .. 256 * p + 255, made and published
 * on first use: the block's code points in one string, matched run after
 * run (a class is the same whatever the neighbours). NULL when out of
 * memory or on a PCRE2 error. */
static const uint8_t *page_of(const ekb_drift_script *s, size_t p)
{
    /* a cache: logically the script does not change */
    _Atomic(uint8_t *) *slot = (_Atomic(uint8_t *) *)&s->page[p];
    uint8_t *have = atomic_load(slot);
    if (have)
        return have;
    uint8_t *cls = calloc(256, 1); /* NOT_LETTER */
    pcre2_match_data *md = cls ? pcre2_match_data_create_from_pattern(s->code, NULL) : NULL;
    char text[256 * 4];
    uint16_t start[257]; /* byte offset of each code point; surrogates are left out */
    size_t len = 0;
    for (unsigned k = 0; k < 256; k++) {
        start[k] = (uint16_t)len;
        uint32_t cp = (uint32_t)(p * 256 + k);
        if (cp < 0xD800 || cp > 0xDFFF)
            len += ekb_utf8_encode(cp, text + len);
    }
    start[256] = (uint16_t)len;
    bool ok = md != NULL;
    unsigned k = 0; /* the first code point not yet classified */
    for (PCRE2_SIZE off = 0; ok && off < len;) {
        int rc = pcre2_match(s->code, (PCRE2_SPTR)text, len, off, 0, md, NULL);
        if (rc == PCRE2_ERROR_NOMATCH)
            break;
        if (rc < 0) {
            ok = false;
            break;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        uint8_t c = rc >= 2 && ov[2] != PCRE2_UNSET ? SCRIPT_LETTER : OTHER_LETTER;
        while (k < 256 && start[k] < ov[0])
            k++;
        for (; k < 256 && start[k] < ov[1]; k++)
            if (start[k + 1] > start[k]) /* not a surrogate */
                cls[k] = c;
        if (ov[1] <= off)
            break; /* cannot happen: both groups match at least one character */
        off = ov[1];
    }
    pcre2_match_data_free(md);
    if (!ok) {
        free(cls);
        return NULL;
    }
    if (atomic_compare_exchange_strong(slot, &have, cls))
        return cls;
    free(cls);
    return have;
}

int ekb_drift_script_count(const ekb_drift_script *s, const char *text, size_t n, ekb_drift_units *out)
{
    out->script = out->other = 0;
    const unsigned char *u = (const unsigned char *)text;
    const uint8_t *cls = NULL;
    size_t at = SIZE_MAX; /* the page cls is of */
    int prev = NOT_LETTER;
    for (size_t i = 0; i < n;) {
        /* jansson strings are valid UTF-8 */
        uint32_t cp = u[i];
        size_t len = cp < 0x80 ? 1 : cp < 0xE0 ? 2 : cp < 0xF0 ? 3 : 4;
        if (len > n - i)
            return -1;
        if (len > 1) {
            cp &= 0x7Fu >> len;
            for (size_t k = 1; k < len; k++)
                cp = cp << 6 | (u[i + k] & 0x3Fu);
        }
        i += len;
        if (cp >> 8 != at) {
            if (cp >= 0x110000 || !(cls = page_of(s, cp >> 8)))
                return -1;
            at = cp >> 8;
        }
        int c = cls[cp & 0xFF];
        if (c == SCRIPT_LETTER)
            out->script++;
        else if (c == OTHER_LETTER && prev != OTHER_LETTER)
            out->other++;
        prev = c;
    }
    return 0;
}

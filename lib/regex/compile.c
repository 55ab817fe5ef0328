/* compile.c: policy flags and limits, compiling with JIT, and matching. */
#include "compile.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

static const struct {
    const char *name;
    uint32_t option;
} flag_names[] = {
    {"caseless", PCRE2_CASELESS},
    {"multiline", PCRE2_MULTILINE},
    {"dotall", PCRE2_DOTALL},
    {"extended", PCRE2_EXTENDED},
    {"extended_more", PCRE2_EXTENDED_MORE},
    {"ungreedy", PCRE2_UNGREEDY},
    {"no_auto_capture", PCRE2_NO_AUTO_CAPTURE},
    {"dollar_endonly", PCRE2_DOLLAR_ENDONLY},
    {"dupnames", PCRE2_DUPNAMES},
};

uint32_t ekb_regex_flag(const char *name)
{
    for (size_t i = 0; i < sizeof flag_names / sizeof *flag_names; i++)
        if (strcmp(name, flag_names[i].name) == 0)
            return flag_names[i].option;
    return 0;
}

int ekb_regex_opts_from_policy(ekb_regex_opts *o, const ekb_policy *p, ekb_diags *d)
{
    o->options = PCRE2_UTF | PCRE2_UCP;
    json_t *flags = ekb_policy_get(p, "/regex/default_flags");
    if (flags && !json_is_array(flags)) {
        if (ekb_doc_report(d, p->doc, NULL, "/regex/default_flags", false, EKB_ERROR, "policy.type",
                           "expected a list of flag names") != 0)
            return -1;
        flags = NULL;
    }
    size_t i;
    json_t *v;
    json_array_foreach(flags, i, v) {
        uint32_t opt = json_is_string(v) ? ekb_regex_flag(json_string_value(v)) : 0;
        if (opt) {
            o->options |= opt;
            continue;
        }
        char ptr[64];
        snprintf(ptr, sizeof ptr, "/regex/default_flags/%zu", i);
        if (ekb_doc_report(d, p->doc, NULL, ptr, false, EKB_ERROR, "policy.regex-flag",
                           "unknown regex flag '%s' (caseless, multiline, dotall, extended, extended_more, "
                           "ungreedy, no_auto_capture, dollar_endonly, dupnames)",
                           json_is_string(v) ? json_string_value(v) : "?") != 0)
            return -1;
    }
    o->match_limit = (uint32_t)ekb_policy_uint(p, "/regex/match_limit", 1000000, d);
    o->depth_limit = (uint32_t)ekb_policy_uint(p, "/regex/depth_limit", 5000, d);
    o->heap_limit_kib = (uint32_t)ekb_policy_uint(p, "/regex/heap_limit_kib", 20480, d);
    return 0;
}

int ekb_regex_compile(const ekb_regex_opts *o, const char *pattern, size_t len, uint32_t extra, bool jit,
                      pcre2_code **out, int *errcode, size_t *erroff)
{
    int err = 0;
    PCRE2_SIZE off = 0;
    *out = pcre2_compile((PCRE2_SPTR)pattern, len, o->options | extra, &err, &off, NULL);
    if (!*out) {
        if (err == PCRE2_ERROR_HEAP_FAILED)
            return -1;
        *errcode = err;
        *erroff = off;
        return 1;
    }
    /* JIT may be unavailable or fail on memory: the interpreter still works */
    if (jit && !ekb_running_on_valgrind())
        pcre2_jit_compile(*out, PCRE2_JIT_COMPLETE);
    return 0;
}

char *ekb_regex_error_message(int errcode)
{
    PCRE2_UCHAR buf[256];
    if (pcre2_get_error_message(errcode, buf, sizeof buf) < 0)
        snprintf((char *)buf, sizeof buf, "PCRE2 error %d", errcode);
    return strdup((const char *)buf);
}

int ekb_matcher_init(ekb_matcher *m, const ekb_regex_opts *o)
{
    m->md = pcre2_match_data_create(1, NULL);
    m->mc = pcre2_match_context_create(NULL);
    if (!m->md || !m->mc) {
        ekb_matcher_free(m);
        return -1;
    }
    pcre2_set_match_limit(m->mc, o->match_limit);
    pcre2_set_depth_limit(m->mc, o->depth_limit);
    pcre2_set_heap_limit(m->mc, o->heap_limit_kib);
    return 0;
}

void ekb_matcher_free(ekb_matcher *m)
{
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mc);
    m->md = NULL;
    m->mc = NULL;
}

bool ekb_regex_is_limit(int rc)
{
    return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT;
}

static int match(ekb_matcher *m, const pcre2_code *re, const char *subject, size_t len, uint32_t options,
                 size_t *start, size_t *end, int *pcre2_error)
{
    int rc = pcre2_match(re, (PCRE2_SPTR)subject, len, 0, options, m->md, m->mc);
    /* JIT runs on its own small stack; the interpreter has the heap limit */
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT)
        rc = pcre2_match(re, (PCRE2_SPTR)subject, len, 0, options | PCRE2_NO_JIT, m->md, m->mc);
    if (pcre2_error)
        *pcre2_error = rc < 0 ? rc : 0;
    if (rc >= 0) {
        /* rc 0 means "matched, but the ovector is too small": fine */
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
        if (start)
            *start = ov[0];
        if (end)
            *end = ov[1] < ov[0] ? ov[0] : ov[1]; /* \K in a lookahead can put the end first */
        return EKB_MATCH_FOUND;
    }
    if (rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_PARTIAL)
        return EKB_MATCH_NONE;
    if (ekb_regex_is_limit(rc))
        return EKB_MATCH_LIMIT;
    return -1;
}

int ekb_regex_match(ekb_matcher *m, const pcre2_code *re, const char *subject, size_t len, size_t *start,
                    size_t *end, int *pcre2_error)
{
    return match(m, re, subject, len, 0, start, end, pcre2_error);
}

int ekb_regex_match_valid(ekb_matcher *m, const pcre2_code *re, const char *subject, size_t len, size_t *start,
                          size_t *end, int *pcre2_error)
{
    return match(m, re, subject, len, PCRE2_NO_UTF_CHECK, start, end, pcre2_error);
}

const char *ekb_regex_limit_name(int rc)
{
    switch (rc) {
    case PCRE2_ERROR_MATCHLIMIT: return "match";
    case PCRE2_ERROR_DEPTHLIMIT: return "depth";
    case PCRE2_ERROR_HEAPLIMIT: return "heap";
    default: return "unknown";
    }
}

/* quote.h: quoting texts and patterns in messages (single quotes, control
 * characters escaped, long ones abbreviated), and checking UTF-8. */
#ifndef EKB_REGEX_QUOTE_H
#define EKB_REGEX_QUOTE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Appends 's' (quotes included) to sb, escaping control characters
 * (\n, \t, \xHH) and cutting after max code points with "...". */
void ekb_rx_quote(ekb_strbuf *sb, const char *s, size_t len, size_t max);

/* The same into a new string; NULL when out of memory. */
char *ekb_rx_quoted(const char *s, size_t len, size_t max);

/* Whether s[0..n) is well-formed UTF-8 (no overlong forms, no surrogates). */
bool ekb_rx_valid_utf8(const char *s, size_t n);

#endif

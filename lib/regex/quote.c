/* quote.c: quoting texts for messages, and checking UTF-8. */
#include "quote.h"

void ekb_rx_quote(ekb_strbuf *sb, const char *s, size_t len, size_t max)
{
    ekb_strbuf_addc(sb, '\'');
    size_t chars = 0;
    for (size_t i = 0; i < len;) {
        if (chars == max) {
            ekb_strbuf_adds(sb, "...");
            break;
        }
        unsigned char c = (unsigned char)s[i];
        size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (n > len - i)
            n = len - i;
        if (c == '\n')
            ekb_strbuf_adds(sb, "\\n");
        else if (c == '\t')
            ekb_strbuf_adds(sb, "\\t");
        else if (c == '\r')
            ekb_strbuf_adds(sb, "\\r");
        else if (c < 32 || c == 127 || (c >= 0x80 && c < 0xC0))
            ekb_strbuf_addf(sb, "\\x%02x", c);
        else
            ekb_strbuf_addn(sb, s + i, n);
        i += c < 0xC0 ? 1 : n;
        chars++;
    }
    ekb_strbuf_addc(sb, '\'');
}

char *ekb_rx_quoted(const char *s, size_t len, size_t max)
{
    ekb_strbuf sb;
    ekb_strbuf_init(&sb);
    ekb_rx_quote(&sb, s, len, max);
    return ekb_strbuf_steal(&sb);
}

/* See quote.h. */
bool ekb_rx_valid_utf8(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0, k; i < n; i += k)
        if (!(k = ekb_utf8_seq_len(s + i, n - i)))
            return false;
    return true;
}

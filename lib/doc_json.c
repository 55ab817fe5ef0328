/* doc_json.c: the position map of a JSON text. jansson has parsed the text
 * already (or stopped at a duplicate key), so this scanner only follows the
 * structure; it stops quietly at anything unexpected. */
#include "doc.h"
#include "json_parse.h"

#include <string.h>

typedef struct scanner {
    const char *s;
    size_t i, n;
    ekb_pos pos;
    ekb_strbuf path;
    ekb_posmap *map;
    int oom;
    unsigned depth;
} scanner;

static void advance(scanner *sc)
{
    unsigned char c = (unsigned char)sc->s[sc->i++];
    if (c == '\n') {
        sc->pos.line++;
        sc->pos.col = 1;
    } else if ((c & 0xC0) != 0x80) {
        sc->pos.col++;
    }
}

static void skip_ws(scanner *sc)
{
    while (sc->i < sc->n && ekb_json_is_ws((unsigned char)sc->s[sc->i]))
        advance(sc);
}

static unsigned read_hex4(scanner *sc)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        if (sc->i >= sc->n)
            return 0xFFFFFFFF;
        int h = ekb_hex_digit((unsigned char)sc->s[sc->i]);
        if (h < 0)
            return 0xFFFFFFFF;
        v = v * 16 + (unsigned)h;
        advance(sc);
    }
    return v;
}

/* Reads a string token (at its opening quote); decoded into out if not NULL. */
static bool scan_string(scanner *sc, ekb_strbuf *out)
{
    advance(sc); /* " */
    while (sc->i < sc->n) {
        char c = sc->s[sc->i];
        if (c == '"') {
            advance(sc);
            return true;
        }
        if (c != '\\') {
            if (out)
                ekb_strbuf_addc(out, c);
            advance(sc);
            continue;
        }
        advance(sc);
        if (sc->i >= sc->n)
            return false;
        char e = sc->s[sc->i];
        advance(sc);
        unsigned cp;
        switch (e) {
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            cp = read_hex4(sc);
            if (cp == 0xFFFFFFFF)
                return false;
            if (cp >= 0xD800 && cp <= 0xDBFF && sc->i + 1 < sc->n && sc->s[sc->i] == '\\' && sc->s[sc->i + 1] == 'u') {
                advance(sc);
                advance(sc);
                unsigned lo = read_hex4(sc);
                if (lo >= 0xDC00 && lo <= 0xDFFF)
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            break;
        default: cp = (unsigned char)e; break;
        }
        char b[4];
        if (out)
            ekb_strbuf_addn(out, b, ekb_utf8_encode(cp, b));
    }
    return false;
}

static bool scan_value(scanner *sc, ekb_pos key);

static bool record(scanner *sc, ekb_pos key)
{
    if (ekb_posmap_add(sc->map, sc->path.s ? sc->path.s : "", sc->path.len, key, sc->pos) != 0) {
        sc->oom = 1;
        return false;
    }
    return true;
}

/* After a member: 1 when a ',' follows (another member), 0 at the closing
 * bracket, -1 at anything else. */
static int after_member(scanner *sc, char close)
{
    skip_ws(sc);
    if (sc->i >= sc->n || (sc->s[sc->i] != ',' && sc->s[sc->i] != close))
        return -1;
    bool more = sc->s[sc->i] == ',';
    advance(sc);
    return more;
}

static bool scan_object(scanner *sc)
{
    advance(sc); /* { */
    skip_ws(sc);
    if (sc->i < sc->n && sc->s[sc->i] == '}') {
        advance(sc);
        return true;
    }
    ekb_strbuf key;
    ekb_strbuf_init(&key);
    bool ok = false;
    for (;;) {
        skip_ws(sc);
        if (sc->i >= sc->n || sc->s[sc->i] != '"')
            break;
        ekb_pos kpos = sc->pos;
        ekb_strbuf_reset(&key);
        ekb_strbuf_adds(&key, "");
        if (!scan_string(sc, &key))
            break;
        skip_ws(sc);
        if (sc->i >= sc->n || sc->s[sc->i] != ':')
            break;
        advance(sc);
        skip_ws(sc);
        size_t mark = sc->path.len;
        ekb_strbuf_add_pointer_segment(&sc->path, key.s, key.len);
        bool v = scan_value(sc, kpos);
        ekb_strbuf_truncate(&sc->path, mark);
        int next = v ? after_member(sc, '}') : -1;
        if (next > 0)
            continue;
        ok = next == 0;
        break;
    }
    if (ekb_strbuf_failed(&key))
        sc->oom = 1;
    ekb_strbuf_free(&key);
    return ok;
}

static bool scan_array(scanner *sc)
{
    advance(sc); /* [ */
    skip_ws(sc);
    if (sc->i < sc->n && sc->s[sc->i] == ']') {
        advance(sc);
        return true;
    }
    for (size_t idx = 0;; idx++) {
        skip_ws(sc);
        size_t mark = sc->path.len;
        ekb_strbuf_addf(&sc->path, "/%zu", idx);
        bool v = scan_value(sc, sc->pos);
        ekb_strbuf_truncate(&sc->path, mark);
        int next = v ? after_member(sc, ']') : -1;
        if (next <= 0)
            return next == 0;
    }
}

static bool scan_value(scanner *sc, ekb_pos key)
{
    if (sc->i >= sc->n || sc->depth > 4096)
        return false;
    if (!record(sc, key))
        return false;
    char c = sc->s[sc->i];
    bool ok;
    sc->depth++;
    if (c == '{')
        ok = scan_object(sc);
    else if (c == '[')
        ok = scan_array(sc);
    else if (c == '"')
        ok = scan_string(sc, NULL);
    else {
        /* number or literal: up to the next delimiter */
        while (sc->i < sc->n && !strchr(",]} \t\r\n", sc->s[sc->i]))
            advance(sc);
        ok = true;
    }
    sc->depth--;
    return ok;
}

int ekb_posmap_build_json(const ekb_doc *doc, ekb_posmap *m)
{
    scanner sc = {.s = doc->text, .i = doc->body, .n = doc->len, .pos = {1, 1}, .map = m};
    ekb_strbuf_init(&sc.path);
    ekb_strbuf_adds(&sc.path, "");
    skip_ws(&sc);
    scan_value(&sc, sc.pos);
    int oom = sc.oom || ekb_strbuf_failed(&sc.path);
    ekb_strbuf_free(&sc.path);
    return oom ? -1 : 0;
}

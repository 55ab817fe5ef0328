/* util.h: small helpers shared by the library: growable strings, paths. */
#ifndef EKB_UTIL_H
#define EKB_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define EKB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define EKB_PRINTF(f, a)
#endif

/* A growable NUL-terminated string. An allocation failure is sticky: later
 * appends do nothing and ekb_strbuf_failed() says so, so callers check once. */
typedef struct ekb_strbuf {
    char *s;
    size_t len, cap;
    bool failed;
} ekb_strbuf;

void ekb_strbuf_init(ekb_strbuf *sb);
void ekb_strbuf_free(ekb_strbuf *sb);
void ekb_strbuf_reset(ekb_strbuf *sb);
/* Cuts the string back to its first len bytes (len at most its length). */
void ekb_strbuf_truncate(ekb_strbuf *sb, size_t len);
/* Makes room for extra more bytes (and the NUL) at sb->s + sb->len, for a
 * caller that writes there and then advances sb->len; false on failure. */
bool ekb_strbuf_reserve(ekb_strbuf *sb, size_t extra);
void ekb_strbuf_addn(ekb_strbuf *sb, const char *s, size_t n);
void ekb_strbuf_adds(ekb_strbuf *sb, const char *s);
void ekb_strbuf_addc(ekb_strbuf *sb, char c);
void ekb_strbuf_addf(ekb_strbuf *sb, const char *fmt, ...) EKB_PRINTF(2, 3);
void ekb_strbuf_vaddf(ekb_strbuf *sb, const char *fmt, va_list ap);
/* Appends one JSON pointer segment ("/" + key with ~ and / escaped). */
void ekb_strbuf_add_pointer_segment(ekb_strbuf *sb, const char *key, size_t n);
/* Returns the string (caller frees) and leaves sb empty; NULL on failure. */
char *ekb_strbuf_steal(ekb_strbuf *sb);
static inline bool ekb_strbuf_failed(const ekb_strbuf *sb) { return sb->failed; }

/* Makes room for one more element in a growable array: *items (a pointer
 * to the array pointer) holds n elements of size bytes in *cap slots; when
 * full it doubles (first slots to begin with). Returns 0, or -1 when out of
 * memory (the array is left as it was). Use:
 *     if (ekb_grow(&v->items, &v->cap, v->n, sizeof *v->items, 16) != 0)
 *         return -1;
 *     v->items[v->n++] = x; */
int ekb_grow(void *items, size_t *cap, size_t n, size_t size, size_t first);
/* The same for room for need elements in all (need may be 0). */
int ekb_grow_to(void *items, size_t *cap, size_t need, size_t size, size_t first);

/* malloc'd printf; NULL on failure. */
char *ekb_asprintf(const char *fmt, ...) EKB_PRINTF(1, 2);
char *ekb_strndup(const char *s, size_t n);

/* Joins a folder and a name with one '/'; NULL on failure. */
char *ekb_path_join(const char *dir, const char *name);
bool ekb_is_dir(const char *path);
bool ekb_is_file(const char *path);

/* Reads a whole file into a malloc'd NUL-terminated buffer, refusing files
 * over max_bytes and anything but a regular file. Returns 0, or an errno
 * value (EFBIG when too large, EISDIR for a folder, EINVAL for a device,
 * FIFO or socket). */
int ekb_read_file(const char *path, size_t max_bytes, char **out, size_t *len);

/* Writes data to path atomically: a temporary file beside it, then rename.
 * Returns 0 or an errno value; the old file stays intact on failure. */
int ekb_write_file_atomic(const char *path, const void *data, size_t len);

/* True when the program runs under valgrind. PCRE2's JIT code reads past
 * the end of a subject in ways valgrind reports (harmless, within the page,
 * unless PCRE2 was built for valgrind): callers then interpret instead. */
bool ekb_running_on_valgrind(void);

/* The value of a hex digit, -1 for anything else. */
static inline int ekb_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Length of the valid UTF-8 sequence at s (n > 0 bytes left), 0 when
 * invalid: no overlong forms, no surrogates, nothing above U+10FFFF. */
size_t ekb_utf8_seq_len(const unsigned char *s, size_t n);

/* A hash table by open addressing with linear probing, as the index
 * builder's strings and name sets and the prefilter's atoms keep items
 * numbered 0..n-1: a new table of n_slots (a power of two above n) holding
 * i + 1 for item i at the first free slot from hash(ctx, i), 0 in a free
 * slot. NULL when out of memory. */
uint32_t *ekb_slots_make(size_t n_slots, size_t n, uint32_t (*hash)(const void *ctx, size_t i), const void *ctx);

/* Whether s (n bytes left) starts with a three-byte sequence whose lead,
 * E1..EC, EE or EF, makes it valid with any two continuation bytes (E0
 * could begin an overlong form, ED a surrogate): most text beyond ASCII
 * here is Chinese, which the readers check inline with this. */
static inline bool ekb_utf8_plain3(const unsigned char *s, size_t n)
{
    return n >= 3 && ((s[0] >= 0xE1 && s[0] <= 0xEC) || s[0] == 0xEE || s[0] == 0xEF) && (s[1] & 0xC0) == 0x80 &&
           (s[2] & 0xC0) == 0x80;
}

/* Writes code point cp (at most U+10FFFF) as UTF-8 into b (room for 4);
 * returns the number of bytes. */
size_t ekb_utf8_encode(uint32_t cp, char *b);

/* Number of Unicode code points in a valid UTF-8 string of n bytes. */
size_t ekb_utf8_length(const char *s, size_t n);

#endif

/* doc.h: one source file (JSON or YAML) loaded into a jansson value, with the
 * way back from any JSON pointer to the line and column it came from. */
#ifndef EKB_DOC_H
#define EKB_DOC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cv.h"
#include "diag.h"

typedef enum ekb_syntax { EKB_SYNTAX_JSON, EKB_SYNTAX_YAML } ekb_syntax;

typedef struct ekb_pos {
    unsigned line, col; /* 1-based; col counts code points */
} ekb_pos;

typedef struct ekb_limits {
    size_t max_file_bytes;
    unsigned max_depth;
    bool allow_nul_escape; /* accept "\u0000" in JSON strings (plain JSON does; entries may not) */
} ekb_limits;

typedef struct ekb_posmap ekb_posmap;

typedef struct ekb_doc {
    char *path;       /* as given */
    char *text;       /* file contents, NUL-terminated; NULL once dropped */
    size_t len;
    uint64_t text_hash; /* XXH64 of the file's bytes, taken when the text is dropped */
    size_t body;      /* offset past a UTF-8 byte order mark */
    ekb_syntax syntax;
    json_t *root;     /* owned; NULL once dropped (ekb_doc_drop_tree) */
    ekb_posmap *_Atomic pos; /* built on the first ekb_doc_locate() */
    ekb_cv *_Atomic cv;      /* root frozen, on the first ekb_doc_cv() */
    ekb_cv_shape cv_shape;   /* its size, as the JSON reader counted it; 0 nodes: not known */
} ekb_doc;

/* Syntax from the file name: .yaml/.yml are YAML, anything else JSON. */
ekb_syntax ekb_syntax_of_path(const char *path);

/* Loads a file. Returns 0 with *out set; 1 when the file was rejected (a
 * positioned diagnostic was added to d, *out is NULL); -1 when out of memory. */
int ekb_doc_load_file(const char *path, const ekb_limits *lim, ekb_doc **out, ekb_diags *d);

/* The same from memory (text is copied). */
int ekb_doc_load_buffer(const char *path, const char *text, size_t len, ekb_syntax syntax,
                        const ekb_limits *lim, ekb_doc **out, ekb_diags *d);

void ekb_doc_free(ekb_doc *doc);

/* XXH64 of the file's bytes (what the index's corpus hash is made of). */
uint64_t ekb_doc_text_hash(const ekb_doc *doc);

/* Frees the file's text, which only positions need once the file is
 * parsed: ekb_doc_locate reads the file again if asked (and, should the
 * file have changed meanwhile, points at its first line). For a tool that
 * keeps a whole corpus parsed. */
void ekb_doc_drop_text(ekb_doc *doc);

/* The parsed value frozen (cv.h), made on the first call from the jansson
 * value; threads may ask at once. NULL when out of memory, or when there
 * is neither a frozen value nor a tree. */
const ekb_cv *ekb_doc_cv(ekb_doc *doc);

/* Freezes the parsed value if it is not yet, then frees the jansson value:
 * from here on only ekb_doc_cv() reads the entry. 0, or -1 (memory: the
 * tree is kept). For a tool that keeps a whole corpus parsed. */
int ekb_doc_drop_tree(ekb_doc *doc);

/* Position of the value at pointer (of its key instead when at_key and the
 * parent is an object). Falls back to the nearest ancestor that exists.
 * Returns 0, or -1 when out of memory. Threads may report on one doc at
 * once (errkb-compile's regex gate and index builder do). */
int ekb_doc_locate(ekb_doc *doc, const char *pointer, bool at_key, ekb_pos *out);

/* Adds a diagnostic positioned at pointer in doc. Returns 0 or -1 (memory). */
int ekb_doc_report(ekb_diags *d, ekb_doc *doc, const char *entry_id, const char *pointer,
                   bool at_key, ekb_severity sev, const char *rule, const char *fmt, ...)
    EKB_PRINTF(8, 9);

/* --- internal to the loader (doc*.c) --- */

/* One recorded place: the pointer of a value, where its key and value start. */
typedef struct ekb_posrec {
    char *pointer;
    ekb_pos key, value;
} ekb_posrec;

struct ekb_posmap {
    ekb_posrec *v;
    size_t n, cap;
};

int ekb_posmap_add(ekb_posmap *m, const char *pointer, size_t plen, ekb_pos key, ekb_pos value);
void ekb_posmap_free(ekb_posmap *m);
/* Builds the map of every value in doc from its text: 0, or -1 on memory. */
int ekb_posmap_build_json(const ekb_doc *doc, ekb_posmap *m);
int ekb_posmap_build_yaml(const ekb_doc *doc, ekb_posmap *m);
/* Position (line, col) of byte offset off in text, counting from the body. */
ekb_pos ekb_pos_of_offset(const char *text, size_t body, size_t off);

/* Reports the first repeated key of doc with both places: 2 when reported,
 * 1 when none was found, -1 on memory. */
int ekb_doc_report_duplicate_key(ekb_doc *doc, ekb_diags *d);

/* YAML → jansson (doc_yaml.c); same return convention as ekb_doc_load_file. */
int ekb_yaml_load(ekb_doc *doc, const ekb_limits *lim, ekb_diags *d);

#endif

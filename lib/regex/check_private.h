/* check_private.h: the data errkb-regex's checks share (lib/regex/check*.c,
 * background.c, portable.c). */
#ifndef EKB_REGEX_CHECK_PRIVATE_H
#define EKB_REGEX_CHECK_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>

#include "backtrack.h"
#include "check.h"
#include "compile.h"
#include "prefilter.h"

/* Texts of an entry that its regex must recognise, and that no other
 * entry's regex should. */
enum { EKB_TEXT_SIGNATURE, EKB_TEXT_ALIAS, EKB_TEXT_MATCH };

typedef struct ekb_rx_text {
    uint8_t kind;
    uint32_t index;     /* in aliases or samples.match */
    const char *s;      /* borrowed from the document */
    size_t len;
    /* the first of the entry's texts equal to this one (its own index when
     * none before it is): a text often comes twice (the signature again as
     * a sample), and what a regex says of it is then known already */
    uint32_t same;
    int verdict, error; /* its own regex on it (check_samples) */
    uint32_t matches;   /* other regexes recognising it (the ambiguity pass) */
} ekb_rx_text;

/* A text of one entry recognised by another entry's regex. */
typedef struct ekb_rx_hit {
    uint32_t text_entry, text;  /* whose text, which one */
    uint32_t regex_entry;       /* whose regex */
    bool limit;                 /* no match: a PCRE2 limit stopped the regex */
} ekb_rx_hit;

typedef struct ekb_rx_entry {
    ekb_corpus_file *f;
    const char *id;             /* the path's id, else the document's, else the path */
    const char *pattern;        /* NULL when the entry has no string regex */
    size_t plen;
    pcre2_code *code;           /* NULL unless compiled */
    int errcode;                /* compile error, when code is NULL and pattern is not */
    size_t erroff;
    bool empty_match;           /* matches "": left out of the ambiguity check */
    uint32_t pf_id;
    ekb_rx_text *texts;
    uint32_t n_texts;
    const ekb_cv *links;        /* frequently_confused_with (borrowed), may be NULL */
    const ekb_cv *no_match;     /* samples.no_match (borrowed), may be NULL */
    bool *no_match_run;         /* per no_match item: whether the prefilter lets
                                   the regex run on it; NULL: run on every one */
    ekb_rx_hit *hits;           /* this entry's texts recognised by others */
    size_t n_hits;
    ekb_rx_hit *rev;            /* others' texts this entry's regex recognises */
    size_t n_rev;
    uint32_t *bg;               /* background lines this regex matches */
    size_t n_bg;
    /* the backtracking sites, found from the parse the prefilter analysis
     * made (bt_ready), else by the check itself */
    ekb_bt_analysis bt;
    bool bt_ready;
} ekb_rx_entry;

typedef struct ekb_rx_background {
    char *path;                 /* as shown in messages */
    char *text;                 /* the file, NUL-terminated */
    size_t len;
    size_t *off, *end;          /* line i is text[off[i] .. end[i]) */
    uint32_t *line_no;          /* its line number in the file */
    size_t n;
} ekb_rx_background;

struct ekb_regex_corpus {
    ekb_corpus *c;
    ekb_regex_check_options opt;
    ekb_regex_opts ro;
    ekb_rx_entry *e;
    size_t n;
    long *entry_of_file;        /* corpus file index → entry index, -1 for none */
    uint32_t *entry_of_pf;      /* prefilter id → entry index */
    ekb_prefilter *pf;
    ekb_rx_background bg;
    ekb_regex_stats st;
    atomic_size_t bt_measured, bt_skipped, bt_unparsed, bt_runs;
    atomic_ullong bt_steps;
    /* matchers the per-file checks lend each other (a match context and
     * PCRE2's frames made once a thread, not once an entry) */
    pthread_mutex_t spare_lock;
    ekb_matcher *spare;
    size_t n_spare, cap_spare;
};

/* Loads schema_dir/background.log, else the built-in copy. 0, 1 when the
 * file cannot be read (reported into d), -1 on memory. */
int ekb_rx_background_load(ekb_rx_background *bg, const char *schema_dir, ekb_diags *d);
void ekb_rx_background_free(ekb_rx_background *bg);

/* A matcher for a unit of work: a spare one, else a new one (0, or -1
 * when out of memory); given back when the unit is done. */
int ekb_rx_borrow_matcher(ekb_regex_corpus *rc, ekb_matcher *m);
void ekb_rx_return_matcher(ekb_regex_corpus *rc, ekb_matcher *m);

/* Whether a lists b in frequently_confused_with, or b lists a. */
bool ekb_rx_linked(const ekb_rx_entry *a, const ekb_rx_entry *b);

/* The portability notes of a pattern, reported at the regex of f. */
int ekb_rx_portability(const ekb_regex_corpus *rc, const ekb_rx_entry *e, ekb_diags *d);

#endif

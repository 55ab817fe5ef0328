/* rules.h: the corpus rules, the checks beyond the schema. */
#ifndef EKB_RULES_H
#define EKB_RULES_H

#include "corpus.h"

typedef struct ekb_rules_options {
    long today;             /* days since 1970-01-01 (UTC) */
    unsigned staleness_days;
} ekb_rules_options;

/* Checks the corpus rules on one loaded file, all but the symmetry of
 * frequently_confused_with (ekb_rules_check_symmetry, after every file). Diagnostics whose pointer is in
 * skip[0..n_skip) are dropped: the schema reported that value already.
 * Returns 0 or -1 (memory). Read-only on the corpus: safe in parallel. */
int ekb_rules_check(const ekb_corpus *c, ekb_corpus_file *f, const ekb_rules_options *o,
                    const char *const *skip, size_t n_skip, ekb_diags *d);

/* Keeps f's id field and frequently_confused_with ids (f->doc loaded) for
 * ekb_rules_check_symmetry. Returns 0 or -1. */
int ekb_rules_record_confused(ekb_corpus_file *f);

/* After a streaming pass: reports each target whose frequently_confused_with
 * names an entry that does not name it back (corpus.confused-asymmetric),
 * loading what it needs again. Single-threaded. Returns 0 or -1. */
int ekb_rules_check_symmetry(ekb_corpus *c, ekb_diags *d);

/* "YYYY-MM-DD" → days since 1970-01-01; false when not a real date. */
bool ekb_parse_date(const char *s, long *days);
/* Today in days since 1970-01-01, UTC. */
long ekb_today(void);

/* Checks that a URL is absolute http(s) with a public host (libxml2's URI
 * parser). Returns NULL when fine, else a static reason. */
const char *ekb_url_problem(const char *url);

#endif

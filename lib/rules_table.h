/* rules_table.h: every rule id of every tool, with its usual severity and a
 * one-line description (SARIF rule metadata, man pages, README's tables). */
#ifndef EKB_RULES_TABLE_H
#define EKB_RULES_TABLE_H

#include <stddef.h>

#include "diag.h"

typedef struct ekb_rule_info {
    const char *id;          /* "corpus.link-missing" */
    const char *tools;       /* who reports it: "all", or tool names without the errkb- prefix */
    ekb_severity severity;   /* the severity it is reported with by default */
    const char *summary;     /* one line, lower-case start, no full stop */
} ekb_rule_info;

/* The table, sorted by id (strcmp order), and its length. */
const ekb_rule_info *ekb_rule_table(size_t *n);

/* The entry for id, NULL when the table does not know it. */
const ekb_rule_info *ekb_rule_find(const char *id);

#endif

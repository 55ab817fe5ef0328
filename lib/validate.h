/* validate.h: the per-entry check of errkb-validate (entry schema, then the
 * corpus rules), shared by every tool that must refuse an invalid corpus. */
#ifndef EKB_VALIDATE_H
#define EKB_VALIDATE_H

#include "corpus.h"
#include "rules.h"
#include "schema.h"

/* Checks one loaded corpus file against the corpus schema and the corpus
 * rules (a value the schema reported is not reported again by the rules),
 * and keeps f's frequently_confused_with ids for ekb_rules_check_symmetry,
 * which the caller runs once every file is checked. Changes only f: safe in
 * parallel. Returns 0 or -1 (memory). */
int ekb_validate_entry(const ekb_corpus *c, ekb_corpus_file *f, const ekb_rules_options *o, ekb_diags *d);

/* Validates doc against schema alone; each error becomes a diagnostic
 * positioned in doc (rule schema.<keyword>). Returns 0 or -1 (memory). */
int ekb_validate_schema(const ekb_schema *schema, ekb_doc *doc, const char *id, ekb_diags *d);

#endif

/* validate.c: one entry through the schema and the corpus rules, with every
 * schema error turned into a positioned diagnostic. */
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct schema_sink {
    ekb_doc *doc;
    const char *id;
    ekb_diags *d;
    char **pointers; /* reported pointers: the rules skip them */
    size_t n, cap;
    int oom;
} schema_sink;

static int on_schema_error(void *ctx, const ekb_schema_error *e)
{
    schema_sink *s = ctx;
    char rule[64];
    snprintf(rule, sizeof rule, "schema.%s", e->keyword);
    if (ekb_doc_report(s->d, s->doc, s->id, e->instance_pointer, e->at_key, EKB_ERROR, rule, "%s (%s)",
                       e->message, *e->instance_pointer ? e->instance_pointer : "/") != 0) {
        s->oom = 1;
        return 1;
    }
    if (ekb_grow(&s->pointers, &s->cap, s->n, sizeof *s->pointers, 8) != 0 ||
        !(s->pointers[s->n] = strdup(e->instance_pointer))) {
        s->oom = 1;
        return 1;
    }
    s->n++;
    return 0;
}

static void sink_free(schema_sink *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->pointers[i]);
    free(s->pointers);
}

int ekb_validate_schema(const ekb_schema *schema, ekb_doc *doc, const char *id, ekb_diags *d)
{
    schema_sink sink = {.doc = doc, .id = id, .d = d};
    int r = ekb_schema_validate(schema, doc->root, on_schema_error, &sink);
    sink_free(&sink);
    return r < 0 || sink.oom ? -1 : 0;
}

int ekb_validate_entry(const ekb_corpus *c, ekb_corpus_file *f, const ekb_rules_options *o, ekb_diags *d)
{
    schema_sink sink = {.doc = f->doc, .id = f->id, .d = d};
    int r = ekb_schema_validate(c->schema, f->doc->root, on_schema_error, &sink);
    if (r < 0 || sink.oom) {
        sink_free(&sink);
        return -1;
    }
    r = ekb_rules_check(c, f, o, (const char *const *)sink.pointers, sink.n, d);
    sink_free(&sink);
    /* the symmetry rule runs after every file: keep what it needs of this one */
    return r == 0 ? ekb_rules_record_confused(f) : r;
}

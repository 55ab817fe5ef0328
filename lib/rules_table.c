/* rules_table.c: every rule id any errkb tool reports, with its default
 * severity and a one-line description. README's rule tables list the same
 * ids (tests/rules/check-readme.sh keeps the two in step, and
 * tests/rules/check-sources.sh checks that every id the sources report is
 * here). Keep it sorted by id: lookups use a binary search. */
#include "rules_table.h"

#include <stdlib.h>
#include <string.h>

#define E EKB_ERROR
#define W EKB_WARNING
#define N EKB_NOTE

static const ekb_rule_info table[] = {
    {"corpus.confused-asymmetric", "validate", W, "a frequently_confused_with link is not listed back by the other entry"},
    {"corpus.date-future", "validate", E, "a date is after today (see --today)"},
    {"corpus.date-order", "validate", E, "first_seen, last_confirmed and last_updated are out of order"},
    {"corpus.domain", "validate", E, "the domain field differs from the id's first segment"},
    {"corpus.duplicate-alias", "validate", E, "an alias is listed twice"},
    {"corpus.duplicate-tag", "validate", E, "a tag is listed twice"},
    {"corpus.how-repeats-action", "validate", W, "a workaround's 'how' repeats its 'action' instead of saying how"},
    {"corpus.id-path", "validate", E, "the id field does not match the file's path below entries/"},
    {"corpus.id-unique", "validate", E, "two files give the same id (x.json beside x.yaml)"},
    {"corpus.link-missing", "validate", E, "a transition_graph link names no entry of the corpus"},
    {"corpus.link-self", "validate", E, "an entry links to itself"},
    {"corpus.path-layout", "validate", E, "an entry file is not at entries/<domain>/<slug>.json or .yaml"},
    {"corpus.stale", "validate", W, "last_confirmed is older than the policy's staleness_days"},
    {"corpus.url", "validate", E, "a URL is not an absolute http(s) URL to a public host"},
    {"drift.count", "drift", E, "a translated array has a different number of items than its source"},
    {"drift.coverage", "drift", E, "a language's translation coverage is below --min-coverage"},
    {"drift.length", "drift", W, "a translation's length is far from its source's"},
    {"drift.lock", "drift", E, "the translations lock file is malformed"},
    {"drift.missing", "drift", E, "a translation the policy requires is missing, null or blank"},
    {"drift.orphan", "drift", W, "a translation has no source text"},
    {"drift.stale", "drift", W, "the source changed since its translation was confirmed"},
    {"drift.tokens", "drift", E, "a translation lost numbers, codes or identifiers of its source"},
    {"drift.unconfirmed", "drift", W, "a translation was never confirmed with errkb-drift --accept"},
    {"drift.untranslated", "drift", E, "a translation is a copy of its source or not in the target script"},
    {"index.constant-collision", "compile", E, "two names give the same C constant in the generated headers"},
    {"index.duplicate-id", "compile", E, "two entries give the same id in the index"},
    {"index.link-dropped", "compile", E, "a link names no entry of the index"},
    {"index.policy", "compile", E, "the policy holds a value the index cannot encode"},
    {"index.schema", "compile", E, "the entry schema lacks an enum the index encodes"},
    {"index.too-large", "compile", E, "the corpus is too large for the index format"},
    {"index.unencodable", "compile", E, "an entry holds a value the index format cannot encode"},
    {"limits.suppressed", "all", N, "further diagnostics of a file were suppressed (policy max_diagnostics_per_file)"},
    {"load.duplicate-key", "all", E, "an object has the same key twice"},
    {"load.empty", "all", E, "the file is empty or holds no document"},
    {"load.io", "all", E, "a file or folder cannot be read"},
    {"load.nul-byte", "all", E, "the file holds a NUL byte"},
    {"load.symlink", "all", W, "a symbolic link to a folder is not followed"},
    {"load.syntax", "all", E, "the file is not valid JSON or YAML"},
    {"load.too-deep", "all", E, "values are nested deeper than the policy's max_depth"},
    {"load.too-large", "all", E, "the file is larger than the policy's max_file_bytes"},
    {"load.utf8", "all", E, "the file is not valid UTF-8"},
    {"load.yaml-alias", "all", E, "a YAML alias has no JSON equivalent"},
    {"load.yaml-anchor", "all", E, "a YAML anchor has no JSON equivalent"},
    {"load.yaml-documents", "all", E, "the YAML file holds more than one document"},
    {"load.yaml-key", "all", E, "a YAML mapping key is not a string"},
    {"load.yaml-tag", "all", E, "a YAML tag has no JSON equivalent"},
    {"load.yaml-value", "all", E, "a YAML value (.nan, .inf, a huge integer) has no JSON equivalent"},
    {"policy.drift", "drift", E, "the policy's translations, languages or drift settings are invalid"},
    {"policy.regex-flag", "regex", E, "the policy's regex default_flags names an unknown flag"},
    {"policy.type", "all", E, "a policy value has the wrong type"},
    {"regex.alias", "regex", E, "the regex does not match one of the entry's aliases"},
    {"regex.ambiguous", "regex", W, "the regex matches another entry's text, and neither lists the other as confused"},
    {"regex.ambiguous-pairs", "regex", N, "how many pairs of entries recognise each other's texts without listing each other"},
    {"regex.background", "regex", W, "the regex matches an ordinary log line of schema/background.log"},
    {"regex.background-utf8", "regex", E, "a line of schema/background.log is not valid UTF-8"},
    {"regex.backtracking", "regex", E, "the regex backtracks catastrophically on a crafted input"},
    {"regex.backtracking-shape", "regex", W, "the regex has a nested quantifier that can backtrack exponentially"},
    {"regex.compile", "regex", E, "the regex is not a valid PCRE2 pattern"},
    {"regex.empty-match", "regex", W, "the regex matches the empty string, so it recognises any line"},
    {"regex.limit", "regex", E, "matching stops at a PCRE2 match or depth limit"},
    {"regex.portable-atomic", "regex", W, "(--portable) an atomic group, which RE2 and Go reject"},
    {"regex.portable-backreference", "regex", W, "(--portable) a backreference, which RE2 and Go reject"},
    {"regex.portable-conditional", "regex", W, "(--portable) a conditional group, which RE2 and Go reject"},
    {"regex.portable-escape", "regex", W, "(--portable) an escape another engine rejects or reads differently"},
    {"regex.portable-inline-flags", "regex", W, "(--portable) inline flags RE2, Go or Python reject"},
    {"regex.portable-keep", "regex", W, "(--portable) \\K, which RE2, Go and Python reject"},
    {"regex.portable-lookahead", "regex", W, "(--portable) a lookahead, which RE2 and Go reject"},
    {"regex.portable-lookbehind", "regex", W, "(--portable) a lookbehind, which RE2 and Go reject"},
    {"regex.portable-possessive", "regex", W, "(--portable) a possessive quantifier, which RE2 and Go reject"},
    {"regex.portable-recursion", "regex", W, "(--portable) recursion or a subroutine call, which other engines reject"},
    {"regex.portable-verb", "regex", W, "(--portable) a backtracking verb or callout, which other engines reject"},
    {"regex.sample-match", "regex", E, "the regex does not match one of samples.match"},
    {"regex.sample-no-match", "regex", E, "the regex matches one of samples.no_match"},
    {"regex.signature", "regex", E, "the regex does not match the entry's signature"},
    {"schema.$dynamicRef", "validate", E, "the value fails the schema a $dynamicRef points to"},
    {"schema.$ref", "validate", E, "the value fails the schema a $ref points to"},
    {"schema.additionalProperties", "validate", E, "the object has a property the schema does not allow"},
    {"schema.allOf", "validate", E, "the value fails a schema of allOf"},
    {"schema.anyOf", "validate", E, "the value matches no schema of anyOf"},
    {"schema.const", "validate", E, "the value differs from the schema's const"},
    {"schema.contains", "validate", E, "the array has no item that matches contains"},
    {"schema.dependentRequired", "validate", E, "a property that another one requires is missing"},
    {"schema.dependentSchemas", "validate", E, "the object fails the schema a present property brings in"},
    {"schema.else", "validate", E, "the value fails the else schema"},
    {"schema.enum", "validate", E, "the value is not one of the schema's enum"},
    {"schema.exclusiveMaximum", "validate", E, "the number is not below the exclusive maximum"},
    {"schema.exclusiveMinimum", "validate", E, "the number is not above the exclusive minimum"},
    {"schema.false", "validate", E, "the schema is false: no value is allowed here"},
    {"schema.format", "validate", E, "the string is not of the schema's format (date, uri, ...)"},
    {"schema.if", "validate", E, "the value fails the if schema"},
    {"schema.invalid", "validate", E, "the JSON Schema itself cannot be used"},
    {"schema.items", "validate", E, "an array item fails the items schema"},
    {"schema.maxContains", "validate", E, "too many array items match contains"},
    {"schema.maxItems", "validate", E, "the array has more items than maxItems"},
    {"schema.maxLength", "validate", E, "the string is longer than maxLength"},
    {"schema.maxProperties", "validate", E, "the object has more properties than maxProperties"},
    {"schema.maximum", "validate", E, "the number is above the maximum"},
    {"schema.minContains", "validate", E, "too few array items match contains"},
    {"schema.minItems", "validate", E, "the array has fewer items than minItems"},
    {"schema.minLength", "validate", E, "the string is shorter than minLength"},
    {"schema.minProperties", "validate", E, "the object has fewer properties than minProperties"},
    {"schema.minimum", "validate", E, "the number is below the minimum"},
    {"schema.multipleOf", "validate", E, "the number is not a multiple of multipleOf"},
    {"schema.not", "validate", E, "the value matches the schema of not"},
    {"schema.oneOf", "validate", E, "the value matches no schema, or more than one, of oneOf"},
    {"schema.pattern", "validate", E, "the string does not match the schema's pattern"},
    {"schema.patternProperties", "validate", E, "a property fails the schema of patternProperties"},
    {"schema.prefixItems", "validate", E, "an array item fails its prefixItems schema"},
    {"schema.properties", "validate", E, "a property fails its schema"},
    {"schema.propertyNames", "validate", E, "a property name fails propertyNames"},
    {"schema.required", "validate", E, "a required property is missing"},
    {"schema.then", "validate", E, "the value fails the then schema"},
    {"schema.type", "validate", E, "the value is of the wrong type"},
    {"schema.unevaluatedItems", "validate", E, "the array has items no keyword evaluated"},
    {"schema.unevaluatedProperties", "validate", E, "the object has properties no keyword evaluated"},
    {"schema.uniqueItems", "validate", E, "the array holds the same item twice"},
    {"usage.changed-since", "all", E, "git cannot tell what changed since --changed-since REF"},
    {"usage.no-corpus", "all", E, "no entries folder was found and no file was named"},
};

const ekb_rule_info *ekb_rule_table(size_t *n)
{
    *n = sizeof table / sizeof *table;
    return table;
}

static int cmp_id(const void *key, const void *elem)
{
    return strcmp(key, ((const ekb_rule_info *)elem)->id);
}

const ekb_rule_info *ekb_rule_find(const char *id)
{
    return bsearch(id, table, sizeof table / sizeof *table, sizeof *table, cmp_id);
}

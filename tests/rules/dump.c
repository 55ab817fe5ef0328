/* dump.c: prints the rule table, one "id<TAB>severity<TAB>tools" line per
 * rule, for the scripts that compare it with README.md and the sources. */
#include <stdio.h>

#include "rules_table.h"

int main(void)
{
    size_t n;
    const ekb_rule_info *t = ekb_rule_table(&n);
    for (size_t i = 0; i < n; i++)
        printf("%s\t%s\t%s\n", t[i].id, t[i].severity == EKB_ERROR ? "E" : t[i].severity == EKB_WARNING ? "W" : "note",
               t[i].tools);
    return fflush(stdout) ? 1 : 0;
}

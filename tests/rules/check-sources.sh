#!/bin/sh
# check-sources.sh: every rule id the sources report is in the rule table
# (lib/rules_table.c), and every id in the table is reported somewhere.
# usage: check-sources.sh DUMP SOURCE_DIR
# Ids are found as string literals "family.name" of the rule families in
# lib/ and tools/, and as the keywords the schema validator reports
# (schema.<keyword>, lib/schema/*.c).
set -u
dump=$1 src=$2
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
"$dump" | cut -f1 | sort -u >"$work/table" || exit 2
families='load|policy|limits|schema|corpus|usage|regex|drift|compile|lookup|index'
find "$src/lib" "$src/tools" -name '*.c' -print | sort >"$work/files"
# string literals: "corpus.link-missing"; names of the project's files
# ("policy.yaml", "corpus.h") are not rule ids
find "$src/lib" "$src/tools" "$src/schema" -type f | sed 's|.*/||' | sort -u >"$work/names"
xargs grep -ohE "\"($families)\\.[A-Za-z0-9\$-]+\"" <"$work/files" | tr -d '"' | sort -u |
    comm -23 - "$work/names" >"$work/literal"
# the validator's keywords: each is reported as schema.<keyword>
grep -ohE '(ekb_schema_emit\([a-z]+, [a-z]+|size_error\([a-z]+, [a-z]+|NUM_CHECK\([A-Z_]+, [^"]*), "[A-Za-z$]+"' \
    "$src"/lib/schema/*.c | sed -E 's/.*"([A-Za-z$]+)"$/schema.\1/' | sort -u >"$work/keywords"
sort -u "$work/literal" "$work/keywords" >"$work/reported"
fail=0
comm -13 "$work/table" "$work/reported" >"$work/missing"
if [ -s "$work/missing" ]; then
    echo "FAIL: reported by the sources but not in lib/rules_table.c:"; sed 's/^/  /' "$work/missing"; fail=1
fi
# the other way: a table id no source names (the schema keywords reached
# through variables are listed in the table from the validator's keyword list)
comm -23 "$work/table" "$work/reported" | grep -v '^schema\.' >"$work/unused"
if [ -s "$work/unused" ]; then
    echo "FAIL: in lib/rules_table.c but reported by no source:"; sed 's/^/  /' "$work/unused"; fail=1
fi
if [ $fail = 0 ]; then echo "1 passed, 0 failed ($(wc -l <"$work/reported") reported ids in the table)"; else echo "0 passed, 1 failed"; fi
exit $fail

#!/bin/sh
# check-readme.sh: README's rule tables and the library's rule table
# (lib/rules_table.c) list the same rule ids with the same severity.
# usage: check-readme.sh DUMP SOURCE_DIR
# The tables read are README.md's and those of docs/*.md (the tools' sections
# waiting to be merged into README.md): every row whose first cell holds
# `rule.ids` and whose second cell is the severity: E, W or note (or the
# words error, warning).
set -u
dump=$1 src=$2
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
"$dump" | cut -f1,2 | sort -u >"$work/table" || exit 2
# rows: | `a.b`, `c.d` | E | ... → "a.b<TAB>E" and "c.d<TAB>E"
for f in "$src/README.md" "$src"/docs/*.md; do
    [ -f "$f" ] || continue
    awk -F'|' '
        /^\|/ && NF >= 4 {
            # severity: E, W, note, or a word ("error (exit 2)")
            split($3, w, " "); sev = w[1]
            if (sev == "error") sev = "E"; else if (sev == "warning") sev = "W"
            if (sev != "E" && sev != "W" && sev != "note") next
            cell = $2
            while (match(cell, /`[a-z]+\.[A-Za-z0-9$-]+`/)) {
                printf "%s\t%s\n", substr(cell, RSTART + 1, RLENGTH - 2), sev
                cell = substr(cell, RSTART + RLENGTH)
            }
        }' "$f"
done | sort -u >"$work/readme"
fail=0
cut -f1 "$work/readme" | sort | uniq -d >"$work/dups"
if [ -s "$work/dups" ]; then
    echo "FAIL: rule ids listed with two severities in README.md/docs:"; sed 's/^/  /' "$work/dups"; fail=1
fi
comm -13 "$work/table" "$work/readme" >"$work/only-readme"
comm -23 "$work/table" "$work/readme" >"$work/only-table"
if [ -s "$work/only-readme" ]; then
    echo "FAIL: in README.md/docs tables but not in lib/rules_table.c (or with another severity):"
    sed 's/^/  /' "$work/only-readme"; fail=1
fi
if [ -s "$work/only-table" ]; then
    echo "FAIL: in lib/rules_table.c but not in README.md/docs tables (or with another severity):"
    sed 's/^/  /' "$work/only-table"; fail=1
fi
n=$(wc -l <"$work/table")
if [ $fail = 0 ]; then echo "1 passed, 0 failed ($n rule ids agree)"; else echo "0 passed, 1 failed"; fi
exit $fail

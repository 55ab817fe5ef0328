#!/bin/sh
# check.sh: every built tool has a manual (man/TOOL.1) and every manual a
# tool; the manual's OPTIONS list exactly the options of the tool's --help
# (with the same argument names); its RULES list exactly the rule table's
# rules of that tool and of all tools, with the same severity.
# usage: check.sh TOOLS_DIR SOURCE_DIR RULES_DUMP
set -u
tools=$1 src=$2 dump=$3
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# roff to text for the lines we read: font changes go, \- and \e are - and \
plain() { sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\e/\\/g' -e 's/\\&//g'; }
# the tag line after each .TP of section $2 of page $1
tags() {
    awk -v sec="$2" '
        /^\.SH / { inside = ($2 == sec) ; next }
        inside && /^\.TP/ { getline; print }' "$1" | plain
}
"$dump" >"$work/rules" || exit 2
for t in "$tools"/errkb-*; do
    [ -x "$t" ] && [ -f "$t" ] || continue
    name=${t##*/}
    [ -f "$src/man/$name.1" ] || bad "$name has no manual man/$name.1"
done
for page in "$src"/man/errkb-*.1; do
    name=$(basename "$page" .1)
    if [ ! -x "$tools/$name" ]; then bad "man/$name.1 documents no built tool"; continue; fi
    # options: "  -h, --help          show..." → "-h, --help"
    "$tools/$name" --help | sed -n 's/^  \(-.*\)$/\1/p' | sed 's/   *.*//' | sort >"$work/help"
    tags "$page" OPTIONS | sort >"$work/man"
    if [ ! -s "$work/help" ]; then
        bad "$name --help lists no option"
    elif diff "$work/help" "$work/man" >"$work/diff"; then
        ok "$name: the manual's OPTIONS match --help ($(wc -l <"$work/help") options)"
    else
        bad "$name: OPTIONS differ from --help (< --help, > manual):"; sed 's/^/  /' "$work/diff"
    fi
    # rules of this tool and of every tool: "id (E)"
    short=${name#errkb-}
    awk -F'\t' -v t="$short" '$3 == t || $3 == "all" { printf "%s (%s)\n", $1, $2 }' "$work/rules" | sort >"$work/want"
    tags "$page" RULES | sort >"$work/have"
    if [ "$short" = lookup ] && [ ! -s "$work/have" ]; then
        ok "$name: reports no rules, and its manual lists none"
    elif diff "$work/want" "$work/have" >"$work/diff"; then
        ok "$name: the manual's RULES match the rule table ($(wc -l <"$work/want") rules)"
    else
        bad "$name: RULES differ from lib/rules_table.c (< table, > manual):"; sed 's/^/  /' "$work/diff"
    fi
    for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES; do
        grep -q "^\.SH $s\$" "$page" || bad "$name: the manual has no $s section"
    done
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]

#!/bin/sh
# check.sh: every gate's --format=sarif output is valid against the SARIF
# 2.1.0 subset schema, checked with our own errkb-validate --schema; and the
# schema really rejects a broken log. usage: check.sh TOOLS_DIR SOURCE_DIR
set -u
tools=$1 src=$2
schema="$src/tests/sarif/sarif-2.1.0-subset.schema.json"
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
cp -R "$src/tests/sarif/corpus/." "$work/" || exit 2
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
for gate in "errkb-validate" "errkb-regex" "errkb-drift" "errkb-compile --check"; do
    tool=${gate%% *}
    if [ ! -x "$tools/$tool" ]; then
        skip=$((skip + 1)); echo "skip: $tool is not built"; continue
    fi
    out="$work/$tool.sarif"
    # shellcheck disable=SC2086 # gate holds the tool and its options
    (cd "$work" && LC_ALL=C "$tools/"$gate --today 2026-11-25 --format=sarif) >"$out" 2>"$work/err"
    status=$?
    if [ $status -gt 1 ]; then bad "$gate exited $status: $(cat "$work/err")"; continue; fi
    if "$tools/errkb-validate" --quiet --schema "$schema" "$out" >"$work/report" 2>&1; then
        ok "$gate --format=sarif is valid SARIF 2.1.0 (subset)"
    else
        bad "$gate --format=sarif is not valid:"; cat "$work/report"
    fi
    grep -q "\"name\": \"$tool\"" "$out" || bad "$gate: driver name is not $tool"
    grep -q '"ruleId"' "$out" || bad "$gate: no result for the broken fixture entry"
done
# the schema is not vacuous: a log with a bad line number and an unknown
# property fails
sed -e 's/"startLine": [0-9]*/"startLine": 0/' -e 's/"ruleIndex"/"ruleIndx"/' "$work/errkb-validate.sarif" >"$work/broken.sarif"
if "$tools/errkb-validate" --quiet --schema "$schema" "$work/broken.sarif" >"$work/report" 2>&1; then
    bad "the subset schema accepts a broken log"
elif grep -q 'schema.minimum' "$work/report" && grep -q 'schema.additionalProperties' "$work/report"; then
    ok "the subset schema rejects a broken log"
else
    bad "unexpected report on the broken log:"; cat "$work/report"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]

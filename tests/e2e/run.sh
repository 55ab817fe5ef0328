#!/bin/sh
# run.sh: end-to-end cases. usage: run.sh TOOLS_DIR SUITE_DIR
# Each folder below SUITE_DIR is a case, run in a fresh copy of itself:
#   args    the tool's arguments (shell words); the tool is named by SUITE_DIR's
#           basename (validate → errkb-validate), or
#   script  a shell script run instead (TOOLS is set), for multi-step cases
#   stdout  the exact expected standard output
#   stderr  (optional) the exact expected standard error
#   status  the expected exit code
# Prints one line per failing case with a diff, then "N passed, M failed".
set -u
tools=$(cd "$1" && pwd) || exit 2
suite=$(cd "$2" && pwd) || exit 2
tool="errkb-$(basename "$suite")"
pass=0 fail=0
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
for case in "$suite"/*/; do
    case=${case%/}
    name=$(basename "$case")
    [ -f "$case/status" ] || continue
    dir="$work/$name"
    mkdir -p "$dir" && cp -R "$case/." "$dir/"
    # Files the case needs but git cannot hold (unreadable files, symlink
    # loops) are made by an optional 'setup' script.
    if [ -f "$dir/setup" ]; then (cd "$dir" && sh ./setup) || { echo "FAIL $name: setup failed"; fail=$((fail+1)); continue; }; fi
    if [ -f "$case/script" ]; then
        (cd "$dir" && TOOLS="$tools" LC_ALL=C TZ=UTC sh ./script) >"$work/out" 2>"$work/err"
    else
        (cd "$dir" && eval "set -- $(cat args)" && LC_ALL=C TZ=UTC "$tools/$tool" "$@") >"$work/out" 2>"$work/err"
    fi
    got=$?
    want=$(cat "$case/status")
    ok=1
    if [ "$got" != "$want" ]; then
        echo "FAIL $name: exit status $got, expected $want"; ok=0
    fi
    if ! diff -u "$case/stdout" "$work/out" >"$work/diff"; then
        echo "FAIL $name: stdout differs"; cat "$work/diff"; ok=0
    fi
    if [ -f "$case/stderr" ] && ! diff -u "$case/stderr" "$work/err" >"$work/diff"; then
        echo "FAIL $name: stderr differs"; cat "$work/diff"; ok=0
    fi
    if [ $ok = 1 ]; then pass=$((pass+1)); else fail=$((fail+1)); [ -s "$work/err" ] && sed 's/^/  stderr: /' "$work/err"; fi
done
echo "$pass passed, $fail failed"
[ $fail = 0 ] && [ $pass -gt 0 ]

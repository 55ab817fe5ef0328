#!/bin/sh
# validate.sh: errkb-validate on synthetic corpora of 1k, 10k and 50k entries:
# the whole corpus, and one file with corpus context (a pre-commit hook).
# usage: bench/validate.sh [BUILD_DIR]   (default build/; needs hyperfine)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
tool="$build/tools/errkb-validate"
[ -x "$tool" ] || { echo "validate.sh: no $tool: build first" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "validate.sh: needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
work=${BENCH_DIR:-/tmp/errkb-bench}
mkdir -p "$work"
printf '%-8s %12s %14s %16s\n' entries MB "whole (ms)" "one file (ms)"
for n in 1000 10000 50000; do
    dir="$work/corpus-$n"
    [ -d "$dir/entries" ] || python3 "$top/bench/gen_corpus.py" "$n" "$dir" >/dev/null
    one=$(find "$dir/entries" -name '*.json' | sort | head -n 1)
    mb=$(du -sm "$dir/entries" | cut -f1)
    hyperfine -N -i --warmup 2 --runs 7 --export-json "$work/whole.json" \
        "$tool --quiet --today 2026-11-25 $dir/entries" >/dev/null 2>&1
    hyperfine -N -i --warmup 3 --runs 20 --export-json "$work/one.json" \
        "$tool --quiet --today 2026-11-25 $one" >/dev/null 2>&1
    med() { python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print('%.1f (%.1f-%.1f)' % (r['median']*1e3, r['min']*1e3, r['max']*1e3))" "$1"; }
    printf '%-8s %12s %14s %16s\n' "$n" "$mb" "$(med "$work/whole.json")" "$(med "$work/one.json")"
done

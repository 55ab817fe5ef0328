#!/bin/sh
# run.sh: errkb against the tools people use today, on the same inputs, in
# one run, on this machine. Sets up the peers itself, prints one table.
#   bench/run.sh            the full run (10k and 100k corpora: minutes)
#   bench/run.sh --quick    smaller corpora, fewer runs (for a smoke test)
# Peers: ajv-cli + ajv-formats (npm, into bench/.peers), python3-jsonschema,
# a Python `re` lookup loop, gzip -9 and xz -9. Needs hyperfine (Debian).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bench="$top/bench"
work=${BENCH_DIR:-/tmp/errkb-bench}
quick=0; [ "${1:-}" = "--quick" ] && quick=1
runs=${RUNS:-7}; [ $quick = 1 ] && runs=3
big=${BIG:-10000}; huge=${HUGE:-100000}; [ $quick = 1 ] && { big=2500; huge=10000; }
mkdir -p "$work"

# --- set-up: dependencies, peers, a release build ---
sh "$top/build-aux/deps.sh"
need=""
command -v hyperfine >/dev/null || need="$need hyperfine"
python3 -c 'import jsonschema' 2>/dev/null || need="$need python3-jsonschema"
python3 -c 'import yaml' 2>/dev/null || need="$need python3-yaml"
command -v npm >/dev/null || need="$need npm"
command -v xz >/dev/null || need="$need xz-utils"
if [ -n "$need" ]; then
    [ "$(id -u)" = 0 ] && sudo="" || sudo=sudo
    $sudo apt-get update -qq && $sudo apt-get install -y -qq $need >/dev/null
fi
peers="$bench/.peers"
if [ ! -x "$peers/node_modules/.bin/ajv" ]; then
    mkdir -p "$peers"
    (cd "$peers" && [ -f package.json ] || echo '{"private":true}' > package.json
     npm install --no-audit --no-fund --silent ajv-cli@5.0.0 ajv-formats@3.0.1 >/dev/null)
fi
ajv="$peers/node_modules/.bin/ajv"
build="$top/build-bench"
[ -f "$build/build.ninja" ] || meson setup "$build" "$top" -Dbuildtype=release -Dtests=false >/dev/null
meson compile -C "$build" >/dev/null || { echo "run.sh: the release build failed: meson compile -C $build" >&2; exit 2; }
tools="$build/tools"
cc -O2 -o "$work/jansson_floor" "$bench/jansson_floor.c" $(pkg-config --cflags --libs jansson) -lpthread
cc -O2 -DEKB_READER -I"$top/lib" -o "$work/reader_floor" "$bench/jansson_floor.c" "$top/lib/json_parse.c" \
    "$top/lib/util.c" $(pkg-config --cflags --libs jansson) -lpthread

corpus() { # N → folder with entries/ and schema/
    d="$work/corpus-$1"
    [ -d "$d/entries" ] || python3 "$bench/gen_corpus.py" "$1" "$d" >/dev/null
    echo "$d"
}

results="$work/results.txt"; : > "$results"
# measure KEY COMMAND: hyperfine median/min/max (seconds) into results
measure() {
    key=$1; shift
    hyperfine -N -i --warmup 1 --runs "$runs" --export-json "$work/h.json" "$*" >/dev/null 2>&1 || { echo "$key - - -" >>"$results"; return; }
    python3 -c "import json; r=json.load(open('$work/h.json'))['results'][0]; print('$key', r['median'], r['min'], r['max'])" >>"$results"
}
get() { awk -v k="$1" '$1==k {print $2}' "$results"; }
fmt() { awk -v k="$1" '$1==k { if ($2=="-") print "-"; else printf "%.1f ms (%.1f-%.1f)", $2*1000, $3*1000, $4*1000 }' "$results"; }
ratio() { python3 -c "import sys; a,b=sys.argv[1],sys.argv[2]; print('%.1fx' % (float(b)/float(a)) if a not in ('','-') and b not in ('','-') else '-')" "$(get "$1")" "$(get "$2")"; }

C=$(corpus $big)
schema="$C/schema/entry.schema.json"
find "$C/entries" -name '*.json' | sort > "$work/json-list"
one=$(head -n 1 "$work/json-list")
n_json=$(wc -l < "$work/json-list")

measure floor1 "$work/jansson_floor" 1 "$work/json-list"
measure floor2 "$work/jansson_floor" 2 "$work/json-list"
measure reader1 "$work/reader_floor" 1 "$work/json-list"
measure reader2 "$work/reader_floor" 2 "$work/json-list"
measure v_ours "$tools/errkb-validate" --quiet --today 2026-11-25 "$C/entries"
measure v_ajv "$ajv" validate --spec=draft2020 -c ajv-formats --all-errors -s "$schema" -d "$C/entries/*/*.json"
measure v_py python3 "$bench/peers/py_validate.py" "$schema" "$C/entries"
measure o_ours "$tools/errkb-validate" --quiet --today 2026-11-25 "$one"
measure o_ajv "$ajv" validate --spec=draft2020 -c ajv-formats --all-errors -s "$schema" -d "$one"
[ -x "$tools/errkb-regex" ] && measure r_ours "$tools/errkb-regex" --quiet "$C/entries"
[ -x "$tools/errkb-drift" ] && measure d_ours "$tools/errkb-drift" --quiet "$C/entries"

echo "errkb benchmarks, $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m); corpus of $big entries ($n_json JSON + YAML), $(du -sm "$C/entries" | cut -f1) MB"
echo "median of $runs runs (min-max); ratio = peer / errkb"
printf '%-34s %-26s %-26s %s\n' task errkb peer ratio
printf '%-34s %-26s %-26s %s\n' "jansson parse floor, 1 core" "$(fmt floor1)" "" ""
printf '%-34s %-26s %-26s %s\n' "jansson parse floor, 2 cores" "$(fmt floor2)" "" ""
printf '%-34s %-26s %-26s %s\n' "errkb's JSON reader, 1 core" "$(fmt reader1)" "$(fmt floor1)" "$(ratio reader1 floor1)"
printf '%-34s %-26s %-26s %s\n' "errkb's JSON reader, 2 cores" "$(fmt reader2)" "$(fmt floor2)" "$(ratio reader2 floor2)"
printf '%-34s %-26s %-26s %s\n' "validate corpus vs 2-core floor" "$(fmt v_ours)" "$(fmt floor2)" "$(ratio floor2 v_ours) of floor"
printf '%-34s %-26s %-26s %s\n' "validate corpus vs ajv-cli" "$(fmt v_ours)" "$(fmt v_ajv)" "$(ratio v_ours v_ajv)"
printf '%-34s %-26s %-26s %s\n' "validate corpus vs python-jsonschema" "$(fmt v_ours)" "$(fmt v_py)" "$(ratio v_ours v_py)"
printf '%-34s %-26s %-26s %s\n' "validate one file vs ajv-cli" "$(fmt o_ours)" "$(fmt o_ajv)" "$(ratio o_ours o_ajv)"
[ -n "$(get r_ours)" ] && printf '%-34s %-26s\n' "errkb-regex, whole corpus" "$(fmt r_ours)"
[ -n "$(get d_ours)" ] && printf '%-34s %-26s\n' "errkb-drift, whole corpus" "$(fmt d_ours)"

if [ -x "$tools/errkb-compile" ]; then
    for n in $(printf '%s\n' 2500 $big $huge | sort -nu); do
        Cn=$(corpus $n)
        measure "c_$n" "$tools/errkb-compile" --corpus "$Cn/entries" -o "$work/gen-$n"
        printf '%-34s %-26s\n' "compile $n entries" "$(fmt c_$n)"
    done
    # index size against the minified JSON corpus and its compressions:
    # the bundled corpus (real entries), then the synthetic one
    size_line() { # LABEL ENTRIES_DIR INDEX
        python3 "$bench/minify.py" "$2" "$work/min.json"
        m=$(wc -c < "$work/min.json"); i=$(wc -c < "$3"); n=$(grep -c '' "$work/min.json")
        g=$(gzip -9 -c "$work/min.json" | wc -c); x=$(xz -9 -c "$work/min.json" | wc -c)
        echo "index size, $1 ($n entries, minified JSON $m bytes): index $i bytes ($((i / n)) bytes/entry) = $(python3 -c "print('%.3f' % ($i / $m))") of minified JSON; gzip -9 $g ($(python3 -c "print('%.3f' % ($g / $m))")); xz -9 $x ($(python3 -c "print('%.3f' % ($x / $m))"))"
    }
    "$tools/errkb-compile" --quiet --corpus "$top/entries" -o "$work/gen-bundled" >/dev/null
    size_line "bundled corpus" "$top/entries" "$work/gen-bundled/errkb.idx"
    size_line "synthetic corpus" "$C/entries" "$work/gen-$big/errkb.idx"
fi
if [ -x "$tools/errkb-lookup" ] && [ -f "$work/gen-$big/errkb.idx" ]; then
    sh "$bench/lookup.sh" "$build" "$C" "$work/gen-$big/errkb.idx"
fi

#!/bin/sh
# lookup.sh: match latency of one error line, the reader library (through
# errkb-lookup --bench FILE: median of 1001 calls per line, regexes compiled)
# against the Python `re` loop (every regex, case-insensitive, each line),
# on the same corpus and the same lines.
# usage: bench/lookup.sh BUILD_DIR CORPUS_DIR INDEX_FILE [LINES]
# (LINES: how many of the 400 generated lines; all by default)
set -eu
build=$1 corpus=$2 index=$3 n=${4:-400}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3 "$here/gen_messages.py" "$corpus/entries" "$work/messages.txt" 100 300
head -n "$n" "$work/messages.txt" > "$work/lines.txt"
"$build/tools/errkb-lookup" --index "$index" --bench "$work/lines.txt" > "$work/ours"
ours=$(awk '/^match median/ {print $3}' "$work/ours")
matched=$(sed -n 's/^lines \([0-9]*\) (\([0-9]*\) matched)$/\2/p' "$work/ours")
py=$(python3 "$here/peers/py_re_lookup.py" "$corpus/entries" "$work/lines.txt" 3 | sed 's/.*median_us \([0-9.]*\).*/\1/')
echo "lookup of one line, $(wc -l < "$work/lines.txt") lines ($matched match an entry): errkb-reader median ${ours} us; Python re loop median ${py} us; ratio $(python3 -c "print('%.0fx' % ($py/$ours))")"

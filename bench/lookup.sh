#!/bin/sh
# lookup.sh: match latency of one error line, the reader library (through
# errkb-lookup --bench: median of 1001 calls per line, regexes compiled)
# against the Python `re` loop (every regex, case-insensitive, each line),
# on the same corpus and the same lines.
# usage: bench/lookup.sh BUILD_DIR CORPUS_DIR INDEX_FILE [LINES]
set -eu
build=$1 corpus=$2 index=$3 n=${4:-40}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3 "$here/gen_messages.py" "$corpus/entries" "$work/messages.txt" 100 300
head -n "$n" "$work/messages.txt" > "$work/lines.txt"
: > "$work/ours"
while IFS= read -r line; do
    "$build/tools/errkb-lookup" --index "$index" --bench "$line" |
        awk '/^match median/ {print $3}' >> "$work/ours"
done < "$work/lines.txt"
ours=$(sort -n "$work/ours" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')
py=$(python3 "$here/peers/py_re_lookup.py" "$corpus/entries" "$work/lines.txt" 3 | sed 's/.*median_us \([0-9.]*\).*/\1/')
echo "lookup of one line, $(wc -l < "$work/lines.txt") lines: errkb-reader median ${ours} us; Python re loop median ${py} us; ratio $(python3 -c "print('%.0fx' % ($py/$ours))")"

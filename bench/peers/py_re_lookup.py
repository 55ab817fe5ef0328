#!/usr/bin/env python3
"""py_re_lookup.py: the Python peer for lookups: compile every entry's regex
case-insensitively, then search them all for each message, as a Python
knowledge base looks errors up today. Prints the median and mean time per
message line. usage: py_re_lookup.py ENTRIES_DIR MESSAGES_FILE [ROUNDS]"""
import json, os, re, statistics, sys, time
import yaml

def entries(top):
    for root, dirs, names in os.walk(top):
        dirs.sort()
        for n in sorted(names):
            p = os.path.join(root, n)
            if n.endswith('.json'):
                with open(p, encoding='utf-8') as f:
                    yield json.load(f)
            elif n.endswith(('.yaml', '.yml')):
                with open(p, encoding='utf-8') as f:
                    yield yaml.safe_load(f)

def main():
    compiled = []
    for e in entries(sys.argv[1]):
        try:
            compiled.append((e['id'], re.compile(e['regex'], re.IGNORECASE)))
        except re.error:
            pass  # a PCRE2-only construct: Python cannot use it
    lines = [l.rstrip('\n') for l in open(sys.argv[2], encoding='utf-8') if l.strip()]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    times, hits = [], 0
    for _ in range(rounds):
        for line in lines:
            t0 = time.perf_counter()
            found = [i for i, rx in compiled if rx.search(line)]
            times.append(time.perf_counter() - t0)
            hits += bool(found)
    print(f'regexes {len(compiled)} lines {len(lines)} matched {hits // rounds} '
          f'median_us {statistics.median(times) * 1e6:.2f} mean_us {statistics.mean(times) * 1e6:.2f}')

main()

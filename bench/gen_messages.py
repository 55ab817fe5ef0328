#!/usr/bin/env python3
"""gen_messages.py: a deterministic set of error lines for lookup benchmarks:
N_MATCH lines taken from the corpus's samples.match (they match an entry) and
N_OTHER ordinary log lines from schema/background.log (most match nothing).
usage: gen_messages.py CORPUS_ENTRIES_DIR OUT_FILE [N_MATCH N_OTHER]"""
import json, os, random, sys

def main():
    top, out = sys.argv[1], sys.argv[2]
    n_match = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    n_other = int(sys.argv[4]) if len(sys.argv) > 4 else 300
    rnd = random.Random(7)
    samples = []
    for root, dirs, names in os.walk(top):
        dirs.sort()
        for n in sorted(names):
            if n.endswith('.json'):
                with open(os.path.join(root, n), encoding='utf-8') as f:
                    samples.extend(json.load(f).get('samples', {}).get('match', []))
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    bg_path = os.path.join(here, 'schema', 'background.log')
    other = []
    if os.path.exists(bg_path):
        other = [l.rstrip('\n') for l in open(bg_path, encoding='utf-8') if l.strip() and not l.startswith('#')]
    lines = rnd.sample(samples, min(n_match, len(samples)))
    lines += [other[i % len(other)] for i in range(n_other)] if other else []
    rnd.shuffle(lines)
    with open(out, 'w', encoding='utf-8') as f:
        for l in lines:
            f.write(l.replace('\n', ' ') + '\n')

main()

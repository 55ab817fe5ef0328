#!/usr/bin/env python3
"""minify.py ENTRIES OUT: every entry (JSON or YAML) of a corpus as minified
JSON, one per line, in path order: the "minified JSON corpus" that index
sizes are compared with (and that gzip -9 and xz -9 compress)."""
import json
import os
import sys

import yaml


class CoreLoader(yaml.SafeLoader):
    """YAML as errkb reads it: dates stay strings (YAML 1.2 core schema)."""


CoreLoader.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != 'tag:yaml.org,2002:timestamp']
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def main():
    out = []
    for root, dirs, names in os.walk(sys.argv[1]):
        dirs.sort()
        for n in sorted(names):
            path = os.path.join(root, n)
            if n.endswith('.json'):
                with open(path, encoding='utf-8') as f:
                    doc = json.load(f)
            elif n.endswith(('.yaml', '.yml')):
                with open(path, encoding='utf-8') as f:
                    doc = yaml.load(f, Loader=CoreLoader)
            else:
                continue
            out.append(json.dumps(doc, separators=(',', ':'), ensure_ascii=False))
    with open(sys.argv[2], 'w', encoding='utf-8') as f:
        f.write('\n'.join(out))


main()

#!/usr/bin/env python3
"""py_validate.py: the Python peer: python3-jsonschema's Draft202012Validator
with format checking over every entry file (JSON, and YAML via python3-yaml),
the way Python-based knowledge bases validate. usage: py_validate.py SCHEMA PATH..."""
import json, os, sys
import jsonschema, yaml

def files(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                dirs.sort()
                for n in sorted(names):
                    if n.endswith(('.json', '.yaml', '.yml')):
                        yield os.path.join(root, n)
        else:
            yield p

def main():
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    bad = 0
    for path in files(sys.argv[2:]):
        with open(path, encoding='utf-8') as f:
            doc = json.load(f) if path.endswith('.json') else yaml.safe_load(f)
        for e in v.iter_errors(doc):
            bad += 1
            print(f'{path}: {e.message}')
    sys.exit(1 if bad else 0)

main()

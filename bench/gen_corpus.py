#!/usr/bin/env python3
"""gen_corpus.py: a deterministic synthetic corpus for the benchmarks.

usage: gen_corpus.py N OUT_DIR [--yaml-every K]

Takes the bundled entries (entries/) as material and writes N distinct
entries to OUT_DIR/entries/<domain>/<slug>.json (every K-th as YAML), with
realistic field lengths, Chinese text in the *_zh fields and a distinct
regex per entry (the source regex plus a literal unique to the entry, which
every sample and the signature carry). Copies schema/ beside it. Same N, same
output, byte for byte."""
import json, os, random, shutil, sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)

def load_bundled():
    out = []
    for dom in sorted(os.listdir(os.path.join(TOP, 'entries'))):
        d = os.path.join(TOP, 'entries', dom)
        for name in sorted(os.listdir(d)):
            if name.endswith('.json'):
                with open(os.path.join(d, name), encoding='utf-8') as f:
                    out.append(json.load(f))
    return out

def scalar(v):
    if v is None: return 'null'
    if isinstance(v, bool): return 'true' if v else 'false'
    if isinstance(v, (int, float)): return repr(v)
    return json.dumps(v, ensure_ascii=False)

def yaml_block(o, ind=0):
    sp = '  ' * ind
    lines = []
    for k, v in o.items():
        if isinstance(v, dict) and v:
            lines.append(f'{sp}{k}:')
            lines.append(yaml_block(v, ind + 1))
        elif isinstance(v, list) and v:
            lines.append(f'{sp}{k}:')
            for it in v:
                if isinstance(it, dict) and it:
                    sub = yaml_block(it, ind + 2).split('\n')
                    sub[0] = sp + '  - ' + sub[0].lstrip()
                    lines.extend(sub)
                else:
                    lines.append(f'{sp}  - {scalar(it)}')
        elif isinstance(v, dict):
            lines.append(f'{sp}{k}: {{}}')
        elif isinstance(v, list):
            lines.append(f'{sp}{k}: []')
        else:
            lines.append(f'{sp}{k}: {scalar(v)}')
    return '\n'.join(lines)

def unanchor(rx):
    """Drops '^' anchors outside character classes and escapes."""
    out, i, in_class = [], 0, False
    while i < len(rx):
        c = rx[i]
        if c == '\\':
            out.append(rx[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != ']' or (out and out[-1] == '[')
        elif c == '[':
            in_class = True
        elif c == '^':
            i += 1
            continue
        out.append(c)
        i += 1
    return ''.join(out)

def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    yaml_every = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == '--yaml-every' else 20
    rnd = random.Random(20261125)
    src = load_bundled()
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    shutil.copytree(os.path.join(TOP, 'schema'), os.path.join(out, 'schema'))
    # The lock file speaks of the bundled ids only.
    lock = os.path.join(out, 'schema', 'translations.lock')
    if os.path.exists(lock):
        os.remove(lock)
    domains = [f'bench-{i:02d}' for i in range(24)]
    for i in range(n):
        e = json.loads(json.dumps(src[i % len(src)]))
        dom = domains[i % len(domains)]
        tag = f'ekb{i:06d}x{rnd.randrange(1 << 20):05x}'
        slug = f'{e["id"].split("/")[1]}-{i:06d}'
        e['id'] = f'{dom}/{slug}'
        e['domain'] = dom
        # a distinct regex: the entry's own literal, then the source pattern
        # (its start anchors dropped: the literal now stands before them)
        e['regex'] = f'{tag}: [\\s\\S]*?(?:{unanchor(e["regex"])})'
        e['signature'] = f'{tag}: {e["signature"]}'
        e['aliases'] = [f'{tag}: {a}' for a in e.get('aliases', [])]
        s = e.get('samples', {})
        s['match'] = [f'{tag}: {m}' for m in s.get('match', [])]
        s['no_match'] = [f'{tag}: {m}' for m in s.get('no_match', [])]
        e['samples'] = s
        if 'signature_zh' in e and e['signature_zh']:
            # the tag is a token the translation must keep; the gloss keeps
            # the share of Han text above the policy's minimum
            e['signature_zh'] = f'{tag}: {e["signature_zh"]}（基准测试合成条目）'
        e['transition_graph'] = {'leads_to': [], 'preceded_by': [], 'frequently_confused_with': []}
        d = os.path.join(out, 'entries', dom)
        os.makedirs(d, exist_ok=True)
        if yaml_every and i % yaml_every == yaml_every - 1:
            with open(os.path.join(d, slug + '.yaml'), 'w', encoding='utf-8') as f:
                f.write(yaml_block(e) + '\n')
        else:
            with open(os.path.join(d, slug + '.json'), 'w', encoding='utf-8') as f:
                f.write(json.dumps(e, indent=2, ensure_ascii=False) + '\n')

main()

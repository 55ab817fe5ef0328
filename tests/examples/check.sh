#!/bin/sh
# check.sh: the CI examples and the pre-commit hook definitions parse (our own
# YAML loader: errkb-validate --schema with the permissive schema 'true'),
# have the shape their consumer expects (a small schema each), and every
# errkb-<tool> they name is a tool this build makes.
# usage: check.sh TOOLS_DIR SOURCE_DIR
set -u
tools=$1 src=$2 here="$2/tests/examples"
pass=0 fail=0
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
validate() { # validate SCHEMA FILE WHAT
    if "$tools/errkb-validate" --quiet --schema "$1" "$2" >"$work/out" 2>&1; then
        pass=$((pass + 1)); echo "ok: $3"
    else
        fail=$((fail + 1)); echo "FAIL: $3"; sed 's/^/  | /' "$work/out"
    fi
}
for f in "$src"/examples/ci/*.yml "$src/.pre-commit-hooks.yaml"; do
    name=${f#"$src"/}
    validate "$here/any.schema.json" "$f" "$name parses as YAML"
    # every errkb-word names a built tool (errkb-compile-check is the hook of errkb-compile)
    for word in $(grep -oE 'errkb-[a-z]+' "$f" | sort -u); do
        if [ -x "$tools/$word" ]; then
            pass=$((pass + 1)); echo "ok: $name: $word is a built tool"
        else
            fail=$((fail + 1)); echo "FAIL: $name names '$word', which is no built tool"
        fi
    done
done
validate "$here/github-workflow.schema.json" "$src/examples/ci/github-actions.yml" "github-actions.yml has a workflow's shape"
validate "$here/gitlab-ci.schema.json" "$src/examples/ci/gitlab-ci.yml" "gitlab-ci.yml has a GitLab CI job's shape"
validate "$here/pre-commit-hooks.schema.json" "$src/.pre-commit-hooks.yaml" ".pre-commit-hooks.yaml has pre-commit's shape"
# one hook per gate
for id in errkb-validate errkb-regex errkb-drift errkb-compile-check; do
    if grep -qx -- "- id: $id" "$src/.pre-commit-hooks.yaml"; then
        pass=$((pass + 1)); echo "ok: hook $id is defined"
    else
        fail=$((fail + 1)); echo "FAIL: no hook $id in .pre-commit-hooks.yaml"
    fi
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]

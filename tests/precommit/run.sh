#!/bin/sh
# run.sh: the pre-commit hooks end to end, with Debian's pre-commit and the
# built tools. A temporary knowledge-base repository (tests/precommit/entries
# and the project's schema/) installs the hooks twice: the remote form
# (repo: + rev: of a git repository holding our .pre-commit-hooks.yaml) and
# the local form (repo: local), both copied from docs/pre-commit-and-ci.md,
# with the build's tools first on PATH. A commit with a broken entry must be
# refused with the tools' exact diagnostic line; a clean commit must pass.
# usage: run.sh TOOLS_DIR SOURCE_DIR      exit 77 (skipped) without pre-commit
set -u
tools=$(cd "$1" && pwd) || exit 2
src=$(cd "$2" && pwd) || exit 2
for prog in pre-commit git; do
    if ! command -v "$prog" >/dev/null 2>&1; then
        echo "skip: $prog is not installed (build-aux/deps.sh installs it)"
        exit 77
    fi
done
work=$(mktemp -d) || exit 2
trap 'rm -rf "$work"' EXIT
# nothing from the user's or the machine's git and pre-commit setup
export HOME="$work/home" PRE_COMMIT_HOME="$work/cache" GIT_CONFIG_NOSYSTEM=1
export GIT_CEILING_DIRECTORIES="$work" LC_ALL=C TZ=UTC
export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.com GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.com
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
mkdir -p "$HOME"
PATH="$tools:$PATH"
export PATH
pass=0 fail=0 skip=0
ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; [ -f "$work/out" ] && sed 's/^/  | /' "$work/out"; }

# the hooks this build can run (a tool another helper has not landed yet
# has no hook here, and says so)
hooks=""
for h in errkb-validate errkb-regex errkb-drift errkb-compile-check; do
    t=${h%-check}
    if [ -x "$tools/$t" ]; then hooks="$hooks $h"; else skip=$((skip + 1)); echo "skip: hook $h: $t is not built"; fi
done

# A fenced yaml block of the docs, found by the comment on its first line.
snippet() {
    awk -v mark="$1" '
        /^```/ { if (inside) exit; if ($0 == "```yaml") { getline first; if (index(first, mark)) { inside = 1; print first } } next }
        inside { print }' "$src/docs/pre-commit-and-ci.md"
}

# the repository pre-commit fetches the hook definitions from
mkdir "$work/hooks" && cd "$work/hooks" && git init -q . &&
    cp "$src/.pre-commit-hooks.yaml" . && git add . && git commit -qm hooks || exit 2
rev=$(git rev-parse HEAD)

# kb FORM: a fresh knowledge-base repository using the config of that form
kb() {
    dir="$work/kb-$1"
    mkdir "$dir" && cd "$dir" && git init -q . || exit 2
    cp -R "$src/tests/precommit/entries" "$src/schema" . || exit 2
    # the translations are reviewed: record them, then the index
    errkb-drift --accept >/dev/null 2>&1
    errkb-compile >/dev/null || { echo "FAIL: errkb-compile on the fixture corpus"; exit 1; }
}

# commit_case NAME WANT(0 refused|1 accepted) [LINE]: commits what is
# staged; checks pre-commit's verdict and that LINE is in its output
commit_case() {
    before=$(git rev-parse -q --verify HEAD || echo none)
    git commit -qm "$1" >"$work/out" 2>&1
    after=$(git rev-parse -q --verify HEAD || echo none)
    if [ "$2" = 1 ] && [ "$before" = "$after" ]; then bad "$1: the commit was refused"; return; fi
    if [ "$2" = 0 ] && [ "$before" != "$after" ]; then bad "$1: the commit was accepted"; return; fi
    if [ $# -ge 3 ] && ! grep -qxF -- "$3" "$work/out"; then bad "$1: pre-commit's output lacks: $3"; return; fi
    ok "$1"
}

broken_line='entries/demo/broker-refused.json:27:20: error: fail_rate 1.7 is above maximum 1 (/dead_ends/0/fail_rate) [schema.maximum]'
missing_line="entries/demo/broker-timeout.json:49:7: error: no entry 'demo/broker-refused' in the corpus [corpus.link-missing]"

run_form() {
    form=$1
    kb "$form"
    snippet "($form form)" >.pre-commit-config.yaml
    if [ ! -s .pre-commit-config.yaml ]; then bad "$form form: no such snippet in docs/pre-commit-and-ci.md"; return; fi
    if [ "$form" = remote ]; then
        # our hooks repository at this build's commit, the hooks this build has
        sed -i -e "s|^\( *- *repo:\).*|\1 $work/hooks|" -e "s|^\( *rev:\).*|\1 $rev|" .pre-commit-config.yaml
        for h in errkb-validate errkb-regex errkb-drift errkb-compile-check; do
            case " $hooks " in *" $h "*) ;; *) sed -i "/id: $h\$/d" .pre-commit-config.yaml ;; esac
        done
    elif [ $skip != 0 ]; then
        skip=$((skip + 1)); echo "skip: local form: it names every tool, and not all are built"; return
    fi
    pre-commit install >"$work/out" 2>&1 || { bad "$form form: pre-commit install"; return; }
    git add -A
    commit_case "$form form: the first commit of a clean corpus passes" 1
    sed -i 's/"fail_rate": 0.9,/"fail_rate": 1.7,/' entries/demo/broker-refused.json
    git add -A
    commit_case "$form form: a broken entry is refused with its diagnostic" 0 "$broken_line"
    sed -i 's/"fail_rate": 1.7,/"fail_rate": 0.9,/' entries/demo/broker-refused.json
    sed -i 's/"confidence": 0.8,/"confidence": 0.85,/' entries/demo/broker-refused.json
    errkb-compile >/dev/null
    git add -A
    commit_case "$form form: a clean change (index recompiled) passes" 1
    # only a deletion: the hooks still run, and the link to it is caught
    git rm -q entries/demo/broker-refused.json
    errkb-compile >/dev/null 2>&1
    git add -A
    commit_case "$form form: deleting an entry others link to is refused" 0 "$missing_line"
    git reset -q --hard
    sed -i 's/"confidence": 0.85,/"confidence": 0.8,/' entries/demo/broker-refused.json
    git add -A
    commit_case "$form form: a stale generated/ index is refused" 0 \
        "errkb-compile: 'entries/../generated/errkb.idx' is not what the corpus compiles to: run errkb-compile"
}

run_form remote
run_form local
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]

#!/bin/sh
# deps.sh: install what errkb needs to build and test, from Debian's packages,
# when it is not there yet. Safe to run again; does nothing when all is present.
set -eu
need=""
command -v cc >/dev/null 2>&1 || need="$need gcc"
command -v meson >/dev/null 2>&1 || need="$need meson"
command -v ninja >/dev/null 2>&1 || need="$need ninja-build"
command -v pkg-config >/dev/null 2>&1 || need="$need pkgconf"
pc() { pkg-config --exists "$1" 2>/dev/null; }
pc jansson || need="$need libjansson-dev"
pc yaml-0.1 || need="$need libyaml-dev"
pc libpcre2-8 || need="$need libpcre2-dev"
pc libxml-2.0 || need="$need libxml2-dev"
pc cmocka || need="$need libcmocka-dev"
# used by the test suite: the downstream-consumer test builds with clang and g++
command -v clang >/dev/null 2>&1 || need="$need clang"
command -v g++ >/dev/null 2>&1 || need="$need g++"
# used by the test suite: --changed-since runs git; the hooks' end-to-end
# test runs pre-commit
command -v git >/dev/null 2>&1 || need="$need git"
command -v pre-commit >/dev/null 2>&1 || need="$need pre-commit"
[ -n "$need" ] || exit 0
echo "deps.sh: installing:$need" >&2
if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $need >/dev/null

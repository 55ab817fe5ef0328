#!/bin/sh
# run.sh: the downstream-consumer test. Builds consumer.c against the reader
# sources and the generated headers with gcc and clang as C99 and with g++ as
# C++17 (-Wall -Wextra -pedantic -Werror), runs each, and prints a summary.
# usage: run.sh SOURCE_ROOT WORK_DIR [SANITIZE]   (SANITIZE: e.g. address,undefined)
set -u
src=$1 work=$2 san=${3:-none}
mkdir -p "$work" || exit 2
extra=""
[ "$san" != none ] && [ -n "$san" ] && extra="-fsanitize=$san -fno-omit-frame-pointer"
pcre_cflags=$(pkg-config --cflags libpcre2-8) && pcre_libs=$(pkg-config --libs libpcre2-8) || exit 2
warn="-Wall -Wextra -pedantic -Werror"
pass=0 fail=0
for kind in gcc clang g++; do
    case $kind in
        gcc) cc=gcc cxx=gcc std=-std=c99 ;;
        clang) cc=clang cxx=clang std=-std=c99 ;;
        g++) cc=gcc cxx=g++ std=-std=c++17 ;;
    esac
    if ! command -v "$cxx" >/dev/null 2>&1; then
        echo "FAIL $kind: compiler not found"; fail=$((fail + 1)); continue
    fi
    dir="$work/$kind"
    mkdir -p "$dir"
    ok=1
    for f in "$src"/lib/reader/*.c; do
        # shellcheck disable=SC2086
        $cc -std=c17 $warn $extra -c "$f" -o "$dir/$(basename "$f" .c).o" $pcre_cflags || ok=0
    done
    # shellcheck disable=SC2086
    [ $ok = 1 ] && $cxx $std $warn $extra -I"$src/generated" -I"$src/lib/reader" -c "$src/tests/consumer/consumer.c" \
        -o "$dir/consumer.o" || ok=0
    # shellcheck disable=SC2086
    [ $ok = 1 ] && $cxx $extra "$dir"/*.o -o "$dir/consumer" $pcre_libs || ok=0
    if [ $ok = 1 ] && "$dir/consumer" >"$dir/out"; then
        echo "ok $kind: $(cat "$dir/out")"; pass=$((pass + 1))
    else
        echo "FAIL $kind"; fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ $fail = 0 ]

#!/bin/sh
# run.sh -- builds the libFuzzer target for the GraphQL parser (tests/fuzz/fuzz_parser.c) with $CLANG
# and runs it over the seed corpus for a bounded time (20 s, 5 s with SKIP_SLOW_TESTS). Prints TAP.
# Works in a temporary directory: new corpus entries and crash artifacts never touch the source tree.
# A missing prerequisite skips the test, except under ENTITYD_REQUIRE_ALL (set by
# `./setup.sh test`, so CI cannot pass by skipping), where it fails.
skip() {
  if [ -n "${ENTITYD_REQUIRE_ALL:-}" ]; then echo "1..1"; echo "not ok 1 - prerequisite missing: $1"; exit 1; fi
  echo "1..0 # SKIP $1"
}
set -u
srcdir=${ENTITYD_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
# $CLANG comes from configure ("no" when it found none); run by hand without it, use clang from PATH.
if [ -n "${CLANG+set}" ]; then cc=$CLANG; else cc=$(command -v clang 2>/dev/null || true); fi
if [ -z "$cc" ] || [ "$cc" = no ] || ! command -v "$cc" >/dev/null 2>&1; then
    skip "no clang"
    exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/entityd-fuzz.XXXXXX") || { skip "no temporary directory"; exit 0; }
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$tmp/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$tmp/probe.c" -o "$tmp/probe" >/dev/null 2>&1; then
    skip "no clang (-fsanitize=fuzzer does not link)"
    exit 0
fi

echo "1..1"
s=$srcdir/src
if ! "$cc" -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$s" -o "$tmp/fuzz_parser" "$srcdir/tests/fuzz/fuzz_parser.c" \
    "$s/graphql/language/parser.c" "$s/graphql/language/lexer.c" "$s/graphql/language/ast.c" \
    "$s/graphql/error.c" "$s/util/arena.c" "$s/util/buf.c" "$s/util/utf8.c" >"$tmp/build.log" 2>&1; then
    echo "not ok 1 - fuzz parser: build failed"
    sed 's/^/# /' "$tmp/build.log"
    exit 1
fi

secs=20
[ -n "${SKIP_SLOW_TESTS:-}" ] && secs=5
mkdir "$tmp/corpus"
cd "$tmp" || exit 1
"$tmp/fuzz_parser" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
    -artifact_prefix="$tmp/" "$tmp/corpus" "$srcdir/tests/fuzz/corpus" >"$tmp/fuzz.log" 2>&1
rc=$?
runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$tmp/fuzz.log" | tail -n 1)
if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
    echo "ok 1 - fuzz parser $runs runs"
    exit 0
fi
echo "not ok 1 - fuzz parser (exit $rc)"
tail -n 60 "$tmp/fuzz.log" | sed 's/^/# /'
exit 1

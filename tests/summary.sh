#!/bin/sh
# summary.sh BUILDDIR -- prints the closing line "N passed, N failed[, N skipped]" from the
# test harness' results (every TAP test case counts, not every test program).
set -eu
log=${1:-.}/test-suite.log
if [ ! -f "$log" ]; then echo "0 passed, 1 failed"; exit 0; fi
get() { sed -n "s/^# $1: *\([0-9][0-9]*\).*/\1/p" "$log" | head -n1; }
pass=$(get PASS); fail=$(get FAIL); xpass=$(get XPASS); err=$(get ERROR); skip=$(get SKIP)
failed=$(( ${fail:-0} + ${xpass:-0} + ${err:-0} ))
if [ "${skip:-0}" -gt 0 ]; then
  echo "${pass:-0} passed, $failed failed, ${skip} skipped"
else
  echo "${pass:-0} passed, $failed failed"
fi

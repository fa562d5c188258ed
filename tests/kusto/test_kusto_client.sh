#!/bin/sh
# test_kusto_client.sh -- runs the Kusto client driver (tests/kusto/kusto_client_driver.c, TAP
# output) against the loopback Kusto test server (tests/kusto/kusto_server.py) on 127.0.0.1.
srcdir=${ENTITYD_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${ENTITYD_BUILDDIR:-.}
py=${PYTHON3:-python3}
[ "$py" = no ] && py=python3
server="$srcdir/tests/kusto/kusto_server.py"
driver="$builddir/tests/kusto/kusto_client_driver"
fail() { echo "1..1"; echo "not ok 1 - $1"; exit 1; }
[ -f "$server" ] || fail "tests/kusto/kusto_server.py is missing"
[ -x "$driver" ] || fail "$driver is not built"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kusto_client.XXXXXX") || fail "mktemp"
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
# Test traffic stays on 127.0.0.1: no proxy may see it.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

"$py" "$server" --port 0 --port-file "$tmp/port" 2>"$tmp/server.log" &
pid=$!
i=0
while [ ! -s "$tmp/port" ]; do
  i=$((i + 1))
  if [ $i -gt 100 ] || ! kill -0 "$pid" 2>/dev/null; then
    sed 's/^/# server: /' "$tmp/server.log"
    fail "the Kusto test server did not start"
  fi
  sleep 0.1
done
KUSTO_TEST_PORT=$(cat "$tmp/port")
export KUSTO_TEST_PORT
"$driver"
rc=$?
if [ $rc -ne 0 ]; then tail -n 30 "$tmp/server.log" | sed 's/^/# server: /'; fi
exit $rc

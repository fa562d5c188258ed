#!/bin/sh
# test_graphql_http_audit.sh -- runs the graphql-http serverAudits against the real server
# (tests/e2e/test_graphql_http_audit.mjs). Needs node and web/node_modules (npm ci in web/).
# A missing prerequisite skips the test, except under ENTITYD_REQUIRE_ALL (set by
# `./setup.sh test`, so CI cannot pass by skipping), where it fails.
skip() {
  if [ -n "${ENTITYD_REQUIRE_ALL:-}" ]; then echo "1..1"; echo "not ok 1 - prerequisite missing: $1"; exit 1; fi
  echo "1..0 # SKIP $1"
}
srcdir=${ENTITYD_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
node=${NODE:-node}
[ "$node" = no ] && node=node
if ! command -v "$node" >/dev/null 2>&1; then
  skip "node is not installed"; exit 0
fi
if [ ! -d "$srcdir/web/node_modules/graphql-http" ]; then
  skip "graphql-http is not installed (cd web && npm ci --ignore-scripts)"; exit 0
fi
exec "$node" "$srcdir/tests/e2e/test_graphql_http_audit.mjs"

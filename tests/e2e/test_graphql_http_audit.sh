#!/bin/sh
# test_graphql_http_audit.sh -- runs the graphql-http serverAudits against the real server
# (tests/e2e/test_graphql_http_audit.mjs). Needs node and web/node_modules (npm ci in web/).
srcdir=${ENTITYD_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
node=${NODE:-node}
[ "$node" = no ] && node=node
if ! command -v "$node" >/dev/null 2>&1; then
  echo "1..0 # SKIP node is not installed"; exit 0
fi
if [ ! -d "$srcdir/web/node_modules/graphql-http" ]; then
  echo "1..0 # SKIP graphql-http is not installed (cd web && npm ci --ignore-scripts)"; exit 0
fi
exec "$node" "$srcdir/tests/e2e/test_graphql_http_audit.mjs"

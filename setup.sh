#!/usr/bin/env bash
# setup.sh -- one command for a fresh Debian 12 machine.
#
#   ./setup.sh          install what is missing, build, and run the server on 127.0.0.1:8080
#                       (SQLite file under ./data/; the admin key is written to ./data/admin.key)
#   ./setup.sh test     install what is missing, build with -Werror, run every test;
#                       ends with the line "N passed, N failed"
#   ./setup.sh build    install and build only
#
# Packages come from Debian (apt-get; run as root or with sudo available) and the GraphiQL
# assets from npm (web/package-lock.json). The build goes to ./build/.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")"
top=$PWD
mode=${1:-run}

DEB_PACKAGES=(build-essential autoconf automake libtool pkg-config
  libmicrohttpd-dev libjansson-dev libsqlite3-dev libcurl4-openssl-dev libcmocka-dev zlib1g-dev
  sqlite3 curl jq ca-certificates python3 python3-graphql-core nodejs npm chromium
  clang libclang-rt-14-dev)

missing=()
for p in "${DEB_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  # npm on Debian comes with node; a machine that already has node from elsewhere keeps it.
  if command -v node >/dev/null && command -v npm >/dev/null; then
    tmp=(); for p in "${missing[@]}"; do case $p in nodejs|npm) ;; *) tmp+=("$p");; esac; done
    missing=("${tmp[@]+"${tmp[@]}"}")
  fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# GraphiQL and React, exactly as locked; no install scripts run.
if [ -f web/package-lock.json ] && [ ! -f web/node_modules/.package-lock.json -o web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "setup: installing web assets (npm ci)"
  (cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

configure_flags=()
[ "$mode" = test ] && configure_flags+=(--enable-werror)
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt configure ]; then
  autoreconf -fi >/dev/null
fi
mkdir -p build
stamp="build/.configured-${configure_flags[*]:-default}"
if [ ! -f build/Makefile ] || [ ! -f "$stamp" ] || [ configure -nt build/Makefile ]; then
  (cd build && "$top/configure" -q "${configure_flags[@]+"${configure_flags[@]}"}")
  rm -f build/.configured-*; touch "$stamp"
fi
make -C build -j"$(nproc)" >/dev/null

# Under `test`, a missing prerequisite of a test (node, chromium, clang, the npm assets, graphql-core)
# is a failure, not a skip.
[ "$mode" = test ] && export ENTITYD_REQUIRE_ALL=1

case $mode in
  build) echo "setup: built build/src/entityd";;
  test)
    set +e
    make -C build -j"$(nproc)" check
    rc=$?
    set -e
    "$top/tests/summary.sh" build
    exit $rc;;
  run)
    exec build/src/entityd --data-dir ./data --web-root "$top/web";;
  *) echo "usage: $0 [run|test|build]" >&2; exit 2;;
esac

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what telcrm needs to build, test and benchmark, from Debian's packages only.
# This is the one place that knows package names. Idempotent: installs only what is missing.
#   scripts/install-deps.sh            everything (build, tests, benchmarks, Clang)
#   scripts/install-deps.sh --runtime  only what building the library and the tool needs
# The PBX suite and demo need Kamailio (http_client is in kamailio-utils-modules, jansson in
# kamailio-extra-modules) and sipp (sip-tester); `telcrm serve` needs cpp-httplib and CLI11.
# The Bitrix24 SDK suite (label bitrix24) needs Node >= 20 with npm, openssl and curl; its
# Node packages are pinned in tests/bitrix24/node/package-lock.json and installed at the end
# with `npm ci` (into that folder's node_modules, which git ignores).
set -euo pipefail

build_pkgs=(cmake g++ ninja-build pkg-config libfmt-dev nlohmann-json3-dev libsqlite3-dev libpq-dev
            libcpp-httplib-dev libssl-dev libcli11-dev)
# libclang-rt-14-dev: libFuzzer (the fuzz preset). postgresql-15: the server the PostgreSQL
# store's tests and benchmark start (initdb, pg_ctl). nodejs, openssl, curl: the Bitrix24 suite.
test_pkgs=(doctest-dev libbenchmark-dev libphonenumber-dev libprotobuf-dev clang libclang-rt-14-dev clang-format
           python3 sqlite3 doxygen kamailio kamailio-utils-modules kamailio-extra-modules sip-tester
           postgresql-15 nodejs openssl curl)

pkgs=("${build_pkgs[@]}")
if [[ "${1:-}" != "--runtime" ]]; then pkgs+=("${test_pkgs[@]}"); fi

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

install_node_packages() {
  [[ "${1:-}" == "--runtime" ]] && return 0
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/bitrix24/node"
  if ! command -v npm >/dev/null; then
    echo "install-deps: npm not found: the Bitrix24 SDK suite cannot install its packages" >&2
    return 0
  fi
  if [[ -f "$dir/node_modules/.package-lock.json" &&
        "$dir/node_modules/.package-lock.json" -nt "$dir/package-lock.json" ]]; then
    echo "install-deps: Node packages of the Bitrix24 suite present"
    return 0
  fi
  echo "install-deps: npm ci in tests/bitrix24/node (pinned by its package-lock.json)"
  (cd "$dir" && npm ci --no-audit --no-fund >/dev/null)
}

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#pkgs[@]} packages present"
  install_node_packages "${1:-}"
  exit 0
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then as_root=(sudo); else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
install_node_packages "${1:-}"

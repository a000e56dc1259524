#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The Bitrix24 SDK suite (ctest telcrm_bitrix24_sdk, label bitrix24): makes a throwaway TLS
# certificate, installs the pinned Node packages from package-lock.json when they are missing,
# and runs sdk.test.mjs with node's test runner. Usage: run.sh PATH/TO/telcrm
# Without Node >= 20 it reports itself skipped (exit 77) with the reason — unless CI is set,
# where it fails instead.
set -u
here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] || { echo "usage: $0 PATH/TO/telcrm" >&2; exit 2; }
telcrm=$1

skip() {
  if [ -n "${CI:-}" ]; then
    echo "FAILED (CI is set, so this suite must run): $1"
    exit 1
  fi
  echo "SKIPPED: $1"
  exit 77
}

command -v node >/dev/null 2>&1 || skip "node is not installed (the suite needs Node >= 20)"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 20 ] 2>/dev/null ||
  skip "Node $(node --version) is older than 20 (@bitrix24/b24jssdk 2.2.0 needs >= 20)"
command -v openssl >/dev/null 2>&1 || skip "openssl is not installed"
command -v curl >/dev/null 2>&1 || skip "curl is not installed"
if [ ! -f "$here/node_modules/@bitrix24/b24jssdk/package.json" ]; then
  command -v npm >/dev/null 2>&1 || skip "npm is not installed (needed once: npm ci in $here)"
  (cd "$here" && npm ci --no-audit --no-fund >/dev/null) ||
    skip "npm ci failed in $here (scripts/install-deps.sh installs the pinned packages)"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/telcrm-b24.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
  -days 2 -subj '/CN=127.0.0.1' -addext 'subjectAltName=IP:127.0.0.1' >/dev/null 2>&1 ||
  { echo "openssl could not make a certificate"; exit 1; }

# The certificate must be trusted before node starts (NODE_EXTRA_CA_CERTS is read once).
NODE_EXTRA_CA_CERTS="$work/cert.pem" TELCRM="$telcrm" TELCRM_WORK="$work" \
  node --test --test-concurrency=1 --test-reporter=spec "$here/sdk.test.mjs"

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the API reference from the `///` comments of the public headers (Doxyfile) and fails
# on any Doxygen warning: a comment Doxygen cannot read, or a public name without one.
#   scripts/docs.sh [OUTPUT_DIR]   default build/docs; the pages are OUTPUT_DIR/html/index.html
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v doxygen >/dev/null; then
  echo "docs: doxygen is not installed (scripts/install-deps.sh installs it)" >&2
  exit 1
fi
out=${1:-build/docs}
mkdir -p "$out"
version=$(sed -n 's/^#define TELCRM_VERSION_STRING "\(.*\)"$/\1/p' include/telcrm/version.hpp)
# The Doxyfile reads both from the environment.
export TELCRM_DOCS_OUTPUT TELCRM_DOCS_VERSION
TELCRM_DOCS_OUTPUT=$(cd "$out" && pwd)
TELCRM_DOCS_VERSION=$version
doxygen Doxyfile
echo "docs: $out/html/index.html"

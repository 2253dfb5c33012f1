#!/usr/bin/env bash
# The whole test suite: unit tests (no engine) and end-to-end tests (the built multidc and
# fakeworld binaries against a real Docker engine). Installs and starts what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build --build-tests
swift test --skip-build "$@"

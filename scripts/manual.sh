#!/usr/bin/env bash
# Regenerates docs/multidc.1, the man page, from the same argument definitions as `--help`, with
# swift-argument-parser's generate-manual plugin (it builds the package in release mode first).
# A test (MultiDCCLITests, ManualPageTests) fails while the checked-in page misses a flag.
set -euo pipefail
cd "$(dirname "$0")/.."
swift package --disable-sandbox generate-manual --date 2026-01-01 --section 1
cp .build/plugins/GenerateManual/outputs/multidc/multidc.1 docs/multidc.1
echo "docs/multidc.1 regenerated; view it with: man -l docs/multidc.1"

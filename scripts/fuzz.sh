#!/usr/bin/env bash
# The bounded fuzz run for CI (issue 13): builds the deterministic harness in release and runs
# a fixed seed over the seed corpus in Fuzz/corpus. Fails on any crash, any property that does
# not hold (YAML round trip, excerpt size), any case over 2 s, or any case rendering over 1 MB.
# A crash leaves the case that was running in $OUT/current.yaml; failing cases are saved as
# $OUT/failure-N.yaml. Replay one: .build/release/multidc-fuzz replay FILE
#
#   bash scripts/fuzz.sh                         # 20,000 cases, seed 13
#   FUZZ_CASES=100000 FUZZ_SEED=7 bash scripts/fuzz.sh
set -uo pipefail
cd "$(dirname "$0")/.."
CASES="${FUZZ_CASES:-20000}"
SEED="${FUZZ_SEED:-13}"
OUT="${FUZZ_OUT:-.build/fuzz}"
# The whole run is bounded too: a hang is a failure, not a stuck CI job.
BUDGET="${FUZZ_TIMEOUT:-1200}"

swift build -c release --product multidc-fuzz || exit 1
rm -rf "$OUT"
timeout --signal=KILL "$BUDGET" .build/release/multidc-fuzz run \
  --corpus Fuzz/corpus --cases "$CASES" --seed "$SEED" --max-seconds 2 --max-output 1048576 --out "$OUT"
status=$?
if [ "$status" -ne 0 ] && [ -f "$OUT/current.yaml" ]; then
  echo "multidc-fuzz died (status $status) on the case saved as $OUT/current.yaml" >&2
fi
exit "$status"

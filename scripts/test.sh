#!/usr/bin/env bash
# The whole test suite: unit tests (no engine) and end-to-end tests (the built multidc and
# fakeworld binaries against a real Docker engine). Installs and starts what it needs first.
#
# The suites run as three `swift test` invocations: the docker-driving suites wait on real
# processes, and on a 2-core machine they would starve the unit tests' own timeouts if all
# ran in one process at once. Every group runs even when an earlier one fails; the script
# fails if any did. Extra arguments go to every invocation (e.g. --filter is not allowed).
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh || exit 1
# The tree stays formatted with the checked-in .swift-format (a finding fails the run).
echo "== swift format lint --strict"
swift format lint --strict -r Sources Tests Benchmarks || exit 1
swift build --build-tests || exit 1

status=0
# The bounded fuzz run of the YAML layer and the spec decoder (Fuzz/README.md): a fixed seed,
# 20,000 cases; any crash, case over 2 s or output over 1 MB fails the run.
echo "== bash scripts/fuzz.sh"
bash scripts/fuzz.sh || status=1

for group in 'YAMLTests|MultiDCTests|MultiDCCLITests' 'FakeWorldTests' 'EndToEndTests'; do
  echo "== swift test --filter '$group'"
  swift test --skip-build --filter "$group" "$@" || status=1
done
exit $status

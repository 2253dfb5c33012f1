#!/usr/bin/env bash
# The demo: brings the bundled three-cluster Vault Raft example up in the test world
# (fakeworld acting as kind, kubectl and helm on a real Docker engine) and ends with the
# Raft health report. Everything lives under .multidc-demo/; `scripts/demo.sh destroy` removes it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
swift build --product multidc
swift build --product fakeworld
bin="$(swift build --show-bin-path)"

demo="$PWD/.multidc-demo"
mkdir -p "$demo/bin"
export FAKEWORLD_HOME="$demo/world"
export KUBECONFIG="$demo/kubeconfig"
export MULTIDC_STATE_DIR="$demo/state"
mkdir -p "$FAKEWORLD_HOME"
"$bin/fakeworld" install "$demo/bin"
export PATH="$demo/bin:$bin:$PATH"
# The images the example names, made locally (no registry); only when missing, so a rerun does
# not move the tags under running containers.
spec=examples/vault-raft/spec.yaml
node_image="$(awk '/^  nodeImage:/ {print $2}' "$spec")"
kms_image="$(awk '/^    image: .*vault/ {print $2; exit}' "$spec")"
if ! docker image inspect "$node_image" "$kms_image" >/dev/null 2>&1; then
  fakeworld image --node "$node_image" --kms "$kms_image" >/dev/null
fi
# The images the example loads into every node (spec.images), made locally too: on a machine with
# a registry, multidc would `docker pull` each once instead.
apps=()
for image in $(multidc images "$spec"); do
  docker image inspect "$image" >/dev/null 2>&1 || apps+=(--app "$image")
done
if [ ${#apps[@]} -gt 0 ]; then fakeworld image "${apps[@]}" >/dev/null; fi

case "${1:-apply}" in
  apply)   multidc apply "$spec" --yes ;;
  diff)    multidc diff "$spec" ;;
  status)  multidc status "$spec" ;;
  destroy) multidc destroy "$spec" --yes ;;
  *) echo "usage: scripts/demo.sh [apply|diff|status|destroy]" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# multidc benchmarks (not tests). One command per benchmark; results go in BENCHMARKS.md.
#
#   Benchmarks/bench.sh validate-500 [--runs N]   # validate of a generated 500-cluster spec
#   Benchmarks/bench.sh noop-diff    [--runs N]   # no-op diff of a converged 3-cluster world
#   Benchmarks/bench.sh converge-3   [--runs N]   # examples/vault-raft from empty, parallel vs --parallelism 1
#   Benchmarks/bench.sh converge-5   [--runs N]   # examples/five-dc from empty, parallel vs --parallelism 1
#   Benchmarks/bench.sh classic-3    [--runs N]   # vault-raft: multidc parallel vs the classic script (classic-vault-raft.sh)
#   Benchmarks/bench.sh images-3     [--runs N]   # vault-raft with pulls modelled: every node pulls vs spec.images
#   Benchmarks/bench.sh images-5     [--runs N]   # five-dc, the same
#
# Everything runs on the RELEASE binaries (built here with `swift build -c release`) against
# the test world (fakeworld as kind/kubectl/helm, the real docker engine). Each world is a
# fresh temp dir and a rewritten COPY of the example with unique cluster, network, KMS and
# topology names (docker names are global), torn down on exit (multidc destroy, then a
# forced sweep of anything still carrying the run's unique prefix).
#
# Needs: bash ≥ 5 (EPOCHREALTIME), jq, awk, a Docker engine. Prints raw numbers per run and
# the medians; raw logs stay in $BENCH_KEEP (default: deleted).
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

usage() { echo "usage: Benchmarks/bench.sh validate-500|noop-diff|converge-3|converge-5|classic-3|images-3|images-5 [--runs N]" >&2; exit 2; }
[ $# -ge 1 ] || usage
bench="$1"; shift
runs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    *) usage ;;
  esac
done

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -m), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
     "$(swift --version 2>/dev/null | head -1 | sed 's/ (.*//')," \
     "docker daemon $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?')"
swift build -c release >&2
bin="$(swift build -c release --show-bin-path)"
real_docker="$(command -v docker)"

# ---------------------------------------------------------------- helpers

# median of numbers on stdin (one per line)
median() { sort -g | awk '{a[NR]=$1} END { if (NR==0) {print "nan"; exit} if (NR%2) print a[(NR+1)/2]; else printf "%.6f\n", (a[NR/2]+a[NR/2+1])/2 }'; }
now() { echo "$EPOCHREALTIME"; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f\n", a-b }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", a/b }'; }
# Go duration (as multidc prints: 5m2.08s, 161.53ms, 850µs) → seconds
godur() {
  awk -v d="$1" 'BEGIN {
    s = 0
    while (length(d) > 0) {
      if (!match(d, /^[0-9.]+/)) break
      n = substr(d, 1, RLENGTH) + 0; d = substr(d, RLENGTH + 1)
      if (sub(/^ms/, "", d)) s += n / 1e3
      else if (sub(/^(µs|us)/, "", d)) s += n / 1e6
      else if (sub(/^ns/, "", d)) s += n / 1e9
      else if (sub(/^h/, "", d)) s += n * 3600
      else if (sub(/^m/, "", d)) s += n * 60
      else if (sub(/^s/, "", d)) s += n
      else break
    }
    printf "%.6f\n", s
  }'
}

worlds=()
cleanup_world() {  # DIR
  local w="$1" id spec
  [ -d "$w" ] || return 0
  id="$(cat "$w/id")"
  spec="$(cat "$w/specpath" 2>/dev/null || true)"
  if [ -n "$spec" ]; then
    ( world_env "$w"; unset FAKEWORLD_LATENCY; multidc destroy "$spec" --yes >"$w/destroy.log" 2>&1 ) || echo "warning: multidc destroy failed for $id (see sweep)" >&2
  fi
  # sweep: anything still carrying the run's unique prefix (containers, then networks)
  "$real_docker" ps -aq --filter "name=b$id-" | xargs -r "$real_docker" rm -f >/dev/null 2>&1 || true
  "$real_docker" network ls -q --filter "name=bench-$id" | xargs -r "$real_docker" network rm >/dev/null 2>&1 || true
  if [ -n "$("$real_docker" ps -aq --filter "name=b$id-")$("$real_docker" network ls -q --filter "name=bench-$id")" ]; then
    echo "warning: leftovers of run $id remain" >&2
  fi
  if [ -n "${BENCH_KEEP:-}" ]; then mkdir -p "$BENCH_KEEP"; cp -r "$w" "$BENCH_KEEP/" ; fi
  rm -rf "$w"
}
cleanup_all() { local w; for w in "${worlds[@]}"; do cleanup_world "$w"; done; }
trap cleanup_all EXIT
trap 'exit 130' INT TERM

# world_env DIR: the environment a world's commands run in (a subshell's, or the caller's).
world_env() {
  export FAKEWORLD_HOME="$1/world" KUBECONFIG="$1/kubeconfig" MULTIDC_STATE_DIR="$1/state"
  export PATH="$1/wrap:$1/bin:$bin:$ORIG_PATH"
  export BENCH_CALLS="$1/spawn.log"
}
ORIG_PATH="$PATH"

# new_world EXAMPLE → prints DIR. A fresh world dir with fakeworld links, timing wrappers and
# a rewritten copy of the example under DIR/spec (unique names: b<id>-<cluster>, network
# bench-<id>, KMS b<id>-kms, topology b<id>-<example>).
new_world() {
  local example="$1" w id
  w="$(mktemp -d /tmp/multidc-bench.XXXXXX)"
  id="$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
  echo "$id" >"$w/id"
  mkdir -p "$w/bin" "$w/wrap" "$w/world" "$w/spec"
  "$bin/fakeworld" install "$w/bin" >/dev/null
  # Timing wrappers first on PATH: each logs tool, parent process name, start, end (epoch s), argv,
  # then exits with the real tool's status. docker → the real client; kind/kubectl/helm → fakeworld.
  local tool realtool
  for tool in docker kind kubectl helm; do
    if [ "$tool" = docker ]; then realtool="$real_docker"; else realtool="$w/bin/$tool"; fi
    cat >"$w/wrap/$tool" <<EOF
#!/bin/bash
t0=\$EPOCHREALTIME
if [ "$tool" = docker ] && [ "\$1" = pull ] && [ -n "\${BENCH_REGISTRY_PULL:-}" ]; then
  # images-N only: a stand-in registry (none is reachable here): the pull takes the per-image
  # latency, then the image exists locally, as after a real pull.
  sleep "\$BENCH_REGISTRY_PULL"
  "$bin/fakeworld" image --app "\${@: -1}" >/dev/null && echo "\${@: -1}"
else
  "$realtool" "\$@"
fi
rc=\$?
t1=\$EPOCHREALTIME
read -r pc </proc/\$PPID/comm
printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "\$pc" "\$t0" "\$t1" "\$rc" "\$*" >>"\${BENCH_CALLS:-/dev/null}"
exit \$rc
EOF
    chmod +x "$w/wrap/$tool"
  done
  cp "examples/$example"/*.yaml "$w/spec/"
  case "$example" in
    vault-raft)
      sed -i -e "s/\bprimary\b/b$id-primary/g; s/\bsecondary\b/b$id-secondary/g; s/\btertiary\b/b$id-tertiary/g" "$w/spec"/*.yaml
      sed -i -e "s/^\(    name: \)kind\b/\1bench-$id/; s/central-vault/b$id-kms/; s/^\(  name: \)vault-raft$/\1b$id-raft/" "$w/spec/spec.yaml"
      ;;
    five-dc)
      local octet
      octet="$(free_octet)"
      sed -i -e "s/\bdc-\([1-5]\)\b/b$id-dc-\1/g" "$w/spec"/*.yaml
      sed -i -e "s/five-dc-kms/b$id-kms/; s/^\(  name: \)five-dc$/\1b$id-five/; s/^\(    name: \)multidc-five\b/\1bench-$id/; s/172\.30\./172.$octet./g" "$w/spec/spec.yaml"
      ;;
  esac
  echo "$w/spec/spec.yaml" >"$w/specpath"
  echo "$w"
}

# A second octet N with 172.N.0.0/16 overlapping no docker network's subnet (for five-dc's pinned subnet).
free_octet() {
  local used n
  used="$("$real_docker" network inspect $("$real_docker" network ls -q) --format '{{range .IPAM.Config}}{{.Subnet}} {{end}}' 2>/dev/null | tr ' ' '\n')"
  for n in $(seq 31 -1 20); do
    if ! grep -q "^172\.$n\." <<<"$used"; then echo "$n"; return; fi
  done
  echo "no free 172.N.0.0/16 subnet" >&2; exit 1
}

images() { "$bin/fakeworld" image "$@" >/dev/null; }
# The node and KMS images an example names (made locally: no image can be pulled).
example_images() {
  local spec="examples/$1/spec.yaml"
  images --node "$(awk '/^  nodeImage:/ {print $2}' "$spec")" --kms "$(awk '/^    image: .*vault/ {print $2; exit}' "$spec")"
}

# ---------------------------------------------------------------- validate-500

bench_validate() {
  local n="${runs:-21}" d spec i t0 t1 samples=()
  echo "## validate-500 (release), $n runs after one warm-up"
  echo "in-process (TopologyLoader.load + pools, as multidc validate):"
  "$bin/multidc-bench" validate-500 --runs "$n"
  d="$(mktemp -d /tmp/multidc-bench.XXXXXX)"
  "$bin/multidc-bench" write-spec-500 "$d"
  spec="$d/spec.yaml"
  "$bin/multidc" validate "$spec" >/dev/null  # warm-up (page cache)
  for i in $(seq 1 "$n"); do
    t0="$(now)"; "$bin/multidc" validate "$spec" >/dev/null; t1="$(now)"
    samples+=("$(sub "$t1" "$t0")")
  done
  rm -rf "$d"
  echo "whole process \`multidc validate\` (exec → exit), seconds: ${samples[*]}"
  echo "RESULT validate-500 process median: $(printf '%s\n' "${samples[@]}" | median | awk '{printf "%.1f ms", $1*1000}')"
}

# ---------------------------------------------------------------- noop-diff

bench_noop_diff() {
  local n="${runs:-11}" w spec i t0 t1 wall
  echo "## noop-diff: converged vault-raft (3 clusters), $n runs of multidc diff"
  example_images vault-raft
  w="$(new_world vault-raft)"; worlds+=("$w"); spec="$(cat "$w/specpath")"
  (
    world_env "$w"
    # set-up (not measured): --parallelism 1 sidesteps fakeworld's kubeconfig race (see BENCHMARKS.md)
    multidc apply "$spec" --yes --parallelism 1 --timeout 5m >"$w/setup.log" 2>&1 || { echo "set-up apply failed:"; tail -20 "$w/setup.log"; exit 1; }
    multidc diff "$spec" --detailed-exitcode >/dev/null  # warm-up; must say No changes (exit 0)
    printf 'run\twall_s\tspawned\tdocker\tkind\tkubectl\thelm\tslowest_s\tslowest_call\tratio\tslowest_self_ms\n'
    for i in $(seq 1 "$n"); do
      : >"$BENCH_CALLS"
      local before; before="$(wc -l <"$FAKEWORLD_HOME/calls.log")"
      t0="$(now)"
      multidc diff "$spec" --detailed-exitcode >"$w/diff.out" 2>&1 || { echo "diff exit $? (expected 0):"; cat "$w/diff.out"; exit 1; }
      t1="$(now)"
      wall="$(sub "$t1" "$t0")"
      # calls spawned BY multidc (parent process multidc); fakeworld's own docker calls are not counted
      awk -F'\t' -v wall="$wall" -v run="$i" '
        $2 == "multidc" { c[$1]++; total++; d = $4 - $3; if (d > max) { max = d; which = $1 " " $6 } }
        END { printf "%d\t%.4f\t%d\t%d\t%d\t%d\t%d\t%.4f\t%s\t%.3f", run, wall, total, c["docker"], c["kind"], c["kubectl"], c["helm"], max, substr(which, 1, 60), wall / max }' "$BENCH_CALLS"
      # fakeworld's self-reported durationMs of the same calls (process start → exit inside fakeworld)
      tail -n +"$((before + 1))" "$FAKEWORLD_HOME/calls.log" | jq -s '[.[] | .durationMs] | max // 0' | awk '{printf "\t%s\n", $1}'
    done >"$w/noop.tsv"
    cat "$w/noop.tsv"
    echo "spawned calls of the last run (tool, parent, start, end, exit, argv):"
    awk -F'\t' '$2 == "multidc"' "$BENCH_CALLS" | awk -F'\t' '{printf "  %-8s %7.1f ms  %s\n", $1, ($4-$3)*1000, $6}'
    echo "RESULT noop-diff median wall $(cut -f2 "$w/noop.tsv" | median) s; spawned $(cut -f3 "$w/noop.tsv" | median);" \
         "slowest call median $(cut -f8 "$w/noop.tsv" | median) s; ratio median $(cut -f10 "$w/noop.tsv" | median)"
  )
}

# ---------------------------------------------------------------- converge

latency="cluster-create=6s,metallb-ready=1s,crd-established=500ms,pod-ready=3s"

# converge_once EXAMPLE MODE(parallel|sequential) → one TSV row
converge_once() {
  local example="$1" mode="$2" w spec t0 t1 wall rc=0 extra=()
  # --timeout bounds a run that hits fakeworld's kubeconfig race (see BENCHMARKS.md): about
  # 3x the expected time, so a lost run costs a minute, not multidc's 5 min API-server wait.
  if [ "$mode" = sequential ]; then extra=(--parallelism 1 --timeout 4m); else extra=(--timeout 90s); fi
  w="$(new_world "$example")"; worlds+=("$w"); spec="$(cat "$w/specpath")"
  (
    set -e
    world_env "$w"
    export FAKEWORLD_LATENCY="$latency"
    t0="$(now)"
    multidc apply "$spec" --yes "${extra[@]}" >"$w/apply.out" 2>&1 || rc=$?
    t1="$(now)"
    wall="$(sub "$t1" "$t0")"
    # the summary of every round: "critical path (D): …" and "wall time D: …"
    local cp=0 ew=0 d rounds=0
    while read -r d; do cp="$(awk -v a="$cp" -v b="$(godur "$d")" 'BEGIN{printf "%.6f", a+b}')"; rounds=$((rounds+1)); done \
      < <(sed -n 's/^critical path (\([^)]*\)).*/\1/p' "$w/apply.out")
    while read -r d; do ew="$(awk -v a="$ew" -v b="$(godur "$d")" 'BEGIN{printf "%.6f", a+b}')"; done \
      < <(sed -n 's/^wall time \([^:]*\):.*/\1/p' "$w/apply.out")
    local sumjobs
    sumjobs="$(awk '/^[+~-].*  (succeeded|failed) +[0-9]/ { for (i=1;i<=NF;i++) if ($i=="succeeded"||$i=="failed") print $(i+1) }' "$w/apply.out" \
      | while read -r d; do godur "$d"; done | awk '{s+=$1} END {printf "%.3f", s}')"
    local ncalls toolsum
    ncalls="$(jq -s '[.[] | select(.tool != "fakeworld")] | length' "$FAKEWORLD_HOME/calls.log")"
    printf '%s\t%s\t%d\t%.3f\t%.3f\t%.3f\t%s\t%d\t%d\t%s\n' "$example" "$mode" "$rc" "$wall" "$ew" "$cp" "$sumjobs" "$rounds" "$ncalls" "$(basename "$w")"
    if [ "$rc" != 0 ]; then
      mkdir -p "$root/.build/bench-failures"; cp "$w/apply.out" "$root/.build/bench-failures/$example-$mode-$(basename "$w").out"
      { echo "apply failed (exit $rc), output kept in .build/bench-failures/:"; grep -E '^error|FAILED|^critical path|^wall time' "$w/apply.out" | head -8; } >&2
    fi
    # keep the evidence for BENCHMARKS.md: the summary table and the slowest tool calls
    { sed -n '/^JOB /,$p' "$w/apply.out"; echo "slowest kind/kubectl/helm calls (fakeworld durationMs):";
      jq -r 'select(.tool != "fakeworld") | "\(.durationMs)\t\(.argv | join(" ") | .[0:110])"' "$FAKEWORLD_HOME/calls.log" | sort -rn | awk 'NR <= 8'; } >"$root/.build/bench-last-$example-$mode.txt"
  ) || echo "warning: run in $w broke: $?" >&2
  cleanup_world "$w"
}

bench_converge() {
  local example="$1" n="${runs:-3}" i rows
  echo "## converge-$example: FAKEWORLD_LATENCY=$latency, $n runs each, alternating parallel / --parallelism 1"
  case "$example" in
    vault-raft|five-dc) example_images "$1" ;;
  esac
  rows="$(mktemp)"
  printf 'example\tmode\texit\twall_s\texec_wall_s\tcritical_path_s\tsum_jobs_s\trounds\ttool_calls\tworld\n'
  local attempt
  for i in $(seq 1 "$n"); do
    # a parallel run lost to fakeworld's kubeconfig race is retried (at most 3 attempts) and counted
    for attempt in 1 2 3; do
      converge_once "$example" parallel >>"$rows"; tail -1 "$rows"
      [ "$(tail -1 "$rows" | cut -f3)" = 0 ] && break
    done
    converge_once "$example" sequential >>"$rows"; tail -1 "$rows"
  done
  awk -F'\t' '$3 == 0' "$rows" >"$rows.ok"
  local pw sw pe pc
  pw="$(awk -F'\t' '$2=="parallel" {print $4}' "$rows.ok" | median)"
  pe="$(awk -F'\t' '$2=="parallel" {print $5}' "$rows.ok" | median)"
  pc="$(awk -F'\t' '$2=="parallel" {print $6}' "$rows.ok" | median)"
  sw="$(awk -F'\t' '$2=="sequential" {print $4}' "$rows.ok" | median)"
  echo "failed runs (excluded from medians): $(awk -F'\t' '$3 != 0' "$rows" | wc -l)"
  echo "RESULT converge-$example: parallel wall median $pw s (executor $pe s), critical path median $pc s," \
       "wall/critical-path $(div "$pw" "$pc") (executor wall/critical-path $(div "$pe" "$pc"));" \
       "sequential (--parallelism 1) wall median $sw s; parallel/sequential $(div "$pw" "$sw")"
  echo "per-run ratios (parallel rows): $(awk -F'\t' '$2=="parallel" {printf "%.3f ", $4/$6}' "$rows.ok")"
  rm -f "$rows" "$rows.ok"
}

# classic_once → one TSV row: the classic sequential script on a fresh world
classic_once() {
  local w spec t0 t1 rc=0
  w="$(new_world vault-raft)"; worlds+=("$w"); spec="$(cat "$w/specpath")"
  (
    world_env "$w"
    export FAKEWORLD_LATENCY="$latency"
    t0="$(now)"
    bash "$root/Benchmarks/classic-vault-raft.sh" "$w/spec" "$(cat "$w/id")" >"$w/classic.out" 2>&1 || rc=$?
    t1="$(now)"
    printf 'vault-raft\tclassic-script\t%d\t%.3f\t-\t-\t-\t-\t%s\t%s\n' "$rc" "$(sub "$t1" "$t0")" \
      "$(jq -s '[.[] | select(.tool != "fakeworld")] | length' "$FAKEWORLD_HOME/calls.log")" "$(basename "$w")"
    if [ "$rc" != 0 ]; then
      mkdir -p "$root/.build/bench-failures"; cp "$w/classic.out" "$root/.build/bench-failures/classic-$(basename "$w").out"
      { echo "classic script failed (exit $rc):"; tail -5 "$w/classic.out"; } >&2
    fi
  ) || echo "warning: run in $w broke: $?" >&2
  cleanup_world "$w"
}

bench_classic() {
  local n="${runs:-3}" i rows pw cw
  echo "## classic-3: FAKEWORLD_LATENCY=$latency, $n runs each, alternating multidc apply (parallel) / the classic script"
  images --node kindest/node:v1.19.1 --kms vault:1.6.2
  rows="$(mktemp)"
  printf 'example\tmode\texit\twall_s\texec_wall_s\tcritical_path_s\tsum_jobs_s\trounds\ttool_calls\tworld\n'
  for i in $(seq 1 "$n"); do
    converge_once vault-raft parallel >>"$rows"; tail -1 "$rows"
    classic_once >>"$rows"; tail -1 "$rows"
  done
  pw="$(awk -F'\t' '$3 == 0 && $2=="parallel" {print $4}' "$rows" | median)"
  cw="$(awk -F'\t' '$3 == 0 && $2=="classic-script" {print $4}' "$rows" | median)"
  echo "failed runs (excluded from medians): $(awk -F'\t' '$3 != 0' "$rows" | wc -l)"
  echo "RESULT classic-3: multidc parallel wall median $pw s; classic script wall median $cw s; multidc/classic $(div "$pw" "$cw")"
  rm -f "$rows"
}

# ---------------------------------------------------------------- images fetched once

# Pulls modelled by fakeworld: each image takes image-pull on each node that pulls it (serialised
# per node, as the kubelet does); kind load takes image-load per image per node. The host's pulls
# go to the stand-in registry of the docker wrapper (BENCH_REGISTRY_PULL, the same per-image time).
pull_s=2.5
images_latency="$latency,image-pull=${pull_s}s,image-load=500ms"

# images_once EXAMPLE MODE(pull|preload) → one TSV row
images_once() {
  local example="$1" mode="$2" w spec t0 t1 rc=0
  w="$(new_world "$example")"; worlds+=("$w"); spec="$(cat "$w/specpath")"
  if [ "$mode" = pull ]; then
    # without spec.images: drop the block (vault-raft has one; five-dc has none)
    sed -i -e '/^  images:/,/^  [^ ]/{/^  images:/d;/^    /d}' "$spec"
  elif ! grep -q '^  images:' "$spec"; then
    # five-dc has no images section: the example's (the operator image listed, the rest derived)
    printf '  images:\n    preload: [ghcr.io/bank-vaults/vault-operator:v1.24.0]\n' >>"$spec"
  fi
  (
    set -e
    world_env "$w"
    export FAKEWORLD_LATENCY="$images_latency" BENCH_REGISTRY_PULL="$pull_s"
    if [ "$mode" = preload ]; then
      # a cold host: the images the spec loads are removed first, so the host step fetches what it
      # lacks; the KMS's image stays (docker run of the KMS needs it, and it is the Vault CRs' image)
      local kms_image; kms_image="$(awk '/^    image: .*vault/ {print $2; exit}' "$spec")"
      multidc images "$spec" 2>/dev/null | grep -vxF "$kms_image" | xargs -r "$real_docker" rmi >/dev/null 2>&1 || true
    fi
    local held; held="$(multidc images "$spec" 2>/dev/null | while read -r i; do "$real_docker" image inspect "$i" >/dev/null 2>&1 && echo "$i"; done | wc -l)"
    t0="$(now)"
    multidc apply "$spec" --yes --timeout 3m >"$w/apply.out" 2>&1 || rc=$?
    t1="$(now)"
    local node_pulls distinct host_pulls loads
    node_pulls="$(jq -s '[.[] | select(.tool == "kubelet")] | length' "$FAKEWORLD_HOME/calls.log")"
    distinct="$(jq -s '[.[] | select(.tool == "kubelet") | .argv[2]] | unique | length' "$FAKEWORLD_HOME/calls.log")"
    host_pulls="$(awk -F'\t' '$1 == "docker" && $2 == "multidc" && $6 ~ /^pull / {n++} END {print n+0}' "$BENCH_CALLS")"
    loads="$(awk -F'\t' '$1 == "kind" && $2 == "multidc" && $6 ~ /^load / {n++} END {print n+0}' "$BENCH_CALLS")"
    printf '%s\t%s\t%d\t%.3f\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n' "$example" "$mode" "$rc" "$(sub "$t1" "$t0")" \
      "$node_pulls" "$distinct" "$host_pulls" "$((node_pulls + host_pulls))" "$held" "$loads" "$(basename "$w")"
    if [ "$rc" != 0 ]; then
      mkdir -p "$root/.build/bench-failures"; cp "$w/apply.out" "$root/.build/bench-failures/images-$example-$mode-$(basename "$w").out"
      { echo "apply failed (exit $rc):"; grep -E '^error|FAILED' "$w/apply.out" | head -5; } >&2
    fi
  ) || echo "warning: run in $w broke: $?" >&2
  cleanup_world "$w"
}

bench_images() {
  local example="$1" n="${runs:-3}" i rows
  echo "## images-$example: FAKEWORLD_LATENCY=$images_latency, host pulls ${pull_s}s each (stand-in registry), $n runs each, alternating"
  example_images "$example"
  rows="$(mktemp)"
  printf 'example\tmode\texit\twall_s\tnode_pulls\tdistinct_images\thost_pulls\toutside_fetches\theld_by_host_before\tkind_loads\tworld\n'
  for i in $(seq 1 "$n"); do
    images_once "$example" pull >>"$rows"; tail -1 "$rows"
    images_once "$example" preload >>"$rows"; tail -1 "$rows"
  done
  local m col
  echo "failed runs (excluded from medians): $(awk -F'\t' '$3 != 0' "$rows" | wc -l)"
  for m in pull preload; do
    printf 'RESULT images-%s %s:' "$example" "$m"
    for col in 4:wall_s 5:node_pulls 7:host_pulls 8:outside_fetches 10:kind_loads; do
      printf ' %s median %s;' "${col#*:}" "$(awk -F'\t' -v m="$m" -v c="${col%%:*}" '$3 == 0 && $2 == m {print $c}' "$rows" | median)"
    done
    echo
  done
  rm -f "$rows"
}

case "$bench" in
  images-3) bench_images vault-raft ;;
  images-5) bench_images five-dc ;;
  classic-3) bench_classic ;;
  validate-500) bench_validate ;;
  noop-diff) bench_noop_diff ;;
  converge-3) bench_converge vault-raft ;;
  converge-5) bench_converge five-dc ;;
  *) usage ;;
esac

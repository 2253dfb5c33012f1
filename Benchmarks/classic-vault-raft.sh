#!/usr/bin/env bash
# The classic hand-written multi-DC install, as the Bank-Vaults scripts did it: every step one
# after another with kind, kubectl, helm and docker directly (no multidc), for a rewritten copy
# of examples/vault-raft. Used by `Benchmarks/bench.sh classic-3` as the sequential baseline;
# not meant to be run alone. Args: SPEC_DIR ID. Environment: the world's (FAKEWORLD_HOME,
# KUBECONFIG, PATH with the fake tools, FAKEWORLD_LATENCY).
set -euo pipefail
dir="$1"; id="$2"
net="bench-$id"; kms="b$id-kms"
clusters=("b$id-primary" "b$id-secondary" "b$id-tertiary")
leader="${clusters[0]}"

# poll CMD… every 200 ms until it succeeds (the scripts' `until …; do sleep; done`), at most 120 s
poll() { local i; for i in $(seq 1 600); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "timed out: $*" >&2; return 1; }

docker network create "$net" >/dev/null
token="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
envfile="$(mktemp)"; chmod 600 "$envfile"; echo "VAULT_DEV_ROOT_TOKEN_ID=$token" >"$envfile"
docker run -d --name "$kms" --network "$net" --env-file "$envfile" vault:1.6.2 >/dev/null
rm -f "$envfile"
kms_ip="$(docker inspect -f "{{(index .NetworkSettings.Networks \"$net\").IPAddress}}" "$kms")"
subnet="$(docker network inspect "$net" -f '{{range .IPAM.Config}}{{.Subnet}} {{end}}' | tr ' ' '\n' | grep -m1 '\.')"
prefix="$(cut -d. -f1-2 <<<"$subnet")"   # x.y of an x.y.0.0/16 (docker's default pools)
helm repo add banzaicloud-stable https://kubernetes-charts.banzaicloud.com >/dev/null

i=0
for c in "${clusters[@]}"; do
  i=$((i + 1))
  ctx="kind-$c"
  KIND_EXPERIMENTAL_DOCKER_NETWORK="$net" kind create cluster --name "$c" --image kindest/node:v1.19.1 >/dev/null 2>&1
  poll kubectl --context "$ctx" get namespaces
  # MetalLB v0.9.3: manifests, memberlist secret, wait, then the ConfigMap pool (last /25 of block i)
  kubectl --context "$ctx" apply -f https://raw.githubusercontent.com/metallb/metallb/v0.9.3/manifests/namespace.yaml \
    -f https://raw.githubusercontent.com/metallb/metallb/v0.9.3/manifests/metallb.yaml >/dev/null
  kubectl --context "$ctx" -n metallb-system create secret generic memberlist --from-literal=secretkey="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" >/dev/null
  poll kubectl --context "$ctx" -n metallb-system wait --for=condition=Available deployment/controller --timeout=10s
  kubectl --context "$ctx" apply -f - >/dev/null <<EOF
apiVersion: v1
kind: ConfigMap
metadata: { name: config, namespace: metallb-system }
data:
  config: |
    address-pools:
    - name: default
      protocol: layer2
      addresses:
      - $prefix.$i.128-$prefix.$i.255
EOF
  # the operator, then its CRD
  helm upgrade --install vault-operator banzaicloud-stable/vault-operator --kube-context "$ctx" --namespace default --create-namespace -f - --wait --timeout 5m >/dev/null <<EOF
image:
  tag: latest
EOF
  poll kubectl --context "$ctx" wait --for=condition=Established crd/vaults.vault.banzaicloud.com --timeout=10s
  # followers: copy the leader's TLS secret, server fields stripped
  template="$dir/vault-cr.yaml"
  if [ "$c" != "$leader" ]; then
    template="$dir/vault-follower.yaml"
    poll kubectl --context "kind-$leader" -n default get secret "vault-$leader-tls"
    kubectl --context "kind-$leader" -n default get secret "vault-$leader-tls" -o json \
      | jq 'del(.metadata.uid, .metadata.resourceVersion, .metadata.creationTimestamp, .metadata.ownerReferences, .metadata.managedFields, .metadata.selfLink)' \
      | kubectl --context "$ctx" apply -f - >/dev/null
  fi
  # the Vault CR, placeholders filled with sed as the scripts did with envsubst
  sed -e "s/\${{ cluster.name }}/$c/g; s/\${{ cluster.loadBalancerIP }}/$prefix.$i.128/g" \
      -e "s/\${{ cluster.raftLeaderAddress }}/$prefix.1.128/g; s/\${{ kms.address }}/$kms_ip/g; s/\${{ kms.token }}/$token/g" \
      "$template" | kubectl --context "$ctx" apply -f - >/dev/null
  poll kubectl --context "$ctx" -n default wait --for=condition=Ready "pod/vault-$c-0" --timeout=10s
done

# proof: every Vault unsealed and in one Raft cluster
for c in "${clusters[@]}"; do
  kubectl --context "kind-$c" -n default exec "vault-$c-0" -c vault -- vault status -format=json \
    | jq -e '.sealed == false and .initialized == true' >/dev/null
done

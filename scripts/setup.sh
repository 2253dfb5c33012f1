#!/usr/bin/env bash
# Installs and starts what multidc's demo and tests need on a Debian machine with Swift 6:
# libyaml-dev (the YAML parser is the system libyaml), pkg-config, docker.io (the engine the
# test world runs on), busybox-static (the one binary inside every test image) and tmux (the
# terminal the end-to-end tests read the live view from).
# Idempotent: it installs only what is missing and starts dockerd only when none answers.
# Sourced by scripts/demo.sh and scripts/test.sh; CI=true turns every missing piece into a failure.
set -euo pipefail

need_pkgs=()
dpkg -s libyaml-dev >/dev/null 2>&1 || need_pkgs+=(libyaml-dev)
command -v pkg-config >/dev/null 2>&1 || need_pkgs+=(pkg-config)
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
[ -x /bin/busybox ] || [ -x /usr/bin/busybox ] || need_pkgs+=(busybox-static)
# tmux: the end-to-end tests drive the live view through a real terminal (tmux capture-pane).
command -v tmux >/dev/null 2>&1 || need_pkgs+=(tmux)
if dpkg -s busybox >/dev/null 2>&1 && ! dpkg -s busybox-static >/dev/null 2>&1; then
  # the dynamic busybox cannot run inside an image that has no libc
  need_pkgs+=(busybox-static)
fi

if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "setup: installing ${need_pkgs[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

# The Docker engine: start dockerd when none answers, then wait for it.
if ! docker info >/dev/null 2>&1; then
  echo "setup: starting dockerd" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  mkdir -p "${TMPDIR:-/tmp}"
  $SUDO sh -c 'nohup dockerd >/tmp/multidc-dockerd.log 2>&1 &'
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
fi
if ! docker info >/dev/null 2>&1; then
  echo "setup: the Docker engine did not start; see /tmp/multidc-dockerd.log" >&2
  tail -n 20 /tmp/multidc-dockerd.log >&2 || true
  exit 1
fi
if ! command -v tmux >/dev/null 2>&1; then
  echo "setup: tmux is missing and could not be installed" >&2
  exit 1
fi
export MULTIDC_DOCKER_READY=1

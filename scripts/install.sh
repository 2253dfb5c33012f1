#!/usr/bin/env bash
# Builds a release multidc that runs without the Swift toolchain (the Swift runtime linked in
# statically) and installs it, with its man page and shell completions, under PREFIX
# (default ~/.local: the binary in ~/.local/bin, which most shells have on PATH).
#
#   bash scripts/install.sh                 # → ~/.local/bin/multidc
#   PREFIX=/usr/local sudo -E bash scripts/install.sh
#
# `multidc version` then names the commit it was built from: this script stamps it into the
# build (Sources/multidc/BuildInfo.swift, restored afterwards); nothing is looked up later.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${PREFIX:-$HOME/.local}"

# libyaml-dev and pkg-config are needed to build (the YAML parser is the system libyaml).
need=()
dpkg -s libyaml-dev >/dev/null 2>&1 || need+=(libyaml-dev)
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

info=Sources/multidc/BuildInfo.swift
backup="$(mktemp)"
cp "$info" "$backup"
trap 'cp "$backup" "$info"; rm -f "$backup"' EXIT
commit="$(git rev-parse --short=12 HEAD 2>/dev/null || echo "")"
dirty=false
if [ -n "$commit" ] && ! git diff --quiet HEAD -- Sources Package.swift Package.resolved 2>/dev/null; then dirty=true; fi
if [ -n "$commit" ]; then
  sed -i -e "s|static let commit: String? = nil|static let commit: String? = \"$commit\"|" \
         -e "s|static let dirty = false|static let dirty = $dirty|" "$info"
fi

swift build -c release --static-swift-stdlib --product multidc
bin="$(swift build -c release --show-bin-path)"

mkdir -p "$prefix/bin" "$prefix/share/man/man1" \
  "$prefix/share/bash-completion/completions" "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d"
install -m 0755 "$bin/multidc" "$prefix/bin/multidc"
"$prefix/bin/multidc" --generate-completion-script bash > "$prefix/share/bash-completion/completions/multidc"
"$prefix/bin/multidc" --generate-completion-script zsh > "$prefix/share/zsh/site-functions/_multidc"
"$prefix/bin/multidc" --generate-completion-script fish > "$prefix/share/fish/vendor_completions.d/multidc.fish"
install -m 0644 docs/multidc.1 "$prefix/share/man/man1/multidc.1"

echo "installed $("$prefix/bin/multidc" version) to $prefix/bin/multidc"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "note: $prefix/bin is not on your PATH; add it, e.g. export PATH=\"$prefix/bin:\$PATH\"" ;;
esac

#!/usr/bin/env bash
# Installs what building and testing need, at pinned versions, and does nothing for what is
# already there. Sourced by serve.sh and test.sh; safe to run any number of times.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The CLI must equal the crate's wasm-bindgen exactly, so read it from Cargo.toml.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
TRUNK_VERSION=0.21.14      # 0.22 needs a newer rustc than 1.95
WASM_PACK_VERSION=0.15.1
APT_PACKAGES=(chromium chromium-driver)

log() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_apt_packages() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  command -v node >/dev/null 2>&1 || missing+=(nodejs npm)
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

install_rust_parts() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown ||
    rustup target add wasm32-unknown-unknown
  rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
  rustup component list --installed | grep -q '^clippy' || rustup component add clippy
}

# cargo_install_pinned <crate> <binary> <version>
cargo_install_pinned() {
  local crate=$1 binary=$2 version=$3
  if "$binary" --version 2>/dev/null | grep -qw "$version"; then
    return
  fi
  log "cargo install $crate $version (takes a few minutes, once)"
  cargo install "$crate" --version "$version" --locked --force
}

# install_node_modules <dir>: npm ci there whenever its lockfile changed.
install_node_modules() {
  local dir=$1
  local stamp=$dir/node_modules/.installed-from-lock.json
  if ! cmp -s "$dir/package-lock.json" "$stamp" 2>/dev/null; then
    log "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --silent)
    cp "$dir/package-lock.json" "$stamp"
  fi
}

install_apt_packages
install_rust_parts
cargo_install_pinned wasm-bindgen-cli wasm-bindgen "$WASM_BINDGEN_VERSION"
cargo_install_pinned trunk trunk "$TRUNK_VERSION"
cargo_install_pinned wasm-pack wasm-pack "$WASM_PACK_VERSION"
# playwright-core drives Debian's chromium; it never downloads a browser.
install_node_modules tests/e2e
# Trunk finds wasm-opt on PATH (offline, it never downloads one): binaryen's npm build.
install_node_modules build-tools
export PATH="$PWD/build-tools/node_modules/.bin:$PATH"

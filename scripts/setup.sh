#!/usr/bin/env bash
# Installs what building and testing need, at pinned versions, and does nothing for what is
# already there. Sourced by serve.sh and test.sh; safe to run any number of times.
# Two background jobs install what is missing side by side: the Debian packages and then the
# npm modules, and the Rust tools. The script waits for both and fails if either failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The CLI must equal the crate's wasm-bindgen exactly, so read it from Cargo.toml.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
TRUNK_VERSION=0.21.14      # 0.22 needs a newer rustc than 1.95
# GNU parallel and a single-node Slurm run a study's job list in the tests (docs/studies.md).
APT_PACKAGES=(chromium chromium-driver parallel slurm-wlm)

# The tools are compiled once per machine and are not the hot path, so they are built at
# opt-level 0 without LTO rather than with their crates' release profiles (trunk's asks for fat
# LTO and one codegen unit). On two idle cores their first install went from 12 minutes (19
# CPU-minutes) to 5 (9). Trunk so built runs as fast as before: it mostly waits on
# cargo, wasm-bindgen, node and the disk. wasm-bindgen's own work does count (once per page build
# and per browser-test binary), so the crates doing it keep opt-level 1: with them at 0 it took
# 1.0-1.3 s on the page's module instead of 0.3-0.5 s.
TOOL_PROFILE=(
  --config profile.release.opt-level=0
  --config profile.release.lto=false
  --config profile.release.codegen-units=16
  --config profile.release.incremental=false
)
WASM_BINDGEN_PROFILE=(
  --config profile.release.package.wasmparser.opt-level=1
  --config profile.release.package.walrus.opt-level=1
  --config profile.release.package.wasm-encoder.opt-level=1
  --config profile.release.package.wasm-bindgen-cli-support.opt-level=1
)

log() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }

# Runs in a background job, so sudo must not prompt there: the password is asked for up front.
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

# start_job <name> <command...> runs the command in the background, in a process group of its
# own (set -m) so that stop_jobs ends it with everything it started (Ctrl-C does). wait_for_jobs
# waits for every job, so none is left running, then fails naming those that failed.
SETUP_JOB_PIDS=()
SETUP_JOB_NAMES=()
start_job() {
  local name=$1 options=$-
  shift
  if [ ${#SETUP_JOB_PIDS[@]} -eq 0 ]; then
    SETUP_SAVED_TRAPS=$(trap -p INT TERM HUP)
    trap 'stop_jobs; exit 130' INT
    trap 'stop_jobs; exit 143' TERM HUP
  fi
  set -m
  ("$@") &
  SETUP_JOB_PIDS+=($!)
  SETUP_JOB_NAMES+=("$name")
  case $options in *m*) ;; *) set +m ;; esac
}
stop_jobs() {
  local pid
  for pid in "${SETUP_JOB_PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
}
wait_for_jobs() {
  local i failed=()
  [ ${#SETUP_JOB_PIDS[@]} -gt 0 ] || return 0
  for i in "${!SETUP_JOB_PIDS[@]}"; do
    wait "${SETUP_JOB_PIDS[$i]}" || failed+=("${SETUP_JOB_NAMES[$i]}")
  done
  trap - INT TERM HUP
  eval "${SETUP_SAVED_TRAPS:-}"
  SETUP_JOB_PIDS=()
  SETUP_JOB_NAMES=()
  if [ ${#failed[@]} -gt 0 ]; then
    printf -v i '%s; ' "${failed[@]}"
    log "failed: ${i%; } (see above)"
    exit 1
  fi
}

missing_apt_packages() {
  local pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || echo "$pkg"
  done
  command -v node >/dev/null 2>&1 || echo nodejs npm
}

# install_apt_packages <package...>
install_apt_packages() {
  log "apt-get install $*"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

install_rust_parts() {
  rustup target list --installed | grep -qx wasm32-unknown-unknown ||
    rustup target add wasm32-unknown-unknown
  rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
  rustup component list --installed | grep -q '^clippy' || rustup component add clippy
  # The threaded page module rebuilds the standard library with atomics (docs/builds.md).
  rustup component list --installed | grep -q '^rust-src' || rustup component add rust-src
}

# has_version <binary> <version>
has_version() { "$1" --version 2>/dev/null | grep -qw "$2"; }

# cargo_install_pinned <crate> <version> [cargo option...]
cargo_install_pinned() {
  local crate=$1 version=$2
  shift 2
  log "cargo install $crate $version (a few minutes, once)"
  cargo install "$crate" --version "$version" --locked --force "${TOOL_PROFILE[@]}" "$@"
}

# One after the other: on two cores, building them side by side took as long. wasm-bindgen-cli
# brings wasm-bindgen-test-runner, which runs the browser tests.
install_rust_tools() {
  has_version wasm-bindgen "$WASM_BINDGEN_VERSION" ||
    cargo_install_pinned wasm-bindgen-cli "$WASM_BINDGEN_VERSION" "${WASM_BINDGEN_PROFILE[@]}"
  has_version trunk "$TRUNK_VERSION" || cargo_install_pinned trunk "$TRUNK_VERSION"
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

# install_system_and_node_parts [apt package...]: npm modules after the packages (npm may be one).
install_system_and_node_parts() {
  if [ $# -gt 0 ]; then install_apt_packages "$@"; fi
  # playwright-core drives Debian's chromium; it never downloads a browser.
  install_node_modules tests/e2e
  # Trunk finds wasm-opt on PATH (offline, it never downloads one): binaryen's npm build.
  install_node_modules build-tools
  # Lighthouse 12.2.3 for scripts/audit.sh (not the test command's: it takes minutes).
  install_node_modules audit
}

# In the foreground first: rustup (the toolchain must not change under running builds) and the
# sudo password, if packages are missing.
install_rust_parts
read -r -a SETUP_MISSING_APT <<<"$(missing_apt_packages | tr '\n' ' ')"
if [ ${#SETUP_MISSING_APT[@]} -gt 0 ] && [ "$(id -u)" != 0 ]; then sudo -v; fi
start_job "apt and npm" install_system_and_node_parts "${SETUP_MISSING_APT[@]}"
start_job "Rust tools" install_rust_tools
wait_for_jobs
unset SETUP_MISSING_APT SETUP_SAVED_TRAPS
export PATH="$PWD/build-tools/node_modules/.bin:$PATH"

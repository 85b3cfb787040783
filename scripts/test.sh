#!/usr/bin/env bash
# Every check the project has: formatting, lints, native tests, browser tests, end to end.
# Installs what is missing first (scripts/setup.sh). Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

step "cargo fmt --check"
cargo fmt --check

step "cargo clippy (native and wasm32, all targets)"
cargo clippy --all-targets -- -D warnings
cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings

step "native tests"
cargo test

step "browser tests (wasm-pack, headless Chromium)"
# The browser test compares its synthetic training run with this native one.
BAYES_NATIVE_SYNTHETIC_LOSSES=$(cargo run --quiet --release --example synthetic_losses)
export BAYES_NATIVE_SYNTHETIC_LOSSES
# --nocapture prints the browser benchmarks' figures.
wasm-pack test --headless --chrome --release -- -- --nocapture

step "end to end: the built page in Chromium, served under a sub-path"
trunk --config trunk.toml build --release
node tests/e2e/run.mjs dist

step "all checks passed"

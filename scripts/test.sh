#!/usr/bin/env bash
# Every check the project has: formatting, lints, native tests, browser tests, end to end.
# Installs what is missing first (scripts/setup.sh). Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*" >&2; }

step "cargo fmt --check"
cargo fmt --check

step "cargo clippy (native and wasm32, all targets; the page's module without the eigensolver)"
cargo clippy --all-targets -- -D warnings
cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown --no-default-features -- -D warnings

step "native tests"
cargo test

step "fuzz the parsers (short; scripts/fuzz.sh 600 for the ten-minute run)"
./scripts/fuzz.sh 20

step "browser tests (wasm-pack, headless Chromium)"
# The browser test repeats this native training run through the page's Session.
BAYES_NATIVE_REFERENCE=$(cargo run --quiet --release --example reference_run)
export BAYES_NATIVE_REFERENCE
# The runner's default 20-second limit per webdriver call once cut off browser_renorm (Fisher and
# sweep over the committed test shards, synchronous on the page's main thread) on a loaded machine.
export WASM_BINDGEN_TEST_TIMEOUT=180
BAYES_KERNEL=simd128 wasm-pack test --headless --chrome --release -- -- --nocapture
# Again with relaxed SIMD, the build the page runs where the browser has it (build-tools/
# relaxed-module.sh): its fused multiply-add products against the triple loops, and its training
# against the native run within 1e-6.
BAYES_KERNEL=relaxed-simd CARGO_TARGET_DIR=target/relaxed \
  RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" \
  wasm-pack test --headless --chrome --release -- --test dense --test browser_session -- --nocapture

step "end to end: the built page in Chromium, served under a sub-path"
trunk --config trunk.toml build --release
# The page must show the numbers `reproduce` prints for the same settings.
mkdir -p target/e2e
cargo run --quiet --release --bin reproduce -- --subset 2000 --epochs 1 \
  >target/e2e/native-subset-2000.json 2>target/e2e/native-subset-2000.log
cargo run --quiet --release --bin reproduce -- --subset 2000 --epochs 1 --batch 100 \
  >target/e2e/native-subset-2000-batch-100.json 2>target/e2e/native-subset-2000-batch-100.log
cargo run --quiet --release --bin reproduce -- --subset 2000 --epochs 1 --grid paper --random-seeds 1 \
  --eval-examples 1000 --eigen >target/e2e/native-beyond-2000.json 2>target/e2e/native-beyond-2000.log
cargo run --quiet --release --bin reproduce -- --eigen >target/e2e/native-paper.json 2>target/e2e/native-paper.log
node tests/e2e/run.mjs dist target/e2e

step "benchmark, smoke mode (every workload, small; no figure is asserted)"
./scripts/bench.sh --smoke

step "all checks passed"

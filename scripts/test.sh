#!/usr/bin/env bash
# Every check the project has: formatting, lints, native tests, fuzzing, browser tests, end to
# end, and the benchmark in smoke mode. Installs what is missing first (scripts/setup.sh). Exits
# non-zero on the first failure, and prints each step's minutes at the end.
#
# Each compilation is done once and reused (docs/builds.md): clippy lints the crate while it is
# being built (clippy-driver as the workspace's compiler, as `cargo clippy` does for checks); the
# native tests, `reproduce` and the examples share one optimised build (the test profile); the
# browser tests share Trunk's wasm dependencies, and its relaxed-SIMD build's.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

started=$SECONDS
step_names=()
step_starts=()
step() {
  printf '\n\033[1m== %s\033[0m\n' "$*" >&2
  step_names+=("$*")
  step_starts+=("$SECONDS")
}
report() {
  local i end
  printf '\n\033[1mminutes per step\033[0m\n' >&2
  for i in "${!step_names[@]}"; do
    end=${step_starts[$((i + 1))]:-$SECONDS}
    awk -v m="$(( end - step_starts[i] ))" -v n="${step_names[$i]}" 'BEGIN { printf "%6.1f  %s\n", m / 60, n }' >&2
  done
  awk -v m="$(( SECONDS - started ))" 'BEGIN { printf "%6.1f  in all\n", m / 60 }' >&2
}
# On a failure, the work running beside the page's build stops too.
trap 'report; jobs -p | xargs -r kill 2>/dev/null || true' EXIT

# Lints: every build of this crate below goes through clippy, warnings as errors.
RUSTC_WORKSPACE_WRAPPER=$(rustup which clippy-driver)
CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
export RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
# The commands, examples and native tests are one build, at the test profile (optimised).
export CARGO_PROFILE=test

step "cargo fmt --check"
cargo fmt --check

step "native build (clippy as it builds; one test binary)"
cargo test --all-targets --no-run
# Cargo leaves the examples `cargo test` builds under hashed names only: this names the two used
# below (no recompiling).
cargo build --quiet --profile test --example fuzz --example reference_run

# Trunk's build and the browser tests' compile each keep one core busy for most of their time
# (fat LTO with one codegen unit, wasm-opt, faer's compile: docs/builds.md). So the native work,
# which needs no wasm, runs beside them, niced to take only what they leave: beside the page's
# build the native runs the later steps compare with, then the fuzzing; beside the browser tests
# the native tests. Each one's output is printed, and its failure stops the test, at the end of
# the step it ran beside.
mkdir -p target/e2e
reproduce() {
  local name=$1
  shift
  target/debug/reproduce "$@" >"target/e2e/native-$name.json" 2>"target/e2e/native-$name.log"
}
native_runs_and_fuzzing() {
  echo "== the native runs the browser and end-to-end tests compare with"
  # The browser tests repeat this one through the page's Session.
  target/debug/examples/reference_run >target/e2e/native-reference-run.json
  # The page must show the numbers `reproduce` prints for the same settings.
  reproduce subset-2000 --subset 2000 --epochs 1
  reproduce subset-2000-batch-100 --subset 2000 --epochs 1 --batch 100
  reproduce studies-2000 --subset 2000 --epochs 1 --grid paper --random-seeds 1 --eval-examples 1000 --eigen
  reproduce paper --eigen
  echo "== fuzz the parsers (short; scripts/fuzz.sh 600 for the ten-minute run)"
  ./scripts/fuzz.sh 20
}
native_tests() {
  echo "== native tests (one binary)"
  cargo test --test native
}
# beside NAME FUNCTION: FUNCTION in the background, niced, its output kept in target/NAME.log.
beside() {
  nice -n 19 bash -c "$(declare -f reproduce "$2"); set -euo pipefail; $2" >"target/$1.log" 2>&1 &
  beside_pid=$!
  beside_log=target/$1.log
}
# joined: waits for the work beside, prints its output, and stops on its failure.
joined() {
  local status=0
  wait "$beside_pid" || status=$?
  cat "$beside_log" >&2
  [ $status = 0 ] || { echo "test.sh: the work beside this step failed (above)" >&2; exit 1; }
}

step "the page: Trunk's build, with its relaxed-SIMD and eigensolver builds; beside it, the native runs and the fuzzing"
beside beside-the-page native_runs_and_fuzzing
trunk --config trunk.toml build --release
joined

step "browser tests (headless Chromium); beside them, the native tests"
beside beside-the-browser-tests native_tests
BAYES_NATIVE_REFERENCE=$(cat target/e2e/native-reference-run.json)
export BAYES_NATIVE_REFERENCE
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=/usr/bin/chromedriver
# The runner's default 20-second limit per webdriver call once cut off a test on a loaded machine.
export WASM_BINDGEN_TEST_TIMEOUT=180
cargo test --release --target wasm32-unknown-unknown --test browser -- --nocapture
# Again with relaxed SIMD (the build the page runs where the browser has it): only the tests of
# what it changes (tests/browser/main.rs).
cargo test --release --target wasm32-unknown-unknown --test browser --features relaxed-simd -- --nocapture
joined

step "end to end: the built page in Chromium, served under a sub-path"
node tests/e2e/run.mjs dist target/e2e

step "benchmark, smoke mode (every workload, small; no figure is asserted)"
./scripts/bench.sh --smoke --no-build

step "all checks passed"

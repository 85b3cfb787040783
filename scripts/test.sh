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
# On a failure, the native runs beside the page's build stop too.
trap 'report; jobs -p | xargs -r kill 2>/dev/null || true' EXIT

# Lints: every build of this crate below goes through clippy, warnings as errors.
RUSTC_WORKSPACE_WRAPPER=$(rustup which clippy-driver)
CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
export RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
# The commands, examples and native tests are one build, at the test profile (optimised).
export CARGO_PROFILE=test

step "cargo fmt --check"
cargo fmt --check

step "native build and tests (clippy as it builds; one test binary)"
cargo test --all-targets --no-run
# Cargo leaves the examples `cargo test` builds under hashed names only: this names the two used
# below (no recompiling).
cargo build --quiet --profile test --example fuzz --example reference_run --example picture_folder
cargo test --test native

step "a study's job array on a single-node Slurm started here (tests/slurm/array.sh)"
bash tests/slurm/array.sh

step "fuzz the parsers (short; scripts/fuzz.sh 600 for the ten-minute run)"
./scripts/fuzz.sh 20

step "the page: Trunk's build, with its relaxed-SIMD, eigensolver and threaded builds; beside it, the native reference runs"
# Trunk's build keeps one core busy for most of its time (fat LTO with one codegen unit, wasm-opt:
# docs/builds.md), so the native runs that the later steps compare with run beside it, niced to
# take what it leaves. Their output is printed, and a failure stops the test, when Trunk is done.
mkdir -p target/e2e
reproduce() {
  local name=$1
  shift
  target/debug/reproduce "$@" >"target/e2e/native-$name.json" 2>"target/e2e/native-$name.log"
}
native_runs() {
  # The browser tests repeat this one through the page's Session.
  target/debug/examples/reference_run >target/e2e/native-reference-run.json
  # The page must show the numbers `reproduce` prints for the same settings.
  reproduce subset-2000 --subset 2000 --epochs 1
  reproduce subset-2000-batch-100 --subset 2000 --epochs 1 --batch 100
  reproduce studies-2000 --subset 2000 --epochs 1 --grid paper --random-seeds 1 --eval-examples 1000 --eigen
  # It also writes the paper's model, which must be the one the page ships (#pretrained=1).
  reproduce paper --eigen --write-weights target/e2e/paper-model.safetensors
  cmp target/e2e/paper-model.safetensors www/data/mnist/paper-model.safetensors
  # The page's #pretrained=1: that model, its Fisher over the test images.
  reproduce pretrained --weights www/data/mnist/paper-model.safetensors --fisher-split test
  reproduce classifier-2000 --model classifier --hidden 32 --subset 2000 --epochs 2 --batch 100 \
    --random-seeds 1 --eval-examples 1000 --eigen
  # A visitor's own pictures: the page adds the same folder (tests/e2e/own-data.mjs).
  rm -rf target/e2e/pictures target/e2e/own-pictures
  target/debug/examples/picture_folder target/e2e/pictures/digits 1000
  target/debug/convert target/e2e/pictures/digits --out target/e2e/own-pictures
  reproduce own-pictures --data target/e2e/own-pictures --epochs 2 --batch 50 --latent 8 --random-seeds 1
  # A tiny study, whose summary the page opens (tests/e2e/study-summary.mjs).
  rm -rf target/e2e/study
  target/debug/study --out target/e2e/study --seeds 1-2 --latent 3,6 -- --subset 300 --epochs 1 \
    --eval-examples 200 --random-seeds 1 --grid-points 8 --batch 100 2>target/e2e/study.log
}
nice -n 19 bash -c "$(declare -f reproduce native_runs); set -euo pipefail; native_runs" \
  >target/native-runs.log 2>&1 &
native_runs_pid=$!
trunk --config trunk.toml build --release
status=0
wait "$native_runs_pid" || status=$?
cat target/native-runs.log >&2
[ $status = 0 ] || { echo "test.sh: a native reference run failed (target/e2e/native-*.log)" >&2; exit 1; }

step "browser tests (headless Chromium)"
BAYES_NATIVE_REFERENCE=$(cat target/e2e/native-reference-run.json)
export BAYES_NATIVE_REFERENCE
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner CHROMEDRIVER=/usr/bin/chromedriver
# The runner's default 20-second limit per webdriver call once cut off a test on a loaded machine.
export WASM_BINDGEN_TEST_TIMEOUT=180
cargo test --release --target wasm32-unknown-unknown --test browser -- --nocapture
# Again with relaxed SIMD (the build the page runs where the browser has it): only the tests of
# what it changes (tests/browser/main.rs).
cargo test --release --target wasm32-unknown-unknown --test browser --features relaxed-simd -- --nocapture

step "end to end: the built page in Chromium, served under a sub-path"
node tests/e2e/run.mjs dist target/e2e

step "benchmark, smoke mode (every workload, small; no figure is asserted)"
./scripts/bench.sh --smoke --no-build

step "all checks passed"

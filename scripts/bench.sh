#!/usr/bin/env bash
# One benchmark, one JSON: the core's workloads natively and in headless Chromium on the same
# shards, the page itself, and the module's size, in one run. Writes target/bench.json and
# target/bench.md (the README's table) and prints the table. No figure is asserted on.
# Usage: scripts/bench.sh [--smoke] [--no-build] [--with-pytorch]
#   --smoke         small sizes, every step (the test command runs this)
#   --no-build      the page already in dist/, as Trunk built it (the test command has just built it)
#   --with-pytorch  also the same training and Fisher in PyTorch, when python3 imports torch
set -euo pipefail
cd "$(dirname "$0")/.."

smoke=() with_pytorch=0 build=1
for arg in "$@"; do
  case $arg in
    --smoke) smoke=(--smoke) ;;
    --no-build) build=0 ;;
    --with-pytorch) with_pytorch=1 ;;
    *) echo "bench.sh: unknown argument $arg (see the usage at the top of the script)" >&2; exit 2 ;;
  esac
done

source scripts/setup.sh
mkdir -p target/bench
[ $build = 1 ] && trunk --config trunk.toml build --release
# CARGO_PROFILE=test (scripts/test.sh's smoke run) reuses the tests' optimised build; figures are
# taken from release builds.
profile=${CARGO_PROFILE:-release}
[ "$profile" = release ] && dir=release || dir=debug
cargo build --quiet --profile "$profile" --example bench --bin reproduce

echo "bench: native" >&2
target/$dir/examples/bench "${smoke[@]}" >target/bench/native.json
reproduce_args=()
[ ${#smoke[@]} -gt 0 ] && reproduce_args=(--subset 2000 --epochs 1)
target/$dir/reproduce "${reproduce_args[@]}" >target/bench/native-reproduce.json 2>target/bench/native-reproduce.log

echo "bench: headless Chromium" >&2
node tests/e2e/bench.mjs dist target/bench/native.json target/bench/native-reproduce.json target/bench.json "${smoke[@]}"

if [ $with_pytorch = 1 ]; then
  if python3 -c 'import torch' 2>/dev/null; then
    python3 scripts/bench_pytorch.py target/bench.json "${smoke[@]}"
  else
    echo "bench: --with-pytorch: python3 cannot import torch; skipped" >&2
  fi
fi

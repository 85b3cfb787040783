#!/usr/bin/env bash
# Where the page's training time goes, by thread and by function (tests/e2e/profile.mjs), on a
# copy of the built page whose two fast modules keep their function names: wasm-opt with -g on
# Trunk's last wasm-bindgen output, otherwise as build-tools/optimise.sh. Figures only; not part
# of the test command. Needs Linux perf (Debian: apt-get install linux-perf).
# Usage: scripts/profile.sh [messages|threads] [page hash] [trained|ready]   (after a release `trunk build`)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
command -v perf >/dev/null || { echo "profile.sh: needs perf (apt-get install linux-perf)" >&2; exit 2; }
copy=target/profile-dist
rm -rf "$copy" && cp -r dist "$copy"
flags=(-O3 -g --enable-simd --enable-reference-types --enable-bulk-memory
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-multivalue
  --enable-relaxed-simd)
wasm-opt "${flags[@]}" target/bayes-renorm-bindgen/bayes-renorm_bg.wasm -o "$copy/bayes-renorm-relaxed_bg.wasm"
wasm-opt "${flags[@]}" --enable-threads target/bayes-renorm-threads-bindgen/bayes-renorm-threads_bg.wasm \
  -o "$copy/bayes-renorm-threads_bg.wasm"
node tests/e2e/profile.mjs "$copy" "$@"

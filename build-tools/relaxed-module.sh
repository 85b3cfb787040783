#!/usr/bin/env bash
# Trunk's post_build hook: the crate again with relaxed SIMD, whose fused multiply-add the matrix
# products use (src/dense.rs), staged as bayes-renorm-relaxed_bg.wasm beside Trunk's module.
# A browser without relaxed SIMD rejects that file as a whole, so both are shipped and
# www/wasm-module.js picks one. Both load through the one glue file, which must be identical.
set -euo pipefail
: "${TRUNK_STAGING_DIR:?relaxed-module.sh runs as a Trunk hook}"
out=target/relaxed-bindgen
if [ "${TRUNK_PROFILE:-release}" = release ]; then profile=(--release) dir=release; else profile=() dir=debug; fi

CARGO_TARGET_DIR=target/relaxed RUSTFLAGS="-C target-feature=+simd128,+relaxed-simd" \
  cargo build --quiet --offline --lib --target wasm32-unknown-unknown --no-default-features "${profile[@]}"
wasm-bindgen --target web --no-typescript --out-name bayes-renorm --out-dir "$out" \
  "target/relaxed/wasm32-unknown-unknown/$dir/bayes_renorm.wasm"
if ! cmp -s "$out/bayes-renorm.js" "$TRUNK_STAGING_DIR/bayes-renorm.js"; then
  echo "relaxed-module.sh: the relaxed build's glue differs from Trunk's ($out/bayes-renorm.js)" >&2
  exit 1
fi

staged="$TRUNK_STAGING_DIR/bayes-renorm-relaxed_bg.wasm"
# The same wasm-opt settings as Trunk's module, and the relaxed instructions.
bash build-tools/optimise-like-trunk.sh "$out/bayes-renorm_bg.wasm" "$staged" --enable-relaxed-simd
echo "relaxed-module.sh: $(stat -c %s "$staged") bytes, relaxed SIMD"

#!/usr/bin/env bash
# Trunk's post_build hook: the crate again with its default features, so with faer's eigensolver,
# staged as bayes-renorm-eigen.js and bayes-renorm-eigen_bg.wasm. The page's module is built
# without it; the worker loads this build only when the eigen-shells run, and calls its
# `symmetricEigen` (src/web/eigensolver.rs). Plain SIMD: it runs in every browser the page runs in.
set -euo pipefail
: "${TRUNK_STAGING_DIR:?eigen-module.sh runs as a Trunk hook}"
out=target/eigen-bindgen
if [ "${TRUNK_PROFILE:-release}" = release ]; then profile=(--release) dir=release; else profile=() dir=debug; fi

CARGO_TARGET_DIR=target/eigen cargo build --quiet --offline --lib --target wasm32-unknown-unknown "${profile[@]}"
wasm-bindgen --target web --no-typescript --out-name bayes-renorm-eigen --out-dir "$out" \
  "target/eigen/wasm32-unknown-unknown/$dir/bayes_renorm.wasm"
cp "$out/bayes-renorm-eigen.js" "$TRUNK_STAGING_DIR/"
staged="$TRUNK_STAGING_DIR/bayes-renorm-eigen_bg.wasm"
bash build-tools/optimise-like-trunk.sh "$out/bayes-renorm-eigen_bg.wasm" "$staged"
echo "eigen-module.sh: $(stat -c %s "$staged") bytes, with the eigensolver"

#!/usr/bin/env bash
# Trunk's post_build hook: the two builds of the crate besides Trunk's own (docs/builds.md), each
# through wasm-bindgen, staged beside it, and wasm-opt on all three (optimise.sh):
# - bayes-renorm-relaxed_bg.wasm (feature `relaxed-simd`): the matrix products' fused
#   multiply-add (src/dense.rs). A browser without relaxed SIMD rejects the file as a whole, so
#   both are shipped and www/wasm-module.js picks one; both load through the one glue file, which
#   must be identical.
# - bayes-renorm-eigen.js and _bg.wasm (features `eigensolver` and `converter`): faer's
#   eigensolver, which the worker loads only when the eigen-shells run (src/web/eigensolver.rs),
#   and the converter of a visitor's files, which www/converter.js loads to add data.
# Both share Trunk's target directory, so only this crate (and faer) are built again. Each cargo
# call puts its own build at the target directory's top, Trunk's next build included.
# wasm-opt and the crate's last compile step (fat LTO, one codegen unit) each keep one core busy,
# so each module's wasm-opt runs in the background beside the next cargo build.
# Then the service worker's file list and version (stamp-sw.mjs), which need every file staged.
set -euo pipefail
: "${TRUNK_STAGING_DIR:?extra-modules.sh runs as a Trunk hook}"
if [ "${TRUNK_PROFILE:-release}" = release ]; then profile=(--release) dir=release; else profile=() dir=debug; fi

optimising=()
# optimise <staged file> [wasm-opt flags]: optimise.sh on it in place, in the background.
optimise() {
  local staged=$TRUNK_STAGING_DIR/$1
  shift
  bash build-tools/optimise.sh "$staged" "$staged" "$@" &
  optimising+=("$!")
}

# build <out-name> <staged file> <feature>: the crate's wasm with <feature>, through wasm-bindgen
# (as <out-name>) into the staging directory.
build() {
  local name=$1 file=$2 feature=$3
  cargo build --quiet --offline --lib --target wasm32-unknown-unknown "${profile[@]}" \
    --features "$feature"
  wasm-bindgen --target web --no-typescript --out-name "$name" --out-dir "target/$name-bindgen" \
    "target/wasm32-unknown-unknown/$dir/bayes_renorm.wasm"
  cp "target/$name-bindgen/${name}_bg.wasm" "$TRUNK_STAGING_DIR/$file"
}

optimise bayes-renorm_bg.wasm

# The relaxed build's glue is named as Trunk's, so it must come out the same.
build bayes-renorm bayes-renorm-relaxed_bg.wasm relaxed-simd
if ! cmp -s target/bayes-renorm-bindgen/bayes-renorm.js "$TRUNK_STAGING_DIR/bayes-renorm.js"; then
  echo "extra-modules.sh: the relaxed build's glue differs from Trunk's (target/bayes-renorm-bindgen/)" >&2
  exit 1
fi
optimise bayes-renorm-relaxed_bg.wasm --enable-relaxed-simd

# It carries "Add your data" too (feature `converter`), which the page also loads on demand.
build bayes-renorm-eigen bayes-renorm-eigen_bg.wasm eigensolver,converter
cp target/bayes-renorm-eigen-bindgen/bayes-renorm-eigen.js "$TRUNK_STAGING_DIR/"
optimise bayes-renorm-eigen_bg.wasm

for pid in "${optimising[@]}"; do wait "$pid"; done
for file in bayes-renorm_bg.wasm bayes-renorm-relaxed_bg.wasm bayes-renorm-eigen_bg.wasm; do
  echo "extra-modules.sh: $file, $(stat -c %s "$TRUNK_STAGING_DIR/$file") bytes"
done

node build-tools/stamp-sw.mjs

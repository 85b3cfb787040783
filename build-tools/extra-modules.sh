#!/usr/bin/env bash
# Trunk's post_build hook: the two builds of the crate besides Trunk's own (docs/builds.md), each
# through wasm-bindgen and the wasm-opt Trunk runs (optimise-like-trunk.sh), staged beside it:
# - bayes-renorm-relaxed_bg.wasm (feature `relaxed-simd`): the matrix products' fused
#   multiply-add (src/dense.rs). A browser without relaxed SIMD rejects the file as a whole, so
#   both are shipped and www/wasm-module.js picks one; both load through the one glue file, which
#   must be identical.
# - bayes-renorm-eigen.js and _bg.wasm (feature `eigensolver`): faer's eigensolver, which the
#   worker loads only when the eigen-shells run (src/web/eigensolver.rs).
# Both share Trunk's target directory, so only this crate (and faer) are built again. Each cargo
# call puts its own build at the target directory's top, Trunk's next build included.
# Then the service worker's file list and version (stamp-sw.mjs), which need every file staged.
set -euo pipefail
: "${TRUNK_STAGING_DIR:?extra-modules.sh runs as a Trunk hook}"
if [ "${TRUNK_PROFILE:-release}" = release ]; then profile=(--release) dir=release; else profile=() dir=debug; fi

# build <out-name> <staged file> <wasm-opt flags> <feature>: the crate's wasm with <feature>,
# through wasm-bindgen (as <out-name>) and wasm-opt into the staging directory.
build() {
  local name=$1 file=$2 opt_flags=$3 feature=$4
  local staged=$TRUNK_STAGING_DIR/$file
  cargo build --quiet --offline --lib --target wasm32-unknown-unknown "${profile[@]}" \
    --features "$feature"
  wasm-bindgen --target web --no-typescript --out-name "$name" --out-dir "target/$name-bindgen" \
    "target/wasm32-unknown-unknown/$dir/bayes_renorm.wasm"
  # shellcheck disable=SC2086 # the flags are words
  bash build-tools/optimise-like-trunk.sh "target/$name-bindgen/${name}_bg.wasm" "$staged" $opt_flags
  echo "extra-modules.sh: $file, $(stat -c %s "$staged") bytes"
}

# The relaxed build's glue is named as Trunk's, so it must come out the same.
build bayes-renorm bayes-renorm-relaxed_bg.wasm --enable-relaxed-simd relaxed-simd
if ! cmp -s target/bayes-renorm-bindgen/bayes-renorm.js "$TRUNK_STAGING_DIR/bayes-renorm.js"; then
  echo "extra-modules.sh: the relaxed build's glue differs from Trunk's (target/bayes-renorm-bindgen/)" >&2
  exit 1
fi

build bayes-renorm-eigen bayes-renorm-eigen_bg.wasm "" eigensolver
cp target/bayes-renorm-eigen-bindgen/bayes-renorm-eigen.js "$TRUNK_STAGING_DIR/"

node build-tools/stamp-sw.mjs

#!/usr/bin/env bash
# Trunk's post_build hook: the three builds of the crate besides Trunk's own (docs/builds.md), each
# through wasm-bindgen, staged beside it, and wasm-opt on all three (optimise.sh):
# - bayes-renorm-relaxed_bg.wasm (feature `relaxed-simd`): the matrix products' fused
#   multiply-add (src/dense.rs). A browser without relaxed SIMD rejects the file as a whole, so
#   both are shipped and www/wasm-module.js picks one; both load through the one glue file, which
#   must be identical.
# - bayes-renorm-eigen.js and _bg.wasm (features `eigensolver` and `converter`): faer's
#   eigensolver, which the worker loads only when the eigen-shells run (src/web/eigensolver.rs),
#   and the converter of a visitor's files, which www/converter.js loads to add data.
# - bayes-renorm-threads.js and _bg.wasm: the relaxed build with WebAssembly threads, for the
#   worker and its pool on a cross-origin isolated page (www/thread-pool.js).
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

# threads <out-name> <staged file>: the relaxed build again, with WebAssembly threads: atomics
# and a shared memory (so the standard library is rebuilt with them: nightly's -Zbuild-std, which
# stable rustc allows under RUSTC_BOOTSTRAP), in a target directory of its own, as its flags
# differ from every other build's. It runs in the background from the start, beside the others;
# its glue is its own (it imports the memory). Without the default features it does not compile
# faer, which it never calls (Cargo.toml).
threads() {
  local name=$1 file=$2
  RUSTC_BOOTSTRAP=1 RUSTFLAGS="-C target-feature=+simd128,+atomics,+bulk-memory,+mutable-globals \
-C link-arg=--shared-memory -C link-arg=--import-memory -C link-arg=--max-memory=4294967296 \
-C link-arg=--export=__wasm_init_tls -C link-arg=--export=__tls_size \
-C link-arg=--export=__tls_align -C link-arg=--export=__tls_base" \
    cargo build --quiet --lib --target wasm32-unknown-unknown "${profile[@]}" \
    --no-default-features --features relaxed-simd -Zbuild-std=panic_abort,std \
    --target-dir target/threads
  wasm-bindgen --target web --no-typescript --out-name "$name" --out-dir "target/$name-bindgen" \
    "target/threads/wasm32-unknown-unknown/$dir/bayes_renorm.wasm"
  cp "target/$name-bindgen/$name.js" "$TRUNK_STAGING_DIR/"
  cp "target/$name-bindgen/${name}_bg.wasm" "$TRUNK_STAGING_DIR/$file"
  bash build-tools/optimise.sh "$TRUNK_STAGING_DIR/$file" "$TRUNK_STAGING_DIR/$file" \
    --enable-relaxed-simd --enable-threads
}
threads bayes-renorm-threads bayes-renorm-threads_bg.wasm &
optimising+=("$!")

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
for file in bayes-renorm_bg.wasm bayes-renorm-relaxed_bg.wasm bayes-renorm-eigen_bg.wasm bayes-renorm-threads_bg.wasm; do
  echo "extra-modules.sh: $file, $(stat -c %s "$TRUNK_STAGING_DIR/$file") bytes"
done

node build-tools/stamp-sw.mjs

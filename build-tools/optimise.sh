#!/usr/bin/env bash
# optimise.sh IN OUT [EXTRA...]: wasm-opt on one of the page's three modules, at -O3 with the
# features every module uses, plus EXTRA flags; a plain copy in a debug build. For the post_build
# hook (extra-modules.sh), which runs it on all three, Trunk's own included: Trunk's wasm-opt is
# off (index.html) because binaryen's npm wasm-opt takes ~25 s a module on one core, and the hook
# runs it beside the next cargo build. Its output is kept under target/wasm-opt-cache/ by input
# and flags: a rebuild that changed nothing (a second `trunk build`, say) reuses it.
# -O3 rather than -Oz: the same size within 0.5 %, and it keeps the speed.
set -euo pipefail
in=$1 out=$2
shift 2
if [ "${TRUNK_PROFILE:-release}" != release ]; then
  [ "$in" -ef "$out" ] || cp "$in" "$out"
  exit 0
fi
flags=(-O3 --enable-simd --enable-reference-types --enable-bulk-memory
  --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-multivalue "$@")
key=$( (sha256sum <"$in"; echo "${flags[*]}"; wasm-opt --version) | sha256sum | cut -c1-32)
cached=target/wasm-opt-cache/$key.wasm
if [ ! -f "$cached" ]; then
  mkdir -p target/wasm-opt-cache
  wasm-opt "${flags[@]}" "$in" -o "$cached.partial.$$"
  mv "$cached.partial.$$" "$cached"
fi
cp "$cached" "$out"

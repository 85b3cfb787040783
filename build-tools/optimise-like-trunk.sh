#!/usr/bin/env bash
# optimise-like-trunk.sh IN OUT [EXTRA...]: the wasm-opt that Trunk runs on the page's module (its
# level and flags, read from index.html) on another build of it, plus EXTRA flags; a plain copy in
# a debug build, as Trunk does. For the post_build hook (extra-modules.sh). wasm-opt takes 10-20 s
# a module, so its output is kept under target/wasm-opt-cache/ by input and flags: a rebuild that
# changed nothing (a second `trunk build`, say) reuses it.
set -euo pipefail
in=$1 out=$2
shift 2
if [ "${TRUNK_PROFILE:-release}" != release ]; then
  cp "$in" "$out"
  exit 0
fi
read -r -a params <<<"$(sed -n 's/.*data-wasm-opt-params="\([^"]*\)".*/\1/p' "$TRUNK_HTML_FILE")"
level=$(sed -n 's/.*data-wasm-opt="\([^"]*\)".*/\1/p' "$TRUNK_HTML_FILE")
flags=("-O$level" "${params[@]}" "$@")
key=$( (sha256sum <"$in"; echo "${flags[*]}"; wasm-opt --version) | sha256sum | cut -c1-32)
cached=target/wasm-opt-cache/$key.wasm
if [ ! -f "$cached" ]; then
  mkdir -p target/wasm-opt-cache
  wasm-opt "${flags[@]}" "$in" -o "$cached.partial"
  mv "$cached.partial" "$cached"
fi
cp "$cached" "$out"

#!/usr/bin/env bash
# optimise-like-trunk.sh IN OUT [EXTRA...]: the wasm-opt that Trunk runs on the page's module (its
# level and flags, read from index.html) on another build of it, plus EXTRA flags; a plain copy in
# a debug build, as Trunk does. For the post_build hooks (relaxed-module.sh, eigen-module.sh).
set -euo pipefail
in=$1 out=$2
shift 2
if [ "${TRUNK_PROFILE:-release}" = release ]; then
  read -r -a params <<<"$(sed -n 's/.*data-wasm-opt-params="\([^"]*\)".*/\1/p' "$TRUNK_HTML_FILE")"
  level=$(sed -n 's/.*data-wasm-opt="\([^"]*\)".*/\1/p' "$TRUNK_HTML_FILE")
  wasm-opt "-O$level" "${params[@]}" "$@" "$in" -o "$out"
else
  cp "$in" "$out"
fi

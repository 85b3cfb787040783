#!/usr/bin/env bash
# Fuzzes the parsers that read untrusted input for SECONDS in total (default 60): 80 % go to the
# shard, manifest, safetensors and IDX parsers (examples/fuzz), 20 % to the page's URL-state
# parser (scripts/fuzz-url-state.mjs). Prints a line of figures per parser and a total. Exits
# non-zero if any input made a parser panic or throw, or broke a property of what it accepted;
# those inputs are saved under target/fuzz/.
# Usage: scripts/fuzz.sh [SECONDS] [SEED]   (the same seed draws the same inputs)
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
seed=${2:-$(date +%s%N)}
native_seconds=$(awk -v s="$seconds" 'BEGIN { print s * 0.8 }')
url_seconds=$(awk -v s="$seconds" 'BEGIN { print s * 0.2 }')

# CARGO_PROFILE=test (scripts/test.sh) reuses the tests' optimised build instead of a release one.
profile=${CARGO_PROFILE:-release}
[ "$profile" = release ] && dir=release || dir=debug
cargo build --quiet --profile "$profile" --example fuzz
mkdir -p target/fuzz
log=target/fuzz/last-run.txt
echo "fuzz: seed $seed, ${native_seconds} s native parsers, ${url_seconds} s URL state" | tee "$log"

status=0
target/$dir/examples/fuzz "$native_seconds" --seed "$seed" | tee -a "$log" || status=1
node scripts/fuzz-url-state.mjs "$url_seconds" --seed "$seed" | tee -a "$log" || status=1

# Columns of a figures line: name executions N accepted N rejected N panics N.
awk '$2 == "executions" { e += $3; a += $5; r += $7; p += $9 }
  END { printf "%-12s executions %10d  accepted %8d  rejected %10d  panics %d\n", "total", e, a, r, p }' "$log"
exit $status

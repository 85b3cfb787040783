#!/usr/bin/env bash
# Builds the page with Trunk and serves it on http://127.0.0.1:8080/ (rebuilds on change).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
exec trunk --config trunk.toml serve --release "$@"

#!/usr/bin/env bash
# Lighthouse (12.2.3, audit/package.json) on the built page as a visitor opens it (no hash), with
# its default mobile emulation and simulated throttling, in Debian's Chromium. Prints the four
# category scores and four metrics, and writes them to target/audit/scores.json beside the full
# reports (report.report.html and .json).
#
#   scripts/audit.sh [--dir DIR] [--out OUT]    DIR: the built page (default dist/)
#
# The page is served by audit/serve.mjs under the end-to-end harness's sub-path. Lighthouse runs
# offline: it drives the Chromium on PATH and downloads nothing (no error reporting either).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

dir=$repo/dist
out=$repo/target/audit
while [ $# -gt 0 ]; do
  case $1 in
    --dir) dir=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "audit.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
dir=$(realpath -m "$dir")
out=$(realpath -m "$out")
cd "$repo"
[ -f "$dir/index.html" ] || { echo "audit.sh: no $dir/index.html: build the page first (trunk build --release)" >&2; exit 1; }

# Chromium and the npm modules, at their pinned versions (idempotent, fast when all is there).
source scripts/setup.sh
install_node_modules audit

started=$SECONDS
mkdir -p "$out"
server_log=$(mktemp)
node audit/serve.mjs "$dir" >"$server_log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$server_log"' EXIT
for _ in $(seq 50); do
  url=$(head -n1 "$server_log")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "audit.sh: the server did not start: $(cat "$server_log")" >&2; exit 1; }

echo "audit.sh: Lighthouse on $url ($dir)" >&2
CHROME_PATH=$(command -v chromium) audit/node_modules/.bin/lighthouse "$url" \
  --chrome-flags="--headless=new --no-sandbox" \
  --only-categories=performance,accessibility,best-practices,seo \
  --output=json --output=html --output-path="$out/report" \
  --no-enable-error-reporting --quiet

node - "$out/report.report.json" "$out/scores.json" "$dir" <<'EOF'
const fs = require('node:fs');
const [reportPath, scoresPath, dir] = process.argv.slice(2);
const lhr = JSON.parse(fs.readFileSync(reportPath, 'utf8'));
const score = (id) => Math.round(100 * lhr.categories[id].score);
const metric = (id) => lhr.audits[id].numericValue;
const scores = {
  dir, url: lhr.finalDisplayedUrl, lighthouse: lhr.lighthouseVersion,
  userAgent: lhr.environment.hostUserAgent, formFactor: lhr.configSettings.formFactor,
  fetchTime: lhr.fetchTime,
  categories: Object.fromEntries(['performance', 'accessibility', 'best-practices', 'seo'].map((id) => [id, score(id)])),
  metrics: {
    cumulativeLayoutShift: Number(metric('cumulative-layout-shift').toFixed(4)),
    totalBlockingTimeMs: Math.round(metric('total-blocking-time')),
    largestContentfulPaintMs: Math.round(metric('largest-contentful-paint')),
    timeToInteractiveMs: Math.round(metric('interactive')),
  },
  runtimeError: lhr.runtimeError?.message ?? null,
  runWarnings: lhr.runWarnings,
  // Audits Lighthouse could not compute (12.2.3's trace reader fails on some of a newer
  // Chromium's trace events: a few diagnostics, none that a score weighs).
  erroredAudits: Object.values(lhr.audits).filter((a) => a.scoreDisplayMode === 'error').map((a) => a.id),
};
fs.writeFileSync(scoresPath, JSON.stringify(scores, null, 2) + '\n');
for (const [id, s] of Object.entries(scores.categories)) console.log(`${id.padEnd(16)} ${s}`);
const m = scores.metrics;
console.log(`CLS              ${m.cumulativeLayoutShift}`);
console.log(`TBT              ${m.totalBlockingTimeMs} ms`);
console.log(`LCP              ${m.largestContentfulPaintMs} ms`);
console.log(`TTI              ${m.timeToInteractiveMs} ms`);
for (const w of scores.runWarnings) console.log(`warning: ${w}`);
if (scores.runtimeError) console.log(`error: ${scores.runtimeError}`);
if (scores.erroredAudits.length) console.log(`not computed: ${scores.erroredAudits.join(', ')}`);
EOF
echo "audit.sh: $out/scores.json, $out/report.report.html; $((SECONDS - started)) s" >&2

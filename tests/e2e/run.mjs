// End to end: serves the built page (dist/) under a sub-path and drives it in Debian's Chromium.
// Usage: node tests/e2e/run.mjs <dist-dir> <dir with reproduce's JSON for the same settings>
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { figure, start } from './harness.mjs';
import { dataScenarios } from './data.mjs';
import { trainingScenarios } from './training.mjs';
import { embedScenario, paperAnalysisChecks } from './analysis.mjs';
import { studiesScenario } from './studies.mjs';
import { studySummaryScenario } from './study-summary.mjs';
import { classifierScenario } from './classifier.mjs';
import { ownDataScenario } from './own-data.mjs';
import { hardeningScenarios } from './hardening.mjs';
import { offlineScenario } from './offline.mjs';
import { lessonScenarios } from './lesson.mjs';
import { courseWidgetScenario } from './embed.mjs';

const distDir = path.resolve(process.argv[2] ?? 'dist');
const nativeDir = path.resolve(process.argv[3] ?? 'target/e2e');
const screenshot = path.join(nativeDir, 'page-ready.png');

for (const file of ['bayes-renorm_bg.wasm', 'bayes-renorm-relaxed_bg.wasm']) {
  const wasm = fs.readFileSync(path.join(distDir, file));
  figure(`${file} (KB, raw / gzip -9)`, `${(wasm.length / 1e3).toFixed(0)} / ${(zlib.gzipSync(wasm, { level: 9 }).length / 1e3).toFixed(0)}`);
}

const harness = await start(distDir);
let passed = false;
try {
  await dataScenarios(harness);
  await trainingScenarios(harness, nativeDir, screenshot, paperAnalysisChecks);
  await embedScenario(harness, nativeDir);
  await studiesScenario(harness, nativeDir);
  await studySummaryScenario(harness, nativeDir, distDir);
  await classifierScenario(harness, nativeDir);
  await ownDataScenario(harness, nativeDir);
  await hardeningScenarios(harness, distDir);
  await offlineScenario(harness, distDir);
  await lessonScenarios(harness);
  await courseWidgetScenario(harness, nativeDir);
} finally {
  passed = await harness.finish();
}
console.log(`screenshots: ${screenshot}, ${path.join(nativeDir, 'page-embed.png')}`);
process.exit(passed ? 0 : 1);

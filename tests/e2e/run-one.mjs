// Runs one group of end-to-end scenarios, for working on it: node tests/e2e/run-one.mjs NAME
// [dist-dir] [native-dir], NAME one of data, training, analysis, studies, study-summary, classifier,
// own-data, hardening, offline, lesson, embed, pool.
import path from 'node:path';
import { start } from './harness.mjs';
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
import { poolScenario } from './pool.mjs';

const [name, dist = 'dist', native = 'target/e2e'] = process.argv.slice(2);
const distDir = path.resolve(dist);
const nativeDir = path.resolve(native);
const GROUPS = {
  data: (h) => dataScenarios(h),
  training: (h) => trainingScenarios(h, nativeDir, path.join(nativeDir, 'page-ready.png'), paperAnalysisChecks),
  analysis: (h) => embedScenario(h, nativeDir),
  studies: (h) => studiesScenario(h, nativeDir),
  'study-summary': (h) => studySummaryScenario(h, nativeDir, distDir),
  classifier: (h) => classifierScenario(h, nativeDir),
  'own-data': (h) => ownDataScenario(h, nativeDir),
  hardening: (h) => hardeningScenarios(h, distDir),
  offline: (h) => offlineScenario(h, distDir),
  lesson: (h) => lessonScenarios(h),
  embed: (h) => courseWidgetScenario(h, nativeDir),
  pool: (h) => poolScenario(h, nativeDir),
};
if (!GROUPS[name]) {
  console.error(`usage: node tests/e2e/run-one.mjs ${Object.keys(GROUPS).join('|')} [dist] [native]`);
  process.exit(2);
}
const harness = await start(distDir);
let passed = false;
try {
  await GROUPS[name](harness);
} finally {
  passed = await harness.finish();
}
process.exit(passed ? 0 : 1);

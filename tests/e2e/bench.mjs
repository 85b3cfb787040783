// The browser's side of scripts/bench.sh, and the table: the core's workloads in the page's
// worker on the same shards and plan as the native run, then the page itself (Train pressed as
// it opens, to `ready`, then the slider) on each of its two pools, and its training at m = 256,
// then one JSON with the native figures beside them.
// Usage: node tests/e2e/bench.mjs <dist> <native-bench.json> <native-reproduce.json> <out.json> [--smoke]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { moveSlider, start, waitForState } from './harness.mjs';
import { benchTable } from './bench-table.mjs';

const [distArg, nativeBenchPath, nativeReproducePath, outPath, mode] = process.argv.slice(2);
const smoke = mode === '--smoke';
const distDir = path.resolve(distArg);
const nativeBench = JSON.parse(fs.readFileSync(nativeBenchPath, 'utf8'));
const nativeReproduce = JSON.parse(fs.readFileSync(nativeReproducePath, 'utf8'));
// Smoke: every step runs, small (the test command); full: the paper's defaults.
const PAGE_HASH = smoke ? '#subset=2000&epochs=1' : '';
const SLIDER_POSITIONS = [100, 500, 800, 300, 950, 600, 200, 900, 400, 700];

/** The core's workloads in the page's worker, on the shards the page serves. */
async function coreInWorker(openPage, plan) {
  const { page, close } = await openPage();
  await waitForState(page, 'idle');
  const worker = page.workers()[0] ?? await page.waitForEvent('worker');
  const figures = await worker.evaluate(async (plan) => {
    const module = await import(new URL('bayes-renorm.js', location.href).href);
    const base = new URL('data/mnist/', location.href);
    const manifestText = await (await fetch(new URL('manifest.json', base))).text();
    const manifest = JSON.parse(manifestText);
    const fetchSplit = (split) => Promise.all(manifest.splits[split].map(async ({ file }) =>
      new Uint8Array(await (await fetch(new URL(file, base))).arrayBuffer())));
    return module.benchCore(plan, manifestText, await fetchSplit('train'), await fetchSplit('test'));
  }, plan);
  await close();
  return figures;
}

// Training at m = 256 in the page: 2 epochs, and a short analysis after (its figures unused).
const WIDE_HASH = smoke ? '#subset=2000&epochs=1&latent=256&eval=1000&random-seeds=1'
  : '#latent=256&epochs=2&eval=1000&random-seeds=1&grid-points=10';

// The two pools: messages between workers (no isolation headers, no service worker to add
// them), and helper threads on one shared memory (the headers of dist/_headers).
const POOLS = {
  messages: { headers: false, serviceWorkers: 'block' },
  threads: { headers: true, serviceWorkers: 'block' },
};

/** The page as a visitor uses it: open, Train at once, wait for `ready`, move the slider. */
async function pageRun(openPage, pool, hash = PAGE_HASH) {
  const { page, problems, close } = await openPage(hash, async () => {}, POOLS[pool]);
  await page.click('#train');
  await waitForState(page, 'ready', 600_000);
  for (const position of SLIDER_POSITIONS) await moveSlider(page, position);
  const marks = await page.evaluate(() => {
    const mark = (name) => performance.getEntriesByName(name)[0]?.startTime;
    return {
      firstStep: mark('bayes:first-training-step'),
      started: mark('bayes:training-started'),
      ready: mark('bayes:ready'),
      slider: performance.getEntriesByName('bayes:slider-update').map((m) => m.duration),
      dataset: { ...document.body.dataset },
    };
  });
  await close();
  if (problems.console.length) throw new Error(`the page reported errors: ${problems.console.join(' | ')}`);
  const slider = marks.slider.sort((a, b) => a - b);
  if (marks.dataset.pool !== pool) throw new Error(`the page ran the ${marks.dataset.pool} pool, not ${pool}`);
  // The worker's own seconds of work and of waiting for its helpers, by stage (run-in-chunks.js
  // counts them from the start; each stage's are its last reading less the previous stage's).
  const profile = {};
  let before = [0, 0];
  for (const stage of ['training', 'fisher', 'sweep']) {
    const reading = (marks.dataset[`${stage}Clock`] ?? '').split(' ').map(Number);
    if (reading.length !== 2) continue;
    profile[stage] = { worker_step_seconds: reading[0] - before[0], helper_wait_seconds: reading[1] - before[1] };
    before = reading;
  }
  return {
    hash,
    pool,
    open_to_first_step_seconds: marks.firstStep / 1e3,
    training_examples_per_second: Number(marks.dataset.examplesPerSecond),
    fisher_seconds: Number(marks.dataset.fisherSeconds),
    sweep_seconds: Number(marks.dataset.sweepSeconds),
    whole_paper_seconds: (marks.ready - marks.started) / 1e3,
    slider_ms_median: slider[slider.length >> 1],
    slider_ms_max: slider.at(-1),
    slider_updates: slider.length,
    peak_wasm_memory_mb: Number(marks.dataset.memoryBytes) / 1e6,
    kernel: marks.dataset.kernel,
    training_seconds: Number(marks.dataset.trainingSeconds),
    profile,
    workers: Number(marks.dataset.workers),
  };
}

const harness = await start(distDir);
let report;
try {
  const core = await coreInWorker(harness.openPage, nativeBench.plan);
  const page = await pageRun(harness.openPage, 'messages');
  const pageThreads = await pageRun(harness.openPage, 'threads');
  const wide = {
    messages: (await pageRun(harness.openPage, 'messages', WIDE_HASH)).training_examples_per_second,
    threads: (await pageRun(harness.openPage, 'threads', WIDE_HASH)).training_examples_per_second,
  };
  // The build the page ran (www/wasm-module.js).
  const wasm = fs.readFileSync(path.join(distDir, page.kernel === 'relaxed-simd' ? 'bayes-renorm-relaxed_bg.wasm' : 'bayes-renorm_bg.wasm'));
  const threadsWasm = fs.readFileSync(path.join(distDir, 'bayes-renorm-threads_bg.wasm'));
  const seconds = nativeReproduce.seconds;
  report = {
    date: new Date().toISOString(),
    smoke,
    machine: { cpu: os.cpus()[0].model, cores: os.cpus().length, browser: `Chromium ${harness.browserVersion}` },
    plan: nativeBench.plan,
    native: { ...nativeBench.figures, whole_paper_seconds: seconds.train + seconds.fisher + seconds.sweep },
    native_pool: nativeBench.pool,
    browser: core,
    page,
    page_threads: pageThreads,
    page_m256_examples_per_second: wide,
    wasm: { bytes: wasm.length, gzip_bytes: zlib.gzipSync(wasm, { level: 9 }).length },
    wasm_threads: { bytes: threadsWasm.length, gzip_bytes: zlib.gzipSync(threadsWasm, { level: 9 }).length },
  };
} finally {
  await harness.close();
}
fs.writeFileSync(outPath, `${JSON.stringify(report, null, 2)}\n`);
const table = benchTable(report);
fs.writeFileSync(outPath.replace(/\.json$/, '.md'), table);
console.log(table);

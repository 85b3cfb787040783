// Training in the page: the paper's run against `reproduce`, a small run, pause and resume,
// the pool of workers, bad URL values, a diverging learning rate, a worker crash and a wasm panic.
import fs from 'node:fs';
import path from 'node:path';
import {
  canvasDrawn, check, epochTable, figure, pageWorker, relativeError, setControl, waitForState,
} from './harness.mjs';
import { poolScenario } from './pool.mjs';

// A small run, with a quick analysis after it (the paper's 20 cutoffs, one random seed, 1,000
// test images).
export const SMALL = '#subset=2000&epochs=1&grid=paper&random-seeds=1&eval=1000';
const QUICK_ANALYSIS = { grid: 'paper', 'random-seeds': 1, eval: 1000 };
const TEST_MSE_IN_STATUS = /test MSE 0\.\d{6}/;

/** Long tasks (over 50 ms) on the main thread, with their start times, from page load on. */
async function observeLongTasks(page) {
  await page.addInitScript(() => {
    window.longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.longTasks.push([entry.startTime, entry.duration]);
    }).observe({ type: 'longtask', buffered: true });
  });
}

const readNative = (dir, name) => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));

/**
 * The paper's defaults on full MNIST, Train pressed as soon as the page opens: the page's
 * numbers against `reproduce`'s, and the figures of the issue.
 */
async function paperRun({ openPage }, nativeDir, screenshot, analysisChecks) {
  const native = readNative(nativeDir, 'native-paper.json');
  const { page, problems, close } = await openPage('', observeLongTasks);
  await page.click('#train');
  await waitForState(page, 'ready', 300_000);
  const table = await epochTable(page);
  check('the paper run reports 10 epochs', table.length === 10, table.length);
  const trainErrors = table.map((row, e) => relativeError(row.trainMse, native.train.epoch_losses[e]));
  const testError = relativeError(table.at(-1).testMse, native.train.test_mse);
  check('each epoch\'s train MSE equals reproduce\'s to 1e-4 (relative)', Math.max(...trainErrors) < 1e-4,
    `largest difference ${Math.max(...trainErrors).toExponential(2)}`);
  check('the final test MSE equals reproduce\'s to 1e-4 (relative)', testError < 1e-4,
    `page ${table.at(-1).testMse.toFixed(6)}, reproduce ${native.train.test_mse.toFixed(6)}`);
  const status = await page.textContent('#status');
  check('the status states the test MSE', TEST_MSE_IN_STATUS.test(status), status);
  check('the loss chart is drawn', await canvasDrawn(page, 'loss-chart'));
  check('no console errors during the paper run', problems.console.length === 0, problems.console.join(' | '));
  check('Chromium runs the relaxed-SIMD build, and the footer says so',
    (await page.getAttribute('body', 'data-kernel')) === 'relaxed-simd' &&
    (await page.textContent('#version')).includes('fused multiply-add'), await page.textContent('#version'));

  const timing = await page.evaluate(() => {
    const mark = (name) => performance.getEntriesByName(name)[0]?.startTime;
    const started = mark('bayes:training-started');
    const trained = mark('bayes:training-done');
    const chartDraws = performance.getEntriesByName('bayes:loss-chart')
      .filter((m) => m.startTime >= started && m.startTime <= trained).map((m) => m.duration);
    return {
      firstStep: mark('bayes:first-training-step'),
      longTasks: window.longTasks.filter(([start]) => start >= started && start <= trained).map(([, d]) => d),
      chartDraws,
      dataset: { ...document.body.dataset },
    };
  });
  const longest = Math.max(0, ...timing.longTasks);
  check('no main-thread task of 50 ms or more while training', timing.longTasks.length === 0,
    timing.longTasks.length ? `${timing.longTasks.length} long tasks, longest ${longest.toFixed(0)} ms` : '');
  figure('page open to first training step (s)', (timing.firstStep / 1e3).toFixed(2));
  figure('longest loss-chart redraw on the main thread (ms)', Math.max(...timing.chartDraws).toFixed(1));
  figure('loss-chart redraws during the run', timing.chartDraws.length);
  const perEpoch = table.map((row) => row.examplesPerSecond).sort((a, b) => a - b);
  figure('training examples/s in the page: whole run / median epoch / best epoch',
    [Number(timing.dataset.examplesPerSecond), perEpoch[5], perEpoch.at(-1)].map(Math.round).join(' / '));
  figure('peak wasm memory in the worker (MB)', (Number(timing.dataset.memoryBytes) / 1e6).toFixed(1));
  figure('test MSE, page vs reproduce', `${table.at(-1).testMse.toFixed(6)} vs ${native.train.test_mse.toFixed(6)}`);
  await analysisChecks(page, native, screenshot);
  await close();
}

async function smallRun({ openPage }, nativeDir) {
  const native = readNative(nativeDir, 'native-subset-2000.json');
  const { page, problems, close } = await openPage();
  await waitForState(page, 'idle');
  await setControl(page, 'subset', 2000);
  await setControl(page, 'epochs', 1);
  for (const [id, value] of Object.entries(QUICK_ANALYSIS)) await setControl(page, id, value);
  check('edited controls are written to the URL', page.url().includes('epochs=1') && page.url().includes('subset=2000'), page.url());
  await page.click('#train');
  await waitForState(page, 'ready');
  const [row] = await epochTable(page);
  check('2,000 images, 1 epoch: train and test MSE equal reproduce --subset 2000 --epochs 1',
    relativeError(row.trainMse, native.train.epoch_losses[0]) < 1e-5 && relativeError(row.testMse, native.train.test_mse) < 1e-5,
    `page ${row.trainMse.toFixed(6)} / ${row.testMse.toFixed(6)}, reproduce ${native.train.epoch_losses[0].toFixed(6)} / ${native.train.test_mse.toFixed(6)}`);
  check('the small run draws the loss chart', await canvasDrawn(page, 'loss-chart'));
  const status = await page.textContent('#status');
  check('the small run\'s status states the test MSE', TEST_MSE_IN_STATUS.test(status), status);

  // Pause and resume: the same weights as an uninterrupted run.
  const shardsBefore = problems.shardRequests;
  await setControl(page, 'subset', 30000);
  await setControl(page, 'epochs', 2);
  await setControl(page, 'batch', 100);
  await page.click('#train');
  await waitForState(page, 'ready');
  const straight = await page.getAttribute('body', 'data-weights-digest');
  await page.click('#train');
  await page.waitForFunction(() => document.getElementById('progress').value > 0 &&
    document.body.dataset.state === 'training', null, { timeout: 60_000, polling: 5 });
  await page.click('#pause');
  await waitForState(page, 'paused');
  const pausedAt = await page.$eval('#progress', (p) => [p.value, p.max]);
  await page.waitForTimeout(400);
  const stillAt = await page.$eval('#progress', (p) => p.value);
  check('pause stops training mid-run', pausedAt[0] > 0 && pausedAt[0] < pausedAt[1] && stillAt === pausedAt[0],
    `${pausedAt[0]} of ${pausedAt[1]} examples, then ${stillAt}`);
  check('the pause button offers Resume', (await page.textContent('#pause')) === 'Resume');
  await page.click('#pause');
  await waitForState(page, 'ready');
  const resumed = await page.getAttribute('body', 'data-weights-digest');
  check('pause and resume give bit-identical weights', resumed === straight, `${resumed.slice(0, 16)} vs ${straight.slice(0, 16)}`);
  check('training again does not download again', problems.shardRequests === shardsBefore,
    `${problems.shardRequests - shardsBefore} shard requests`);

  // Cancel mid-run, then the paper preset.
  await page.click('#train');
  await page.waitForFunction(() => document.getElementById('progress').value > 0, null, { timeout: 60_000, polling: 5 });
  await page.click('#cancel');
  await waitForState(page, 'ready');
  check('cancel stops a run, says so, and keeps the finished results', /Cancelled/.test(await page.textContent('#status')) &&
    await page.getAttribute('body', 'data-weights-digest') === straight);
  await page.click('#preset-paper');
  const values = await page.$$eval('#controls input, #controls select',
    (inputs) => Object.fromEntries(inputs.map((i) => [i.id, i.type === 'checkbox' ? i.checked : i.value])));
  check('the paper preset restores the paper\'s settings',
    values.subset === '60000' && values.epochs === '10' && values.batch === '1000' && values.lr === '0.001' &&
    values.latent === '20' && values.seed === '42' && values.biases === false && values.grid === 'log' &&
    values['fisher-split'] === 'train' && values.eval === '10000', JSON.stringify(values));
  await page.click('#preset-authors');
  const authors = await page.$$eval('#controls input, #controls select',
    (inputs) => Object.fromEntries(inputs.map((i) => [i.id, i.type === 'checkbox' ? i.checked : i.value])));
  check("the authors' preset sets biases, the test-split Fisher, the paper's grid and 10 test images",
    authors.biases === true && authors['fisher-split'] === 'test' && authors.grid === 'paper' && authors.eval === '10',
    JSON.stringify(authors));
  await page.click('#preset-paper');
  await page.click('#share');
  await page.waitForSelector('#notice:not([hidden])');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  check('the share button copies the link with every setting', copied === page.url() && copied.includes('subset=60000'), copied);
  await close();
}

/**
 * With the second training shard held back (shards come one after another, so all later ones
 * wait too), a 2,000-image run starts and finishes on the shards that have arrived, and gives
 * the same numbers as when everything is loaded.
 */
async function earlyStart({ openPage }, nativeDir) {
  const native = readNative(nativeDir, 'native-subset-2000.json');
  const { page, close } = await openPage(SMALL, (p) => p.route('**/train-01.v1.shard', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await route.continue();
  }));
  await page.click('#train');
  await page.waitForFunction(() => performance.getEntriesByName('bayes:training-done').length > 0, null, { timeout: 60_000 });
  const loadedBeforeDone = await page.getAttribute('body', 'data-data-loaded');
  const [row] = await epochTable(page);
  check('training starts on the first shards while the rest are still downloading',
    loadedBeforeDone === null && relativeError(row.testMse, native.train.test_mse) < 1e-5,
    `data loaded: ${loadedBeforeDone}; test MSE ${row.testMse.toFixed(6)} vs reproduce ${native.train.test_mse.toFixed(6)}`);
  await page.waitForSelector('body[data-data-loaded="mnist"]', { timeout: 60_000 });
  await waitForState(page, 'ready');
  check('the status keeps the finished run\'s result while the rest arrive',
    TEST_MSE_IN_STATUS.test(await page.textContent('#status')));
  await close();
}

async function badInput({ openPage }) {
  {
    const { page, close } = await openPage(`#lr=abc&latent=-5${SMALL.replace('#', '&')}`);
    await waitForState(page, 'idle');
    const lr = await page.textContent('#lr-problem');
    const latent = await page.textContent('#latent-problem');
    check('lr=abc is named next to its control with the default used',
      await page.isVisible('#lr-problem') && lr.includes('"abc"') && lr.includes('0.001'), lr);
    check('latent=-5 is named next to its control with the default used',
      await page.isVisible('#latent-problem') && latent.includes('"-5"') && latent.includes('20'), latent);
    await page.click('#train');
    await waitForState(page, 'ready');
    check('training with the defaults still works', TEST_MSE_IN_STATUS.test(await page.textContent('#status')));
    await close();
  }
  {
    const { page, close } = await openPage(`#lr=10${SMALL.replace('#', '&')}`);
    await waitForState(page, 'idle');
    await page.click('#train');
    await waitForState(page, 'error');
    const error = await page.textContent('#error');
    check('lr = 10 stops training with a message to lower the learning rate',
      /learning rate 10 is too large/.test(error) && /lower it/.test(error), error);
    check('the loss chart keeps the batches before the divergence', await canvasDrawn(page, 'loss-chart'));
    await setControl(page, 'lr', 0.001);
    await page.click('#train');
    await waitForState(page, 'ready');
    check('after lowering the learning rate, training works', await page.isHidden('#error'));
    await close();
  }
}

async function crashes({ openPage }) {
  const { page, close } = await openPage(SMALL);
  await waitForState(page, 'idle');
  const worker = pageWorker(page);
  await worker.evaluate(() => setTimeout(() => { throw new Error('crash requested by the end-to-end test'); }));
  await waitForState(page, 'error');
  const crash = await page.textContent('#error');
  check('a worker crash shows its message', crash.includes('crash requested by the end-to-end test'), crash);
  await page.click('#train');
  await waitForState(page, 'ready');
  check('after a worker crash, Train works again without a reload', TEST_MSE_IN_STATUS.test(await page.textContent('#status')));

  const current = pageWorker(page);
  await current.evaluate(() => import(new URL('bayes-renorm.js', location.href).href)
    .then((m) => m.panicForTest()).catch(() => {}));
  // A model was trained before the panic: the page keeps its weights and stays `done`.
  await waitForState(page, 'done');
  const panic = await page.textContent('#error');
  check('a panic in wasm shows its message and where, and that the trained weights are kept',
    panic.includes('deliberate panic') && panic.includes('src/web/mod.rs') && panic.includes('trained weights are kept'), panic);
  await page.click('#train');
  await waitForState(page, 'ready');
  check('after a panic, Train works again without a reload', TEST_MSE_IN_STATUS.test(await page.textContent('#status')));
  await close();
}

/**
 * A browser without relaxed SIMD (emulated: wasm-module.js's probe made to fail) runs the other
 * build, never fetches the relaxed one, and trains to reproduce's numbers all the same.
 */
async function withoutRelaxedSimd({ openPage, override, base }, nativeDir) {
  const native = readNative(nativeDir, 'native-subset-2000.json');
  const source = await (await fetch(new URL('wasm-module.js', base))).text();
  const failing = source.replace('relaxed = WebAssembly.validate(probe)', 'relaxed = false');
  check('the probe line to emulate an older browser is in wasm-module.js', failing !== source);
  override('wasm-module.js', Buffer.from(failing));
  const modules = [];
  const { page, problems, close } = await openPage(SMALL, async (p) => {
    p.context().on('request', (r) => { if (r.url().endsWith('_bg.wasm')) modules.push(r.url().split('/').at(-1)); });
  });
  try {
    await page.click('#train');
    await waitForState(page, 'ready');
    const [row] = await epochTable(page);
    // (The service worker also caches the eigen-shells' build, which has no relaxed variant.)
    check('without relaxed SIMD the page and its worker load the other build, never the relaxed one',
      (await page.getAttribute('body', 'data-kernel')) === 'simd128' && modules.includes('bayes-renorm_bg.wasm') &&
      modules.every((file) => file === 'bayes-renorm_bg.wasm' || file === 'bayes-renorm-eigen_bg.wasm'), `${modules.join(', ')}`);
    check('without relaxed SIMD, 2,000 images, 1 epoch: train and test MSE equal reproduce\'s',
      relativeError(row.trainMse, native.train.epoch_losses[0]) < 1e-5 && relativeError(row.testMse, native.train.test_mse) < 1e-5,
      `page ${row.trainMse.toFixed(6)} / ${row.testMse.toFixed(6)}, reproduce ${native.train.epoch_losses[0].toFixed(6)} / ${native.train.test_mse.toFixed(6)}`);
    check('no console errors without relaxed SIMD', problems.console.length === 0, problems.console.join(' | '));
  } finally {
    override('wasm-module.js', null);
    await close();
  }
}

export async function trainingScenarios(harness, nativeDir, screenshot, analysisChecks) {
  await paperRun(harness, nativeDir, screenshot, analysisChecks);
  await smallRun(harness, nativeDir);
  await withoutRelaxedSimd(harness, nativeDir);
  await poolScenario(harness, nativeDir);
  await earlyStart(harness, nativeDir);
  await badInput(harness);
  await crashes(harness);
}

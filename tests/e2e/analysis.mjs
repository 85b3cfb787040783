// The renormalization in the page: the charts, the Λ slider, exports (against `reproduce`'s
// report), importing weights (good and corrupt), the RG flow, the embedded layout, a narrow
// screen and the keyboard.
import fs from 'node:fs';
import path from 'node:path';
import {
  canvasDrawn, check, downloadOf, figure, moveSlider, pageWorker, relativeError, waitForState,
} from './harness.mjs';
import { SMALL } from './training.mjs';

const CHARTS = ['loss-chart', 'hockey-stick', 'fisher-hist', 'fisher-maps', 'recon'];

/** A canvas's pixels, to tell whether a redraw changed it. */
const pixels = (page, id) => page.$eval(`#${id}`, (c) => c.toDataURL());

/** Checks on the page that has just run the paper (`native` is reproduce's report for it). */
export async function paperAnalysisChecks(page, native, screenshot) {
  const timing = await page.evaluate(() => {
    const mark = (name) => performance.getEntriesByName(name)[0]?.startTime;
    return { started: mark('bayes:training-started'), trained: mark('bayes:training-done'), ready: mark('bayes:ready'),
      dataset: { ...document.body.dataset } };
  });
  figure('Fisher over the 60,000 training images in the page (s)', Number(timing.dataset.fisherSeconds).toFixed(2));
  figure('sweep in the page, 40 cutoffs, 3 random seeds, 10,000 test images (s)', Number(timing.dataset.sweepSeconds).toFixed(2));
  figure('the whole paper, Train pressed to ready (s)', ((timing.ready - timing.started) / 1e3).toFixed(1));
  for (const id of CHARTS) check(`#${id} is drawn`, await canvasDrawn(page, id));
  // The slider's travel is the share removed past the exact zeros: the paper's knee (59.5 %, with
  // 21.5 % exact zeros) sits near its middle, with room for the blow-up after it.
  await page.click('#stop-knee');
  const knee = Number(await page.$eval('#lambda', (s) => s.value)) / 1000;
  check('the knee sits on the slider with room on both sides', knee > 0.3 && knee < 0.7, `at ${knee}`);

  // The page's report against reproduce's: same settings, same numbers up to the last bits of
  // wasm's arithmetic.
  const report = JSON.parse((await downloadOf(page, 'export-json')).bytes.toString());
  check('the exported run has reproduce\'s schema and settings',
    JSON.stringify(Object.keys(report).sort()) === JSON.stringify(Object.keys(native).sort()) &&
    report.config.grid === native.config.grid && report.config.fisher_split === native.config.fisher_split &&
    JSON.stringify(report.config.random_seeds) === JSON.stringify(native.config.random_seeds) &&
    report.config.eval_examples === native.config.eval_examples && report.fisher.examples === native.fisher.examples);
  const meanError = relativeError(report.fisher.stats.encoder.mean, native.fisher.stats.encoder.mean);
  check('the Fisher encoder mean equals reproduce\'s to 1e-4', meanError < 1e-4,
    `${report.fisher.stats.encoder.mean.toFixed(6)} vs ${native.fisher.stats.encoder.mean.toFixed(6)}`);
  const zeros = [report, native].map((r) => r.fisher.stats.encoder.zero_fraction);
  check('the Fisher has reproduce\'s exact zeros', zeros[0] === zeros[1], zeros.join(' vs '));
  const rows = report.sweep.rows;
  const removedGap = Math.max(...rows.map((row, i) => Math.abs(row.removed - native.sweep.rows[i].removed)));
  const mseGap = Math.max(...rows.map((row, i) => relativeError(row.fisher_mse, native.sweep.rows[i].fisher_mse)));
  check('every sweep row removes reproduce\'s count to within 5 weights (of 15,680) and scores within 1e-3',
    rows.length === native.sweep.rows.length && removedGap <= 5 && mseGap < 1e-3,
    `largest count difference ${removedGap}, largest relative MSE difference ${mseGap.toExponential(2)}`);
  check('the knee Λ* is reproduce\'s', report.sweep.knee && native.sweep.knee &&
    Math.abs(report.sweep.knee.removed - native.sweep.knee.removed) <= 5,
    `page ${report.sweep.knee?.removed} removed at ${report.sweep.knee?.cutoff}, reproduce ${native.sweep.knee?.removed} at ${native.sweep.knee?.cutoff}`);

  const csv = (await downloadOf(page, 'export-csv')).bytes.toString().trim().split('\n');
  check('the CSV has the sweep header and one line per cutoff',
    csv[0].startsWith('cutoff,removed,fraction,fisher_mse,random_mse_mean,random_mse_std,magnitude_mse') &&
    csv.length === 1 + rows.length, `${csv[0]} (${csv.length} lines)`);
  const png = await downloadOf(page, 'export-png');
  check('the charts export as one PNG', png.bytes.subarray(1, 4).toString() === 'PNG' && png.bytes.length > 20_000,
    `${png.name}, ${png.bytes.length} bytes`);
  const npy = await downloadOf(page, 'export-fisher');
  check('the Fisher exports as .npy with every parameter', npy.bytes.subarray(1, 6).toString() === 'NUMPY' &&
    npy.bytes.toString('latin1', 0, 128).includes('(31360,)'), npy.name);
  const weights = await downloadOf(page, 'export-weights');
  const weightsPath = path.join(path.dirname(screenshot), weights.name);
  fs.writeFileSync(weightsPath, weights.bytes);

  // The slider: at the knee on arrival, then anywhere.
  const atKnee = Number(await page.getAttribute('body', 'data-removed'));
  check('the slider opens at the knee', atKnee === report.sweep.knee.removed, `${atKnee} removed`);
  const reconBefore = await pixels(page, 'recon');
  const mapsBefore = await pixels(page, 'fisher-maps');
  await moveSlider(page, 900);
  const removedText = await page.textContent('#removed');
  const removed = Number(await page.getAttribute('body', 'data-removed'));
  check('moving Λ updates #removed', removed > atKnee && removedText.includes(`${removed.toLocaleString('en')} of 15,680 encoder weights`),
    removedText);
  check('moving Λ redraws the reconstructions and the maps',
    (await pixels(page, 'recon')) !== reconBefore && (await pixels(page, 'fisher-maps')) !== mapsBefore);
  check('Λ is written to the URL', /lambda=\d/.test(page.url()), page.url());
  for (const position of [100, 500, 800, 300, 950]) await moveSlider(page, position);
  const updates = await page.evaluate(() => performance.getEntriesByName('bayes:slider-update').map((m) => m.duration));
  figure('slider update, input to four charts redrawn (ms, median / max)',
    `${updates.sort((a, b) => a - b)[updates.length >> 1].toFixed(1)} / ${Math.max(...updates).toFixed(1)}`);
  const perChart = await page.evaluate(() => ['histogram', 'hockey', 'maps', 'recon'].map((name) => {
    const times = performance.getEntriesByName(`bayes:draw-${name}`).map((m) => m.duration).sort((a, b) => a - b);
    return `${name} ${times[times.length >> 1].toFixed(1)}`;
  }));
  figure('slider update by chart, median (ms)', perChart.join(', '));

  // Keyboard alone: the slider's End key removes every weight.
  await page.focus('#lambda');
  await page.keyboard.press('End');
  await page.waitForFunction(() => document.body.dataset.removed === '15680', null, { timeout: 5000 }).catch(() => {});
  check('the slider works from the keyboard (End removes every weight)', await page.getAttribute('body', 'data-removed') === '15680');
  await page.keyboard.press('Home');

  // The RG flow animates Λ and stops when pressed again.
  await page.click('#flow');
  await page.waitForTimeout(1500);
  const flowing = Number(await page.getAttribute('body', 'data-removed'));
  await page.click('#flow');
  await page.waitForTimeout(300);
  const stopped = Number(await page.getAttribute('body', 'data-removed'));
  await page.waitForTimeout(500);
  check('the RG flow moves Λ and stops when pressed again', flowing > 0 && stopped >= flowing &&
    Number(await page.getAttribute('body', 'data-removed')) === stopped && await page.textContent('#flow') === 'Play the RG flow',
    `${flowing} → ${stopped}`);
  await eigenChecks(page, native);
  await moveSlider(page, Math.round(1000 * 0.8));
  await page.screenshot({ path: screenshot, fullPage: true });

  // Import the exported weights: the same analysis again, without training.
  const csvBefore = csv.join('\n');
  await page.setInputFiles('#import-weights', weightsPath);
  await waitForState(page, 'ready', 120_000);
  const again = (await downloadOf(page, 'export-csv')).bytes.toString().trim();
  check('importing the exported weights reaches ready with the same sweep', again === csvBefore);
  const imported = JSON.parse((await downloadOf(page, 'export-json')).bytes.toString());
  check('the imported run names its weights file and has no training', imported.config.weights === weights.name &&
    imported.config.train === null, `${imported.config.weights}`);

  // A corrupt file: a clear error, and nothing computed is lost.
  const corrupt = path.join(path.dirname(screenshot), 'corrupt.safetensors');
  fs.writeFileSync(corrupt, weights.bytes.subarray(0, 200));
  const hockey = await pixels(page, 'hockey-stick');
  await page.setInputFiles('#import-weights', corrupt);
  await page.waitForSelector('#error:not([hidden])', { timeout: 30_000 });
  const error = await page.textContent('#error');
  check('a corrupt weights file names itself and the problem', error.includes('corrupt.safetensors'), error);
  await waitForState(page, 'ready');
  check('after a failed import the charts and the analysis are kept', (await pixels(page, 'hockey-stick')) === hockey &&
    (await downloadOf(page, 'export-csv')).bytes.toString().trim() === csvBefore);
}

/**
 * The Fisher eigen-shells of the page's model against reproduce's (`native.eigen`), and their
 * reconstructions following Λ.
 */
export async function eigenChecks(page, native) {
  const hockey = await pixels(page, 'hockey-stick');
  // The eigensolver is in a second build of the module, which the worker fetches for the
  // eigen-shells only (src/web/eigensolver.rs).
  const worker = pageWorker(page);
  const eigenBuildFetched = () => worker.evaluate(() => performance.getEntriesByType('resource')
    .some((entry) => entry.name.endsWith('/bayes-renorm-eigen_bg.wasm')));
  const fetchedBefore = await eigenBuildFetched();
  await page.click('#eigen');
  await waitForState(page, 'decomposing', 30_000).catch(() => {});
  await waitForState(page, 'ready', 300_000);
  check('the worker fetches the eigensolver\'s build when the eigen-shells run, not before',
    !fetchedBefore && await eigenBuildFetched(), `before: ${fetchedBefore}`);
  const seconds = JSON.parse(await page.getAttribute('body', 'data-eigen-seconds'));
  const report = JSON.parse((await downloadOf(page, 'export-json')).bytes.toString());
  const { eigen } = report;
  figure(`eigen-shells in the page over ${eigen.examples} images: blocks / eigendecompositions / sweep / bisection (s)`,
    ['blocks', 'decompose', 'sweep', 'refine'].map((stage) => (seconds[stage] ?? 0).toFixed(2)).join(' / '));
  check('the blocks\' diagonal is the diagonal Fisher (1e-4 relative, f32 sums)', eigen.diagonal_max_relative_error < 1e-4,
    eigen.diagonal_max_relative_error.toExponential(2));
  const expected = native.eigen;
  const paired = eigen.rows.filter((row) => expected.rows.some((r) => r.removed === row.removed));
  const mseGap = Math.max(...paired.map((row) =>
    relativeError(row.eigen_mse, expected.rows.find((r) => r.removed === row.removed).eigen_mse)));
  check('the eigen sweep scores reproduce\'s MSE at every shared count (1e-3 relative)',
    paired.length >= eigen.rows.length - 3 && mseGap < 1e-3, `${paired.length} of ${eigen.rows.length} counts shared, ` +
    `largest relative MSE difference ${mseGap.toExponential(2)}`);
  const crossing = [eigen, expected].map((e) => e.within_tolerance?.removed);
  check('the eigen-shells\' 1 % crossing is reproduce\'s to within 1 % of the directions',
    crossing[0] !== undefined && Math.abs(crossing[0] - crossing[1]) <= 157, `page ${crossing[0]}, reproduce ${crossing[1]}`);
  figure('eigen-shells within 1 % of the unpruned MSE up to (directions, page / reproduce)', crossing.join(' / '));
  check('the eigen-shells are drawn on the hockey stick and as reconstructions',
    (await pixels(page, 'hockey-stick')) !== hockey && await canvasDrawn(page, 'eigen-recon'));
  await moveSlider(page, 100);
  const [low, recon] = [Number(await page.getAttribute('body', 'data-eigen-removed')), await pixels(page, 'eigen-recon')];
  await moveSlider(page, 1000);
  const high = Number(await page.getAttribute('body', 'data-eigen-removed'));
  check('moving Λ moves the eigen-shells and redraws their reconstructions',
    high > low && (await pixels(page, 'eigen-recon')) !== recon &&
    (await page.textContent('#eigen-removed')).includes(`${high.toLocaleString('en')} of 15,680 directions`),
    `${low} → ${high} directions`);
}

/** `#embed=1&autorun=1`: trains on opening, then shows the compact layout's charts and slider. */
export async function embedScenario({ openPage }, screenshotDir) {
  const { page, close } = await openPage(`${SMALL}&embed=1&autorun=1`);
  await page.setViewportSize({ width: 360, height: 800 });
  await waitForState(page, 'ready', 120_000);
  check('#embed=1 hides the title, the settings, the tabs and the exports', await page.isHidden('h1') &&
    await page.isHidden('#controls-panel') && await page.isHidden('#tabs') && await page.isHidden('#exports'));
  check('#autorun=1 trains on opening and reaches ready', await canvasDrawn(page, 'hockey-stick'));
  const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
  check('the page fits a 360 px wide screen', overflow <= 0, `${overflow} px too wide`);
  const credits = await page.textContent('footer');
  check('the page credits the paper, MNIST and Fashion-MNIST', credits.includes('Bayesian renormalization') &&
    credits.includes('LeCun') && credits.includes('Zalando'));
  // Tab reaches Train, the slider and its stops, and the link to the whole page.
  const reached = new Set();
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    reached.add(await page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName));
  }
  check('Tab reaches Train, the slider, the knee stop and the link to the whole page',
    ['train', 'lambda', 'stop-knee', 'full-page'].every((id) => reached.has(id)), [...reached].join(' '));
  await page.screenshot({ path: path.join(screenshotDir, 'page-embed.png'), fullPage: true });
  await close();
}

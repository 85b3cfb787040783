// The training panel: the loss chart (drawn by the wasm module, src/plot/loss.rs) and the table
// of epochs. It keeps the run's history as the worker reports it; the numbers come from the
// worker unchanged. Redraws are coalesced to one per animation frame, at most every 100 ms, so
// the page stays responsive however fast the worker reports; and at most one thirtieth of the
// main thread's time goes to them, as the worker and its helpers want both cores while they train.
import { MODEL_WORDS } from './state.js';

const REDRAW_MS = 100;
const DRAW_SHARE = 1 / 30;
let lastCost = 0; // milliseconds the last redraw took

const $ = (id) => document.getElementById(id);
const fixed = (value, digits = 6) => (value == null ? '' : value.toFixed(digits));

const emptyHistory = (model) => ({
  lossName: MODEL_WORDS[model].loss, batchLosses: [], testLoss: [], testAccuracy: [], batchesPerEpoch: 1, epochs: 1,
});
let history = emptyHistory('autoencoder');
let firstStep = false;
const thousands = (n) => Math.round(n).toLocaleString('en');
let wasm = null;
let reportError = () => {};
let drawQueued = false;
let lastDraw = -Infinity;

/**
 * The wasm bindings that draw charts (they load on the main thread as well as in the worker),
 * and where to say that drawing failed.
 */
export function setChartModule(bindings, onError) {
  wasm = bindings;
  reportError = onError;
  scheduleDraw();
}

/** Starts a new run's history (Train was pressed) for a `model` ('autoencoder', 'classifier'). */
export function startRun(model) {
  history = emptyHistory(model);
  document.body.classList.add('trained'); // the chart's placeholder goes for good
  started = true;
  // The classifier's chart has an accuracy panel: its box is taller (style.css).
  document.body.classList.toggle('classifier', model === 'classifier');
  firstStep = false;
  $('epoch-table').tBodies[0].replaceChildren();
  $('epoch-table').hidden = true;
  $('train-loss-heading').textContent = `train ${history.lossName}`;
  $('test-loss-heading').textContent = `test ${history.lossName}`;
  $('test-accuracy-heading').hidden = model !== 'classifier';
  $('loss-chart').setAttribute('aria-label', `Train ${history.lossName} per batch and test ` +
    `${history.lossName}${model === 'classifier' ? ' and accuracy' : ''} per epoch against epochs`);
  scheduleDraw();
}

/**
 * A training step's status (a progress message's `training`): its batches go on the chart.
 * Returns the status sentence.
 */
export function addProgress(status) {
  if (!firstStep) {
    firstStep = true;
    performance.mark('bayes:training-started');
    performance.mark('bayes:first-training-step');
  }
  history.batchesPerEpoch = status.batchesPerEpoch;
  history.epochs = status.epochs;
  for (const loss of status.batchLosses) history.batchLosses.push(loss);
  scheduleDraw();
  const loss = status.batchLosses.at(-1)?.toFixed(5) ?? '…';
  return `Epoch ${Math.min(status.epoch + 1, status.epochs)} of ${status.epochs}, ` +
    `batch ${status.batch} of ${status.batchesPerEpoch}: loss ${loss} · ` +
    `${thousands(status.examplesPerSecond)} examples/s · about ${Math.ceil(status.etaSeconds)} s left`;
}

/** The sentence for a trained model, from its record (the worker's `trained` message). */
export function doneSentence(record) {
  const { config, examples, epoch_losses: losses } = record.source.Trained;
  const { loss, accuracy } = record.test;
  const name = MODEL_WORDS[accuracy == null ? 'autoencoder' : 'classifier'].loss;
  const scored = accuracy == null ? '' : `test accuracy ${(100 * accuracy).toFixed(2)} %, `;
  return `Trained ${thousands(examples)} images × ${config.epochs} epochs in ` +
    `${record.seconds.toFixed(1)} s (${thousands(record.examplesPerSecond)} examples/s on ` +
    `${record.parts} worker${record.parts === 1 ? '' : 's'}${record.parts > 1 && globalThis.bayesWasmModule?.threads ? ' sharing memory' : ''}): ${scored}` +
    `test ${name} ${loss.toFixed(6)}, train ${name} ${losses.at(-1)?.toFixed(6)} in the last epoch.`;
}

/** One row of the epoch table (a progress message's `epoch`), every number also in full
 * precision in `data-value`; the classifier's test accuracy is the last column. */
export function addEpoch({ epoch, trainLoss, testLoss, testAccuracy, seconds, examplesPerSecond }) {
  history.testLoss.push(testLoss);
  if (testAccuracy != null) history.testAccuracy.push(testAccuracy);
  const row = $('epoch-table').tBodies[0].insertRow();
  const columns = [[epoch + 1, null], [trainLoss, 6], [testLoss, 6], [seconds, 2], [examplesPerSecond, 0]];
  if (testAccuracy != null) columns.push([testAccuracy, 4]);
  for (const [value, digits] of columns) {
    const cell = row.insertCell();
    cell.textContent = digits == null ? String(value) : digits === 0 ? thousands(value) : fixed(value, digits);
    cell.dataset.value = String(value);
  }
  $('epoch-table').hidden = false;
  scheduleDraw();
}

/** Draws the chart again at its box's size. */
export const redraw = () => scheduleDraw();

let started = false; // a run has started: before, the placeholder stands where the chart will be

function scheduleDraw() {
  if (drawQueued || !wasm || !started) return;
  drawQueued = true;
  const wait = Math.max(0, lastDraw + Math.max(REDRAW_MS, lastCost / DRAW_SHARE) - performance.now());
  setTimeout(() => requestAnimationFrame(draw), wait);
}

function draw() {
  drawQueued = false;
  lastDraw = performance.now();
  try {
    wasm.drawLossChart($('loss-chart'), Float64Array.from(history.batchLosses),
      history.batchesPerEpoch, history.epochs, history.lossName, Float64Array.from(history.testLoss),
      Float64Array.from(history.testAccuracy));
  } catch (error) {
    reportError(`Drawing the loss chart failed: ${error.message ?? error}`);
  } finally {
    // Visible in DevTools and read by the end-to-end test: the main thread's cost per redraw.
    lastCost = performance.measure('bayes:loss-chart', { start: lastDraw }).duration;
  }
}

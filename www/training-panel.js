// The training panel: the loss chart (drawn by the wasm module, src/plot/loss.rs) and the table
// of epochs. It keeps the run's history as the worker reports it; the numbers come from the
// worker unchanged. Redraws are coalesced to one per animation frame, at most every 100 ms, so
// the page stays responsive however fast the worker reports.
const REDRAW_MS = 100;

const $ = (id) => document.getElementById(id);
const fixed = (value, digits = 6) => (value == null ? '' : value.toFixed(digits));

let history = { batchLosses: [], testMse: [], batchesPerEpoch: 1, epochs: 1, examples: 0 };
let firstStep = false;
const thousands = (n) => Math.round(n).toLocaleString('en');
let wasm = null;
let reportError = () => {};
let drawQueued = false;
let lastDraw = -Infinity;

/// The wasm bindings that draw charts (they load on the main thread as well as in the worker),
/// and where to say that drawing failed.
export function setChartModule(bindings, onError) {
  wasm = bindings;
  reportError = onError;
  scheduleDraw();
}

/// Starts a new run's history: `plan` is the worker's `started` message. Returns the examples
/// the run will train on in all.
export function startRun(plan) {
  history = { batchLosses: [], testMse: [], batchesPerEpoch: plan.batchesPerEpoch, epochs: plan.epochs, examples: plan.examples };
  firstStep = false;
  $('epoch-table').tBodies[0].replaceChildren();
  $('epoch-table').hidden = true;
  scheduleDraw();
  return totalExamples();
}

export const totalExamples = () => history.examples * history.epochs;

/// A `progress` message: its batches go on the chart; returns the status sentence.
export function addProgress(message) {
  if (!firstStep) { firstStep = true; performance.mark('bayes:first-training-step'); }
  for (const loss of message.batchLosses) history.batchLosses.push(loss);
  scheduleDraw();
  const loss = message.batchLosses.at(-1)?.toFixed(5) ?? '…';
  return `Epoch ${Math.min(message.epoch + 1, history.epochs)} of ${history.epochs}, ` +
    `batch ${message.batch} of ${history.batchesPerEpoch}: loss ${loss} · ` +
    `${thousands(message.examplesPerSecond)} examples/s · about ${Math.ceil(message.etaSeconds)} s left`;
}

/// The sentence for a finished run (the worker's `done` message).
export function doneSentence(message) {
  return `Trained ${thousands(history.examples)} images × ${history.epochs} epochs in ` +
    `${message.seconds.toFixed(1)} s (${thousands(message.examplesPerSecond)} examples/s on ` +
    `${message.workers} worker${message.workers === 1 ? '' : 's'}): ` +
    `test MSE ${message.testMse.toFixed(6)}, train MSE ${message.trainMse.toFixed(6)} in the last epoch.`;
}

/// One row of the epoch table, every number also in full precision in `data-value`.
export function addEpoch({ epoch, trainMse, testMse, seconds, examplesPerSecond }) {
  history.testMse.push(testMse);
  const row = $('epoch-table').tBodies[0].insertRow();
  const columns = [[epoch + 1, null], [trainMse, 6], [testMse, 6], [seconds, 2], [examplesPerSecond, 0]];
  for (const [value, digits] of columns) {
    const cell = row.insertCell();
    cell.textContent = digits == null ? String(value) : digits === 0 ? thousands(value) : fixed(value, digits);
    cell.dataset.value = String(value);
  }
  $('epoch-table').hidden = false;
  scheduleDraw();
}

function scheduleDraw() {
  if (drawQueued || !wasm) return;
  drawQueued = true;
  const wait = Math.max(0, lastDraw + REDRAW_MS - performance.now());
  setTimeout(() => requestAnimationFrame(draw), wait);
}

function draw() {
  drawQueued = false;
  lastDraw = performance.now();
  try {
    wasm.drawLossChart($('loss-chart'), Float64Array.from(history.batchLosses),
      history.batchesPerEpoch, history.epochs, Float64Array.from(history.testMse));
  } catch (error) {
    reportError(`Drawing the loss chart failed: ${error.message ?? error}`);
  } finally {
    // Visible in DevTools and read by the end-to-end test: the main thread's cost per redraw.
    performance.measure('bayes:loss-chart', { start: lastDraw });
  }
}

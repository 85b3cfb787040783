// The analysis panel: one analysed model held on the main thread (the wasm AnalysisView), the
// cutoff slider over its Fisher values, the four charts it redraws, the RG-flow animation, and
// the charts as one PNG. Every number comes from the wasm module.
import { MODEL_WORDS } from './state.js';
import { fillHistogram, fillReconTable, fillTables } from './chart-tables.js';

const $ = (id) => document.getElementById(id);
const STEPS = 1000; // slider positions; 0 is Λ = 0, the rest equal shares of the weights removed
const FLOW_SECONDS = 8;
// The charts of the model shown join the PNG; the later jobs' charts once they are drawn.
const CHARTS = {
  autoencoder: ['loss-chart', 'hockey-stick', 'fisher-hist', 'fisher-maps', 'recon'],
  classifier: ['loss-chart', 'hockey-stick', 'fisher-hist', 'fisher-maps', 'predictions', 'confusion'],
};
const LATER_CHARTS = ['eigen-recon', 'soft-flow-chart', 'soft-recon'];
const drawn = (canvas) => canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
  .some((value, i) => i % 4 === 3 && value > 0);

let wasm = null;
let view = null;
let model = 'autoencoder'; // the shown view's
let evalExamples = 0; // the test images its sweep scored
let cutoff = 0;
let histLog = false;
let reportError = () => {};
let onCutoffChange = () => {};
let pending = null; // the input time of a queued redraw
let lastRedraw = -Infinity;
let flowing = null; // the animation frame of the RG flow
let stale = false; // the view is of an earlier model than the worker's
let extraDraw = null; // another panel's chart that follows the cutoff: (view, cutoff) => void

/** Draws `draw(view, cutoff)` with the charts here at every cutoff (null: nothing more). */
export function setExtraDraw(draw) {
  extraDraw = draw;
}

/**
 * The wasm bindings (they draw on this thread), where drawing errors go, and who hears of a
 * new cutoff (for the URL).
 */
export function setChartModule(bindings, onError, onCutoff) {
  wasm = bindings;
  reportError = onError;
  onCutoffChange = onCutoff;
}

/** What the charts' readouts need: the view, its model, the histogram's scale and the cutoff. */
export const readoutContext = () => ({ view, model, histLog, cutoff });

/** The analysed model on this thread (another panel draws from it too), or null. */
export const currentView = () => view;

/** Redraws the four charts at the current cutoff. */
export function redrawCharts() {
  if (view) queueRedraw(performance.now());
}

/** True when the charts show the worker's current model and analysis. */
export const hasAnalysis = () => view !== null && !stale;
export const currentCutoff = () => cutoff;
/** The model the charts show: 'autoencoder' or 'classifier'. */
export const shownModel = () => model;

const thousands = (n) => Math.round(n).toLocaleString('en');

/**
 * The worker's `analysed` message: a new model to show (AnalysisView's bytes), at the cutoff
 * `lambda` ('knee' or a number). Returns a sentence on what the analysis found.
 */
export function showAnalysis({ view: bytes, seconds }, lambda) {
  const next = new wasm.AnalysisView(bytes);
  view?.free();
  view = next;
  setStale(false);
  $('lambda').disabled = false;
  const summary = view.summary();
  model = summary.model;
  evalExamples = summary.evalExamples;
  $('recon-view').hidden = model !== 'autoencoder';
  $('predictions-view').hidden = model !== 'classifier';
  document.body.classList.toggle('classifier', model === 'classifier');
  document.body.classList.add('analysed');
  const knee = view.kneeCutoff();
  showStops();
  fillTables(view, histLog);
  describeCharts(summary);
  setCutoff(lambda === 'knee' ? (knee ?? 0) : lambda, performance.now());
  const { loss, layer } = MODEL_WORDS[model];
  const kneeAccuracy = summary.knee?.accuracy == null ? ''
    : ` (accuracy ${(100 * summary.knee.accuracy).toFixed(2)} %, unpruned ${(100 * summary.unpruned.accuracy).toFixed(2)} %)`;
  const found = summary.knee
    ? `information scale Λ* = ${summary.knee.cutoff.toExponential(3)}: ${thousands(summary.knee.removed)} ${layer} ` +
      `(${(100 * summary.knee.fraction).toFixed(1)} %) removed within ${100 * summary.tolerance} % of the unpruned ${loss}${kneeAccuracy}`
    : `no cutoff keeps the ${loss} within the tolerance`;
  return `Fisher over ${thousands(summary.fisherExamples)} images in ${seconds.fisher.toFixed(2)} s ` +
    `(mean ${summary.encoderMean.toFixed(4)}), sweep in ${seconds.sweep.toFixed(1)} s: ${found}.`;
}

function setStale(value) {
  stale = value;
  $('analysis-panel').classList.toggle('stale', Boolean(view) && value);
}

/** The panel shows an earlier model while a new one is trained or analysed. */
export function markStale() {
  setStale(true);
  stopFlow();
}

/** A cancelled training run leaves the worker's model and analysis as they were. */
export function markCurrent() {
  setStale(false);
}

export function setHistogramScale(scale) {
  histLog = scale === 'log';
  if (view) fillHistogram(view, histLog);
  if (view) queueRedraw(performance.now());
}

const percent = (part, whole) => `${(100 * part / whole).toFixed(1)} %`;

/**
 * The line under the slider, as a sentence: what the cutoff removes and what that costs, read
 * off the sweep by the core (`AnalysisView.reading`; '≈' between the sweep's cutoffs).
 */
function readingSentence(reading) {
  const { loss, layer } = MODEL_WORDS[model];
  const change = 100 * (reading.loss / reading.unpruned.loss - 1);
  const signed = `${change >= 0 ? '+' : '−'}${Math.abs(change).toFixed(1)} %`;
  const accuracy = reading.accuracy == null ? '' : `, accuracy ${(100 * reading.accuracy).toFixed(1)} %`;
  return `Removed ${thousands(reading.removed)} of ${thousands(reading.total)} ${layer} ` +
    `(${percent(reading.removed, reading.total)}); test ${loss} ${reading.swept ? '' : '≈ '}` +
    `${reading.loss.toPrecision(3)}, ${signed} over unpruned${accuracy}.`;
}

function setCutoff(value, since) {
  cutoff = value;
  $('lambda').value = String(Math.round(view.positionOf(cutoff) * STEPS));
  const reading = view.reading(cutoff);
  $('lambda-value').textContent = `Λ = ${cutoff.toExponential(3)}`;
  $('removed').textContent = readingSentence(reading);
  $('lambda').setAttribute('aria-valuetext', `Λ = ${cutoff.toExponential(3)}, ${percent(reading.removed, reading.total)} removed`);
  document.body.dataset.removed = reading.removed;
  queueRedraw(since);
}

/**
 * Moves the cutoff to a stop ('zero': Λ = 0, 'knee': Λ*, 'all': every weight removed), a number
 * (Λ itself), or {removed: k} (the smallest Λ removing k weights). False without an analysis.
 */
export function moveTo(where) {
  if (!view) return false;
  stopFlow();
  const stops = { zero: 0, knee: view.kneeCutoff() ?? 0, all: view.cutoffAt(1) };
  const at = typeof where === 'number' ? where : where?.removed != null ? view.cutoffRemoving(where.removed) : stops[where];
  setCutoff(at, performance.now());
  onCutoffChange(cutoff);
  return true;
}

/** The figures an embedding page hears with 'ready'. */
export function readyFigures() {
  const summary = view.summary();
  return {
    model, lossName: MODEL_WORDS[model].loss, testLoss: summary.unpruned.loss, total: view.total(),
    lambdaStar: summary.knee?.cutoff ?? null, removedAtKnee: summary.knee?.removed ?? null,
    fractionAtKnee: summary.knee?.fraction ?? null,
  };
}

/** Each chart's text alternative, a sentence of what it shows (its numbers are in its table). */
function describeCharts(summary) {
  const { loss, layer } = MODEL_WORDS[model];
  const total = view.total();
  const knee = summary.knee
    ? `the Fisher order stays within ${100 * summary.tolerance} % of it up to ${thousands(summary.knee.removed)} ` +
      `${layer} removed (${(100 * summary.knee.fraction).toFixed(1)} %), then rises`
    : 'no cutoff keeps it within the tolerance';
  $('hockey-stick').setAttribute('aria-label', `Hockey stick: test ${loss} against the ${layer} removed, for the ` +
    `Fisher, random, magnitude and saliency orders. Unpruned ${loss} ${summary.unpruned.loss.toPrecision(4)}; ${knee}.`);
  $('fisher-hist').setAttribute('aria-label', `Histogram of the ${thousands(total)} Fisher values, ` +
    `${thousands(view.removed(0))} of them exactly 0, with the cutoff Λ and the knee Λ* marked.`);
}

/** Marks the knee on the slider's track, and says what Λ = 0 already removes. */
function showStops() {
  const knee = view.kneeCutoff();
  const stops = knee == null ? [] : [Math.round(view.positionOf(knee) * STEPS)];
  $('lambda-stops').replaceChildren(...[0, ...stops, STEPS].map((position) => new Option('', String(position))));
  const zeros = view.removed(0);
  $('zero-count').textContent = `${thousands(zeros)} ${MODEL_WORDS[model].layer} ` +
    `(${percent(zeros, view.total())})`;
}

/**
 * Redraws at once when the last redraw is a frame old, else once in the next frame: a single
 * slider step costs only the drawing, and a fast drag at most one redraw a frame.
 */
function queueRedraw(since) {
  if (pending !== null) return;
  pending = since;
  if (performance.now() - lastRedraw >= 16) redraw();
  else requestAnimationFrame(redraw);
}

function redraw() {
  const since = pending;
  pending = null;
  lastRedraw = performance.now();
  try {
    // Each chart's cost is a User Timing measure too (DevTools, the end-to-end test).
    const timed = (name, draw) => {
      const start = performance.now();
      draw();
      performance.measure(`bayes:draw-${name}`, { start });
    };
    timed('histogram', () => view.drawHistogram($('fisher-hist'), histLog, cutoff));
    timed('hockey', () => view.drawHockey($('hockey-stick'), cutoff));
    timed('maps', () => view.drawMaps($('fisher-maps'), cutoff));
    if (model === 'classifier') {
      timed('predictions', () => view.drawPredictions($('predictions'), cutoff));
      timed('confusion', () => {
        const accuracy = view.drawConfusion($('confusion'), cutoff);
        $('confusion-caption').textContent = `${thousands(evalExamples)} test images, ` +
          `${thousands(view.removed(cutoff))} weights removed by the Fisher shells: accuracy ${(100 * accuracy).toFixed(2)} %.`;
      });
    } else {
      timed('recon', () => view.drawRecon($('recon'), cutoff));
      fillReconTable(view, cutoff);
    }
    if (extraDraw) timed('extra', () => extraDraw(view, cutoff));
  } catch (error) {
    reportError(`Drawing the renormalization charts failed: ${error.message ?? error}`);
  }
  // From the slider's input event to the charts redrawn: read by the end-to-end test.
  performance.measure('bayes:slider-update', { start: since });
}

function onSlider(event) {
  if (!view) return;
  setCutoff(view.cutoffAt(Number($('lambda').value) / STEPS), event.timeStamp);
}

function stopFlow() {
  if (flowing !== null) cancelAnimationFrame(flowing);
  flowing = null;
  $('flow').textContent = 'Play the RG flow';
}

/** Λ from 0 to the largest Fisher value over FLOW_SECONDS: the shells integrated out one by one,
 * at an even pace in weights removed. */
export function toggleFlow() {
  if (!view) return;
  if (flowing !== null) { stopFlow(); onCutoffChange(cutoff); return; }
  $('flow').textContent = 'Stop';
  const started = performance.now();
  const frame = (now) => {
    const t = Math.min(1, (now - started) / (FLOW_SECONDS * 1000));
    setCutoff(view.cutoffAt(t), now);
    if (t < 1) flowing = requestAnimationFrame(frame);
    else { stopFlow(); onCutoffChange(cutoff); }
  };
  flowing = requestAnimationFrame(frame);
}

/** Every chart stacked in one PNG. */
export function chartsPng() {
  const canvases = [...CHARTS[model].map($), ...LATER_CHARTS.map($).filter(drawn)].filter((c) => c.width > 0 && c.height > 0);
  const sheet = document.createElement('canvas');
  sheet.width = Math.max(...canvases.map((c) => c.width));
  sheet.height = canvases.reduce((sum, c) => sum + c.height, 0);
  const context = sheet.getContext('2d');
  context.fillStyle = 'white';
  context.fillRect(0, 0, sheet.width, sheet.height);
  let y = 0;
  for (const canvas of canvases) { context.drawImage(canvas, 0, y); y += canvas.height; }
  return new Promise((resolve) => sheet.toBlob(resolve, 'image/png'));
}

$('recon-data').addEventListener('toggle', () => { if (view) fillReconTable(view, cutoff); });
$('lambda').addEventListener('input', onSlider);
$('lambda').addEventListener('change', () => onCutoffChange(cutoff));

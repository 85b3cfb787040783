// The soft RG flow (eq. 38-39): its curve, the evidence slider and the posterior-mean digits,
// drawn from the analysed model on this thread (analysis-panel.js's AnalysisView). Every number
// comes from the wasm module.
import { currentView } from './analysis-panel.js';

const $ = (id) => document.getElementById(id);
const STEPS = 1000;

let evidence = 0;
let reportError = () => {};
let onEvidenceChange = () => {};
let pending = null; // the input time of a queued redraw

/** Where drawing errors go, and who hears of a new evidence value (for the URL). */
export function setHandlers(onError, onEvidence) {
  reportError = onError;
  onEvidenceChange = onEvidence;
}

/** The status while the flow runs, from a progress message. */
export const progressSentence = ({ done, total }) => `Soft flow: evidence level ${done} of ${total}…`;

/** A new analysis: the last flow no longer applies. */
export function reset() {
  shown = false;
  $('soft-flow-chart').closest('.study').classList.remove('ran');
  $('evidence').disabled = true;
  $('washed-out').textContent = '';
  for (const id of ['soft-flow-chart', 'soft-recon']) {
    const canvas = $(id);
    canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
  }
}

/** The worker's soft-flow curve, shown at `at` ('all' or a number). Returns the status. */
export function show(result, at) {
  currentView().setSoftFlow(result);
  shown = true;
  $('soft-flow-chart').closest('.study').classList.add('ran');
  $('evidence').disabled = false;
  setEvidence(at === 'all' ? currentView().maxEvidence() : at, performance.now());
  return `The soft flow with prior precision α = ${result.alpha}, ${result.samples} draws per level: drag n.`;
}

function setEvidence(value, since) {
  const view = currentView();
  evidence = value;
  $('evidence').value = String(Math.round(view.evidencePosition(evidence) * STEPS));
  $('evidence-value').textContent = `n = ${evidence.toLocaleString('en')}`;
  const washed = view.washedOut(evidence);
  const total = view.total();
  $('washed-out').textContent = `${washed.toLocaleString('en')} of ${total.toLocaleString('en')} encoder weights ` +
    `washed out (${(100 * washed / total).toFixed(1)} %)`;
  document.body.dataset.washedOut = washed;
  if (pending === null) {
    pending = since;
    requestAnimationFrame(draw);
  }
}

let shown = false; // a flow is drawn

/** Draws the flow again at its box's size (its tab shown, the window resized). */
export function redraw() {
  if (shown && currentView() && pending === null) {
    pending = performance.now();
    requestAnimationFrame(draw);
  }
}

function draw() {
  const since = pending;
  pending = null;
  try {
    currentView().drawSoftFlow($('soft-flow-chart'), evidence);
    currentView().drawSoftRecon($('soft-recon'), evidence);
  } catch (error) {
    reportError(`Drawing the soft flow failed: ${error.message ?? error}`);
  }
  performance.measure('bayes:evidence-update', { start: since });
}

$('evidence').addEventListener('input', (event) => {
  if (!currentView()) return;
  setEvidence(currentView().evidenceAt(Number($('evidence').value) / STEPS), event.timeStamp);
});
$('evidence').addEventListener('change', () => onEvidenceChange(evidence));

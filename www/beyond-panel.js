// "Beyond the paper": the eigen-shells' reconstructions, the fine-tuning table, and the soft
// flow's evidence slider over the analysed model (the wasm RenormView of the renormalization panel). Every number comes from the
// wasm module.
import { currentView, redrawCharts, setExtraDraw } from './renorm-panel.js';

const $ = (id) => document.getElementById(id);
const STEPS = 1000;

let evidence = 0;
let reportError = () => {};
let onEvidenceChange = () => {};
let pending = null;

export function setHandlers(onError, onEvidence) {
  reportError = onError;
  onEvidenceChange = onEvidence;
}

/// What the worker needs to run `job` ('fine-tune' or 'soft-flow') with the page's `state`.
export function settings(job, state) {
  if (job === 'eigen') return null;
  if (job === 'fine-tune') {
    return { fractions: state['fine-tune-at'], epochs: state['fine-tune-epochs'], batch: state.batch,
      lr: state.lr, seed: state.seed };
  }
  return { alpha: state['soft-alpha'] === 'init' ? null : state['soft-alpha'], samples: state['soft-samples'],
    seed: state.seed };
}

/// The status while a job runs (the worker's `beyond` message).
export function progressSentence({ what, stage, done, total }) {
  if (what === 'eigen') return EIGEN_STAGES[stage](done, total);
  return what === 'fine-tune'
    ? `Fine-tuning: ${done} of ${total} retrainings…`
    : `Soft flow: evidence level ${done} of ${total}…`;
}

const thousands = (n) => Math.round(n).toLocaleString('en');
const EIGEN_STAGES = {
  blocks: (done, total) => `Eigen-shells: Fisher blocks over ${thousands(done)} of ${thousands(total)} images…`,
  decompose: (done, total) => `Eigen-shells: eigendecomposition of encoder row ${done} of ${total}…`,
  sweep: (done, total) => `Eigen-shells: test MSE at count ${done} of ${total}…`,
  refine: (done, total) => `Eigen-shells: bisecting for the 1 % crossing, step ${done} of at most ${total}…`,
  done: () => 'Eigen-shells: done.',
};

/// A new analysis: earlier fine-tuning and soft-flow results no longer apply.
export function reset() {
  setExtraDraw(null);
  $('eigen-removed').textContent = '';
  $('fine-tune-table').hidden = true;
  $('fine-tune-table').tBodies[0].replaceChildren();
  $('evidence').disabled = true;
  $('washed-out').textContent = '';
  for (const id of ['eigen-recon', 'soft-flow-chart', 'soft-recon']) {
    const canvas = $(id);
    canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
  }
}

/// The worker's eigen-shells: a line on the hockey stick, and reconstructions that follow Λ.
/// Returns the status.
export function showEigen({ result, values, vectors, coefficients, seconds }) {
  currentView().setEigen(result, values, vectors, coefficients);
  setExtraDraw(drawEigen);
  redrawCharts();
  const crossing = result.within_tolerance;
  const found = crossing
    ? `within ${100 * result.tolerance} % of the unpruned MSE up to ${thousands(crossing.removed)} directions ` +
      `(${(100 * crossing.fraction).toFixed(1)} %) removed`
    : 'no count keeps the MSE within the tolerance';
  const time = ['blocks', 'decompose', 'sweep', 'refine']
    .map((stage) => (seconds[stage] ?? 0).toFixed(1)).join(' + ');
  return `Eigen-shells over ${thousands(result.examples)} images: ${found}. The blocks' diagonal equals the ` +
    `diagonal Fisher within ${result.diagonal_max_relative_error.toExponential(1)}. ` +
    `Blocks + eigendecompositions + sweep + bisection: ${time} s.`;
}

function drawEigen(view, cutoff) {
  view.drawEigenRecon($('eigen-recon'), cutoff);
  const directions = view.eigenRemoved(cutoff);
  $('eigen-removed').textContent = `At Λ = ${cutoff.toExponential(3)} the eigen-shells remove ` +
    `${thousands(directions)} of ${thousands(view.total())} directions; the diagonal shells remove ` +
    `${thousands(view.removed(cutoff))} weights.`;
  document.body.dataset.eigenRemoved = directions;
}

/// The worker's fine-tuning result: a table, and squares on the hockey stick. Returns the status.
export function showFineTune(result) {
  currentView().setFineTune(result);
  redrawCharts();
  const rows = result.points.map((point) => {
    const cells = point.schemes.map((s) => `<td>${s.before.toFixed(5)} → ${s.after.toFixed(5)}</td>`);
    return `<tr><th scope="row">${(100 * point.fraction).toFixed(0)} % (${point.removed})</th>${cells.join('')}</tr>`;
  });
  const { continued } = result;
  rows.push(`<tr><th scope="row">none</th><td colspan="4">the unpruned model trained as long: ` +
    `${continued.before.toFixed(5)} → ${continued.after.toFixed(5)}</td></tr>`);
  $('fine-tune-table').tBodies[0].innerHTML = rows.join('');
  $('fine-tune-table').hidden = false;
  return `Fine-tuned ${result.epochs} epoch(s) after pruning: the squares on the hockey stick and the table ` +
    'give the test MSE after retraining.';
}

/// The worker's soft-flow curve, drawn with `drawSeed`, shown at `at` ('all' or a number).
/// Returns the status.
export function showSoftFlow(result, drawSeed, at) {
  currentView().setSoftFlow(result, drawSeed);
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

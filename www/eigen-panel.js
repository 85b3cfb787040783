// The eigen-shells: their line on the hockey stick and the reconstructions that follow Λ, drawn
// from the analysed model on this thread (analysis-panel.js's AnalysisView). Every number comes
// from the wasm module.
import { currentView, redrawCharts, setExtraDraw, shownModel } from './analysis-panel.js';
import { MODEL_WORDS } from './state.js';

const $ = (id) => document.getElementById(id);
const thousands = (n) => Math.round(n).toLocaleString('en');

const STAGES = {
  blocks: (done, total) => `Eigen-shells: Fisher blocks over ${thousands(done)} of ${thousands(total)} images…`,
  decompose: (done, total) => `Eigen-shells: eigendecomposition of first-layer row ${done} of ${total}…`,
  'eigen-sweep': (done, total) => `Eigen-shells: test loss at count ${done} of ${total}…`,
  refine: (done, total) => `Eigen-shells: bisecting for the 1 % crossing, step ${done} of at most ${total}…`,
};

/** The status while the eigen-shells run, from a progress message. */
export const progressSentence = ({ stage, done, total }) => STAGES[stage](done, total);

/** A new analysis: the last eigen-shells no longer apply. */
export function reset() {
  setExtraDraw(null);
  $('eigen-removed').textContent = '';
  const canvas = $('eigen-recon');
  canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
}

/** The worker's `eigen-shells` message: a line on the hockey stick, and reconstructions that
 * follow Λ. Returns the status. */
export function show({ eigen, seconds }) {
  const view = currentView();
  view.setEigen(eigen);
  setExtraDraw(draw);
  redrawCharts();
  const result = view.eigenSummary();
  const crossing = result.within_tolerance;
  const { loss } = MODEL_WORDS[shownModel()];
  // The classifier's answers at Λ are the predictions above; the digits here are reconstructions.
  $('eigen-recon').hidden = shownModel() === 'classifier';
  const found = crossing
    ? `within ${100 * result.tolerance} % of the unpruned ${loss} up to ${thousands(crossing.removed)} directions ` +
      `(${(100 * crossing.fraction).toFixed(1)} %) removed`
    : `no count keeps the ${loss} within the tolerance`;
  const time = ['blocks', 'decompose', 'sweep', 'refine'].map((stage) => seconds[stage].toFixed(1)).join(' + ');
  return `Eigen-shells over ${thousands(result.examples)} images: ${found}. The blocks' diagonal equals the ` +
    `diagonal Fisher within ${result.diagonal_max_relative_error.toExponential(1)}. ` +
    `Blocks + eigendecompositions + sweep + bisection: ${time} s.`;
}

function draw(view, cutoff) {
  if (shownModel() === 'autoencoder') view.drawEigenRecon($('eigen-recon'), cutoff);
  const directions = view.eigenRemoved(cutoff);
  $('eigen-removed').textContent = `At Λ = ${cutoff.toExponential(3)} the eigen-shells remove ` +
    `${thousands(directions)} of ${thousands(view.total())} directions; the diagonal shells remove ` +
    `${thousands(view.removed(cutoff))} weights.`;
  document.body.dataset.eigenRemoved = directions;
}

// Fine-tuning after pruning: the table of test losses (and the classifier's accuracies) before
// and after retraining, and the squares on the hockey stick (drawn by analysis-panel.js's
// AnalysisView).
import { currentView, redrawCharts, shownModel } from './analysis-panel.js';
import { MODEL_WORDS } from './state.js';

const $ = (id) => document.getElementById(id);

/** The status while fine-tuning runs, from a progress message. */
export const progressSentence = ({ done, total }) => `Fine-tuning: ${done} of ${total} retrainings…`;

/** A new analysis: the last fine-tuning no longer applies. */
export function reset() {
  $('fine-tune-table').hidden = true;
  $('fine-tune-table').tBodies[0].replaceChildren();
}

/** The worker's fine-tuning result: a table, and squares on the hockey stick. Returns the status. */
export function show(result) {
  currentView().setFineTune(result);
  redrawCharts();
  const percent = (a) => `${(100 * a).toFixed(2)} %`;
  const accuracy = (s) => (s.before_accuracy == null ? ''
    : `<br>${percent(s.before_accuracy)} → ${percent(s.after_accuracy)}`);
  const rows = result.points.map((point) => {
    const cells = point.schemes.map((s) => `<td>${s.before.toFixed(5)} → ${s.after.toFixed(5)}${accuracy(s)}</td>`);
    return `<tr><th scope="row">${(100 * point.fraction).toFixed(0)} % (${point.removed})</th>${cells.join('')}</tr>`;
  });
  const { continued } = result;
  rows.push(`<tr><th scope="row">none</th><td colspan="4">the unpruned model trained as long: ` +
    `${continued.before.toFixed(5)} → ${continued.after.toFixed(5)}${accuracy(continued)}</td></tr>`);
  $('fine-tune-table').tBodies[0].innerHTML = rows.join('');
  $('fine-tune-table').hidden = false;
  const { loss } = MODEL_WORDS[shownModel()];
  const measure = shownModel() === 'classifier' ? `${loss} and accuracy` : loss;
  return `Fine-tuned ${result.epochs} epoch(s) after pruning: the squares on the hockey stick and the table ` +
    `give the test ${measure} after retraining.`;
}

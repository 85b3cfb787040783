// Every chart's numbers as a table, folded under its caption: the text alternative a screen
// reader (or a student copying numbers) reads instead of the picture. The numbers are the wasm
// module's (AnalysisView); a table that follows Λ is filled only while it is open.
import { MODEL_WORDS } from './state.js';

const $ = (id) => document.getElementById(id);
const thousands = (n) => Math.round(n).toLocaleString('en');
const num = (x) => (x == null ? '–' : x.toPrecision(5));
const percent = (x) => (x == null ? '–' : `${(100 * x).toFixed(2)} %`);

/** Fills table `id` with a header row and body rows (arrays of cell texts). */
function fill(id, header, rows) {
  const table = $(id);
  table.tHead.replaceChildren(row('th', header));
  table.tBodies[0].replaceChildren(...rows.map((cells) => row('td', cells)));
}

function row(tag, cells) {
  const tr = document.createElement('tr');
  for (const text of cells) {
    const cell = document.createElement(tag);
    if (tag === 'th') cell.scope = 'col';
    cell.textContent = text;
    tr.append(cell);
  }
  return tr;
}

/** The tables of a newly shown analysis: the sweep, the histogram's bins, the maps' ranges. */
export function fillTables(view, histLog) {
  const summary = view.summary();
  const { loss } = MODEL_WORDS[summary.model];
  const accuracy = summary.unpruned.accuracy != null;
  fill('hockey-table', ['Λ', 'removed', `Fisher ${loss}`, `random ${loss} (mean ± std)`, `magnitude ${loss}`,
    `saliency ${loss}`, ...(accuracy ? ['Fisher accuracy', 'random accuracy', 'magnitude accuracy', 'saliency accuracy'] : [])],
  summary.rows.map((r) => [r.cutoff.toExponential(3), `${thousands(r.removed)} (${(100 * r.fraction).toFixed(1)} %)`,
    num(r.fisher_loss), r.random_loss_mean == null ? '–' : `${num(r.random_loss_mean)} ± ${num(r.random_loss_std)}`,
    num(r.magnitude_loss), num(r.saliency_loss),
    ...(accuracy ? [percent(r.fisher_accuracy), percent(r.random_accuracy_mean), percent(r.magnitude_accuracy),
      percent(r.saliency_accuracy)] : [])]));
  fillHistogram(view, histLog);
  fill('maps-table', ['unit', 'least F', 'median F', 'largest F', 'exact zeros'],
    view.mapsSummary().map((m) => [String(m.unit + 1), num(m.least), num(m.median), num(m.largest), thousands(m.zeros)]));
}

/** The histogram's bins on the scale shown. */
export function fillHistogram(view, histLog) {
  fill('hist-table', ['F from', 'F to', 'weights'],
    view.histogramBins(histLog).map((b) => [b.from.toExponential(3), b.to.toExponential(3), thousands(b.count)]));
}

/** The digits' MSE at `cutoff`, if its table is open (it follows Λ). */
export function fillReconTable(view, cutoff) {
  if (!$('recon-data').open || view.summary().model !== 'autoencoder') return;
  const rows = view.reconTable(cutoff).filter((r) => r.mse != null);
  const digits = rows[0]?.mse.length ?? 0;
  fill('recon-table', ['order', ...Array.from({ length: digits }, (_, i) => `digit ${i + 1}`)],
    rows.map((r) => [r.label, ...r.mse.map((m) => m.toFixed(4))]));
}

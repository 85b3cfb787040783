// A study's summary (the native `study` command's summary.json), opened from a file or the one
// this project ran (data/study/summary.json): its table and the three charts `study` draws as
// SVG, drawn here by the same code (src/plot/study_*.rs). Every number comes from the wasm
// module (StudyView); a file that is not a summary leaves the study shown before as it was.
const $ = (id) => document.getElementById(id);

let wasm = null;
let view = null;
let reportError = () => {};

/** The wasm bindings, and where drawing errors go; enables the panel's controls. */
export function setStudyModule(bindings, onError) {
  wasm = bindings;
  reportError = onError;
  $('study-file').disabled = false;
  $('study-shipped').disabled = false;
}

function setStudyStatus(text, failed = false) {
  $('study-status').textContent = text;
  $('study-status').classList.toggle('failed', failed);
}

/** Shows the summary in `text`, read from `name`; a bad one is named and changes nothing. */
export function openStudy(text, name) {
  let next;
  try {
    next = new wasm.StudyView(text);
  } catch (error) {
    const kept = view ? ' The study shown before is kept.' : '';
    setStudyStatus(`${name}: ${error.message ?? error}.${kept}`, true);
    return false;
  }
  view?.free();
  view = next;
  const labels = view.labels();
  $('study-cell').replaceChildren(...labels.map((label, i) => new Option(label, String(i))));
  $('study-cell').disabled = labels.length === 0;
  fillTable(view.table());
  const runs = view.table().rows.reduce((sum, row) => sum + parseInt(row[1], 10), 0);
  const unfinished = view.unfinished();
  setStudyStatus(`${name}: ${labels.length} cells, ${runs.toLocaleString('en')} runs` +
    (unfinished ? `; ${unfinished} run(s) failed or missing (see the command's output)` : '') + '.');
  $('study-article').classList.add('ran');
  redraw();
  return true;
}

function fillTable({ header, rows }) {
  const head = document.createElement('tr');
  head.append(...header.map((text) => Object.assign(document.createElement('th'), { scope: 'col', textContent: text })));
  $('study-table').tHead.replaceChildren(head);
  $('study-table').tBodies[0].replaceChildren(...rows.map((row) => {
    const tr = document.createElement('tr');
    tr.append(...row.map((text) => Object.assign(document.createElement('td'), { textContent: text })));
    return tr;
  }));
}

/** The charts at their boxes' sizes (the tab shown, the window resized). */
export function redraw() {
  if (!view || $('studies-panel').hidden) return;
  try {
    view.drawKnees($('study-knees'));
    view.drawSpread($('study-spread'));
    view.drawHockeys($('study-hockeys'), Number($('study-cell').value) || 0);
  } catch (error) {
    reportError(`Drawing the study: ${error.message ?? error}`);
  }
}

$('study-cell').addEventListener('change', redraw);
$('study-file').addEventListener('change', async (event) => {
  const file = event.target.files[0];
  event.target.value = '';
  if (!file) return;
  setStudyStatus(`Reading ${file.name}…`);
  try {
    openStudy(await file.text(), file.name);
  } catch (error) {
    setStudyStatus(`${file.name} could not be read: ${error.message ?? error}.`, true);
  }
});
$('study-shipped').addEventListener('click', async () => {
  const url = new URL('data/study/summary.json', document.baseURI);
  setStudyStatus('Loading this project\'s study…');
  try {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    openStudy(await response.text(), 'This project\'s study');
  } catch (error) {
    setStudyStatus(`This project's study could not be loaded (${url.pathname}): ${error.message ?? error}.`, true);
  }
});

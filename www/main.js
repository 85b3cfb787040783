// DOM wiring only: the model and all numerics live in the wasm module, the parameters in
// state.js, and data loading in worker.js.
import { PARAMS, readState, writeState } from './state.js';

const $ = (id) => document.getElementById(id);
const MB = (bytes) => (bytes / 1e6).toFixed(1);

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
}

function clearError() {
  $('error').hidden = true;
}

// ---- parameters and URL ----------------------------------------------------------------------

let { state, problems } = readState(location.hash);
if (problems.length) {
  $('notice').textContent = problems.join('. ') + '.';
  $('notice').hidden = false;
}

function buildControls() {
  for (const param of PARAMS) {
    const label = document.createElement('label');
    label.textContent = `${param.label} `;
    const select = document.createElement('select');
    select.id = `param-${param.key}`;
    for (const [value, text] of Object.entries(param.options)) select.add(new Option(text, value));
    select.value = state[param.key];
    select.addEventListener('change', () => setState({ [param.key]: select.value }));
    label.append(select);
    $('controls').append(label);
  }
}

function setState(changes) {
  state = { ...state, ...changes };
  history.replaceState(null, '', writeState(state) || location.pathname + location.search);
  startLoading();
}

// ---- data loading in the worker --------------------------------------------------------------

let worker = null;

function stopWorker() {
  worker?.terminate();
  worker = null;
  $('cancel-load').hidden = true;
}

function startLoading() {
  stopWorker();
  clearError();
  $('data-summary').hidden = true;
  $('data-progress').value = 0;
  $('data-status').textContent = 'Starting the worker…';
  $('cancel-load').hidden = false;
  worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = ({ data }) => onWorkerMessage(data);
  worker.onerror = (event) => {
    stopWorker();
    showError(`The background worker stopped: ${event.message || 'it could not start'}` +
      (event.filename ? ` (${event.filename}:${event.lineno})` : '') + '. Reload the page to retry.');
  };
  worker.postMessage({ type: 'load', dataset: state.dataset });
}

function onWorkerMessage(message) {
  switch (message.type) {
    case 'download':
      $('data-progress').max = message.total;
      $('data-progress').value = message.loaded;
      $('data-status').textContent =
        `Downloading ${message.file}: ${MB(message.loaded)} of ${MB(message.total)} MB`;
      break;
    case 'shard':
      break;
    case 'loaded':
      stopWorker();
      $('data-status').textContent =
        `Loaded ${message.summary.name}: ${MB(message.bytes)} MB downloaded, ` +
        `decoded and validated in ${message.decodeMs.toFixed(0)} ms.`;
      showSummary(message.summary);
      break;
    case 'error':
      stopWorker();
      $('data-status').textContent = 'Loading failed.';
      showError(`Could not load the data: ${message.message}`);
      break;
  }
}

function showSummary(summary) {
  const rows = ['train', 'test'].map((split) => {
    const s = summary[split];
    return `<tr><th scope="row">${split}</th><td>${s.count}</td><td>${s.label_counts.join(' ')}</td>` +
      `<td>${s.pixel_mean.toFixed(4)}</td><td>${s.pixel_std.toFixed(4)}</td></tr>`;
  });
  $('data-table').tBodies[0].innerHTML = rows.join('');
  $('data-credit').textContent = `${summary.name}: ${summary.credit}, licence ${summary.licence}.`;
  $('data-summary').hidden = false;
  document.body.dataset.dataLoaded = summary.dataset;
}

$('cancel-load').addEventListener('click', () => {
  stopWorker();
  $('data-status').textContent = 'Loading cancelled. Choose a dataset to load it again.';
});

// ---- the wasm module on the main thread (charts will be drawn here) --------------------------

function onModuleReady(wasm) {
  $('version').textContent = `bayes-renorm ${wasm.version()}`;
  const losses = Array.from(wasm.syntheticDemoLosses());
  const first = losses[0].toFixed(4);
  const last = losses[losses.length - 1].toFixed(4);
  $('wasm-status').textContent =
    `Module ready. Self-check: a small synthetic autoencoder trained here, loss ${first} → ${last}.`;
  document.body.dataset.ready = 'true';
}

buildControls();
startLoading();
if (window.wasmBindings) {
  onModuleReady(window.wasmBindings);
} else {
  addEventListener('TrunkApplicationStarted', () => {
    // On a failed load the initializer has already shown why.
    if (document.body.dataset.wasmFailed) return;
    try { onModuleReady(window.wasmBindings); } catch (e) { showError(`Self-check failed: ${e}`); }
  });
}

// DOM wiring: page state, the URL, the worker's messages (one switch) and the panels. The model
// and every number live in the wasm module; the parameters in state.js; the work in worker.js.
import { ENABLED_IN, PARAMS, PRESETS, readState, writeState } from './state.js';
import { buildForm, enableFor, showProblem, showValues } from './form.js';
import { addBatches, addEpoch, resetRun, setChartModule } from './training-panel.js';

const $ = (id) => document.getElementById(id);
const MB = (bytes) => (bytes / 1e6).toFixed(1);
const thousands = (n) => Math.round(n).toLocaleString('en');

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
}

function clearError() {
  $('error').textContent = '';
  $('error').hidden = true;
}

function setStatus(text) {
  $('status').textContent = text;
}

function setProgress(value, max) {
  $('progress').max = max;
  $('progress').value = value;
}

let pageState = 'loading';
function setPageState(next) {
  pageState = next;
  document.body.dataset.state = next;
  enableFor(next);
}

// ---- parameters and URL ----------------------------------------------------------------------

let state;

function applyHash() {
  const parsed = readState(location.hash);
  state = parsed.state;
  showValues(state);
  for (const param of PARAMS) showProblem(param.key, parsed.problems[param.key]);
  $('notice').textContent = parsed.unknown.length
    ? `Unknown URL parameters ignored: ${parsed.unknown.map((k) => `"${k}"`).join(', ')}.` : '';
  $('notice').hidden = !parsed.unknown.length;
}

function setState(changes) {
  const datasetChanged = changes.dataset !== undefined && changes.dataset !== state.dataset;
  state = { ...state, ...changes };
  history.replaceState(null, '', writeState(state));
  if (datasetChanged) startWorker();
}

// ---- the worker --------------------------------------------------------------------------------

let worker = null;
let workerDataset = null;
let dataLoaded = false;
let run = null; // {plan, examples} of the run the page is showing

function stopWorker() {
  worker?.terminate();
  worker = null;
  dataLoaded = false;
}

function startWorker() {
  stopWorker();
  clearError();
  $('data-summary').hidden = true;
  $('data-status').textContent = '';
  setProgress(0, 1);
  setStatus('Starting the worker…');
  setPageState('loading');
  const current = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  // Messages from a worker that has been replaced are dropped.
  current.onmessage = ({ data }) => { if (current === worker) onWorkerMessage(data); };
  current.onerror = (event) => {
    if (current !== worker) return;
    event.preventDefault();
    const where = event.filename ? ` (${event.filename}:${event.lineno})` : '';
    workerFailed(`The background worker stopped: ${event.message || 'it could not start'}${where}.`);
  };
  worker = current;
  workerDataset = state.dataset;
  worker.postMessage({ type: 'load', dataset: state.dataset });
}

/// The worker crashed or its wasm module panicked: drop it, say why, and let Train start over.
function workerFailed(message) {
  stopWorker();
  showError(`${message} Press Train to start again; the data will be loaded again.`);
  setStatus('The worker stopped.');
  setPageState('error');
}

function train() {
  clearError();
  if (!worker || workerDataset !== state.dataset) startWorker();
  const settings = Object.fromEntries(PARAMS.filter((p) => p.key !== 'dataset').map((p) => [p.key, state[p.key]]));
  worker.postMessage({ type: 'train', settings });
  setPageState('training');
  setStatus(dataLoaded ? 'Starting…' : 'Training starts when its data has arrived…');
}

function onWorkerMessage(message) {
  switch (message.type) {
    case 'download': {
      const text = `Downloading ${message.file}: ${MB(message.loaded)} of ${MB(message.total)} MB`;
      $('data-status').textContent = text;
      // While a run trains on the shards already here, the rest arrive without taking its status.
      if (pageState === 'loading') { setProgress(message.loaded, message.total); setStatus(text); }
      break;
    }
    case 'shard':
      break;
    case 'loaded': {
      dataLoaded = true;
      showSummary(message.summary);
      const text = `Loaded ${message.summary.name}: ${MB(message.bytes)} MB downloaded, ` +
        `decoded and validated in ${message.decodeMs.toFixed(0)} ms.`;
      $('data-status').textContent = text;
      if (pageState === 'loading') {
        setProgress(1, 1);
        setPageState('idle');
        setStatus(`${text} Press Train.`);
      }
      break;
    }
    case 'waiting':
      setStatus(`Waiting for the shards holding the first ${thousands(message.needed)} training images ` +
        `(${thousands(message.ready)} here)…`);
      break;
    case 'started':
      run = { plan: message, startedAt: performance.now() };
      performance.mark('bayes:training-started');
      resetRun(message);
      setProgress(0, message.examples * message.epochs);
      setStatus(`Training on ${thousands(message.examples)} images for ${message.epochs} epochs…`);
      break;
    case 'progress':
      if (!run.firstStep) { run.firstStep = true; performance.mark('bayes:first-training-step'); }
      addBatches(message.batchLosses);
      setProgress(message.examplesSeen, run.plan.examples * run.plan.epochs);
      setStatus(`Epoch ${Math.min(message.epoch + 1, run.plan.epochs)} of ${run.plan.epochs}, ` +
        `batch ${message.batch} of ${run.plan.batchesPerEpoch}: loss ${message.batchLosses.at(-1)?.toFixed(5) ?? '…'} · ` +
        `${thousands(message.examplesPerSecond)} examples/s · about ${Math.ceil(message.etaSeconds)} s left`);
      document.body.dataset.memoryBytes = message.memoryBytes;
      break;
    case 'epoch':
      addEpoch(message);
      break;
    case 'paused':
      setPageState('paused');
      setStatus(`${$('status').textContent.replace(/ · about .*$/, '')} · paused`);
      break;
    case 'resumed':
      setPageState('training');
      break;
    case 'cancelled':
      setPageState(dataLoaded ? 'idle' : 'loading');
      setStatus('Training cancelled. Press Train to start again.');
      break;
    case 'done':
      setPageState('done');
      setStatus(`Trained ${thousands(run.plan.examples)} images × ${run.plan.epochs} epochs in ` +
        `${message.seconds.toFixed(1)} s (${thousands(message.examplesPerSecond)} examples/s): ` +
        `test MSE ${message.testMse.toFixed(6)}, train MSE ${message.trainMse.toFixed(6)} in the last epoch. ` +
        `Weights SHA-256 ${message.weightsDigest.slice(0, 16)}…`);
      Object.assign(document.body.dataset, {
        testMse: message.testMse, weightsDigest: message.weightsDigest,
        examplesPerSecond: message.examplesPerSecond, memoryBytes: message.memoryBytes,
      });
      break;
    case 'error':
      if (message.stage === 'load') {
        stopWorker();
        setStatus('Loading failed.');
        showError(`Could not load the data: ${message.message}`);
      } else {
        setStatus('Training stopped.');
        showError(message.message);
      }
      setPageState('error');
      break;
    case 'panic':
      workerFailed(`The WebAssembly module panicked: ${message.message}.`);
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

// ---- buttons -----------------------------------------------------------------------------------

async function share() {
  const link = location.href;
  try {
    await navigator.clipboard.writeText(link);
    $('notice').textContent = 'Link copied: it opens this page with these settings.';
  } catch {
    $('notice').textContent = `Copy this link to share these settings: ${link}`;
  }
  $('notice').hidden = false;
}

function onAction(id) {
  switch (id) {
    case 'train': train(); break;
    case 'pause': worker?.postMessage({ type: pageState === 'paused' ? 'resume' : 'pause' }); break;
    case 'cancel':
      if (pageState === 'loading') {
        stopWorker();
        setPageState('idle');
        setStatus('Loading cancelled. Press Train to load the data and train.');
      } else {
        worker?.postMessage({ type: 'cancel' });
      }
      break;
    case 'preset-paper':
      setState(PRESETS.paper);
      applyHash();
      break;
    case 'share': share(); break;
  }
}

// ---- start -------------------------------------------------------------------------------------

buildForm($('controls'), $('actions'), { onChange: (key, value) => setState({ [key]: value }), onAction });
applyHash();
history.replaceState(null, '', writeState(state));
addEventListener('hashchange', () => {
  const dataset = state.dataset;
  applyHash();
  if (state.dataset !== dataset && ENABLED_IN.params.includes(pageState)) startWorker();
});
startWorker();

function onModuleReady(wasm) {
  $('version').textContent = `bayes-renorm ${wasm.version()}`;
  setChartModule(wasm, showError);
}
if (window.wasmBindings) onModuleReady(window.wasmBindings);
else addEventListener('TrunkApplicationStarted', () => { if (!document.body.dataset.wasmFailed) onModuleReady(window.wasmBindings); });

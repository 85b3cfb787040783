// DOM wiring: page state, the URL, the worker's messages (one switch) and the buttons. The model
// and every number live in the wasm module; the parameters in state.js; the work in worker.js;
// each panel's drawing in its own module.
import { ENABLED_IN, PARAMS, PRESETS, readState, settingsOf, writeState } from './state.js';
import { buildForm, showProblems, showValues } from './form.js';
import { clearError, pageState, setPageState, setProgress, setStatus, showError } from './page.js';
import { clearData, showDataStatus, showOffline, showSummary, startOffline } from './data-panel.js';
import * as training from './training-panel.js';
import * as renorm from './renorm-panel.js';
import { download, shareLink } from './files.js';
import * as beyond from './beyond-panel.js';

const $ = (id) => document.getElementById(id);
const MB = (bytes) => (bytes / 1e6).toFixed(1);
const thousands = (n) => Math.round(n).toLocaleString('en');

// ---- parameters and URL ----------------------------------------------------------------------

let state;

function applyHash() {
  const parsed = readState(location.hash);
  state = parsed.state;
  showValues(state);
  showProblems(parsed);
  document.body.classList.toggle('embed', state.embed);
  $('controls-details').open = !state.embed;
  renorm.setHistogramScale(state['hist-scale']);
}

function setState(changes) {
  const datasetChanged = changes.dataset !== undefined && changes.dataset !== state.dataset;
  state = { ...state, ...changes };
  history.replaceState(null, '', writeState(state));
  if (changes['hist-scale']) renorm.setHistogramScale(state['hist-scale']);
  if (datasetChanged) startWorker();
}

const renormSettings = () => ({
  fisherSplit: state['fisher-split'], fisherVariant: state['fisher-variant'], grid: state.grid,
  randomSeeds: state['random-seeds'], evalExamples: state.eval, seed: state.seed, workers: state.workers,
});

// ---- the worker --------------------------------------------------------------------------------

let worker = null;
let workerDataset = null;
let dataLoaded = false;
let hasModel = false;
let trainedSentence = '';
let beforeImport = null; // the page state to go back to if an import fails
// The last trained or imported weights ({dataset, name, bytes, source}), kept here as well as in the
// worker: if the worker dies (out of memory in the analysis, say), nothing trained is lost.
let keptWeights = null;
let importing = null; // the file being imported: kept once the worker accepts it
let recovering = false; // a new worker is importing the kept weights

function stopWorker() {
  worker?.terminate();
  worker = null;
  dataLoaded = false;
  hasModel = false;
}

function startWorker() {
  stopWorker();
  renorm.markStale();
  clearError();
  clearData();
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
  worker.postMessage({ type: 'load', dataset: state.dataset, workers: state.workers });
}

/// The worker crashed or its wasm module panicked: drop it, say why, and let Train start over.
function workerFailed(message) {
  stopWorker();
  if (keptWeights?.dataset === state.dataset) {
    showError(`${message} The trained weights are kept in the page: press “Fisher and sweep” to ` +
      'analyse them again in a new worker (with fewer test images or random seeds if it ran out ' +
      'of memory), or Train to start over. The data will be loaded again.');
    setStatus('The worker stopped; the trained weights are kept.');
    setPageState('done');
  } else {
    showError(`${message} Press Train to start again; the data will be loaded again.`);
    setStatus('The worker stopped.');
    setPageState('error');
  }
}

function ensureWorker() {
  if (!worker || workerDataset !== state.dataset) startWorker();
}

function train() {
  clearError();
  ensureWorker();
  renorm.markStale();
  worker.postMessage({ type: 'train', settings: settingsOf(state, ['model', 'training']), renorm: renormSettings() });
  setPageState('training');
  setStatus(dataLoaded ? 'Starting…' : 'Training starts when its data has arrived…');
}

function analyse() {
  clearError();
  renorm.markStale();
  if (!hasModel && keptWeights?.dataset === state.dataset) {
    // The worker that held the model stopped: a new one takes the kept weights, then analyses.
    ensureWorker();
    recovering = true;
    const { name, bytes, source } = keptWeights;
    worker.postMessage({ type: 'import', name, bytes: bytes.slice(0), source, renorm: renormSettings() });
  } else {
    worker.postMessage({ type: 'analyse', renorm: renormSettings() });
  }
  setPageState('fisher');
}

async function importWeights(file) {
  clearError();
  ensureWorker();
  beforeImport = pageState();
  renorm.markStale();
  const bytes = await file.arrayBuffer();
  importing = { dataset: state.dataset, name: file.name, bytes: bytes.slice(0) };
  worker.postMessage({ type: 'import', name: file.name, bytes, renorm: renormSettings() }, [bytes]);
  setPageState('fisher');
  setStatus(`Reading ${file.name}…`);
}

/// Where the page settles when a job stops short.
const settled = () => (hasModel ? (renorm.hasAnalysis() ? 'ready' : 'done') : dataLoaded ? 'idle' : 'loading');

function onWorkerMessage(message) {
  switch (message.type) {
    case 'download': {
      const text = `${message.kept ? 'Reading the offline copy of' : 'Downloading'} ${message.file}: ` +
        `${MB(message.loaded)} of ${MB(message.total)} MB`;
      showDataStatus(text);
      // While a job works on the shards already here, the rest arrive without taking its status.
      if (pageState() === 'loading') { setProgress(message.loaded, message.total); setStatus(text); }
      break;
    }
    case 'shard':
      break;
    case 'loaded': {
      dataLoaded = true;
      showSummary(message.summary);
      const kept = message.bytes - message.downloaded;
      const text = `Loaded ${message.summary.name}: ${MB(message.downloaded)} MB downloaded` +
        `${kept > 0 ? `, ${MB(kept)} MB from the offline copy` : ''}; ` +
        `decoded and validated in ${message.decodeMs.toFixed(0)} ms.`;
      showDataStatus(text);
      showOffline(message.offlineProblem && `not kept (${message.offlineProblem})`);
      if (pageState() === 'loading') {
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
      performance.mark('bayes:training-started');
      setProgress(0, training.startRun(message));
      setStatus(`Training on ${thousands(message.examples)} images for ${message.epochs} epochs…`);
      break;
    case 'progress':
      setProgress(message.examplesSeen, training.totalExamples());
      setStatus(training.addProgress(message));
      document.body.dataset.memoryBytes = message.memoryBytes;
      break;
    case 'epoch':
      training.addEpoch(message);
      break;
    case 'paused':
      setPageState('paused');
      setStatus(`${$('status').textContent.replace(/ · about .*$/, '')} · paused`);
      break;
    case 'resumed':
      setPageState('training');
      break;
    case 'cancelled':
      // A cancelled run leaves the last model and its analysis; a cancelled analysis has none.
      if (pageState() === 'training' || pageState() === 'paused') renorm.markCurrent();
      setPageState(settled());
      setStatus('Cancelled. The last finished results are kept.');
      break;
    case 'done':
      hasModel = true;
      keptWeights = { dataset: state.dataset, name: 'bayes-renorm-weights.safetensors', bytes: message.weights, source: message.source };
      setPageState('done');
      performance.mark('bayes:training-done');
      trainedSentence = training.doneSentence(message);
      setStatus(trainedSentence);
      Object.assign(document.body.dataset, {
        testMse: message.testMse, weightsDigest: message.weightsDigest,
        examplesPerSecond: message.examplesPerSecond, memoryBytes: message.memoryBytes,
        workers: message.workers,
      });
      break;
    case 'imported':
      hasModel = true;
      if (recovering) recovering = false; // the trained run's sentence stands
      else trainedSentence = `Imported ${message.name}.`;
      keptWeights = importing ?? keptWeights;
      importing = null;
      document.body.dataset.weightsDigest = message.weightsDigest;
      break;
    case 'analysis': {
      setPageState(message.stage === 'fisher' ? 'fisher' : 'sweeping');
      setProgress(message.done, message.total);
      const what = message.stage === 'fisher'
        ? `Fisher: ${thousands(message.done)} of ${thousands(message.total)} images`
        : `Sweep: cutoff ${message.done} of ${message.total}`;
      setStatus(`${trainedSentence} ${what}…`);
      break;
    }
    case 'ready':
      performance.mark('bayes:ready');
      beyond.reset();
      setStatus(`${trainedSentence} ${renorm.showAnalysis(message, state.lambda)} Drag Λ.`);
      Object.assign(document.body.dataset, {
        fisherSeconds: message.fisherSeconds, sweepSeconds: message.sweepSeconds, memoryBytes: message.memoryBytes,
      });
      setPageState('ready');
      break;
    case 'beyond':
      setProgress(message.done, message.total);
      setStatus(beyond.progressSentence(message));
      break;
    case 'eigen-shells':
      setStatus(beyond.showEigen(message));
      document.body.dataset.eigenSeconds = JSON.stringify(message.seconds);
      setPageState('ready');
      break;
    case 'fine-tuned':
      setStatus(beyond.showFineTune(message.result));
      setPageState('ready');
      break;
    case 'soft-flowed':
      setStatus(beyond.showSoftFlow(message.result, state.seed, state.evidence));
      setPageState('ready');
      break;
    case 'file':
      download(new Blob([message.bytes], { type: message.mime }), message.name);
      break;
    case 'error':
      if (message.stage === 'load') {
        stopWorker();
        setStatus('Loading failed.');
        showError(`Could not load the data: ${message.message}`);
        setPageState('error');
      } else if (Object.hasOwn(BEYOND_JOBS, message.stage)) {
        showError(`The ${BEYOND_JOBS[message.stage].name} stopped: ${message.message}`);
        setPageState(settled());
      } else if (message.stage === 'import' || message.stage === 'export') {
        // Nothing computed is touched: the page goes back to where it was.
        showError(`Could not ${message.stage} the file: ${message.message}`);
        if (message.stage === 'import') renorm.markCurrent();
        importing = null;
        recovering = false;
        setPageState(message.stage === 'import' ? beforeImport ?? settled() : pageState());
      } else {
        setStatus(message.stage === 'train' ? 'Training stopped.' : 'The analysis stopped.');
        showError(message.message);
        setPageState('error');
      }
      break;
    case 'panic':
      workerFailed(`The WebAssembly module panicked: ${message.message}.`);
      break;
  }
}

// The "beyond the paper" jobs: what errors call them, and the page state while they run.
const BEYOND_JOBS = {
  eigen: { name: 'eigen-shells', state: 'decomposing' },
  'fine-tune': { name: 'fine-tuning', state: 'tuning' },
  'soft-flow': { name: 'soft flow', state: 'flowing' },
};

// ---- buttons -----------------------------------------------------------------------------------

function preset(values) {
  setState(values);
  applyHash();
}

function onAction(id) {
  switch (id) {
    case 'train': train(); break;
    case 'pause': worker?.postMessage({ type: pageState() === 'paused' ? 'resume' : 'pause' }); break;
    case 'cancel':
      if (pageState() === 'loading') {
        stopWorker();
        setPageState('idle');
        setStatus('Loading cancelled. Press Train to load the data and train.');
      } else {
        worker?.postMessage({ type: 'cancel' });
      }
      break;
    case 'preset-paper': preset(PRESETS.paper); break;
    case 'preset-authors': preset(PRESETS.authors); break;
    case 'share': shareLink(); break;
    case 'fisher': analyse(); break;
    case 'eigen':
    case 'fine-tune':
    case 'soft-flow':
      worker.postMessage({ type: id, settings: beyond.settings(id, state) });
      setPageState(BEYOND_JOBS[id].state);
      break;
    case 'flow': renorm.toggleFlow(); break;
    case 'export-png': renorm.chartsPng().then((blob) => download(blob, 'bayes-renorm-charts.png')); break;
    default: worker?.postMessage({ type: 'export', what: id.replace('export-', '') });
  }
}

// ---- start -------------------------------------------------------------------------------------

buildForm({ onChange: (key, value) => setState({ [key]: value }), onAction });
$('import-weights').addEventListener('change', (event) => {
  const [file] = event.target.files;
  event.target.value = '';
  if (file) importWeights(file);
});
applyHash();
history.replaceState(null, '', writeState(state));
addEventListener('hashchange', () => {
  const dataset = state.dataset;
  applyHash();
  if (state.dataset !== dataset && ENABLED_IN.params.includes(pageState())) startWorker();
});
startOffline(PARAMS.find((p) => p.key === 'dataset').options);
startWorker();
if (state.autorun) train();

function onModuleReady(wasm) {
  const kernel = wasm.kernel();
  document.body.dataset.kernel = kernel;
  $('version').textContent = `bayes-renorm ${wasm.version()}, ` +
    (kernel === 'relaxed-simd' ? 'relaxed SIMD (fused multiply-add)' : 'SIMD (no fused multiply-add)');
  training.setChartModule(wasm, showError);
  renorm.setChartModule(wasm, showError, (cutoff) => setState({ lambda: cutoff }));
  beyond.setHandlers(showError, (evidence) => setState({ evidence }));
}
if (window.wasmBindings) onModuleReady(window.wasmBindings);
else addEventListener('bayes:module-ready', () => onModuleReady(window.wasmBindings));

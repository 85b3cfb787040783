// DOM wiring: the URL, the worker's messages (one switch) and the buttons. The page's state is
// page-states.js's table, its parameters state.js's; the work is the worker's (worker.js) and
// every number comes from the wasm module, there or in the panels' charts.
import { PARAMS, PRESETS, readState, settingsOf, withModelFisher, writeState } from './state.js';
import { ENABLED_IN } from './page-states.js';
import { buildForm, setExtraOptions, showModelControls, showProblems, showValues } from './form.js';
import { clearError, dispatch, pageState, setProgress, setStatus, showError } from './page.js';
import { clearData, showDataStatus, showOffline, showSummary, startOffline } from './data-panel.js';
import * as training from './training-panel.js';
import * as analysis from './analysis-panel.js';
import * as eigen from './eigen-panel.js';
import * as fineTune from './fine-tune-panel.js';
import * as softFlow from './soft-flow-panel.js';
import { download, shareLink } from './files.js';
import { startAddData } from './add-data-panel.js';
import * as link from './worker-link.js';

const $ = (id) => document.getElementById(id);
const DATASET = PARAMS.find((p) => p.key === 'dataset');
const MB = (bytes) => (bytes / 1e6).toFixed(1);
const thousands = (n) => Math.round(n).toLocaleString('en');

// ---- parameters and URL ----------------------------------------------------------------------

let state;

function applyHash() {
  const parsed = readState(location.hash);
  state = parsed.state;
  showValues(state);
  showModelControls(state.model);
  showProblems(parsed);
  document.body.classList.toggle('embed', state.embed);
  $('controls-details').open = !state.embed;
  analysis.setHistogramScale(state['hist-scale']);
}

function setState(changes) {
  const datasetChanged = changes.dataset !== undefined && changes.dataset !== state.dataset;
  const fitted = withModelFisher({ ...state, ...changes });
  state = fitted.state;
  if (fitted.problem) showValues(state);
  if (changes.model) showModelControls(state.model);
  history.replaceState(null, '', writeState(state));
  if (changes['hist-scale']) analysis.setHistogramScale(state['hist-scale']);
  if (datasetChanged) startWorker();
}

// ---- the worker --------------------------------------------------------------------------------

/** What the page says of the model it holds. */
function modelSentence() {
  const model = link.keptModel();
  if (!model) return '';
  return model.record ? training.doneSentence(JSON.parse(model.record)) : `Imported ${model.name}.`;
}

function startWorker() {
  analysis.markStale();
  clearError();
  clearData();
  setProgress(0, 1);
  setStatus('Starting the worker…');
  dispatch('load');
  link.startWorker(state.dataset, state.workers, onWorkerMessage, workerFailed);
}

/** The worker crashed or its wasm module panicked: drop it, say why, and let Train start over. */
function workerFailed(message) {
  link.stopWorker();
  if (link.keepsModel(state.dataset)) {
    showError(`${message} The trained weights are kept in the page: press “Fisher and sweep” to ` +
      'analyse them again in a new worker (with fewer test images or random seeds if it ran out ' +
      'of memory), or Train to start over. The data will be loaded again.');
    setStatus('The worker stopped; the trained weights are kept.');
    dispatch('worker-died-kept');
  } else {
    showError(`${message} Press Train to start again; the data will be loaded again.`);
    setStatus('The worker stopped.');
    dispatch('worker-died');
  }
}

function ensureWorker() {
  if (link.workerDataset() !== state.dataset) startWorker();
}

/** Asks the worker to run `jobs` with the page's settings; `event` moves the page. */
function run(jobs, event) {
  link.send({ type: 'run', jobs, settings: settingsOf(state), workers: state.workers });
  dispatch(event);
}

function train() {
  clearError();
  ensureWorker();
  analysis.markStale();
  training.startRun(state.model);
  run(['train', 'analyse'], 'train');
  setStatus(document.body.dataset.dataLoaded ? 'Starting…' : 'Training starts when its data has arrived…');
}

function analyse() {
  clearError();
  analysis.markStale();
  const orphaned = link.orphanedModel(state.dataset);
  if (orphaned) {
    // The worker that held the model stopped: a new one takes the kept weights, then analyses.
    ensureWorker();
    link.sendModel(orphaned, settingsOf(state), state.workers);
    dispatch('import');
  } else {
    run(['analyse'], 'analyse');
  }
}

async function importWeights(file) {
  clearError();
  ensureWorker();
  analysis.markStale();
  const bytes = new Uint8Array(await file.arrayBuffer());
  link.sendModel({ dataset: state.dataset, name: file.name, bytes, record: null }, settingsOf(state), state.workers);
  dispatch('import');
  setStatus(`Reading ${file.name}…`);
}

/** The status while a job runs, by the stage its progress reports. */
const PROGRESS_SENTENCES = {
  waiting: ({ total, done }) => `Waiting for the shards holding the first ${thousands(total)} training images ` +
    `(${thousands(done)} here)…`,
  training: (p) => training.addProgress(p.training),
  fisher: ({ done, total }) => `${modelSentence()} Fisher: ${thousands(done)} of ${thousands(total)} images…`,
  sweep: ({ done, total }) => `${modelSentence()} Sweep: cutoff ${done} of ${total}…`,
  blocks: eigen.progressSentence,
  decompose: eigen.progressSentence,
  'eigen-sweep': eigen.progressSentence,
  refine: eigen.progressSentence,
  'fine-tune': fineTune.progressSentence,
  'soft-flow': softFlow.progressSentence,
};

function onProgress(progress) {
  if (progress.stage === 'idle') return;
  if (progress.stage === 'fisher' || progress.stage === 'sweep') dispatch(`${progress.stage}-progress`);
  if (progress.epoch) training.addEpoch(progress.epoch);
  setProgress(progress.done, progress.total);
  setStatus(PROGRESS_SENTENCES[progress.stage](progress));
  document.body.dataset.memoryBytes = progress.memoryBytes;
}

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
    case 'loaded': {
      showSummary(message.summary);
      const kept = message.bytes - message.downloaded;
      // Added data never comes from the network: it is read from this browser.
      const source = message.added ? `${MB(kept)} MB from this browser` : `${MB(message.downloaded)} MB downloaded` +
        `${kept > 0 ? `, ${MB(kept)} MB from the offline copy` : ''}`;
      const text = `Loaded ${message.summary.name}: ${source}; ` +
        `decoded and validated in ${(message.summary.decode_seconds * 1e3).toFixed(0)} ms.`;
      showDataStatus(text);
      showOffline(message.offlineProblem && `not kept (${message.offlineProblem})`);
      if (pageState() === 'loading') {
        setProgress(1, 1);
        setStatus(`${text} Press Train.`);
      }
      dispatch('loaded');
      break;
    }
    case 'progress':
      onProgress(message);
      break;
    case 'paused':
      dispatch('paused');
      setStatus(`${$('status').textContent.replace(/ · about .*$/, '')} · paused`);
      break;
    case 'resumed':
      dispatch('resumed');
      break;
    case 'cancelled':
      // A cancelled run leaves the last model and its analysis; a cancelled analysis has none.
      if (pageState() === 'training' || pageState() === 'paused') analysis.markCurrent();
      dispatch('cancelled');
      setStatus('Cancelled. The last finished results are kept.');
      break;
    case 'trained': {
      link.trained(state.dataset, message);
      dispatch('trained');
      performance.mark('bayes:training-done');
      setStatus(modelSentence());
      const record = JSON.parse(message.record);
      Object.assign(document.body.dataset, {
        testLoss: record.test.loss, testAccuracy: record.test.accuracy ?? '', weightsDigest: message.weightsDigest,
        examplesPerSecond: record.examplesPerSecond, workers: record.parts,
      });
      break;
    }
    case 'imported':
      link.imported();
      document.body.dataset.weightsDigest = message.weightsDigest;
      break;
    case 'analysed':
      performance.mark('bayes:ready');
      eigen.reset();
      fineTune.reset();
      softFlow.reset();
      setStatus(`${modelSentence()} ${analysis.showAnalysis(message, state.lambda)} Drag Λ.`);
      // Imported weights are the model they are, whatever the form said.
      if (analysis.shownModel() !== state.model) { setState({ model: analysis.shownModel() }); showValues(state); }
      Object.assign(document.body.dataset, { fisherSeconds: message.seconds.fisher, sweepSeconds: message.seconds.sweep });
      dispatch('analysed');
      break;
    case 'eigen-shells':
      setStatus(eigen.show(message));
      document.body.dataset.eigenSeconds = JSON.stringify(message.seconds);
      dispatch('job-done');
      break;
    case 'fine-tuned':
      setStatus(fineTune.show(message.result));
      dispatch('job-done');
      break;
    case 'soft-flowed':
      setStatus(softFlow.show(message.result, state.evidence));
      dispatch('job-done');
      break;
    case 'file':
      download(new Blob([message.bytes], { type: message.mime }), message.name);
      break;
    case 'error':
      onError(message);
      break;
    case 'panic':
      workerFailed(`The WebAssembly module panicked: ${message.message}.`);
      break;
  }
}

/** The jobs after the analysis, as errors name them. */
const LATER_JOBS = { eigen: 'eigen-shells', 'fine-tune': 'fine-tuning', 'soft-flow': 'soft flow' };

function onError({ job, message }) {
  if (job === 'load') {
    link.stopWorker();
    setStatus('Loading failed.');
    showError(`Could not load the data: ${message}`);
    dispatch('load-failed');
  } else if (job === 'import' || job === 'export') {
    // Nothing computed is touched: the page goes back to where it was.
    showError(`Could not ${job} the file: ${message}`);
    if (job === 'import') {
      analysis.markCurrent();
      link.importFailed();
      dispatch('import-failed');
    }
  } else if (Object.hasOwn(LATER_JOBS, job)) {
    showError(`The ${LATER_JOBS[job]} stopped: ${message}`);
    dispatch('job-failed');
  } else {
    setStatus(job === 'train' ? 'Training stopped.' : 'The analysis stopped.');
    showError(message);
    dispatch('job-failed');
  }
}

// ---- buttons -----------------------------------------------------------------------------------

function preset(values) {
  setState(values);
  applyHash();
}

function onAction(id) {
  switch (id) {
    case 'train': train(); break;
    case 'pause': link.send({ type: pageState() === 'paused' ? 'resume' : 'pause' }); break;
    case 'cancel':
      if (pageState() === 'loading') {
        link.stopWorker();
        dispatch('load-cancelled');
        setStatus('Loading cancelled. Press Train to load the data and train.');
      } else {
        link.send({ type: 'cancel' });
      }
      break;
    case 'preset-paper': preset(PRESETS.paper); break;
    case 'preset-authors': preset(PRESETS.authors); break;
    case 'preset-classifier': preset(PRESETS.classifier); break;
    case 'share': shareLink(); break;
    case 'fisher': analyse(); break;
    case 'eigen':
    case 'fine-tune':
    case 'soft-flow':
      run([id], id);
      break;
    case 'flow': analysis.toggleFlow(); break;
    case 'export-png': analysis.chartsPng().then((blob) => download(blob, 'bayes-renorm-charts.png')); break;
    default: link.send({ type: 'export', what: id.replace('export-', '') });
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
startOffline(DATASET.options);
startAddData({
  // The select lists the data sets this browser keeps, and names one it does not (a shared link).
  onListed: (sets) => {
    const options = sets.map(({ id, label }) => ({ value: id, label }));
    if (!Object.hasOwn(DATASET.options, state.dataset) && !sets.some((s) => s.id === state.dataset)) {
      options.push({ value: state.dataset, label: `${state.dataset} (not in this browser)` });
    }
    setExtraOptions('dataset', options);
    showValues(state);
  },
  onAdded: (id) => {
    if (ENABLED_IN.params.includes(pageState())) setState({ dataset: id });
    showValues(state);
  },
  onRemoved: (id) => {
    if (state.dataset === id) setState({ dataset: DATASET.default });
    showValues(state);
  },
}).catch((error) => showError(`Added data sets: ${error.message ?? error}`));
startWorker();
if (state.autorun) train();

function onModuleReady(wasm) {
  const kernel = wasm.kernel();
  document.body.dataset.kernel = kernel;
  $('version').textContent = `bayes-renorm ${wasm.version()}, ` +
    (kernel === 'relaxed-simd' ? 'relaxed SIMD (fused multiply-add)' : 'SIMD (no fused multiply-add)');
  training.setChartModule(wasm, showError);
  analysis.setChartModule(wasm, showError, (cutoff) => setState({ lambda: cutoff }));
  softFlow.setHandlers(showError, (evidence) => setState({ evidence }));
}
if (window.wasmBindings) onModuleReady(window.wasmBindings);
else addEventListener('bayes:module-ready', () => onModuleReady(window.wasmBindings));

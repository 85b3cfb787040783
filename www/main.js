// DOM wiring: the URL, the worker's messages (one switch) and the buttons. The page's state is
// page-states.js's table, its parameters state.js's; the work is the worker's (worker.js) and
// every number comes from the wasm module, there or in the panels' charts.
import {
  PARAMS, PRESETS, readState, settingsOf, settingsSummary, trainLabel, withModelFisher, writeState,
} from './state.js';
import { ENABLED_IN } from './page-states.js';
import { buildForm, setExtraOptions, showModelControls, showProblems, showValues } from './form.js';
import {
  clearError, dispatch, onPageState, pageState, setJobStatus, setProgress, setStatus, showError, showNotice,
} from './page.js';
import { clearData, showDataStatus, showOffline, showSummary, startOffline } from './data-panel.js';
import * as training from './training-panel.js';
import * as analysis from './analysis-panel.js';
import * as eigen from './eigen-panel.js';
import * as fineTune from './fine-tune-panel.js';
import * as softFlow from './soft-flow-panel.js';
import * as study from './study-panel.js';
import { download, shareLink } from './files.js';
import { startAddData } from './add-data-panel.js';
import * as link from './worker-link.js';
import { closeTour, openStep, setupTour, tourStep } from './tour.js';
import { listenToParent, takeExport, tell } from './embed-api.js';
import { parentCommands } from './parent-commands.js';
import { setupReadouts } from './readouts.js';

const $ = (id) => document.getElementById(id);
const DATASET = PARAMS.find((p) => p.key === 'dataset');
const MB = (bytes) => (bytes / 1e6).toFixed(1);
const thousands = (n) => Math.round(n).toLocaleString('en');

// ---- parameters and URL ----------------------------------------------------------------------

let state;

/** The page as the hash says; `withTour`: open its tour step too (not before the worker starts). */
function applyHash({ withTour = true } = {}) {
  const parsed = readState(location.hash);
  state = parsed.state;
  showValues(state);
  showModelControls(state.model);
  showProblems(parsed);
  document.body.classList.toggle('embed', state.embed);
  // The settings stay folded unless a link's value was refused: then its message must be seen.
  const refused = PARAMS.some((p) => p.group !== 'url' && p.group !== 'view' && parsed.problems[p.key]);
  if (refused && !state.embed) $('controls-details').open = true;
  analysis.setHistogramScale(state['hist-scale']);
  showView(state.view);
  showSettings();
  if (!withTour) return;
  if (state.tour > 0 && state.tour !== tourStep()) openStep(state.tour);
  else if (state.tour === 0) closeTour();
}

/** What the folded settings hold, and what Train costs with them. */
function showSettings() {
  // The embedded widget's link to the whole page, with the same settings.
  $('full-page').href = writeState({ ...state, embed: false, parent: [] });
  $('settings-summary').textContent = settingsSummary(state);
  $('train').textContent = trainLabel(state, Number(document.body.dataset.examplesPerSecond),
    Number(document.body.dataset.trainImages) || undefined);
}

// ---- views -------------------------------------------------------------------------------------

const VIEWS = { bench: 'analysis-panel', studies: 'studies-panel', data: 'data' };

/** Shows one tab's panel; the charts in it are drawn at the size it now has. */
function showView(name) {
  for (const [view, panel] of Object.entries(VIEWS)) {
    const selected = view === name;
    $(`tab-${view}`).setAttribute('aria-selected', String(selected));
    $(`tab-${view}`).tabIndex = selected ? 0 : -1;
    $(panel).hidden = !selected;
  }
  redrawAll();
}

function selectView(name) {
  if (state.view !== name) setState({ view: name });
}

/** Every chart again, at its box's size now (a tab shown, the window resized). */
function redrawAll() {
  analysis.redrawCharts();
  training.redraw();
  softFlow.redraw();
  study.redraw();
}

function setState(changes) {
  const datasetChanged = changes.dataset !== undefined && changes.dataset !== state.dataset;
  const fitted = withModelFisher({ ...state, ...changes });
  state = fitted.state;
  if (fitted.problem) showValues(state);
  if (changes.model) showModelControls(state.model);
  history.replaceState(null, '', writeState(state));
  if (changes['hist-scale']) analysis.setHistogramScale(state['hist-scale']);
  if (changes.view) showView(state.view);
  showSettings();
  if (datasetChanged) startWorker();
}

// ---- the worker --------------------------------------------------------------------------------

/** Where the paper's trained model came from (data/mnist/paper-model.json), once it is read. */
let pretrained = null;

/** What the page says of the model it holds. */
function modelSentence() {
  const model = link.keptModel();
  if (!model) return '';
  if (model.record) return training.doneSentence(JSON.parse(model.record));
  if (pretrained && model.name === pretrained.file) {
    return `The paper's trained model (${pretrained.settings}), shipped with the page; its Fisher is ` +
      'taken over the test images, as the training set is not downloaded. Train makes the same model here.';
  }
  return `Imported ${model.name}.`;
}

/** A new worker for the data chosen; `testOnly`: it loads the test split alone. */
function startWorker({ testOnly = false } = {}) {
  analysis.markStale();
  clearError();
  clearData();
  setProgress(0, 1);
  setStatus('Starting the worker…');
  dispatch('load');
  link.startWorker(state.dataset, state.workers, onWorkerMessage, workerFailed, { testOnly });
}

/**
 * #pretrained=1: the paper's trained model, shipped beside the test shards, analysed over the
 * test images, so the renormalization shows in about a second without the training set.
 */
async function openPretrained() {
  if (state.dataset !== 'mnist' || state.model !== 'autoencoder') {
    showError('The trained model the page ships is the paper\'s MNIST autoencoder; with another ' +
      'dataset or model chosen, press Train to train one.');
    startWorker();
    return;
  }
  setState({ 'fisher-split': 'test' });
  startWorker({ testOnly: true });
  setStatus('Fetching the paper\'s trained model…');
  try {
    const folder = new URL('data/mnist/', import.meta.url);
    const fetched = async (name) => {
      const response = await fetch(new URL(name, folder));
      if (!response.ok) throw new Error(`data/mnist/${name}: HTTP ${response.status} ${response.statusText}`);
      return response;
    };
    const about = await (await fetched('paper-model.json')).json();
    const bytes = new Uint8Array(await (await fetched(about.file)).arrayBuffer());
    pretrained = about;
    analysis.markStale();
    link.sendModel({ dataset: 'mnist', name: about.file, bytes, record: null }, settingsOf(state), state.workers);
    dispatch('import');
    setStatus('Analysing the paper\'s trained model over the test images…');
  } catch (error) {
    showError(`Could not load the paper's trained model: ${error.message ?? error}. Press Train to train one.`);
    setStatus('Press Train.');
  }
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

/** A worker holding the data chosen, with its training images when `training` needs them. */
function ensureWorker({ training = false } = {}) {
  if (link.workerDataset() !== state.dataset || (training && !link.workerHasTrainingSet())) startWorker();
}

/** Asks the worker to run `jobs` with the page's settings; `event` moves the page. */
function run(jobs, event) {
  link.send({ type: 'run', jobs, settings: settingsOf(state), workers: state.workers });
  dispatch(event);
}

function train() {
  clearError();
  // Fewer examples than a batch is allowed (each step takes them all), but worth saying.
  const examples = Math.min(state.subset, Number(document.body.dataset.trainImages) || state.subset);
  showNotice(examples < state.batch ? `${thousands(examples)} training example${examples === 1 ? ' is' : 's are'} ` +
    `fewer than one batch of ${thousands(state.batch)}: each training step uses all ${thousands(examples)}.` : '');
  ensureWorker({ training: true });
  analysis.markStale();
  training.startRun(state.model);
  run(['train', 'analyse'], 'train');
  setStatus(document.body.dataset.dataLoaded ? 'Starting…' : 'Training starts when its data has arrived…');
}

function analyse() {
  clearError();
  // A Fisher over the training images needs them: a worker without them gives way to one with.
  ensureWorker({ training: state['fisher-split'] === 'train' });
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

/** The later jobs' stages, by the job whose button, progress and status sit together. */
const JOB_OF_STAGE = {
  blocks: 'eigen', decompose: 'eigen', 'eigen-sweep': 'eigen', refine: 'eigen', 'fine-tune': 'fine-tune',
  'soft-flow': 'soft-flow',
};

function onProgress(progress) {
  if (progress.stage === 'idle') return;
  if (progress.stage === 'fisher' || progress.stage === 'sweep') dispatch(`${progress.stage}-progress`);
  if (progress.epoch) training.addEpoch(progress.epoch);
  const sentence = PROGRESS_SENTENCES[progress.stage](progress);
  const job = JOB_OF_STAGE[progress.stage];
  if (job) setJobStatus(job, sentence, progress.done / progress.total);
  else {
    setProgress(progress.done, progress.total);
    setStatus(sentence);
  }
  document.body.dataset.memoryBytes = progress.memoryBytes;
  // The worker's own work and its wait for its helpers since the jobs started, as of each
  // stage's last progress (data-training-clock="step wait", …): the benchmark's profile.
  document.body.setAttribute(`data-${progress.stage}-clock`, `${progress.stepSeconds} ${progress.helperWaitSeconds}`);
  tell('progress', { stage: progress.stage, done: progress.done, total: progress.total });
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
      document.body.dataset.trainImages = message.summary.train.count;
      showSettings();
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
      for (const [job, busy] of Object.entries(JOB_STATES)) {
        if (pageState() === busy) setJobStatus(job, 'Cancelled. The last finished results are kept.', 0);
      }
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
      showSettings();
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
      for (const job of Object.keys(JOB_STATES)) setJobStatus(job, 'Not run on this model yet.', 0);
      setStatus(`${modelSentence()} ${analysis.showAnalysis(message, state.lambda)} Drag Λ.`);
      // Imported weights are the model they are, whatever the form said.
      if (analysis.shownModel() !== state.model) { setState({ model: analysis.shownModel() }); showValues(state); }
      Object.assign(document.body.dataset, { trainingSeconds: message.seconds.train, fisherSeconds: message.seconds.fisher,
        sweepSeconds: message.seconds.sweep });
      dispatch('analysed');
      bringBenchIntoView();
      tell('ready', { summary: analysis.readyFigures() });
      break;
    case 'eigen-shells':
      setJobStatus('eigen', eigen.show(message), 1);
      document.body.dataset.eigenSeconds = JSON.stringify(message.seconds);
      dispatch('job-done');
      break;
    case 'fine-tuned':
      setJobStatus('fine-tune', fineTune.show(message.result), 1);
      dispatch('job-done');
      break;
    case 'soft-flowed':
      setJobStatus('soft-flow', softFlow.show(message.result, state.evidence), 1);
      dispatch('job-done');
      break;
    case 'file':
      if (!takeExport({ name: message.name, mime: message.mime, bytes: message.bytes })) {
        download(new Blob([message.bytes], { type: message.mime }), message.name);
      }
      break;
    case 'error':
      onError(message);
      break;
    case 'panic':
      workerFailed(`The WebAssembly module panicked: ${message.message}.`);
      break;
  }
}

/** The page state each later job runs in. */
const JOB_STATES = { eigen: 'decomposing', 'fine-tune': 'tuning', 'soft-flow': 'flowing' };

/**
 * When the analysis is ready, the bench is what to look at: its tab, and on a one-column screen
 * its slider scrolled into view.
 */
function bringBenchIntoView() {
  if (state.view === 'data') selectView('bench');
  // The widget shows the bench already, and must not scroll its course page's frame.
  if (state.view !== 'bench' || state.embed) return;
  const top = $('analysis-panel').getBoundingClientRect().top;
  if (top > innerHeight * 0.6 || top < 0) $('analysis-panel').scrollIntoView({ block: 'start' });
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
    setJobStatus(job, `Stopped: ${message}`, 0);
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
      setJobStatus(id, 'Starting…', 0);
      run([id], id);
      break;
    case 'flow': analysis.toggleFlow(); break;
    case 'stop-zero': analysis.moveTo('zero'); break;
    case 'stop-knee': analysis.moveTo('knee'); break;
    case 'stop-all': analysis.moveTo('all'); break;
    case 'export-png':
      analysis.chartsPng().then(async (blob) => {
        const name = 'bayes-renorm-charts.png';
        if (!takeExport({ name, mime: 'image/png', bytes: new Uint8Array(await blob.arrayBuffer()) })) download(blob, name);
      });
      break;
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
for (const view of Object.keys(VIEWS)) $(`tab-${view}`).addEventListener('click', () => selectView(view));
setupTour({
  acts: {
    'train-if-untrained': () => {
      // Not over the paper's model on its way (#pretrained=1), nor over a job running.
      if (!link.keptModel() && !state.pretrained && ENABLED_IN.train.includes(pageState())) train();
    },
    'await-analysis': () => {},
    knee: () => {
      if (!analysis.moveTo('knee')) setState({ lambda: 'knee' });
    },
  },
  showView: selectView,
  onStep: (step) => {
    if (state.tour !== step) setState({ tour: step });
    tell('tour', { step });
  },
});
$('tour-start').addEventListener('click', () => openStep(1));
setupReadouts(analysis.readoutContext, analysis.moveTo);
// Arrow keys move between the tabs, as a tab list's do.
$('tabs').addEventListener('keydown', (event) => {
  const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
  if (!step) return;
  const names = Object.keys(VIEWS);
  const next = names[(names.indexOf(state.view) + step + names.length) % names.length];
  selectView(next);
  $(`tab-${next}`).focus();
});
$('error-dismiss').addEventListener('click', clearError);
// The charts follow their boxes' sizes: one redraw a frame while the window is resized.
let resizeQueued = false;
let benchWidth = 0;
new ResizeObserver(([entry]) => {
  // Only a new width redraws: the panels' heights change as they fill.
  if (resizeQueued || entry.contentRect.width === benchWidth) return;
  benchWidth = entry.contentRect.width;
  resizeQueued = true;
  requestAnimationFrame(() => { resizeQueued = false; redrawAll(); });
}).observe($('bench-main'));
applyHash({ withTour: false });
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
listenToParent(state.parent, parentCommands({
  pageState,
  setSettings: (changes) => { setState(changes); showValues(state); },
  train,
  moveTo: analysis.moveTo,
  openStep,
  closeTour,
  onAction,
}));
onPageState((pageStateNow) => tell('state', { state: pageStateNow }));
tell('hello', { state: pageState() });

if (state.autorun) {
  startWorker();
  train();
} else if (state.pretrained) {
  openPretrained();
} else {
  startWorker();
}
// A link to a tour step opens it now the worker has started (a step may train).
if (state.tour > 0) openStep(state.tour);

function onModuleReady(wasm) {
  const kernel = wasm.kernel();
  document.body.dataset.kernel = kernel;
  // Which pool the worker runs: helper threads on one shared memory, or messages between workers.
  const { threads } = globalThis.bayesWasmModule;
  document.body.dataset.pool = threads ? 'threads' : 'messages';
  $('version').textContent = `bayes-renorm ${wasm.version()}, ` +
    (kernel === 'relaxed-simd' ? 'relaxed SIMD (fused multiply-add)' : 'SIMD (no fused multiply-add)') +
    (threads ? ', threads' : '');
  training.setChartModule(wasm, showError);
  analysis.setChartModule(wasm, showError, (cutoff) => {
    setState({ lambda: cutoff });
    tell('lambda', { lambda: cutoff, removed: Number(document.body.dataset.removed) });
  });
  softFlow.setHandlers(showError, (evidence) => setState({ evidence }));
  study.setStudyModule(wasm, showError);
}
if (window.wasmBindings) onModuleReady(window.wasmBindings);
else addEventListener('bayes:module-ready', () => onModuleReady(window.wasmBindings));

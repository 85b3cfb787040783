// The page's parameters as one declarative table. It drives the forms (form.js), URL parsing and
// validation, the share link (location.hash), the presets and the settings the workbench gets
// (src/workbench/settings.rs, whose keys are these). Nothing else reads or writes the hash. The
// defaults are the paper's settings. `group` says where a parameter's control sits; `page: true`
// marks the two the page uses itself (which data to load, how many threads), not the workbench.
import { LOCAL_PATTERN } from './local-data.js';
import { TOUR_STEPS } from './tour-steps.js';

export const PARAMS = [
  // group 'model' and 'training': the form at the top
  {
    key: 'dataset', group: 'model', page: true, label: 'Dataset', type: 'enum', default: 'mnist',
    options: { mnist: 'MNIST', 'fashion-mnist': 'Fashion-MNIST' },
    // A data set added in the page (local-data.js): its options are this browser's.
    pattern: LOCAL_PATTERN,
    help: 'Changing it downloads the other dataset; data sets you add are listed after them.',
  },
  {
    key: 'model', group: 'model', label: 'Model', type: 'enum', default: 'autoencoder',
    options: { autoencoder: 'autoencoder (the paper)', classifier: 'classifier (MLP)' },
    help: "The paper's autoencoder n → m → n (n = 784 pixels for MNIST), scored by MSE; or a classifier n → hidden → classes, scored by cross-entropy and accuracy.",
  },
  { key: 'latent', group: 'model', models: ['autoencoder'], label: 'Latent units m', short: 'm', type: 'int', default: 20, min: 1, max: 256,
    help: 'Width of the code: n → m → n.' },
  { key: 'hidden', group: 'model', models: ['classifier'], label: 'Hidden widths', short: 'hidden', type: 'widths', default: [32], min: 1, max: 1024,
    help: 'The classifier\'s hidden layers, comma-separated: for MNIST, 32 is 784 → 32 → 10, 64,32 is 784 → 64 → 32 → 10.' },
  { key: 'biases', group: 'model', models: ['autoencoder'], label: 'Biases', short: 'biases', type: 'bool', default: false,
    help: "Off in the paper's text; on in the authors' released code. (The classifier always has biases.)" },
  { key: 'epochs', group: 'training', label: 'Epochs', short: 'epochs', type: 'int', default: 10, min: 1, max: 1000,
    help: 'Passes over the training images.' },
  { key: 'batch', group: 'training', label: 'Batch size', short: 'batch', type: 'int', default: 1000, min: 1, max: 60000,
    help: 'Images per Adam step; at most the number of training examples.' },
  { key: 'lr', group: 'training', label: 'Learning rate', short: 'lr', type: 'float', default: 0.001, min: 1e-6, max: 100,
    help: 'Adam step size.' },
  { key: 'seed', group: 'training', label: 'Seed', short: 'seed', type: 'int', default: 42, min: 0, max: 4294967295,
    help: 'Seeds the initialisation, the shuffles and random pruning: the same seed gives the same numbers.' },
  { key: 'workers', group: 'training', page: true, label: 'Workers', short: 'workers', type: 'int', default: 2, min: 1, max: 8,
    help: 'Threads that share each batch. The same number gives the same numbers; 1 is the single-thread run, bit for bit.' },
  { key: 'subset', group: 'training', label: 'Training examples', short: 'examples', type: 'int', default: 60000, min: 1, max: 10000000,
    help: 'Trains (and takes the Fisher) on the first this many training images.' },
  // group 'analysis': how the Fisher and the sweep are computed
  {
    key: 'fisher-variant', group: 'analysis', label: 'Fisher', type: 'enum', default: 'regression',
    options: { regression: 'regression (NNGeometry)', classif_logits: 'classification (NNGeometry classif_logits)', empirical: 'empirical' },
    help: "Each model's own: the regression Fisher for the autoencoder (the paper's), classif_logits for the classifier. The empirical one squares the loss gradient.",
  },
  {
    key: 'fisher-split', group: 'analysis', label: 'Fisher over', type: 'enum', default: 'train',
    options: { train: 'training images', test: 'test images' },
    help: "The paper's text: the training set. The authors' code: the test set.",
  },
  {
    key: 'grid', group: 'analysis', label: 'Cutoff grid', type: 'enum', default: 'log',
    options: { log: '40 log-spaced', paper: "paper's 0, 0.125, …, 2.375" },
    help: 'The cutoffs Λ at which the sweep scores every pruning order: the hockey stick\'s points.',
  },
  { key: 'random-seeds', group: 'analysis', label: 'Random seeds', short: 'random seeds', type: 'int', default: 3, min: 1, max: 20,
    help: 'Random pruning is repeated with this many seeds (seed, seed + 1, …): mean ± std.' },
  { key: 'eval', group: 'analysis', label: 'Test images scored', short: 'test images', type: 'int', default: 10000, min: 1, max: 10000000,
    help: 'The sweep scores on the first this many test images (the authors used 10).' },
  // group 'view': next to the charts
  {
    key: 'hist-scale', group: 'view', label: 'Histogram', type: 'enum', default: 'log',
    options: { log: 'log axis, 40 bins', linear: "paper's 22 linear bins" },
    // The log axis is the default: on the paper's linear bins nearly every weight is in the first
    // bar, and Λ's line barely moves until the knee.
  },
  // groups 'fine-tune' and 'soft-flow': beside their studies' buttons
  { key: 'fine-tune-epochs', group: 'fine-tune', label: 'Fine-tune epochs', type: 'int', default: 1, min: 1, max: 20,
    help: 'How long the kept weights retrain after pruning (fresh Adam, the training settings).' },
  { key: 'fine-tune-at', group: 'fine-tune', label: 'Fine-tune at removed', type: 'fractions', default: [0.6, 0.75, 0.9],
    min: 0, max: 1, help: 'Fractions of the encoder removed, comma-separated.' },
  { key: 'soft-alpha', group: 'soft-flow', label: 'Prior precision α', type: 'prior', default: 'init', min: 0, max: 1e9,
    help: "'init': the initialisation's precision, 3·fan_in. 0: eq. 38 as written (it diverges)." },
  { key: 'soft-samples', group: 'soft-flow', label: 'Posterior draws K', type: 'int', default: 16, min: 1, max: 64,
    help: 'Draws from the posterior at each evidence n: their mean is the flow\'s reconstruction.' },
  // no form control: the sliders, and how the page opens
  { key: 'lambda', group: 'url', label: 'Cutoff Λ', type: 'cutoff', default: 'knee', min: 0, max: 1e6,
    help: "The slider's cutoff: a number, or 'knee' for the information scale Λ*." },
  { key: 'evidence', group: 'url', label: 'Evidence n', type: 'evidence', default: 'all', min: 0, max: 1e7,
    help: "The soft flow's evidence slider: a number of examples, or 'all'." },
  {
    key: 'view', group: 'url', label: 'View', type: 'enum', default: 'bench',
    options: { bench: 'Renormalization', studies: 'Beyond the paper', data: 'Data' },
    help: 'The tab shown.',
  },
  { key: 'embed', group: 'url', label: 'Embedded layout', type: 'bool', default: false },
  {
    key: 'parent', group: 'url', label: 'Parent origins', type: 'origins', default: [],
    help: 'Origins (https://host[:port]) whose page may drive this one in an iframe by postMessage (embed-api.js); none by default.',
  },
  { key: 'tour', group: 'url', label: 'Tour step', type: 'int', default: 0, min: 0, max: TOUR_STEPS.length,
    help: `The guided tour's step open, 1 to ${TOUR_STEPS.length}; 0: closed.` },
  { key: 'autorun', group: 'url', label: 'Train on opening', type: 'bool', default: false },
  {
    key: 'pretrained', group: 'url', label: 'Start from the paper\'s trained model', type: 'bool', default: false,
    help: 'Opens on the model the paper\'s settings train (shipped with the page), analysed over the test images, without downloading the training set.',
  },
];

// The buttons, by the panel they sit in.
export const ACTIONS = [
  { id: 'train', panel: 'actions', label: 'Train', help: 'Train a fresh model with these settings; the Fisher and the sweep follow.' },
  { id: 'pause', panel: 'actions', label: 'Pause', help: 'Pause or resume training; the result is the same.' },
  { id: 'cancel', panel: 'actions', label: 'Cancel', help: 'Stop whatever is running.' },
  { id: 'preset-paper', panel: 'presets', label: "Paper's settings", help: "MNIST, m = 20, no biases, 10 epochs, batch 1000, Adam 1e-3, seed 42, all 60,000 images; regression Fisher over the training set, 40 log-spaced cutoffs, 3 random seeds, all 10,000 test images." },
  { id: 'preset-classifier', panel: 'presets', label: 'Classifier', help: "The paper's training settings on an MNIST classifier 784 → 32 → 10, with its classification Fisher (classif_logits)." },
  { id: 'preset-authors', panel: 'presets', label: "Authors' code", help: "As the authors' released notebook (reproduce --authors-setup): biases on, Fisher over the test set, the paper's grid, MSE on the first 10 test images." },
  { id: 'share', panel: 'presets', label: 'Copy link', help: 'Copy a link that opens the page with these settings.' },
  { id: 'fisher', panel: 'analysis-actions', label: 'Fisher and sweep', help: 'Compute the Fisher and the sweep again with these settings, on the current model.' },
  { id: 'stop-zero', panel: 'slider', label: 'Λ = 0', help: 'Only the weights whose Fisher value is exactly 0.' },
  { id: 'stop-knee', panel: 'slider', label: 'The knee Λ*', help: 'The largest cutoff whose test loss stays within 1 % of the unpruned model\'s.' },
  { id: 'stop-all', panel: 'slider', label: 'Everything removed', help: 'The largest Fisher value: every weight of the layer removed.' },
  { id: 'flow', panel: 'slider', label: 'Play the RG flow', help: 'Move Λ from 0 to the largest Fisher value; press again to stop.' },
  { id: 'eigen', panel: 'eigen-actions', label: 'Compute the eigen-shells', help: "Each encoder row's 784 × 784 Fisher block over the Fisher's images, its eigendecomposition, and the test MSE with the least-informative directions removed." },
  { id: 'fine-tune', panel: 'fine-tune-actions', label: 'Fine-tune after pruning', help: 'Retrain the kept weights of every scheme at the chosen fractions removed.' },
  { id: 'soft-flow', panel: 'soft-flow-actions', label: 'Run the soft flow', help: 'Draw from the posterior N(E*, 1/(nF + α)) as the evidence n falls to 0.' },
  { id: 'export-csv', panel: 'exports', label: 'Sweep (CSV)', help: 'The sweep table.' },
  { id: 'export-json', panel: 'exports', label: 'Run (JSON)', help: "Settings, losses, Fisher statistics, sweep and knee, in reproduce's schema." },
  { id: 'export-png', panel: 'exports', label: 'Charts (PNG)', help: 'Every chart in one image.' },
  { id: 'export-weights', panel: 'exports', label: 'Weights (safetensors)', help: 'The model, readable by reproduce --weights and by PyTorch.' },
  { id: 'export-fisher', panel: 'exports', label: 'Fisher (.npy)', help: 'Every parameter\'s Fisher value, flat, in the weights\' order: E, D, b_E, b_D; or W_0, b_0, W_1, b_1, ….' },
];

export function defaults() {
  return Object.fromEntries(PARAMS.map((p) => [p.key, p.default]));
}

export const PRESETS = {
  paper: defaults(),
  authors: { ...defaults(), biases: true, 'fisher-split': 'test', grid: 'paper', eval: 10 },
  classifier: { ...defaults(), model: 'classifier', 'fisher-variant': 'classif_logits' },
};

/** What the page calls each model's loss and the layer its shells prune. */
export const MODEL_WORDS = {
  autoencoder: { loss: 'MSE', layer: 'encoder weights' },
  classifier: { loss: 'cross-entropy', layer: 'first-layer weights' },
};

/** Each model's own Fisher, which it takes when the Fisher chosen is the other model's. */
const MODEL_FISHER = { autoencoder: 'regression', classifier: 'classif_logits' };

/**
 * `state` with a Fisher its model has (its own, or the empirical one), and the message saying
 * what changed, if anything did.
 */
export function withModelFisher(state) {
  const variant = state['fisher-variant'];
  const own = MODEL_FISHER[state.model];
  if (variant === 'empirical' || variant === own) return { state };
  return {
    state: { ...state, 'fisher-variant': own },
    problem: `the ${state.model} has no ${variant} Fisher; using its own, ${own}.`,
  };
}

/** Whether `param` applies to `model` (the latent width is the autoencoder's, …). */
export const appliesTo = (param, model) => !param.models || param.models.includes(model);

/** The groups of parameters the workbench reads. */
const WORKBENCH_GROUPS = ['model', 'training', 'analysis', 'fine-tune', 'soft-flow'];

/** The workbench's settings in `state`: its parameters, under their URL keys. */
export const settingsOf = (state) => Object.fromEntries(PARAMS
  .filter((p) => WORKBENCH_GROUPS.includes(p.group) && !p.page).map((p) => [p.key, state[p.key]]));

const BOOLEANS = { 1: true, true: true, 0: false, false: false };

/** The value of `text` for `param`, or the reason it is not one. */
export function parseValue(param, text) {
  if (param.type === 'enum') {
    if (Object.hasOwn(param.options, text) || param.pattern?.test(text)) return { value: text };
    const added = param.pattern ? ', or an added data set (local- and 12 hex digits)' : '';
    return { problem: `is not one of ${Object.keys(param.options).join(', ')}${added}` };
  }
  if (param.type === 'cutoff' && text === 'knee') return { value: text };
  if (param.type === 'prior' && text === 'init') return { value: text };
  if (param.type === 'evidence' && text === 'all') return { value: text };
  if (param.type === 'widths') {
    const values = text.split(',').map((part) => Number(part.trim()));
    if (text.trim() === '' || values.length > 8 ||
        values.some((v) => !Number.isInteger(v) || v < param.min || v > param.max)) {
      return { problem: `is not a list of up to 8 widths from ${param.min} to ${param.max}` };
    }
    return { value: values };
  }
  if (param.type === 'fractions') {
    const values = text.split(',').map((part) => Number(part.trim()));
    if (text.trim() === '' || values.some((v) => !Number.isFinite(v) || v < 0 || v > 1)) {
      return { problem: 'is not a list of fractions between 0 and 1' };
    }
    return { value: values };
  }
  if (param.type === 'origins') {
    const values = text.split(',').map((part) => part.trim()).filter((part) => part !== '');
    // An origin exactly as the browser reports a sender's: scheme, host, optional port.
    if (values.some((v) => !/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(v))) {
      return { problem: 'is not a comma-separated list of origins such as https://course.example.org' };
    }
    return { value: values };
  }
  if (param.type === 'bool') {
    if (Object.hasOwn(BOOLEANS, text)) return { value: BOOLEANS[text] };
    return { problem: 'is not 1 or 0' };
  }
  const number = Number(text);
  const integer = param.type === 'int';
  if (text.trim() === '' || !Number.isFinite(number) || (integer && !Number.isInteger(number))) {
    const words = { knee: "a number or 'knee'", init: "a number or 'init'", all: "a number or 'all'" };
    const kind = integer ? 'a whole number' : words[param.default] ?? 'a number';
    return { problem: `is not ${kind}` };
  }
  if (number < param.min || number > param.max) {
    return { problem: `is outside ${param.min} to ${param.max}` };
  }
  return { value: number };
}

/** What to show next to a control whose text was rejected. */
export function problemMessage(param, text, problem) {
  return `"${text}" ${problem}; using the default, ${formatValue(param, param.default)}.`;
}

export function formatValue(param, value) {
  if (param.type === 'bool') return value ? '1' : '0';
  if (param.type === 'fractions' || param.type === 'widths' || param.type === 'origins') return value.join(',');
  return String(value);
}

/**
 * State from a location hash such as "#dataset=mnist&lr=0.01". Every bad entry falls back to
 * its default and is reported, so a mangled link still opens a working page:
 * `problems` maps a parameter key to its message, `unknown` lists keys that are not parameters.
 */
export function readState(hash) {
  const state = defaults();
  const problems = {};
  const unknown = [];
  for (const [key, text] of new URLSearchParams(hash.replace(/^#/, ''))) {
    const param = PARAMS.find((p) => p.key === key);
    if (!param) { unknown.push(key); continue; }
    const { value, problem } = parseValue(param, text);
    // A key given twice takes its last entry, so a reported problem always means the default.
    if (problem) {
      problems[key] = problemMessage(param, text, problem);
      state[key] = param.default;
    } else {
      state[key] = value;
      delete problems[key];
    }
  }
  // A link naming only the model means that model with its own Fisher: not a problem.
  const fitted = withModelFisher(state);
  const named = new URLSearchParams(hash.replace(/^#/, '')).has('fisher-variant');
  if (fitted.problem && named) problems['fisher-variant'] = fitted.problem;
  return { state: fitted.state, problems, unknown };
}

/**
 * The hash for `state`, every parameter spelled out so a shared link means the same thing even
 * if the defaults change.
 */
export function writeState(state) {
  const entries = PARAMS.map((p) => [p.key, formatValue(p, state[p.key])]);
  return `#${new URLSearchParams(entries)}`;
}

/**
 * The settings the Advanced panel folds away, in one short line: each parameter of the model,
 * training and analysis groups that applies to the model, an option by its text, a number by its
 * short label.
 */
export function settingsSummary(state) {
  return PARAMS.filter((p) => ['model', 'training', 'analysis'].includes(p.group) && appliesTo(p, state.model))
    .map((p) => {
      const value = state[p.key];
      const words = { 'fisher-split': 'Fisher over ', grid: 'cutoffs ' }[p.key] ?? '';
      if (p.type === 'enum') return `${words}${p.options[value] ?? value}`;
      if (p.type === 'bool') return `${p.short ?? p.label} ${value ? 'on' : 'off'}`;
      return `${p.short ?? p.label} ${formatValue(p, value)}`;
    }).join(' · ');
}

/** Examples a second the page assumes before it has timed a run (the paper's run: about 6 s). */
const ASSUMED_EXAMPLES_PER_SECOND = 100_000;

/**
 * Train's label: what pressing it costs, by the last run's speed when there was one, for data of
 * `trainImages` training images (MNIST's 60,000 until the data says).
 */
export function trainLabel(state, examplesPerSecond, trainImages = 60_000) {
  const rate = examplesPerSecond > 0 ? examplesPerSecond : ASSUMED_EXAMPLES_PER_SECOND;
  const seconds = Math.min(state.subset, trainImages) * state.epochs / rate;
  const time = seconds < 90 ? `about ${Math.max(1, Math.round(seconds))} s` : `about ${Math.round(seconds / 60)} min`;
  return `Train, ${time}`;
}

// The page's parameters as one declarative table. It drives the form (form.js), URL parsing and
// validation, the share link (location.hash) and the paper preset. Nothing else reads or writes
// the hash. The defaults are the paper's settings.
export const PARAMS = [
  {
    key: 'dataset', label: 'Dataset', type: 'enum', default: 'mnist',
    options: { mnist: 'MNIST', 'fashion-mnist': 'Fashion-MNIST' },
    help: 'Changing it downloads the other dataset.',
  },
  { key: 'latent', label: 'Latent units m', type: 'int', default: 20, min: 1, max: 256,
    help: 'Width of the code: 784 → m → 784.' },
  { key: 'biases', label: 'Biases', type: 'bool', default: false,
    help: "Off in the paper's text; on in the authors' released code." },
  { key: 'epochs', label: 'Epochs', type: 'int', default: 10, min: 1, max: 1000 },
  { key: 'batch', label: 'Batch size', type: 'int', default: 1000, min: 1, max: 60000 },
  { key: 'lr', label: 'Learning rate', type: 'float', default: 0.001, min: 1e-6, max: 100,
    help: 'Adam step size.' },
  { key: 'seed', label: 'Seed', type: 'int', default: 42, min: 0, max: 4294967295,
    help: 'Seeds the initialisation and the shuffles: the same seed gives the same weights.' },
  { key: 'subset', label: 'Training examples', type: 'int', default: 60000, min: 1, max: 60000,
    help: 'Trains on the first this many training images.' },
];

// The buttons, in page order.
export const ACTIONS = [
  { id: 'train', label: 'Train', help: 'Train a fresh model with these settings.' },
  { id: 'pause', label: 'Pause', help: 'Pause or resume training; the result is the same.' },
  { id: 'cancel', label: 'Cancel', help: 'Stop whatever is running.' },
  { id: 'preset-paper', label: "Paper's settings", help: 'MNIST, m = 20, no biases, 10 epochs, batch 1000, Adam 1e-3, seed 42, all 60,000 images.' },
  { id: 'share', label: 'Copy link', help: 'Copy a link that opens the page with these settings.' },
];

// What the page is doing: document.body.dataset.state.
export const STATES = ['idle', 'loading', 'training', 'paused', 'done', 'error'];

// The states in which each button, and the parameter form, can be used.
const SETTLED = ['idle', 'loading', 'done', 'error'];
export const ENABLED_IN = {
  train: SETTLED,
  pause: ['training', 'paused'],
  cancel: ['loading', 'training', 'paused'],
  'preset-paper': SETTLED,
  share: STATES,
  params: SETTLED,
};

export function defaults() {
  return Object.fromEntries(PARAMS.map((p) => [p.key, p.default]));
}

export const PRESETS = { paper: defaults() };

const BOOLEANS = { 1: true, true: true, 0: false, false: false };

/// The value of `text` for `param`, or the reason it is not one.
export function parseValue(param, text) {
  if (param.type === 'enum') {
    if (Object.hasOwn(param.options, text)) return { value: text };
    return { problem: `is not one of ${Object.keys(param.options).join(', ')}` };
  }
  if (param.type === 'bool') {
    if (Object.hasOwn(BOOLEANS, text)) return { value: BOOLEANS[text] };
    return { problem: 'is not 1 or 0' };
  }
  const number = Number(text);
  const integer = param.type === 'int';
  if (text.trim() === '' || !Number.isFinite(number) || (integer && !Number.isInteger(number))) {
    return { problem: `is not ${integer ? 'a whole number' : 'a number'}` };
  }
  if (number < param.min || number > param.max) {
    return { problem: `is outside ${param.min} to ${param.max}` };
  }
  return { value: number };
}

/// What to show next to a control whose text was rejected.
export function problemMessage(param, text, problem) {
  return `"${text}" ${problem}; using the default, ${formatValue(param, param.default)}.`;
}

export function formatValue(param, value) {
  return param.type === 'bool' ? (value ? '1' : '0') : String(value);
}

/// State from a location hash such as "#dataset=mnist&lr=0.01". Every bad entry falls back to
/// its default and is reported, so a mangled link still opens a working page:
/// `problems` maps a parameter key to its message, `unknown` lists keys that are not parameters.
export function readState(hash) {
  const state = defaults();
  const problems = {};
  const unknown = [];
  for (const [key, text] of new URLSearchParams(hash.replace(/^#/, ''))) {
    const param = PARAMS.find((p) => p.key === key);
    if (!param) { unknown.push(key); continue; }
    const { value, problem } = parseValue(param, text);
    if (problem) problems[key] = problemMessage(param, text, problem);
    else state[key] = value;
  }
  return { state, problems, unknown };
}

/// The hash for `state`, every parameter spelled out so a shared link means the same thing even
/// if the defaults change.
export function writeState(state) {
  const entries = PARAMS.map((p) => [p.key, formatValue(p, state[p.key])]);
  return `#${new URLSearchParams(entries)}`;
}

// The page's parameters as one declarative table: it drives URL parsing and validation, the
// form, and the share link (location.hash). Nothing else reads or writes the hash.
export const PARAMS = [
  {
    key: 'dataset', label: 'Dataset', type: 'enum', default: 'mnist',
    options: { mnist: 'MNIST', 'fashion-mnist': 'Fashion-MNIST' },
  },
];

function parseValue(param, text) {
  if (param.type === 'enum') {
    if (Object.hasOwn(param.options, text)) return { value: text };
    return { problem: `is not one of ${Object.keys(param.options).join(', ')}` };
  }
  const number = Number(text);
  const integer = param.type === 'int';
  if (text.trim() === '' || !Number.isFinite(number) || (integer && !Number.isInteger(number))) {
    return { problem: `is not ${integer ? 'a whole number' : 'a number'}` };
  }
  if (number < param.min || number > param.max) {
    return { problem: `is outside ${param.min}..${param.max}` };
  }
  return { value: number };
}

/// State from a location hash such as "#dataset=mnist"; every bad or unknown entry falls back to
/// its default and is reported in `problems`, so a mangled link still opens a working page.
export function readState(hash) {
  const state = Object.fromEntries(PARAMS.map((p) => [p.key, p.default]));
  const problems = [];
  const entries = new URLSearchParams(hash.replace(/^#/, ''));
  for (const [key, text] of entries) {
    const param = PARAMS.find((p) => p.key === key);
    if (!param) { problems.push(`unknown URL parameter "${key}" ignored`); continue; }
    const { value, problem } = parseValue(param, text);
    if (problem) problems.push(`URL parameter ${key}="${text}" ${problem}; using ${param.default}`);
    else state[key] = value;
  }
  return { state, problems };
}

/// The hash for `state`, listing only values that differ from their defaults.
export function writeState(state) {
  const entries = PARAMS.filter((p) => state[p.key] !== p.default).map((p) => [p.key, String(state[p.key])]);
  const text = new URLSearchParams(entries).toString();
  return text ? `#${text}` : '';
}

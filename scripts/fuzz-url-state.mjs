// Fuzzes the page's URL-state parser (www/state.js) for SECONDS with random and mutated hashes,
// checking what readState promises: it never throws; every parameter of the state it returns is
// valid per the PARAMS table and the Fisher is one the model has; a parameter the hash does not
// mention keeps its default, and one reported as a problem falls back to it (the Fisher to the
// model's own when the default is the other model's); problems and unknown name only parameters and only
// non-parameters; writeState then readState gives the same state back with nothing reported.
// Prints the same line of figures as examples/fuzz and exits 1 on any failure, saving the
// failing hash (JSON-quoted, so lone surrogates survive) under target/fuzz/.
// Run: node scripts/fuzz-url-state.mjs SECONDS [--seed N]
//      node scripts/fuzz-url-state.mjs --replay target/fuzz/crash-url-state-1.json
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PARAMS, PRESETS, defaults, readState, withModelFisher, writeState } from '../www/state.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const crashDir = path.join(root, 'target/fuzz');
const SAVED_CRASHES = 5;
// Hashes that once broke a promise, checked first on every run. A key given twice used to keep
// an earlier good value while reporting the later bad one as "using the default".
const REGRESSIONS = ['#fine-tune-at=0.5&fine-tune-at=2', '#lr=x&lr=0.01', '#seed=7&seed=-1&seed=8&seed=%'];
const KEYS = PARAMS.map((p) => p.key);
// The word each special type accepts besides a number.
const KEYWORDS = { cutoff: 'knee', prior: 'init', evidence: 'all' };

// Values on the edges of what parseValue accepts, and text that trips up URL decoding.
const TOKENS = [
  '', '0', '1', '-1', '-0', '+1', '.5', '5.', '1e3', '1e-7', '1e309', '-1e309', '5e-324',
  'Infinity', '-Infinity', 'NaN', '0x10', '0b1', '0o7', '1_000', ' 1', '1 ', '\t2', '1,2', ',',
  ',,', '0.6,0.75,0.9', '0.5,,0.5', ' , ', 'knee', 'init', 'all', 'true', 'false', 'on', 'yes',
  'mnist', 'fashion-mnist', 'regression', 'empirical', 'classif_logits', 'autoencoder', 'classifier',
  '64,32', '32', '0,32', '1025', '1,2,3,4,5,6,7,8,9', 'train', 'test', 'log', 'paper', 'linear',
  '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '%', '%2', '%zz', '%00',
  '%E2%82', '%F0%9F%98%80', '%26', '%3D', '%23', '\uD800', '\uDFFF', '\u0000', '&', '=', '#', '+',
  '?', ';', '4294967295', '4294967296', '60000', '60001', '256', '257', '1e6', '1e7', '1e9', '1e-6',
  '100', '20', '9007199254740993', String(Number.MAX_VALUE), 'https://a.example', 'http://localhost:8080',
  'https://a.example,http://b.example:1', 'https://a.example/', 'javascript:alert(1)', '*', ...KEYS,
];

/** mulberry32: small, seeded, the same sequence for the same seed. */
function generator(seed) {
  let a = Number(BigInt.asUintN(32, seed ^ (seed >> 32n)));
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const below = (n) => Math.floor(next() * n);
  return { below, pick: (list) => list[below(list.length)] };
}

function randomText(rng, maxLength) {
  const length = rng.below(maxLength);
  let text = '';
  for (let i = 0; i < length; i += 1) {
    // Mostly ASCII, sometimes anywhere in the BMP (lone surrogates included).
    text += String.fromCharCode(rng.below(4) === 0 ? rng.below(0x10000) : 32 + rng.below(95));
  }
  return text;
}

/** A value `parseValue` accepts for `param`, drawn at random. */
function validValue(rng, param) {
  const number = () => param.min + rng.below(1000) / 1000 * (param.max - param.min);
  switch (param.type) {
    case 'enum': return rng.pick(Object.keys(param.options));
    case 'bool': return rng.below(2) === 1;
    case 'int': return Math.round(number());
    case 'fractions': return Array.from({ length: 1 + rng.below(4) }, () => rng.below(1001) / 1000);
    case 'widths': return Array.from({ length: 1 + rng.below(3) }, () => Math.round(number()));
    case 'float': return number();
    case 'origins': return rng.pick([[], ['https://course.example.org'], ['http://localhost:8000', 'https://a.example']]);
    default: return rng.below(3) === 0 ? KEYWORDS[param.type] : number();
  }
}

function validState(rng) {
  const state = { ...rng.pick([defaults(), PRESETS.authors, PRESETS.classifier]) };
  for (const param of PARAMS) if (rng.below(2) === 0) state[param.key] = validValue(rng, param);
  return withModelFisher(state).state;
}

/**
 * One edit of `text`: a slice deleted or doubled, a token or random text inserted, a
 * character replaced.
 */
function mutate(rng, text) {
  const at = rng.below(text.length + 1);
  const end = at + rng.below(8);
  switch (rng.below(5)) {
    case 0: return text.slice(0, at) + text.slice(end);
    case 1: return text.slice(0, end) + text.slice(at, end) + text.slice(end);
    case 2: return text.slice(0, at) + rng.pick(TOKENS) + text.slice(at);
    case 3: return text.slice(0, at) + randomText(rng, 6) + text.slice(at);
    default: return text.slice(0, at) + String.fromCharCode(rng.below(128)) + text.slice(at + 1);
  }
}

/** Entries of parameter (or other) keys and edge, valid or random values, sometimes encoded. */
function entries(rng) {
  const parts = Array.from({ length: rng.below(9) }, () => {
    const param = rng.pick(PARAMS);
    const key = rng.below(5) === 0 ? rng.pick(TOKENS) : param.key;
    const value = [
      () => rng.pick(TOKENS),
      () => String(validValue(rng, param)),
      () => randomText(rng, 12),
    ][rng.below(3)]();
    const encode = rng.below(3) === 0 ? encodeURIComponent : (s) => s;
    const [k, v] = [key, value].map((text) => safeEncode(encode, text));
    return rng.below(10) === 0 ? k : `${k}=${v}`;
  });
  return (rng.below(2) === 0 ? '#' : '') + parts.join(rng.below(10) === 0 ? '&&' : '&');
}

/** encodeURIComponent throws on lone surrogates; those go in raw. */
function safeEncode(encode, text) {
  try { return encode(text); } catch { return text; }
}

function input(rng) {
  switch (rng.below(10)) {
    case 0: return randomText(rng, 200);
    case 1: case 2: case 3: {
      let hash = writeState(validState(rng));
      for (let n = 1 + rng.below(4); n > 0; n -= 1) hash = mutate(rng, hash);
      return hash;
    }
    default: return entries(rng);
  }
}

function valid(param, value) {
  const inRange = (v) => typeof v === 'number' && Number.isFinite(v) && v >= param.min && v <= param.max;
  switch (param.type) {
    case 'enum': return typeof value === 'string' && Object.hasOwn(param.options, value);
    case 'bool': return typeof value === 'boolean';
    case 'int': return Number.isInteger(value) && inRange(value);
    case 'float': return inRange(value);
    case 'fractions': return Array.isArray(value) && value.length > 0 && value.every(inRange);
    case 'widths': return Array.isArray(value) && value.length > 0 && value.length <= 8
      && value.every((v) => Number.isInteger(v) && inRange(v));
    // Origins as a browser names a message's sender: scheme, host and an optional port.
    case 'origins': return Array.isArray(value) && value.every((v) => /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(v));
    default: return value === KEYWORDS[param.type] || inRange(value);
  }
}

// Numbers compare with ===, so -0 equals 0 (formatValue writes both as "0").
const same = (a, b) => (Array.isArray(a) && Array.isArray(b)
  ? a.length === b.length && a.every((v, i) => v === b[i])
  : a === b);

/** Checks readState's promises on `hash`; true if it reported nothing. Throws on a broken one. */
function run(hash) {
  const fail = (what) => { throw new Error(`${what} for ${JSON.stringify(hash)}`); };
  const { state, problems, unknown } = readState(hash);
  const keys = Object.keys(state);
  if (Object.getPrototypeOf(state) !== Object.prototype || keys.length !== KEYS.length
    || !KEYS.every((k) => Object.hasOwn(state, k))) fail(`state has keys ${keys}`);
  const mentioned = new Set(new URLSearchParams(hash.replace(/^#/, '')).keys());
  if (withModelFisher(state).problem) fail(`the ${state.model} has Fisher ${state['fisher-variant']}`);
  // The one rule between parameters: a Fisher the model lacks falls back to the model's own.
  const fallback = (param) => (param.key === 'fisher-variant'
    ? withModelFisher({ ...state, [param.key]: param.default }).state[param.key]
    : param.default);
  for (const param of PARAMS) {
    const value = state[param.key];
    if (!valid(param, value)) fail(`${param.key} = ${JSON.stringify(value)} is not valid`);
    const fellBack = !mentioned.has(param.key) || Object.hasOwn(problems, param.key);
    if (fellBack && !same(value, fallback(param))) {
      fail(`${param.key} = ${JSON.stringify(value)}, not its default, though ${
        mentioned.has(param.key) ? `reported: ${problems[param.key]}` : 'not in the hash'}`);
    }
  }
  for (const [key, message] of Object.entries(problems)) {
    if (!KEYS.includes(key) || typeof message !== 'string') fail(`problem ${key}: ${message}`);
  }
  if (!Array.isArray(unknown) || unknown.some((k) => KEYS.includes(k))) fail(`unknown ${unknown}`);

  const written = writeState(state);
  const again = readState(written);
  if (Object.keys(again.problems).length > 0 || again.unknown.length > 0) {
    fail(`its own hash ${written} reports ${JSON.stringify(again)}`);
  }
  const changed = PARAMS.find((p) => !same(again.state[p.key], state[p.key]));
  if (changed) fail(`${changed.key} does not round-trip through ${written}`);
  if (writeState(again.state) !== written) fail(`the hash ${written} is not stable`);
  return Object.keys(problems).length === 0 && unknown.length === 0;
}

function save(ordinal, hash) {
  const file = path.join(crashDir, `crash-url-state-${ordinal}.json`);
  fs.mkdirSync(crashDir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(hash)}\n`);
  return path.relative(process.cwd(), file);
}

function fuzz(seconds, seed) {
  console.log(`seed ${seed}`);
  const rng = generator(seed);
  const tally = { executions: 0, accepted: 0, rejected: 0, panics: 0 };
  const deadline = performance.now() + seconds * 1000;
  let regressions = 0;
  while (regressions < REGRESSIONS.length || performance.now() < deadline) {
    const hash = regressions < REGRESSIONS.length ? REGRESSIONS[regressions++] : input(rng);
    tally.executions += 1;
    try {
      if (run(hash)) tally.accepted += 1; else tally.rejected += 1;
    } catch (error) {
      tally.panics += 1;
      if (tally.panics <= SAVED_CRASHES) {
        if (tally.panics === 1) {
          console.log(`url-state: failure (seed ${seed}) on a hash of ${hash.length} characters `
            + `starting ${JSON.stringify(hash.slice(0, 40))}: ${error.message}`);
        }
        console.log(`url-state: input saved to ${save(tally.panics, hash)}`);
      }
    }
  }
  const { executions, accepted, rejected, panics } = tally;
  const pad = (n, width) => String(n).padStart(width);
  console.log(`${'url-state'.padEnd(12)} executions ${pad(executions, 10)}  accepted ${pad(accepted, 8)}`
    + `  rejected ${pad(rejected, 10)}  panics ${panics}`);
  return panics;
}

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at < 0 ? undefined : args.splice(at, 2)[1];
};
const replay = option('--replay');
const seedText = option('--seed');
if (replay) {
  const hash = JSON.parse(fs.readFileSync(replay, 'utf8'));
  console.log(`url-state: ${run(hash) ? 'accepted' : 'rejected'}`);
} else {
  const seconds = Number(args[0] ?? 60);
  const seed = BigInt.asUintN(64, seedText === undefined ? BigInt(Date.now()) * 1000003n : BigInt(seedText));
  process.exitCode = fuzz(seconds, seed) > 0 ? 1 : 0;
}

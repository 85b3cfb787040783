// The page's states (document.body.dataset.state) and the events that move it between them: one
// table, as state.js is for parameters. A settled state says what the page holds: 'loading' (no
// data yet), 'idle' (data, no model), 'done' (a model), 'ready' (a model and its analysis),
// 'error'. The busy states are a job's; when a job stops short, the page goes back to the
// settled state it started from ('origin') or to what the job left behind.

export const SETTLED = ['loading', 'idle', 'done', 'ready', 'error'];
export const BUSY = ['training', 'paused', 'fisher', 'sweeping', 'decomposing', 'tuning', 'flowing'];
export const STATES = [...SETTLED, ...BUSY];

/**
 * event → {from: to}. '*' stands for any other state; 'origin' for the settled state the
 * running job started from; an event with no entry for the current state leaves it as it is.
 */
export const TRANSITIONS = {
  // the data
  load: { '*': 'loading' },
  loaded: { loading: 'idle' },
  'load-failed': { '*': 'error' },
  'load-cancelled': { loading: 'idle' },
  // a button starts a job
  train: { '*': 'training' },
  analyse: { '*': 'fisher' },
  import: { '*': 'fisher' },
  eigen: { ready: 'decomposing' },
  'fine-tune': { ready: 'tuning' },
  'soft-flow': { ready: 'flowing' },
  // the worker reports
  paused: { training: 'paused' },
  resumed: { paused: 'training' },
  'fisher-progress': { '*': 'fisher' },
  'sweep-progress': { '*': 'sweeping' },
  trained: { training: 'done', paused: 'done' },
  analysed: { '*': 'ready' },
  'job-done': { '*': 'ready' },
  // a job stops short: training leaves what was there; a new analysis has dropped the last one
  cancelled: {
    training: 'origin', paused: 'origin', fisher: 'done', sweeping: 'done',
    decomposing: 'ready', tuning: 'ready', flowing: 'ready',
  },
  'job-failed': {
    training: 'error', paused: 'error', fisher: 'error', sweeping: 'error',
    decomposing: 'ready', tuning: 'ready', flowing: 'ready',
  },
  'import-failed': { '*': 'origin' },
  // the worker died: with the trained weights kept in the page, or without any
  'worker-died': { '*': 'error' },
  'worker-died-kept': { '*': 'done' },
};

/**
 * The page after `event`.
 * @param {{state: string, origin: string}} page
 * @param {string} event a key of TRANSITIONS
 * @returns {{state: string, origin: string}}
 */
export function transition({ state, origin }, event) {
  const row = TRANSITIONS[event];
  if (!row) throw new Error(`the page has no transition for '${event}'`);
  let next = row[state] ?? row['*'] ?? state;
  if (next === 'origin') next = origin;
  if (SETTLED.includes(state)) origin = state; // a job that starts now comes back here
  else if (event === 'loaded' && origin === 'loading') origin = 'idle'; // the data came meanwhile
  return { state: next, origin };
}

/** The states in which each button, the import and the parameter form can be used. */
export const ENABLED_IN = {
  train: SETTLED,
  pause: ['training', 'paused'],
  cancel: ['loading', ...BUSY],
  'preset-paper': SETTLED,
  'preset-authors': SETTLED,
  'preset-classifier': SETTLED,
  share: STATES,
  fisher: ['done', 'ready'],
  flow: ['ready'],
  // The slider's stops move the view the page holds, whatever job runs beside it.
  'stop-zero': ['ready', 'decomposing', 'tuning', 'flowing'],
  'stop-knee': ['ready', 'decomposing', 'tuning', 'flowing'],
  'stop-all': ['ready', 'decomposing', 'tuning', 'flowing'],
  eigen: ['ready'],
  'fine-tune': ['ready'],
  'soft-flow': ['ready'],
  'export-csv': ['ready'],
  'export-json': ['ready'],
  'export-png': ['ready'],
  'export-weights': ['ready'],
  'export-fisher': ['ready'],
  'import-weights': SETTLED,
  'import-data': SETTLED,
  params: SETTLED,
};

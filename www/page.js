// The page's shared chrome: its state (page-states.js) on document.body.dataset.state, what
// each state enables, the main progress bar and status sentence, the later jobs' own, and the
// error banner.
import { enableFor } from './form.js';
import { transition } from './page-states.js';

const $ = (id) => document.getElementById(id);

let page = { state: 'loading', origin: 'loading' };
let onChange = () => {};

export const pageState = () => page.state;

/** `listener(state)` hears of every change of the page's state (the embedding parent does). */
export function onPageState(listener) {
  onChange = listener;
}

/** Moves the page on by `event` (a key of page-states.js's TRANSITIONS). */
export function dispatch(event) {
  const before = page.state;
  page = transition(page, event);
  document.body.dataset.state = page.state;
  enableFor(page.state);
  if (page.state !== before) onChange(page.state);
}

export function showError(message) {
  $('error-text').textContent = message;
  $('error').hidden = false;
}

export function clearError() {
  $('error-text').textContent = '';
  $('error').hidden = true;
}

export const setStatus = (text) => { $('status').textContent = text; };

/** The notice (a yellow note that does not stop anything), or none for ''. */
export function showNotice(text) {
  $('notice').textContent = text;
  $('notice').hidden = !text;
}

/**
 * A later job's own status and progress, beside its button (`job`: 'eigen', 'fine-tune',
 * 'soft-flow'); `fraction` of it done.
 */
export function setJobStatus(job, text, fraction) {
  $(`${job}-status`).textContent = text;
  $(`${job}-progress`).value = fraction;
}

export function setProgress(value, max) {
  $('progress').max = max;
  $('progress').value = value;
}

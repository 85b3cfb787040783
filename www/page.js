// The page's shared chrome: its state (page-states.js) on document.body.dataset.state, what
// each state enables, the one progress bar, the status sentence and the error banner.
import { enableFor } from './form.js';
import { transition } from './page-states.js';

const $ = (id) => document.getElementById(id);

let page = { state: 'loading', origin: 'loading' };

export const pageState = () => page.state;

/** Moves the page on by `event` (a key of page-states.js's TRANSITIONS). */
export function dispatch(event) {
  page = transition(page, event);
  document.body.dataset.state = page.state;
  enableFor(page.state);
}

export function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
}

export function clearError() {
  $('error').textContent = '';
  $('error').hidden = true;
}

export const setStatus = (text) => { $('status').textContent = text; };

export function setProgress(value, max) {
  $('progress').max = max;
  $('progress').value = value;
}

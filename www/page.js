// The page's shared chrome: the state every panel reads (document.body.dataset.state), the one
// progress bar, the status sentence and the error banner.
import { enableFor } from './form.js';

const $ = (id) => document.getElementById(id);

let current = 'loading';

export const pageState = () => current;

export function setPageState(next) {
  current = next;
  document.body.dataset.state = next;
  enableFor(next);
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

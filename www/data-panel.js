// The data panel: what was downloaded, and the split statistics the worker computed (SPEC.md's
// facts to check a loader against: counts per label, pixel mean and std).
import { clearOffline, offlineCopies } from './shard-cache.js';

const $ = (id) => document.getElementById(id);
const MB = (bytes) => (bytes / 1e6).toFixed(1);

export function clearData() {
  $('data-summary').hidden = true;
  $('data-status').textContent = '';
  delete document.body.dataset.dataLoaded;
}

export function showDataStatus(text) {
  $('data-status').textContent = text;
}

export function showSummary(summary) {
  const rows = ['train', 'test'].map((split) => {
    const s = summary[split];
    return `<tr><th scope="row">${split}</th><td>${s.count}</td><td>${s.label_counts.join(' ')}</td>` +
      `<td>${s.pixel_mean.toFixed(4)}</td><td>${s.pixel_std.toFixed(4)}</td></tr>`;
  });
  $('data-table').tBodies[0].innerHTML = rows.join('');
  $('data-labels-heading').textContent = `images per class ${summary.class_names.join(' ')}`;
  $('data-credit').textContent = summary.credit
    ? `${summary.name}: ${summary.credit}, licence ${summary.licence}.`
    : `${summary.name}: added in this browser; ${summary.rows} × ${summary.cols} pixels, ` +
      `${summary.classes} classes; split ${summary.split}.`;
  $('data-summary').hidden = false;
  document.body.dataset.dataLoaded = summary.dataset;
}

/**
 * Registers the service worker (offline use and fast reloads, sw.js) and wires the offline
 * panel. Where the browser refuses, the page works online and the panel says why.
 */
export function startOffline(datasetNames) {
  names = datasetNames;
  $('clear-offline').addEventListener('click', async () => {
    try {
      await clearOffline();
      await showOffline();
    } catch (error) {
      showOffline(`could not be removed: ${error.message ?? error}`);
    }
  });
  if (!('serviceWorker' in navigator)) {
    showOffline('not available (this browser, or this page in an embed or over plain http, has no service workers)');
    return;
  }
  navigator.serviceWorker.register(new URL('./sw.js', import.meta.url))
    .then(() => showOffline())
    .catch((error) => showOffline(`not available: the service worker did not start (${error.message ?? error})`));
}

let names = {};

/** Shows which datasets are kept for offline use and their size, or `problem`. */
export async function showOffline(problem) {
  const status = $('offline-status');
  if (problem) {
    status.textContent = `Offline copy: ${problem}.`;
    $('clear-offline').hidden = true;
    return;
  }
  let copies;
  try {
    copies = await offlineCopies();
  } catch (error) {
    showOffline(`not available (${error.message ?? error})`);
    return;
  }
  const kept = Object.entries(copies).map(([id, c]) => `${names[id] ?? id} (${MB(c.bytes)} MB, ${c.shards} shards)`);
  status.textContent = kept.length
    ? `Kept for offline use: ${kept.join(', ')}. The page opens and trains without a network.`
    : 'Offline copy: none yet; a dataset is kept once it has loaded.';
  $('clear-offline').hidden = kept.length === 0;
  document.body.dataset.offlineCopies = JSON.stringify(copies);
}

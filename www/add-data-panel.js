// "Add your data": collects the files a visitor picks or drops (with their folder paths), hands
// them to a converter worker (converter.js), shows its progress, and lists the data sets this
// browser keeps (local-data.js), each with a button to remove it.
import { localSets, removeLocal } from './local-data.js';

const $ = (id) => document.getElementById(id);
let worker = null; // the conversion running, if any
let handlers = {};

/**
 * Wires the panel. `onAdded(id)` gets a new data set's id; `onListed(sets)` the kept sets
 * whenever they change; `onRemoved(id)` one the visitor removed.
 */
export function startAddData({ onAdded, onListed, onRemoved }) {
  handlers = { onAdded, onListed, onRemoved };
  for (const id of ['import-data', 'import-data-folder']) {
    $(id).addEventListener('change', (event) => {
      const files = [...event.target.files].map((file) => ({ path: file.webkitRelativePath || file.name, file }));
      event.target.value = '';
      if (files.length) convert(files);
    });
  }
  const panel = $('data');
  panel.addEventListener('dragover', (event) => {
    if (!$('import-data').disabled) event.preventDefault();
  });
  panel.addEventListener('drop', async (event) => {
    if ($('import-data').disabled) return;
    event.preventDefault();
    const entries = [...event.dataTransfer.items].map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
    const files = entries.length
      ? (await Promise.all(entries.map(walk))).flat()
      : [...event.dataTransfer.files].map((file) => ({ path: file.name, file }));
    if (files.length) convert(files);
  });
  $('import-cancel').addEventListener('click', () => finish('Adding the data was cancelled; nothing was kept.'));
  return listSets();
}

/** A dropped file or folder as `[{path, file}]`; a folder also as `{path: 'dir/'}`, so that an
 * empty class folder is seen. */
async function walk(entry) {
  const path = entry.fullPath.replace(/^\//, '');
  if (entry.isFile) return [{ path, file: await new Promise((ok, fail) => entry.file(ok, fail)) }];
  const reader = entry.createReader();
  const children = [];
  for (;;) {
    // readEntries gives at most 100 at a time; an empty batch ends the folder.
    const batch = await new Promise((ok, fail) => reader.readEntries(ok, fail));
    if (!batch.length) break;
    children.push(...batch);
  }
  const inside = await Promise.all(children.map(walk));
  return [{ path: `${path}/` }, ...inside.flat()];
}

/** The data set's name: the one typed, else the folder's or the first file's. */
function nameOf(files) {
  const typed = $('import-name').value.trim();
  if (typed) return typed;
  const first = files[0].path;
  return first.includes('/') ? first.split('/')[0] : first.replace(/\.[^.]*$/, '');
}

async function convert(files) {
  if (worker) return;
  const status = $('import-status');
  status.textContent = `Reading ${files.length} files…`;
  status.classList.remove('error');
  const width = Number($('import-width').value);
  const options = { name: nameOf(files), width: width > 0 ? width : null, resize: $('import-resize').checked, seed: 0 };
  let read;
  try {
    read = await Promise.all(files.map(async ({ path, file }) => ({
      path,
      bytes: file ? new Uint8Array(await file.arrayBuffer()) : new Uint8Array(0),
    })));
  } catch (error) {
    finish(`Could not read the files: ${error.message ?? error}`, true);
    return;
  }
  worker = new Worker(new URL('./converter.js', import.meta.url), { type: 'module' });
  $('import-progress').hidden = false;
  $('import-cancel').hidden = false;
  document.body.dataset.importing = 'true';
  worker.onmessage = ({ data }) => {
    if (data.type === 'progress') showProgress(data);
    else if (data.type === 'packing') packing();
    else if (data.type === 'converted') added(data);
    else finish(`Could not add the data: ${data.message}`, true);
  };
  worker.onerror = (event) => finish(`The converter stopped: ${event.message ?? 'its worker failed'}. Nothing was kept.`, true);
  worker.postMessage({ files: read, options }, read.map((f) => f.bytes.buffer));
}

function showProgress({ unit, done, total }) {
  const bar = $('import-progress');
  bar.max = Math.max(total, 1);
  bar.value = done;
  const amount = unit === 'bytes'
    ? `${(done / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`
    : `${done} of ${total} pictures`;
  $('import-status').textContent = `Converting: ${amount}…`;
}

/** Everything is read; the last step (checking, splitting, compressing) takes a few seconds. */
function packing() {
  $('import-progress').removeAttribute('value'); // indeterminate
  $('import-status').textContent = 'Checking, splitting and compressing the shards…';
}

async function added({ id, name, format, skipped, summary }) {
  const { train, test, rows, cols, classes, split } = summary;
  const left = skipped.length ? ` Left out (neither data nor pictures): ${skipped.join(', ')}.` : '';
  finish(`Added ${name} from ${format}: ${train.count} training and ${test.count} test images of ` +
    `${rows} × ${cols}, ${classes} classes; split ${split}.${left}`);
  document.body.dataset.addedData = id;
  await listSets();
  handlers.onAdded(id);
}

/** Ends the conversion (finished, failed or cancelled) and says `message`. */
function finish(message, failed = false) {
  worker?.terminate();
  worker = null;
  $('import-progress').hidden = true;
  $('import-cancel').hidden = true;
  delete document.body.dataset.importing;
  const status = $('import-status');
  status.textContent = message;
  status.classList.toggle('error', failed);
  if (failed) document.body.dataset.importError = message;
  else delete document.body.dataset.importError;
}

/** Lists the kept data sets with a Remove button each, and tells the page. */
async function listSets() {
  let sets = [];
  try {
    sets = await localSets();
  } catch (error) {
    $('import-status').textContent = `Added data sets cannot be listed: ${error.message ?? error}`;
  }
  const list = $('local-sets');
  list.replaceChildren(...sets.map(({ id, label }) => {
    const item = document.createElement('li');
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = 'Remove';
    remove.title = `Removes ${label} from this browser`;
    remove.addEventListener('click', async () => {
      await removeLocal(id);
      // The page leaves it first, so the list does not name it as missing.
      handlers.onRemoved(id);
      await listSets();
    });
    item.append(`${label} `, remove);
    return item;
  }));
  handlers.onListed(sets);
  return sets;
}

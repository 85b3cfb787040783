// The page's side of its worker (worker.js): one worker for the dataset shown, replaced when the
// dataset changes or the worker dies, and the model the page keeps so that a new worker can take
// it over. Every message to the worker leaves from here.

/** The worker, the dataset it holds, and whether it holds the model too. */
let link = null;
/** The last trained or imported model, {dataset, name, bytes, record}, kept here as well as in
 * the worker: if the worker dies (out of memory in the analysis, say), nothing trained is lost. */
let kept = null;
let importing = null; // the file being imported, kept once the worker accepts it

/**
 * A new worker for `dataset` with a pool of `workers`; `onMessage` gets its messages and
 * `onFailure` a sentence when it stops. Messages from a worker since replaced are dropped.
 * `testOnly`: it loads the test split alone (a pretrained model needs no training images).
 */
export function startWorker(dataset, workers, onMessage, onFailure, { testOnly = false } = {}) {
  stopWorker();
  const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const current = { worker, dataset, hasModel: false, testOnly };
  worker.onmessage = ({ data }) => { if (current === link) onMessage(data); };
  worker.onerror = (event) => {
    if (current !== link) return;
    event.preventDefault();
    const where = event.filename ? ` (${event.filename}:${event.lineno})` : '';
    onFailure(`The background worker stopped: ${event.message || 'it could not start'}${where}.`);
  };
  link = current;
  send({ type: 'load', dataset, workers, testOnly });
}

/** Whether the running worker loads the training images too. */
export const workerHasTrainingSet = () => Boolean(link) && !link.testOnly;

export function stopWorker() {
  link?.worker.terminate();
  link = null;
}

/** The dataset of the running worker, if any. */
export const workerDataset = () => link?.dataset;

export function send(message, transfer = []) {
  link?.worker.postMessage(message, transfer);
}

/**
 * A weights file (a Uint8Array, moved to the worker) to analyse with `settings`, or, with its
 * `record`, the kept model of a worker that died.
 */
export function sendModel({ dataset, name, bytes, record }, settings, workers) {
  if (!record) importing = { dataset, name, bytes: bytes.slice(0), record };
  send({ type: 'import', name, bytes, record, settings, workers }, [bytes.buffer]);
}

/** The kept model of `dataset`, when the running worker does not hold it (it died). */
export const orphanedModel = (dataset) => (!link?.hasModel && kept?.dataset === dataset ? { ...kept, bytes: kept.bytes.slice(0) } : null);

/** Whether the page keeps a model of `dataset`. */
export const keepsModel = (dataset) => kept?.dataset === dataset;

/** The worker's `trained` message: it holds the model, and the page keeps a copy. */
export function trained(dataset, message) {
  link.hasModel = true;
  kept = { dataset, name: 'bayes-renorm-weights.safetensors', bytes: message.weights, record: message.record };
}

/** The worker's `imported` message: a file is kept; a kept model taken over stays as it was. */
export function imported() {
  link.hasModel = true;
  kept = importing ?? kept;
  importing = null;
}

/** The worker refused the file being imported. */
export function importFailed() {
  importing = null;
}

/** The kept model: {name, record} (record null for an imported file), or null. */
export const keptModel = () => kept;

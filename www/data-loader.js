// Downloads a dataset's shards (or reads them from the offline copy, shard-cache.js) and hands
// each to the session, which validates it against the manifest. Jobs that wait for shards are
// woken as each one arrives.
import { cachedShard, forgetShard, pruneStale, storeShard } from './shard-cache.js';
import { LOCAL_PATTERN, localManifest, localShard } from './local-data.js';

/** What a link to a visitor's data says in a browser that does not hold it. */
export const elsewhere = (id) => `This link names data set ${id}, which was added in another browser: ` +
  'data you add lives only in the browser where it was added. Add the same files here with “Add your data” ' +
  '(below, in the Data panel) to open it, or choose another dataset.';

const waiting = new Set(); // resolvers of jobs waiting for shards
let failed = false;

/** Resolves true when another shard has arrived, false once none can come. */
export function dataArrived() {
  if (failed) return Promise.resolve(false);
  return new Promise((resolve) => waiting.add(resolve));
}

function wake(value) {
  for (const resolve of waiting) resolve(value);
  waiting.clear();
}

/** The load failed: jobs waiting for data give up (the error has been reported). */
export function loadFailed() {
  failed = true;
  wake(false);
}

/**
 * The bytes at `url`, reporting each chunk's length to `onChunk`.
 * @param {URL} url
 * @param {(bytes: number) => void} onChunk
 */
async function fetchBytes(url, onChunk) {
  const response = await fetch(url);
  const name = url.pathname.split('/').slice(-3).join('/');
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status} ${response.statusText}`);
  // Some hosts answer a missing file with their own page and status 200.
  const type = response.headers.get('content-type') ?? '';
  if (type.startsWith('text/html')) {
    throw new Error(`${name}: the host sent a web page (${type}) instead of the file; is the file missing on the server?`);
  }
  const reader = response.body.getReader();
  const chunks = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    onChunk(value.byteLength);
  }
  return new Uint8Array(await new Blob(chunks).arrayBuffer());
}

/**
 * Loads `dataset` (a folder under data/) into a new Session, posting progress as it goes.
 * @param {string} dataset
 * @param {typeof import('./bayes-renorm.js').Session} Session
 * @param {(session: object) => void} onSession called once the manifest is read
 * @param {(message: object) => void} post the worker's postMessage
 * @param {{testOnly?: boolean}} options testOnly: the test split's shards alone
 */
export async function loadDataset(dataset, Session, onSession, post, { testOnly = false } = {}) {
  if (LOCAL_PATTERN.test(dataset)) return loadLocal(dataset, Session, onSession, post);
  const base = new URL(`data/${dataset}/`, import.meta.url);
  const manifestText = new TextDecoder().decode(await fetchBytes(new URL('manifest.json', base), () => {}));
  const session = new Session(manifestText, `data/${dataset}/manifest.json`);
  onSession(session);
  const shards = session.shardsToFetch().filter((shard) => !testOnly || shard.split === 'test');
  const total = shards.reduce((sum, s) => sum + s.bytes, 0);
  let loaded = 0; // bytes, downloaded or read from the offline copy
  let downloaded = 0;
  let offlineProblem = null; // why the offline copy is not kept, once known
  // Progress at most every 100 ms and at each shard's end: a message per 64 KB chunk kept the
  // page's thread busy.
  let reported = -Infinity;
  const report = (shard) => {
    reported = performance.now();
    post({ type: 'download', file: shard.file, loaded, total });
  };
  const download = async (shard) => {
    const bytes = await fetchBytes(new URL(shard.file, base), (n) => {
      loaded += n;
      downloaded += n;
      if (performance.now() - reported >= 100) report(shard);
    });
    report(shard);
    return bytes;
  };
  const offline = async (what) => {
    try { return await what(); } catch (error) { offlineProblem ??= String(error.message ?? error); return null; }
  };
  for (const shard of shards) {
    let bytes = offlineProblem ? null : await offline(() => cachedShard(base, shard));
    const kept = bytes !== null;
    if (kept) {
      loaded += bytes.byteLength;
      post({ type: 'download', file: shard.file, loaded, total, kept: true });
    } else {
      bytes = await download(shard);
    }
    try {
      session.addShard(shard.split, shard.file, bytes);
    } catch (error) {
      if (!kept) throw error;
      // A damaged offline copy: drop it and download the shard instead.
      loaded -= bytes.byteLength;
      await offline(() => forgetShard(base, shard));
      bytes = await download(shard);
      session.addShard(shard.split, shard.file, bytes);
      await offline(() => storeShard(base, shard, bytes));
    }
    if (!kept && !offlineProblem) await offline(() => storeShard(base, shard, bytes));
    wake(true);
  }
  // A test-only load leaves the offline copy's training shards alone.
  if (!offlineProblem && !testOnly) await offline(() => pruneStale(base, shards));
  post({ type: 'loaded', summary: session.summary(), bytes: loaded, downloaded, offlineProblem });
}

/** Loads a data set the visitor added (local-data.js): from this browser only, never the network. */
async function loadLocal(id, Session, onSession, post) {
  const manifestText = await localManifest(id);
  if (manifestText === null) throw new Error(elsewhere(id));
  const session = new Session(manifestText, `added data ${id}`);
  onSession(session);
  const shards = session.shardsToFetch();
  const total = shards.reduce((sum, s) => sum + s.bytes, 0);
  let loaded = 0;
  for (const shard of shards) {
    const bytes = await localShard(id, shard.file);
    if (bytes === null) throw new Error(`added data ${id}: ${shard.file} is missing from this browser's copy; remove the data set and add its files again`);
    loaded += bytes.byteLength;
    session.addShard(shard.split, shard.file, bytes);
    post({ type: 'download', file: shard.file, loaded, total, kept: true });
    wake(true);
  }
  post({ type: 'loaded', summary: session.summary(), bytes: loaded, downloaded: 0, offlineProblem: null, added: true });
}

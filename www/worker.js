// Runs the wasm Session off the main thread and reports typed messages:
//   {type: 'download', file, loaded, total}   bytes of the whole dataset so far
//   {type: 'shard', split, file, count}       a shard passed validation
//   {type: 'loaded', summary, bytes, decodeMs}
//   {type: 'error', message}                  what failed and where
import init, { Session } from './bayes-renorm.js';

const ready = init({ module_or_path: new URL('./bayes-renorm_bg.wasm', import.meta.url) });

async function fetchBytes(url, onChunk) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.pathname.split('/').slice(-3).join('/')}: HTTP ${response.status} ${response.statusText}`);
  const reader = response.body.getReader();
  const chunks = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.byteLength;
    onChunk(value.byteLength);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) { bytes.set(chunk, offset); offset += chunk.byteLength; }
  return bytes;
}

async function loadDataset(dataset) {
  await ready;
  const base = new URL(`data/${dataset}/`, import.meta.url);
  const manifestUrl = new URL('manifest.json', base);
  const manifestText = new TextDecoder().decode(await fetchBytes(manifestUrl, () => {}));
  const session = new Session(manifestText, `data/${dataset}/manifest.json`);
  const shards = session.shardsToFetch();
  const total = shards.reduce((sum, s) => sum + s.bytes, 0);
  let loaded = 0;
  let decodeMs = 0;
  for (const shard of shards) {
    const bytes = await fetchBytes(new URL(shard.file, base), (n) => {
      loaded += n;
      postMessage({ type: 'download', file: shard.file, loaded, total });
    });
    const started = performance.now();
    const count = session.addShard(shard.split, shard.file, bytes);
    decodeMs += performance.now() - started;
    postMessage({ type: 'shard', split: shard.split, file: shard.file, count });
  }
  postMessage({ type: 'loaded', summary: session.summary(), bytes: loaded, decodeMs });
  return session;
}

onmessage = async ({ data }) => {
  try {
    if (data.type === 'load') await loadDataset(data.dataset);
  } catch (error) {
    postMessage({ type: 'error', message: error.message ?? String(error) });
  }
};

// The datasets' offline copy: each shard is kept with the Cache API under its SHA-256 from the
// manifest, so a changed manifest misses the cache and its stale shards are dropped. The worker
// loads, stores and prunes; the page shows what is kept and clears it. Where storage is refused
// (some embeds, private windows, a full disk) the page works online and says so.
const SHARDS = 'bayes-renorm-shards';
const MANIFESTS = 'bayes-renorm-manifests'; // sw.js's
const BYTES_HEADER = 'x-shard-bytes';

const keyOf = (base, shard) => new URL(`${shard.file}?sha256=${shard.sha256}`, base).href;
const open = () => caches.open(SHARDS);

/** The kept bytes of `shard` (an entry of the manifest at `base`), or null. */
export async function cachedShard(base, shard) {
  if (!globalThis.caches) return null;
  const response = await (await open()).match(keyOf(base, shard));
  return response ? new Uint8Array(await response.arrayBuffer()) : null;
}

/** Keeps a validated shard. Throws when storage refuses it (the caller reports that). */
export async function storeShard(base, shard, bytes) {
  if (!globalThis.caches) throw new Error('this browser keeps no offline copy here (no Cache API)');
  const headers = { 'content-type': 'application/octet-stream', [BYTES_HEADER]: String(bytes.byteLength) };
  await (await open()).put(keyOf(base, shard), new Response(bytes, { headers }));
}

export async function forgetShard(base, shard) {
  await (await open()).delete(keyOf(base, shard));
}

/** Drops the kept shards under `base` that `shards` (the current manifest) does not list. */
export async function pruneStale(base, shards) {
  const keep = new Set(shards.map((shard) => keyOf(base, shard)));
  const cache = await open();
  for (const request of await cache.keys()) {
    if (request.url.startsWith(base.href) && !keep.has(request.url)) await cache.delete(request);
  }
}

/** What is kept, by dataset id (the folder under data/): {shards, bytes}. */
export async function offlineCopies() {
  if (!globalThis.caches) return {};
  const cache = await open();
  const copies = {};
  for (const request of await cache.keys()) {
    const dataset = new URL(request.url).pathname.split('/').at(-2);
    const response = await cache.match(request);
    const copy = (copies[dataset] ??= { shards: 0, bytes: 0 });
    copy.shards += 1;
    copy.bytes += Number(response.headers.get(BYTES_HEADER));
  }
  return copies;
}

/** Removes every kept dataset and manifest; the next load downloads them again. */
export async function clearOffline() {
  await caches.delete(SHARDS);
  await caches.delete(MANIFESTS);
}

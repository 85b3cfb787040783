// The data sets a visitor added (converted in converter.js): kept with the Cache API under their
// id, `local-` and the first 12 hex digits of the content's SHA-256, apart from the downloads'
// offline copy (shard-cache.js) so that removing that copy never removes a visitor's own data.
// The manifest is written last and removed first: a set without one does not exist.
const LOCAL = 'bayes-renorm-local';
export const LOCAL_PATTERN = /^local-[0-9a-f]{12}$/;

const base = new URL('./local/', import.meta.url);
const keyOf = (id, file) => new URL(`${id}/${file}`, base).href;
const open = () => {
  if (!globalThis.caches) throw new Error('this browser keeps nothing here (no Cache API), so added data cannot be kept');
  return caches.open(LOCAL);
};

/** Keeps a converted data set: `{id, manifest, shards: [{file, bytes}]}`, whole or not at all. */
export async function keepLocal({ id, manifest, shards }) {
  const cache = await open();
  try {
    for (const { file, bytes } of shards) {
      await cache.put(keyOf(id, file), new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } }));
    }
    await cache.put(keyOf(id, 'manifest.json'), new Response(manifest, { headers: { 'content-type': 'application/json' } }));
  } catch (error) {
    await removeLocal(id).catch(() => {});
    throw new Error(`the converted data could not be kept in this browser: ${error.message ?? error}`);
  }
}

/** The manifest text of `id`, or null when this browser does not hold it. */
export async function localManifest(id) {
  const response = await (await open()).match(keyOf(id, 'manifest.json'));
  return response ? response.text() : null;
}

/** The bytes of one kept shard of `id`, or null. */
export async function localShard(id, file) {
  const response = await (await open()).match(keyOf(id, file));
  return response ? new Uint8Array(await response.arrayBuffer()) : null;
}

/** Removes `id`: its manifest first, then its shards (and any left by an interrupted keep). */
export async function removeLocal(id) {
  const cache = await open();
  await cache.delete(keyOf(id, 'manifest.json'));
  for (const request of await cache.keys()) {
    if (request.url.startsWith(keyOf(id, ''))) await cache.delete(request);
  }
}

/** The kept data sets, `[{id, label}]` with label "name (N images, H × W, C classes)". */
export async function localSets() {
  if (!globalThis.caches) return [];
  const cache = await open();
  const sets = [];
  for (const request of await cache.keys()) {
    if (!request.url.endsWith('/manifest.json')) continue;
    const manifest = JSON.parse(await (await cache.match(request)).text());
    const splits = [...manifest.splits.train, ...manifest.splits.test];
    const images = splits.reduce((sum, shard) => sum + shard.count, 0);
    sets.push({ id: manifest.dataset, label: `${manifest.name} (${images} images, ${manifest.rows} × ${manifest.cols}, ${manifest.classes} classes)` });
  }
  return sets.sort((a, b) => a.label.localeCompare(b.label));
}

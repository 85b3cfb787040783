// Offline use: the service worker keeps the app, the worker keeps each shard under its SHA-256.
// A second visit downloads no shard; with the network off the page reloads and trains; a damaged
// kept shard is downloaded again; a changed manifest replaces exactly the shards it changed; the
// Clear button empties the copy.
import fs from 'node:fs';
import path from 'node:path';
import { check, reveal, setControl, waitForState } from './harness.mjs';

const MANIFEST = 'data/mnist/manifest.json';

const keptCopies = (page) => page.evaluate(() => JSON.parse(document.body.dataset.offlineCopies ?? '{}'));
const keptKeys = (page) => page.evaluate(async () =>
  (await (await caches.open('bayes-renorm-shards')).keys()).map((request) => new URL(request.url).pathname.split('/').at(-1) + new URL(request.url).search));

/** Reloads and waits until the data is loaded and the offline panel has caught up. */
async function reloadLoaded(page) {
  await page.reload();
  await waitForState(page, 'idle', 120_000);
  await page.waitForFunction(() => document.body.dataset.offlineCopies !== undefined);
}

export async function offlineScenario({ openPage, override }, distDir) {
  const manifest = JSON.parse(fs.readFileSync(path.join(distDir, MANIFEST), 'utf8'));
  const entries = [...manifest.splits.train, ...manifest.splits.test];
  const totalBytes = entries.reduce((sum, e) => sum + e.bytes, 0);
  const { page, problems, close } = await openPage();
  const context = page.context();

  // First visit: everything downloaded once, then kept.
  await waitForState(page, 'idle', 120_000);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.waitForFunction((count) => JSON.parse(document.body.dataset.offlineCopies ?? '{}').mnist?.shards === count,
    entries.length, { timeout: 60_000 });
  const status = await page.textContent('#offline-status');
  const copies = await keptCopies(page);
  await reveal(page, '#clear-offline');
  check('after the first visit the page says MNIST is kept for offline use, with its size',
    copies.mnist.bytes === totalBytes && status.includes(`MNIST (${(totalBytes / 1e6).toFixed(1)} MB, ${entries.length} shards)`) &&
    await page.isVisible('#clear-offline'), status);

  // Second visit: no shard is downloaded.
  let before = problems.shardRequests;
  await reloadLoaded(page);
  const dataStatus = await page.textContent('#data-status');
  check('a second visit loads every shard from the offline copy, downloading none',
    problems.shardRequests === before && dataStatus.includes('0.0 MB downloaded'), `${problems.shardRequests - before} shard requests; ${dataStatus}`);

  // A damaged kept shard is dropped and downloaded again; a shard of an older manifest is dropped.
  const damaged = manifest.splits.test[1];
  await page.evaluate(async ({ damaged }) => {
    const cache = await caches.open('bayes-renorm-shards');
    const base = new URL('data/mnist/', location.href);
    await cache.put(new URL(`${damaged.file}?sha256=${damaged.sha256}`, base).href, new Response(new Uint8Array(1000)));
    await cache.put(new URL(`${damaged.file}?sha256=${'0'.repeat(64)}`, base).href, new Response(new Uint8Array(10)));
  }, { damaged });
  before = problems.shardRequests;
  await reloadLoaded(page);
  let keys = await keptKeys(page);
  check('a damaged kept shard is downloaded again, and a shard no manifest lists is dropped',
    problems.shardRequests === before + 1 && keys.length === entries.length && !keys.some((k) => k.includes('0'.repeat(64))) &&
    await page.getAttribute('body', 'data-data-loaded') === 'mnist', `${problems.shardRequests - before} shard requests, ${keys.length} kept`);

  // A new deployment changes one shard: its checksum in the manifest changes (here train-11 now
  // holds train-10's images). Exactly that shard is downloaded, and its old copy dropped.
  const [previous, changed] = manifest.splits.train.slice(-2);
  const newManifest = structuredClone(manifest);
  Object.assign(newManifest.splits.train.at(-1), { sha256: previous.sha256, bytes: previous.bytes, count: previous.count });
  override(MANIFEST, Buffer.from(JSON.stringify(newManifest)));
  override(`data/mnist/${changed.file}`, fs.readFileSync(path.join(distDir, 'data/mnist', previous.file)));
  before = problems.shardRequests;
  await reloadLoaded(page);
  keys = await keptKeys(page);
  override(MANIFEST, null);
  override(`data/mnist/${changed.file}`, null);
  check('a changed manifest downloads only the changed shard and drops its stale copy',
    problems.shardRequests === before + 1 && keys.length === entries.length &&
    keys.includes(`${changed.file}?sha256=${previous.sha256}`) && !keys.includes(`${changed.file}?sha256=${changed.sha256}`),
    `${problems.shardRequests - before} shard requests; kept ${keys.filter((k) => k.startsWith(changed.file)).join(', ')}`);
  await reloadLoaded(page); // back to the committed manifest: one shard again

  // The network off: the page reloads from the service worker and trains.
  await context.setOffline(true);
  try {
    before = problems.shardRequests;
    await reloadLoaded(page);
    await setControl(page, 'subset', 2000);
    await setControl(page, 'epochs', 1);
    await setControl(page, 'latent', 4); // four eigendecompositions below, not twenty
    await page.click('#train');
    await waitForState(page, 'ready', 180_000);
    check('offline, the page reloads, loads the kept data and trains to ready',
      problems.shardRequests === before && (await page.textContent('#status')).includes('test MSE'),
      await page.textContent('#status'));
    // The eigensolver's build, which the page has never loaded, came with the app shell.
    await page.click('#eigen');
    await waitForState(page, 'decomposing', 30_000).catch(() => {});
    await waitForState(page, 'ready', 180_000);
    const removed = await page.textContent('#eigen-removed');
    check('offline, the eigen-shells run on the eigensolver\'s cached build', removed.includes('directions'), removed);
  } finally {
    await context.setOffline(false);
  }

  // Clear: nothing is kept, and the panel says so.
  await page.click('#clear-offline');
  await page.waitForFunction(() => document.body.dataset.offlineCopies === '{}');
  check('the Clear button removes the offline copy',
    (await keptKeys(page)).length === 0 && (await page.textContent('#offline-status')).includes('none yet') &&
    !(await page.isVisible('#clear-offline')));
  check('no console errors in the offline scenario', problems.console.length === 0, problems.console.join(' | '));
  await close();
}

// What a host, a user or a second tab can throw at the page: shards sent gzip-encoded, a web page
// instead of a missing shard, a host without the eigensolver's build, a double click on Train,
// two tabs training at once, the largest model the controls allow on full MNIST, and a worker
// that dies in the analysis.
import fs from 'node:fs';
import path from 'node:path';
import { check, figure, pageWorker, waitForState } from './harness.mjs';
import { SMALL } from './training.mjs';

/** Every text #data-status shows while the page loads, from its first moment. */
const recordDataStatus = (page) => page.addInitScript(() => {
  window.dataStatuses = [];
  addEventListener('DOMContentLoaded', () => {
    const element = document.getElementById('data-status');
    new MutationObserver(() => window.dataStatuses.push(element.textContent))
      .observe(element, { childList: true, characterData: true, subtree: true });
  });
});

/** The committed MNIST shards' total size in MB, as the page prints it. */
function shardMegabytes(distDir) {
  const dir = path.join(distDir, 'data', 'mnist');
  const bytes = fs.readdirSync(dir).filter((f) => f.endsWith('.shard'))
    .reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
  return (bytes / 1e6).toFixed(1);
}

export async function hardeningScenarios({ openPage }, distDir) {
  {
    // A host that gzips the shards on the wire: they load, and the byte progress counts the
    // shards' own bytes, never more than the total it shows.
    const { page, problems, close } = await openPage('', recordDataStatus, { gzip: true });
    await page.waitForSelector('body[data-data-loaded="mnist"]', { timeout: 120_000 });
    const statuses = await page.evaluate(() => window.dataStatuses);
    const progress = statuses.map((text) => text.match(/([\d.]+) of ([\d.]+) MB/)).filter(Boolean)
      .map((m) => [Number(m[1]), Number(m[2])]);
    const total = shardMegabytes(distDir);
    const last = statuses.at(-1);
    check('shards sent with Content-Encoding: gzip load, with truthful byte progress',
      progress.length > 3 && progress.every(([loaded, of]) => loaded <= of && of.toFixed(1) === total) &&
      last.includes(`${total} MB downloaded`) && problems.console.length === 0,
      `${progress.length} progress texts, then "${last}"`);
    await close();
  }
  {
    // A host that answers a missing shard with its own HTML page and status 200.
    const { page, close } = await openPage('', (p) => p.route('**/test-01.v1.shard', (route) => route.fulfill({
      status: 200, contentType: 'text/html; charset=utf-8', body: '<!doctype html><title>Page not found</title><h1>Oops</h1>',
    })));
    await page.waitForSelector('#error:not([hidden])', { timeout: 60_000 });
    const error = await page.textContent('#error');
    check('a web page served for a missing shard names the file and says what came instead',
      error.includes('data/mnist/test-01.v1.shard') && error.includes('web page') && !error.includes('magic'), error);
    await close();
  }
  {
    // A host without the eigensolver's build (src/web/eigensolver.rs): the eigen-shells stop
    // with an error naming the file, the trained run stays as it was, and once the file is
    // there the next try loads it. (The worker is pointed at a file the host lacks: by then the
    // service worker fetches for the page, out of reach of the test's routes.) Four latent units:
    // four eigendecompositions instead of twenty, as only the loading is in question.
    const { page, close } = await openPage(`${SMALL}&latent=4`);
    await page.click('#train');
    await waitForState(page, 'ready', 120_000);
    const trained = { digest: await page.getAttribute('body', 'data-weights-digest'), status: await page.textContent('#status') };
    const pointWorkerAt = (file) => pageWorker(page).evaluate((name) => {
      const previous = globalThis.bayesWasmModule.eigenFile;
      globalThis.bayesWasmModule.eigenFile = name;
      return previous;
    }, file);
    const eigenFile = await pointWorkerAt('missing-eigen_bg.wasm');
    await page.click('#eigen');
    await page.waitForSelector('#error:not([hidden])', { timeout: 60_000 });
    await waitForState(page, 'ready', 60_000);
    const error = await page.textContent('#error');
    check('a host without the eigensolver\'s build: the error names the file, the trained run is kept',
      error.includes('missing-eigen_bg.wasm') && (await page.getAttribute('body', 'data-weights-digest')) === trained.digest &&
      (await page.textContent('#status')) === trained.status, error);
    await pointWorkerAt(eigenFile);
    await page.click('#eigen');
    await waitForState(page, 'decomposing', 30_000).catch(() => {});
    await waitForState(page, 'ready', 120_000);
    const removed = await page.textContent('#eigen-removed');
    check('once the eigensolver\'s build is there, the next try runs the eigen-shells', removed.trim().length > 0, removed);
    await close();
  }
  // A double click on Train trains once; two tabs train side by side. Every run gives the
  // weights a single click gives.
  const train = async (page, click) => {
    await waitForState(page, 'idle');
    await click();
    await waitForState(page, 'ready', 120_000);
    return {
      digest: await page.getAttribute('body', 'data-weights-digest'),
      epochs: await page.$$eval('#epoch-table tbody tr', (rows) => rows.length),
    };
  };
  const single = await openPage(SMALL);
  const once = await train(single.page, () => single.page.click('#train'));
  await single.close();
  const double = await openPage(SMALL);
  const twice = await train(double.page, () => double.page.dblclick('#train'));
  check('a double click on Train runs one training, the same as a single click',
    twice.digest === once.digest && twice.epochs === 1 && double.problems.console.length === 0,
    `${twice.epochs} epoch row(s), digest ${twice.digest?.slice(0, 12)} vs ${once.digest?.slice(0, 12)}`);
  await double.close();
  const tabs = [await openPage(SMALL), await openPage(SMALL)];
  const both = await Promise.all(tabs.map(({ page }) => train(page, () => page.click('#train'))));
  check('two tabs training at once each get the single-click weights',
    both.every((run) => run.digest === once.digest && run.epochs === 1),
    both.map((run) => run.digest?.slice(0, 12)).join(', '));
  await Promise.all(tabs.map(({ close }) => close()));

  {
    // The largest model the controls allow (m = 256) on all 60,000 images, then the Fisher and
    // the 40-point sweep: it fits the worker's memory and reaches ready.
    const { page, problems, close } = await openPage('#latent=256&epochs=1');
    await page.click('#train');
    await waitForState(page, 'ready', 600_000);
    const status = await page.textContent('#status');
    const memory = Number(await page.getAttribute('body', 'data-memory-bytes')) / 1e6;
    check('m = 256 on full MNIST with the sweep reaches ready, without errors',
      /test MSE 0\.\d{6}/.test(status) && status.includes('Λ*') && problems.console.length === 0, status);
    figure('m = 256, full MNIST, 1 epoch + Fisher + sweep: peak wasm memory in the worker (MB)', memory.toFixed(1));
    await close();
  }

  {
    // The worker dies in the middle of the analysis, as it would out of memory: the trained
    // weights are kept in the page, and "Fisher and sweep" analyses them in a new worker.
    const { page, close } = await openPage('#subset=2000&epochs=1&eval=10000');
    await page.click('#train');
    await waitForState(page, 'sweeping', 120_000);
    const trained = await page.getAttribute('body', 'data-weights-digest');
    const worker = pageWorker(page);
    await worker.evaluate(() => setTimeout(() => { throw new Error('stopped by the end-to-end test in the sweep'); }));
    await waitForState(page, 'done');
    const error = await page.textContent('#error');
    check('a worker that dies in the analysis says the trained weights are kept, and where to go on',
      error.includes('stopped by the end-to-end test') && error.includes('trained weights are kept') &&
      await page.isEnabled('#fisher'), error);
    await page.click('#fisher');
    await waitForState(page, 'ready', 120_000);
    const status = await page.textContent('#status');
    // The run's record came along: the Fisher averages over the run's 2,000 images, as before.
    check('"Fisher and sweep" takes over the kept run in a new worker: the same weights, the run\'s status and Fisher images',
      (await page.getAttribute('body', 'data-weights-digest')) === trained && status.startsWith('Trained 2,000 images') &&
      status.includes('Fisher over 2,000 images') && status.includes('Λ*'), status);
    await close();
  }
}

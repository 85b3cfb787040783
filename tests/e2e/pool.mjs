// The pool of workers (www/pool.js, www/helper.js; on a cross-origin isolated page the threads of
// www/thread-pool.js, www/helper-thread.js): in training every pool size gives
// reproduce's numbers and the same size the same weights; the sweep is the same bit for bit
// whatever the size, and both pools give the same bits; a helper that cannot run stops the run
// with a message that names it, after which the page still trains.
import fs from 'node:fs';
import path from 'node:path';
import { check, downloadOf, epochTable, relativeError, setControl, waitForState } from './harness.mjs';

// 2,000 images in batches of 100, so every batch is split, with a quick analysis after.
const RUN = '#subset=2000&epochs=1&batch=100&grid=paper&random-seeds=1&eval=1000';

async function train(page) {
  await page.click('#train');
  await waitForState(page, 'ready');
  const [row] = await epochTable(page);
  return {
    row,
    digest: await page.getAttribute('body', 'data-weights-digest'),
    workers: Number(await page.getAttribute('body', 'data-workers')),
    status: await page.textContent('#status'),
  };
}

export async function poolScenario({ openPage, override }, nativeDir) {
  const native = JSON.parse(fs.readFileSync(path.join(nativeDir, 'native-subset-2000-batch-100.json'), 'utf8'));
  const { page, problems, close } = await openPage(RUN);
  const digests = {};
  for (const workers of [1, 2, 3, 2]) {
    await setControl(page, 'workers', workers);
    const run = await train(page);
    check(`${workers} worker(s), 2,000 images in batches of 100: train and test MSE equal reproduce's to 1e-5`,
      run.workers === workers && relativeError(run.row.trainMse, native.train.epoch_losses[0]) < 1e-5 &&
      relativeError(run.row.testMse, native.train.test_mse) < 1e-5,
      `${run.workers} workers: page ${run.row.trainMse.toFixed(7)} / ${run.row.testMse.toFixed(7)}, ` +
      `reproduce ${native.train.epoch_losses[0].toFixed(7)} / ${native.train.test_mse.toFixed(7)}`);
    if (digests[workers]) {
      check(`${workers} workers twice give bit-identical weights`, run.digest === digests[workers],
        `${run.digest.slice(0, 16)} vs ${digests[workers].slice(0, 16)}`);
    }
    digests[workers] = run.digest;
  }
  check('the status names the number of workers', /on 2 workers/.test((await train(page)).status));

  // The same model's sweep (Fisher and sweep pressed again) on 1, 2 and 3 workers.
  const sweeps = {};
  for (const workers of [2, 1, 3]) {
    await setControl(page, 'workers', workers);
    await page.click('#fisher');
    await waitForState(page, 'ready');
    sweeps[workers] = (await downloadOf(page, 'export-csv')).bytes.toString();
  }
  check('the sweep on 2 and 3 workers equals the one on 1, bit for bit (the CSV export)',
    sweeps[1] === sweeps[2] && sweeps[1] === sweeps[3] && sweeps[1].split('\n').length > 20,
    `${sweeps[1].split('\n').length} lines`);
  check('no console errors with a pool', problems.console.length === 0, problems.console.join(' | '));
  check('without the isolation headers (and no service worker yet) the pool passes messages',
    (await page.getAttribute('body', 'data-pool')) === 'messages');
  await close();

  // The same runs on the fast pool: served with dist/_headers' headers the page is cross-origin
  // isolated, and its helpers are threads on the worker's shared memory.
  const fast = await openPage(RUN, async () => {}, { headers: true, serviceWorkers: 'block' });
  check('with _headers\' headers the page is cross-origin isolated and its pool shares memory',
    (await fast.page.evaluate(() => crossOriginIsolated)) &&
    (await fast.page.getAttribute('body', 'data-pool')) === 'threads');
  // 2 last, so that the model is the one whose sweeps were taken above.
  for (const workers of [3, 2]) {
    await setControl(fast.page, 'workers', workers);
    const run = await train(fast.page);
    check(`${workers} workers sharing memory give the message pool's weights bit for bit`,
      run.digest === digests[workers] && run.workers === workers && /sharing memory/.test(run.status),
      `${run.digest.slice(0, 16)} vs ${digests[workers].slice(0, 16)}: ${run.status.slice(0, 90)}`);
  }
  for (const workers of [2, 3]) {
    await setControl(fast.page, 'workers', workers);
    await fast.page.click('#fisher');
    await waitForState(fast.page, 'ready');
    const csv = (await downloadOf(fast.page, 'export-csv')).bytes.toString();
    check(`the sweep on ${workers} workers sharing memory equals the one on 1, bit for bit`, csv === sweeps[1]);
  }
  check('no console errors with the shared-memory pool', fast.problems.console.length === 0,
    fast.problems.console.join(' | '));
  await fast.close();

  // A host that sends no such headers: the service worker adds them, from the second load on.
  const later = await openPage(RUN);
  await later.page.evaluate(() => navigator.serviceWorker.ready);
  await later.page.reload();
  await later.page.waitForFunction(() => document.body.dataset.pool);
  check('on a host without the headers, the service worker isolates the page from its second load',
    (await later.page.evaluate(() => crossOriginIsolated)) &&
    (await later.page.getAttribute('body', 'data-pool')) === 'threads');
  await later.close();

  // A helper whose script fails, of either pool: the run stops with a message naming it; one
  // worker still trains.
  const brokenHelpers = [
    { file: 'helper.js', name: 'helper', named: /helper worker 1 of 1 stopped/, options: {} },
    { file: 'helper-thread.js', name: 'helper thread', named: /helper thread 1 of 1 stopped/,
      options: { headers: true, serviceWorkers: 'block' } },
  ];
  for (const { file, name, named, options } of brokenHelpers) {
    override(file, Buffer.from(`throw new Error('${name} broken by the end-to-end test');`));
    const broken = await openPage(RUN, async () => {}, options);
    try {
      await setControl(broken.page, 'workers', 2);
      await broken.page.click('#train');
      await broken.page.waitForFunction(() => !document.getElementById('error').hidden, null, { timeout: 60_000 });
      const error = await broken.page.textContent('#error');
      check(`a ${name} that cannot start stops the run with a message naming it`, named.test(error), error);
      await setControl(broken.page, 'workers', 1);
      const run = await train(broken.page);
      check(`after a ${name}'s failure, one worker trains to reproduce's numbers`,
        relativeError(run.row.trainMse, native.train.epoch_losses[0]) < 1e-5, run.row.trainMse);
    } finally {
      override(file, null);
      await broken.close();
    }
  }
}

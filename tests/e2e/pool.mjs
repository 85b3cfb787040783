// The pool of workers (www/pool.js, www/helper.js): in training every pool size gives
// reproduce's numbers and the same size the same weights; the sweep is the same bit for bit
// whatever the size; a helper that cannot run stops the run with a message that names it, after
// which the page still trains.
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
  await close();

  // A helper whose script fails: the run stops with a message naming it; one worker still trains.
  override('helper.js', Buffer.from("throw new Error('helper broken by the end-to-end test');"));
  const broken = await openPage(RUN);
  try {
    await setControl(broken.page, 'workers', 2);
    await broken.page.click('#train');
    await broken.page.waitForFunction(() => !document.getElementById('error').hidden, null, { timeout: 60_000 });
    const error = await broken.page.textContent('#error');
    check('a helper that cannot start stops the run with a message naming it',
      /helper worker 1 of 1 stopped/.test(error), error);
    await setControl(broken.page, 'workers', 1);
    const run = await train(broken.page);
    check('after a helper failure, one worker trains to reproduce\'s numbers',
      relativeError(run.row.trainMse, native.train.epoch_losses[0]) < 1e-5, run.row.trainMse);
  } finally {
    override('helper.js', null);
    await broken.close();
  }
}

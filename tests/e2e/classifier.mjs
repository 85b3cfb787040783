// The classifier in the page: a small run opened from a link, against `reproduce --model
// classifier` on the same settings (scripts/test.sh writes native-classifier-2000.json); its
// charts (accuracy panels, predictions, confusion matrix), the slider, the exports, and its
// weights imported into a page that was set to the autoencoder.
import fs from 'node:fs';
import path from 'node:path';
import {
  canvasDrawn, check, downloadOf, epochTable, figure, moveSlider, relativeError, waitForState,
} from './harness.mjs';

// reproduce --model classifier --hidden 32 --subset 2000 --epochs 2 --batch 100
//   --random-seeds 1 --eval-examples 1000 --eigen
export const CLASSIFIER = '#model=classifier&hidden=32&subset=2000&epochs=2&batch=100&random-seeds=1&eval=1000';
const CHARTS = ['loss-chart', 'hockey-stick', 'fisher-hist', 'fisher-maps', 'predictions', 'confusion'];

export async function classifierScenario({ openPage }, nativeDir) {
  const native = JSON.parse(fs.readFileSync(path.join(nativeDir, 'native-classifier-2000.json'), 'utf8'));
  const { page, problems, close } = await openPage(CLASSIFIER);
  check('a link naming the classifier opens with its own Fisher and no complaint',
    await page.inputValue('#fisher-variant') === 'classif_logits' && await page.$eval('#latent-row', (r) => r.hidden) &&
    await page.$eval('#hidden-row', (r) => !r.hidden) && await page.isHidden('#notice'),
    await page.inputValue('#fisher-variant'));
  await waitForState(page, 'idle');
  await page.click('#train');
  await waitForState(page, 'ready', 180_000);

  const table = await epochTable(page);
  const trainGap = Math.max(...table.map((row, e) => relativeError(row.trainMse, native.train.epoch_losses[e])));
  const last = table.at(-1);
  check('each epoch\'s train cross-entropy, and the test cross-entropy and accuracy, equal reproduce\'s to 1e-5',
    table.length === 2 && trainGap < 1e-5 && relativeError(last.testMse, native.train.test_cross_entropy) < 1e-5 &&
    Math.abs(last.testAccuracy - native.train.test_accuracy) < 1e-9,
    `page ${last.testMse.toFixed(6)} / ${(100 * last.testAccuracy).toFixed(2)} %, reproduce ` +
    `${native.train.test_cross_entropy.toFixed(6)} / ${(100 * native.train.test_accuracy).toFixed(2)} %`);
  const status = await page.textContent('#status');
  check('the status states the test accuracy and cross-entropy',
    /test accuracy \d+\.\d\d %, test cross-entropy \d\.\d{6}/.test(status), status);
  for (const id of CHARTS) check(`the classifier's #${id} is drawn`, await canvasDrawn(page, id));
  check('the reconstructions give way to the predictions', await page.isHidden('#recon-view') &&
    await page.isVisible('#predictions-view'));

  const report = JSON.parse((await downloadOf(page, 'export-json')).bytes.toString());
  const rows = report.sweep.rows;
  const gap = (key) => Math.max(...rows.map((row, i) => Math.abs(row[key] - native.sweep.rows[i][key])));
  check('the exported run is the classifier\'s, and every sweep row equals reproduce\'s',
    report.config.model === 'classifier' && rows.length === native.sweep.rows.length &&
    rows.every((row, i) => row.removed === native.sweep.rows[i].removed) &&
    gap('fisher_cross_entropy') < 1e-4 && gap('fisher_accuracy') <= 0.001 && gap('random_accuracy_mean') <= 0.001,
    `largest differences: cross-entropy ${gap('fisher_cross_entropy').toExponential(2)}, accuracy ${gap('fisher_accuracy')}`);
  check('the knee is reproduce\'s', report.sweep.knee?.removed === native.sweep.knee?.removed,
    `page ${report.sweep.knee?.removed}, reproduce ${native.sweep.knee?.removed}`);
  const csv = (await downloadOf(page, 'export-csv')).bytes.toString().split('\n')[0];
  check('the sweep CSV names the cross-entropy and the accuracy',
    csv.startsWith('cutoff,removed,fraction,fisher_cross_entropy,') && csv.includes(',fisher_accuracy,'), csv);

  // The slider: the confusion matrix follows Λ, and at a sweep cutoff it is the sweep's accuracy.
  const caption = () => page.textContent('#confusion-caption');
  const atKnee = await caption();
  const kneeAccuracy = report.sweep.knee ? (100 * report.sweep.knee.accuracy).toFixed(2) : null;
  check('at the knee the confusion matrix\'s accuracy is the sweep\'s', kneeAccuracy !== null &&
    atKnee.includes(`accuracy ${kneeAccuracy} %`), `${atKnee} (sweep ${kneeAccuracy} %)`);
  const before = await page.$eval('#confusion', (c) => c.toDataURL());
  await moveSlider(page, 990);
  const after = await caption();
  check('moving Λ redraws the confusion matrix and its caption', after !== atKnee &&
    await page.$eval('#confusion', (c) => c.toDataURL()) !== before, after);
  await laterJobs(page, native);
  await moveSlider(page, 700);
  await page.screenshot({ path: path.join(nativeDir, 'page-classifier.png'), fullPage: true });
  const weights = await downloadOf(page, 'export-weights');
  const weightsPath = path.join(nativeDir, 'classifier.safetensors');
  fs.writeFileSync(weightsPath, weights.bytes);
  check('no console errors in the classifier run', problems.console.length === 0, problems.console.join(' | '));
  figure('classifier 784 → 32 → 10, 2,000 images × 2 epochs: test accuracy, page vs reproduce',
    `${(100 * last.testAccuracy).toFixed(2)} % vs ${(100 * native.train.test_accuracy).toFixed(2)} %`);
  await close();

  // A page set to the autoencoder takes the classifier's weights as a classifier.
  const fresh = await openPage('#subset=2000&random-seeds=1&eval=1000');
  await waitForState(fresh.page, 'idle');
  await fresh.page.setInputFiles('#import-weights', weightsPath);
  await waitForState(fresh.page, 'ready', 120_000);
  const imported = JSON.parse((await downloadOf(fresh.page, 'export-json')).bytes.toString());
  check('imported classifier weights are analysed as the classifier, and the form follows',
    imported.config.model === 'classifier' && imported.config.fisher_variant === 'classif_logits' &&
    fresh.page.url().includes('model=classifier') && await fresh.page.isVisible('#predictions-view') &&
    imported.sweep.unpruned_cross_entropy === report.sweep.unpruned_cross_entropy,
    `${imported.config.model}, ${imported.config.fisher_variant}, ${fresh.page.url()}`);
  await fresh.close();
}

/** The eigen-shells of the classifier against reproduce's, and fine-tuning with its accuracies. */
async function laterJobs(page, native) {
  const pixels = (id) => page.$eval(`#${id}`, (c) => c.toDataURL());
  const hockey = await pixels('hockey-stick');
  await page.click('#eigen');
  await waitForState(page, 'ready', 300_000);
  const { eigen } = JSON.parse((await downloadOf(page, 'export-json')).bytes.toString());
  const paired = eigen.rows.map((row) => [row, native.eigen.rows.find((r) => r.removed === row.removed)]);
  const gap = Math.max(...paired.filter(([, theirs]) => theirs).map(([ours, theirs]) =>
    relativeError(ours.eigen_mse, theirs.eigen_mse)));
  check('the classifier\'s eigen-shells score reproduce\'s cross-entropy at every count (1e-3), with accuracies, ' +
    'and cross the tolerance where reproduce\'s do (1 % of the directions)',
    paired.every(([, theirs]) => theirs) && gap < 1e-3 && eigen.rows.every((row) => row.eigen_accuracy >= 0) &&
    Math.abs(eigen.within_tolerance?.removed - native.eigen.within_tolerance?.removed) <= 251,
    `largest difference ${gap.toExponential(2)}; crossing page ${eigen.within_tolerance?.removed}, reproduce ${native.eigen.within_tolerance?.removed}`);
  check('the eigen-shells join the hockey stick, and their status names the cross-entropy',
    (await pixels('hockey-stick')) !== hockey && (await page.textContent('#status')).includes('cross-entropy') &&
    await page.isHidden('#eigen-recon'));
  await page.click('#fine-tune');
  await waitForState(page, 'ready', 300_000);
  const rows = await page.$$eval('#fine-tune-table tbody tr', (trs) => trs.map((r) => r.textContent));
  check('fine-tuning the classifier gives each order\'s cross-entropy and accuracy before and after',
    rows.length === 4 && rows.every((r) => / %.* → .* %/.test(r)), rows[0]);
}

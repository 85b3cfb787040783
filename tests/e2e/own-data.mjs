// A visitor's own data in the page: a folder of pictures (scripts/test.sh writes it with
// examples/picture_folder.rs, 1,000 MNIST test digits cropped to 20 × 20, in folders zero … nine)
// is added, trained on and renormalized, with the numbers `convert` and `reproduce --data` give
// for the same folder (native-own-pictures.json). Then: it stays after a reload, a share link
// opened in another browser says where the data lives, bad files get a named error and leave
// nothing, a conversion can be cancelled, and the data set can be removed.
import fs from 'node:fs';
import path from 'node:path';
import { canvasDrawn, check, epochTable, figure, relativeError, reveal, waitForState } from './harness.mjs';

// reproduce --data <the folder, converted> --epochs 2 --batch 50 --latent 8 --random-seeds 1
export const OWN_PICTURES = '#epochs=2&batch=50&latent=8&random-seeds=1';
const CHARTS = ['loss-chart', 'hockey-stick', 'fisher-hist', 'fisher-maps', 'recon'];

/** Adds `files` (a folder path, or file payloads) through `input`; resolves with the outcome. */
async function add(page, input, files) {
  await page.evaluate(() => { delete document.body.dataset.addedData; delete document.body.dataset.importError; });
  const started = performance.now();
  await page.setInputFiles(`#${input}`, files);
  await page.waitForFunction(() => !document.body.dataset.importing &&
    (document.body.dataset.addedData || document.body.dataset.importError), null, { timeout: 120_000 });
  const seconds = (performance.now() - started) / 1e3;
  return page.evaluate((seconds) => ({
    id: document.body.dataset.addedData, error: document.body.dataset.importError,
    status: document.getElementById('import-status').textContent, seconds,
  }), seconds);
}

const datasetOptions = (page) => page.$$eval('#dataset option', (options) => options.map((o) => o.value));

export async function ownDataScenario({ openPage }, nativeDir) {
  const native = JSON.parse(fs.readFileSync(path.join(nativeDir, 'native-own-pictures.json'), 'utf8'));
  const folder = path.join(nativeDir, 'pictures', 'digits');
  const { page, problems, close } = await openPage(OWN_PICTURES);
  await waitForState(page, 'idle');

  const added = await add(page, 'import-data-folder', folder);
  check('a dropped or picked folder of pictures is converted and added',
    added.id && /^local-[0-9a-f]{12}$/.test(added.id) && !added.error, added.error ?? added.status);
  figure('own data: 1,000 pictures added in the page (pictures/s)', (1000 / added.seconds).toFixed(0));
  check('the status gives the split and the size', /858 training and 142 test images of 20 × 20, 10 classes/.test(added.status) &&
    added.status.includes('1/7'), added.status);
  await page.waitForFunction((id) => document.body.dataset.dataLoaded === id, added.id, { timeout: 60_000 });
  const label = await page.$eval('#dataset', (select) => select.selectedOptions[0].textContent);
  check('the dataset list names it with its size and classes, and the link names it',
    label === 'digits (1000 images, 20 × 20, 10 classes)' && page.url().includes(`dataset=${added.id}`), `${label}; ${page.url()}`);
  const credit = await page.textContent('#data-credit');
  check('the data panel states where it is from and how it was split', credit.includes('added in this browser') &&
    credit.includes('held out'), credit);

  await waitForState(page, 'idle');
  await page.click('#train');
  await waitForState(page, 'ready', 180_000);
  const table = await epochTable(page);
  const last = table.at(-1);
  const trainGap = Math.max(...table.map((row, e) => relativeError(row.trainMse, native.train.epoch_losses[e])));
  check('trained on the pictures, each epoch\'s losses equal reproduce --data\'s on the converted folder',
    table.length === 2 && trainGap < 1e-5 && relativeError(last.testMse, native.train.test_mse) < 1e-5,
    `page test MSE ${last.testMse.toFixed(6)}, reproduce ${native.train.test_mse.toFixed(6)}`);
  const knee = await page.evaluate(() => document.body.dataset.removed);
  check('the knee removes as many weights as reproduce\'s', Number(knee) === native.sweep.knee?.removed,
    `page ${knee}, reproduce ${native.sweep.knee?.removed}`);
  for (const id of CHARTS) check(`#${id} is drawn at 20 × 20`, await canvasDrawn(page, id));

  // Kept: a reload lists it and loads it from this browser, with no network for it.
  await page.reload();
  await page.waitForFunction((id) => document.body.dataset.dataLoaded === id, added.id, { timeout: 60_000 });
  check('after a reload the added data set is still there and loads', (await datasetOptions(page)).includes(added.id));

  // A share link in another browser (a fresh context: nothing kept) says where the data lives.
  const elsewhere = await openPage(`#dataset=${added.id}`);
  await elsewhere.page.waitForSelector('#error:not([hidden])', { timeout: 60_000 });
  const message = await elsewhere.page.textContent('#error');
  check('a share link opened in another browser says the data lives only where it was added, and offers the picker',
    message.includes('lives only in the browser where it was added') && message.includes('Add your data') &&
    await elsewhere.page.isEnabled('#import-data'), message);
  await elsewhere.close();

  // Bad files: a named error, and nothing kept.
  const before = await datasetOptions(page);
  const rows = ['label,p0,p1,p2,p3', '0,1,2,3,4', '1,5,6,300,8', '0,9,9,9,9'].join('\n');
  const bad = await add(page, 'import-data', { name: 'marks.csv', mimeType: 'text/csv', buffer: Buffer.from(rows) });
  check('a malformed CSV gets an error naming the file, the line and the column',
    bad.error?.includes('marks.csv') && bad.error.includes('line 3') && bad.error.includes('column 4'), bad.error);
  const zipLike = await add(page, 'import-data', { name: 'pets.zip', mimeType: 'application/zip', buffer: Buffer.from('PK\x03\x04broken') });
  check('a damaged zip gets an error naming it', zipLike.error?.includes('pets.zip'), zipLike.error);
  check('nothing of a failed conversion is listed', JSON.stringify(await datasetOptions(page)) === JSON.stringify(before));

  // Cancel: a 60,000-row CSV, cancelled while it converts.
  const big = Buffer.from(Array.from({ length: 60_000 }, (_, k) => `${k % 3},${Array(64).fill(k % 251).join(',')}`).join('\n'));
  await reveal(page, '#import-data');
  await page.setInputFiles('#import-data', { name: 'big.csv', mimeType: 'text/csv', buffer: big });
  await page.waitForSelector('#import-cancel:not([hidden])');
  await page.waitForFunction(() => /Converting: [1-9]/.test(document.getElementById('import-status').textContent), null, { timeout: 60_000 });
  await page.click('#import-cancel');
  const cancelled = await page.textContent('#import-status');
  check('a conversion can be cancelled, and keeps nothing', cancelled.includes('cancelled') &&
    JSON.stringify(await datasetOptions(page)) === JSON.stringify(before), cancelled);

  // Dropped on the Data panel: a CSV of 3 classes of 2 × 3 images (width given).
  await page.fill('#import-width', '3');
  await page.evaluate(() => { delete document.body.dataset.addedData; });
  await page.evaluate(() => {
    const rows = Array.from({ length: 70 }, (_, k) => `${k % 3},${[0, 1, 2, 3, 4, 5].map((i) => (k * 7 + i * 40) % 256).join(',')}`);
    const transfer = new DataTransfer();
    transfer.items.add(new File([rows.join('\n')], 'tiny.csv', { type: 'text/csv' }));
    document.getElementById('data').dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  });
  await page.waitForFunction(() => document.body.dataset.addedData || document.body.dataset.importError, null, { timeout: 60_000 });
  const dropped = await page.textContent('#import-status');
  // Classes of 24, 23 and 23 rows: round(n / 7) = 3 of each held out.
  check('files dropped on the Data panel are added (a CSV with its image width)',
    /Added tiny from CSV: 61 training and 9 test images of 2 × 3, 3 classes/.test(dropped), dropped);
  await page.fill('#import-width', '');

  // Removing: the one shown (tiny) sends the page back to MNIST; the other just leaves the list.
  const tiny = await page.inputValue('#dataset');
  const gone = (id) => page.waitForFunction((id) => ![...document.querySelectorAll('#dataset option')].some((o) => o.value === id), id);
  await page.click('#local-sets li:has-text("tiny") button');
  await gone(tiny);
  check('removing the data set shown returns the page to MNIST', tiny.startsWith('local-') && await page.inputValue('#dataset') === 'mnist');
  await page.click('#local-sets li:has-text("digits") button');
  await gone(added.id);
  check('a removed data set leaves the list', await page.$$eval('#local-sets li', (items) => items.length) === 0);
  check('no console errors or failed requests', problems.console.length === 0,
    problems.console.join(' | '));
  await close();
}

// "Beyond the paper" in the page, on a 2,000-image model: saliency in the charts and exports,
// fine-tuning after pruning, and the soft flow's evidence slider.
import fs from 'node:fs';
import { canvasDrawn, check, waitForState } from './harness.mjs';
import path from 'node:path';
import { SMALL } from './training.mjs';
import { eigenChecks } from './analysis.mjs';

const pixels = (page, id) => page.$eval(`#${id}`, (c) => c.toDataURL());

async function exported(page, button) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#${button}`)]);
  return fs.readFileSync(await download.path()).toString();
}

/** `native` is reproduce's report for SMALL's settings with the studies it runs. */
export async function studiesScenario({ openPage }, nativeDir) {
  const native = JSON.parse(fs.readFileSync(path.join(nativeDir, 'native-studies-2000.json')));
  const { page, problems, close } = await openPage(`${SMALL}&fine-tune-at=0.5,0.9&soft-samples=2`);
  await waitForState(page, 'idle');
  await page.click('#train');
  await waitForState(page, 'ready');

  const csv = (await exported(page, 'export-csv')).split('\n')[0];
  check('saliency shells are in the sweep and its CSV', csv.includes(',saliency_mse'), csv);
  // The digits' table lists the rows the picture shows.
  await page.click('#recon-data summary');
  const reconRows = await page.$$eval('#recon-table tbody tr', (rows) => rows.map((r) => r.cells[0].textContent));
  check('the reconstructions have a saliency row (four orders under the originals)',
    reconRows.join() === 'Fisher,random,magnitude,saliency', reconRows.join());

  await eigenChecks(page, native);

  const hockey = await pixels(page, 'hockey-stick');
  await page.click('#fine-tune');
  await waitForState(page, 'tuning', 30_000).catch(() => {});
  await waitForState(page, 'ready', 120_000);
  const table = await page.$$eval('#fine-tune-table tbody tr', (rows) => rows.map((r) => r.textContent));
  check('fine-tuning reports every scheme at each fraction, and the unpruned reference',
    table.length === 3 && table[0].startsWith('50 %') && table[1].startsWith('90 %') && table[2].includes('unpruned') &&
    (table[0].match(/→/g) ?? []).length === 4, table.join(' | '));
  check('fine-tuned points are added to the hockey stick', (await pixels(page, 'hockey-stick')) !== hockey);

  await page.click('#soft-flow');
  await waitForState(page, 'ready', 120_000);
  check('the soft flow draws its curve and the posterior-mean digits',
    await canvasDrawn(page, 'soft-flow-chart') && await canvasDrawn(page, 'soft-recon'));
  const atAll = Number(await page.getAttribute('body', 'data-washed-out'));
  const recon = await pixels(page, 'soft-recon');
  await page.$eval('#evidence', (slider) => {
    slider.value = '0';
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    slider.dispatchEvent(new Event('change', { bubbles: true }));
  });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const atNone = Number(await page.getAttribute('body', 'data-washed-out'));
  check('dragging the evidence to 0 washes more weights out and redraws the digits',
    atNone > atAll && (await pixels(page, 'soft-recon')) !== recon && /evidence=0/.test(page.url()),
    `${atAll} → ${atNone} washed out`);

  const report = JSON.parse(await exported(page, 'export-json'));
  check('the exported run holds the eigen-shells, the fine-tuning and the soft flow',
    report.fine_tune?.points?.length === 2 && report.fine_tune.continued.scheme === 'unpruned' &&
    report.eigen?.rows?.length > 0 && report.soft_flow?.alpha === 2352 && report.soft_flow.points.at(-1).evidence === 0 &&
    report.config.schemes.includes('saliency'));
  check('no console errors beyond the paper', problems.console.length === 0, problems.console.join(' | '));

  // α = 0: eq. 38 as written diverges, and the page shows it.
  await page.fill('#soft-alpha', '0');
  await page.dispatchEvent('#soft-alpha', 'change');
  await page.click('#soft-flow');
  await waitForState(page, 'ready', 120_000);
  const literal = JSON.parse(await exported(page, 'export-json')).soft_flow;
  check('with α = 0 the literal flow diverges, and the page shows it',
    literal.alpha === 0 && literal.points[0].predictive_mse > 10 * report.sweep.unpruned_mse,
    `predictive MSE at n = ${literal.points[0].evidence}: ${literal.points[0].predictive_mse.toFixed(3)}`);
  await close();
}

// A study's summary in the page ("Across seeds, widths and data sets"): this project's study
// and a summary `study` wrote in test.sh, with their tables checked against the runs' knees in
// the JSON, the three charts drawn, and a file that is not a summary refused without losing the
// study shown.
import fs from 'node:fs';
import path from 'node:path';
import { canvasDrawn, check, waitForState } from './harness.mjs';

const pixels = (page, id) => page.$eval(`#${id}`, (c) => c.toDataURL());
const tableRows = (page) => page.$$eval('#study-table tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
const status = (page) => page.textContent('#study-status');

export async function studySummaryScenario({ openPage }, nativeDir, distDir) {
  const { page, problems, close } = await openPage('#view=studies');
  await waitForState(page, 'idle');
  await page.click('#study-shipped');
  await page.waitForFunction(() => /cells/.test(document.getElementById('study-status').textContent));
  const shipped = JSON.parse(fs.readFileSync(path.join(distDir, 'data/study/summary.json')));
  const runs = shipped.cells.reduce((sum, cell) => sum + cell.seeds.length, 0);
  check("this project's study opens with every cell and run",
    (await status(page)).includes(`${shipped.cells.length} cells, ${runs} runs`), await status(page));
  // The table's Λ* is the mean of the cell's runs' knees, as computed here from the JSON (to the
  // table's three significant digits).
  const rows = await tableRows(page);
  const mismatched = shipped.cells.filter((cell, i) => {
    const knees = cell.knees.filter((k) => k !== null);
    const mean = knees.reduce((a, b) => a + b, 0) / knees.length;
    const shown = Number(rows[i]?.[3].split(' ')[0]);
    return rows[i]?.[0] !== cell.label || !(Math.abs(shown - mean) <= 0.01 * mean);
  });
  check('the table gives each cell its label and the mean of its seeds\' knees',
    rows.length === shipped.cells.length && mismatched.length === 0, mismatched.map((c) => c.label).join(', '));
  const drawn = [];
  for (const id of ['study-knees', 'study-spread', 'study-hockeys']) drawn.push(await canvasDrawn(page, id));
  check('Λ* against the width, the spread and the hockey sticks are drawn', drawn.every(Boolean), drawn.join());
  const options = await page.$$eval('#study-cell option', (o) => o.map((x) => x.textContent));
  const hockeys = await pixels(page, 'study-hockeys');
  await page.selectOption('#study-cell', String(options.length - 1));
  check('choosing another cell draws its hockey sticks',
    options.length === shipped.cells.length && (await pixels(page, 'study-hockeys')) !== hockeys);

  // A summary the native command wrote in this test (test.sh: target/e2e/study).
  await page.setInputFiles('#study-file', path.join(nativeDir, 'study/summary.json'));
  await page.waitForFunction(() => /summary\.json: /.test(document.getElementById('study-status').textContent));
  check('a summary.json from `study` opens', (await status(page)).includes('2 cells, 4 runs') &&
    (await tableRows(page)).length === 2, await status(page));
  // A reproduce report is not a summary: it is named as what it is, and the study stays.
  await page.setInputFiles('#study-file', path.join(nativeDir, 'native-subset-2000.json'));
  await page.waitForFunction(() => /native-subset/.test(document.getElementById('study-status').textContent));
  const refused = await status(page);
  check('a reproduce report is refused with what it is, and the study shown is kept',
    /a reproduce report, not a study summary.*kept/.test(refused) && (await tableRows(page)).length === 2 &&
    await page.$eval('#study-status', (s) => s.classList.contains('failed')), refused);
  check('no console errors with the study', problems.console.length === 0, problems.console.join(' | '));
  await close();
}

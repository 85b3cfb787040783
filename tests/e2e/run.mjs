// End to end: serves the built page (dist/) under a sub-path, as a static host would, and drives
// it in Debian's Chromium. Usage: node tests/e2e/run.mjs <dist-dir>
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const distDir = path.resolve(process.argv[2] ?? 'dist');
const SUB_PATH = '/course/bayes-renorm/';
const TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png',
};

function serve(root) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (!url.pathname.startsWith(SUB_PATH)) { res.writeHead(404).end(); return; }
    let file = path.join(root, decodeURIComponent(url.pathname.slice(SUB_PATH.length)));
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    if (file.endsWith(path.sep) || file === root) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      if (err) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const checks = [];
function check(name, ok, detail = '') {
  checks.push({ name, ok });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
}

const server = await serve(distDir);
const base = `http://127.0.0.1:${server.address().port}${SUB_PATH}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--no-first-run', '--disable-sync'],
});
// SPEC.md's MNIST facts, and Fashion-MNIST's published balance (6,000 train, 1,000 test per class).
const MNIST_TRAIN = '5923 6742 5958 6131 5842 5421 5918 6265 5851 5949';
const MNIST_TEST = '980 1135 1032 1010 982 892 958 1028 974 1009';

async function openPage(hash = '', setup = async () => {}) {
  const page = await browser.newPage();
  const problems = { console: [], failed: [] };
  page.on('console', (msg) => { if (msg.type() === 'error') problems.console.push(msg.text()); });
  page.on('pageerror', (err) => problems.console.push(String(err)));
  page.on('response', (r) => { if (r.status() >= 400) problems.failed.push(`${r.status()} ${r.url()}`); });
  await setup(page);
  await page.goto(base + hash);
  return { page, problems };
}

const tableRow = (page, split) => page.$$eval(`#data-table tbody tr`, (rows, split) =>
  rows.map((r) => Array.from(r.children, (c) => c.textContent)).find((cells) => cells[0] === split), split);

try {
  {
    const { page, problems } = await openPage();
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    const status = await page.textContent('#wasm-status');
    check('the wasm module loads under a sub-path and runs its self-check', /Module ready/.test(status), status);
    const match = status.match(/loss (\d+\.\d+) → (\d+\.\d+)/);
    check('the in-browser training lowers the loss', match && Number(match[2]) < Number(match[1]), match?.[0]);
    await page.waitForSelector('body[data-data-loaded="mnist"]', { timeout: 120_000 });
    const train = await tableRow(page, 'train');
    const test = await tableRow(page, 'test');
    check('MNIST train split: 60000 images with SPEC.md label counts', train[1] === '60000' && train[2] === MNIST_TRAIN, train.join(' | '));
    check('MNIST test split: 10000 images with SPEC.md label counts', test[1] === '10000' && test[2] === MNIST_TEST, test.join(' | '));
    check('MNIST train pixel mean 0.1307 and std 0.3081', train[3] === '0.1307' && train[4] === '0.3081', `${train[3]} ${train[4]}`);
    const loadStatus = await page.textContent('#data-status');
    console.log(`     ${loadStatus}`);
    check('the page shows no error', await page.isHidden('#error'), await page.textContent('#error'));
    check('no failed requests', problems.failed.length === 0, problems.failed.join(', '));
    check('no console errors', problems.console.length === 0, problems.console.join(' | '));
    await page.screenshot({ path: path.join(distDir, '..', 'target', 'e2e-page.png'), fullPage: true });
    await page.close();
  }
  {
    const { page } = await openPage('#dataset=fashion-mnist');
    await page.waitForSelector('body[data-data-loaded="fashion-mnist"]', { timeout: 120_000 });
    const train = await tableRow(page, 'train');
    check('the URL selects Fashion-MNIST: 6000 training images per class',
      train[1] === '60000' && train[2] === Array(10).fill('6000').join(' '), train.join(' | '));
    check('the dataset control shows the URL state', await page.inputValue('#param-dataset') === 'fashion-mnist');
    await page.close();
  }
  {
    const { page } = await openPage('#dataset=cifar&bogus=1');
    await page.waitForSelector('body[data-data-loaded="mnist"]', { timeout: 120_000 });
    const notice = await page.textContent('#notice');
    check('nonsense URL parameters are named in a notice and defaults are used',
      notice.includes('dataset="cifar"') && notice.includes('"bogus"'), notice);
    await page.close();
  }
  {
    const { page } = await openPage('', (p) => p.route('**/train-03.v1.shard', async (route) => {
      const response = await route.fetch();
      const body = await response.body();
      await route.fulfill({ response, body: body.subarray(0, 1000) });
    }));
    await page.waitForSelector('#error:not([hidden])', { timeout: 120_000 });
    const error = await page.textContent('#error');
    check('a truncated shard gives an error naming the shard and the offset',
      error.includes('train-03.v1.shard') && /truncated/.test(error) && /offset 1000/.test(error), error);
    check('no data is shown after a failed load', await page.isHidden('#data-summary'));
    await page.close();
  }
  {
    const { page } = await openPage('', (p) => p.route('**/test-01.v1.shard', (route) => route.fulfill({ status: 404, body: '' })));
    await page.waitForSelector('#error:not([hidden])', { timeout: 120_000 });
    const error = await page.textContent('#error');
    check('a missing shard gives an error naming the file and HTTP status',
      error.includes('data/mnist/test-01.v1.shard') && error.includes('404'), error);
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}

const failed = checks.filter((c) => !c.ok);
console.log(`${checks.length - failed.length}/${checks.length} end-to-end checks passed`);
process.exit(failed.length ? 1 : 0);

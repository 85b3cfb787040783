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
try {
  const page = await browser.newPage();
  const consoleErrors = [];
  page.on('console', (msg) => { if (msg.type() === 'error') consoleErrors.push(msg.text()); });
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
  const failedRequests = [];
  page.on('response', (r) => { if (r.status() >= 400) failedRequests.push(`${r.status()} ${r.url()}`); });

  await page.goto(base);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
  const status = await page.textContent('#wasm-status');
  check('the wasm module loads under a sub-path and runs its self-check', /Module ready/.test(status), status);
  const match = status.match(/loss (\d+\.\d+) → (\d+\.\d+)/);
  check('the in-browser training lowers the loss', match && Number(match[2]) < Number(match[1]), match?.[0]);
  check('the page shows no error', await page.isHidden('#error'), await page.textContent('#error'));
  check('no failed requests', failedRequests.length === 0, failedRequests.join(', '));
  check('no console errors', consoleErrors.length === 0, consoleErrors.join(' | '));
  await page.screenshot({ path: path.join(distDir, '..', 'target', 'e2e-page.png'), fullPage: true });
} finally {
  await browser.close();
  server.close();
}

const failed = checks.filter((c) => !c.ok);
console.log(`${checks.length - failed.length}/${checks.length} end-to-end checks passed`);
process.exit(failed.length ? 1 : 0);

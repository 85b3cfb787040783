// What every end-to-end scenario needs: the built page served under a sub-path, as a static
// host would serve it; Debian's Chromium; pages with their console errors and failed requests
// collected; named checks; and figures printed at the end.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';

export const SUB_PATH = '/course/bayes-renorm/';
// Under this prefix the same files are served, the shards with `Content-Encoding: gzip`, as
// some hosts do.
const GZIP_PREFIX = '/gzip';
// Under this prefix the same files come with the headers of dist/_headers (the page's, for the
// hosts that read that file), as Netlify or Cloudflare Pages would send them.
const HEADERS_PREFIX = '/headers';
const TYPES = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.wasm': 'application/wasm', '.json': 'application/json', '.png': 'image/png',
};

/**
 * Files served in place of dist's, by path under the sub-path (the offline test changes the
 * manifest as a new deployment would).
 */
const overrides = new Map();

/** The headers a `_headers` file gives every path (its `/*` section). */
function headersFile(root) {
  const headers = {};
  let all = false;
  for (const line of fs.readFileSync(path.join(root, '_headers'), 'utf8').split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    if (!/^\s/.test(line)) { all = line.trim() === '/*'; continue; }
    const [name, ...value] = line.trim().split(':');
    if (all) headers[name.trim().toLowerCase()] = value.join(':').trim();
  }
  return headers;
}

function serve(root) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const gzip = url.pathname.startsWith(GZIP_PREFIX + SUB_PATH);
    const withHeaders = url.pathname.startsWith(HEADERS_PREFIX + SUB_PATH);
    const pathname = gzip ? url.pathname.slice(GZIP_PREFIX.length)
      : withHeaders ? url.pathname.slice(HEADERS_PREFIX.length) : url.pathname;
    if (!pathname.startsWith(SUB_PATH)) { res.writeHead(404).end(); return; }
    let file = path.join(root, decodeURIComponent(pathname.slice(SUB_PATH.length)));
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    if (file.endsWith(path.sep) || file === root) file = path.join(file, 'index.html');
    const relative = path.relative(root, file).split(path.sep).join('/');
    const read = overrides.has(relative) ? (callback) => callback(null, overrides.get(relative))
      : (callback) => fs.readFile(file, callback);
    read((err, body) => {
      if (err) { res.writeHead(404).end(); return; }
      const headers = { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        ...(withHeaders ? headersFile(root) : {}) };
      if (gzip && file.endsWith('.shard')) headers['content-encoding'] = 'gzip';
      res.writeHead(200, headers);
      res.end(headers['content-encoding'] ? zlib.gzipSync(body) : body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const checks = [];
const figures = [];

const started = performance.now();

/** A named check; its line says when it ran (seconds since the start), to see where time goes. */
export function check(name, ok, detail = '') {
  checks.push({ name, ok: Boolean(ok) });
  const at = ((performance.now() - started) / 1e3).toFixed(0).padStart(4);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${at} s  ${name}${detail !== '' ? `: ${detail}` : ''}`);
}

/** A measurement for the report (never asserted on). */
export function figure(name, value) {
  figures.push([name, value]);
  console.log(`     figure: ${name}: ${value}`);
}

export async function start(distDir) {
  const server = await serve(distDir);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--no-first-run', '--disable-sync',
      // For a profile of the running browser (tests/e2e/profile.mjs): V8 flags, say.
      ...(process.env.CHROMIUM_EXTRA_ARGS ?? '').split(' ').filter(Boolean)],
  });
  const base = `http://127.0.0.1:${server.address().port}${SUB_PATH}`;

  /**
   * A fresh page (its own context) at `base + hash`; `setup(page)` runs before it loads;
   * `gzip`: from a host that sends the shards with `Content-Encoding: gzip`;
   * `deviceScaleFactor`: the screen's device pixels per CSS pixel;
   * `headers`: from a host that sends dist/_headers' headers (the page cross-origin isolated);
   * `serviceWorkers`: 'block' keeps the service worker out (it isolates the page from the
   * second load on).
   */
  async function openPage(hash = '', setup = async () => {},
    { gzip = false, deviceScaleFactor = 1, headers = false, serviceWorkers = 'allow' } = {}) {
    const context = await browser.newContext({ permissions: ['clipboard-read', 'clipboard-write'], deviceScaleFactor,
      serviceWorkers });
    const page = await context.newPage();
    const problems = { console: [], failed: [], shardRequests: 0 };
    page.on('console', (msg) => { if (msg.type() === 'error') problems.console.push(msg.text()); });
    page.on('pageerror', (err) => problems.console.push(String(err)));
    page.on('response', (r) => { if (r.status() >= 400) problems.failed.push(`${r.status()} ${r.url()}`); });
    context.on('request', (r) => { if (r.url().endsWith('.shard')) problems.shardRequests += 1; });
    asAUserReaches(page);
    await setup(page);
    const prefix = gzip ? GZIP_PREFIX : headers ? HEADERS_PREFIX : '';
    await page.goto(base.replace(SUB_PATH, prefix + SUB_PATH) + hash);
    return { page, problems, close: () => context.close() };
  }

  /** Stops the browser and the server. */
  async function close() {
    await browser.close();
    server.close();
  }

  /** Stops, prints the figures and the checks; true when every check passed. */
  async function finish() {
    await close();
    const failed = checks.filter((c) => !c.ok);
    console.log('\nfigures:');
    for (const [name, value] of figures) console.log(`  ${name}: ${value}`);
    console.log(`${checks.length - failed.length}/${checks.length} end-to-end checks passed`);
    return failed.length === 0;
  }

  /** Serves `bytes` at `relativePath` (under dist) from now on; null restores dist's file. */
  const override = (relativePath, bytes) => (bytes === null ? overrides.delete(relativePath) : overrides.set(relativePath, bytes));

  return { openPage, finish, close, override, base, browserVersion: browser.version() };
}

/**
 * Opens what holds `selector` as a user would before using it: the tab it is in (the page's
 * views are tabs) and the folded settings (a closed <details>).
 */
export async function reveal(page, selector) {
  await page.$eval(selector, (element) => {
    const panel = element.closest('[role=tabpanel]');
    if (panel?.hidden) document.querySelector(`[role=tab][aria-controls="${panel.id}"]`).click();
    for (let details = element.closest('details:not([open])'); details; details = details.parentElement.closest('details:not([open])')) {
      details.open = true;
    }
  });
}

/** The page's click, fill, check and select first reveal their target (`reveal`). */
function asAUserReaches(page) {
  for (const name of ['click', 'fill', 'setChecked', 'selectOption']) {
    const act = page[name].bind(page);
    page[name] = async (selector, ...rest) => {
      await reveal(page, selector);
      return act(selector, ...rest);
    };
  }
}

/** The page's worker (www/worker.js), the newest if it was replaced: not one of its helpers. */
export const pageWorker = (page) => page.workers().filter((w) => w.url().endsWith('/worker.js')).at(-1);

/** The file that clicking `button` downloads: {name, bytes}. */
export async function downloadOf(page, button) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click(`#${button}`)]);
  return { name: download.suggestedFilename(), bytes: fs.readFileSync(await download.path()) };
}

/** Waits until the page is in `state` (document.body.dataset.state). */
export const waitForState = (page, state, timeout = 120_000) =>
  page.waitForSelector(`body[data-state="${state}"]`, { timeout });

/** Sets a control as a user would, and lets the page see the change. */
export async function setControl(page, id, value) {
  if (typeof value === 'boolean') await page.setChecked(`#${id}`, value);
  else if (await page.$eval(`#${id}`, (el) => el.tagName) === 'SELECT') await page.selectOption(`#${id}`, value);
  else await page.fill(`#${id}`, String(value));
  await page.dispatchEvent(`#${id}`, 'change');
}

/** Moves the slider as a user dragging it would (`input`, then `change` on release). */
export async function moveSlider(page, position) {
  await page.$eval('#lambda', (slider, position) => {
    slider.value = String(position);
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    slider.dispatchEvent(new Event('change', { bubbles: true }));
  }, position);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** True when the canvas has been drawn on: its pixels are not all one colour. */
export const canvasDrawn = (page, id) => page.$eval(`#${id}`, (canvas) => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const colours = new Set();
  for (let i = 0; i < data.length; i += 4 * 97) colours.add(data.slice(i, i + 4).join());
  return colours.size > 5;
});

/**
 * Every number of the epoch table, full precision: [{epoch, trainMse, testMse, seconds,
 * examplesPerSecond, testAccuracy}]. For the classifier the two losses are cross-entropies and
 * the accuracy is there (undefined for the autoencoder).
 */
export const epochTable = (page) => page.$$eval('#epoch-table tbody tr', (rows) => rows.map((row) => {
  const [epoch, trainMse, testMse, seconds, examplesPerSecond, testAccuracy] = Array.from(row.cells, (c) => Number(c.dataset.value));
  return { epoch, trainMse, testMse, seconds, examplesPerSecond, testAccuracy };
}));

export const relativeError = (a, b) => Math.abs(a - b) / Math.abs(b);

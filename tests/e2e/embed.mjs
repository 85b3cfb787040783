// The page as a course widget: #embed=1&pretrained=1 in an 800 × 600 iframe of a course page on
// another origin (docs/embed-example.html, served as a lecturer would), shown without training,
// and driven through the documented messages (www/embed-api.js).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, figure, relativeError } from './harness.mjs';
import { axeCheck } from './axe.mjs';

const EXAMPLE = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../docs/embed-example.html');

/**
 * Serves the course page at http://localhost:<port>/ (another origin than the page's 127.0.0.1),
 * and at /unnamed the same page with a widget whose link names another origin as its parent.
 */
function serveCoursePage(pageUrl) {
  const html = fs.readFileSync(EXAMPLE, 'utf8')
    .replace("const PAGE = 'https://bayes-renorm.example.org/';", `const PAGE = '${pageUrl}';`);
  const unnamed = html.replace('encodeURIComponent(location.origin)', "encodeURIComponent('https://elsewhere.example')");
  const pages = { '/': html, '/unnamed': unnamed };
  const server = http.createServer((req, res) => {
    const body = pages[new URL(req.url, 'http://localhost').pathname];
    if (!body) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'content-type': 'text/html' }).end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The widget's messages the course page has logged: [{type, …}]. */
const logged = (course) => course.$eval('#log', (log) => log.textContent.trim().split('\n').filter(Boolean)
  .map((line) => JSON.parse(line.slice(line.indexOf(' ') + 1))));

const waitForEvent = (course, type, since = 0, timeout = 60_000) => course.waitForFunction(
  ([wanted, from]) => document.getElementById('log').textContent.trim().split('\n').slice(from)
    .some((line) => line.startsWith(`${wanted} `)), [type, since], { timeout });

export async function courseWidgetScenario({ openPage, base }, nativeDir) {
  const native = JSON.parse(fs.readFileSync(path.join(nativeDir, 'native-pretrained.json'), 'utf8'));
  const server = await serveCoursePage(base);
  const courseUrl = `http://localhost:${server.address().port}/`;
  const { page: course, problems, close } = await openPage('', async (page) => {
    await page.setViewportSize({ width: 1000, height: 900 });
  });
  await course.goto(courseUrl);
  const started = Date.now();
  await waitForEvent(course, 'ready');
  figure('#embed=1&pretrained=1: opened to ready, in a course page (s)', ((Date.now() - started) / 1e3).toFixed(1));
  const frame = course.frames().find((f) => f.url().startsWith(base));
  check('the widget reached ready without training', (await frame.$eval('body', (b) => b.dataset.state)) === 'ready' &&
    (await frame.$eval('#epoch-table tbody', (t) => t.rows.length)) === 0);
  check('it downloaded the test shards only', problems.shardRequests === 2, `${problems.shardRequests} shard requests`);
  const ready = (await logged(course)).find((m) => m.type === 'ready');
  check('the paper\'s shipped model scores reproduce --weights\'s test MSE', ready &&
    relativeError(ready.summary.testLoss, native.train.test_mse) < 1e-5,
    `${ready?.summary.testLoss} vs ${native.train.test_mse}`);
  check('its knee over the test images is reproduce\'s', ready &&
    Math.abs(ready.summary.removedAtKnee - native.sweep.knee.removed) <= 5,
    `${ready?.summary.removedAtKnee} vs ${native.sweep.knee.removed}`);
  check('the page says where the model came from and keeps Train',
    (await frame.textContent('#status')).includes('paper\'s trained model') && await frame.isVisible('#train'));

  // It fits the 800 × 600 frame: the slider, the hockey stick, the digits and the result line.
  const boxes = await frame.evaluate(() => Object.fromEntries(['lambda', 'hockey-stick', 'recon', 'removed', 'full-page']
    .map((id) => { const r = document.getElementById(id).getBoundingClientRect(); return [id, [r.left, r.top, r.right, r.bottom]]; })));
  const inFrame = Object.values(boxes).every(([l, t, r, b]) => l >= 0 && t >= 0 && r <= 800 && b <= 600);
  check('the slider, hockey stick, digits, result line and the full page link fit 800 × 600', inFrame, JSON.stringify(boxes));
  const hidden = await frame.evaluate(() => ['exports', 'studies-panel', 'tabs', 'controls-panel']
    .filter((id) => document.getElementById(id).getClientRects().length > 0));
  check('no export buttons, tabs, settings or "beyond" headings in the widget', hidden.length === 0, hidden.join(', '));
  const axe = await axeCheck(frame.page(), 'embed');
  check('embed: no serious or critical axe violations', axe.serious.length === 0, axe.summary);

  // The course page's buttons drive it.
  let seen = (await logged(course)).length;
  await course.click('#knee');
  await waitForEvent(course, 'lambda', seen);
  const lambda = (await logged(course)).slice(seen).find((m) => m.type === 'lambda');
  check('"Go to the knee" moves the widget to Λ*', lambda && lambda.removed === ready.summary.removedAtKnee &&
    Math.abs(lambda.lambda - ready.summary.lambdaStar) <= 1e-6 * ready.summary.lambdaStar, JSON.stringify(lambda));
  seen = (await logged(course)).length;
  await course.click('#random');
  await waitForEvent(course, 'tour', seen);
  check('"Show random pruning" opens the tour at Fisher against random, inside the frame',
    (await frame.textContent('#tour-title')).includes('random') && await frame.isVisible('#tour'));
  const tourBox = await frame.$eval('#tour', (t) => t.getBoundingClientRect().bottom);
  check('the tour box fits the frame', tourBox <= 600, `bottom at ${tourBox}`);

  // Commands by postMessage: settings, a refusal, an export, then Train.
  const send = (message) => course.evaluate((m) => document.getElementById('widget').contentWindow
    .postMessage({ api: 'bayes-renorm', version: 1, ...m }, '*'), message);
  seen = (await logged(course)).length;
  await send({ type: 'lambda', removed: 12000 });
  await send({ type: 'set', settings: { subset: 2000, epochs: 1, eval: 1000, 'random-seeds': 1, lr: 'abc' } });
  await send({ type: 'export', what: 'csv' });
  await waitForEvent(course, 'file', seen);
  const events = (await logged(course)).slice(seen);
  check('a removed count moves the widget there', events.some((m) => m.type === 'lambda' && m.removed >= 12000 && m.removed < 12010),
    JSON.stringify(events.filter((m) => m.type === 'lambda')));
  check('a refused setting is answered by name', events.some((m) => m.type === 'error' && m.command === 'set' &&
    m.message.includes('"abc"')), JSON.stringify(events.filter((m) => m.type === 'error')));
  check('the settings given were applied', (await frame.$eval('#subset', (i) => i.value)) === '2000');
  const file = events.find((m) => m.type === 'file');
  check('an export comes back to the parent as a file', file?.name.endsWith('.csv') &&
    Buffer.from(Object.values(file.bytes)).toString().startsWith('cutoff,removed'), file?.name);
  seen = (await logged(course)).length;
  await send({ type: 'lambda', lambda: 'knee', version: 2 });
  await waitForEvent(course, 'error', seen);
  check('a message of another version is refused, saying which it speaks',
    (await logged(course)).slice(seen).some((m) => m.type === 'error' && m.message.includes('version 1')));
  seen = (await logged(course)).length;
  await course.click('#train');
  await waitForEvent(course, 'ready', seen, 120_000);
  const states = (await logged(course)).slice(seen).filter((m) => m.type === 'state').map((m) => m.state);
  check('"Train" trains in the widget, which reports its states and progress and is ready again',
    states.includes('training') && states.at(-1) === 'ready' &&
    (await logged(course)).slice(seen).some((m) => m.type === 'progress'), states.join(' → '));
  check('the course page shows the widget\'s result line', (await course.textContent('#result')).includes('the knee'));
  check('the course page and widget log no console errors', problems.console.length === 0, problems.console.join(' | '));
  await close();

  // Without #parent=, or from an origin not named, the page listens to no one.
  const { page: other, close: closeOther } = await openPage('');
  await other.goto(`${courseUrl}unnamed`);
  await other.waitForTimeout(3000);
  const widget = other.frames().find((f) => f.url().startsWith(base));
  await other.evaluate(() => document.getElementById('widget').contentWindow
    .postMessage({ api: 'bayes-renorm', version: 1, type: 'tour', step: 2 }, '*'));
  await other.waitForTimeout(500);
  check('a course page on an origin the link does not name is not heard',
    (await other.$eval('#log', (l) => l.textContent)) === '' && await widget.isHidden('#tour'));
  await closeOther();
  server.close();
}

// The page as a lesson: the lab bench's first screen and its experiment in one view at 1280 × 800,
// one column with Train above the fold on a phone, charts drawn at the screen's pixel ratio, the
// slider's travel and stops, the rough edges a visitor review found, the guided tour, and axe in
// every state.
import { check, figure, moveSlider, setControl, waitForState } from './harness.mjs';
import { axeCheck } from './axe.mjs';
import { SMALL } from './training.mjs';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/** The boxes of elements `ids`, in CSS px of the viewport: {id: {left, top, right, bottom}}. */
const boxes = (page, ids) => page.evaluate((list) => Object.fromEntries(list.map((id) => {
  const r = document.getElementById(id).getBoundingClientRect();
  return [id, { left: r.left, top: r.top, right: r.right, bottom: r.bottom }];
})), ids);

const inView = (box, { width, height }) => box.left >= 0 && box.top >= 0 && box.right <= width && box.bottom <= height;

const SENTENCE = /^Removed [\d,]+ of [\d,]+ encoder weights \(\d+\.\d %\); test MSE (≈ )?\d\.\d+, [+−]\d+\.\d % over unpruned\.$/;

export async function lessonScenarios({ openPage }) {
  // ---- the first screen, idle, at 1280 × 800 and on a phone ----
  for (const [name, viewport] of [['1280 × 800', DESKTOP], ['390 × 844', PHONE]]) {
    const { page, close } = await openPage('', (p) => p.setViewportSize(viewport));
    await waitForState(page, 'idle');
    const box = (await boxes(page, ['train']))['train'];
    check(`${name}: Train is on the first screen`, inView(box, viewport), JSON.stringify(box));
    check(`${name}: Train says what it costs`, /^Train, about \d+ (s|min)$/.test(await page.textContent('#train')),
      await page.textContent('#train'));
    const axe = await axeCheck(page, `idle at ${name}`);
    check(`${name}, idle: no serious or critical axe violations`, axe.serious.length === 0, axe.summary);
    await close();
  }

  // ---- the experiment in one view: drag Λ and see the charts change, at 1280 × 800, on a 2× screen ----
  const { page, problems, close } = await openPage(SMALL, async (p) => {
    await p.setViewportSize(DESKTOP);
  });
  await page.click('#train');
  await waitForState(page, 'training');
  const training = await axeCheck(page, 'training');
  check('training: no serious or critical axe violations', training.serious.length === 0, training.summary);
  check('the loss chart is beside Train while training runs', inView((await boxes(page, ['loss-chart']))['loss-chart'], DESKTOP));
  await waitForState(page, 'ready');
  const bench = ['lambda', 'removed', 'hockey-stick', 'fisher-hist', 'recon'];
  let seen = await boxes(page, bench);
  check('the slider, the sentence, the hockey stick, the histogram and the digits are all in view',
    bench.every((id) => inView(seen[id], DESKTOP)), JSON.stringify(seen));
  const ready = await axeCheck(page, 'ready');
  check('ready: no serious or critical axe violations', ready.serious.length === 0, ready.summary);

  const sentence = await page.textContent('#removed');
  check('the line under the slider is a sentence with the test MSE', SENTENCE.test(sentence), sentence);
  await page.click('#stop-knee');
  check('at the knee the MSE is read exactly, within 1 % of unpruned',
    /test MSE \d\.\d+, \+0\.\d %/.test(await page.textContent('#removed')), await page.textContent('#removed'));
  await page.click('#stop-all');
  const all = await page.evaluate(() => [document.body.dataset.removed, document.getElementById('removed').textContent]);
  check('"Everything removed" removes every weight', all[1].startsWith(`Removed ${Number(all[0]).toLocaleString('en')} of ${Number(all[0]).toLocaleString('en')} `), all[1]);
  await page.click('#stop-zero');
  const zeros = await page.evaluate(() => [document.body.dataset.removed, document.getElementById('lambda-help').textContent]);
  check('Λ = 0 removes the exact zeros, and the text beside the slider says how many',
    Number(zeros[0]) > 0 && zeros[1].includes(Number(zeros[0]).toLocaleString('en')), `${zeros[0]}: ${zeros[1]}`);
  const before = await page.$eval('#hockey-stick', (c) => c.toDataURL());
  for (const position of [100, 300, 500, 700]) await moveSlider(page, position);
  seen = await boxes(page, bench);
  check('dragging Λ redraws the hockey stick and keeps the bench in view', before !== await page.$eval('#hockey-stick', (c) => c.toDataURL()) &&
    bench.every((id) => inView(seen[id], DESKTOP)));
  const updates = await page.evaluate(() => performance.getEntriesByName('bayes:slider-update').map((e) => e.duration));
  updates.sort((a, b) => a - b);
  figure('slider update at 1280 × 800, median / max (ms)', `${updates[updates.length >> 1].toFixed(1)} / ${updates.at(-1).toFixed(1)}`);

  // Charts drawn for the screen.
  const sized = await page.$eval('#hockey-stick', (c) => [c.width, c.clientWidth, c.height, c.clientHeight]);
  check('at 1× the hockey stick has one pixel per CSS pixel', Math.abs(sized[0] - sized[1]) <= 1 && Math.abs(sized[2] - sized[3]) <= 1, sized.join(' '));

  // ---- charts that answer a pointer, and the keyboard ----
  const box = async (id) => page.$eval(`#${id}`, (c) => { const r = c.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; });
  const [hx, hy, hw, hh] = await box('hockey-stick');
  await page.mouse.move(Math.round(hx + 0.6 * hw), Math.round(hy + 0.4 * hh));
  await page.waitForSelector('#readout:not([hidden])');
  const hover = await page.textContent('#readout');
  check('hovering the hockey stick reads the count and each order\'s loss there',
    /^[\d,]+ removed \(\d+\.\d %\): test MSE Fisher \d.*; random \d.*; magnitude \d.*; saliency \d/.test(hover), hover);
  const under = Number(hover.match(/^([\d,]+) removed/)[1].replace(/,/g, ''));
  // (A click's coordinates are whole pixels: the hover's are too, so both read one count.)
  await page.mouse.click(Math.round(hx + 0.6 * hw), Math.round(hy + 0.4 * hh));
  const clicked = Number(await page.getAttribute('body', 'data-removed'));
  check('a click on the hockey stick moves Λ to that count', clicked >= under && clicked - under < 5, `${under} → ${clicked}`);
  const [gx, gy, gw, gh] = await box('fisher-hist');
  await page.mouse.move(gx + 0.7 * gw, gy + 0.45 * gh);
  await page.waitForFunction(() => document.getElementById('readout').textContent.startsWith('F from'));
  check('hovering the histogram reads the bin and its count', /^F from \S+ to \S+: [\d,]+ weights$/.test(await page.textContent('#readout')),
    await page.textContent('#readout'));
  await page.mouse.move(2, 2);
  await page.focus('#lambda');
  await page.focus('#hockey-stick');
  const focused = await page.textContent('#readout');
  // It reads the chart at the current count's pixel: within a pixel's worth of weights (15,680 / ~300).
  const read = Number(focused.match(/^([\d,]+) removed/)?.[1].replace(/,/g, ''));
  check('focusing the hockey stick reads the current count', await page.isVisible('#readout') &&
    Math.abs(read - clicked) <= 60, focused);
  await page.keyboard.press('ArrowRight');
  const stepped = Number(await page.getAttribute('body', 'data-removed'));
  check('its arrow keys move Λ to the next swept count', stepped > clicked, `${clicked} → ${stepped}`);

  // ---- the rough edges ----
  // Where each element sits in its scrolling column (the side panel scrolls on its own).
  const layout = () => page.evaluate((ids) => JSON.stringify(ids.map((id) => {
    const element = document.getElementById(id);
    const side = document.getElementById('side');
    const top = element.getBoundingClientRect().top + (side.contains(element) ? side.scrollTop : scrollY);
    return [Math.round(element.getBoundingClientRect().left), Math.round(top)];
  })), ['hockey-stick', 'train', 'lambda', 'epochs', 'seed']);
  await page.click('#controls-details summary');
  const settled = await layout();
  await setControl(page, 'lr', 'abc');
  check('a rejected value is named in its message', (await page.textContent('#lr-problem')).includes('"abc"'),
    await page.textContent('#lr-problem'));
  check('the field shows the value used', (await page.$eval('#lr', (i) => i.value)) === '0.001');
  check('the message does not move the layout', await layout() === settled);
  await page.setInputFiles('#import-weights', { name: 'broken.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from('not weights') });
  await page.waitForSelector('#error:not([hidden])');
  check('an error message does not move the layout', await layout() === settled);
  await page.click('#error-dismiss');
  check('the error can be dismissed', await page.isHidden('#error'));
  await setControl(page, 'lr', '0.001');
  await setControl(page, 'subset', '5');
  await page.click('#train');
  const words = await page.textContent('#notice');
  check('too few examples for a batch is said in words', words.startsWith('5 training examples are fewer than one batch of 1,000'), words);
  await waitForState(page, 'ready');
  check('and the 5 examples train', (await page.textContent('#status')).includes('Trained 5 images'));
  check('no console errors', problems.console.length === 0, problems.console.join(' | '));
  await close();

  // ---- sharp on a 2× screen, readable on a phone ----
  for (const [name, viewport, scale] of [['2× screen', DESKTOP, 2], ['390 px phone', PHONE, 3]]) {
    const { page: p, close: c } = await openPage(`${SMALL}&autorun=1`, async (pg) => {
      await pg.setViewportSize(viewport);
    }, { deviceScaleFactor: scale });
    await waitForState(p, 'ready');
    const s = await p.$eval('#hockey-stick', (canvas) => [canvas.width, canvas.clientWidth, devicePixelRatio]);
    check(`${name}: the hockey stick has ${scale} pixels per CSS pixel`, Math.abs(s[0] - s[1] * s[2]) <= s[2], s.join(' '));
    if (viewport === PHONE) {
      const overflow = await p.evaluate(() => document.scrollingElement.scrollWidth - innerWidth);
      check('the phone layout is one column that fits the width', overflow <= 0, `${overflow} px too wide`);
      const order = await boxes(p, ['train', 'loss-chart', 'lambda', 'hockey-stick', 'fisher-hist', 'recon']);
      const tops = Object.values(order).map((b) => b.top);
      check('on the phone: Train, the loss, the slider, the hockey stick, the histogram, the digits, in order',
        tops.every((t, i) => i === 0 || t > tops[i - 1]), tops.map((t) => t.toFixed(0)).join(' '));
    }
    await c();
  }

  // ---- the guided tour ----
  const tour = await openPage(`${SMALL}&tour=1`, (p) => p.setViewportSize(DESKTOP));
  const t = tour.page;
  await t.waitForSelector('#tour:not([hidden])');
  check('#tour=1 opens the tour at the claim', (await t.textContent('#tour-title')) === 'The claim');
  await t.keyboard.press('ArrowRight');
  check('the arrow key opens step 2, which trains when nothing is', (await t.textContent('#tour-title')) === 'Training' &&
    ['loading', 'training'].includes(await t.getAttribute('body', 'data-state')));
  await waitForState(t, 'ready');
  const tourAxe = await axeCheck(t, 'tour');
  check('tour: no serious or critical axe violations', tourAxe.serious.length === 0, tourAxe.summary);
  await t.click('#tour-next');
  await t.click('#tour-next');
  const atKnee = await t.evaluate(() => [document.getElementById('tour-title').textContent, document.body.dataset.removed,
    document.getElementById('removed').textContent, location.hash]);
  check('step 4 moves Λ to the knee and the URL says so', atKnee[0].includes('knee') && atKnee[3].includes('tour=4') &&
    /\+0\.\d % over unpruned/.test(atKnee[2]), atKnee.join(' | '));
  await t.click('#tour-back');
  check('Back opens the step before', (await t.textContent('#tour-title')) === 'The Fisher spectrum');
  for (let i = 0; i < 4; i++) await t.click('#tour-next');
  check('step 7 opens the studies tab at the eigen-shells', await t.isVisible('#eigen-heading') &&
    (await t.textContent('#tour-title')).includes('eigen'));
  await t.click('#tour-next');
  check('the tour ends at the soft flow', (await t.textContent('#tour-title')).includes('soft flow') &&
    (await t.textContent('#tour-next')) === 'Finish');
  await t.click('#tour-next');
  check('Finish closes the tour', await t.isHidden('#tour') && (await t.evaluate(() => location.hash)).includes('tour=0'));
  await tour.close();
  const linked = await openPage(`${SMALL}&tour=6&embed=1`, (p) => p.setViewportSize({ width: 800, height: 600 }));
  await linked.page.waitForSelector('#tour:not([hidden])');
  check('a lecturer\'s link opens a step straight away, in embed mode too',
    (await linked.page.textContent('#tour-title')) === 'The reconstructions');
  await linked.close();
}

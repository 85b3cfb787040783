// The charts answer a pointer: what is under it, in a small box beside it (the hockey stick: each
// order's loss at that count; the histogram: the bin; a Fisher map: the weight's F; a digit: its
// MSE), and a click on the hockey stick moves Λ there. The wasm module finds what is under the
// pointer (AnalysisView's *At methods, from the same layout the drawing uses); this file only
// formats it. Work happens on pointer moves alone, at most once a frame, never on a slider move.
import { MODEL_WORDS } from './state.js';

const $ = (id) => document.getElementById(id);
const thousands = (n) => Math.round(n).toLocaleString('en');
const fixed = (x) => (x == null ? '–' : x.toPrecision(4));
const percent = (x) => `${(100 * x).toFixed(1)} %`;

/** What each chart says of the point under the pointer: (view, canvas, x, y, context) → text | null. */
const READERS = {
  'hockey-stick': (view, canvas, x, y, { model }) => {
    const at = view.hockeyAt(canvas, x, y);
    if (!at) return null;
    const { loss } = MODEL_WORDS[model];
    const schemes = [['Fisher', at.fisher, at.fisherAccuracy], ['random', at.random, at.randomAccuracy],
      ['magnitude', at.magnitude, at.magnitudeAccuracy], ['saliency', at.saliency, at.saliencyAccuracy],
      ['eigen-shells', at.eigen, null]].filter(([, value]) => value != null);
    const lines = schemes.map(([name, value, accuracy]) =>
      `${name} ${fixed(value)}${accuracy == null ? '' : `, ${percent(accuracy)} right`}`);
    return `${thousands(at.removed)} removed (${percent(at.fraction)}): test ${loss} ${lines.join('; ')}. Click to move Λ here.`;
  },
  'fisher-hist': (view, canvas, x, y, { histLog }) => {
    const bin = view.histogramAt(canvas, histLog, x, y);
    return bin && `F from ${bin.from.toExponential(2)} to ${bin.to.toExponential(2)}: ${thousands(bin.count)} weights`;
  },
  'fisher-maps': (view, canvas, x, y) => {
    const at = view.mapsAt(canvas, x, y);
    return at && `Unit ${at.unit + 1}, pixel row ${at.row + 1}, column ${at.col + 1}: F = ${at.fisher.toExponential(3)}`;
  },
  predictions: (view, canvas, x, y, { cutoff }) => {
    const at = view.predictionsAt(canvas, x, y, cutoff);
    return at && `${at.row}, a ${at.label}` + (at.predicted == null ? ''
      : `: answers ${at.predicted} with probability ${(100 * at.probability).toFixed(1)} %`);
  },
  confusion: (view, canvas, x, y, { cutoff }) => {
    const at = view.confusionAt(canvas, x, y, cutoff);
    return at && `True ${at.truth}, predicted ${at.predicted}: ${thousands(at.count)} images ` +
      `(${percent(at.share)} of the ${at.truth}s)`;
  },
  recon: (view, canvas, x, y, { cutoff }) => {
    const at = view.reconAt(canvas, x, y, cutoff);
    return at && `${at.label}, digit ${at.digit + 1}${at.mse == null ? '' : `: MSE ${at.mse.toFixed(4)}`}`;
  },
};

/** The pointer in CSS px from the canvas's drawing area's top-left (inside its border). */
function inCanvas(canvas, event) {
  const rect = canvas.getBoundingClientRect();
  return { x: event.clientX - rect.left - canvas.clientLeft, y: event.clientY - rect.top - canvas.clientTop };
}

/**
 * Wires the readouts. `context()` gives {view, model, histLog, cutoff} (the analysis panel's), and
 * `moveTo(where)` moves Λ (analysis-panel.js).
 */
export function setupReadouts(context, moveTo) {
  const box = $('readout');
  let queued = null;
  const hide = () => { box.hidden = true; };
  /** Shows `text` with its top-left near (clientX, clientY), kept inside the window. */
  const place = (text, clientX, clientY) => {
    if (!text) { hide(); return; }
    box.textContent = text;
    box.hidden = false;
    const left = Math.min(clientX + 14, innerWidth - box.offsetWidth - 8);
    const top = clientY + 18 + box.offsetHeight > innerHeight ? clientY - box.offsetHeight - 12 : clientY + 18;
    box.style.left = `${Math.max(8, left)}px`;
    box.style.top = `${Math.max(8, top)}px`;
  };
  for (const [id, read] of Object.entries(READERS)) {
    const canvas = $(id);
    const show = () => {
      const { event } = queued;
      queued = null;
      const ctx = context();
      if (!ctx.view) { hide(); return; }
      let text = null;
      try {
        const { x, y } = inCanvas(canvas, event);
        text = read(ctx.view, canvas, x, y, ctx);
      } catch {
        text = null; // a chart not drawn yet has nothing under the pointer
      }
      place(text, event.clientX, event.clientY);
    };
    canvas.addEventListener('pointermove', (event) => {
      if (queued === null) requestAnimationFrame(show);
      queued = { event };
    });
    canvas.addEventListener('pointerleave', hide);
    canvas.addEventListener('blur', hide);
  }
  $('hockey-stick').addEventListener('click', (event) => {
    const ctx = context();
    if (!ctx.view) return;
    const { x, y } = inCanvas(event.currentTarget, event);
    const at = ctx.view.hockeyAt(event.currentTarget, x, y);
    if (at) moveTo({ removed: at.removed });
  });

  // From the keyboard: the focused hockey stick reads the current count, and its arrow keys move
  // Λ from one swept count to the next; the focused histogram names the bin Λ is in.
  const hockey = $('hockey-stick');
  const readHockey = () => {
    const ctx = context();
    if (!ctx.view) return;
    const removed = Number(document.body.dataset.removed);
    const x = xOfCount(ctx.view, hockey, removed);
    const rect = hockey.getBoundingClientRect();
    const text = x == null ? null : READERS['hockey-stick'](ctx.view, hockey, x, hockey.clientHeight * 0.4, ctx);
    place(text && text.replace('Click to move Λ here.', 'Arrow keys: the next swept count.'), rect.left + (x ?? 0), rect.top + 8);
  };
  hockey.addEventListener('focus', readHockey);
  hockey.addEventListener('keydown', (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    const ctx = context();
    if (!step || !ctx.view) return;
    event.preventDefault();
    const counts = [...new Set(ctx.view.summary().rows.map((r) => r.removed))];
    const removed = Number(document.body.dataset.removed);
    const next = step > 0 ? counts.find((c) => c > removed) : counts.findLast((c) => c < removed);
    if (next != null) moveTo({ removed: next });
    requestAnimationFrame(readHockey);
  });
  const histogram = $('fisher-hist');
  histogram.addEventListener('focus', () => {
    const ctx = context();
    if (!ctx.view) return;
    const bin = ctx.view.histogramBins(ctx.histLog).find((b) => ctx.cutoff >= b.from && ctx.cutoff < b.to);
    const rect = histogram.getBoundingClientRect();
    place(bin ? `Λ = ${ctx.cutoff.toExponential(3)} is in the bin of F from ${bin.from.toExponential(2)} to ` +
      `${bin.to.toExponential(2)}: ${thousands(bin.count)} weights` : `Λ = ${ctx.cutoff.toExponential(3)}`, rect.left, rect.top + 8);
  });
}

/**
 * The x (CSS px) at which the hockey stick reads `count` removed, found by bisection over the
 * module's own hit test (its count grows with x), or null when the chart reads nothing.
 */
function xOfCount(view, canvas, count) {
  const y = canvas.clientHeight * 0.4;
  let [low, high] = [0, canvas.clientWidth];
  for (let i = 0; i < 16 && high - low > 0.5; i++) {
    const middle = (low + high) / 2;
    const at = view.hockeyAt(canvas, middle, y);
    // Off the plot on the left reads as too few, on the right as too many.
    const below = at ? at.removed < count : middle < canvas.clientWidth / 2;
    if (below) low = middle; else high = middle;
  }
  return view.hockeyAt(canvas, high, y) ? high : null;
}

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
      if (!text) { hide(); return; }
      box.textContent = text;
      box.hidden = false;
      // Beside the pointer, kept inside the window.
      const left = Math.min(event.clientX + 14, innerWidth - box.offsetWidth - 8);
      const top = event.clientY + 18 + box.offsetHeight > innerHeight ? event.clientY - box.offsetHeight - 12 : event.clientY + 18;
      box.style.left = `${Math.max(8, left)}px`;
      box.style.top = `${Math.max(8, top)}px`;
    };
    canvas.addEventListener('pointermove', (event) => {
      if (queued === null) requestAnimationFrame(show);
      queued = { event };
    });
    canvas.addEventListener('pointerleave', hide);
  }
  $('hockey-stick').addEventListener('click', (event) => {
    const ctx = context();
    if (!ctx.view) return;
    const { x, y } = inCanvas(event.currentTarget, event);
    const at = ctx.view.hockeyAt(event.currentTarget, x, y);
    if (at) moveTo({ removed: at.removed });
  });
}

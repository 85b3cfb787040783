// The guided tour's box: one step of tour-steps.js at a time, pointing at its part of the page,
// with Back, Next and Close by button and keyboard. What a step does to the page (train, move Λ)
// and which tab it opens are main.js's, passed in as `acts` and `showView`.
import { TOUR_STEPS } from './tour-steps.js';

const $ = (id) => document.getElementById(id);

let current = 0; // 1-based step shown; 0: closed
let hooks = { acts: {}, showView: () => {}, onStep: () => {} };

/**
 * Wires the box. `acts[name]()` does a step's act; `showView(view)` opens a tab; `onStep(k)`
 * hears of each step opened (0 when the tour closes), for the URL and the parent frame.
 */
export function setupTour(given) {
  hooks = given;
  $('tour-back').addEventListener('click', () => openStep(current - 1));
  $('tour-next').addEventListener('click', () => (current < TOUR_STEPS.length ? openStep(current + 1) : closeTour()));
  $('tour-close').addEventListener('click', closeTour);
  addEventListener('keydown', (event) => {
    if (!current) return;
    // Keys typed in a control (the slider's arrows too) are the control's.
    const inControl = event.target.closest?.('input, select, textarea');
    if (event.key === 'Escape') closeTour();
    else if (inControl) return;
    else if (event.key === 'ArrowRight') openStep(Math.min(current + 1, TOUR_STEPS.length));
    else if (event.key === 'ArrowLeft') openStep(Math.max(current - 1, 1));
    else return;
    event.preventDefault();
  });
}

/** The step shown (1-based), or 0. */
export const tourStep = () => current;
export const tourLength = () => TOUR_STEPS.length;

/** Opens step `k` (1-based; out of range clamps), doing its act and pointing at its target. */
export function openStep(k) {
  const number = Math.max(1, Math.min(TOUR_STEPS.length, Math.round(k)));
  const step = TOUR_STEPS[number - 1];
  current = number;
  document.querySelector('.tour-target')?.classList.remove('tour-target');
  if (!document.body.classList.contains('embed')) hooks.showView(step.view);
  if (step.act) hooks.acts[step.act]();
  $('tour-count').textContent = `Step ${number} of ${TOUR_STEPS.length}`;
  $('tour-title').textContent = step.title;
  $('tour-text').textContent = step.text;
  $('tour-back').disabled = number === 1;
  $('tour-next').textContent = number === TOUR_STEPS.length ? 'Finish' : 'Next';
  $('tour').hidden = false;
  const target = document.querySelector(step.target);
  // A target the layout hides (the embedded widget shows less) is talked about, not pointed at.
  if (target && target.getClientRects().length > 0) {
    target.classList.add('tour-target');
    target.scrollIntoView({ block: 'nearest', behavior: 'instant' });
  }
  document.body.dataset.tourStep = number;
  hooks.onStep(number);
  $('tour-next').focus({ preventScroll: true });
}

export function closeTour() {
  if (!current) return;
  current = 0;
  document.querySelector('.tour-target')?.classList.remove('tour-target');
  $('tour').hidden = true;
  delete document.body.dataset.tourStep;
  hooks.onStep(0);
}

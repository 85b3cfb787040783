// What a parent frame's commands do (embed-api.js carries them): each checks that the page can
// do it now and does it as the page's own controls would, or returns a sentence saying why not.
import { ENABLED_IN } from './page-states.js';
import { PARAMS, parseValue } from './state.js';
import { TOUR_STEPS } from './tour-steps.js';

/** Parameters that say how the page opens, which a parent cannot change once it has. */
const FIXED = ['embed', 'parent', 'autorun', 'pretrained'];

/**
 * The commands, by type, over the page's own functions: `pageState()`, `setSettings(changes)`,
 * `train()`, `moveTo(where)` (analysis-panel.js), `openStep(k)`, `closeTour()`, `onAction(id)`.
 */
export function parentCommands(page) {
  const busy = () => `while the page is ${page.pageState()}`;
  return {
    set: ({ settings }) => {
      if (!ENABLED_IN.params.includes(page.pageState())) return `settings cannot change ${busy()}`;
      const changes = {};
      const refused = [];
      for (const [key, value] of Object.entries(settings ?? {})) {
        const param = PARAMS.find((p) => p.key === key);
        if (!param || FIXED.includes(key)) { refused.push(`"${key}" is not a setting`); continue; }
        const text = Array.isArray(value) ? value.join(',') : String(value);
        const { value: parsed, problem } = parseValue(param, text);
        if (problem) refused.push(`${key}: "${text}" ${problem}`);
        else changes[key] = parsed;
      }
      if (Object.keys(changes).length) page.setSettings(changes);
      return refused.length ? `refused ${refused.join('; ')}` : undefined;
    },
    train: () => {
      if (!ENABLED_IN.train.includes(page.pageState())) return `Train is not available ${busy()}`;
      page.train();
      return undefined;
    },
    lambda: ({ lambda, removed }) => {
      const where = removed != null ? { removed: Number(removed) } : lambda;
      const known = ['zero', 'knee', 'all'].includes(where) || Number.isFinite(where) ||
        (Number.isInteger(where?.removed) && where.removed >= 0);
      if (!known) return "lambda must be a number, 'zero', 'knee' or 'all', or removed a count";
      return page.moveTo(where) ? undefined : 'there is no analysis yet: train first, or open with #pretrained=1';
    },
    tour: ({ step }) => {
      if (step === 0) page.closeTour();
      else if (Number.isInteger(step) && step >= 1 && step <= TOUR_STEPS.length) page.openStep(step);
      else return `step must be 0 (close) or 1 to ${TOUR_STEPS.length}`;
      return undefined;
    },
    export: ({ what }) => {
      const id = `export-${what}`;
      if (!Object.hasOwn(ENABLED_IN, id)) return `there is no export '${what}'; the exports are csv, json, png, weights and fisher`;
      if (!ENABLED_IN[id].includes(page.pageState())) return `the ${what} export is not available ${busy()}`;
      page.onAction(id);
      return undefined;
    },
  };
}

// An accessibility check of the page as it stands, with axe-core (@axe-core/playwright). It only
// measures: a scenario decides what to require, e.g.
//   const axe = await axeCheck(page, 'idle');
//   check('idle: no serious or critical axe violations', axe.serious.length === 0, axe.summary);
import { AxeBuilder } from '@axe-core/playwright';

const IMPACTS = ['critical', 'serious', 'moderate', 'minor'];

/**
 * @typedef {object} AxeResult
 * @property {string} state the name given, for the report
 * @property {{critical: number, serious: number, moderate: number, minor: number}} counts
 *   violated rules by impact (a rule counts once however many elements break it)
 * @property {{id: string, impact: string, help: string, nodes: number, targets: string[]}[]} serious
 *   the serious and critical rules: how many elements break each, and the first three of them
 * @property {string} summary one line, for a check's detail
 */

/**
 * Runs axe on `page` (its main frame and same-origin frames) and sums up what it found.
 * Never throws for violations; it throws only if axe itself cannot run.
 * @param {import('playwright-core').Page} page
 * @param {string} stateName what the page is showing, e.g. 'idle' or 'ready'
 * @returns {Promise<AxeResult>}
 */
export async function axeCheck(page, stateName) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const counts = Object.fromEntries(IMPACTS.map((impact) => [impact, 0]));
  for (const v of violations) counts[v.impact ?? 'minor'] += 1;
  const serious = violations
    .filter((v) => v.impact === 'critical' || v.impact === 'serious')
    .map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  const summary = `${stateName}: ${IMPACTS.map((i) => `${counts[i]} ${i}`).join(', ')}` +
    (serious.length ? ` (${serious.map((v) => `${v.id} ×${v.nodes}`).join(', ')})` : '');
  return { state: stateName, counts, serious, summary };
}

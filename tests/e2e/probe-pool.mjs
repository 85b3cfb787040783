import path from 'node:path';
import { start, waitForState, epochTable } from './harness.mjs';
const h = await start(path.resolve('dist'));
for (const workers of (process.argv[2] ?? '2').split(',')) {
  const { page, problems, close } = await h.openPage(`#workers=${workers}&epochs=4`);
  page.on('console', (m) => { if (m.type() === 'log') console.log('  ', m.text()); });
  page.on('worker', (w) => w.on?.('console', (m) => console.log('  w', m.text())));
  await page.click('#train');
  await waitForState(page, 'ready', 300_000);
  const table = await epochTable(page);
  console.log(workers, table.map((r) => Math.round(r.examplesPerSecond)).join(' '), problems.console.join('|'));
  await close();
}
await h.close();

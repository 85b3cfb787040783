// The table of scripts/bench.sh (markdown, as the README shows it) from its JSON report.
// Standalone: node tests/e2e/bench-table.mjs target/bench.json

const thousands = (x) => Math.round(x).toLocaleString('en');
const fixed = (digits) => (x) => (x === undefined || Number.isNaN(x) ? '' : x.toFixed(digits));
const [s1, s2, ms1] = [fixed(1), fixed(2), fixed(1)];
const ms2 = fixed(2);

export function benchTable({ date, smoke, machine, plan, native, native_pool: nativePool, browser, page, page_threads: threads,
  page_m256_examples_per_second: wide, wasm, wasm_threads: wasmThreads }) {
  // The page's two pools, messages / shared memory (threads).
  const pools = (f) => `${f(page)} / ${f(threads)}`;
  const training = (figures, m) => {
    const t = figures.training.find((row) => row.latent === m);
    return t ? `${thousands(t.examples_per_second)} ex/s, ${t.gflops.toFixed(1)} GFLOP/s` : '';
  };
  const step = (figures) => `${ms2(figures.step_ms)} = ${figures.step_products.map((p) => ms2(p.ms)).join(' + ')} + ` +
    `${ms2(figures.step_ms - figures.step_products.reduce((sum, p) => sum + p.ms, 0))}`;
  const rows = [
    ...plan.latents.map((m) => [`training, m = ${m}, batch 1000 (${thousands(plan.train_examples)} images, best of ${plan.rounds})`,
      training(native, m), training(browser, m),
      m === 20 ? `${pools((p) => thousands(p.training_examples_per_second))} ex/s over the run`
        : m === 256 ? `${thousands(wide.messages)} / ${thousands(wide.threads)} ex/s over 2 epochs` : '']),
    ...plan.latents.map((m) => {
      const on = (workers) => nativePool.find((row) => row.latent === m && row.workers === workers)?.examples_per_second;
      return [`the workbench's training, m = ${m}: 1 / 2 threads, the page's pool natively (ex/s)`,
        `${thousands(on(1))} / ${thousands(on(2))}`, '', ''];
    }),
    [`one training step, m = 20, batch 1000 (ms): ${native.step_products.map((p) => p.product).join(' + ')} + the rest`,
      step(native), step(browser), ''],
    [`Fisher over ${thousands(native.fisher_examples)} training images (s)`, s2(native.fisher_seconds), s2(browser.fisher_seconds), pools((p) => s2(p.fisher_seconds))],
    [`one pruned-model evaluation, ${thousands(native.eval_examples)} test images (ms)`,
      `${ms1(native.eval_ms)} (${native.eval_gflops.toFixed(1)} GFLOP/s)`, `${ms1(browser.eval_ms)} (${browser.eval_gflops.toFixed(1)} GFLOP/s)`, ''],
    [`${native.sweep_points}-point sweep: Fisher, magnitude, saliency, ${native.sweep_random_seeds} random seeds (s)`,
      s2(native.sweep_seconds), s2(browser.sweep_seconds), pools((p) => s2(p.sweep_seconds))],
    [`the whole paper: train, Fisher, sweep (s)${smoke ? ' [smoke: 2,000 images, 1 epoch]' : ''}`,
      `${s1(native.whole_paper_seconds)} (reproduce)`, '', `${pools((p) => s1(p.whole_paper_seconds))} (Train pressed to ready)`],
    ['slider update, input to four charts redrawn (ms, median–max)', '', '', pools((p) => `${ms1(p.slider_ms_median)}–${ms1(p.slider_ms_max)}`)],
    ['page open to first training step (s)', '', '', pools((p) => s2(p.open_to_first_step_seconds))],
    ['peak wasm memory in the worker (MB)', '', '', pools((p) => ms1(p.peak_wasm_memory_mb))],
    ['wasm module (KB gzipped, raw)', '', '', [wasm, wasmThreads].map((w) => `${thousands(w.gzip_bytes / 1e3)} (${thousands(w.bytes / 1e3)})`).join(' / ')],
  ];
  const header = [
    `${smoke ? 'SMOKE RUN (small sizes, not figures): ' : ''}${date.slice(0, 10)}, ${machine.cores} cores, ${machine.cpu}, ${machine.browser}`,
    '',
    `| | native, 1 thread (${native.kernel}) | browser, core in the worker (${browser.kernel}) | the page, ${page.workers} workers: messages / shared memory |`,
    '|---|---:|---:|---:|',
  ];
  return [...header, ...rows.map((cells) => `| ${cells.join(' | ')} |`)].join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const fs = await import('node:fs');
  process.stdout.write(benchTable(JSON.parse(fs.readFileSync(process.argv[2], 'utf8'))));
}

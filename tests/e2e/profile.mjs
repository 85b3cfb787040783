// Where the page's time goes: Train pressed on a page of `dist`, and until the model is trained
// (or, with `ready`, until the Fisher and the sweep are done too), (1) each browser thread's CPU
// seconds and its seconds runnable but waiting for a core (Linux's
// /proc/<pid>/task/<tid>/schedstat), then, in a second run, (2) Linux perf's samples of
// the page's processes, on the CPU only, by thread and function: V8 writes its compiled code's
// names for perf (--perf-basic-prof), the wasm functions' included when the module keeps its
// name section (scripts/profile.sh builds such a copy of dist). V8's own sampling profiler is no
// use here: on two busy cores it counts the time a worker waits for a core against the function
// it waits in. Prints figures only; nothing is asserted on. Needs Linux and perf.
// Usage: node tests/e2e/profile.mjs <dist> [messages|threads] [page hash] [trained|ready] [top functions]
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// perf's names; V8 would also write a log per isolate into the working directory.
process.env.CHROMIUM_EXTRA_ARGS = '--js-flags=--perf-basic-prof,--no-logfile-per-isolate,--logfile=/dev/null';
const { start, waitForState } = await import('./harness.mjs');

const [dist, pool = 'threads', hash = '', until = 'trained', top = '15'] = process.argv.slice(2);
if (!['trained', 'ready'].includes(until)) throw new Error(`profile.mjs: until "trained" or "ready", not "${until}"`);
// As bench.mjs: messages between workers, or helper threads on a cross-origin isolated page.
const POOLS = {
  messages: { headers: false, serviceWorkers: 'block' },
  threads: { headers: true, serviceWorkers: 'block' },
};

/** Chromium's processes: [pid, type]. */
function chromiumProcesses() {
  return fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((pid) => {
    try {
      const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!command.includes('chrom') || command.includes('node')) return [];
      return [[pid, command.match(/--type=([a-z-]+)/)?.[1] ?? 'browser']];
    } catch {
      return []; // it ended while it was read
    }
  });
}

/** Every Chromium thread's [CPU ns, run-queue ns], by "process type/thread name/tid". */
function schedstats() {
  const threads = new Map();
  for (const [pid, type] of chromiumProcesses()) {
    try {
      for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
        const name = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
        const [cpu, queued] = fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
        threads.set(`${type}/${name}/${tid}`, [cpu, queued]);
      }
    } catch {
      // A thread that ended while it was read.
    }
  }
  return threads;
}

/** Train pressed on a fresh page, until `until`; `during()` starts with the run and its result's
 * `stop()`, if any, is awaited at the end. */
async function trainedRun(openPage, during = async () => {}) {
  const { page, problems, close } = await openPage(hash, async () => {}, POOLS[pool]);
  await waitForState(page, 'idle');
  const before = schedstats();
  const started = performance.now();
  const watching = during();
  await page.click('#train');
  // main.js sets data-examples-per-second when the trained model arrives.
  if (until === 'ready') await waitForState(page, 'ready', 600_000);
  else await page.waitForFunction(() => document.body.dataset.examplesPerSecond, null, { timeout: 600_000, polling: 100 });
  const wall = (performance.now() - started) / 1e3;
  const after = schedstats();
  await watching.stop?.();
  const dataset = await page.evaluate(() => ({ ...document.body.dataset }));
  await close();
  if (problems.console.length) throw new Error(`the page reported errors: ${problems.console.join(' | ')}`);
  return { dataset, wall, before, after };
}

const harness = await start(dist);
const perfData = path.join(os.tmpdir(), `bayes-renorm-profile-${process.pid}.data`);
let pids = [];
try {
  const { dataset: d, wall, before, after } = await trainedRun(harness.openPage);
  const [step, wait] = d.trainingClock.split(' ').map(Number);
  console.log(`${d.pool} pool, ${d.workers} worker(s), hash "${hash}": ${Math.round(d.examplesPerSecond)} examples/s; `
    + `Train to ${until} ${wall.toFixed(2)} s; in training, the worker's steps ${step.toFixed(2)} s, waiting for helpers ${wait.toFixed(2)} s`
    + (until === 'ready' ? `; the Fisher ${Number(d.fisherSeconds).toFixed(2)} s, the sweep ${Number(d.sweepSeconds).toFixed(2)} s` : ''));
  console.log('\nthreads over that time (CPU s, runnable but waiting for a core s):');
  for (const [thread, [cpu, queued]] of after) {
    const [cpu0, queued0] = before.get(thread) ?? [0, 0];
    if (cpu - cpu0 > 0.05e9) console.log(`  ${thread.padEnd(40)} ${((cpu - cpu0) / 1e9).toFixed(2).padStart(6)}  ${((queued - queued0) / 1e9).toFixed(2).padStart(6)}`);
  }

  // The second run under perf, every page process (the renderer runs the workers).
  const { dataset: sampled } = await trainedRun(harness.openPage, () => {
    pids = chromiumProcesses().filter(([, type]) => type === 'renderer').map(([pid]) => pid);
    const perf = spawn('perf', ['record', '--quiet', '-F', '999', '-p', pids.join(','), '-o', perfData], { stdio: 'inherit' });
    const exited = new Promise((resolve) => perf.on('exit', resolve));
    return { stop: async () => { perf.kill('SIGINT'); await exited; } };
  });
  const report = execFileSync('perf', ['report', '-i', perfData, '--no-children', '--sort', 'comm,sym', '--stdio'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1 << 26 });
  const lines = report.split('\n').filter((line) => /^\s+\d+\.\d+%/.test(line)).slice(0, Number(top));
  console.log(`\nagain under perf (${Math.round(sampled.examplesPerSecond)} examples/s): the renderer's CPU samples by thread and function`);
  for (const line of lines) console.log(`  ${line.trim().replace(/^(\S+)\s+(\S+)\s+\[\.\]\s+(JS:)?/, '$1  $2  ').replace(/-\d+-(turbofan|liftoff)$/, '').replace(/\[[0-9a-f]{16}\]/g, '').slice(0, 150)}`);
} finally {
  await harness.close();
  fs.rmSync(perfData, { force: true });
  // The names V8 wrote for perf.
  for (const pid of pids) fs.rmSync(`/tmp/perf-${pid}.map`, { force: true });
}

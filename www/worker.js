// The page's worker: it runs the wasm Session (one workbench, src/workbench/) off the main
// thread and moves messages and buffers between it, the page and the pool of helpers. It holds
// one dataset (data-loader.js) and runs one job at a time, in chunks (run-in-chunks.js). This
// table is the protocol; every message has a `type`.
//
// page → worker
//   {type: 'load', dataset, workers, testOnly}   fetch and validate a dataset (its test split
//                                           alone with testOnly); start a pool of `workers`
//   {type: 'run', jobs, settings, workers}  jobs: ['train', 'analyse'], ['analyse'], ['eigen'],
//                                           ['fine-tune'] or ['soft-flow']; settings: the page's
//                                           parameters (state.js settingsOf); waits for shards
//   {type: 'import', name, bytes, record, settings, workers}
//                                           a safetensors file (with `record`, a kept run's
//                                           model), then its analysis
//   {type: 'export', what}                  'csv' | 'json' | 'weights' | 'fisher'
//   {type: 'pause'} | {type: 'resume'} | {type: 'cancel'}
// worker → page
//   {type: 'download', file, loaded, total, kept}   bytes of the dataset so far; kept: from the
//                                           offline copy
//   {type: 'loaded', summary, bytes, downloaded, offlineProblem, added}   summary: the splits'
//                                           statistics and decoding seconds; added: a data set
//                                           the visitor added, read from this browser
//   {type: 'progress', ...Progress, memoryBytes, helperWaitSeconds, stepSeconds}   after every
//                                           chunk (src/workbench/progress.rs); the seconds since
//                                           the jobs started (run-in-chunks.js)
//   {type: 'paused'} | {type: 'resumed'} | {type: 'cancelled'}
//   {type: 'trained', record, weights, weightsDigest}
//                                           training finished: the model's record and
//                                           safetensors file, kept by the page too
//   {type: 'imported', name, weightsDigest}
//   {type: 'analysed', view, seconds}       the analysis finished: AnalysisView's bytes
//   {type: 'eigen-shells', eigen, seconds}  AnalysisView.setEigen's bytes, seconds by stage
//   {type: 'fine-tuned', result}            {epochs, continued, points}
//   {type: 'soft-flowed', result}           {alpha, samples, seed, points}
//   {type: 'file', name, mime, bytes}       an export
//   {type: 'error', job, message}           job: load, train, analyse, import, export, eigen,
//                                           fine-tune or soft-flow
//   {type: 'panic', message}                the wasm module panicked; this worker is done
import './wasm-module.js';
import { dataArrived, loadDataset, loadFailed } from './data-loader.js';
import { loadEigenBuild } from './eigen-build.js';
import { WorkerPool } from './pool.js';
import { runInChunks } from './run-in-chunks.js';
import { ThreadPool } from './thread-pool.js';

// A panic leaves the module unusable: tell the page, which replaces this worker.
globalThis.onWasmPanic = (message) => postMessage({ type: 'panic', message });
// On a cross-origin isolated page, the threaded build, whose pool shares its memory
// (wasm-module.js); otherwise the page's own, with the message-passing pool.
const { workerFile, workerGlue, threads } = globalThis.bayesWasmModule;
const moduleUrl = new URL(workerFile, import.meta.url);
const glueUrl = new URL(workerGlue, import.meta.url).href;
const glue = import(glueUrl);
// Compiled here, so the pool's helpers can be handed the module (and the optimised code V8 has
// made of it) rather than fetch and compile it again.
const compiled = (async () => {
  const response = await fetch(moduleUrl);
  if (!response.ok) throw new Error(`${moduleUrl.pathname}: HTTP ${response.status} ${response.statusText}`);
  try {
    return await WebAssembly.compileStreaming(response.clone());
  } catch {
    // A host that does not send application/wasm.
    return WebAssembly.compile(await response.arrayBuffer());
  }
})();
const ready = Promise.all([compiled, glue]).then(([module, bindings]) => bindings.default({ module_or_path: module }));

let resolveSession;
const sessionReady = new Promise((resolve) => { resolveSession = resolve; });
let session = null;
let job = null; // {paused, cancelled, wake}: the one job this worker runs at a time

/** The pool of `workers` threads (this one and helpers), or null for one. Kept from job to job,
 * as starting helpers costs a few hundred milliseconds; replaced when the size changes or a
 * helper has failed. */
let helperPool = null;
let poolChain = Promise.resolve(); // one pool is made at a time: load and run both ask for one
function poolOf(workers) {
  const pool = poolChain.then(() => makePool(workers));
  poolChain = pool.catch(() => {});
  return pool;
}

async function makePool(workers) {
  if (helperPool && (helperPool.size !== workers || helperPool.failure)) {
    helperPool.terminate();
    helperPool = null;
  }
  if (workers > 1 && !helperPool) {
    const module = await compiled;
    helperPool = threads
      ? new ThreadPool(workers - 1, module, await ready.then(() => glue), glueUrl)
      : new WorkerPool(workers - 1, module);
  }
  await helperPool?.started;
  return helperPool;
}

/** What the worker posts when a job finishes: its results, for the page to keep and show. */
const RESULTS = {
  train: () => {
    const weights = session.weightsFile();
    return [{ type: 'trained', record: session.modelRecord(), weights, weightsDigest: session.weightsDigest() },
      [weights.buffer]];
  },
  analyse: () => {
    const view = session.viewBytes();
    return [{ type: 'analysed', view, seconds: session.seconds() }, [view.buffer]];
  },
  eigen: () => {
    const eigen = session.eigenBytes();
    return [{ type: 'eigen-shells', eigen, seconds: session.eigenSeconds() }, [eigen.buffer]];
  },
  'fine-tune': () => [{ type: 'fine-tuned', result: session.fineTuneResult() }, []],
  'soft-flow': () => [{ type: 'soft-flowed', result: session.softFlowResult() }, []],
};

/** Runs the session's started jobs to the end, posting their progress and results. */
async function runJobs(workers) {
  const pool = await poolOf(workers);
  const memory = (await ready).memory;
  return runInChunks({
    session,
    pool,
    control: job,
    dataArrived,
    onPause: (paused) => postMessage({ type: paused ? 'paused' : 'resumed' }),
    onProgress: (progress) => {
      job.name = progress.job ?? job.name;
      postMessage({ type: 'progress', ...progress, memoryBytes: memory.buffer.byteLength });
      if (progress.finished) postMessage(...RESULTS[progress.finished]());
    },
  });
}

/** Runs `work` as this worker's one job; a second job while one runs (a double click, a second
 * tab's message) is ignored. Says `cancelled` when it was, `error` (naming `name`) when it failed. */
async function startJob(name, work) {
  if (job) return;
  job = {
    paused: false,
    cancelled: false,
    wake: () => {},
    name,
    wait() { return new Promise((resolve) => { job.wake = resolve; }); },
    unlessCancelled(promise) {
      return Promise.race([promise, new Promise((resolve) => { job.wake = () => { if (job.cancelled) resolve(null); }; })]);
    },
  };
  try {
    await ready;
    // Without data (its load failed, and said so) there is nothing to run.
    if (!(await sessionReady)) return;
    if (!(await work()) && job.cancelled) postMessage({ type: 'cancelled' });
  } catch (error) {
    postMessage({ type: 'error', job: job.name, message: error.message ?? String(error) });
  } finally {
    job = null;
  }
}

function control(change) {
  if (!job) return;
  Object.assign(job, change);
  job.wake();
}

onmessage = async ({ data }) => {
  switch (data.type) {
    case 'load':
      try {
        // Helpers start while the data arrives, so the first batch does not wait for them.
        poolOf(data.workers).catch(() => {}); // a failure shows when a job uses the pool
        await ready;
        await loadDataset(data.dataset, (await glue).Session, (s) => { session = s; resolveSession(s); }, postMessage,
          { testOnly: data.testOnly });
      } catch (error) {
        loadFailed();
        resolveSession(session);
        postMessage({ type: 'error', job: 'load', message: error.message ?? String(error) });
      }
      break;
    case 'run':
      await startJob(data.jobs[0], async () => {
        if (data.jobs.includes('eigen')) await loadEigenBuild();
        session.start(data.jobs, data.settings);
        return runJobs(data.workers);
      });
      break;
    case 'import':
      await startJob('import', async () => {
        if (data.record) session.restoreModel(data.bytes, data.record);
        else session.importWeights(data.name, data.bytes);
        postMessage({ type: 'imported', name: data.name, weightsDigest: session.weightsDigest() });
        job.name = 'analyse';
        session.start(['analyse'], data.settings);
        return runJobs(data.workers);
      });
      break;
    case 'export':
      try {
        postMessage({ type: 'file', ...session.exportFile(data.what) });
      } catch (error) {
        postMessage({ type: 'error', job: 'export', message: error.message ?? String(error) });
      }
      break;
    case 'pause': control({ paused: true }); break;
    case 'resume': control({ paused: false }); break;
    case 'cancel': control({ cancelled: true }); break;
  }
};

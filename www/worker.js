// Runs the wasm Session off the main thread: it downloads and validates one dataset and keeps it,
// trains on it, then computes the Fisher and the sweep, in chunks of about CHUNK_MS; between
// chunks it answers pause, resume and cancel. One job (train, analyse, import) runs at a time.
// Every message has a `type`:
//
// page → worker
//   {type: 'load', dataset, workers}             fetch and validate a dataset (once per worker);
//                                                start a pool of `workers`
//   {type: 'train', settings, renorm}            settings: {latent, biases, epochs, batch, lr,
//                                                seed, subset, workers}; starts when its shards
//                                                are here; the analysis (renorm settings) follows;
//                                                workers > 1 trains on a pool (pool.js)
//   {type: 'analyse', renorm}                    renorm: {fisherSplit, fisherVariant, grid,
//                                                randomSeeds, evalExamples, seed, workers}
//   {type: 'import', name, bytes, renorm, source} a safetensors file, then its analysis; with
//                                                source (a 'done' message's), that run's model
//   {type: 'export', what}                       'csv' | 'json' | 'weights' | 'fisher'
//   {type: 'eigen'}                              the Fisher eigen-shells of the analysed model
//   {type: 'fine-tune', settings}                {fractions, epochs, batch, lr, seed}
//   {type: 'soft-flow', settings}                {alpha (null: 3·fan_in), samples, seed}
//   {type: 'pause'} | {type: 'resume'} | {type: 'cancel'}
// worker → page
//   {type: 'download', file, loaded, total, kept} bytes of the whole dataset so far; kept: read
//                                                from the offline copy, not downloaded
//   {type: 'shard', split, file, count}          a shard passed validation
//   {type: 'loaded', summary, bytes, downloaded, decodeMs, offlineProblem}
//                                                offlineProblem: why no offline copy is kept
//   {type: 'waiting', needed, ready}             a job waits for training shards
//   {type: 'started', examples, batchesPerEpoch, epochs}
//   {type: 'progress', epoch, batch, examplesSeen, loss, batchLosses, examplesPerSecond,
//                      etaSeconds, memoryBytes}  after every chunk; loss is the epoch's mean so
//                                                far, batchLosses the batches since the last one
//   {type: 'epoch', epoch, trainMse, testMse, seconds, examplesPerSecond}
//                                                test MSE over the whole test split
//   {type: 'paused'} | {type: 'resumed'} | {type: 'cancelled'}
//   {type: 'done', testMse, trainMse, seconds, trainSeconds, examplesPerSecond, weightsDigest,
//                  memoryBytes, weights, source, workers} training finished (on `workers`
//                                                threads); weights (the safetensors
//                                                file) and source (how the model came to be,
//                                                JSON) are kept by the page
//   {type: 'imported', name, weightsDigest}
//   {type: 'analysis', stage, done, total, seconds}   stage 'fisher' (examples) or 'sweep' (cutoffs)
//   {type: 'ready', weights, fisherEncoder, digits, sweep, fisherSeconds, sweepSeconds, memoryBytes}
//                                                the analysis finished: what the charts need
//   {type: 'file', name, mime, bytes}            an export
//   {type: 'beyond', what, stage, done, total}   eigen-shell steps (stage: blocks, decompose,
//                                                sweep, refine), fine-tuning jobs or soft-flow
//                                                evidence levels
//   {type: 'eigen-shells', result, values, vectors, coefficients, seconds}
//                                                result in reproduce's schema; the decompositions
//                                                for RenormView.setEigen; seconds per stage
//   {type: 'fine-tuned', result}                 {epochs, continued, points}
//   {type: 'soft-flowed', result}                {alpha, samples, points}
//   {type: 'error', stage, message}              stage: load, train, analysis, import, export,
//                                                eigen, fine-tune or soft-flow
//   {type: 'panic', message}                     the wasm module panicked; this worker is done
import './wasm-module.js';
import init, { Session } from './bayes-renorm.js';
import { cachedShard, forgetShard, pruneStale, storeShard } from './shard-cache.js';
import { WorkerPool } from './pool.js';

const CHUNK_MS = 75;

// A panic leaves the module unusable: tell the page, which replaces this worker.
globalThis.onWasmPanic = (message) => postMessage({ type: 'panic', message });
const moduleUrl = new URL(globalThis.bayesWasmModule.file, import.meta.url);
// Compiled here, so the training pool's helpers can be handed the module (and the optimised code
// V8 has made of it) rather than fetch and compile it again.
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
const ready = compiled.then((module) => init({ module_or_path: module }));

let session = null;
let loadFailed = false;
let job = null; // {stage, paused, cancelled, wake}: the one job this worker allows at a time
const dataArrived = new Set(); // resolvers of runs waiting for shards

function wakeWaiters() {
  for (const wake of dataArrived) wake();
  dataArrived.clear();
}

// ---- data --------------------------------------------------------------------------------------

async function fetchBytes(url, onChunk) {
  const response = await fetch(url);
  const name = url.pathname.split('/').slice(-3).join('/');
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status} ${response.statusText}`);
  // Some hosts answer a missing file with their own page and status 200.
  const type = response.headers.get('content-type') ?? '';
  if (type.startsWith('text/html')) {
    throw new Error(`${name}: the host sent a web page (${type}) instead of the file; is the file missing on the server?`);
  }
  const reader = response.body.getReader();
  const chunks = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.byteLength;
    onChunk(value.byteLength);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) { bytes.set(chunk, offset); offset += chunk.byteLength; }
  return bytes;
}

async function loadDataset(dataset) {
  await ready;
  const base = new URL(`data/${dataset}/`, import.meta.url);
  const manifestText = new TextDecoder().decode(await fetchBytes(new URL('manifest.json', base), () => {}));
  session = new Session(manifestText, `data/${dataset}/manifest.json`);
  const shards = session.shardsToFetch();
  const total = shards.reduce((sum, s) => sum + s.bytes, 0);
  let loaded = 0; // bytes, downloaded or read from the offline copy
  let downloaded = 0;
  let decodeMs = 0;
  let offlineProblem = null; // why the offline copy is not kept, once known
  const download = (shard) => fetchBytes(new URL(shard.file, base), (n) => {
    loaded += n;
    downloaded += n;
    postMessage({ type: 'download', file: shard.file, loaded, total });
  });
  const offline = async (what) => {
    try { return await what(); } catch (error) { offlineProblem ??= String(error.message ?? error); return null; }
  };
  for (const shard of shards) {
    let bytes = offlineProblem ? null : await offline(() => cachedShard(base, shard));
    const kept = bytes !== null;
    if (kept) {
      loaded += bytes.byteLength;
      postMessage({ type: 'download', file: shard.file, loaded, total, kept: true });
    } else {
      bytes = await download(shard);
    }
    const started = performance.now();
    let count;
    try {
      count = session.addShard(shard.split, shard.file, bytes);
    } catch (error) {
      if (!kept) throw error;
      // A damaged offline copy: drop it and download the shard instead.
      loaded -= bytes.byteLength;
      await offline(() => forgetShard(base, shard));
      bytes = await download(shard);
      count = session.addShard(shard.split, shard.file, bytes);
      await offline(() => storeShard(base, shard, bytes));
    }
    decodeMs += performance.now() - started;
    if (!kept && !offlineProblem) await offline(() => storeShard(base, shard, bytes));
    postMessage({ type: 'shard', split: shard.split, file: shard.file, count });
    wakeWaiters();
  }
  if (!offlineProblem) await offline(() => pruneStale(base, shards));
  postMessage({ type: 'loaded', summary: session.summary(), bytes: loaded, downloaded, decodeMs, offlineProblem });
}

/// Waits until the first `needed` training images and the test split are here. False if the job
/// was cancelled or the data cannot arrive (the load error has been reported already).
async function waitForData(needed) {
  for (;;) {
    if (job.cancelled || loadFailed) return false;
    if (session && session.trainExamplesReady() >= needed && session.testSplitReady()) return true;
    postMessage({ type: 'waiting', needed, ready: session ? session.trainExamplesReady() : 0 });
    await new Promise((resolve) => { dataArrived.add(resolve); job.wake = resolve; });
  }
}

// ---- training ----------------------------------------------------------------------------------

// Yields to the event loop so pause/resume/cancel messages are seen between chunks. A
// MessageChannel round trip is not clamped to 4 ms as a nested setTimeout is.
const channel = new MessageChannel();
let afterYield = null;
channel.port1.onmessage = () => afterYield();
const yieldToEvents = () => new Promise((resolve) => { afterYield = resolve; channel.port2.postMessage(null); });

const memoryBytes = (wasm) => wasm.memory.buffer.byteLength;

/// The pool of `workers` threads (this one and helpers), or null for one. Kept from job to job,
/// as starting helpers costs a few hundred milliseconds; replaced when the size changes or a
/// helper has failed.
let helperPool = null;
async function poolOf(workers) {
  if (helperPool && (helperPool.size !== workers || helperPool.failure)) {
    helperPool.terminate();
    helperPool = null;
  }
  if (workers > 1) helperPool ??= new WorkerPool(workers - 1, await compiled);
  return helperPool;
}

/// Trains; true when the run finished, false when it was cancelled.
async function train(settings) {
  const wasm = await ready;
  if (!(await waitForData(settings.subset))) return false;
  const plan = session.startTraining(settings);
  const shape = { pixelsPerImage: session.pixelsPerImage(), latent: settings.latent, biases: settings.biases };
  const pool = await poolOf(settings.workers);
  pool?.startRun(session, shape);
  return trainRun(wasm, plan, pool);
}

async function trainRun(wasm, plan, pool) {
  postMessage({ type: 'started', ...plan });
  const totalExamples = plan.examples * plan.epochs;
  let batches = 1;
  let trainMs = 0; // inside trainStep
  let activeMs = 0; // wall time while not paused
  let epochStartedMs = 0; // activeMs when the epoch began
  let epochTrainStartedMs = 0; // trainMs when the epoch began
  let lastTrainMse = null;
  let lastTestMse = null;
  for (;;) {
    if (job.cancelled) {
      session.cancelTraining();
      return false;
    }
    if (job.paused) {
      postMessage({ type: 'paused' });
      await new Promise((resolve) => { job.wake = resolve; });
      if (!job.paused) postMessage({ type: 'resumed' });
      continue;
    }
    const chunkStart = performance.now();
    const step = pool ? await pool.train(session, batches) : session.trainStep(batches);
    const stepMs = performance.now() - chunkStart;
    trainMs += stepMs;
    // Aim the next chunk at CHUNK_MS of work.
    const msPerBatch = stepMs / Math.max(1, step.batchLosses.length);
    batches = Math.max(1, Math.min(100_000, Math.round(CHUNK_MS / Math.max(msPerBatch, 1e-3))));
    if (step.epochTrainMse != null) {
      lastTrainMse = step.epochTrainMse;
      lastTestMse = session.testMse();
    }
    activeMs += performance.now() - chunkStart;
    const perSecond = step.examplesSeen / (trainMs / 1e3);
    postMessage({
      type: 'progress', epoch: step.epoch, batch: step.batch, examplesSeen: step.examplesSeen,
      loss: step.runningLoss, batchLosses: step.batchLosses, examplesPerSecond: perSecond,
      etaSeconds: (totalExamples - step.examplesSeen) / (step.examplesSeen / (activeMs / 1e3)),
      memoryBytes: memoryBytes(wasm),
    });
    if (step.epochTrainMse != null) {
      postMessage({ type: 'epoch', epoch: step.epoch - 1, trainMse: lastTrainMse, testMse: lastTestMse,
        seconds: (activeMs - epochStartedMs) / 1e3,
        examplesPerSecond: plan.examples / ((trainMs - epochTrainStartedMs) / 1e3) });
      epochStartedMs = activeMs;
      epochTrainStartedMs = trainMs;
    }
    if (step.finished) break;
    const yieldStart = performance.now();
    await yieldToEvents();
    activeMs += performance.now() - yieldStart;
  }
  session.finishTraining(activeMs / 1e3);
  // Kept by the page too, in case this worker dies.
  const [weights, source] = [session.weightsFile(), session.trainedSource()];
  postMessage({
    type: 'done', testMse: lastTestMse, trainMse: lastTrainMse, seconds: activeMs / 1e3,
    trainSeconds: trainMs / 1e3, examplesPerSecond: totalExamples / (trainMs / 1e3),
    weightsDigest: session.weightsDigest(), memoryBytes: memoryBytes(wasm), weights, source,
    workers: pool ? pool.size : 1,
  }, [weights.buffer]);
  return true;
}

/// The Fisher, then the sweep, on the session's model; posts `ready` with what the charts need.
async function analyse(renorm) {
  const wasm = await ready;
  const pool = await poolOf(renorm.workers);
  job.stage = 'analysis';
  if (!(await waitForData(session.fisherExamplesNeeded(renorm)))) return false;
  session.startAnalysis(renorm);
  const seconds = { fisher: 0, sweep: 0 };
  if (pool) {
    const started = performance.now();
    await shareFisher(pool);
    const stepSeconds = (performance.now() - started) / 1e3;
    seconds.fisher += stepSeconds;
    session.addAnalysisSeconds('fisher', stepSeconds);
  }
  let sweepShared = !pool; // the pool has its shares of the sweep's orders
  for (;;) {
    if (job.cancelled) {
      session.cancelAnalysis();
      return false;
    }
    if (!sweepShared && session.sweepOrders() > 0) {
      sweepShared = true;
      const started = performance.now();
      await shareSweep(pool);
      const stepSeconds = (performance.now() - started) / 1e3;
      seconds.sweep += stepSeconds;
      session.addAnalysisSeconds('sweep', stepSeconds);
      continue;
    }
    const chunkStart = performance.now();
    let progress;
    do {
      const stepStart = performance.now();
      progress = session.analysisStep();
      const stage = progress.stage === 'fisher' ? 'fisher' : 'sweep';
      const stepSeconds = (performance.now() - stepStart) / 1e3;
      seconds[stage] += stepSeconds;
      session.addAnalysisSeconds(stage, stepSeconds);
    } while (performance.now() - chunkStart < CHUNK_MS && progress.done < progress.total);
    postMessage({ type: 'analysis', stage: progress.stage, done: progress.done, total: progress.total });
    if (progress.stage === 'sweep' && progress.done === progress.total) break;
    await yieldToEvents();
  }
  const weights = session.weightsFile();
  const fisherEncoder = session.fisherEncoder();
  const digits = session.fixedDigits();
  postMessage({
    type: 'ready', weights, fisherEncoder, digits, sweep: session.sweepView(),
    fisherSeconds: seconds.fisher, sweepSeconds: seconds.sweep, memoryBytes: memoryBytes(wasm),
  }, [weights.buffer, fisherEncoder.buffer, digits.buffer]);
  return true;
}

/// Waits for `promise`, or until the job is cancelled (then null).
async function unlessCancelled(promise) {
  let result = null;
  while (result === null && !job.cancelled) {
    result = await Promise.race([promise, new Promise((resolve) => { job.wake = () => resolve(null); })]);
  }
  return result;
}

/// The Fisher's batches on the pool: the helpers compute the terms of theirs while this worker
/// steps through its own; then the Session adds the helpers' terms batch by batch, in order.
/// Returns early if the job is cancelled.
async function shareFisher(pool) {
  const plan = session.fisherPlan();
  if (!plan) return;
  const batches = Math.ceil((plan.total - plan.done) / plan.batch);
  const examplesOf = ([from, to]) => [plan.done + from * plan.batch, Math.min(plan.total, plan.done + to * plan.batch)];
  const shares = pool.shares(batches).map(examplesOf);
  const weights = session.trainedWeights();
  const helpers = pool.fisher(shares.slice(1).map(([from, to]) => ({ plan, weights, pixels: session.fisherPixels(from, to) })));
  helpers.catch(() => {}); // awaited below; a failure must not go unhandled meanwhile
  const ownEnd = shares[0][1];
  let progress = { done: plan.done };
  while (progress.done < ownEnd) {
    if (job.cancelled) return;
    const chunkStart = performance.now();
    do {
      progress = session.analysisStep();
    } while (progress.done < ownEnd && performance.now() - chunkStart < CHUNK_MS);
    postMessage({ type: 'analysis', stage: 'fisher', done: progress.done, total: plan.total });
    await yieldToEvents();
  }
  const terms = await unlessCancelled(helpers);
  if (!terms) return;
  shares.slice(1).forEach(([from, to], index) => {
    // One batch's terms, as long as the helper's array over its batches.
    const length = terms[index].length / Math.ceil((to - from) / plan.batch);
    for (let start = from; start < to; start += plan.batch) {
      const at = ((start - from) / plan.batch) * length;
      progress = session.fisherAddTerms(terms[index].subarray(at, at + length), Math.min(plan.batch, to - start));
    }
  });
  postMessage({ type: 'analysis', stage: 'fisher', done: progress.done, total: plan.total });
}

/// The sweep's removal orders on the pool: the helpers score theirs while this worker scores its
/// own, a few cutoffs per chunk; then the Session takes the helpers' scores, and the analysis
/// steps through the rows as usual. Returns early if the job is cancelled.
async function shareSweep(pool) {
  const shares = pool.shares(session.sweepOrders());
  const cutoffs = session.sweepCutoffs();
  const helpers = pool.sweep({
    shape: session.sweepShape(), weights: session.trainedWeights(), fisher: session.sweepFisher(),
    cutoffs, testPixels: session.sweepTestPixels(),
  }, shares.slice(1));
  helpers.catch(() => {}); // awaited below; a failure must not go unhandled meanwhile
  const [from, to] = shares[0];
  const own = (to - from) * cutoffs.length;
  let scored = 0;
  for (let order = from; order < to; order++) {
    for (let cutoff = 0; cutoff < cutoffs.length;) {
      if (job.cancelled) return;
      const chunkStart = performance.now();
      do {
        session.sweepScore(order, cutoff, cutoff + 1);
        cutoff += 1;
        scored += 1;
      } while (cutoff < cutoffs.length && performance.now() - chunkStart < CHUNK_MS);
      // The helpers score as fast: the lead's share done is about the sweep's share done.
      const done = Math.min(cutoffs.length - 1, Math.floor((cutoffs.length * scored) / own));
      postMessage({ type: 'analysis', stage: 'sweep', done, total: cutoffs.length });
      await yieldToEvents();
    }
  }
  const parts = await unlessCancelled(helpers);
  for (const { from: first, to: last, scores } of parts ?? []) {
    for (let order = first; order < last; order++) {
      const at = (order - first) * cutoffs.length;
      session.sweepTakeScores(order, scores.subarray(at, at + cutoffs.length));
    }
  }
}

/// The eigen-shells, fine-tuning after pruning, or the soft flow's curve, on the analysed model.
async function beyond(kind, settings) {
  if (kind === 'fine-tune') {
    if (!(await waitForData(session.trainingExamplesOfModel()))) return false;
    session.startFineTune(settings);
  } else if (kind === 'eigen') {
    await loadEigenBuild();
    session.startEigen();
  } else {
    session.startSoftFlow(settings);
  }
  const seconds = {};
  let batches = 1;
  for (;;) {
    if (job.cancelled) {
      session.cancelBeyond();
      return false;
    }
    const started = performance.now();
    const progress = session.beyondStep(batches);
    // Fine-tuning steps are batches: keep each chunk near CHUNK_MS.
    const ms = performance.now() - started;
    if (progress.stage) seconds[progress.stage] = (seconds[progress.stage] ?? 0) + ms / 1e3;
    if (ms < CHUNK_MS / 2) batches *= 2;
    else if (ms > 2 * CHUNK_MS && batches > 1) batches = Math.floor(batches / 2);
    postMessage({ type: 'beyond', what: kind, stage: progress.stage, done: progress.done, total: progress.total });
    if (progress.done === progress.total) break;
    await yieldToEvents();
  }
  if (kind === 'eigen') {
    const { values, vectors, coefficients } = session.eigenBasis();
    postMessage({ type: 'eigen-shells', result: session.eigenResult(), values, vectors, coefficients, seconds },
      [values.buffer, vectors.buffer, coefficients.buffer]);
    return true;
  }
  const result = kind === 'fine-tune' ? session.fineTuneResult() : session.softFlowResult();
  postMessage({ type: kind === 'fine-tune' ? 'fine-tuned' : 'soft-flowed', result });
  return true;
}

// The eigen-shells' eigensolver is in a second build of the module (src/web/eigensolver.rs),
// loaded the first time they run; this build calls it as `bayesEigen.symmetricEigen`.
let eigenBuild = null;
function loadEigenBuild() {
  eigenBuild ??= (async () => {
    const url = new URL(globalThis.bayesWasmModule.eigenFile, import.meta.url);
    try {
      const glue = await import('./bayes-renorm-eigen.js');
      await glue.default({ module_or_path: url });
      globalThis.bayesEigen = { symmetricEigen: glue.symmetricEigen };
    } catch (error) {
      eigenBuild = null; // the next run tries again
      throw new Error(`could not load the eigensolver (${url.pathname}): ${error.message ?? error}`);
    }
  })();
  return eigenBuild;
}

/// A weights file; with `source` (a dead worker's `trainedSource`), that worker's trained run.
function importWeights(name, bytes, source) {
  job.stage = 'import';
  if (source) session.restoreTrained(new Uint8Array(bytes), source);
  else session.importWeights(name, new Uint8Array(bytes));
  postMessage({ type: 'imported', name, weightsDigest: session.weightsDigest() });
}

const EXPORTS = {
  csv: () => ({ name: 'bayes-renorm-sweep.csv', mime: 'text/csv', bytes: session.sweepCsv() }),
  json: () => ({ name: 'bayes-renorm-run.json', mime: 'application/json', bytes: session.reportJson() }),
  weights: () => ({ name: 'bayes-renorm-weights.safetensors', mime: 'application/octet-stream', bytes: session.weightsFile() }),
  fisher: () => ({ name: 'bayes-renorm-fisher.npy', mime: 'application/octet-stream', bytes: session.fisherFile() }),
};

// ---- messages ----------------------------------------------------------------------------------

/// Runs `work` as this worker's one job; a second job while one runs (a double click, a second
/// tab's message) is ignored. Says `cancelled` when it was.
async function startJob(stage, work) {
  if (job) return;
  job = { stage, paused: false, cancelled: false, wake: () => {} };
  try {
    if (!(await work()) && job.cancelled) postMessage({ type: 'cancelled' });
  } catch (error) {
    postMessage({ type: 'error', stage: job.stage, message: error.message ?? String(error) });
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
        await loadDataset(data.dataset);
      } catch (error) {
        loadFailed = true;
        wakeWaiters();
        postMessage({ type: 'error', stage: 'load', message: error.message ?? String(error) });
      }
      break;
    case 'train':
      await startJob('train', async () => (await train(data.settings)) && analyse(data.renorm));
      break;
    case 'analyse': await startJob('analysis', () => analyse(data.renorm)); break;
    case 'import':
      await startJob('import', async () => {
        if (!(await waitForData(0))) return false;
        importWeights(data.name, data.bytes, data.source);
        return analyse(data.renorm);
      });
      break;
    case 'eigen':
    case 'fine-tune':
    case 'soft-flow':
      await startJob(data.type, () => beyond(data.type, data.settings));
      break;
    case 'export':
      try {
        postMessage({ type: 'file', ...EXPORTS[data.what]() });
      } catch (error) {
        postMessage({ type: 'error', stage: 'export', message: error.message ?? String(error) });
      }
      break;
    case 'pause': control({ paused: true }); break;
    case 'resume': control({ paused: false }); break;
    case 'cancel': control({ cancelled: true }); break;
  }
};

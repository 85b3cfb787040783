// The one loop every job runs in: the session's workbench steps for about CHUNK_MS, then the
// worker posts its progress and yields to its event loop, so pause, resume and cancel are seen
// between chunks. With a pool, each step first hands the helpers what the session shares, and
// hands their results back when it says it awaits them; a step the session does not report
// (its chunk has time left) is followed at once by the next. Nothing here knows what a job does
// or how it is split.

/** Milliseconds of work per chunk: short enough for a prompt pause, long enough to be cheap. */
export const CHUNK_MS = 75;

// A MessageChannel round trip is not clamped to 4 ms as a nested setTimeout is.
const channel = new MessageChannel();
let afterYield = null;
channel.port1.onmessage = () => afterYield();
const yieldToEvents = () => new Promise((resolve) => {
  afterYield = resolve;
  channel.port2.postMessage(null);
});

/**
 * Steps `session` until every job it was started with has finished.
 * @param {object} run
 * @param {object} run.session the wasm Session, its jobs started
 * @param {object|null} run.pool a WorkerPool (pool.js) or ThreadPool (thread-pool.js), or null
 *   for one thread
 * @param {{cancelled: boolean, paused: boolean, wait: () => Promise<void>,
 *   unlessCancelled: (p: Promise) => Promise}} run.control the job's pause and cancel
 * @param {(progress: object) => void} run.onProgress each step's Progress
 * @param {() => Promise<boolean>} run.dataArrived resolves when another shard is here; false if
 *   none can come
 * @param {(paused: boolean) => void} run.onPause
 * @returns {Promise<boolean>} true when the jobs finished, false when cancelled
 */
export async function runInChunks({ session, pool, control, onProgress, dataArrived, onPause }) {
  let out = null; // the helpers' answers to the last tasks sent, while they are out
  // Seconds the worker waited for its helpers' answers, and worked itself (in `step`), since the
  // start: each progress carries them (the benchmark's profile of the pool).
  const clock = { helperWaitSeconds: 0, stepSeconds: 0 };
  for (;;) {
    if (control.cancelled) {
      session.cancel();
      return false;
    }
    if (control.paused) {
      session.pause();
      onPause(true);
      await control.wait();
      if (!control.paused) onPause(false);
      continue;
    }
    if (pool && !out) out = pool.send(session);
    const stepStart = performance.now();
    const progress = session.step(CHUNK_MS);
    const waitStart = performance.now();
    clock.stepSeconds += (waitStart - stepStart) / 1e3;
    if (progress.awaitingHelpers) {
      await pool.receive(session, out, control);
      out = null;
      clock.helperWaitSeconds += (performance.now() - waitStart) / 1e3;
    }
    // Within its budget, the chunk goes on without a message or a yield.
    if (!progress.report) continue;
    onProgress(Object.assign(progress, clock));
    if (progress.idle) return true;
    if (progress.stage === 'waiting') {
      if (!(await control.unlessCancelled(dataArrived()))) {
        if (!control.cancelled) return false;
      }
      continue;
    }
    await yieldToEvents();
  }
}

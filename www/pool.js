// The worker's message-passing pool of helper workers (helper.js), which run its compiled wasm
// module: the pool where the page is not cross-origin isolated (the fast one is thread-pool.js).
// It only carries bytes: the session shares one task per helper (Session.shares) and takes each result
// back (Session.accept); how work is split and summed is the workbench's (src/pool.rs).
// Any helper failure rejects what was asked of the pool with a message that names the helper.

export class WorkerPool {
  /**
   * @param {number} helperCount extra workers
   * @param {WebAssembly.Module} module the lead's compiled wasm module, which they run
   */
  constructor(helperCount, module) {
    this.pending = new Map(); // id → {resolve, reject}
    this.nextId = 0;
    this.failure = null; // once a helper has died, everything asked fails with this
    this.helpers = Array.from({ length: helperCount }, (_, index) => {
      const helper = new Worker(new URL('./helper.js', import.meta.url), { type: 'module' });
      const name = `helper worker ${index + 1} of ${helperCount}`;
      helper.onmessage = ({ data }) => {
        const request = this.pending.get(data.id);
        this.pending.delete(data.id);
        // After an error a helper may be unusable (a panic): the pool is replaced.
        if (data.error) this.failAll(new Error(`${name}: ${data.error}`), request);
        else request?.resolve(data.result);
      };
      helper.onerror = (event) => {
        event.preventDefault();
        this.failAll(new Error(`${name} stopped: ${event.message || 'it could not start or crashed'}`));
      };
      helper.postMessage({ module });
      return helper;
    });
  }

  get helperCount() { return this.helpers.length; }

  /** Workers in all: the lead and its helpers. */
  get size() { return this.helpers.length + 1; }

  /** Posts the session's next tasks to the helpers: their answers' promise, or null when the
   * session has none now. */
  send(session) {
    const tasks = session.shares(this.helperCount);
    if (tasks.length === 0) return null;
    const replies = this.run(tasks);
    replies.catch(() => {}); // awaited by `receive`; a failure must not go unhandled meanwhile
    return replies;
  }

  /** The answers `send` promised, accepted by the session; false if `control` cancelled first. */
  async receive(session, replies, control) {
    const results = await control.unlessCancelled(replies);
    if (!results) return false;
    results.forEach((result, helper) => session.accept(helper, result));
    return true;
  }

  /**
   * Hands task i to helper i (each a Uint8Array, moved, not copied).
   * @param {Uint8Array[]} tasks
   * @returns {Promise<Uint8Array[]>} the results, in helper order
   */
  run(tasks) {
    return Promise.all(tasks.map((task, index) => this.request(this.helpers[index], task)));
  }

  request(helper, task) {
    return new Promise((resolve, reject) => {
      if (this.failure) { reject(this.failure); return; }
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      helper.postMessage({ id, task }, [task.buffer]);
    });
  }

  /** Rejects `request` and everything pending with `error`, and every later request. */
  failAll(error, request = null) {
    request?.reject(error);
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
    this.failure = error;
  }

  terminate() {
    for (const helper of this.helpers) helper.terminate();
    this.failAll(new Error('the pool was stopped'));
  }
}

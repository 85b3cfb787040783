// The worker's fast pool: helper workers that run the lead's threaded module on its shared
// memory (WebAssembly threads; helper-thread.js), where the page is cross-origin isolated
// (docs/builds.md). The session hands them each batch's tasks in memory (Session.sendTo) and
// waits for their answers (Session.receiveFrom): no message, no copy, one wake-up per helper.
// It answers to the same calls as the message pool (pool.js), which the page uses otherwise,
// and gives the same results bit for bit: both run src/pool.rs's helpers.

export class ThreadPool {
  /**
   * @param {number} helperCount extra workers
   * @param {WebAssembly.Module} module the lead's compiled threaded module
   * @param {object} bindings the lead's glue (its HelperThreads), initialised
   * @param {string} glue the glue's URL, for the helpers to import
   */
  constructor(helperCount, module, bindings, glue) {
    this.threads = new bindings.HelperThreads(helperCount);
    this.failure = null;
    const memory = bindings.HelperThreads.memory();
    const started = [];
    this.helpers = Array.from({ length: helperCount }, (_, index) => {
      const helper = new Worker(new URL('./helper-thread.js', import.meta.url), { type: 'module' });
      const name = `helper thread ${index + 1} of ${helperCount}`;
      started.push(new Promise((resolve, reject) => {
        helper.onmessage = ({ data }) => {
          if (data.ready) resolve();
          else this.fail(new Error(`${name}: ${data.error}`), reject);
        };
        helper.onerror = (event) => {
          event.preventDefault();
          this.fail(new Error(`${name} stopped: ${event.message || 'it could not start or crashed'}`), reject);
        };
      }));
      helper.postMessage({ module, memory, glue, slots: this.threads.slotsFor(), index });
      return helper;
    });
    // No task goes out before every helper is in its loop: one that never starts would leave
    // the lead waiting for its answer.
    this.started = Promise.all(started);
    this.started.catch(() => {});
  }

  get helperCount() { return this.helpers.length; }

  /** Workers in all: the lead and its helpers. */
  get size() { return this.helpers.length + 1; }

  /** Hands the helpers the session's next tasks; null when it has none now. */
  send(session) {
    if (this.failure) throw this.failure;
    return session.sendTo(this.threads) ? true : null;
  }

  /** The helpers' answers to what `send` sent, accepted by the session (it waits for them). */
  async receive(session) {
    try {
      session.receiveFrom(this.threads);
    } catch (error) {
      // A helper's failure: this pool is replaced before the next job.
      this.failure ??= error;
      throw error;
    }
    return true;
  }

  fail(error, reject = () => {}) {
    this.failure ??= error;
    reject(error);
  }

  terminate() {
    for (const helper of this.helpers) helper.terminate();
    this.threads.free(); // the slots say "stopped" to any helper still holding them
    this.failure ??= new Error('the pool was stopped');
  }
}

// The worker's pool of helper workers (helper.js), which run its compiled wasm module; the worker
// keeps it from job to job.
// - Training: each batch is split into one part per worker. The lead (worker.js) computes part 0
//   in its Session while the helpers compute the others, and the Session sums the parts in order
//   (src/web/pool.rs), so a run is the same for the same pool size.
// - The Fisher: its batches are split the same way; the helpers compute their batches' terms and
//   the lead adds every batch's in order, so the Fisher does not depend on the pool size.
// - The sweep: the removal orders are split the same way; the helpers score theirs on identical
//   sweeps and the lead takes their scores, so the rows do not depend on the pool size.
// Any helper failure rejects what was asked of it with a message that names the helper.
export class WorkerPool {
  /// `helpers` extra workers running the lead's compiled wasm `module`.
  constructor(helpers, module) {
    this.pending = new Map(); // id → {resolve, reject}
    this.nextId = 0;
    this.failure = null; // once a helper has died, everything asked fails with this
    this.helpers = Array.from({ length: helpers }, (_, index) => {
      const helper = new Worker(new URL('./helper.js', import.meta.url), { type: 'module' });
      const name = `helper worker ${index + 1} of ${helpers}`;
      helper.onmessage = ({ data }) => {
        const request = this.pending.get(data.id);
        this.pending.delete(data.id);
        // After an error a helper may be unusable (a panic): the pool is replaced.
        if (data.error) this.failAll(new Error(`${name}: ${data.error}`), request);
        else request?.resolve(data);
      };
      helper.onerror = (event) => {
        event.preventDefault();
        this.failAll(new Error(`${name} stopped: ${event.message || 'it could not start or crashed'}`));
      };
      helper.postMessage({ module });
      return helper;
    });
  }

  get size() { return this.helpers.length + 1; }

  /// Hands every helper the session's training run: a model of `shape` ({pixelsPerImage,
  /// latent, biases}) and a copy of its training images.
  startRun(session, shape) {
    const pixels = session.poolTrainingPixels();
    this.helpers.forEach((helper, index) => {
      const last = index === this.helpers.length - 1;
      helper.postMessage({ run: shape, pixels }, last ? [pixels.buffer] : []);
    });
  }

  /// Up to `batches` batches, stopping at the end of an epoch as `Session.trainStep` does, and
  /// the same report for all of them.
  async train(session, batches) {
    let report = null;
    const batchLosses = [];
    for (let i = 0; i < batches; i++) {
      report = await this.trainBatch(session);
      batchLosses.push(...report.batchLosses);
      if (report.epochTrainMse != null || report.finished) break;
    }
    return { ...report, batchLosses };
  }

  async trainBatch(session) {
    const weights = session.poolWeights();
    const batchRows = session.poolBatchRows();
    const replies = this.helpers.map((helper, index) => {
      const rows = session.poolPartRows(this.size, index + 1);
      return this.request(helper, { weights, rows, batchRows }, [rows.buffer]);
    });
    session.poolOwnPart(this.size);
    const parts = await Promise.all(replies);
    const gradients = new Float32Array(weights.length * parts.length);
    parts.forEach((part, index) => gradients.set(part.gradients, index * weights.length));
    return session.poolFinishBatch(Float64Array.from(parts, (part) => part.squaredError), gradients);
  }

  /// `count` things (batches, orders) split among the workers as [from, to) ranges, the lead's
  /// first.
  shares(count) {
    const base = Math.floor(count / this.size);
    const larger = count % this.size;
    let from = 0;
    return Array.from({ length: this.size }, (_, index) => {
      const to = from + base + (index < larger ? 1 : 0);
      const range = [from, to];
      from = to;
      return range;
    });
  }

  /// The helpers' shares of the Fisher: `jobs[i]` ({plan, weights, pixels}) for helper i, whose
  /// pixels are its examples; resolves to each helper's batches' terms, one after another.
  fisher(jobs) {
    return Promise.all(this.helpers.map((helper, index) => {
      const fisher = jobs[index];
      if (fisher.pixels.length === 0) return new Float32Array(0);
      return this.request(helper, { fisher }, [fisher.pixels.buffer]).then(({ terms }) => terms);
    }));
  }

  /// The helpers' shares of the sweep (`shares` after the lead's), scored on identical
  /// sweeps built from `sweep` ({shape, weights, fisher, cutoffs, testPixels}); resolves to
  /// [{from, to, scores}], scores order by order.
  sweep(sweep, shares) {
    return Promise.all(this.helpers.map((helper, index) => {
      const [from, to] = shares[index];
      if (from === to) return { from, to, scores: new Float64Array(0) };
      return this.request(helper, { sweep, from, to }, []).then(({ scores }) => ({ from, to, scores }));
    }));
  }

  request(helper, message, transfer) {
    return new Promise((resolve, reject) => {
      if (this.failure) { reject(this.failure); return; }
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      helper.postMessage({ id, ...message }, transfer);
    });
  }

  /// Rejects `request` and everything pending with `error`, and every later request.
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

// The training pool of the worker (worker.js): each batch is split into one part per worker. The
// lead computes part 0 in its Session while helper workers (helper.js) compute the others, and
// the Session sums the parts in order (src/web/pool.rs), so a run is the same for the same pool
// size. Any helper failure rejects the batch with a message that names the helper.
export class TrainingPool {
  /// `helpers` extra workers running the lead's compiled wasm `module`, for the session's run:
  /// a model of `shape` ({pixelsPerImage, latent, biases}) and its training images.
  constructor(helpers, module, session, shape) {
    this.pending = new Map(); // id → {resolve, reject}
    this.nextId = 0;
    this.failure = null; // once a helper has died, every batch fails with this
    this.helpers = Array.from({ length: helpers }, (_, index) => {
      const helper = new Worker(new URL('./helper.js', import.meta.url), { type: 'module' });
      const name = `training helper ${index + 1} of ${helpers}`;
      helper.onmessage = ({ data }) => {
        const request = this.pending.get(data.id);
        this.pending.delete(data.id);
        if (data.error) request?.reject(new Error(`${name}: ${data.error}`));
        else request?.resolve(data);
      };
      helper.onerror = (event) => {
        event.preventDefault();
        this.failAll(new Error(`${name} stopped: ${event.message || 'it could not start or crashed'}`));
      };
      helper.postMessage({ module });
      return helper;
    });
    const pixels = session.poolTrainingPixels();
    this.helpers.forEach((helper, index) => {
      const last = index === helpers - 1;
      helper.postMessage({ run: shape, pixels }, last ? [pixels.buffer] : []);
    });
  }

  get size() { return this.helpers.length + 1; }

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

  request(helper, message, transfer) {
    return new Promise((resolve, reject) => {
      if (this.failure) { reject(this.failure); return; }
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject });
      helper.postMessage({ id, ...message }, transfer);
    });
  }

  failAll(error) {
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
    this.failure = error;
  }

  terminate() {
    for (const helper of this.helpers) helper.terminate();
    this.failAll(new Error('the training pool was stopped'));
  }
}

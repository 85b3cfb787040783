// A helper of the worker's pool (pool.js), running the lead worker's compiled wasm module: it
// computes the tasks the lead's session shares (a part of a training batch, some of the Fisher's
// batches, some of the sweep's removal orders) with a PoolHelper, which keeps a run's training
// images from batch to batch.
//   lead → helper  {module}          first: the WebAssembly.Module to run
//                  {id, task}        a task's bytes (Session.shares)
//   helper → lead  {id, result} | {id, error}   the result's bytes (for Session.accept)
import init, { PoolHelper } from './bayes-renorm.js';

let helper = null; // a promise of the PoolHelper
let panic = null; // a panic's message: the module cannot be used after one
globalThis.onWasmPanic = (message) => { panic = message; };

onmessage = async ({ data }) => {
  if (data.module) {
    helper = init({ module_or_path: data.module }).then(() => new PoolHelper());
    return;
  }
  try {
    const result = (await helper).run(data.task);
    postMessage({ id: data.id, result }, [result.buffer]);
  } catch (error) {
    const message = panic ? `the WebAssembly module panicked: ${panic}` : error.message ?? String(error);
    postMessage({ id: data.id, error: message });
  }
};

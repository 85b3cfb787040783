// A helper of the training pool (pool.js): it keeps a copy of the run's training images and
// computes one part of each batch's gradient, with the lead worker's compiled wasm module.
//   lead → helper  {module}                      first: the WebAssembly.Module to run
//                  {run: {pixelsPerImage, latent, biases}, pixels}   a run and its images
//                  {id, weights, rows, batchRows}  one part of a batch: its examples' indices
//   helper → lead  {id, squaredError, gradients} | {id, error}
import init, { GradientWorker } from './bayes-renorm.js';

let ready = null;
let panic = null; // a panic's message: the module cannot be used after one
globalThis.onWasmPanic = (message) => { panic = message; };
let run = null; // the GradientWorker of the current run
let runProblem = null; // why there is none, if setting it up failed

onmessage = async ({ data }) => {
  if (data.module) {
    ready = init({ module_or_path: data.module });
    return;
  }
  try {
    await ready;
    if (data.run) {
      run?.free();
      run = null;
      const { pixelsPerImage, latent, biases } = data.run;
      run = new GradientWorker(pixelsPerImage, latent, biases, data.pixels);
      runProblem = null;
      return;
    }
    if (!run) throw new Error(runProblem ?? 'no run to train');
    const gradients = run.gradient(data.weights, data.rows, data.batchRows);
    postMessage({ id: data.id, squaredError: run.squaredError, gradients }, [gradients.buffer]);
  } catch (error) {
    const message = panic ? `the WebAssembly module panicked: ${panic}` : error.message ?? String(error);
    if (data.run) runProblem = `its copy of the training images: ${message}`;
    else postMessage({ id: data.id, error: message });
  }
};

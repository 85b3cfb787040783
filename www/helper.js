// A helper of the worker's pool (pool.js), running the lead worker's compiled wasm module. It
// keeps a copy of the run's training images and computes one part of each batch's gradient, or
// computes some of the Fisher's batches, or scores some of the sweep's removal orders.
//   lead → helper  {module}                      first: the WebAssembly.Module to run
//                  {run: {pixelsPerImage, latent, biases}, pixels}   a run and its images
//                  {id, weights, rows, batchRows}  one part of a batch: its examples' indices
//                  {id, fisher: {plan, weights, pixels}}   the Fisher's terms over these images
//                  {id, sweep: {shape, weights, fisher, cutoffs, testPixels}, from, to}
//                                                orders from..to of that sweep
//   helper → lead  {id, squaredError, gradients} | {id, terms} | {id, scores} | {id, error}
import init, { FisherWorker, GradientWorker, SweepWorker } from './bayes-renorm.js';

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
    if (data.fisher) {
      const { plan, weights, pixels } = data.fisher;
      const fisher = new FisherWorker(plan, weights, pixels);
      const terms = fisher.terms();
      fisher.free();
      postMessage({ id: data.id, terms }, [terms.buffer]);
      return;
    }
    if (data.sweep) {
      postMessage({ id: data.id, scores: sweepScores(data.sweep, data.from, data.to) });
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

/// Orders `from..to` of the sweep, one after another, each at every cutoff.
function sweepScores({ shape, weights, fisher, cutoffs, testPixels }, from, to) {
  const sweep = new SweepWorker(shape, weights, fisher, cutoffs, testPixels);
  try {
    const scores = new Float64Array((to - from) * cutoffs.length);
    for (let order = from; order < to; order++) scores.set(sweep.scoreOrder(order), (order - from) * cutoffs.length);
    return scores;
  } finally {
    sweep.free();
  }
}

// The worker that converts a visitor's files (src/web/converter.rs, the core's Import) and keeps
// the result (local-data.js). One conversion per worker; the page cancels by ending it, and as
// nothing is kept until the whole is converted and checked, a cancelled one leaves nothing.
//
// page → worker  {files: [{path, bytes}], options: {name, width, resize, seed}}
// worker → page  {type: 'progress', unit, done, total}  bytes of CSV or pictures so far
//                {type: 'packing'}                      all read; checking and compressing
//                {type: 'converted', id, name, format, skipped, summary}
//                {type: 'error', message}
import './wasm-module.js';
// The converter is in the on-demand build (docs/builds.md), not the page's module.
import init, { Converter } from './bayes-renorm-eigen.js';
import { keepLocal } from './local-data.js';

const ready = init({ module_or_path: new URL(globalThis.bayesWasmModule.eigenFile, import.meta.url) });
globalThis.onWasmPanic = (message) => postMessage({ type: 'error', message: `the converter crashed: ${message}` });

// Rows of CSV or pictures per step: small enough to report progress about every tenth second.
const STEP = { bytes: 2000, pictures: 100 };

onmessage = async ({ data: { files, options } }) => {
  try {
    await ready;
    const converter = new Converter(files.map((f) => f.path), files.map((f) => f.bytes), options);
    for (;;) {
      const progress = converter.progress();
      postMessage({ type: 'progress', ...progress });
      if (converter.step(STEP[progress.unit] ?? 1000)) break;
    }
    // Checking, splitting and compressing the whole takes a few seconds for 60,000 images.
    postMessage({ type: 'packing' });
    const converted = converter.finish();
    await keepLocal(converted);
    const { id, format, skipped, summary } = converted;
    postMessage({ type: 'converted', id, name: summary.name, format, skipped, summary });
  } catch (error) {
    postMessage({ type: 'error', message: error.message ?? String(error) });
  }
};

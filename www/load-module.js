// Starts the wasm module on the main thread (it draws the charts): the build wasm-module.js
// picks, the same one the worker runs. main.js waits for `bayes:module-ready`; a failure shows
// in the page.
import './wasm-module.js';
import init, * as bindings from './bayes-renorm.js';

try {
  await init({ module_or_path: new URL(globalThis.bayesWasmModule.file, import.meta.url) });
  window.wasmBindings = bindings;
  dispatchEvent(new CustomEvent('bayes:module-ready'));
} catch (error) {
  document.body.dataset.wasmFailed = 'true';
  const box = document.getElementById('error');
  document.getElementById('error-text').textContent = `The WebAssembly module failed to load: ${error}. ` +
    'This page needs a browser with WebAssembly SIMD (Chrome 91+, Firefox 89+, Safari 16.4+).';
  box.hidden = false;
}

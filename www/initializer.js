// Trunk calls this while it fetches and instantiates the wasm module: a real progress bar and a
// visible message if loading fails.
export default function initializer() {
  const bar = () => document.getElementById('wasm-progress');
  const status = (text) => { document.getElementById('wasm-status').textContent = text; };
  return {
    onProgress: ({ current, total }) => {
      if (total > 0) { bar().max = total; bar().value = current; }
      status(`Loading the WebAssembly module… ${(current / 1e6).toFixed(1)} MB`);
    },
    onSuccess: () => { bar().value = bar().max; },
    onFailure: (error) => {
      document.body.dataset.wasmFailed = 'true';
      status('');
      const box = document.getElementById('error');
      box.textContent = `The WebAssembly module failed to load: ${error}. ` +
        'This page needs a browser with WebAssembly SIMD (Chrome 91+, Firefox 89+, Safari 16.4+).';
      box.hidden = false;
    },
  };
}

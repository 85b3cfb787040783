// Trunk calls this while it fetches and instantiates the wasm module on the main thread (it draws
// the charts): a visible message if that fails.
export default function initializer() {
  return {
    onFailure: (error) => {
      document.body.dataset.wasmFailed = 'true';
      const box = document.getElementById('error');
      box.textContent = `The WebAssembly module failed to load: ${error}. ` +
        'This page needs a browser with WebAssembly SIMD (Chrome 91+, Firefox 89+, Safari 16.4+).';
      box.hidden = false;
    },
  };
}

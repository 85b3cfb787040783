// DOM wiring only: the model and all numerics live in the wasm module.
const $ = (id) => document.getElementById(id);

function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = false;
}

function onModuleReady(wasm) {
  $('version').textContent = `bayes-renorm ${wasm.version()}`;
  const losses = Array.from(wasm.syntheticDemoLosses());
  const first = losses[0].toFixed(4);
  const last = losses[losses.length - 1].toFixed(4);
  $('wasm-status').textContent =
    `Module ready. Self-check: a small synthetic autoencoder trained here, loss ${first} → ${last}.`;
  document.body.dataset.ready = 'true';
}

if (window.wasmBindings) {
  onModuleReady(window.wasmBindings);
} else {
  addEventListener('TrunkApplicationStarted', () => {
    // On a failed load the initializer has already shown why.
    if (document.body.dataset.wasmFailed) return;
    try { onModuleReady(window.wasmBindings); } catch (e) { showError(`Self-check failed: ${e}`); }
  });
}

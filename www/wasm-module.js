// Which build of the wasm module this browser runs. The relaxed-SIMD build computes the matrix
// products with fused multiply-add (src/dense.rs); a browser without relaxed SIMD rejects it as a
// whole, so a tiny module with one f32x4.relaxed_madd is validated first. Loaded as a plain
// script by the service worker (importScripts) and as a module by the page and the worker, so it
// defines a global rather than exporting.
(() => {
  const zeros = [0xfd, 0x0c, ...new Array(16).fill(0)]; // v128.const 0
  // (func (result v128) (f32x4.relaxed_madd (v128.const 0) (v128.const 0) (v128.const 0)))
  const body = [0x00, ...zeros, ...zeros, ...zeros, 0xfd, 0x85, 0x02, 0x0b];
  const probe = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // types: () -> v128
    0x03, 0x02, 0x01, 0x00, // one function of type 0
    0x0a, body.length + 2, 0x01, body.length, ...body, // its code
  ]);
  let relaxed = false;
  try { relaxed = WebAssembly.validate(probe); } catch { /* no WebAssembly: the loaders say so */ }
  const file = relaxed ? 'bayes-renorm-relaxed_bg.wasm' : 'bayes-renorm_bg.wasm';
  // The threaded build (relaxed SIMD too) shares its memory with the pool's helpers, which only
  // a cross-origin isolated page may do (COOP and COEP: from the host, or from sw.js).
  const threadsFile = relaxed ? 'bayes-renorm-threads_bg.wasm' : null;
  const threads = threadsFile !== null && globalThis.crossOriginIsolated === true;
  globalThis.bayesWasmModule = {
    file,
    threadsFile,
    threads,
    // What the worker and its pool run: the threaded build where it can.
    workerFile: threads ? threadsFile : file,
    workerGlue: threads ? './bayes-renorm-threads.js' : './bayes-renorm.js',
    // The build with the eigensolver, which the worker loads for the eigen-shells only.
    eigenFile: 'bayes-renorm-eigen_bg.wasm',
  };
})();

// A helper of the fast pool (thread-pool.js): the lead worker's threaded module on the lead's
// own shared memory. It calls `helperThread` and stays in it, computing what the lead puts in its
// slot (src/thread_pool.rs); it never returns to this event loop while the pool lives.
//   lead → helper  {module, memory, glue, slots, index}   the only message
//   helper → lead  {ready} just before it enters `helperThread`
//                  {error} when it could not start or `helperThread` failed (a panic)
let panic = null; // a panic's message, from the module's panic hook
globalThis.onWasmPanic = (message) => { panic = message; };

onmessage = async ({ data: { module, memory, glue, slots, index } }) => {
  let bindings = null;
  try {
    bindings = await import(glue);
    await bindings.default({ module_or_path: module, memory });
  } catch (error) {
    postMessage({ error: `could not start: ${error.message ?? error}` });
    return;
  }
  postMessage({ ready: true });
  try {
    bindings.helperThread(slots, index);
  } catch (error) {
    const why = panic ? `the WebAssembly module panicked: ${panic}` : error.message ?? String(error);
    // The lead may be waiting for this helper's answer: it gets the error instead.
    bindings.helperStopped(slots, index, why);
    postMessage({ error: why });
  }
};

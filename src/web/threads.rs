//! `HelperThreads`: the fast pool's facade, in the threaded build only (WebAssembly threads over
//! a shared memory; www/thread-pool.js). The lead worker makes one and starts a worker per helper
//! on the same module and memory, each of which calls `helperThread` and stays in it; the lead's
//! `Session.sendTo` and `receiveFrom` hand them the tasks that `shares` would have posted.

use std::mem::ManuallyDrop;
use std::sync::Arc;

use wasm_bindgen::prelude::*;

use crate::thread_pool::{helper_loop, Slots, ThreadPool};

#[wasm_bindgen]
pub struct HelperThreads {
    pub(super) pool: ThreadPool,
}

#[wasm_bindgen]
impl HelperThreads {
    /// A pool of `helpers` slots; each needs a worker that calls `helperThread` with `slotsFor`.
    #[wasm_bindgen(constructor)]
    pub fn new(helpers: usize) -> HelperThreads {
        HelperThreads {
            pool: ThreadPool::new(helpers),
        }
    }

    /// The slots' address, for one helper's `helperThread` (each call hands over one reference).
    #[wasm_bindgen(js_name = slotsFor)]
    pub fn slots_for(&self) -> usize {
        Arc::into_raw(self.pool.slots()) as usize
    }

    /// The module's shared memory, which the helper workers instantiate the module on.
    pub fn memory() -> JsValue {
        wasm_bindgen::memory()
    }
}

/// A helper worker's whole life: computes what the lead puts in slot `helper` until the pool is
/// dropped. `slots` is from `slotsFor`.
#[wasm_bindgen(js_name = helperThread)]
pub fn helper_thread(slots: usize, helper: usize) {
    // SAFETY: `slots` is a reference `slotsFor` handed over, which this call takes.
    let slots = unsafe { Arc::from_raw(slots as *const Slots) };
    helper_loop(&slots, helper);
}

/// For a helper worker whose `helperThread` failed (a panic traps out of it): the lead, perhaps
/// waiting for its answer, gets `why` instead, now and for every later task.
#[wasm_bindgen(js_name = helperStopped)]
pub fn helper_stopped(slots: usize, helper: usize, why: &str) {
    // SAFETY: the failed `helperThread` never dropped the reference it was given, so the slots
    // live; this borrows them without taking that reference.
    let slots = ManuallyDrop::new(unsafe { Arc::from_raw(slots as *const Slots) });
    slots.stop(helper, why);
}

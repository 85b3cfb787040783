//! The pool's helpers as threads of one process over one memory: the page's fast pool, where the
//! browser runs WebAssembly threads (a cross-origin isolated page), and natively the same. The
//! tasks and the helpers are `crate::pool`'s, so the results are those of the message-passing
//! pool bit for bit; what goes is the messages. A batch costs one hand-over per helper (a lock
//! and a wake-up) and one wait for its answer, where the message pool copies every task and result
//! into JavaScript and back and waits for the worker's event loop twice.
//!
//! The lead fills each helper's slot (`send`), computes its own part, then takes the answers in
//! helper order (`receive`). A helper thread runs `helper_loop` until the pool is dropped.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use crate::pool::{Helper, Share};

/// What one helper's slot holds.
enum Slot {
    Empty,
    Task(Vec<u8>),
    Done(Result<Vec<u8>, String>),
    /// The helper stopped (its thread failed or the pool was dropped): every task fails.
    Stopped(String),
}

/// One helper's slot, and the condition both sides wait on.
struct Place {
    slot: Mutex<Slot>,
    changed: Condvar,
}

/// The slots the lead and the helper threads share.
pub struct Slots {
    places: Vec<Place>,
}

impl Slots {
    fn lock(&self, helper: usize) -> MutexGuard<'_, Slot> {
        // A thread that panicked holding the lock (it never does: tasks run outside it) must not
        // stop the others from seeing the slot.
        self.places[helper]
            .slot
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wait<'a>(&self, helper: usize, guard: MutexGuard<'a, Slot>) -> MutexGuard<'a, Slot> {
        self.places[helper]
            .changed
            .wait(guard)
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn set(&self, helper: usize, mut guard: MutexGuard<'_, Slot>, value: Slot) {
        *guard = value;
        drop(guard);
        self.places[helper].changed.notify_all();
    }

    /// Says that helper `helper` has stopped (`why`): its task, and every later one, fails with
    /// that message, so a lead waiting for it is woken. For a helper whose thread failed.
    pub fn stop(&self, helper: usize, why: &str) {
        let guard = self.lock(helper);
        self.set(helper, guard, Slot::Stopped(why.to_string()));
    }

    /// How many helpers the pool has.
    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }
}

/// The lead's handle on its helper threads' slots.
pub struct ThreadPool {
    slots: Arc<Slots>,
    /// Helpers holding a task whose answer is not yet taken.
    out: usize,
}

impl ThreadPool {
    /// A pool of `helpers` slots. Each needs a thread running `helper_loop` on `slots()`.
    pub fn new(helpers: usize) -> ThreadPool {
        let places = (0..helpers)
            .map(|_| Place {
                slot: Mutex::new(Slot::Empty),
                changed: Condvar::new(),
            })
            .collect();
        ThreadPool {
            slots: Arc::new(Slots { places }),
            out: 0,
        }
    }

    /// One native thread per slot running `helper_loop` (the page starts its helpers as workers:
    /// www/thread-pool.js). They return once the pool is dropped.
    pub fn start_native_helpers(&self) -> Vec<std::thread::JoinHandle<()>> {
        (0..self.helper_count())
            .map(|helper| {
                let slots = self.slots();
                std::thread::spawn(move || helper_loop(&slots, helper))
            })
            .collect()
    }

    /// The slots, for the helper threads.
    pub fn slots(&self) -> Arc<Slots> {
        Arc::clone(&self.slots)
    }

    pub fn helper_count(&self) -> usize {
        self.slots.len()
    }

    /// Hands `shares[i]` to helper i. The previous answers must have been taken (`receive`).
    pub fn send(&mut self, shares: &[Share]) {
        assert!(
            self.out == 0,
            "a pool's tasks were sent before its answers were taken"
        );
        assert!(shares.len() <= self.slots.len(), "more tasks than helpers");
        for (helper, share) in shares.iter().enumerate() {
            let guard = self.slots.lock(helper);
            if !matches!(*guard, Slot::Stopped(_)) {
                self.slots.set(helper, guard, Slot::Task(share.to_vec()));
            }
        }
        self.out = shares.len();
    }

    /// Waits for the answers to the last `send`, in helper order. A helper's error, or its
    /// having stopped, is its answer's `Err`.
    pub fn receive(&mut self) -> Vec<Result<Vec<u8>, String>> {
        let answers = (0..self.out)
            .map(|helper| {
                let mut guard = self.slots.lock(helper);
                loop {
                    match &*guard {
                        Slot::Done(_) => break,
                        Slot::Stopped(why) => return Err(why.clone()),
                        _ => guard = self.slots.wait(helper, guard),
                    }
                }
                match std::mem::replace(&mut *guard, Slot::Empty) {
                    Slot::Done(answer) => answer,
                    _ => unreachable!("the slot held an answer"),
                }
            })
            .collect();
        self.out = 0;
        answers
    }
}

impl Drop for ThreadPool {
    /// The helper threads return from `helper_loop`.
    fn drop(&mut self) {
        for helper in 0..self.slots.len() {
            self.slots.stop(helper, "the pool was stopped");
        }
    }
}

/// A helper thread's life: it computes each task put in slot `helper` with one `pool::Helper`
/// (which keeps a run's training images between batches), until the pool is stopped.
pub fn helper_loop(slots: &Slots, helper: usize) {
    let mut computer = Helper::new();
    loop {
        let mut guard = slots.lock(helper);
        let task = loop {
            match std::mem::replace(&mut *guard, Slot::Empty) {
                Slot::Task(task) => break task,
                Slot::Stopped(why) => {
                    *guard = Slot::Stopped(why);
                    return;
                }
                other => {
                    *guard = other;
                    guard = slots.wait(helper, guard);
                }
            }
        };
        drop(guard);
        let answer = computer.run(task).map_err(|error| error.to_string());
        let guard = slots.lock(helper);
        if matches!(*guard, Slot::Stopped(_)) {
            return;
        }
        slots.set(helper, guard, Slot::Done(answer));
    }
}

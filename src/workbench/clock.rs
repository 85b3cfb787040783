//! The workbench times itself with a clock it is given: `Instant` in `reproduce`,
//! `performance.now()` in the page, a counter in the tests. Time between calls counts too (a
//! yield to the page's event loop, waiting for helpers), except while paused or waiting for data.

use serde::{Deserialize, Serialize};

/// Seconds since some fixed moment.
pub type Clock = Box<dyn Fn() -> f64>;

/// What a stretch of time is spent on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    Train,
    Fisher,
    Sweep,
    Blocks,
    Decompose,
    EigenSweep,
    Refine,
    FineTune,
    SoftFlow,
}

/// Seconds each job took, as `reproduce`'s report gives them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Seconds {
    pub train: f64,
    pub fisher: f64,
    pub sweep: f64,
    /// The eigen-shells: blocks, eigendecompositions and their sweep.
    pub eigen: f64,
    pub fine_tune: f64,
    pub soft_flow: f64,
}

/// The eigen-shells' seconds by stage, for the page's status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EigenSeconds {
    pub blocks: f64,
    pub decompose: f64,
    pub sweep: f64,
    pub refine: f64,
}

/// Charges the time between laps to slots.
pub struct Stopwatch {
    clock: Clock,
    /// The last lap; `None` while stopped.
    last: Option<f64>,
    /// The running job's seconds by slot (`train` is the training run's until it finishes).
    pub seconds: Seconds,
    pub eigen: EigenSeconds,
}

impl Stopwatch {
    pub fn new(clock: Clock) -> Self {
        Stopwatch {
            clock,
            last: None,
            seconds: Seconds::default(),
            eigen: EigenSeconds::default(),
        }
    }

    /// The clock's reading, charging nothing.
    pub fn now(&self) -> f64 {
        (self.clock)()
    }

    /// Charges the seconds since the last lap to `slot` (to nothing when `None`, or when stopped)
    /// and starts the next; returns the time.
    pub fn lap(&mut self, slot: Option<Slot>) -> f64 {
        let now = (self.clock)();
        let elapsed = self.last.map_or(0.0, |last| (now - last).max(0.0));
        self.last = Some(now);
        let (s, e) = (&mut self.seconds, &mut self.eigen);
        let slot_seconds = match slot {
            None => return now,
            Some(Slot::Train) => &mut s.train,
            Some(Slot::Fisher) => &mut s.fisher,
            Some(Slot::Sweep) => &mut s.sweep,
            Some(Slot::FineTune) => &mut s.fine_tune,
            Some(Slot::SoftFlow) => &mut s.soft_flow,
            Some(Slot::Blocks) => &mut e.blocks,
            Some(Slot::Decompose) => &mut e.decompose,
            Some(Slot::EigenSweep) => &mut e.sweep,
            Some(Slot::Refine) => &mut e.refine,
        };
        *slot_seconds += elapsed;
        if matches!(
            slot,
            Some(Slot::Blocks | Slot::Decompose | Slot::EigenSweep | Slot::Refine)
        ) {
            s.eigen += elapsed;
        }
        now
    }

    /// Nothing counts until the next lap.
    pub fn stop(&mut self) {
        self.last = None;
    }
}

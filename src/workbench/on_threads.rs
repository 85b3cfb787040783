//! A workbench run with its helpers on native threads sharing its memory (`thread_pool`), stepped
//! as the page's worker steps it with its ThreadPool (www/run-in-chunks.js): the tasks go out
//! when none are out, and the answers come back when a step awaits them. The benchmark and the
//! tests run the page's fast pool natively through this.

use super::{Workbench, WorkbenchError};
use crate::thread_pool::ThreadPool;

/// The lead's seconds in its own steps and waiting for its helpers, and the steps that waited.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LeadClock {
    pub step_seconds: f64,
    pub wait_seconds: f64,
    pub waits: usize,
}

/// Steps `bench` until it is idle, its shares computed on `pool`'s helper threads; `now` is the
/// clock in seconds the lead's profile is taken with. A helper's error ends the run as a pool
/// error naming it.
pub fn run_on_threads(
    bench: &mut Workbench,
    pool: &mut ThreadPool,
    now: impl Fn() -> f64,
) -> Result<LeadClock, WorkbenchError> {
    let mut clock = LeadClock::default();
    let mut out = false;
    loop {
        if !out {
            let shares = bench.shares(pool.helper_count())?;
            pool.send(&shares);
            out = !shares.is_empty();
        }
        let before = now();
        let progress = bench.step(1.0)?;
        let stepped = now();
        clock.step_seconds += stepped - before;
        if progress.awaiting_helpers {
            for (helper, answer) in pool.receive().into_iter().enumerate() {
                let answer = answer
                    .map_err(|why| WorkbenchError::Pool(format!("helper {}: {why}", helper + 1)))?;
                bench.accept(helper, &answer)?;
            }
            out = false;
            clock.wait_seconds += now() - stepped;
            clock.waits += 1;
        }
        if progress.idle {
            return Ok(clock);
        }
    }
}

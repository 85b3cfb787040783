//! The pool as threads over one memory (`thread_pool`, the page's fast pool): a run on real
//! helper threads gives the weights and the analysis of the message-passing pool (emulated in
//! workbench.rs by the same helpers called in turn) bit for bit; a helper's error or its stopping
//! reaches the lead as an error naming it, and wakes a lead that waits; dropping the pool ends
//! the helper threads.
use std::cell::Cell;
use std::thread::JoinHandle;
use std::time::Instant;

use bayes_renorm::pool::Share;
use bayes_renorm::thread_pool::ThreadPool;
use bayes_renorm::workbench::{run_on_threads, JobKind, Workbench, WorkbenchError};

use crate::workbench::{bench, run, settings, weights, TestClock};

/// A pool of `helpers` real threads.
fn spawn(helpers: usize) -> (ThreadPool, Vec<JoinHandle<()>>) {
    let pool = ThreadPool::new(helpers);
    let threads = pool.start_native_helpers();
    (pool, threads)
}

/// Steps to the end as the page does with its fast pool; the lead waited for its helpers once a
/// batch at least (each batch is shared). A run that never becomes idle fails instead of hanging:
/// the lead reads the clock at most three times a step.
fn run_to_idle(bench: &mut Workbench, pool: &mut ThreadPool) {
    let start = Instant::now();
    let readings = Cell::new(0_usize);
    let now = || {
        readings.set(readings.get() + 1);
        assert!(
            readings.get() <= 3_000_000,
            "the workbench never became idle"
        );
        start.elapsed().as_secs_f64()
    };
    let clock = run_on_threads(bench, pool, now).unwrap();
    assert!(clock.waits > 0 && clock.step_seconds > 0.0 && clock.wait_seconds >= 0.0);
}

#[test]
fn on_helper_threads_training_and_analysis_are_the_message_pools_bit_for_bit() {
    for helpers in [1, 2, 3] {
        let clock = TestClock::new(1e-3);
        let mut messages = bench(&clock);
        messages
            .start(&[JobKind::Train, JobKind::Analyse], settings())
            .unwrap();
        run(&mut messages, 1.0, helpers);

        let (mut pool, threads) = spawn(helpers);
        let mut threaded = bench(&clock);
        threaded
            .start(&[JobKind::Train, JobKind::Analyse], settings())
            .unwrap();
        run_to_idle(&mut threaded, &mut pool);
        assert_eq!(weights(&threaded), weights(&messages), "{helpers} helpers");
        let (a, b) = (threaded.analysed().unwrap(), messages.analysed().unwrap());
        assert_eq!(a.result.fisher, b.result.fisher, "{helpers} helpers");
        assert_eq!(a.result.rows, b.result.rows, "{helpers} helpers");
        assert_eq!(threaded.trained().unwrap().record.parts, helpers + 1);

        // A second run on the same threads (they keep the first run's images) is the same too.
        threaded.start(&[JobKind::Train], settings()).unwrap();
        run_to_idle(&mut threaded, &mut pool);
        assert_eq!(
            weights(&threaded),
            weights(&messages),
            "{helpers} helpers, again"
        );

        drop(pool);
        for thread in threads {
            thread
                .join()
                .expect("a helper thread ends when its pool is dropped");
        }
    }
}

#[test]
fn a_helpers_error_or_stop_reaches_the_lead_and_wakes_it() {
    let (mut pool, threads) = spawn(2);
    // Helper 1 gets bytes that are no task: its answer is its error; helper 0's is fine.
    let good = bayes_renorm::pool::fisher_task(
        &bayes_renorm::model::Autoencoder::<f32>::init(4, 2, false, 1),
        bayes_renorm::fisher::FisherVariant::Regression,
        &[0, 10, 20, 30],
    );
    let bad = Share {
        header: vec![99],
        payload: &[],
    };
    pool.send(&[good, bad]);
    let answers = pool.receive();
    assert!(answers[0].is_ok(), "{:?}", answers[0]);
    assert_eq!(
        answers[1].as_ref().unwrap_err(),
        "a pool task: unknown kind 99"
    );

    drop(pool);
    for thread in threads {
        thread.join().unwrap();
    }

    // A helper that stops (its thread failed) wakes a lead waiting for it, with the reason; every
    // later task of it fails at once. This slot has no thread, so only the stop can answer.
    let mut lonely = ThreadPool::new(1);
    let slots = lonely.slots();
    let stopper = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        slots.stop(0, "the helper's module trapped");
    });
    let task = || Share {
        header: vec![99],
        payload: &[],
    };
    lonely.send(&[task()]);
    let stopped = Err("the helper's module trapped".to_string());
    assert_eq!(lonely.receive(), vec![stopped.clone()]);
    stopper.join().unwrap();
    lonely.send(&[task()]);
    assert_eq!(lonely.receive(), vec![stopped]);

    // A run whose helper has stopped ends with an error naming it, not a hang.
    let mut bench = bench(&TestClock::new(1e-3));
    bench.start(&[JobKind::Train], settings()).unwrap();
    match run_on_threads(&mut bench, &mut lonely, || 0.0) {
        Err(WorkbenchError::Pool(why)) => {
            assert_eq!(why, "helper 1: the helper's module trapped")
        }
        other => panic!("expected the stopped helper's error, got {other:?}"),
    }
}

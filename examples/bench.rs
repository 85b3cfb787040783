//! The core's side of `scripts/bench.sh`, natively: the workloads of `bayes_renorm::bench` on the
//! committed MNIST shards, as one JSON object on stdout. The browser runs the same function on
//! the same shards (`benchCore`).
//! Run: cargo run --release --example bench [-- --smoke]

use std::path::Path;
use std::time::Instant;

use bayes_renorm::bench::{core_figures, BenchPlan};
use bayes_renorm::data::files::{load_shards, read_manifest};
use bayes_renorm::data::manifest::Split;
use bayes_renorm::data::run_data::RunData;
use bayes_renorm::data::Dataset;
use bayes_renorm::eigen::faer_symmetric_eigen;
use bayes_renorm::thread_pool::ThreadPool;
use bayes_renorm::workbench::{run_on_threads, JobKind, LeadClock, Settings, Workbench};

fn main() {
    let plan = match std::env::args().nth(1).as_deref() {
        None => BenchPlan::full(),
        Some("--smoke") => BenchPlan::smoke(),
        Some(other) => {
            eprintln!("bench: unknown argument {other:?} (the only one is --smoke)");
            std::process::exit(2);
        }
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data/mnist");
    let manifest = read_manifest(&dir).expect("committed manifest");
    let train = load_shards(&dir, &manifest, Split::Train).expect("committed training shards");
    let test = load_shards(&dir, &manifest, Split::Test).expect("committed test shards");
    let start = Instant::now();
    let now_ms = || start.elapsed().as_secs_f64() * 1e3;
    let figures = core_figures(&plan, &train, &test, &now_ms);
    // The page's pool natively: the workbench's training with 0 and 1 helper threads.
    let pool: Vec<_> = (plan.latents.iter())
        .flat_map(|&latent| [0, 1].map(|helpers| (latent, helpers)))
        .map(|(latent, helpers)| {
            let (per_second, lead) = pool_training(&plan, latent, helpers, &train, &test);
            serde_json::json!({ "latent": latent, "workers": helpers + 1, "examples_per_second": per_second,
                "lead_step_seconds": lead.step_seconds, "lead_wait_seconds": lead.wait_seconds, "batches": lead.waits })
        })
        .collect();
    let json = serde_json::json!({ "plan": plan, "figures": figures, "pool": pool });
    println!("{json}");
}

/// Examples per second of the workbench's training (one epoch of the plan's images, batch 1000,
/// the best of the plan's rounds), its batches shared with `helpers` threads as the page's fast
/// pool shares them (`thread_pool`); and the best round's profile: the lead's seconds in its
/// steps and waiting for its helpers, and the steps that waited.
fn pool_training(
    plan: &BenchPlan,
    latent: usize,
    helpers: usize,
    train: &Dataset,
    test: &Dataset,
) -> (f64, LeadClock) {
    let start = Instant::now();
    let now = move || start.elapsed().as_secs_f64();
    let mut pool = ThreadPool::new(helpers);
    let threads = pool.start_native_helpers();
    let settings = Settings {
        latent,
        epochs: 1,
        batch: 1000,
        subset: Some(plan.train_examples),
        ..Settings::default()
    };
    let best = (0..plan.rounds)
        .map(|_| {
            let data = RunData::whole("mnist".into(), train.clone(), test.first(1000), 10);
            let mut bench = Workbench::new(data, Box::new(now), faer_symmetric_eigen);
            bench.start(&[JobKind::Train], settings.clone()).unwrap();
            let lead = run_on_threads(&mut bench, &mut pool, now).unwrap();
            let per_second = bench.trained().unwrap().record.examples_per_second;
            (per_second, lead)
        })
        .fold((0.0, LeadClock::default()), |best, round| {
            if round.0 > best.0 {
                round
            } else {
                best
            }
        });
    drop(pool);
    threads
        .into_iter()
        .for_each(|thread| thread.join().unwrap());
    best
}

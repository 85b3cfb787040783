//! The core's side of `scripts/bench.sh`, natively: the workloads of `bayes_renorm::bench` on the
//! committed MNIST shards, as one JSON object on stdout. The browser runs the same function on
//! the same shards (`benchCore`).
//! Run: cargo run --release --example bench [-- --smoke]

use std::path::Path;
use std::time::Instant;

use bayes_renorm::bench::{core_figures, BenchPlan};
use bayes_renorm::data::files::{load_shards, read_manifest};
use bayes_renorm::data::manifest::Split;

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
    let json = serde_json::json!({ "plan": plan, "figures": figures });
    println!("{json}");
}

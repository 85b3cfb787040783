//! Speed of the hockey-stick sweep on the committed MNIST test shards, natively.
//! Run: cargo run --release --example bench_sweep

use std::path::Path;

use bayes_renorm::data::files::{load_shards, read_manifest};
use bayes_renorm::data::manifest::Split;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data/mnist");
    let manifest = read_manifest(&dir).expect("committed manifest");
    let test = load_shards(&dir, &manifest, Split::Test).expect("committed test shards");
    let start = std::time::Instant::now();
    let now_ms = || start.elapsed().as_secs_f64() * 1e3;
    println!("{}", bayes_renorm::bench::sweep_speed(&test, &now_ms));
}

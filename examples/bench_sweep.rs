//! Speed of the hockey-stick sweep on the committed MNIST test shards: one pruned-model
//! evaluation (10,000 test images) and a 40-point log-grid sweep with 3 random seeds.
//! Run: cargo run --release --example bench_sweep

use std::path::Path;
use std::time::Instant;

use bayes_renorm::data::files::{load_shards, read_manifest};
use bayes_renorm::data::manifest::Split;
use bayes_renorm::fisher::{fisher_diag, FisherVariant};
use bayes_renorm::model::Autoencoder;
use bayes_renorm::prune::dataset_mse;
use bayes_renorm::sweep::{log_grid, Sweep};

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data/mnist");
    let manifest = read_manifest(&dir).expect("committed manifest");
    let test = load_shards(&dir, &manifest, Split::Test).expect("committed test shards");
    // Untrained weights: the cost of a sweep does not depend on the values.
    let model = Autoencoder::<f32>::init(784, 20, false, 42);

    let start = Instant::now();
    let fisher = fisher_diag(&model, &test, FisherVariant::Regression, 1000);
    let fisher_ms = start.elapsed().as_secs_f64() * 1e3;

    let rounds = 5;
    let start = Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(dataset_mse(&model, &test, 1000));
    }
    let eval_ms = start.elapsed().as_secs_f64() * 1e3 / rounds as f64;

    let grid = log_grid(fisher.encoder.as_slice().expect("standard layout"), 40);
    let start = Instant::now();
    let mut sweep = Sweep::new(&model, &fisher.encoder, grid, &[1, 2, 3]);
    while sweep.step(&test).is_some() {}
    let sweep_s = start.elapsed().as_secs_f64();

    let gflops = 4.0 * 784.0 * 20.0 * test.len() as f64 / (eval_ms * 1e-3) / 1e9;
    println!("Fisher over {} test images: {fisher_ms:.1} ms", test.len());
    println!(
        "one pruned-model evaluation ({} images): {eval_ms:.1} ms ({gflops:.1} GFLOP/s)",
        test.len()
    );
    println!("40-point sweep, Fisher + magnitude + 3 random seeds: {sweep_s:.2} s");
}

//! Training throughput for the paper's sizes (n = 784, m = 20, batch 1000), natively.
//! FLOPs are counted as 10·n·m per example: 4nm forward, 6nm backward (no input gradient).
//! Run: cargo run --release --example bench_train

use std::time::Instant;

use bayes_renorm::model::Autoencoder;
use bayes_renorm::train::{synthetic_dataset, TrainConfig, Trainer};

fn main() {
    let (n, m, examples, batch_size) = (784, 20, 20_000, 1000);
    let data = synthetic_dataset(1, examples, 28, 28);
    let config = TrainConfig {
        epochs: 1,
        batch_size,
        ..TrainConfig::default()
    };
    // One warm-up epoch, then the best of several timed epochs.
    let mut best = f64::INFINITY;
    for round in 0..4 {
        let model = Autoencoder::<f32>::init(n, m, false, round);
        let mut trainer = Trainer::new(model, config, data.clone()).expect("valid setup");
        let start = Instant::now();
        trainer.step(usize::MAX).expect("finite training");
        let seconds = start.elapsed().as_secs_f64();
        if round > 0 {
            best = best.min(seconds);
        }
    }
    let per_second = examples as f64 / best;
    let gflops = per_second * 10.0 * (n * m) as f64 / 1e9;
    println!(
        "train n={n} m={m} batch={batch_size}: {per_second:.0} examples/s, {gflops:.2} GFLOP/s \
         ({examples} examples in {:.1} ms, best of 3)",
        best * 1e3
    );
}

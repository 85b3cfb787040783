//! Workloads shared by the native benchmarks (`examples/`) and the browser benchmark
//! (`tests/browser_bench_numerics.rs`). The caller supplies the clock in milliseconds, because
//! `std::time::Instant` does not exist in the browser.

use std::hint::black_box;

use crate::data::Dataset;
use crate::fisher::{fisher_diag, FisherVariant};
use crate::model::Autoencoder;
use crate::prune::EvalSet;
use crate::sweep::{log_grid, Baselines, Sweep};
use crate::train::{synthetic_dataset, TrainConfig, Trainer};

/// The paper's sizes.
const INPUT_DIM: usize = 784;
const LATENT_DIM: usize = 20;

/// Training speed for n = 784, m = 20, batch 1000. FLOPs count 10·n·m per example: 4nm forward,
/// 6nm backward (no input gradient).
pub fn training_throughput(now_ms: &dyn Fn() -> f64) -> String {
    let (examples, batch_size) = (20_000, 1000);
    let data = synthetic_dataset(1, examples, 28, 28);
    let config = TrainConfig {
        epochs: 1,
        batch_size,
        ..TrainConfig::default()
    };
    // A warm-up epoch, then the best of three.
    let mut best_ms = f64::INFINITY;
    for round in 0..4 {
        let model = Autoencoder::<f32>::init(INPUT_DIM, LATENT_DIM, false, round);
        let mut trainer = Trainer::new(model, config, data.clone()).expect("valid setup");
        let start = now_ms();
        trainer.step(usize::MAX).expect("finite training");
        if round > 0 {
            best_ms = best_ms.min(now_ms() - start);
        }
    }
    let per_second = examples as f64 / (best_ms / 1e3);
    let gflops = per_second * 10.0 * (INPUT_DIM * LATENT_DIM) as f64 / 1e9;
    format!(
        "train n={INPUT_DIM} m={LATENT_DIM} batch={batch_size}: {per_second:.0} examples/s, \
         {gflops:.2} GFLOP/s ({examples} examples in {best_ms:.1} ms, best of 3)"
    )
}

/// Fisher over `test`, one pruned-model evaluation on all of `test`, and a 40-point log-grid
/// sweep with 3 random seeds. The weights are untrained: the cost does not depend on them.
pub fn sweep_speed(test: &Dataset, now_ms: &dyn Fn() -> f64) -> String {
    let model = Autoencoder::<f32>::init(INPUT_DIM, LATENT_DIM, false, 42);
    let start = now_ms();
    let fisher = fisher_diag(&model, test, FisherVariant::Regression, 1000);
    let fisher_ms = now_ms() - start;

    let rounds = 5;
    let eval_set = EvalSet::new(test, 1000);
    let start = now_ms();
    for _ in 0..rounds {
        black_box(eval_set.mse(&model));
    }
    let eval_ms = (now_ms() - start) / rounds as f64;
    let gflops = 4.0 * (INPUT_DIM * LATENT_DIM * test.len()) as f64 / (eval_ms / 1e3) / 1e9;

    let grid = log_grid(fisher.encoder.as_slice().expect("standard layout"), 40);
    let start = now_ms();
    let baselines = Baselines::all(vec![1, 2, 3]);
    let mut sweep = Sweep::new(&model, &fisher.encoder, grid, &baselines, test);
    while sweep.step().is_some() {}
    let sweep_s = (now_ms() - start) / 1e3;
    format!(
        "Fisher over {count} images: {fisher_ms:.1} ms; one pruned-model evaluation on {count} \
         images: {eval_ms:.1} ms ({gflops:.1} GFLOP/s); 40-point sweep, Fisher + magnitude + \
         saliency + 3 random seeds: {sweep_s:.2} s",
        count = test.len()
    )
}

//! The core's workloads for `scripts/bench.sh`, run natively (`examples/bench.rs`) and in the
//! browser (`benchCore` in the page's worker) on the same MNIST shards, so the two columns of the
//! table measure the same thing. The caller supplies the clock in milliseconds, because
//! `std::time::Instant` does not exist in the browser.

use std::hint::black_box;

use serde::{Deserialize, Serialize};

use crate::adam::{Adam, AdamConfig};
use crate::data::Dataset;
use crate::dense;
use crate::fisher::{fisher_diag, FisherVariant};
use crate::model::{Autoencoder, ForwardPass};
use crate::network::Network;
use crate::prune::EvalSet;
use crate::sparse::{transpose_times_x, x_times_transpose, SparseRows};
use crate::sweep::{log_grid, Baselines, Sweep};
use crate::train::{TrainConfig, Trainer};

/// The paper's input size.
const INPUT_DIM: usize = 784;
/// The paper's latent size: the Fisher, evaluation and sweep run at it.
const PAPER_LATENT: usize = 20;
const BATCH_SIZE: usize = 1000;
const SWEEP_POINTS: usize = 40;
const RANDOM_SEEDS: [u64; 3] = [1, 2, 3];

/// How much of each workload to run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchPlan {
    /// Latent sizes m for the training throughput: its cost grows with n·m.
    pub latents: Vec<usize>,
    /// Training images per timed epoch (the first of the training split).
    pub train_examples: usize,
    /// Training images the Fisher sums over.
    pub fisher_examples: usize,
    /// Test images for the evaluation and the sweep.
    pub test_examples: usize,
    /// Timed repetitions after one warm-up; the best counts.
    pub rounds: usize,
}

impl BenchPlan {
    /// What the README's table reports: full MNIST, m = 20, 64, 256, best of 3.
    pub fn full() -> BenchPlan {
        BenchPlan {
            latents: vec![20, 64, 256],
            train_examples: 20_000,
            fisher_examples: 60_000,
            test_examples: 10_000,
            rounds: 3,
        }
    }

    /// A few seconds, for the test command: every workload runs, small.
    pub fn smoke() -> BenchPlan {
        BenchPlan {
            latents: vec![20, 64],
            train_examples: 2_000,
            fisher_examples: 2_000,
            test_examples: 1_000,
            rounds: 1,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingFigures {
    pub latent: usize,
    pub batch_size: usize,
    pub examples: usize,
    pub best_ms: f64,
    pub examples_per_second: f64,
    /// 10·n·m FLOPs per example: 4nm forward, 6nm backward (no input gradient).
    pub gflops: f64,
}

/// One of the products a batch-1000 training step at m = 20 makes, timed alone: where the step's
/// time goes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductFigures {
    pub product: String,
    pub ms: f64,
    /// Counting the dense product's 2·batch·n·m FLOPs, sparse or not, so the figures compare.
    pub gflops: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CoreFigures {
    /// What computed the dense products (`dense::KERNEL`).
    pub kernel: String,
    pub training: Vec<TrainingFigures>,
    /// One training step (forward, backward, Adam) at m = 20, batch 1000, and its products.
    pub step_ms: f64,
    pub step_products: Vec<ProductFigures>,
    pub fisher_examples: usize,
    pub fisher_seconds: f64,
    pub eval_examples: usize,
    /// One evaluation of the model on the test images, as each sweep point does.
    pub eval_ms: f64,
    pub eval_gflops: f64,
    pub sweep_points: usize,
    pub sweep_random_seeds: usize,
    /// Fisher, magnitude and saliency orders and the random seeds, as the page's sweep.
    pub sweep_seconds: f64,
}

/// Runs every workload of `plan`: training from `train`, the Fisher over its first
/// `fisher_examples`, the evaluation and the sweep on the first `test_examples` of `test`.
/// The analysis weights are untrained: the cost does not depend on them.
pub fn core_figures(
    plan: &BenchPlan,
    train: &Dataset,
    test: &Dataset,
    now_ms: &dyn Fn() -> f64,
) -> CoreFigures {
    let training = plan
        .latents
        .iter()
        .map(|&latent| {
            training_throughput(
                latent,
                &train.first(plan.train_examples),
                plan.rounds,
                now_ms,
            )
        })
        .collect();

    let (step_ms, step_products) = step_profile(train, plan.rounds.max(3), now_ms);

    let model = Autoencoder::<f32>::init(INPUT_DIM, PAPER_LATENT, false, 42);
    let fisher_data = train.first(plan.fisher_examples);
    let mut fisher = None;
    let fisher_ms = best_of(
        plan.rounds,
        now_ms,
        || (),
        |()| {
            fisher = Some(fisher_diag(
                &model,
                &fisher_data,
                FisherVariant::Regression,
                BATCH_SIZE,
            ));
        },
    );
    let fisher = fisher.expect("at least one round");

    let test = test.first(plan.test_examples);
    let eval_set = EvalSet::new(&test, BATCH_SIZE);
    let network = Network::Autoencoder(model);
    let eval_ms = best_of(
        plan.rounds,
        now_ms,
        || (),
        |()| {
            black_box(eval_set.score(&network));
        },
    );
    let eval_gflops = 4.0 * (INPUT_DIM * PAPER_LATENT * test.len()) as f64 / (eval_ms / 1e3) / 1e9;

    let grid = log_grid(
        fisher.encoder.as_slice().expect("standard layout"),
        SWEEP_POINTS,
    );
    let baselines = Baselines::all(RANDOM_SEEDS.to_vec());
    // Once: at several seconds, one run is representative and a warm-up adds nothing.
    let start = now_ms();
    let mut sweep = Sweep::new(&network, &fisher.encoder, grid, &baselines, &test);
    while sweep.step().is_some() {}
    let sweep_seconds = (now_ms() - start) / 1e3;

    CoreFigures {
        kernel: dense::KERNEL.to_string(),
        training,
        step_ms,
        step_products,
        fisher_examples: fisher_data.len(),
        fisher_seconds: fisher_ms / 1e3,
        eval_examples: test.len(),
        eval_ms,
        eval_gflops,
        sweep_points: SWEEP_POINTS,
        sweep_random_seeds: RANDOM_SEEDS.len(),
        sweep_seconds,
    }
}

/// One epoch of batch-1000 training on `data`: a warm-up, then the best of `rounds`.
fn training_throughput(
    latent: usize,
    data: &Dataset,
    rounds: usize,
    now_ms: &dyn Fn() -> f64,
) -> TrainingFigures {
    let config = TrainConfig {
        epochs: 1,
        batch_size: BATCH_SIZE,
        ..TrainConfig::default()
    };
    let mut seed = 0;
    // Building the trainer (it copies the images as floats) is not timed: only the epoch is.
    let best_ms = best_of(
        rounds,
        now_ms,
        || {
            seed += 1;
            let model = Autoencoder::<f32>::init(INPUT_DIM, latent, false, seed);
            Trainer::new(model, config, data.clone()).expect("valid setup")
        },
        |mut trainer| {
            trainer.step(usize::MAX).expect("finite training");
        },
    );
    let examples_per_second = data.len() as f64 / (best_ms / 1e3);
    TrainingFigures {
        latent,
        batch_size: BATCH_SIZE,
        examples: data.len(),
        best_ms,
        examples_per_second,
        gflops: examples_per_second * 10.0 * (INPUT_DIM * latent) as f64 / 1e9,
    }
}

/// A whole training step at the paper's sizes on the first batch of `train`, and each of its
/// five products alone (the operands' values do not change their cost).
fn step_profile(
    train: &Dataset,
    rounds: usize,
    now_ms: &dyn Fn() -> f64,
) -> (f64, Vec<ProductFigures>) {
    let x = train.batch::<f32>(0..BATCH_SIZE.min(train.len()));
    let batch = x.nrows();
    let model = Autoencoder::<f32>::init(INPUT_DIM, PAPER_LATENT, false, 1);
    let lens: Vec<usize> = model.parameters().iter().map(|p| p.len()).collect();
    let mut adam = Adam::new(AdamConfig::default(), &lens);
    let mut step_model = model.clone();
    let step_ms = best_of(
        rounds,
        now_ms,
        || (),
        |()| {
            let (_, grads) = step_model.loss_and_gradients(x.view());
            adam.update(step_model.parameters_mut(), grads.tensors());
        },
    );

    // The output stands in for dz, and the latent for da: operands of the right shapes.
    let ForwardPass {
        latent,
        output: d_output,
    } = model.forward(x.view());
    let sparse = SparseRows::of(x.view());
    let mut products = Vec::new();
    let mut time = |product: &str, work: &mut dyn FnMut()| {
        let ms = best_of(rounds, now_ms, || (), |()| work());
        let gflops = 2.0 * (batch * INPUT_DIM * PAPER_LATENT) as f64 / (ms / 1e3) / 1e9;
        products.push(ProductFigures {
            product: product.to_string(),
            ms,
            gflops,
        });
    };
    let sparse_label = if sparse.is_some() { "sparse" } else { "dense" };
    time(&format!("x·Eᵀ ({sparse_label})"), &mut || {
        black_box(x_times_transpose(x.view(), sparse.as_ref(), &model.encoder));
    });
    time("h·Dᵀ", &mut || {
        black_box(dense::times_transpose(&latent, &model.decoder));
    });
    time("dzᵀ·h", &mut || {
        black_box(dense::transpose_times(&d_output, &latent));
    });
    time("dz·D", &mut || {
        black_box(dense::times(&d_output, &model.decoder));
    });
    time(&format!("daᵀ·x ({sparse_label})"), &mut || {
        black_box(transpose_times_x(&latent, x.view(), sparse.as_ref()));
    });
    (step_ms, products)
}

/// The best time of `rounds` runs of `work` after one warm-up run, in milliseconds; `setup`
/// prepares each run's input outside the timed part.
fn best_of<T>(
    rounds: usize,
    now_ms: &dyn Fn() -> f64,
    mut setup: impl FnMut() -> T,
    mut work: impl FnMut(T),
) -> f64 {
    work(setup());
    (0..rounds.max(1))
        .map(|_| {
            let input = setup();
            let start = now_ms();
            work(input);
            now_ms() - start
        })
        .fold(f64::INFINITY, f64::min)
}

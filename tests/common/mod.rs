//! Independent reference computations shared by the native tests: the autoencoder written as the
//! textbook sums of docs/math.md, with plain loops, and helpers to keep finite differences valid.
//! The native tests, the browser tests and the fuzzer (examples/fuzz) each use a part.
#![allow(dead_code)]

#[cfg(target_arch = "wasm32")]
pub mod browser;
pub mod fuzz;
pub mod recording_backend;
pub mod writers;

use bayes_renorm::model::{Autoencoder, Gradients};
use bayes_renorm::rng::Rng;
use ndarray::{Array2, ArrayView1};

/// The same weights in f64, for the loop model.
pub fn to_f64(model: &Autoencoder<f32>) -> Autoencoder<f64> {
    let widen = |v: &f32| *v as f64;
    Autoencoder {
        encoder: model.encoder.map(widen),
        decoder: model.decoder.map(widen),
        encoder_bias: model.encoder_bias.as_ref().map(|b| b.map(widen)),
        decoder_bias: model.decoder_bias.as_ref().map(|b| b.map(widen)),
    }
}

/// Per-example MSE, (1/n) sum_o (y_o - x_o)^2.
pub fn loop_example_loss(model: &Autoencoder<f64>, x: ArrayView1<f64>) -> f64 {
    let y = loop_forward(model, x);
    y.iter().zip(x).map(|(y, x)| (y - x).powi(2)).sum::<f64>() / x.len() as f64
}

/// Batch MSE (PyTorch MSELoss, mean over every element).
pub fn loop_loss(model: &Autoencoder<f64>, x: &Array2<f64>) -> f64 {
    x.rows()
        .into_iter()
        .map(|row| loop_example_loss(model, row))
        .sum::<f64>()
        / x.nrows() as f64
}

pub fn random_inputs(seed: u64, batch: usize, n: usize) -> Array2<f64> {
    let mut rng = Rng::new(seed, 99, 0);
    Array2::from_shape_simple_fn((batch, n), || rng.next_f64())
}

/// Like `random_inputs`, with about four entries in five exactly zero, as MNIST's pixels: the
/// model takes its sparse products (`bayes_renorm::sparse`) on these.
pub fn sparse_inputs(seed: u64, batch: usize, n: usize) -> Array2<f64> {
    let mut rng = Rng::new(seed, 98, 0);
    Array2::from_shape_simple_fn((batch, n), || {
        let value = rng.next_f64();
        if rng.next_f64() < 0.8 {
            0.0
        } else {
            value
        }
    })
}

/// The first `count` images of the committed MNIST test split.
#[cfg(not(target_arch = "wasm32"))]
pub fn mnist_test(count: usize) -> bayes_renorm::data::Dataset {
    use bayes_renorm::data::files::{load_shards, read_manifest};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data/mnist");
    let manifest = read_manifest(&dir).expect("committed manifest");
    load_shards(&dir, &manifest, bayes_renorm::data::manifest::Split::Test)
        .expect("committed test shards")
        .first(count)
}

/// Fisher-like values from `seed`: a fifth exact zeros, the rest spread over nine decades.
pub fn fisher_like_values(seed: u64, count: usize) -> Vec<f32> {
    let mut rng = Rng::new(seed, 1, 0);
    (0..count)
        .map(|_| {
            if rng.below(5) == 0 {
                0.0
            } else {
                10f64.powf(-9.0 + 9.3 * rng.next_f64()) as f32
            }
        })
        .collect()
}

/// Random bytes, each zero with probability `zeros` (a dataset of any density).
pub fn random_pixels(seed: u64, count: usize, zeros: f64) -> Vec<u8> {
    let mut rng = Rng::new(seed, 97, 0);
    (0..count)
        .map(|_| {
            let byte = 1 + (rng.next_f64() * 254.0) as u8;
            if rng.next_f64() < zeros {
                0
            } else {
                byte
            }
        })
        .collect()
}

/// Pre-activations a (m values) and z (n values) of one example.
pub fn loop_pre_activations(model: &Autoencoder<f64>, x: ArrayView1<f64>) -> Vec<f64> {
    let (n, m) = (model.input_dim(), model.latent_dim());
    let a: Vec<f64> = (0..m)
        .map(|j| {
            let bias = model.encoder_bias.as_ref().map_or(0.0, |v| v[j]);
            (0..n).map(|i| model.encoder[[j, i]] * x[i]).sum::<f64>() + bias
        })
        .collect();
    let z = (0..n).map(|o| {
        let bias = model.decoder_bias.as_ref().map_or(0.0, |v| v[o]);
        (0..m)
            .map(|j| model.decoder[[o, j]] * a[j].max(0.0))
            .sum::<f64>()
            + bias
    });
    let mut all = a.clone();
    all.extend(z);
    all
}

/// y = relu(D relu(E x + b_E) + b_D) for one example.
pub fn loop_forward(model: &Autoencoder<f64>, x: ArrayView1<f64>) -> Vec<f64> {
    let m = model.latent_dim();
    loop_pre_activations(model, x)[m..]
        .iter()
        .map(|z| z.max(0.0))
        .collect()
}

/// Smallest |pre-activation| over the batch: a finite difference is only valid away from kinks.
pub fn distance_to_kink(model: &Autoencoder<f64>, x: &Array2<f64>) -> f64 {
    x.rows()
        .into_iter()
        .flat_map(|row| loop_pre_activations(model, row))
        .fold(f64::INFINITY, |acc, v| acc.min(v.abs()))
}

/// Central difference of `f` with respect to parameter `index` of tensor `tensor`
/// (order of `Autoencoder::parameters`).
pub fn central_difference<R>(
    model: &Autoencoder<f64>,
    tensor: usize,
    index: usize,
    f: impl Fn(&Autoencoder<f64>) -> R,
    combine: impl Fn(R, R, f64) -> f64,
) -> f64 {
    let step = 1e-6;
    let mut plus = model.clone();
    plus.parameters_mut()[tensor][index] += step;
    let mut minus = model.clone();
    minus.parameters_mut()[tensor][index] -= step;
    combine(f(&plus), f(&minus), step)
}

/// Every gradient value against the central difference of the loop-computed loss on `x`.
pub fn assert_gradients_match_finite_differences(
    model: &Autoencoder<f64>,
    x: &Array2<f64>,
    grads: &Gradients<f64>,
    what: &str,
) {
    for (tensor, analytic) in grads.tensors().iter().enumerate() {
        for (index, &exact) in analytic.iter().enumerate() {
            let numeric = central_difference(
                model,
                tensor,
                index,
                |m| loop_loss(m, x),
                |plus, minus, step| (plus - minus) / (2.0 * step),
            );
            let at = format!("{what}tensor {tensor} index {index}");
            assert_close(exact, numeric, 1e-5, 1e-11, &at);
        }
    }
}

/// |a - b| within `rel` of the larger magnitude, or both within `floor` of zero.
pub fn assert_close(a: f64, b: f64, rel: f64, floor: f64, what: &str) {
    let error = (a - b).abs();
    assert!(
        error <= rel * a.abs().max(b.abs()) || error < floor,
        "{what}: {a:e} vs {b:e}"
    );
}

/// Seeds whose random model and inputs keep every pre-activation at least 1e-3 from 0, where a
/// weight step of 1e-6 cannot cross a ReLU kink.
pub fn kink_free_cases(
    n: usize,
    m: usize,
    batch: usize,
    biases: bool,
    wanted: usize,
) -> Vec<(Autoencoder<f64>, Array2<f64>)> {
    kink_free_cases_of(random_inputs, n, m, batch, biases, wanted)
}

/// `kink_free_cases` with the inputs `inputs(seed, batch, n)` gives.
pub fn kink_free_cases_of(
    inputs: fn(u64, usize, usize) -> Array2<f64>,
    n: usize,
    m: usize,
    batch: usize,
    biases: bool,
    wanted: usize,
) -> Vec<(Autoencoder<f64>, Array2<f64>)> {
    let cases: Vec<_> = (0..1000)
        .map(|seed| {
            (
                Autoencoder::<f64>::init(n, m, biases, seed),
                inputs(seed, batch, n),
            )
        })
        .filter(|(model, x)| distance_to_kink(model, x) >= 1e-3)
        .take(wanted)
        .collect();
    assert_eq!(cases.len(), wanted, "not enough seeds away from ReLU kinks");
    cases
}

/// The closed-form weights that tests/fixtures/make_authors_weights.py writes (in float64; the
/// file holds them rounded once to float32): n = 784, m = 20, with biases.
pub fn authors_fixture_formula() -> Autoencoder<f64> {
    let (n, m) = (784, 20);
    Autoencoder {
        encoder: Array2::from_shape_fn((m, n), |(j, i)| {
            (0.37 * j as f64 + 0.011 * i as f64).sin() / 28.0
        }),
        decoder: Array2::from_shape_fn((n, m), |(o, j)| {
            (0.013 * o as f64 - 0.29 * j as f64).cos() / 4.5
        }),
        encoder_bias: Some(ndarray::Array1::from_shape_fn(m, |j| {
            (j as f64 - 9.5) / 100.0
        })),
        decoder_bias: Some(ndarray::Array1::from_shape_fn(n, |o| {
            ((o % 28) as f64 - (o / 28) as f64) / 1000.0
        })),
    }
}

/// A workbench over `train` and `test` (named "synthetic") whose clock stands still, with faer's
/// eigensolver: the native tests' whole runs.
#[cfg(not(target_arch = "wasm32"))]
pub fn synthetic_workbench(
    train: bayes_renorm::data::Dataset,
    test: bayes_renorm::data::Dataset,
) -> bayes_renorm::workbench::Workbench {
    let data = bayes_renorm::data::run_data::RunData::whole("synthetic".into(), train, test, 10);
    bayes_renorm::workbench::Workbench::new(
        data,
        Box::new(|| 0.0),
        bayes_renorm::eigen::faer_symmetric_eigen,
    )
}

/// `count` seeded images of `rows x cols`: each is one of four fixed random patterns plus noise,
/// so an autoencoder with a few latent units can learn them.
pub fn synthetic_dataset(
    seed: u64,
    count: usize,
    rows: usize,
    cols: usize,
) -> bayes_renorm::data::Dataset {
    let mut rng = Rng::new(seed, bayes_renorm::rng::stream::SYNTHETIC_DATA, 0);
    let n = rows * cols;
    let patterns: Vec<Vec<f64>> = (0..4)
        .map(|_| (0..n).map(|_| rng.next_f64()).collect())
        .collect();
    let mut labels = Vec::with_capacity(count);
    let mut pixels = Vec::with_capacity(count * n);
    for _ in 0..count {
        let class = rng.below(patterns.len());
        labels.push(class as u8);
        for &base in &patterns[class] {
            let value = (base + 0.1 * rng.next_f64()).min(1.0);
            pixels.push((value * 255.0).round() as u8);
        }
    }
    bayes_renorm::data::Dataset::new(rows, cols, labels, pixels)
}

/// The paper's analysis (the workbench's defaults), random pruning with seeds `seed`, `seed + 1`,
/// … (`random_seeds` of them).
pub fn paper_analysis(seed: u64, random_seeds: u64) -> bayes_renorm::analysis::AnalysisConfig {
    let settings = bayes_renorm::workbench::Settings {
        seed,
        random_seeds,
        ..Default::default()
    };
    settings.analysis_config(None)
}

/// `paper_analysis` with the authors' released notebook's analysis: the Fisher over the test
/// split, the paper's grid, the MSE on the first 10 test images.
pub fn authors_analysis(seed: u64, random_seeds: u64) -> bayes_renorm::analysis::AnalysisConfig {
    let settings = bayes_renorm::workbench::Settings {
        seed,
        random_seeds,
        ..bayes_renorm::workbench::Settings::authors()
    };
    settings.analysis_config(None)
}

//! Information-shell pruning of the encoder (paper eq. 55) and its two baselines.
//!
//! Every scheme is a removal *order* over the encoder's weights (flat row-major indices into E);
//! removing k weights zeroes the first k of that order. For the Fisher scheme the sloppy set
//! {F ≤ Λ} is exactly the first `removed_count(Λ)` entries of the ascending-F order, so all three
//! schemes compare at equal k. Ties are broken by flat index, ascending, so orders are
//! deterministic. The trained weights are never modified: pruning returns a masked copy.

use std::borrow::Borrow;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::model::{sum_squared_error, Autoencoder};
use crate::rng::{stream, Rng};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// Smallest diagonal Fisher first: integrating out information shells.
    Fisher,
    /// A seeded uniformly random order.
    Random,
    /// Smallest |E| first.
    Magnitude,
}

/// Indices of `values` sorted by `key`, ascending, ties by index.
fn ascending_order(values: &Array2<f32>, key: impl Fn(f32) -> f32) -> Vec<usize> {
    let flat: Vec<f32> = values.iter().map(|&v| key(v)).collect();
    let mut order: Vec<usize> = (0..flat.len()).collect();
    // A stable sort keeps equal keys in index order.
    order.sort_by(|&a, &b| flat[a].total_cmp(&flat[b]));
    order
}

/// Ascending diagonal Fisher of the encoder.
pub fn fisher_order(fisher_encoder: &Array2<f32>) -> Vec<usize> {
    ascending_order(fisher_encoder, |f| f)
}

/// Ascending |E|.
pub fn magnitude_order(encoder: &Array2<f32>) -> Vec<usize> {
    ascending_order(encoder, f32::abs)
}

/// A uniformly random permutation of `0..len` from `seed`. Its prefixes are nested: the k
/// weights removed at one k are among those removed at any larger k.
pub fn random_order(len: usize, seed: u64) -> Vec<usize> {
    Rng::new(seed, stream::RANDOM_PRUNE, 0).choose_distinct(len, len)
}

/// Size of the sloppy set {F ≤ Λ}, given the Fisher values sorted ascending.
pub fn removed_count(sorted_fisher: &[f32], cutoff: f32) -> usize {
    sorted_fisher.partition_point(|&f| f <= cutoff)
}

/// The Fisher values of the encoder, ascending (for `removed_count`).
pub fn sorted_values(fisher_encoder: &Array2<f32>) -> Vec<f32> {
    let mut sorted: Vec<f32> = fisher_encoder.iter().copied().collect();
    sorted.sort_by(f32::total_cmp);
    sorted
}

/// true where F ≤ Λ: the weights an information-shell cutoff Λ removes.
pub fn sloppy_mask(fisher_encoder: &Array2<f32>, cutoff: f32) -> Array2<bool> {
    fisher_encoder.mapv(|f| f <= cutoff)
}

/// A copy of the model whose encoder has the first `k` weights of `order` set to zero.
pub fn prune(model: &Autoencoder<f32>, order: &[usize], k: usize) -> Autoencoder<f32> {
    let mut encoder = model.encoder.clone();
    let flat = encoder
        .as_slice_mut()
        .expect("Autoencoder keeps parameters in standard layout");
    for &index in &order[..k.min(order.len())] {
        flat[index] = 0.0;
    }
    model.with_encoder(encoder)
}

/// Mean squared reconstruction error over all of `data` (PyTorch MSELoss over the whole set),
/// converting one batch at a time.
pub fn dataset_mse(model: &Autoencoder<f32>, data: &Dataset, batch_size: usize) -> f64 {
    let batch_size = batch_size.max(1);
    let batches = (0..data.len())
        .step_by(batch_size)
        .map(|start| data.batch::<f32>(start..(start + batch_size).min(data.len())));
    mse_of_batches(model, batches)
}

/// A set converted once to f32 batches of x = pixel / 255, for scoring many pruned models
/// (the 10,000 MNIST test images are 31 MB as f32); saves a quarter of each evaluation.
pub struct EvalSet {
    batches: Vec<Array2<f32>>,
}

impl EvalSet {
    pub fn new(data: &Dataset, batch_size: usize) -> Self {
        let batch_size = batch_size.max(1);
        let batches = (0..data.len())
            .step_by(batch_size)
            .map(|start| data.batch(start..(start + batch_size).min(data.len())))
            .collect();
        EvalSet { batches }
    }

    pub fn len(&self) -> usize {
        self.batches.iter().map(|b| b.nrows()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The same figure as `dataset_mse` on the set this was made from.
    pub fn mse(&self, model: &Autoencoder<f32>) -> f64 {
        mse_of_batches(model, self.batches.iter())
    }
}

fn mse_of_batches<B: Borrow<Array2<f32>>>(
    model: &Autoencoder<f32>,
    batches: impl Iterator<Item = B>,
) -> f64 {
    let (mut total, mut values) = (0.0, 0);
    for batch in batches {
        let x = batch.borrow().view();
        total += sum_squared_error(&model.forward(x).output, &x);
        values += x.len();
    }
    total / values.max(1) as f64
}

//! Information-shell pruning of the first layer (paper eq. 55: the autoencoder's encoder, or the
//! classifier's W_0) and its baselines.
//!
//! Every scheme is a removal *order* over the first layer's weights (flat row-major indices);
//! removing k weights zeroes the first k of that order. For the Fisher scheme the sloppy set
//! {F ≤ Λ} is exactly the first `removed_count(Λ)` entries of the ascending-F order, so all three
//! schemes compare at equal k. Ties are broken by flat index, ascending, so orders are
//! deterministic. The trained weights are never modified: pruning returns a masked copy.

use ndarray::{Array2, Axis};

use crate::classifier::score_logits;
use crate::data::Dataset;
use crate::dense;
use crate::model::{relu, sum_squared_error, Autoencoder};
use crate::network::{Network, Score};
use crate::rng::{stream, Rng};
use crate::sorting::{ascending_indices, sorted_copies};

/// Indices of `values` sorted by `key`, ascending, ties by index.
fn ascending_order(values: &Array2<f32>, key: impl Fn(f32) -> f32) -> Vec<usize> {
    // f64 holds every finite and infinite f32 exactly, in the same order (the values here are
    // finite: training and weights import refuse non-finite weights).
    ascending_indices(values.iter().map(|&v| key(v) as f64))
}

/// Ascending diagonal Fisher of the encoder.
pub fn fisher_order(fisher_encoder: &Array2<f32>) -> Vec<usize> {
    ascending_order(fisher_encoder, |f| f)
}

/// Ascending |E|.
pub fn magnitude_order(encoder: &Array2<f32>) -> Vec<usize> {
    ascending_order(encoder, f32::abs)
}

/// Ascending saliency F·E²: removing E[j,i] alone changes the loss by about ½·F·E² to second
/// order (Optimal Brain Damage, with the Fisher for the Hessian; SPEC.md "Saliency shells").
pub fn saliency_order(fisher_encoder: &Array2<f32>, encoder: &Array2<f32>) -> Vec<usize> {
    assert_eq!(
        fisher_encoder.dim(),
        encoder.dim(),
        "one Fisher value per weight"
    );
    let saliency = ndarray::Zip::from(fisher_encoder)
        .and(encoder)
        .map_collect(|&f, &e| f * e * e);
    ascending_order(&saliency, |s| s)
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

/// The cutoff at slider position `t` in [0, 1], a scale of the count removed: 0 (the exact zeros)
/// at `t = 0`, then the positive values in equal counts up to the largest (every weight) at 1. A
/// log axis of F spent most of its travel on the flat start; this gives the knee and the blow-up
/// the room they take in the hockey stick.
pub fn cutoff_at_position(sorted_fisher: &[f32], t: f64) -> f32 {
    let zeros = removed_count(sorted_fisher, 0.0);
    let positive = sorted_fisher.len() - zeros;
    if t <= 0.0 || positive == 0 {
        return 0.0;
    }
    // At least one positive value, so any t > 0 moves off Λ = 0.
    let more = ((t.min(1.0) * positive as f64).ceil() as usize).clamp(1, positive);
    sorted_fisher[zeros + more - 1]
}

/// The smallest cutoff that removes at least `count` weights: 0 for no more than the exact
/// zeros, the largest value for `count` past the end.
pub fn cutoff_removing(sorted_fisher: &[f32], count: usize) -> f32 {
    match count.min(sorted_fisher.len()) {
        0 => 0.0,
        k => sorted_fisher[k - 1].max(0.0),
    }
}

/// The slider position of `cutoff`: the inverse of `cutoff_at_position`.
pub fn position_of_cutoff(sorted_fisher: &[f32], cutoff: f32) -> f64 {
    let zeros = removed_count(sorted_fisher, 0.0);
    let positive = sorted_fisher.len() - zeros;
    if positive == 0 {
        return 0.0;
    }
    let more = removed_count(sorted_fisher, cutoff).saturating_sub(zeros);
    more as f64 / positive as f64
}

/// The Fisher values of the encoder, ascending (for `removed_count`).
pub fn sorted_values(fisher_encoder: &Array2<f32>) -> Vec<f32> {
    let flat: Vec<f32> = fisher_encoder.iter().copied().collect();
    sorted_copies(&flat, |&f| f as f64)
}

/// true where F ≤ Λ: the weights an information-shell cutoff Λ removes.
pub fn sloppy_mask(fisher_encoder: &Array2<f32>, cutoff: f32) -> Array2<bool> {
    fisher_encoder.mapv(|f| f <= cutoff)
}

/// A copy of the model whose first layer has the first `k` weights of `order` set to zero.
pub fn prune(model: &Network, order: &[usize], k: usize) -> Network {
    let mut first = model.first_layer().clone();
    let flat = first
        .as_slice_mut()
        .expect("models keep parameters in standard layout");
    for &index in &order[..k.min(order.len())] {
        flat[index] = 0.0;
    }
    model.with_first_layer(first)
}

/// The ways of removing encoder weights that the page compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// Ascending Fisher: the information shells.
    Fisher,
    /// A seeded random order.
    Random,
    /// Ascending |E|.
    Magnitude,
    /// Ascending F·E².
    Saliency,
}

/// One model's removal orders, ready to prune at any cutoff: what the page's Λ slider shows.
pub struct Shells {
    model: Network,
    fisher: Array2<f32>,
    sorted_fisher: Vec<f32>,
    fisher_order: Vec<usize>,
    random_order: Vec<usize>,
    magnitude_order: Vec<usize>,
    saliency_order: Vec<usize>,
}

impl Shells {
    /// `random_seed` picks the random order (the sweep's first seed, so the slider's random row
    /// is the sweep's first random run).
    pub fn new(model: impl Into<Network>, fisher_encoder: &Array2<f32>, random_seed: u64) -> Self {
        let model = model.into();
        let first = model.first_layer();
        assert_eq!(
            first.dim(),
            fisher_encoder.dim(),
            "one Fisher value per weight"
        );
        Shells {
            fisher: fisher_encoder.clone(),
            sorted_fisher: sorted_values(fisher_encoder),
            fisher_order: fisher_order(fisher_encoder),
            random_order: random_order(first.len(), random_seed),
            magnitude_order: magnitude_order(first),
            saliency_order: saliency_order(fisher_encoder, first),
            model,
        }
    }

    pub fn model(&self) -> &Network {
        &self.model
    }

    pub fn fisher(&self) -> &Array2<f32> {
        &self.fisher
    }

    /// How many weights the cutoff removes: |{F ≤ Λ}|.
    pub fn removed(&self, cutoff: f32) -> usize {
        removed_count(&self.sorted_fisher, cutoff)
    }

    /// The first layer's Fisher values, ascending.
    pub fn sorted_fisher(&self) -> &[f32] {
        &self.sorted_fisher
    }

    /// The model with the first `k` weights of `scheme`'s order removed.
    pub fn pruned(&self, scheme: Scheme, k: usize) -> Network {
        prune(&self.model, self.order(scheme), k)
    }

    /// The flat encoder indices of those `k` weights.
    pub fn removed_indices(&self, scheme: Scheme, k: usize) -> &[usize] {
        let order = self.order(scheme);
        &order[..k.min(order.len())]
    }

    fn order(&self, scheme: Scheme) -> &[usize] {
        match scheme {
            Scheme::Fisher => &self.fisher_order,
            Scheme::Random => &self.random_order,
            Scheme::Magnitude => &self.magnitude_order,
            Scheme::Saliency => &self.saliency_order,
        }
    }
}

/// The model's reconstructions of `images`, [count, n], and each image's MSE against itself.
pub fn reconstructions(model: &Autoencoder<f32>, images: &Dataset) -> (Array2<f32>, Vec<f64>) {
    let x = images.batch::<f32>(0..images.len());
    let output = model.forward(x.view()).output;
    let mse = image_mse(&output, &x);
    (output, mse)
}

/// Each row's MSE: reconstructions `output` against their images `x`, both [count, n].
pub fn image_mse(output: &Array2<f32>, x: &Array2<f32>) -> Vec<f64> {
    output
        .outer_iter()
        .zip(x.outer_iter())
        .map(|(y, x)| {
            let sum: f64 = y
                .iter()
                .zip(x)
                .map(|(&y, &x)| ((y - x) as f64).powi(2))
                .sum();
            sum / x.len().max(1) as f64
        })
        .collect()
}

/// A set converted once to f32 for scoring many pruned models, held as blocks of xᵀ
/// ([n, block], x = pixel / 255): one pixel's values over a block are then contiguous, so
/// removing encoder weight (j, i) updates the pre-activations aᵀ = E xᵀ with one contiguous axpy
/// per block instead of a new [m, n] x [n, block] product. The 10,000 MNIST test images take
/// 31 MB.
pub struct EvalSet {
    blocks: Vec<Array2<f32>>,
    /// The classifier's answers, in the blocks' order.
    labels: Vec<u8>,
}

/// aᵀ = E xᵀ (no bias) for every block of an `EvalSet`, [m, block] each.
pub type PreActivations = Vec<Array2<f32>>;

impl EvalSet {
    pub fn new(data: &Dataset, block_size: usize) -> Self {
        let blocks = (data.ranges(block_size))
            .map(|range| {
                let x = data.batch::<f32>(range);
                x.t().as_standard_layout().into_owned()
            })
            .collect();
        EvalSet {
            blocks,
            labels: data.labels.clone(),
        }
    }

    pub fn len(&self) -> usize {
        self.blocks.iter().map(|b| b.ncols()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// aᵀ: [m, block] = E: [m, n] · xᵀ: [n, block], per block.
    pub fn pre_activations(&self, encoder: &Array2<f32>) -> PreActivations {
        self.blocks
            .iter()
            .map(|xt| dense::times(encoder, xt))
            .collect()
    }

    /// Removes encoder weight (j, i) of value `weight` from `pre`: aᵀ[j, :] -= weight · xᵀ[i, :].
    pub fn remove_weight(&self, pre: &mut PreActivations, j: usize, i: usize, weight: f32) {
        for (a, xt) in pre.iter_mut().zip(&self.blocks) {
            a.row_mut(j).scaled_add(-weight, &xt.row(i));
        }
    }

    /// The score of `model` over the set, its first layer given by the pre-activations `pre`.
    pub fn score_from_pre_activations(&self, model: &Network, pre: &PreActivations) -> Score {
        match model {
            Network::Autoencoder(model) => Score {
                loss: self.mse_from_pre_activations(model, pre),
                accuracy: None,
            },
            Network::Classifier(model) => {
                let (mut loss_sum, mut correct, mut start) = (0.0, 0, 0);
                for a in pre {
                    let logits = model.forward_from_first(a.t().as_standard_layout().into_owned());
                    let labels = &self.labels[start..start + a.ncols()];
                    let score = score_logits(&logits.logits, labels);
                    (loss_sum, correct) =
                        (loss_sum + score.cross_entropy_sum, correct + score.correct);
                    start += a.ncols();
                }
                let examples = self.len().max(1) as f64;
                Score {
                    loss: loss_sum / examples,
                    accuracy: Some(correct as f64 / examples),
                }
            }
        }
    }

    /// The same figure as `Network::score` on the set this was made from, up to rounding.
    pub fn score(&self, model: &Network) -> Score {
        self.score_from_pre_activations(model, &self.pre_activations(model.first_layer()))
    }

    /// The autoencoder's MSE over the set (`score`'s loss).
    pub fn mse(&self, model: &Autoencoder<f32>) -> f64 {
        self.mse_from_pre_activations(model, &self.pre_activations(&model.encoder))
    }

    /// MSE of `model` over the set, its encoder given by the pre-activations `pre`.
    pub fn mse_from_pre_activations(&self, model: &Autoencoder<f32>, pre: &PreActivations) -> f64 {
        let mut total = 0.0;
        for (a, xt) in pre.iter().zip(&self.blocks) {
            // The forward pass of `Autoencoder::forward`, transposed to match the blocks:
            // hᵀ = relu(aᵀ + b_E),  yᵀ: [n, block] = relu(D · hᵀ + b_D).
            let mut h = a.clone();
            if let Some(b) = &model.encoder_bias {
                h += &b.view().insert_axis(Axis(1));
            }
            h.mapv_inplace(relu);
            let mut y = dense::times(&model.decoder, &h);
            if let Some(b) = &model.decoder_bias {
                y += &b.view().insert_axis(Axis(1));
            }
            y.mapv_inplace(relu);
            total += sum_squared_error(&y, &xt.view());
        }
        total / (self.len() * model.input_dim()).max(1) as f64
    }
}

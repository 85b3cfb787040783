//! The classifier's diagonal Fisher (SPEC.md "Beyond the autoencoder: a classifier").
//!
//! "classif_logits" is NNGeometry's `variant='classif_logits'`, the Fisher of the model's own
//! predictive distribution over the classes: F = mean_x Σ_c p_c (g_c − ḡ)², g_c = dz_c/dθ.
//! "Empirical" is mean_x (d log p_y / dθ)² with y the true label.
//!
//! Every parameter's per-example gradient is an outer product: dz_c/dW_k[r,s] = δ_cr u_s, with u
//! the layer's input (x, or h_k) and δ_c the derivative of logit c by the layer's
//! pre-activation. So F(W_k[r,s]) = mean_x u_s² v_r with v_r = Σ_c p_c (δ_cr − Σ_c' p_c' δ_c'r)²,
//! and F(b_k[r]) = mean_x v_r: per batch, one backward pass per logit through the hidden layers
//! (never through the pixels), then vᵀ · u², a product as in the autoencoder's Fisher.

use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};

use crate::classifier::{softmax, Classifier, ClassifierPass, Linear};
use crate::data::Dataset;
use crate::dense;
use crate::fisher::{accumulate, FisherVariant};
use crate::model::relu_grad;
use crate::scalar::{cast, Scalar};
use crate::sparse::SparseRows;

/// The classifier's Fisher diagonal, shaped like its layers.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassifierFisher<T = f32> {
    pub layers: Vec<Linear<T>>,
    pub examples: usize,
    pub variant: FisherVariant,
}

impl<T: Scalar> ClassifierFisher<T> {
    /// F(W_0): the first layer's values, what the information shells order.
    pub fn first_layer(&self) -> &Array2<T> {
        &self.layers[0].weight
    }

    /// Every value in the parameters' order: W_0, b_0, W_1, b_1, ….
    pub fn all_values(&self) -> impl Iterator<Item = T> + '_ {
        (self.layers.iter())
            .flat_map(|layer| layer.weight.iter().chain(layer.bias.iter()))
            .copied()
    }
}

/// Sums the Fisher's per-example terms batch by batch (in the model's precision per batch, in
/// f64 across batches), so a caller can report progress and stop between batches.
pub struct ClassifierFisherAccumulator<T: Scalar> {
    model: Classifier<T>,
    variant: FisherVariant,
    sums: Vec<(Array2<f64>, Array1<f64>)>,
    examples: usize,
}

impl<T: Scalar> ClassifierFisherAccumulator<T> {
    /// `variant` is `ClassifLogits` or `Empirical`.
    pub fn new(model: &Classifier<T>, variant: FisherVariant) -> Self {
        assert!(
            variant != FisherVariant::Regression,
            "the regression Fisher is the autoencoder's"
        );
        let sums = (model.layers.iter())
            .map(|layer| {
                (
                    Array2::zeros(layer.weight.dim()),
                    Array1::zeros(layer.bias.len()),
                )
            })
            .collect();
        ClassifierFisherAccumulator {
            model: model.clone(),
            variant,
            sums,
            examples: 0,
        }
    }

    pub fn examples(&self) -> usize {
        self.examples
    }

    /// Adds the examples `range` of `data`, reading the pixels through their non-zeros.
    pub fn add_examples(&mut self, data: &Dataset, range: std::ops::Range<usize>) {
        let labels = &data.labels[range.clone()];
        match data.sparse_batch::<T>(range.clone()) {
            Some(sparse) => {
                let pass = self
                    .model
                    .forward_from_first(sparse.times_transpose(self.first()));
                self.add(Input::Sparse(&sparse), pass, labels);
            }
            None => self.add_batch(data.batch::<T>(range).view(), labels),
        }
    }

    /// Adds a batch x: [batch, n] with its labels (read by the empirical variant only).
    pub fn add_batch(&mut self, x: ArrayView2<T>, labels: &[u8]) {
        let sparse = SparseRows::of(x);
        let pass = self.model.forward_with(x, sparse.as_ref());
        match &sparse {
            Some(sparse) => self.add(Input::Sparse(sparse), pass, labels),
            None => self.add(Input::Dense(x), pass, labels),
        }
    }

    fn first(&self) -> &Array2<T> {
        self.model.first_layer()
    }

    fn add(&mut self, input: Input<T>, pass: ClassifierPass<T>, labels: &[u8]) {
        let factors = match self.variant {
            FisherVariant::Empirical => self.empirical_factors(&pass, labels),
            _ => logit_factors(&self.model, &pass),
        };
        for (k, v) in factors.iter().enumerate() {
            // F(W_k): [out, in] += vᵀ: [out, batch] · u²: [batch, in];  F(b_k) += Σ_batch v
            let weight = match (k, &input) {
                (0, Input::Sparse(sparse)) => sparse.map_values(|x| x * x).transpose_times(v),
                (0, Input::Dense(x)) => dense::transpose_times(v, &x.mapv(|x| x * x)),
                _ => dense::transpose_times(v, &pass.hidden[k - 1].mapv(|h| h * h)),
            };
            let (weight_sum, bias_sum) = &mut self.sums[k];
            accumulate(weight_sum, &weight);
            accumulate(bias_sum, &v.sum_axis(Axis(0)));
        }
        self.examples += pass.logits.nrows();
    }

    /// v per layer for the empirical Fisher: the square of d log p_y / d a, whose value at the
    /// logits is e_y − p.
    fn empirical_factors(&self, pass: &ClassifierPass<T>, labels: &[u8]) -> Vec<Array2<T>> {
        assert_eq!(labels.len(), pass.logits.nrows(), "one label per example");
        let mut delta = softmax(pass.logits.clone()).mapv(|p| -p);
        for (mut row, &label) in delta.rows_mut().into_iter().zip(labels) {
            row[label as usize] += T::one();
        }
        let last = self.model.layers.len() - 1;
        let mut factors = vec![Array2::zeros((0, 0)); last + 1];
        for k in (0..=last).rev() {
            if k < last {
                delta = backward(&delta, &self.model.layers[k + 1].weight, &pass.hidden[k]);
            }
            factors[k] = delta.mapv(|d| d * d);
        }
        factors
    }

    /// The mean over all added examples.
    pub fn finish(self) -> ClassifierFisher<T> {
        let count = self.examples.max(1) as f64;
        let mean = |sum: f64| cast::<T>(sum / count);
        ClassifierFisher {
            layers: (self.sums.iter())
                .map(|(weight, bias)| Linear {
                    weight: weight.mapv(mean),
                    bias: bias.mapv(mean),
                })
                .collect(),
            examples: self.examples,
            variant: self.variant,
        }
    }
}

/// v per layer for classif_logits: Σ_c p_c (δ_c − Σ_c' p_c' δ_c')², [batch, out_k] per layer k,
/// with δ_c found by one backward pass per logit c. At the logits δ_c = e_c, so v = p (1 − p).
pub fn logit_factors<T: Scalar>(model: &Classifier<T>, pass: &ClassifierPass<T>) -> Vec<Array2<T>> {
    let p = softmax(pass.logits.clone());
    let last = model.layers.len() - 1;
    let mut factors = vec![Array2::zeros((0, 0)); last + 1];
    factors[last] = p.mapv(|p| p * (T::one() - p));
    if last == 0 {
        return factors;
    }
    let classes = p.ncols();
    // deltas[c]: δ_c at the current layer's pre-activation, [batch, out_k].
    let mut deltas: Vec<Array2<T>> = (0..classes)
        .map(|c| {
            let row = model.layers[last].weight.row(c);
            let mut delta = pass.hidden[last - 1].clone();
            Zip::from(delta.rows_mut()).for_each(|mut d| {
                Zip::from(&mut d)
                    .and(&row)
                    .for_each(|d, &w| *d = w * relu_grad(*d));
            });
            delta
        })
        .collect();
    for k in (0..last).rev() {
        factors[k] = weighted_variance(&p, &deltas);
        if k > 0 {
            for delta in &mut deltas {
                *delta = backward(delta, &model.layers[k].weight, &pass.hidden[k - 1]);
            }
        }
    }
    factors
}

/// The first layer's v, [batch, h_1]: F(W_0[j,i]) = mean_x x_i² v_j, and W_0 row j's Fisher
/// block is mean_x v_j x xᵀ (the eigen-shells' coefficient c_j(x)).
pub fn first_layer_logit_factors<T: Scalar>(
    model: &Classifier<T>,
    pass: &ClassifierPass<T>,
) -> Array2<T> {
    logit_factors(model, pass).swap_remove(0)
}

/// The first layer's input, as its x² term reads it.
enum Input<'a, T> {
    Sparse(&'a SparseRows<T>),
    Dense(ArrayView2<'a, T>),
}

/// δ one layer down: (δ · W) ∘ relu'(h), h the activation between.
fn backward<T: Scalar>(delta: &Array2<T>, weight: &Array2<T>, h: &Array2<T>) -> Array2<T> {
    let mut below = dense::times(delta, weight);
    Zip::from(&mut below)
        .and(h)
        .for_each(|d, &h| *d = *d * relu_grad(h));
    below
}

/// Σ_c p_c (δ_c − m)², m = Σ_c p_c δ_c, per example (row) and unit (column): each term is a
/// square, so the sum is never negative, unlike Σ p δ² − m² in floating point.
fn weighted_variance<T: Scalar>(p: &Array2<T>, deltas: &[Array2<T>]) -> Array2<T> {
    let mut mean = Array2::zeros(deltas[0].dim());
    for (c, delta) in deltas.iter().enumerate() {
        let pc = p.column(c).insert_axis(Axis(1));
        Zip::from(&mut mean)
            .and(delta)
            .and_broadcast(&pc)
            .for_each(|m, &d, &p| *m += p * d);
    }
    let mut variance = Array2::zeros(mean.dim());
    for (c, delta) in deltas.iter().enumerate() {
        let pc = p.column(c).insert_axis(Axis(1));
        Zip::from(&mut variance)
            .and(delta)
            .and(&mean)
            .and_broadcast(&pc)
            .for_each(|v, &d, &m, &p| *v += p * (d - m) * (d - m));
    }
    variance
}

/// The classifier's Fisher diagonal over all of `data`, in batches of `batch_size`.
pub fn classifier_fisher<T: Scalar>(
    model: &Classifier<T>,
    data: &Dataset,
    variant: FisherVariant,
    batch_size: usize,
) -> ClassifierFisher<T> {
    let mut accumulator = ClassifierFisherAccumulator::new(model, variant);
    for range in data.ranges(batch_size) {
        accumulator.add_examples(data, range);
    }
    accumulator.finish()
}

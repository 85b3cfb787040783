//! Diagonal Fisher information of every parameter (paper section 4.2, SPEC.md).
//!
//! "Regression" is NNGeometry's `FIM(..., representation=PMatDiag, variant='regression')`: the
//! Fisher of a unit-variance Gaussian on the outputs, F = mean_x sum_o (dy_o/dθ)². "Empirical" is
//! mean_x (dL_x/dθ)² with L_x the per-example MSE. For this two-layer model both reduce to closed
//! forms costing a few matrix products per batch instead of n backward passes per example:
//! every per-example gradient is an outer product u vᵀ, so its square is (u∘u)(v∘v)ᵀ.

use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};
use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::dense;
use crate::model::{relu_grad, Autoencoder, ForwardPass};
use crate::scalar::{cast, Scalar};
use crate::sparse::SparseRows;

/// Examples per forward pass of the Fisher. Its sums are added batch by batch in this order, so
/// the batch size is part of the result's bits: everything that sums a Fisher uses this one.
pub const FISHER_BATCH: usize = 1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FisherVariant {
    /// NNGeometry's `variant='regression'`, the paper's choice.
    Regression,
    /// mean_x (dL_x/dθ)², labelled "empirical Fisher" wherever it is shown.
    Empirical,
    /// NNGeometry's `variant='classif_logits'`: the classifier's Fisher (`crate::classifier_fisher`).
    #[serde(rename = "classif_logits")]
    ClassifLogits,
}

/// Diagonal Fisher values, shaped like the parameters they belong to.
#[derive(Clone, Debug, PartialEq)]
pub struct FisherDiag<T = f32> {
    pub encoder: Array2<T>,
    pub decoder: Array2<T>,
    pub encoder_bias: Option<Array1<T>>,
    pub decoder_bias: Option<Array1<T>>,
    pub examples: usize,
    pub variant: FisherVariant,
}

impl<T: Scalar> FisherDiag<T> {
    /// Every value, encoder first (same order as `Autoencoder::parameters`).
    pub fn all_values(&self) -> impl Iterator<Item = T> + '_ {
        self.encoder
            .iter()
            .chain(self.decoder.iter())
            .chain(self.encoder_bias.iter().flatten())
            .chain(self.decoder_bias.iter().flatten())
            .copied()
    }
}

/// Sums per-example Fisher contributions batch by batch, so a caller can report progress and
/// stop between batches. Batch sums are formed in T by matrix products and accumulated in f64.
pub struct FisherAccumulator<T: Scalar> {
    model: Autoencoder<T>,
    variant: FisherVariant,
    decoder_squared: Array2<T>,
    x_squared: Array2<T>,
    encoder: Array2<f64>,
    decoder: Array2<f64>,
    encoder_bias: Array1<f64>,
    decoder_bias: Array1<f64>,
    examples: usize,
}

impl<T: Scalar> FisherAccumulator<T> {
    /// `variant` is `Regression` or `Empirical`.
    pub fn new(model: &Autoencoder<T>, variant: FisherVariant) -> Self {
        assert!(
            variant != FisherVariant::ClassifLogits,
            "classif_logits is the classifier's Fisher"
        );
        let (n, m) = (model.input_dim(), model.latent_dim());
        FisherAccumulator {
            decoder_squared: model.decoder.mapv(|v| v * v),
            x_squared: Array2::zeros((0, n)),
            model: model.clone(),
            variant,
            encoder: Array2::zeros((m, n)),
            decoder: Array2::zeros((n, m)),
            encoder_bias: Array1::zeros(m),
            decoder_bias: Array1::zeros(n),
            examples: 0,
        }
    }

    pub fn examples(&self) -> usize {
        self.examples
    }
}

/// A sum over examples that takes them a batch at a time (the diagonal Fisher, the eigen-shells'
/// blocks), so a caller can report progress and stop between batches.
pub trait SumOverExamples<T: Scalar> {
    /// Adds a batch x: [batch, n].
    fn add_batch(&mut self, x: ArrayView2<T>);

    /// Adds the examples `range` of `data` (pixels scaled to [0, 1]).
    fn add_examples(&mut self, data: &Dataset, range: std::ops::Range<usize>) {
        let x = data.batch::<T>(range);
        self.add_batch(x.view());
    }
}

/// One batch's terms of the Fisher's sums, in the model's precision: what `add_batch` adds. A
/// pool of workers computes some batches' terms elsewhere, and the lead adds every batch's in
/// order (`add_terms`), so the sums are the same bit for bit.
#[derive(Clone, Debug, PartialEq)]
pub struct FisherTerms<T> {
    pub encoder: Array2<T>,
    pub decoder: Array2<T>,
    pub encoder_bias: Array1<T>,
    pub decoder_bias: Array1<T>,
    pub examples: usize,
}

impl<T: Scalar> FisherTerms<T> {
    /// Every array, one after another: encoder, decoder, encoder bias, decoder bias.
    pub fn to_flat(&self) -> Vec<T> {
        let arrays = [
            self.encoder.as_slice(),
            self.decoder.as_slice(),
            self.encoder_bias.as_slice(),
            self.decoder_bias.as_slice(),
        ];
        arrays
            .into_iter()
            .map(|a| a.expect("terms are in standard layout"))
            .collect::<Vec<_>>()
            .concat()
    }

    /// Terms for `model`'s shape from `to_flat`'s layout; `None` if the length is wrong.
    pub fn from_flat(model: &Autoencoder<T>, flat: &[T], examples: usize) -> Option<Self> {
        let (n, m) = (model.input_dim(), model.latent_dim());
        if flat.len() != 2 * n * m + n + m {
            return None;
        }
        let (encoder, rest) = flat.split_at(m * n);
        let (decoder, rest) = rest.split_at(n * m);
        let (encoder_bias, decoder_bias) = rest.split_at(m);
        Some(FisherTerms {
            encoder: Array2::from_shape_vec((m, n), encoder.to_vec()).ok()?,
            decoder: Array2::from_shape_vec((n, m), decoder.to_vec()).ok()?,
            encoder_bias: Array1::from(encoder_bias.to_vec()),
            decoder_bias: Array1::from(decoder_bias.to_vec()),
            examples,
        })
    }
}

/// A batch as the x² term reads it: its non-zeros, or dense when it has too many.
enum Batch<'a, T> {
    Sparse(&'a SparseRows<T>),
    Dense(ArrayView2<'a, T>),
}

impl<T: Scalar> SumOverExamples<T> for FisherAccumulator<T> {
    fn add_batch(&mut self, x: ArrayView2<T>) {
        let terms = self.batch_terms(x);
        self.add_terms(&terms);
    }

    fn add_examples(&mut self, data: &Dataset, range: std::ops::Range<usize>) {
        let terms = self.examples_terms(data, range);
        self.add_terms(&terms);
    }
}

impl<T: Scalar> FisherAccumulator<T> {
    /// Adds one batch's terms (`batch_terms`, here or on an identical accumulator elsewhere).
    pub fn add_terms(&mut self, terms: &FisherTerms<T>) {
        accumulate(&mut self.encoder, &terms.encoder);
        accumulate(&mut self.decoder, &terms.decoder);
        accumulate(&mut self.encoder_bias, &terms.encoder_bias);
        accumulate(&mut self.decoder_bias, &terms.decoder_bias);
        self.examples += terms.examples;
    }

    /// The terms the examples `range` of `data` add to the sums: `batch_terms` of their batch,
    /// bit for bit. The regression Fisher reads x only through its non-zeros, so those are
    /// taken from the pixels and the dense batch is never made.
    pub fn examples_terms(
        &mut self,
        data: &Dataset,
        range: std::ops::Range<usize>,
    ) -> FisherTerms<T> {
        if self.variant == FisherVariant::Regression {
            if let Some(sparse) = data.sparse_batch(range.clone()) {
                let ForwardPass { latent, output } = self.model.forward_sparse(&sparse);
                let (g, q) = regression_factors(&self.decoder_squared, &latent, output);
                return self.terms(Batch::Sparse(&sparse), latent, g, q);
            }
        }
        self.batch_terms(data.batch::<T>(range).view())
    }

    /// The terms the examples `x` (one per row) add to the sums.
    pub fn batch_terms(&mut self, x: ArrayView2<T>) -> FisherTerms<T> {
        let sparse = SparseRows::of(x);
        let ForwardPass { latent, output } = self.model.forward_with(x, sparse.as_ref());
        // Per example, dθ is an outer product; g: [batch, m] and q: [batch, n] are the squared
        // factors that multiply x_i² (encoder) and h_j² (decoder).
        let (g, q) = match self.variant {
            FisherVariant::Regression | FisherVariant::ClassifLogits => {
                regression_factors(&self.decoder_squared, &latent, output)
            }
            FisherVariant::Empirical => {
                // dL_x/dz = (2/n)(y - x) ∘ relu'(z);  dL_x/da = relu'(a) ∘ (dL_x/dz · D)
                let scale = cast::<T>(2.0 / self.model.input_dim() as f64);
                let mut dz = output;
                Zip::from(&mut dz)
                    .and(&x)
                    .for_each(|d, &target| *d = (*d - target) * scale * relu_grad(*d));
                let mut da = dense::times(&dz, &self.model.decoder);
                Zip::from(&mut da)
                    .and(&latent)
                    .for_each(|d, &h| *d = *d * relu_grad(h) * *d * relu_grad(h));
                dz.mapv_inplace(|v| v * v);
                (da, dz)
            }
        };
        let batch = match &sparse {
            Some(sparse) => Batch::Sparse(sparse),
            None => Batch::Dense(x),
        };
        self.terms(batch, latent, g, q)
    }

    /// The sums' terms from the batch's latent h and per-example factors g and q.
    fn terms(
        &mut self,
        batch: Batch<T>,
        latent: Array2<T>,
        g: Array2<T>,
        q: Array2<T>,
    ) -> FisherTerms<T> {
        // F(E): [m, n] += gᵀ: [m, batch] · x²: [batch, n]
        let encoder = match batch {
            Batch::Sparse(sparse) => sparse.map_values(|v| v * v).transpose_times(&g),
            Batch::Dense(x) => {
                // x² goes into a buffer kept across batches, sparing a [batch, n] allocation.
                if self.x_squared.dim() != x.dim() {
                    self.x_squared = Array2::zeros(x.dim());
                }
                Zip::from(&mut self.x_squared)
                    .and(&x)
                    .for_each(|s, &v| *s = v * v);
                dense::transpose_times(&g, &self.x_squared)
            }
        };
        let h_squared = latent.mapv(|v| v * v);
        FisherTerms {
            encoder,
            // F(D): [n, m] += qᵀ · h²
            decoder: dense::transpose_times(&q, &h_squared),
            encoder_bias: g.sum_axis(Axis(0)),
            decoder_bias: q.sum_axis(Axis(0)),
            examples: g.nrows(),
        }
    }
}

impl<T: Scalar> FisherAccumulator<T> {
    /// The mean over all added examples.
    pub fn finish(self) -> FisherDiag<T> {
        let count = self.examples.max(1) as f64;
        let mean = |sum: f64| cast::<T>(sum / count);
        let has_biases = self.model.has_biases();
        FisherDiag {
            encoder: self.encoder.mapv(mean),
            decoder: self.decoder.mapv(mean),
            encoder_bias: has_biases.then(|| self.encoder_bias.mapv(mean)),
            decoder_bias: has_biases.then(|| self.decoder_bias.mapv(mean)),
            examples: self.examples,
            variant: self.variant,
        }
    }
}

/// The regression Fisher's per-example factors from a forward pass: g: [batch, m] and
/// q: [batch, n]. dy_o/dE[j,i] = relu'(z_o) D[o,j] relu'(a_j) x_i; summing squares over o gives
/// g = relu'(a) ∘ (relu'(z) · D²) (SPEC's c_j(x)), and dy_o/dD[o,j] = relu'(z_o) h_j gives
/// q = relu'(z). q overwrites y: [batch, n] arrays dominate the memory traffic.
pub(crate) fn regression_factors<T: Scalar>(
    decoder_squared: &Array2<T>,
    latent: &Array2<T>,
    output: Array2<T>,
) -> (Array2<T>, Array2<T>) {
    let mut q = output;
    q.mapv_inplace(relu_grad);
    let mut g = dense::times(&q, decoder_squared);
    Zip::from(&mut g)
        .and(latent)
        .for_each(|g, &h| *g = *g * relu_grad(h));
    (g, q)
}

pub(crate) fn accumulate<T: Scalar, D: ndarray::Dimension>(
    total: &mut ndarray::Array<f64, D>,
    batch: &ndarray::Array<T, D>,
) {
    Zip::from(total)
        .and(batch)
        .for_each(|t, &b| *t += b.to_f64().unwrap_or(f64::NAN));
}

/// The Fisher diagonal over all of `data`, in batches of `batch_size`.
pub fn fisher_diag<T: Scalar>(
    model: &Autoencoder<T>,
    data: &Dataset,
    variant: FisherVariant,
    batch_size: usize,
) -> FisherDiag<T> {
    let mut accumulator = FisherAccumulator::new(model, variant);
    for range in data.ranges(batch_size) {
        accumulator.add_examples(data, range);
    }
    accumulator.finish()
}

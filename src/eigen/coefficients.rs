//! What the blocks need of a model: per example x and first-layer row j, the coefficient c_j(x)
//! of its Fisher block K_j = (1/N) Σ_x c_j(x) x xᵀ. Every first-layer weight's per-example
//! gradient is (something per row) · x_i, so each model's block has this form:
//! - the autoencoder's regression Fisher: c_j = relu'(a_j) Σ_o relu'(z_o) D[o,j]²;
//! - the classifier's classif_logits Fisher: c_j = Σ_c p_c (δ_cj − Σ_c' p_c' δ_c'j)².
//!
//! Both are the factors their diagonal Fisher already uses, so diag(K_j) is that Fisher's row.

use ndarray::{Array2, ArrayView2};

use crate::classifier::Classifier;
use crate::classifier_fisher::first_layer_logit_factors;
use crate::fisher::regression_factors;
use crate::model::{Autoencoder, ForwardPass};
use crate::network::Network;
use crate::scalar::Scalar;

/// A model whose first layer's Fisher blocks the eigen-shells build.
pub trait RowCoefficients<T: Scalar> {
    /// n, the pixels.
    fn input_dim(&self) -> usize;

    /// The first layer's rows: one block each.
    fn rows(&self) -> usize;

    /// c_j(x) for a batch x: [batch, n], as [batch, rows].
    fn coefficients(&self, x: ArrayView2<T>) -> Array2<T>;
}

impl<T: Scalar> RowCoefficients<T> for Autoencoder<T> {
    fn input_dim(&self) -> usize {
        Autoencoder::input_dim(self)
    }

    fn rows(&self) -> usize {
        self.latent_dim()
    }

    fn coefficients(&self, x: ArrayView2<T>) -> Array2<T> {
        let ForwardPass { latent, output } = self.forward(x);
        // D² is [n, m]: negligible beside the blocks' sums, so it is not kept between batches.
        regression_factors(&self.decoder.mapv(|v| v * v), &latent, output).0
    }
}

impl<T: Scalar> RowCoefficients<T> for Classifier<T> {
    fn input_dim(&self) -> usize {
        Classifier::input_dim(self)
    }

    fn rows(&self) -> usize {
        self.first_layer().nrows()
    }

    fn coefficients(&self, x: ArrayView2<T>) -> Array2<T> {
        first_layer_logit_factors(self, &self.forward(x))
    }
}

impl RowCoefficients<f32> for Network {
    fn input_dim(&self) -> usize {
        Network::input_dim(self)
    }

    fn rows(&self) -> usize {
        self.first_layer().nrows()
    }

    fn coefficients(&self, x: ArrayView2<f32>) -> Array2<f32> {
        match self {
            Network::Autoencoder(model) => model.coefficients(x),
            Network::Classifier(model) => model.coefficients(x),
        }
    }
}

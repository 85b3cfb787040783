//! The MNIST classifier (SPEC.md "Beyond the autoencoder: a classifier"): a multi-layer
//! perceptron n → h_1 → … → h_L → 10 with ReLU and biases, scored by softmax cross-entropy.
//!
//! a_1 = W_0 x + b_0, h_1 = relu(a_1), …, z = W_L h_L + b_L (the logits), p = softmax(z).
//! Batched like the autoencoder: one example per row, the first layer's two products over the
//! input's non-zeros (`crate::sparse`), the rest dense (`crate::dense`). Generic over the scalar
//! so tests can check gradients in f64.

use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};

use crate::dense;
use crate::model::{
    relu, relu_grad, standard_layout, std_slice as slice, std_slice_mut as slice_mut,
};
use crate::rng::{stream, Rng};
use crate::scalar::{cast, Scalar};
use crate::sparse::{transpose_times_x, x_times_transpose, SparseRows};

/// One `nn.Linear`: weight [out, in], bias [out].
#[derive(Clone, Debug, PartialEq)]
pub struct Linear<T = f32> {
    pub weight: Array2<T>,
    pub bias: Array1<T>,
}

/// The classifier's layers, first (on the pixels) to last (the logits). Gradients and Fisher
/// values come in the same shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Classifier<T = f32> {
    pub layers: Vec<Linear<T>>,
}

/// Activations of one forward pass: the hidden layers' h_1 … h_L ([batch, h_k] each) and the
/// logits z ([batch, classes]). As in the autoencoder, relu' is read off h itself.
#[derive(Clone, Debug)]
pub struct ClassifierPass<T> {
    pub hidden: Vec<Array2<T>>,
    pub logits: Array2<T>,
}

/// A batch's cross-entropy summed over its examples, and how many it classifies right.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BatchScore {
    pub cross_entropy_sum: f64,
    pub correct: usize,
}

impl<T: Scalar> Classifier<T> {
    /// PyTorch `nn.Linear` initialisation, layer by layer: weight then bias, each uniform in
    /// ±1/sqrt(fan_in), drawn from `seed`.
    pub fn init(input_dim: usize, hidden: &[usize], classes: usize, seed: u64) -> Self {
        let mut rng = Rng::new(seed, stream::INIT, 0);
        let widths: Vec<usize> = std::iter::once(input_dim)
            .chain(hidden.iter().copied())
            .chain(std::iter::once(classes))
            .collect();
        let layers = widths
            .windows(2)
            .map(|pair| {
                let (fan_in, fan_out) = (pair[0], pair[1]);
                let bound = 1.0 / (fan_in as f64).sqrt();
                let mut draw = || cast::<T>(rng.uniform_symmetric(bound));
                Linear {
                    weight: Array2::from_shape_simple_fn((fan_out, fan_in), &mut draw),
                    bias: Array1::from_shape_simple_fn(fan_out, &mut draw),
                }
            })
            .collect();
        Classifier { layers }
    }

    /// n, the number of pixels.
    pub fn input_dim(&self) -> usize {
        self.layers[0].weight.ncols()
    }

    pub fn classes(&self) -> usize {
        self.last().weight.nrows()
    }

    /// h_1 … h_L, the hidden layers' widths.
    pub fn hidden_widths(&self) -> Vec<usize> {
        let hidden = &self.layers[..self.layers.len() - 1];
        hidden.iter().map(|layer| layer.weight.nrows()).collect()
    }

    /// W_0, the weights on the pixels: what information shells prune.
    pub fn first_layer(&self) -> &Array2<T> {
        &self.layers[0].weight
    }

    fn last(&self) -> &Linear<T> {
        self.layers.last().expect("a classifier has layers")
    }

    /// The same model with another first-layer matrix (how pruning masks are applied).
    pub fn with_first_layer(&self, weight: Array2<T>) -> Self {
        assert_eq!(
            weight.dim(),
            self.layers[0].weight.dim(),
            "the first layer's shape must not change"
        );
        let mut model = self.clone();
        model.layers[0].weight = standard_layout(weight);
        model
    }

    /// Parameter tensors in PyTorch's `state_dict` order: W_0, b_0, W_1, b_1, ….
    pub fn parameters(&self) -> Vec<&[T]> {
        (self.layers.iter())
            .flat_map(|layer| [slice(&layer.weight), slice(&layer.bias)])
            .collect()
    }

    /// Mutable view of `parameters()`, same order.
    pub fn parameters_mut(&mut self) -> Vec<&mut [T]> {
        (self.layers.iter_mut())
            .flat_map(|layer| [slice_mut(&mut layer.weight), slice_mut(&mut layer.bias)])
            .collect()
    }

    pub fn parameter_count(&self) -> usize {
        self.parameters().iter().map(|p| p.len()).sum()
    }

    /// A classifier of this one's shape holding `flat` (`parameters()` order); `None` if the
    /// length is wrong.
    pub fn shaped_like(&self, flat: &[T]) -> Option<Self> {
        let mut out = self.clone();
        let mut rest = flat;
        for tensor in out.parameters_mut() {
            if rest.len() < tensor.len() {
                return None;
            }
            let (head, tail) = rest.split_at(tensor.len());
            tensor.copy_from_slice(head);
            rest = tail;
        }
        rest.is_empty().then_some(out)
    }

    /// Forward pass with x's non-zeros listed (`SparseRows::of(x)`); None takes the dense product.
    pub fn forward_with(
        &self,
        x: ArrayView2<T>,
        sparse: Option<&SparseRows<T>>,
    ) -> ClassifierPass<T> {
        self.forward_from_first(x_times_transpose(x, sparse, &self.layers[0].weight))
    }

    pub fn forward(&self, x: ArrayView2<T>) -> ClassifierPass<T> {
        self.forward_with(x, SparseRows::of(x).as_ref())
    }

    /// The rest of the forward pass from x · W_0ᵀ (without b_0): the sweep keeps that product and
    /// updates it as it removes first-layer weights.
    pub fn forward_from_first(&self, mut pre: Array2<T>) -> ClassifierPass<T> {
        let mut hidden = Vec::with_capacity(self.layers.len() - 1);
        for (k, layer) in self.layers.iter().enumerate() {
            if k > 0 {
                let input: &Array2<T> = hidden.last().expect("layer k > 0 reads h_k");
                pre = dense::times_transpose(input, &layer.weight);
            }
            pre += &layer.bias;
            if k + 1 < self.layers.len() {
                pre.mapv_inplace(relu);
                hidden.push(std::mem::replace(&mut pre, Array2::zeros((0, 0))));
            }
        }
        ClassifierPass {
            hidden,
            logits: pre,
        }
    }

    /// Mean cross-entropy on a batch with its labels.
    pub fn loss(&self, x: ArrayView2<T>, labels: &[u8]) -> f64 {
        let score = score_logits(&self.forward(x).logits, labels);
        score.cross_entropy_sum / x.nrows().max(1) as f64
    }

    /// The mean loss and the gradients of every parameter, shaped as the model.
    pub fn loss_and_gradients(&self, x: ArrayView2<T>, labels: &[u8]) -> (f64, Classifier<T>) {
        let sparse = SparseRows::of(x);
        let (score, grads) = self.gradient_part_with(x, labels, sparse.as_ref(), x.nrows());
        (score.cross_entropy_sum / x.nrows().max(1) as f64, grads)
    }

    /// The rows of `x` (labels `labels`): their summed cross-entropy and right answers, and their
    /// share of the gradient of the mean loss over a batch of `batch_rows` rows of which they are
    /// a part, so the parts of a batch add up to its gradient.
    pub fn gradient_part_with(
        &self,
        x: ArrayView2<T>,
        labels: &[u8],
        sparse: Option<&SparseRows<T>>,
        batch_rows: usize,
    ) -> (BatchScore, Classifier<T>) {
        assert_eq!(labels.len(), x.nrows(), "one label per example");
        let ClassifierPass { hidden, logits } = self.forward_with(x, sparse);
        let score = score_logits(&logits, labels);
        // dL/dz = (softmax(z) - onehot(y)) / batch, as PyTorch's mean cross-entropy.
        let mut delta = softmax(logits);
        let scale = cast::<T>(1.0 / batch_rows.max(1) as f64);
        for (mut row, &label) in delta.rows_mut().into_iter().zip(labels) {
            row[label as usize] = row[label as usize] - T::one();
            row.mapv_inplace(|v| v * scale);
        }
        let mut grads = Vec::with_capacity(self.layers.len());
        for k in (0..self.layers.len()).rev() {
            // dW_k: [out, in] = δᵀ · (h_k or x);  db_k = Σ_batch δ
            let weight = match k {
                0 => transpose_times_x(&delta, x, sparse),
                _ => dense::transpose_times(&delta, &hidden[k - 1]),
            };
            let bias = delta.sum_axis(Axis(0));
            grads.push(Linear { weight, bias });
            if k > 0 {
                // δ for layer k - 1: (δ · W_k) ∘ relu'(h_k)
                let mut below = dense::times(&delta, &self.layers[k].weight);
                Zip::from(&mut below)
                    .and(&hidden[k - 1])
                    .for_each(|d, &h| *d = *d * relu_grad(h));
                delta = below;
            }
        }
        grads.reverse();
        (score, Classifier { layers: grads })
    }

    pub fn is_finite(&self) -> bool {
        self.parameters()
            .iter()
            .all(|p| p.iter().all(|v| v.is_finite()))
    }
}

impl<T: Scalar> Classifier<T> {
    /// Adds `other`, shaped alike, tensor by tensor (a batch's parts).
    pub fn add(&mut self, other: &Classifier<T>) {
        for (sum, part) in self.parameters_mut().into_iter().zip(other.parameters()) {
            sum.iter_mut().zip(part).for_each(|(s, &p)| *s += p);
        }
    }
}

/// Row-wise softmax, computed from z - max(z) so no exponential overflows.
pub fn softmax<T: Scalar>(mut logits: Array2<T>) -> Array2<T> {
    for mut row in logits.rows_mut() {
        let max = row.fold(T::neg_infinity(), |m, &v| m.max(v));
        row.mapv_inplace(|v| (v - max).exp());
        let sum = row.sum();
        row.mapv_inplace(|v| v / sum);
    }
    logits
}

/// The index of the first largest value (`torch.argmax`); 0 when none compares larger than −∞.
pub fn argmax<T: PartialOrd + Copy>(values: impl Iterator<Item = T>) -> usize {
    let mut best: Option<(usize, T)> = None;
    for (i, v) in values.enumerate() {
        if best.is_none_or(|(_, max)| v > max) {
            best = Some((i, v));
        }
    }
    best.map_or(0, |(i, _)| i)
}

/// Summed cross-entropy −log p_y = logsumexp(z) − z_y (in f64), and the right answers: the first
/// largest logit, as `torch.argmax`.
pub fn score_logits<T: Scalar>(logits: &Array2<T>, labels: &[u8]) -> BatchScore {
    let mut score = BatchScore::default();
    for (row, &label) in logits.rows().into_iter().zip(labels) {
        let z: Vec<f64> = row.iter().map(|v| v.to_f64().unwrap_or(f64::NAN)).collect();
        let best = argmax(z.iter().copied());
        let max = z[best];
        let log_sum = max + z.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
        score.cross_entropy_sum += log_sum - z[label as usize];
        score.correct += usize::from(best == label as usize);
    }
    score
}

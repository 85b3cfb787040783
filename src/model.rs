//! The paper's autoencoder (eq. 51-53): h = relu(E x [+ b_E]), y = relu(D h [+ b_D]), MSE loss.
//!
//! Batched: one example per row, so every product is a matrix product (`crate::dense`), except
//! the two that read a sparse input (`crate::sparse`).
//! Generic over the scalar so tests can check gradients in f64.

use ndarray::{Array1, Array2, ArrayView2, Axis, Zip};

use crate::dense;
use crate::rng::{stream, Rng};
use crate::scalar::{cast, Scalar};
use crate::sparse::{transpose_times_x, x_times_transpose, SparseRows};

/// Weights of the autoencoder. Shapes follow PyTorch's `nn.Linear.weight`.
#[derive(Clone, Debug, PartialEq)]
pub struct Autoencoder<T = f32> {
    /// E: [m, n]
    pub encoder: Array2<T>,
    /// D: [n, m]
    pub decoder: Array2<T>,
    /// b_E: [m], only in the authors' released variant.
    pub encoder_bias: Option<Array1<T>>,
    /// b_D: [n]
    pub decoder_bias: Option<Array1<T>>,
}

/// Gradients, shaped like the parameters they belong to.
#[derive(Clone, Debug, PartialEq)]
pub struct Gradients<T = f32> {
    pub encoder: Array2<T>,
    pub decoder: Array2<T>,
    pub encoder_bias: Option<Array1<T>>,
    pub decoder_bias: Option<Array1<T>>,
}

/// Activations of one forward pass, kept for backward and for the Fisher. Pre-activations are
/// not stored: relu'(v) = 1 exactly when relu(v) > 0, so `relu_grad` of an activation gives the
/// derivative at its pre-activation, and each batch saves two [batch, n]-sized arrays.
#[derive(Clone, Debug)]
pub struct ForwardPass<T> {
    /// latent h = relu(a): [batch, m]
    pub latent: Array2<T>,
    /// reconstruction y = relu(z): [batch, n]
    pub output: Array2<T>,
}

pub fn relu<T: Scalar>(v: T) -> T {
    if v > T::zero() {
        v
    } else {
        T::zero()
    }
}

/// relu'(v): 1 if v > 0 else 0 (0 at the kink, as PyTorch). Equal at v and at relu(v).
pub fn relu_grad<T: Scalar>(v: T) -> T {
    if v > T::zero() {
        T::one()
    } else {
        T::zero()
    }
}

/// PyTorch MSELoss with mean reduction.
pub fn mse<T: Scalar>(output: &Array2<T>, target: &ArrayView2<T>) -> f64 {
    let sum = sum_squared_error(output, target);
    sum / output.len().max(1) as f64
}

/// sum_b sum_o (y_bo - x_bo)^2. Blocks of 1024 values are summed in T over 16 independent
/// lanes (so the loop vectorises; 64 terms per lane keep f32 rounding near 1e-7), and the block
/// sums in f64, so the figure does not drift with the size of the set.
pub fn sum_squared_error<T: Scalar>(output: &Array2<T>, target: &ArrayView2<T>) -> f64 {
    assert_eq!(output.dim(), target.dim(), "output and target shapes");
    let (Some(y), Some(x)) = (output.as_slice(), target.as_slice()) else {
        // Not contiguous (never for our batches): the plain sum.
        let mut sum = 0.0;
        Zip::from(output).and(target).for_each(|&y, &x| {
            let d = (y - x).to_f64().unwrap_or(f64::NAN);
            sum += d * d;
        });
        return sum;
    };
    const LANES: usize = 16;
    let mut total = 0.0f64;
    for (y_block, x_block) in y.chunks(1024).zip(x.chunks(1024)) {
        let mut lanes = [T::zero(); LANES];
        let (y_lanes, x_lanes) = (y_block.chunks_exact(LANES), x_block.chunks_exact(LANES));
        let tail = y_lanes.remainder().iter().zip(x_lanes.remainder());
        for (ys, xs) in y_lanes.zip(x_lanes) {
            for lane in 0..LANES {
                let d = ys[lane] - xs[lane];
                lanes[lane] += d * d;
            }
        }
        let tail_sum = tail.fold(T::zero(), |acc, (&y, &x)| acc + (y - x) * (y - x));
        let block = lanes.iter().fold(tail_sum, |acc, &v| acc + v);
        total += block.to_f64().unwrap_or(f64::NAN);
    }
    total
}

impl<T: Scalar> Autoencoder<T> {
    /// PyTorch `nn.Linear` initialisation: every weight (and bias) uniform in ±1/sqrt(fan_in),
    /// drawn from `seed`. Order: E row-major, D row-major, b_E, b_D.
    pub fn init(input_dim: usize, latent_dim: usize, biases: bool, seed: u64) -> Self {
        let mut rng = Rng::new(seed, stream::INIT, 0);
        let enc_bound = 1.0 / (input_dim as f64).sqrt();
        let dec_bound = 1.0 / (latent_dim as f64).sqrt();
        let mut draw = |bound: f64| cast::<T>(rng.uniform_symmetric(bound));
        let encoder = Array2::from_shape_simple_fn((latent_dim, input_dim), || draw(enc_bound));
        let decoder = Array2::from_shape_simple_fn((input_dim, latent_dim), || draw(dec_bound));
        let (encoder_bias, decoder_bias) = if biases {
            (
                Some(Array1::from_shape_simple_fn(latent_dim, || draw(enc_bound))),
                Some(Array1::from_shape_simple_fn(input_dim, || draw(dec_bound))),
            )
        } else {
            (None, None)
        };
        Autoencoder {
            encoder,
            decoder,
            encoder_bias,
            decoder_bias,
        }
    }

    /// n, the number of pixels.
    pub fn input_dim(&self) -> usize {
        self.encoder.ncols()
    }

    /// m, the width of the latent code.
    pub fn latent_dim(&self) -> usize {
        self.encoder.nrows()
    }

    pub fn has_biases(&self) -> bool {
        self.encoder_bias.is_some()
    }

    /// Total number of scalar parameters.
    pub fn parameter_count(&self) -> usize {
        self.parameters().iter().map(|p| p.len()).sum()
    }

    /// The same model with another encoder matrix (how pruning masks are applied).
    pub fn with_encoder(&self, encoder: Array2<T>) -> Self {
        assert_eq!(
            encoder.dim(),
            self.encoder.dim(),
            "encoder shape must not change"
        );
        let encoder = standard_layout(encoder);
        Autoencoder {
            encoder,
            ..self.clone()
        }
    }

    /// Parameter tensors in a fixed order: E, D, then b_E, b_D when present.
    pub fn parameters(&self) -> Vec<&[T]> {
        in_order(
            &self.encoder,
            &self.decoder,
            &self.encoder_bias,
            &self.decoder_bias,
        )
    }

    /// Mutable view of `parameters()`, same order.
    pub fn parameters_mut(&mut self) -> Vec<&mut [T]> {
        in_order_mut(
            &mut self.encoder,
            &mut self.decoder,
            &mut self.encoder_bias,
            &mut self.decoder_bias,
        )
    }

    pub fn is_finite(&self) -> bool {
        self.parameters()
            .iter()
            .all(|p| p.iter().all(|v| v.is_finite()))
    }

    /// Forward pass on a batch x: [batch, n].
    pub fn forward(&self, x: ArrayView2<T>) -> ForwardPass<T> {
        self.forward_with(x, SparseRows::of(x).as_ref())
    }

    /// Forward pass with x's non-zeros already listed (`SparseRows::of(x)`), for callers that
    /// reuse them; None takes the dense product.
    pub fn forward_with(&self, x: ArrayView2<T>, sparse: Option<&SparseRows<T>>) -> ForwardPass<T> {
        self.forward_from_encoded(x_times_transpose(x, sparse, &self.encoder))
    }

    /// Forward pass on a batch given only by its non-zeros.
    pub fn forward_sparse(&self, sparse: &SparseRows<T>) -> ForwardPass<T> {
        self.forward_from_encoded(sparse.times_transpose(&self.encoder))
    }

    /// The rest of the forward pass from x · Eᵀ.
    fn forward_from_encoded(&self, mut latent: Array2<T>) -> ForwardPass<T> {
        // h: [batch, m] = relu(x: [batch, n] · Eᵀ (+ b_E))
        if let Some(b) = &self.encoder_bias {
            latent += b;
        }
        latent.mapv_inplace(relu);
        // y: [batch, n] = relu(h: [batch, m] · Dᵀ (+ b_D))
        let mut output = dense::times_transpose(&latent, &self.decoder);
        if let Some(b) = &self.decoder_bias {
            output += b;
        }
        output.mapv_inplace(relu);
        ForwardPass { latent, output }
    }

    /// Mean squared error on a batch.
    pub fn loss(&self, x: ArrayView2<T>) -> f64 {
        mse(&self.forward(x).output, &x)
    }

    /// Loss and the gradients of every parameter (reverse mode by hand).
    pub fn loss_and_gradients(&self, x: ArrayView2<T>) -> (f64, Gradients<T>) {
        let (squared_error, grads) = self.gradient_part(x, x.nrows());
        (squared_error / x.len().max(1) as f64, grads)
    }

    /// The squared error summed over the rows of `x`, and their share of the gradient of the
    /// mean loss over a batch of `batch_rows` rows of which `x` is a part: the parts of a batch,
    /// computed anywhere, add up to its gradient (a pool of workers splits a batch so).
    pub fn gradient_part(&self, x: ArrayView2<T>, batch_rows: usize) -> (f64, Gradients<T>) {
        self.gradient_part_with(x, SparseRows::of(x).as_ref(), batch_rows)
    }

    /// `gradient_part` with x's non-zeros already listed (`SparseRows::of(x)`, or
    /// `Dataset::sparse_batch`); None takes the dense products.
    pub fn gradient_part_with(
        &self,
        x: ArrayView2<T>,
        sparse: Option<&SparseRows<T>>,
        batch_rows: usize,
    ) -> (f64, Gradients<T>) {
        let ForwardPass { latent, output } = self.forward_with(x, sparse);
        let squared_error = sum_squared_error(&output, &x);
        // In place of y: dz = dL/dy ∘ relu'(z), dL/dy = 2 (y - x) / (batch n) as in PyTorch.
        let scale = cast::<T>(2.0 / (batch_rows * x.ncols()).max(1) as f64);
        let mut d_output_pre = output;
        Zip::from(&mut d_output_pre)
            .and(&x)
            .for_each(|y, &target| *y = (*y - target) * scale * relu_grad(*y));
        // dD: [n, m] = dzᵀ: [n, batch] · h: [batch, m];  db_D = Σ_batch dz
        let decoder = dense::transpose_times(&d_output_pre, &latent);
        let decoder_bias = self
            .decoder_bias
            .as_ref()
            .map(|_| d_output_pre.sum_axis(Axis(0)));
        // dh: [batch, m] = dz: [batch, n] · D: [n, m];  da = dh ∘ relu'(a)
        let mut d_latent_pre = dense::times(&d_output_pre, &self.decoder);
        Zip::from(&mut d_latent_pre)
            .and(&latent)
            .for_each(|d, &h| *d = *d * relu_grad(h));
        // dE: [m, n] = daᵀ: [m, batch] · x: [batch, n];  db_E = Σ_batch da
        let encoder = transpose_times_x(&d_latent_pre, x, sparse);
        let encoder_bias = self
            .encoder_bias
            .as_ref()
            .map(|_| d_latent_pre.sum_axis(Axis(0)));
        let grads = Gradients {
            encoder,
            decoder,
            encoder_bias,
            decoder_bias,
        };
        (squared_error, grads)
    }
}

impl<T: Scalar> Gradients<T> {
    /// Same order as `Autoencoder::parameters`.
    pub fn tensors(&self) -> Vec<&[T]> {
        in_order(
            &self.encoder,
            &self.decoder,
            &self.encoder_bias,
            &self.decoder_bias,
        )
    }

    /// Mutable view of `tensors()`, same order.
    pub fn tensors_mut(&mut self) -> Vec<&mut [T]> {
        in_order_mut(
            &mut self.encoder,
            &mut self.decoder,
            &mut self.encoder_bias,
            &mut self.decoder_bias,
        )
    }

    /// Every tensor, one after another (what a worker posts).
    pub fn to_flat(&self) -> Vec<T> {
        self.tensors().concat()
    }

    /// Gradients shaped like `model`'s parameters from `to_flat`'s layout; `None` if the length
    /// is wrong.
    pub fn from_flat(model: &Autoencoder<T>, flat: &[T]) -> Option<Self> {
        let mut grads = Gradients {
            encoder: model.encoder.clone(),
            decoder: model.decoder.clone(),
            encoder_bias: model.encoder_bias.clone(),
            decoder_bias: model.decoder_bias.clone(),
        };
        copy_flat(grads.tensors_mut(), flat)?;
        Some(grads)
    }

    /// Adds `other` tensor by tensor.
    pub fn add(&mut self, other: &Gradients<T>) {
        for (sum, part) in self.tensors_mut().into_iter().zip(other.tensors()) {
            for (s, &p) in sum.iter_mut().zip(part) {
                *s += p;
            }
        }
    }
}

impl<T: Scalar> Autoencoder<T> {
    /// Overwrites every parameter from `Gradients::to_flat`'s layout (`parameters()` in order);
    /// `None`, leaving the model unchanged, if the length is wrong.
    pub fn set_parameters(&mut self, flat: &[T]) -> Option<()> {
        if flat.len() != self.parameter_count() {
            return None;
        }
        copy_flat(self.parameters_mut(), flat)
    }
}

/// E, D, then b_E, b_D when present, as flat slices: the order of parameters and gradients.
fn in_order<'a, T>(
    encoder: &'a Array2<T>,
    decoder: &'a Array2<T>,
    encoder_bias: &'a Option<Array1<T>>,
    decoder_bias: &'a Option<Array1<T>>,
) -> Vec<&'a [T]> {
    let mut out = vec![std_slice(encoder), std_slice(decoder)];
    out.extend(encoder_bias.iter().map(std_slice));
    out.extend(decoder_bias.iter().map(std_slice));
    out
}

/// `in_order`, mutable.
fn in_order_mut<'a, T>(
    encoder: &'a mut Array2<T>,
    decoder: &'a mut Array2<T>,
    encoder_bias: &'a mut Option<Array1<T>>,
    decoder_bias: &'a mut Option<Array1<T>>,
) -> Vec<&'a mut [T]> {
    let mut out = vec![std_slice_mut(encoder), std_slice_mut(decoder)];
    out.extend(encoder_bias.iter_mut().map(std_slice_mut));
    out.extend(decoder_bias.iter_mut().map(std_slice_mut));
    out
}

/// Fills `tensors` in order from `flat`, which must hold exactly as many values.
fn copy_flat<T: Copy>(tensors: Vec<&mut [T]>, flat: &[T]) -> Option<()> {
    let total: usize = tensors.iter().map(|t| t.len()).sum();
    if total != flat.len() {
        return None;
    }
    let mut rest = flat;
    for tensor in tensors {
        let (head, tail) = rest.split_at(tensor.len());
        tensor.copy_from_slice(head);
        rest = tail;
    }
    Some(())
}

/// Parameters are kept in row-major layout so they can be handed out as flat slices.
pub(crate) fn standard_layout<T: Clone, D: ndarray::Dimension>(
    a: ndarray::Array<T, D>,
) -> ndarray::Array<T, D> {
    if a.is_standard_layout() {
        a
    } else {
        a.as_standard_layout().into_owned()
    }
}

pub(crate) fn std_slice<T, D: ndarray::Dimension>(a: &ndarray::Array<T, D>) -> &[T] {
    a.as_slice()
        .expect("parameters are created in standard layout")
}

pub(crate) fn std_slice_mut<T, D: ndarray::Dimension>(a: &mut ndarray::Array<T, D>) -> &mut [T] {
    a.as_slice_mut()
        .expect("parameters are created in standard layout")
}

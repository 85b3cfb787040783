//! The Fisher's block for each first-layer row (SPEC.md "Fisher eigen-shells", and the
//! classifier's): K_j = (1/N) Σ_x c_j(x) x xᵀ, an n × n matrix whose diagonal is the diagonal
//! Fisher F[j,·]. The model gives c_j(x) (`RowCoefficients`).
//!
//! A dense sum costs m·n²·N = 7.4·10¹¹ multiply-adds over MNIST's training set. Two facts cut it
//! ~60-fold: an image is ~19 % non-zero, so x xᵀ has ~11,000 distinct non-zero pairs (p ≤ q)
//! instead of 307,000, and the blocks are symmetric, so only pairs p ≤ q are stored. The m blocks
//! are interleaved pair-major, unit-minor: one pair's update for all units is an m-wide axpy,
//! which vectorises, and one pass over an image's pairs serves every unit.

use ndarray::{Array2, ArrayView2};

use super::coefficients::RowCoefficients;
use crate::fisher::SumOverExamples;
use crate::scalar::Scalar;

/// Sums c_j(x)·x_p·x_q over examples for every row j and pixel pair p ≤ q.
pub struct BlockAccumulator<T: Scalar> {
    model: Box<dyn RowCoefficients<T>>,
    /// Pair (p, q ≥ p) lives at `(row_start[p] + q) * m`.
    row_start: Vec<usize>,
    sums: Vec<T>,
    examples: usize,
    /// Reused per batch (see `add_batch`): every active example's non-zero pixels as
    /// (pixel, value), where each example's run starts, and per pixel (example, position).
    nonzero: Vec<(usize, T)>,
    example_start: Vec<usize>,
    by_pixel: Vec<Vec<(usize, usize)>>,
}

/// Where each row's pairs start in the packed upper triangle (see `BlockAccumulator`).
fn packed_row_starts(n: usize) -> Vec<usize> {
    // Row p holds q = p..n, so it starts after Σ_{r<p} (n - r) pairs; index by q directly.
    (0..n).map(|p| p * n - p * (p + 1) / 2).collect()
}

impl<T: Scalar> BlockAccumulator<T> {
    /// For `model`: an `Autoencoder<T>`, a `Classifier<T>`, or a `Network`.
    pub fn new(model: &(impl RowCoefficients<T> + Clone + 'static)) -> Self {
        let (n, m) = (model.input_dim(), model.rows());
        BlockAccumulator {
            model: Box::new(model.clone()),
            row_start: packed_row_starts(n),
            sums: vec![T::zero(); n * (n + 1) / 2 * m],
            examples: 0,
            nonzero: Vec::new(),
            example_start: Vec::new(),
            by_pixel: vec![Vec::new(); n],
        }
    }

    pub fn examples(&self) -> usize {
        self.examples
    }
}

impl<T: Scalar> SumOverExamples<T> for BlockAccumulator<T> {
    fn add_batch(&mut self, x: ArrayView2<T>) {
        let (n, m) = (self.model.input_dim(), self.model.rows());
        let c = self.model.coefficients(x);
        self.examples += x.nrows();
        // Each example's non-zero pixels, ascending (CSR), and for each pixel the examples
        // where it is non-zero with its position in their list (CSC). An example whose rows'
        // coefficients are all 0 adds nothing, and ReLU makes that common.
        self.nonzero.clear();
        self.example_start.clear();
        self.by_pixel.iter_mut().for_each(Vec::clear);
        self.by_pixel.resize(n, Vec::new());
        let mut active = Vec::new();
        for (b, (x, c)) in x.outer_iter().zip(c.outer_iter()).enumerate() {
            if c.iter().all(|&v| v == T::zero()) {
                continue;
            }
            let example = active.len();
            active.push(b);
            self.example_start.push(self.nonzero.len());
            for (i, &v) in x.iter().enumerate() {
                if v != T::zero() {
                    self.by_pixel[i].push((example, self.nonzero.len()));
                    self.nonzero.push((i, v));
                }
            }
        }
        self.example_start.push(self.nonzero.len());
        // Row p of every block, K[p, q ≥ p, ·], is one contiguous run of the packed sums
        // ((n - p)·m values, at most 62 KB), so taking p outermost keeps the writes in cache.
        let mut weights = vec![T::zero(); m];
        for p in 0..n {
            let row = &mut self.sums[self.row_start[p] * m..(self.row_start[p] + n) * m];
            for &(example, position) in &self.by_pixel[p] {
                let xp = self.nonzero[position].1;
                for (w, &cj) in weights.iter_mut().zip(c.row(active[example])) {
                    *w = xp * cj;
                }
                // This example's pixels q ≥ p: from p's own position to the end of its list.
                for &(q, xq) in &self.nonzero[position..self.example_start[example + 1]] {
                    for (sum, &w) in row[q * m..(q + 1) * m].iter_mut().zip(&weights) {
                        *sum += xq * w;
                    }
                }
            }
        }
    }
}

impl<T: Scalar> BlockAccumulator<T> {
    /// The means over all added examples.
    pub fn finish(self) -> FisherBlocks {
        let count = self.examples.max(1) as f64;
        FisherBlocks {
            n: self.model.input_dim(),
            m: self.model.rows(),
            examples: self.examples,
            row_start: self.row_start,
            packed: self
                .sums
                .into_iter()
                .map(|s| s.to_f64().unwrap_or(f64::NAN) / count)
                .collect(),
        }
    }
}

/// The m blocks K_j, packed as `BlockAccumulator` sums them.
pub struct FisherBlocks {
    n: usize,
    m: usize,
    examples: usize,
    row_start: Vec<usize>,
    packed: Vec<f64>,
}

impl FisherBlocks {
    pub fn input_dim(&self) -> usize {
        self.n
    }

    /// The first layer's rows: one block each.
    pub fn rows(&self) -> usize {
        self.m
    }

    pub fn examples(&self) -> usize {
        self.examples
    }

    /// K_j[p, q], either order of p and q.
    pub fn get(&self, j: usize, p: usize, q: usize) -> f64 {
        let (p, q) = (p.min(q), p.max(q));
        self.packed[(self.row_start[p] + q) * self.m + j]
    }

    /// K_j as a full symmetric n × n matrix.
    pub fn block(&self, j: usize) -> Array2<f64> {
        let mut block = Array2::zeros((self.n, self.n));
        for p in 0..self.n {
            for q in p..self.n {
                let v = self.get(j, p, q);
                block[[p, q]] = v;
                block[[q, p]] = v;
            }
        }
        block
    }

    /// diag(K_j) for every j, [m, n]: the diagonal Fisher of the first layer.
    pub fn diagonal(&self) -> Array2<f64> {
        Array2::from_shape_fn((self.m, self.n), |(j, i)| self.get(j, i, i))
    }

    /// true when K_j is all zero: c_j(x) = 0 on every example with a pixel lit (unit j never
    /// fires, say).
    pub fn is_zero(&self, j: usize) -> bool {
        (0..self.n).all(|i| self.get(j, i, i) == 0.0)
    }
}

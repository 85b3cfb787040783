//! Image datasets as u8 pixels. Conversion to f32 happens one batch at a time, so no f32 copy of
//! a whole split is ever held (60,000 MNIST images are 47 MB as u8, 188 MB as f32).

pub mod assembly;
pub mod csv;
pub mod files;
pub mod folder;
pub mod holdout;
pub mod idx;
pub mod import;
pub mod manifest;
pub mod npy;
pub mod picture;
pub mod run_data;
pub mod shard;
pub mod sniff;
pub mod stats;
pub mod zip;

use ndarray::{Array2, ArrayViewMut2};

use crate::scalar::{cast, Scalar};
use crate::sparse::{eight_zeros, SparseRows};

/// Images are at most 64 × 64 (n ≤ 4096): the Fisher, the sweep and the charts stay interactive.
pub const MAX_SIDE: usize = 64;
/// A data set has 2 to 256 classes, labelled 0 to classes - 1 (a label is one byte).
pub const MIN_CLASSES: usize = 2;
pub const MAX_CLASSES: usize = 256;
/// The fixed test images the page draws: the first of each of this many classes.
pub const SHOWN_CLASSES: usize = 10;

/// Labelled images: `pixels` holds `len()` examples of `rows * cols` bytes, row-major.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dataset {
    pub rows: usize,
    pub cols: usize,
    pub labels: Vec<u8>,
    pub pixels: Vec<u8>,
}

impl Dataset {
    /// Checks that labels and pixels agree on the example count.
    pub fn new(rows: usize, cols: usize, labels: Vec<u8>, pixels: Vec<u8>) -> Self {
        assert_eq!(
            labels.len() * rows * cols,
            pixels.len(),
            "one label per image"
        );
        Dataset {
            rows,
            cols,
            labels,
            pixels,
        }
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// n, the input dimension of a model for these images.
    pub fn input_dim(&self) -> usize {
        self.rows * self.cols
    }

    /// The pixels of example `index`.
    pub fn image(&self, index: usize) -> &[u8] {
        let n = self.input_dim();
        &self.pixels[index * n..(index + 1) * n]
    }

    /// The examples in consecutive ranges of `size` (at least 1; the last may be shorter): how
    /// every batched pass over a set walks it.
    pub fn ranges(&self, size: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
        let (len, size) = (self.len(), size.max(1));
        (0..len)
            .step_by(size)
            .map(move |start| start..(start + size).min(len))
    }

    /// A copy of the first `count` examples (all of them if there are fewer).
    pub fn first(&self, count: usize) -> Dataset {
        let count = count.min(self.len());
        let n = self.input_dim();
        Dataset::new(
            self.rows,
            self.cols,
            self.labels[..count].to_vec(),
            self.pixels[..count * n].to_vec(),
        )
    }

    /// A copy of the examples at `indices`, in that order.
    pub fn select(&self, indices: &[usize]) -> Dataset {
        let labels = indices.iter().map(|&i| self.labels[i]).collect();
        let mut pixels = Vec::with_capacity(indices.len() * self.input_dim());
        for &i in indices {
            pixels.extend_from_slice(self.image(i));
        }
        Dataset::new(self.rows, self.cols, labels, pixels)
    }

    /// The index of the first example of each label that occurs, in label order, for at most
    /// `SHOWN_CLASSES` labels: the fixed digits the page reconstructs.
    pub fn first_of_each_label(&self) -> Vec<usize> {
        (0..=u8::MAX)
            .filter_map(|label| self.labels.iter().position(|&l| l == label))
            .take(SHOWN_CLASSES)
            .collect()
    }

    /// Classes implied by the labels: the largest label plus one (0 when empty).
    pub fn label_classes(&self) -> usize {
        self.labels.iter().max().map_or(0, |&l| l as usize + 1)
    }

    /// Appends another dataset of the same image size (shards arrive one at a time).
    pub fn append(&mut self, other: &Dataset) {
        if self.is_empty() && self.rows * self.cols == 0 {
            self.rows = other.rows;
            self.cols = other.cols;
        }
        assert_eq!(
            (self.rows, self.cols),
            (other.rows, other.cols),
            "image size"
        );
        self.labels.extend_from_slice(&other.labels);
        self.pixels.extend_from_slice(&other.pixels);
    }

    /// x = pixel / 255 for the examples `indices`, one per row (torchvision's ToTensor).
    pub fn batch<T: Scalar>(&self, indices: impl ExactSizeIterator<Item = usize>) -> Array2<T> {
        let mut out = Array2::zeros((indices.len(), self.input_dim()));
        self.fill_batch(indices, out.view_mut());
        out
    }

    /// `batch(indices)` and `sparse_batch(indices)` together, reading each image once: the
    /// dense rows are written from the non-zeros. A training batch's random images are mostly
    /// out of the cache, and the second read cost an eighth of a training step.
    pub fn batch_and_sparse<T: Scalar>(
        &self,
        indices: impl ExactSizeIterator<Item = usize> + Clone,
    ) -> (Array2<T>, Option<SparseRows<T>>) {
        match self.sparse_batch(indices.clone()) {
            Some(sparse) => (sparse.to_dense(), Some(sparse)),
            None => (self.batch(indices), None),
        }
    }

    /// Like `batch_and_sparse`, into an existing buffer with one row per index.
    pub fn fill_batch_and_sparse<T: Scalar>(
        &self,
        indices: impl ExactSizeIterator<Item = usize> + Clone,
        out: ArrayViewMut2<T>,
    ) -> Option<SparseRows<T>> {
        let sparse = self.sparse_batch(indices.clone());
        match &sparse {
            Some(sparse) => sparse.fill_dense(out),
            None => self.fill_batch(indices, out),
        }
        sparse
    }

    /// The non-zeros of `batch(indices)` without making it (`SparseRows::of_pixels`), or None
    /// when the batch is too dense for the sparse products.
    pub fn sparse_batch<T: Scalar>(
        &self,
        indices: impl ExactSizeIterator<Item = usize>,
    ) -> Option<SparseRows<T>> {
        SparseRows::of_pixels(
            indices.map(|index| self.image(index)),
            self.input_dim(),
            &unit_table(),
        )
    }

    /// Like `batch`, into an existing buffer with one row per index.
    pub fn fill_batch<T: Scalar>(
        &self,
        indices: impl ExactSizeIterator<Item = usize>,
        mut out: ArrayViewMut2<T>,
    ) {
        assert_eq!(out.nrows(), indices.len(), "one row per index");
        let table = unit_table::<T>();
        for (mut row, index) in out.rows_mut().into_iter().zip(indices) {
            let image = self.image(index);
            match row.as_slice_mut() {
                Some(row) => {
                    for (xs, pixels) in row.chunks_mut(8).zip(image.chunks(8)) {
                        if eight_zeros(pixels) {
                            xs.fill(T::zero());
                        } else {
                            for (x, &p) in xs.iter_mut().zip(pixels) {
                                *x = table[p as usize];
                            }
                        }
                    }
                }
                None => row
                    .iter_mut()
                    .zip(image)
                    .for_each(|(x, &p)| *x = table[p as usize]),
            }
        }
    }
}

/// p / 255 for every byte, computed in T as `p as T / 255` is.
fn unit_table<T: Scalar>() -> [T; 256] {
    let mut table = [T::zero(); 256];
    for (p, x) in table.iter_mut().enumerate() {
        *x = cast::<T>(p as f64) / cast::<T>(255.0);
    }
    table
}

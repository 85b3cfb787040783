//! A batch's non-zero inputs, for the two products that read the input: x·Eᵀ (forward) and
//! δᵀ·x (the encoder's gradient, and the Fisher's x² term). MNIST pixels are 81 % zeros, so these
//! skip four fifths of the work a dense product does. A dense batch keeps the dense product.

use ndarray::{Array2, ArrayView2, ArrayViewMut2};

use crate::scalar::Scalar;

/// Above this fraction of non-zeros the dense sgemm kernel is faster (measured natively and in
/// Chromium at m = 20 and 256: the sparse loops break even near 40 %).
const MAX_DENSITY: f64 = 0.3;

/// The non-zero entries of x: [batch, n], row by row (compressed sparse rows).
#[derive(Clone, Debug, PartialEq)]
pub struct SparseRows<T> {
    /// Row r's entries are `starts[r]..starts[r + 1]`.
    starts: Vec<usize>,
    columns: Vec<u32>,
    values: Vec<T>,
    cols: usize,
}

impl<T: Scalar> SparseRows<T> {
    /// x's non-zeros, or None when x is too dense for the sparse products to pay.
    pub fn of(x: ArrayView2<T>) -> Option<SparseRows<T>> {
        let (rows, cols) = x.dim();
        Self::collect(rows, cols, x.rows().into_iter(), |row, columns, values| {
            let mut kept = 0;
            for (column, &value) in row.iter().enumerate() {
                columns[kept] = column as u32;
                values[kept] = value;
                kept += usize::from(!value.is_zero());
            }
            kept
        })
    }

    /// `of` on the batch `unit[p]` of these images' pixels p (`Dataset::batch`'s p / 255 is
    /// zero exactly where p is), without making the dense batch.
    pub fn of_pixels<'a>(
        images: impl ExactSizeIterator<Item = &'a [u8]>,
        cols: usize,
        unit: &[T; 256],
    ) -> Option<SparseRows<T>> {
        Self::collect(images.len(), cols, images, |image, columns, values| {
            assert_eq!(image.len(), cols, "one image per row");
            let mut kept = 0;
            for (at, chunk) in image.chunks(8).enumerate() {
                if eight_zeros(chunk) {
                    continue;
                }
                for (offset, &p) in chunk.iter().enumerate() {
                    columns[kept] = (at * 8 + offset) as u32;
                    values[kept] = unit[p as usize];
                    kept += usize::from(p != 0);
                }
            }
            kept
        })
    }

    /// One pass over the rows, without a branch per entry: `fill_row` writes every entry it
    /// looks at at the end of the list and returns how many to keep. Room for one more row than
    /// the budget allows; None once the kept entries pass it.
    fn collect<R>(
        rows: usize,
        cols: usize,
        source: impl Iterator<Item = R>,
        mut fill_row: impl FnMut(R, &mut [u32], &mut [T]) -> usize,
    ) -> Option<SparseRows<T>> {
        let budget = (MAX_DENSITY * (rows * cols) as f64) as usize;
        if rows * cols == 0 {
            return None;
        }
        let mut columns = vec![0u32; budget + cols];
        let mut values = vec![T::zero(); budget + cols];
        let mut starts = Vec::with_capacity(rows + 1);
        starts.push(0);
        let mut len = 0;
        for row in source {
            if len > budget {
                return None;
            }
            len += fill_row(
                row,
                &mut columns[len..len + cols],
                &mut values[len..len + cols],
            );
            starts.push(len);
        }
        if len > budget {
            return None;
        }
        columns.truncate(len);
        values.truncate(len);
        Some(SparseRows {
            starts,
            columns,
            values,
            cols,
        })
    }

    pub fn rows(&self) -> usize {
        self.starts.len() - 1
    }

    /// The dense rows these non-zeros came from: [rows, cols].
    pub fn to_dense(&self) -> Array2<T> {
        let mut out = Array2::zeros((self.rows(), self.cols));
        self.scatter_into(out.view_mut());
        out
    }

    /// `to_dense` into an existing buffer of that shape.
    pub fn fill_dense(&self, mut out: ArrayViewMut2<T>) {
        out.fill(T::zero());
        self.scatter_into(out);
    }

    /// Writes the non-zeros into `out`, which holds zeros.
    fn scatter_into(&self, mut out: ArrayViewMut2<T>) {
        assert_eq!(
            out.dim(),
            (self.rows(), self.cols),
            "one dense row per sparse row"
        );
        for (r, mut dense) in out.rows_mut().into_iter().enumerate() {
            for (column, value) in self.row(r) {
                dense[column] = value;
            }
        }
    }

    /// The same pattern with every value v replaced by f(v) (the Fisher's x²).
    pub fn map_values(&self, f: impl Fn(T) -> T) -> SparseRows<T> {
        SparseRows {
            values: self.values.iter().map(|&v| f(v)).collect(),
            ..self.clone()
        }
    }

    fn row(&self, r: usize) -> impl Iterator<Item = (usize, T)> + '_ {
        let range = self.starts[r]..self.starts[r + 1];
        self.columns[range.clone()]
            .iter()
            .zip(&self.values[range])
            .map(|(&c, &v)| (c as usize, v))
    }

    /// x · wᵀ for w: [m, n]: [batch, m].
    pub fn times_transpose(&self, w: &Array2<T>) -> Array2<T> {
        assert_eq!(w.ncols(), self.cols, "x · wᵀ needs w with x's columns");
        let m = w.nrows();
        // wᵀ with each input's m weights contiguous: one short axpy per non-zero input.
        let wt = w.t().as_standard_layout().into_owned();
        let wt = wt.as_slice().expect("standard layout");
        let mut out = Array2::<T>::zeros((self.rows(), m));
        for (r, mut out_row) in out.rows_mut().into_iter().enumerate() {
            let out_row = out_row.as_slice_mut().expect("standard layout");
            for (column, value) in self.row(r) {
                axpy(out_row, value, &wt[column * m..(column + 1) * m]);
            }
        }
        out
    }

    /// dᵀ · x for d: [batch, m]: [m, n].
    pub fn transpose_times(&self, d: &Array2<T>) -> Array2<T> {
        assert_eq!(
            d.nrows(),
            self.rows(),
            "dᵀ · x needs one row of d per row of x"
        );
        let m = d.ncols();
        let d = d.as_standard_layout();
        // Summed as (dᵀ x)ᵀ: [n, m], so each non-zero adds one contiguous row.
        let mut transposed = vec![T::zero(); self.cols * m];
        for (r, d_row) in d.rows().into_iter().enumerate() {
            let d_row = d_row.to_slice().expect("standard layout");
            for (column, value) in self.row(r) {
                axpy(&mut transposed[column * m..(column + 1) * m], value, d_row);
            }
        }
        Array2::from_shape_vec((self.cols, m), transposed)
            .expect("n·m values")
            .reversed_axes()
            .as_standard_layout()
            .into_owned()
    }
}

/// x · wᵀ for x: [batch, n] and w: [m, n], over x's non-zeros when `sparse` lists them
/// (`SparseRows::of(x)`), else the dense product.
pub fn x_times_transpose<T: Scalar>(
    x: ArrayView2<T>,
    sparse: Option<&SparseRows<T>>,
    w: &Array2<T>,
) -> Array2<T> {
    match sparse {
        Some(sparse) => sparse.times_transpose(w),
        None => x.dot(&w.t()),
    }
}

/// dᵀ · x for d: [batch, m], over x's non-zeros when `sparse` lists them, else dense.
pub fn transpose_times_x<T: Scalar>(
    d: &Array2<T>,
    x: ArrayView2<T>,
    sparse: Option<&SparseRows<T>>,
) -> Array2<T> {
    match sparse {
        Some(sparse) => sparse.transpose_times(d),
        None => d.t().dot(&x),
    }
}

/// out += a · x, element by element, four at a time so the compiler emits vector code without
/// bounds checks (one simd128 vector in wasm; m = 20 leaves no remainder).
#[inline]
fn axpy<T: Scalar>(out: &mut [T], a: T, x: &[T]) {
    let mut out_chunks = out.chunks_exact_mut(4);
    let mut x_chunks = x.chunks_exact(4);
    for (o, v) in (&mut out_chunks).zip(&mut x_chunks) {
        let o: &mut [T; 4] = o.try_into().expect("chunks of 4");
        let v: &[T; 4] = v.try_into().expect("chunks of 4");
        for k in 0..4 {
            o[k] += a * v[k];
        }
    }
    for (o, &v) in out_chunks
        .into_remainder()
        .iter_mut()
        .zip(x_chunks.remainder())
    {
        *o += a * v;
    }
}

/// Whether `pixels` are eight zeros: one comparison, where MNIST's background gives most of an
/// image's eight-pixel runs.
pub(crate) fn eight_zeros(pixels: &[u8]) -> bool {
    <[u8; 8]>::try_from(pixels).is_ok_and(|eight| u64::from_ne_bytes(eight) == 0)
}

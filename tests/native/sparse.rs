//! The sparse products against plain triple loops, and the choice between sparse and dense.

use crate::common;

use bayes_renorm::data::Dataset;
use bayes_renorm::sparse::SparseRows;
use common::{mnist_test, random_inputs, random_pixels, sparse_inputs};
use ndarray::Array2;

fn brute_times_transpose(x: &Array2<f64>, w: &Array2<f64>) -> Array2<f64> {
    Array2::from_shape_fn((x.nrows(), w.nrows()), |(r, j)| {
        (0..x.ncols()).map(|i| x[[r, i]] * w[[j, i]]).sum()
    })
}

fn brute_transpose_times(d: &Array2<f64>, x: &Array2<f64>) -> Array2<f64> {
    Array2::from_shape_fn((d.ncols(), x.ncols()), |(j, i)| {
        (0..x.nrows()).map(|r| d[[r, j]] * x[[r, i]]).sum()
    })
}

fn assert_all_close(a: &Array2<f64>, b: &Array2<f64>) {
    assert_eq!(a.dim(), b.dim());
    for (p, q) in a.iter().zip(b) {
        assert!((p - q).abs() <= 1e-12 * (1.0 + q.abs()), "{p} vs {q}");
    }
}

#[test]
fn products_equal_brute_force_sums() {
    for (seed, (batch, n, m)) in [(13, 17, 5), (1, 1, 1), (40, 784, 20)]
        .into_iter()
        .enumerate()
    {
        let x = sparse_inputs(seed as u64, batch, n);
        let sparse = SparseRows::of(x.view()).expect("sparse enough");
        let w = random_inputs(100 + seed as u64, m, n) - 0.5;
        let d = random_inputs(200 + seed as u64, batch, m) - 0.5;
        assert_all_close(&sparse.times_transpose(&w), &brute_times_transpose(&x, &w));
        assert_all_close(&sparse.transpose_times(&d), &brute_transpose_times(&d, &x));
        let squared = x.mapv(|v| v * v);
        assert_all_close(
            &sparse.map_values(|v| v * v).transpose_times(&d),
            &brute_transpose_times(&d, &squared),
        );
    }
}

#[test]
fn dense_or_empty_batches_keep_the_dense_product() {
    assert!(SparseRows::of(random_inputs(3, 10, 30).view()).is_none());
    assert!(SparseRows::<f64>::of(Array2::zeros((0, 784)).view()).is_none());
    // All zeros is as sparse as can be: every product is exactly zero.
    let zeros = SparseRows::<f64>::of(Array2::zeros((4, 6)).view()).expect("sparse");
    assert!(zeros
        .times_transpose(&Array2::ones((3, 6)))
        .iter()
        .all(|&v| v == 0.0));
}

#[test]
fn non_zeros_from_pixels_equal_those_of_the_dense_batch() {
    let same = |data: &Dataset, range: std::ops::Range<usize>| {
        let from_pixels = data.sparse_batch::<f32>(range.clone());
        assert_eq!(
            from_pixels,
            SparseRows::of(data.batch::<f32>(range.clone()).view()),
            "{} images of {} pixels",
            data.len(),
            data.input_dim()
        );
        // Both at once, the dense rows written from the non-zeros, equal each made alone; the
        // buffer's old values are cleared.
        let dense = data.batch::<f32>(range.clone());
        assert_eq!(
            data.batch_and_sparse(range.clone()),
            (dense.clone(), from_pixels.clone())
        );
        let mut buffer = Array2::from_elem(dense.dim(), 7.0);
        let sparse = data.fill_batch_and_sparse(range.clone(), buffer.view_mut());
        assert_eq!((buffer, sparse), (dense, from_pixels.clone()));
        from_pixels.is_some()
    };
    let mnist = mnist_test(1000);
    assert!(same(&mnist, 0..1000), "MNIST is sparse enough");
    assert!(same(&mnist, 997..1000));
    // Images of 13 pixels (a remainder past the eight-pixel steps), from all zeros to dense:
    // around the density limit the two must also agree on None.
    let mut sparse_enough = Vec::new();
    for (seed, zeros) in [0.0, 0.5, 0.68, 0.7, 0.72, 0.8, 0.95, 1.0]
        .into_iter()
        .enumerate()
    {
        let pixels = random_pixels(seed as u64, 400 * 13, zeros);
        let data = Dataset::new(1, 13, vec![0; 400], pixels);
        sparse_enough.push(same(&data, 0..400));
        same(&data, 17..18);
    }
    assert!(sparse_enough.contains(&true) && sparse_enough.contains(&false));
}

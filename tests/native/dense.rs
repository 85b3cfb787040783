//! The three dense products against f64 triple loops, over shapes that reach every tile and
//! remainder of the wasm kernel (rows 1-9, columns 1-21, depth 0-33) and the model's own.
//! Native: matrixmultiply; in the browser (wasm-pack test): the kernel this build has.

use bayes_renorm::dense;
use bayes_renorm::rng::Rng;
use ndarray::Array2;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
fn random(seed: u64, rows: usize, cols: usize) -> Array2<f32> {
    let mut rng = Rng::new(seed, 7, 0);
    Array2::from_shape_fn((rows, cols), |_| rng.uniform_symmetric(1.0) as f32)
}

/// Σ_k a(i, k) b(k, j) in f64, and the bound f32 rounding allows: depth·ε·Σ|a b| (each of the
/// depth additions or fused steps rounds once).
fn check(
    ours: &Array2<f32>,
    a: impl Fn(usize, usize) -> f32,
    b: impl Fn(usize, usize) -> f32,
    depth: usize,
) {
    for ((i, j), &value) in ours.indexed_iter() {
        let terms = (0..depth).map(|k| a(i, k) as f64 * b(k, j) as f64);
        let exact: f64 = terms.clone().sum();
        let magnitude: f64 = terms.map(f64::abs).sum();
        let bound = (depth as f64 + 1.0) * f32::EPSILON as f64 * magnitude + 1e-30;
        assert!(
            (value as f64 - exact).abs() <= bound,
            "({i}, {j}) of depth {depth}: {value} vs {exact} ({} kernel)",
            dense::KERNEL
        );
    }
}

#[test]
fn every_tile_and_remainder_equals_the_triple_loop() {
    let mut seed = 0;
    for rows in 1..=9 {
        for cols in [1, 3, 4, 5, 8, 9, 12, 13, 20, 21] {
            for depth in [0, 1, 5, 33] {
                seed += 1;
                let a = random(seed, rows, depth);
                let b = random(seed + 1000, cols, depth);
                let out = dense::times_transpose(&a, &b);
                assert_eq!(out.dim(), (rows, cols));
                check(&out, |i, k| a[[i, k]], |k, j| b[[j, k]], depth);

                let b = random(seed + 2000, depth, cols);
                let out = dense::times(&a, &b);
                assert_eq!(out.dim(), (rows, cols));
                check(&out, |i, k| a[[i, k]], |k, j| b[[k, j]], depth);

                let a = random(seed + 3000, depth, rows);
                let out = dense::transpose_times(&a, &b);
                assert_eq!(out.dim(), (rows, cols));
                check(&out, |i, k| a[[k, i]], |k, j| b[[k, j]], depth);
            }
        }
    }
}

#[test]
fn the_training_steps_shapes_equal_the_triple_loop() {
    // m = 20, n = 784, a batch of 37: h·Dᵀ, dzᵀ·h and dz·D.
    let (batch, n, m) = (37, 784, 20);
    let (h, d, dz) = (random(1, batch, m), random(2, n, m), random(3, batch, n));
    check(
        &dense::times_transpose(&h, &d),
        |i, k| h[[i, k]],
        |k, j| d[[j, k]],
        m,
    );
    check(
        &dense::transpose_times(&dz, &h),
        |i, k| dz[[k, i]],
        |k, j| h[[k, j]],
        batch,
    );
    check(
        &dense::times(&dz, &d),
        |i, k| dz[[i, k]],
        |k, j| d[[k, j]],
        n,
    );
}

#[test]
fn arrays_not_in_standard_layout_give_the_same_products() {
    let a = random(4, 6, 11);
    let b = random(5, 11, 9);
    let a_transposed = a.t().as_standard_layout().into_owned().reversed_axes(); // a, column-major
    assert!(!a_transposed.is_standard_layout());
    check(
        &dense::times(&a_transposed, &b),
        |i, k| a[[i, k]],
        |k, j| b[[k, j]],
        11,
    );
}

#[test]
fn f64_takes_ndarray_exactly() {
    let a = random(6, 5, 7).mapv(f64::from);
    let b = random(7, 7, 6).mapv(f64::from);
    assert_eq!(dense::times(&a, &b), a.dot(&b));
    assert_eq!(dense::transpose_times(&a.t().to_owned(), &b), a.dot(&b));
    assert_eq!(dense::times_transpose(&a, &b.t().to_owned()), a.dot(&b));
}

#[test]
fn the_build_names_its_kernel() {
    // The feature is the crate's, so the tests are compiled with the library's.
    let expected = if !cfg!(target_arch = "wasm32") {
        "matrixmultiply"
    } else if cfg!(feature = "relaxed-simd") {
        "relaxed-simd"
    } else {
        "simd128"
    };
    assert_eq!(dense::KERNEL, expected);
}

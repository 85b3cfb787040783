//! The model's three dense product shapes, in one place. Natively they are ndarray's `dot`
//! (matrixmultiply, with AVX/FMA kernels). In wasm, f32 runs a small kernel of our own
//! (`kernel`), with relaxed SIMD's fused multiply-add in the build with the feature
//! `relaxed-simd` (the page ships both builds and loads the one the browser validates;
//! docs/builds.md). Only the kernel's functions are compiled for relaxed SIMD, so the two builds
//! share every dependency.
//!
//! Each output entry is summed over k in order, one accumulator per entry, so a result does
//! not depend on the tiling. With FMA it differs from the unfused sum in the last bits.

use std::any::Any;

use ndarray::Array2;

use crate::scalar::Scalar;

/// Which code computes f32 products in this build: "matrixmultiply" (native), "simd128" (wasm,
/// multiply then add) or "relaxed-simd" (wasm, fused multiply-add).
pub const KERNEL: &str = kernel::NAME;

/// a · bᵀ for a: [r, k], b: [c, k]: [r, c].
pub fn times_transpose<T: Scalar>(a: &Array2<T>, b: &Array2<T>) -> Array2<T> {
    assert_eq!(
        a.ncols(),
        b.ncols(),
        "a · bᵀ needs a and b with the same columns"
    );
    with_kernel(
        a,
        b,
        |a, b| kernel::product(a, Layout::rows(a), &b.t().as_standard_layout().into_owned()),
        || a.dot(&b.t()),
    )
}

/// aᵀ · b for a: [k, r], b: [k, c]: [r, c].
pub fn transpose_times<T: Scalar>(a: &Array2<T>, b: &Array2<T>) -> Array2<T> {
    assert_eq!(
        a.nrows(),
        b.nrows(),
        "aᵀ · b needs a and b with the same rows"
    );
    with_kernel(
        a,
        b,
        |a, b| kernel::product(a, Layout::columns(a), b),
        || a.t().dot(b),
    )
}

/// a · b for a: [r, k], b: [k, c]: [r, c].
pub fn times<T: Scalar>(a: &Array2<T>, b: &Array2<T>) -> Array2<T> {
    assert_eq!(
        a.ncols(),
        b.nrows(),
        "a · b needs a's columns to match b's rows"
    );
    with_kernel(
        a,
        b,
        |a, b| kernel::product(a, Layout::rows(a), b),
        || a.dot(b),
    )
}

/// `kernel` where this build has one and both operands are f32 in standard layout, else
/// `fallback` (ndarray's `dot`).
fn with_kernel<T: Scalar>(
    a: &Array2<T>,
    b: &Array2<T>,
    kernel: impl FnOnce(&Array2<f32>, &Array2<f32>) -> Array2<f32>,
    fallback: impl FnOnce() -> Array2<T>,
) -> Array2<T> {
    match (as_f32(a), as_f32(b)) {
        (Some(a), Some(b)) if kernel::ENABLED => from_f32(kernel(a, b)),
        _ => fallback(),
    }
}

/// How the left operand's entry (i, k) is found: `a[i * row + k * depth]`, over `rows` × `depth`.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Layout {
    rows: usize,
    depth: usize,
    row: usize,
    step: usize,
}

impl Layout {
    /// a as it is: i over its rows, k over its columns.
    fn rows(a: &Array2<f32>) -> Layout {
        Layout {
            rows: a.nrows(),
            depth: a.ncols(),
            row: a.ncols(),
            step: 1,
        }
    }

    /// aᵀ without copying: i over a's columns, k over its rows.
    fn columns(a: &Array2<f32>) -> Layout {
        Layout {
            rows: a.ncols(),
            depth: a.nrows(),
            row: 1,
            step: a.ncols(),
        }
    }
}

/// The f32 array behind a generic one, when T is f32 and the array is in standard layout.
fn as_f32<T: Scalar>(a: &Array2<T>) -> Option<&Array2<f32>> {
    (a as &dyn Any)
        .downcast_ref::<Array2<f32>>()
        .filter(|a| a.is_standard_layout())
}

fn from_f32<T: Scalar>(out: Array2<f32>) -> Array2<T> {
    *(Box::new(out) as Box<dyn Any>)
        .downcast::<Array2<T>>()
        .expect("only called when T is f32")
}

#[cfg(not(target_arch = "wasm32"))]
mod kernel {
    use super::Layout;
    use ndarray::Array2;

    /// Natively matrixmultiply's kernels are faster than this one could be.
    pub const ENABLED: bool = false;
    pub const NAME: &str = "matrixmultiply";

    pub fn product(_: &Array2<f32>, _: Layout, _: &Array2<f32>) -> Array2<f32> {
        unreachable!("the kernel is not enabled natively")
    }
}

#[cfg(target_arch = "wasm32")]
mod kernel {
    use super::Layout;
    use core::arch::wasm32::*;
    use ndarray::Array2;

    pub const ENABLED: bool = cfg!(target_feature = "simd128");
    pub const NAME: &str = if cfg!(feature = "relaxed-simd") {
        "relaxed-simd"
    } else {
        "simd128"
    };

    // With the feature, each function below is compiled for relaxed SIMD. `inline(always)` and
    // `target_feature` exclude each other, so that build asks only `inline`: functions with the
    // same features inline into each other.

    /// c + a · b, fused where the build has relaxed SIMD.
    #[cfg_attr(
        feature = "relaxed-simd",
        target_feature(enable = "relaxed-simd"),
        inline
    )]
    #[cfg_attr(not(feature = "relaxed-simd"), inline(always))]
    fn madd(a: v128, b: v128, c: v128) -> v128 {
        #[cfg(feature = "relaxed-simd")]
        {
            f32x4_relaxed_madd(a, b, c)
        }
        #[cfg(not(feature = "relaxed-simd"))]
        {
            f32x4_add(f32x4_mul(a, b), c)
        }
    }

    /// out[i, j] = Σ_k a(i, k) · m[k, j], with m row-major (vectors run along its rows).
    #[cfg_attr(feature = "relaxed-simd", target_feature(enable = "relaxed-simd"))]
    pub fn product(a: &Array2<f32>, layout: Layout, m: &Array2<f32>) -> Array2<f32> {
        let a = a.as_slice().expect("standard layout");
        let (rows, depth, cols) = (layout.rows, layout.depth, m.ncols());
        assert_eq!(m.nrows(), depth, "the operands' inner dimensions differ");
        let last = (rows.max(1) - 1) * layout.row + (depth.max(1) - 1) * layout.step;
        assert!(
            rows == 0 || depth == 0 || last < a.len(),
            "a is smaller than its layout"
        );
        let mut out = Array2::<f32>::zeros((rows, cols));
        let m = m.as_slice().expect("standard layout");
        let o = out.as_slice_mut().expect("standard layout");
        let mut i = 0;
        while i + 4 <= rows {
            row_block::<4>(a, layout, i, m, cols, o);
            i += 4;
        }
        match rows - i {
            3 => row_block::<3>(a, layout, i, m, cols, o),
            2 => row_block::<2>(a, layout, i, m, cols, o),
            1 => row_block::<1>(a, layout, i, m, cols, o),
            _ => {}
        }
        out
    }

    /// Rows i..i + R of the output, eight columns at a time, then four, then one.
    #[cfg_attr(
        feature = "relaxed-simd",
        target_feature(enable = "relaxed-simd"),
        inline
    )]
    #[cfg_attr(not(feature = "relaxed-simd"), inline(always))]
    fn row_block<const R: usize>(
        a: &[f32],
        layout: Layout,
        i: usize,
        m: &[f32],
        cols: usize,
        out: &mut [f32],
    ) {
        let mut j = 0;
        while j + 8 <= cols {
            tile::<R, 2>(a, layout, i, m, cols, j, out);
            j += 8;
        }
        if j + 4 <= cols {
            tile::<R, 1>(a, layout, i, m, cols, j, out);
            j += 4;
        }
        for r in i..i + R {
            for jj in j..cols {
                let mut sum = 0.0f32;
                for k in 0..layout.depth {
                    sum += a[r * layout.row + k * layout.step] * m[k * cols + jj];
                }
                out[r * cols + jj] = sum;
            }
        }
    }

    /// An R × 4V block of the output in R·V vector accumulators, over the whole depth.
    #[cfg_attr(
        feature = "relaxed-simd",
        target_feature(enable = "relaxed-simd"),
        inline
    )]
    #[cfg_attr(not(feature = "relaxed-simd"), inline(always))]
    fn tile<const R: usize, const V: usize>(
        a: &[f32],
        layout: Layout,
        i: usize,
        m: &[f32],
        cols: usize,
        j: usize,
        out: &mut [f32],
    ) {
        debug_assert!(j + 4 * V <= cols && i + R <= layout.rows);
        debug_assert!(layout.depth == 0 || (layout.depth - 1) * cols + j + 4 * V <= m.len());
        let mut acc = [[f32x4_splat(0.0); V]; R];
        // SAFETY: `product` checked that a covers its layout and m is depth × cols, and the
        // callers keep i + R ≤ rows and j + 4V ≤ cols; v128_load/store need no alignment.
        unsafe {
            let a = a.as_ptr().add(i * layout.row);
            let mut mk = m.as_ptr().add(j);
            for k in 0..layout.depth {
                let mut mv = [f32x4_splat(0.0); V];
                for (v, mv) in mv.iter_mut().enumerate() {
                    *mv = v128_load(mk.add(4 * v) as *const v128);
                }
                let ak = a.add(k * layout.step);
                for (r, acc) in acc.iter_mut().enumerate() {
                    let s = f32x4_splat(*ak.add(r * layout.row));
                    for (acc, &mv) in acc.iter_mut().zip(&mv) {
                        *acc = madd(s, mv, *acc);
                    }
                }
                mk = mk.add(cols);
            }
            let o = out.as_mut_ptr().add(i * cols + j);
            for (r, acc) in acc.iter().enumerate() {
                for (v, &acc) in acc.iter().enumerate() {
                    v128_store(o.add(r * cols + 4 * v) as *mut v128, acc);
                }
            }
        }
    }
}

//! The bottom floor's numbers: the float types the model runs in, and exact constants in them.

use ndarray::{LinalgScalar, ScalarOperand};
use num_traits::Float;
use std::ops::AddAssign;

/// The float types the model runs in: f32 for real work, f64 for gradient checks.
pub trait Scalar:
    LinalgScalar + Float + ScalarOperand + AddAssign + Send + Sync + std::fmt::Debug + 'static
{
}
impl<T> Scalar for T where
    T: LinalgScalar + Float + ScalarOperand + AddAssign + Send + Sync + std::fmt::Debug + 'static
{
}

/// Converts a small constant; cannot fail for f32/f64.
pub(crate) fn cast<T: Scalar>(x: f64) -> T {
    T::from(x).expect("f64 constant fits the scalar type")
}

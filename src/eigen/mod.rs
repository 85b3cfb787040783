//! Fisher eigen-shells: pruning in the eigenbasis of each first-layer row's Fisher block instead
//! of coordinate by coordinate (SPEC.md "Fisher eigen-shells"), for either model.

pub mod blocks;
pub mod coefficients;
pub mod run;
pub mod shells;

pub use blocks::{BlockAccumulator, FisherBlocks};
pub use coefficients::RowCoefficients;
pub use run::{EigenProgress, EigenRow, EigenRun, EigenSummary};
#[cfg(any(feature = "eigensolver", not(target_arch = "wasm32")))]
pub use shells::faer_symmetric_eigen;
pub use shells::{decompose_row, EigenShells, RowEigen, SymmetricEigen};

//! The eigen-shells' eigensolver in the page. faer is a fifth of the module, and only the
//! eigen-shells need it, so the page's module is built without it (`--no-default-features`) and
//! calls `bayesEigen.symmetricEigen`, which the worker defines once it has loaded a second build of
//! this crate that has it (`bayes-renorm-eigen_bg.wasm`, exporting `symmetricEigen` below).
//! Only the n × n block and its decomposition cross between the two.

#[cfg(any(feature = "eigensolver", not(target_arch = "wasm32")))]
use wasm_bindgen::prelude::*;

use crate::eigen::SymmetricEigen;

/// The solver this build calls.
pub fn solver() -> SymmetricEigen {
    #[cfg(any(feature = "eigensolver", not(target_arch = "wasm32")))]
    return crate::eigen::faer_symmetric_eigen;
    #[cfg(not(any(feature = "eigensolver", not(target_arch = "wasm32"))))]
    return imported::symmetric_eigen;
}

/// The eigen build's side: eigenvalues, then U row-major (`SymmetricEigen`), in one array.
#[cfg(any(feature = "eigensolver", not(target_arch = "wasm32")))]
#[wasm_bindgen(js_name = symmetricEigen)]
pub fn symmetric_eigen(n: usize, matrix: &[f64]) -> Result<Vec<f64>, JsError> {
    if matrix.len() != n * n || matrix.iter().any(|v| !v.is_finite()) {
        return Err(JsError::new(&format!(
            "symmetricEigen needs {n} × {n} finite values, got {}",
            matrix.len()
        )));
    }
    let (mut values, vectors) = crate::eigen::faer_symmetric_eigen(n, matrix);
    values.extend(vectors);
    Ok(values)
}

#[cfg(not(any(feature = "eigensolver", not(target_arch = "wasm32"))))]
mod imported {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(catch, js_namespace = bayesEigen, js_name = symmetricEigen)]
        fn eigen_build_symmetric_eigen(n: usize, matrix: &[f64]) -> Result<Vec<f64>, JsValue>;
    }

    /// The worker loads the eigen build before it starts the eigen-shells (www/worker.js), so
    /// a failure here is a bug, and panics like the solver's own failure would.
    pub fn symmetric_eigen(n: usize, matrix: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let mut both = eigen_build_symmetric_eigen(n, matrix)
            .unwrap_or_else(|e| panic!("the eigen build's symmetricEigen failed: {e:?}"));
        assert_eq!(both.len(), n + n * n, "eigenvalues and eigenvectors");
        let vectors = both.split_off(n);
        (both, vectors)
    }
}

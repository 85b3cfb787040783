//! Eigen-shell pruning (SPEC.md "Fisher eigen-shells"): with K_j = V_j Λ_j V_jᵀ, a cutoff Λ keeps
//! the directions of first-layer row j (the autoencoder's encoder E, or the classifier's W_0)
//! whose eigenvalue exceeds Λ, E'[j,·] = V_j,> V_j,>ᵀ E[j,·].
//! Directions are ordered by ascending eigenvalue over all rows (ties: row, then rank within the
//! row), so, as for the coordinate orders, removing k directions and the cutoff Λ are two names
//! for the same prefix, and every row loses a prefix of its own ascending eigenbasis.

use ndarray::Array2;

use super::blocks::FisherBlocks;
use crate::network::Network;

/// One row's eigendecomposition, ascending, and the row's coordinates in it.
pub struct RowEigen {
    /// Eigenvalues, ascending; round-off negatives of the positive semi-definite K_j are 0.
    pub values: Vec<f64>,
    /// Eigenvectors as rows (row k belongs to `values[k]`), so each is contiguous.
    pub vectors: Array2<f32>,
    /// Vᵀ E[j,·]: the row's weight along each eigenvector.
    pub coefficients: Vec<f64>,
}

/// A symmetric eigensolver: for the n × n symmetric `matrix` (row-major), its eigenvalues in
/// ascending order and, row-major, the n × n matrix U whose column k is the eigenvector of
/// value k. The page's module calls one in a second build of itself (`web::eigensolver`).
pub type SymmetricEigen = fn(usize, &[f64]) -> (Vec<f64>, Vec<f64>);

/// faer's self-adjoint solver, one thread.
#[cfg(any(feature = "eigensolver", not(target_arch = "wasm32")))]
pub fn faer_symmetric_eigen(n: usize, matrix: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let eigen = faer::Mat::<f64>::from_fn(n, n, |a, b| matrix[a * n + b])
        .self_adjoint_eigen(faer::Side::Lower)
        .expect("the self-adjoint eigensolver converges on a finite symmetric matrix");
    let (s, u) = (eigen.S().column_vector(), eigen.U());
    let values = (0..n).map(|k| s[k]).collect();
    let vectors = (0..n * n).map(|at| u[(at / n, at % n)]).collect();
    (values, vectors)
}

/// K_j = V Λ Vᵀ by `solver`, with the first layer's row j in that basis.
///
/// A pixel p with K_j[p,p] = 0 (never lit where c_j(x) > 0) has a zero row and column in the
/// positive semi-definite K_j, so e_p is an eigenvector with eigenvalue exactly 0. Only the
/// block on the other pixels goes to the solver: about 717 of MNIST's 784 at most, which cuts
/// its n³ cost by a quarter, and the zero eigenvalues come out exact rather than as round-off.
pub fn decompose_row(
    blocks: &FisherBlocks,
    j: usize,
    first_layer_row: &[f32],
    solver: SymmetricEigen,
) -> RowEigen {
    let n = blocks.input_dim();
    let (support, silent): (Vec<usize>, Vec<usize>) =
        (0..n).partition(|&p| blocks.get(j, p, p) > 0.0);
    if support.is_empty() {
        // A unit that never fires: the block is zero, the standard basis an eigenbasis (and
        // the solver need not take an empty matrix).
        return RowEigen {
            values: vec![0.0; n],
            vectors: Array2::eye(n),
            coefficients: first_layer_row.iter().map(|&e| e as f64).collect(),
        };
    }
    let size = support.len();
    let block: Vec<f64> = (0..size * size)
        .map(|at| blocks.get(j, support[at / size], support[at % size]))
        .collect();
    let (s, u) = solver(size, &block);
    let u = |a: usize, k: usize| u[a * size + k];
    // The silent pixels' directions first (eigenvalue 0, ascending order), then the solver's.
    let mut values = vec![0.0; silent.len()];
    values.extend((0..support.len()).map(|k| s[k].max(0.0)));
    let mut vectors = Array2::zeros((n, n));
    for (k, &p) in silent.iter().enumerate() {
        vectors[[k, p]] = 1.0;
    }
    for k in 0..support.len() {
        let mut row = vectors.row_mut(silent.len() + k);
        for (a, &p) in support.iter().enumerate() {
            row[p] = u(a, k) as f32;
        }
    }
    let coefficients = (silent.iter().map(|&p| first_layer_row[p] as f64))
        .chain((0..support.len()).map(|k| {
            (support.iter().enumerate())
                .map(|(a, &p)| u(a, k) * first_layer_row[p] as f64)
                .sum()
        }))
        .collect();
    RowEigen {
        values,
        vectors,
        coefficients,
    }
}

/// Every row's eigendecomposition: eigen-shell pruning at any cutoff.
pub struct EigenShells {
    model: Network,
    rows: Vec<RowEigen>,
    /// All eigenvalues, ascending, for `removed`.
    sorted_values: Vec<f64>,
    /// (eigenvalue, row) of the global order, for `removed_per_row`.
    order: Vec<(f64, usize)>,
}

impl EigenShells {
    pub fn new(model: impl Into<Network>, rows: Vec<RowEigen>) -> Self {
        let model = model.into();
        assert_eq!(
            rows.len(),
            model.first_layer().nrows(),
            "one decomposition per first-layer row"
        );
        let directions: Vec<(f64, usize)> = rows
            .iter()
            .enumerate()
            .flat_map(|(j, row)| row.values.iter().map(move |&v| (v, j)))
            .collect();
        // Equal eigenvalues stay in (row, rank) order.
        let order: Vec<(f64, usize)> = crate::sorting::sorted_copies(&directions, |&(v, _)| v);
        EigenShells {
            model,
            sorted_values: order.iter().map(|&(v, _)| v).collect(),
            order,
            rows,
        }
    }

    /// From `into_flat`'s arrays (how the page's worker hands the decompositions over).
    pub fn from_flat(
        model: impl Into<Network>,
        values: Vec<f64>,
        vectors: Vec<f32>,
        coefficients: Vec<f64>,
    ) -> Result<Self, String> {
        let model = model.into();
        let (m, n) = model.first_layer().dim();
        if values.len() != m * n || coefficients.len() != m * n || vectors.len() != m * n * n {
            return Err(format!(
                "the eigen-shells do not fit a {m} x {n} first layer: {} values, {} coefficients, {} vector entries",
                values.len(),
                coefficients.len(),
                vectors.len()
            ));
        }
        let rows = (0..m)
            .map(|j| RowEigen {
                values: values[j * n..(j + 1) * n].to_vec(),
                vectors: Array2::from_shape_vec(
                    (n, n),
                    vectors[j * n * n..(j + 1) * n * n].to_vec(),
                )
                .expect("the length was checked"),
                coefficients: coefficients[j * n..(j + 1) * n].to_vec(),
            })
            .collect();
        Ok(EigenShells::new(model, rows))
    }

    /// Every row's eigenvalues, eigenvectors (rows of n) and coefficients, concatenated by row:
    /// what `from_flat` takes.
    pub fn flat(&self) -> (Vec<f64>, Vec<f32>, Vec<f64>) {
        let rows = self.rows.iter();
        (
            rows.clone()
                .flat_map(|r| r.values.iter().copied())
                .collect(),
            rows.clone()
                .flat_map(|r| r.vectors.iter().copied())
                .collect(),
            rows.flat_map(|r| r.coefficients.iter().copied()).collect(),
        )
    }

    pub fn model(&self) -> &Network {
        &self.model
    }

    pub fn rows(&self) -> &[RowEigen] {
        &self.rows
    }

    /// How many directions the cutoff removes: |{(j, k) : λ_jk ≤ Λ}|.
    pub fn removed(&self, cutoff: f64) -> usize {
        self.sorted_values.partition_point(|&v| v <= cutoff)
    }

    /// The eigenvalue of the k-th direction removed (1-based), the smallest cutoff removing k.
    pub fn cutoff_for(&self, k: usize) -> Option<f64> {
        k.checked_sub(1)
            .and_then(|i| self.sorted_values.get(i).copied())
    }

    /// How many of each row's directions are among the first `k` removed.
    pub fn removed_per_row(&self, k: usize) -> Vec<usize> {
        let mut per_row = vec![0; self.rows.len()];
        for &(_, j) in &self.order[..k.min(self.order.len())] {
            per_row[j] += 1;
        }
        per_row
    }

    /// The model with the first `k` directions removed: each first-layer row projected onto the
    /// eigenvectors it keeps, every other parameter as it was.
    pub fn pruned(&self, k: usize) -> Network {
        let mut first = self.model.first_layer().clone();
        for ((mut row, eigen), removed) in first
            .outer_iter_mut()
            .zip(&self.rows)
            .zip(self.removed_per_row(k))
        {
            let n = eigen.values.len();
            // E' = E - (removed part) = (kept part); summing the shorter side is cheaper, and
            // exact at both ends: nothing removed leaves E as it is, everything removed gives 0.
            if removed <= n / 2 {
                let mut row64: Vec<f64> = row.iter().map(|&e| e as f64).collect();
                add_directions(&mut row64, eigen, 0..removed, -1.0);
                row.iter_mut().zip(&row64).for_each(|(e, &v)| *e = v as f32);
            } else {
                let mut row64 = vec![0.0; n];
                add_directions(&mut row64, eigen, removed..n, 1.0);
                row.iter_mut().zip(&row64).for_each(|(e, &v)| *e = v as f32);
            }
        }
        self.model.with_first_layer(first)
    }
}

/// row += sign · Σ_{k ∈ ranks} coefficient_k · v_k
fn add_directions(row: &mut [f64], eigen: &RowEigen, ranks: std::ops::Range<usize>, sign: f64) {
    for k in ranks {
        let weight = sign * eigen.coefficients[k];
        for (r, &v) in row.iter_mut().zip(eigen.vectors.row(k)) {
            *r += weight * v as f64;
        }
    }
}

//! Fisher eigen-shells: the blocks K_j against the diagonal Fisher and against a brute-force sum
//! of outer products of finite-difference Jacobians, the eigendecomposition against its
//! definition, the projection's identities, and the eigen sweep against direct pruning.

use crate::common;

use bayes_renorm::data::Dataset;
use bayes_renorm::eigen::{
    decompose_row, faer_symmetric_eigen, BlockAccumulator, EigenRun, EigenShells, FisherBlocks,
};
use bayes_renorm::fisher::{fisher_diag, FisherVariant, SumOverExamples};
use bayes_renorm::model::Autoencoder;
use bayes_renorm::network::dataset_mse;
use bayes_renorm::rng::Rng;
use bayes_renorm::sweep::{log_grid, run_sweep, Baselines};
use common::{assert_close, distance_to_kink, loop_forward, to_f64};
use ndarray::Array2;

fn blocks_of<T: bayes_renorm::scalar::Scalar>(
    model: &Autoencoder<T>,
    data: &Dataset,
) -> FisherBlocks {
    let mut accumulator = BlockAccumulator::new(model);
    // Uneven batches: the sums must not depend on where batches split.
    for range in [0..37, 37..200, 200..data.len()] {
        accumulator.add_examples(data, range.start.min(data.len())..range.end.min(data.len()));
    }
    accumulator.finish()
}

/// The autoencoder `shells` hold with its first `k` directions removed.
fn pruned(shells: &EigenShells, k: usize) -> Autoencoder<f32> {
    let model = shells.pruned(k);
    model
        .autoencoder()
        .expect("an autoencoder's shells")
        .clone()
}

fn shells_of(model: &Autoencoder<f32>, data: &Dataset) -> EigenShells {
    let blocks = blocks_of(model, data);
    let rows = (0..model.latent_dim())
        .map(|j| {
            decompose_row(
                &blocks,
                j,
                &model.encoder.row(j).to_vec(),
                faer_symmetric_eigen,
            )
        })
        .collect();
    EigenShells::new(model, rows)
}

#[test]
fn the_blocks_diagonal_is_the_diagonal_fisher() {
    let data = common::mnist_test(400);
    let models = [
        to_f64(&Autoencoder::<f32>::init(784, 20, false, 3)),
        common::authors_fixture_formula(),
    ];
    for model in models {
        let blocks = blocks_of(&model, &data);
        let fisher = fisher_diag(&model, &data, FisherVariant::Regression, 128).encoder;
        assert_eq!(blocks.examples(), data.len());
        let diagonal = blocks.diagonal();
        let positive = fisher.iter().filter(|&&f| f > 0.0).count();
        assert!(
            positive > 1000,
            "too few active weights to test: {positive}"
        );
        for (&k, &f) in diagonal.iter().zip(&fisher) {
            assert_close(k, f, 1e-6, 1e-300, "diag(K_j) against F[j,·]");
        }
    }
}

/// dy_o/dE[j,p] for every example, o, j and p, by central differences of the loop forward pass.
fn jacobians(model: &Autoencoder<f64>, x: &Array2<f64>) -> Vec<Array2<f64>> {
    let (n, m) = (model.input_dim(), model.latent_dim());
    let step = 1e-6;
    x.rows()
        .into_iter()
        .map(|row| {
            let mut jacobian = Array2::zeros((n, m * n));
            for j in 0..m {
                for p in 0..n {
                    let mut plus = model.clone();
                    plus.encoder[[j, p]] += step;
                    let mut minus = model.clone();
                    minus.encoder[[j, p]] -= step;
                    let (yp, ym) = (loop_forward(&plus, row), loop_forward(&minus, row));
                    for o in 0..n {
                        jacobian[[o, j * n + p]] = (yp[o] - ym[o]) / (2.0 * step);
                    }
                }
            }
            jacobian
        })
        .collect()
}

#[test]
fn the_blocks_equal_a_brute_force_sum_of_jacobian_outer_products() {
    // A small model on sparse inputs (about 60 % zeros, as in MNIST), away from ReLU kinks so
    // finite differences hold; biases so both kinds of units occur.
    let (n, m, batch) = (16, 4, 24);
    let (model, x) = (0..500)
        .map(|seed| {
            let model = Autoencoder::<f64>::init(n, m, true, seed);
            let mut rng = Rng::new(seed, 7, 0);
            let x = Array2::from_shape_simple_fn((batch, n), || {
                if rng.next_f64() < 0.6 {
                    0.0
                } else {
                    rng.next_f64()
                }
            });
            (model, x)
        })
        .find(|(model, x)| distance_to_kink(model, x) >= 1e-3)
        .expect("a seed away from kinks");
    let mut accumulator = BlockAccumulator::new(&model);
    accumulator.add_batch(x.view());
    let blocks = accumulator.finish();
    let jacobians = jacobians(&model, &x);
    let mut nonzero = 0;
    for j in 0..m {
        for p in 0..n {
            for q in 0..n {
                // K_j[p,q] = (1/N) Σ_x Σ_o J_o,(j,p) J_o,(j,q): the regression Fisher's entry.
                let brute: f64 = jacobians
                    .iter()
                    .map(|jac| {
                        (0..n)
                            .map(|o| jac[[o, j * n + p]] * jac[[o, j * n + q]])
                            .sum::<f64>()
                    })
                    .sum::<f64>()
                    / batch as f64;
                if brute.abs() > 1e-6 {
                    nonzero += 1;
                }
                assert_close(blocks.get(j, p, q), brute, 1e-6, 1e-9, "K_j[p,q]");
                assert_eq!(blocks.block(j)[[p, q]], blocks.get(j, p, q));
            }
        }
    }
    assert!(
        nonzero > m * n * n / 4,
        "the check must cover non-zero entries: {nonzero}"
    );
}

#[test]
fn the_eigenpairs_diagonalise_each_block() {
    let data = common::mnist_test(300);
    let model = Autoencoder::<f32>::init(784, 20, false, 11);
    let blocks = blocks_of(&model, &data);
    let fisher = fisher_diag(&to_f64(&model), &data, FisherVariant::Regression, 100).encoder;
    for j in [0, 7, 19] {
        let eigen = decompose_row(
            &blocks,
            j,
            &model.encoder.row(j).to_vec(),
            faer_symmetric_eigen,
        );
        let block = blocks.block(j);
        let largest = *eigen.values.last().unwrap();
        assert!(eigen.values.windows(2).all(|w| w[0] <= w[1]), "ascending");
        // Σ λ = trace K_j = Σ_i F[j,i].
        let trace: f64 = fisher.row(j).sum();
        assert_close(
            eigen.values.iter().sum(),
            trace,
            1e-6,
            1e-12,
            "Σ λ against the trace",
        );
        for k in [0, 300, 700, 783] {
            let v = eigen.vectors.row(k).mapv(f64::from);
            let residual = &block.dot(&v) - &(&v * eigen.values[k]);
            let norm = residual.dot(&residual).sqrt();
            // The vectors are stored in f32.
            assert!(
                norm <= 1e-6 * largest.max(1e-12),
                "‖K v - λ v‖ = {norm:e}, λ_max {largest:e}"
            );
            assert!((v.dot(&v) - 1.0).abs() < 1e-6, "unit length");
            let w = eigen.vectors.row((k + 1) % 784).mapv(f64::from);
            assert!(v.dot(&w).abs() < 1e-5, "orthogonal");
            let coefficient: f64 = v
                .iter()
                .zip(model.encoder.row(j))
                .map(|(a, &e)| a * e as f64)
                .sum();
            assert_close(eigen.coefficients[k], coefficient, 1e-5, 1e-7, "Vᵀ E");
        }
    }
}

#[test]
fn a_cutoff_below_every_eigenvalue_leaves_the_encoder_unchanged() {
    let data = common::mnist_test(300);
    let model = Autoencoder::<f32>::init(784, 20, false, 5);
    let shells = shells_of(&model, &data);
    let smallest = shells
        .rows()
        .iter()
        .map(|r| r.values[0])
        .fold(f64::INFINITY, f64::min);
    for cutoff in [-1.0, smallest - 1e-12] {
        assert_eq!(shells.removed(cutoff), 0);
        assert_eq!(
            pruned(&shells, shells.removed(cutoff)).encoder,
            model.encoder
        );
    }
}

#[test]
fn removing_every_direction_gives_the_zero_code() {
    let data = common::mnist_test(300);
    let model = Autoencoder::<f32>::init(784, 20, false, 6);
    let shells = shells_of(&model, &data);
    let all = model.encoder.len();
    let largest = shells
        .rows()
        .iter()
        .map(|r| r.values[783])
        .fold(0.0, f64::max);
    assert_eq!(shells.removed(largest), all);
    let pruned = pruned(&shells, all);
    assert!(pruned.encoder.iter().all(|&e| e == 0.0));
    let x = data.batch::<f32>(0..data.len());
    assert!(pruned.forward(x.view()).latent.iter().all(|&h| h == 0.0));
}

#[test]
fn the_projection_keeps_exactly_the_directions_above_the_cutoff() {
    let data = common::mnist_test(300);
    let model = Autoencoder::<f32>::init(784, 20, false, 8);
    let shells = shells_of(&model, &data);
    // The global order sorted by brute force: (eigenvalue, row, rank).
    let mut all: Vec<(f64, usize, usize)> = (shells.rows().iter().enumerate())
        .flat_map(|(j, r)| r.values.iter().enumerate().map(move |(k, &v)| (v, j, k)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    for k in [1, 2000, 7840, 12000, 15679] {
        let cutoff = shells.cutoff_for(k).unwrap();
        assert_eq!(cutoff, all[k - 1].0);
        let pruned = pruned(&shells, k);
        for (j, eigen) in shells.rows().iter().enumerate() {
            let removed: Vec<usize> = all[..k].iter().filter(|d| d.1 == j).map(|d| d.2).collect();
            assert!(
                removed.iter().enumerate().all(|(i, &rank)| i == rank),
                "a prefix per row"
            );
            let row = pruned.encoder.row(j).mapv(f64::from);
            let scale = model
                .encoder
                .row(j)
                .mapv(|e| (e as f64).powi(2))
                .sum()
                .sqrt();
            for rank in 0..784 {
                let along: f64 = eigen
                    .vectors
                    .row(rank)
                    .iter()
                    .zip(&row)
                    .map(|(&v, e)| v as f64 * e)
                    .sum();
                let expected = if rank < removed.len() {
                    0.0
                } else {
                    eigen.coefficients[rank]
                };
                assert!(
                    (along - expected).abs() <= 1e-5 * scale,
                    "row {j} rank {rank}: {along} vs {expected}"
                );
            }
        }
    }
}

#[test]
fn a_unit_that_never_fires_has_a_zero_block_and_every_direction_at_zero() {
    let data = common::mnist_test(100);
    let mut model = Autoencoder::<f32>::init(784, 4, false, 2);
    // Inputs are ≥ 0 and there are no biases: a row of negative weights never fires.
    model.encoder.row_mut(2).mapv_inplace(|e| -e.abs() - 1e-3);
    let blocks = blocks_of(&model, &data);
    assert!(blocks.is_zero(2) && !blocks.is_zero(0));
    let eigen = decompose_row(
        &blocks,
        2,
        &model.encoder.row(2).to_vec(),
        faer_symmetric_eigen,
    );
    assert!(eigen.values.iter().all(|&v| v == 0.0));
    let shells = shells_of(&model, &data);
    assert!(shells.removed(0.0) >= 784);
    assert!(shells.removed_per_row(shells.removed(0.0))[2] == 784);
}

#[test]
fn the_eigen_sweep_equals_direct_pruning_and_evaluation() {
    let train = common::mnist_test(600);
    let test = common::mnist_test(1000).select(&(600..1000).collect::<Vec<_>>());
    let model = Autoencoder::<f32>::init(784, 20, false, 9);
    let fisher = fisher_diag(&model, &train, FisherVariant::Regression, 100).encoder;
    let grid = log_grid(fisher.as_slice().unwrap(), 12);
    let rows = run_sweep(&model, &fisher, grid, &Baselines::all(vec![]), &test);
    let unpruned = dataset_mse(&model, &test);
    let run = EigenRun::new(
        &model,
        &fisher,
        train.len(),
        &rows,
        unpruned,
        0.01,
        faer_symmetric_eigen,
    );
    let (summary, shells) = run.run(&train, &test);
    assert!(
        summary.diagonal_max_relative_error < 1e-4,
        "{}",
        summary.diagonal_max_relative_error
    );
    let mut counts: Vec<usize> = rows.iter().map(|r| r.removed).collect();
    counts.dedup();
    assert_eq!(
        summary.rows.iter().map(|r| r.removed).collect::<Vec<_>>(),
        counts
    );
    let reference = shells_of(&model, &train);
    assert_eq!(
        pruned(&shells, 5000).encoder,
        pruned(&reference, 5000).encoder
    );
    for row in &summary.rows {
        let direct = dataset_mse(&pruned(&reference, row.removed), &test);
        assert_eq!(row.eigen_mse, direct, "at {} removed", row.removed);
        let diagonal = rows.iter().find(|r| r.removed == row.removed).unwrap();
        assert_eq!(row.fisher_mse, diagonal.fisher_loss);
    }
    // The crossing: within the tolerance at its count, and not one direction later.
    let limit = unpruned * 1.01;
    let crossing = summary.within_tolerance.expect("the first count is within");
    let mse_at = |k: usize| dataset_mse(&pruned(&reference, k), &test);
    assert_eq!(crossing.mse, mse_at(crossing.removed));
    assert!(crossing.mse <= limit);
    assert_eq!(crossing.mse_after, Some(mse_at(crossing.removed + 1)));
    assert!(crossing.mse_after.unwrap() > limit);
    let last_row_within = summary
        .rows
        .iter()
        .take_while(|r| r.eigen_mse <= limit)
        .last()
        .unwrap();
    let first_row_beyond = summary.rows.iter().find(|r| r.eigen_mse > limit).unwrap();
    assert!(
        last_row_within.removed <= crossing.removed && crossing.removed < first_row_beyond.removed
    );
    assert_eq!(
        crossing.eigen_cutoff,
        reference.cutoff_for(crossing.removed)
    );
}

#[test]
fn the_flat_form_rebuilds_the_same_shells() {
    let data = common::mnist_test(200);
    let model = Autoencoder::<f32>::init(784, 20, false, 4);
    let shells = shells_of(&model, &data);
    let reference = shells_of(&model, &data);
    let (values, vectors, coefficients) = shells.flat();
    let rebuilt = EigenShells::from_flat(
        &model,
        values.clone(),
        vectors.clone(),
        coefficients.clone(),
    )
    .unwrap();
    for k in [0, 5000, 12345] {
        assert_eq!(pruned(&rebuilt, k).encoder, pruned(&reference, k).encoder);
        assert_eq!(rebuilt.removed(0.01), reference.removed(0.01));
    }
    let short = EigenShells::from_flat(&model, values, vectors[1..].to_vec(), coefficients);
    assert!(short
        .err()
        .unwrap()
        .contains("do not fit a 20 x 784 first layer"));
}

#[test]
fn a_crossing_past_the_last_sweep_count_is_still_found() {
    // The sweep stops at a third of its grid and every count is within the tolerance: the
    // bisection goes on to every direction removed, and its answer holds by direct evaluation.
    let train = common::mnist_test(300);
    let test = common::mnist_test(700).select(&(300..700).collect::<Vec<_>>());
    let model = Autoencoder::<f32>::init(784, 20, false, 12);
    let fisher = fisher_diag(&model, &train, FisherVariant::Regression, 100).encoder;
    let grid = log_grid(fisher.as_slice().unwrap(), 40);
    let mut rows = run_sweep(&model, &fisher, grid, &Baselines::all(vec![]), &test);
    rows.truncate(rows.len() / 3);
    assert!(rows.last().unwrap().removed < model.encoder.len());
    let unpruned = dataset_mse(&model, &test);
    let tolerance = 0.5;
    let (summary, shells) = EigenRun::new(
        &model,
        &fisher,
        train.len(),
        &rows,
        unpruned,
        tolerance,
        faer_symmetric_eigen,
    )
    .run(&train, &test);
    let limit = unpruned * (1.0 + tolerance);
    assert!(summary.rows.iter().all(|r| r.eigen_mse <= limit));
    let crossing = summary.within_tolerance.unwrap();
    let last_row = summary.rows.last().unwrap().removed;
    assert!(
        crossing.removed > last_row,
        "{} after {last_row}",
        crossing.removed
    );
    let mse_at = |k: usize| dataset_mse(&pruned(&shells, k), &test);
    assert_eq!(crossing.mse, mse_at(crossing.removed));
    match crossing.mse_after {
        Some(after) => {
            assert!(crossing.mse <= limit && after > limit);
            assert_eq!(after, mse_at(crossing.removed + 1));
        }
        None => assert_eq!(crossing.removed, model.encoder.len()),
    }
}

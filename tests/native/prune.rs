//! Information-shell pruning, its baselines and the sweep, against brute-force counts and
//! directly computed losses.
use bayes_renorm::network::{dataset_mse, Network};

use crate::common::synthetic_dataset;
use bayes_renorm::data::Dataset;
use bayes_renorm::fisher::{fisher_diag, FisherVariant};
use bayes_renorm::model::Autoencoder;
use bayes_renorm::prune::{
    fisher_order, magnitude_order, prune, random_order, removed_count, saliency_order, sloppy_mask,
    sorted_values,
};
use bayes_renorm::rng::Rng;
use bayes_renorm::sweep::{
    information_scale, log_grid, paper_grid, run_sweep, Baselines, Sweep, SweepRow,
};
use ndarray::Array2;

fn setup() -> (Autoencoder<f32>, Dataset, Array2<f32>) {
    let data = synthetic_dataset(8, 120, 6, 6);
    let model = Autoencoder::<f32>::init(36, 5, false, 8);
    let fisher = fisher_diag(&model, &data, FisherVariant::Regression, 50).encoder;
    (model, data, fisher)
}

/// Fisher-like values with many exact ties and zeros.
fn tied_values(seed: u64) -> Array2<f32> {
    let mut rng = Rng::new(seed, 7, 0);
    Array2::from_shape_simple_fn((6, 9), || (rng.below(8) as f32) * 0.25)
}

#[test]
fn removed_count_is_the_brute_force_count_and_monotone_in_cutoff() {
    let fisher = tied_values(1);
    let sorted = sorted_values(&fisher);
    let mut previous = 0;
    for step in 0..=40 {
        let cutoff = step as f32 * 0.05;
        let count = removed_count(&sorted, cutoff);
        assert_eq!(count, fisher.iter().filter(|&&f| f <= cutoff).count());
        assert!(count >= previous);
        previous = count;
    }
    assert_eq!(previous, fisher.len());
}

#[test]
fn fisher_pruning_zeroes_exactly_the_sloppy_set() {
    let (model, _, fisher) = setup();
    let order = fisher_order(&fisher);
    let sorted = sorted_values(&fisher);
    for cutoff in log_grid(fisher.as_slice().unwrap(), 12) {
        let pruned = prune(
            &Network::from(&model),
            &order,
            removed_count(&sorted, cutoff),
        );
        let pruned = pruned.autoencoder().unwrap();
        let mask = sloppy_mask(&fisher, cutoff);
        for ((&w, &original), &sloppy) in pruned.encoder.iter().zip(&model.encoder).zip(&mask) {
            assert_eq!(w, if sloppy { 0.0 } else { original });
        }
        assert_eq!(pruned.decoder, model.decoder, "the decoder is never pruned");
    }
}

#[test]
fn ties_are_broken_by_flat_index() {
    let fisher = tied_values(2);
    let order = fisher_order(&fisher);
    let flat = fisher.as_slice().unwrap();
    for pair in order.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        assert!(flat[a] < flat[b] || (flat[a] == flat[b] && a < b));
    }
}

#[test]
fn magnitude_removes_exactly_the_k_smallest() {
    let (model, _, _) = setup();
    let order = magnitude_order(&model.encoder);
    let mut magnitudes: Vec<f32> = model.encoder.iter().map(|w| w.abs()).collect();
    magnitudes.sort_by(f32::total_cmp);
    for k in [0, 1, 17, 90, 179, 180] {
        let pruned = prune(&Network::from(&model), &order, k);
        let pruned = pruned.autoencoder().unwrap();
        let removed: Vec<f32> = model
            .encoder
            .iter()
            .zip(&pruned.encoder)
            .filter(|(_, &after)| after == 0.0)
            .map(|(before, _)| before.abs())
            .collect();
        assert_eq!(removed.len(), k);
        let mut removed_sorted = removed.clone();
        removed_sorted.sort_by(f32::total_cmp);
        assert_eq!(removed_sorted, magnitudes[..k].to_vec());
    }
}

#[test]
fn saliency_removes_exactly_the_k_smallest_f_e_squared() {
    let (model, _, fisher) = setup();
    let order = saliency_order(&fisher, &model.encoder);
    let saliency: Vec<f32> = fisher
        .iter()
        .zip(&model.encoder)
        .map(|(f, e)| f * e * e)
        .collect();
    for k in [0, 1, 17, 90, saliency.len()] {
        let removed: std::collections::HashSet<usize> = order[..k].iter().copied().collect();
        // Brute force: every removed weight's saliency is at most every kept one's, and ties
        // go to the smaller flat index.
        for (i, &s) in saliency.iter().enumerate() {
            for (j, &t) in saliency.iter().enumerate() {
                if removed.contains(&i) && !removed.contains(&j) {
                    assert!(
                        s < t || (s == t && i < j),
                        "k = {k}: {i} ({s}) before {j} ({t})"
                    );
                }
            }
        }
    }
    // The weights of zero Fisher have zero saliency and go first, as in the Fisher order.
    let zeros = fisher.iter().filter(|&&f| f == 0.0).count();
    assert!(order[..zeros]
        .iter()
        .all(|&i| saliency[i] == 0.0 || model.encoder.as_slice().unwrap()[i] == 0.0));
}

#[test]
fn baselines_the_sweep_does_not_run_are_none() {
    let (model, data, fisher) = setup();
    let only_fisher = Baselines {
        random_seeds: vec![],
        magnitude: false,
        saliency: false,
    };
    let grid = log_grid(fisher.as_slice().unwrap(), 5);
    let rows = run_sweep(&model, &fisher, grid.clone(), &only_fisher, &data);
    let full = run_sweep(&model, &fisher, grid, &Baselines::all(vec![4]), &data);
    for (row, with_all) in rows.iter().zip(&full) {
        assert_eq!(row.fisher_loss, with_all.fisher_loss);
        assert_eq!(
            (row.random_loss_mean, row.magnitude_loss, row.saliency_loss),
            (None, None, None)
        );
        assert!(row.random_loss.is_empty());
    }
    assert_eq!(only_fisher.names(), ["fisher"]);
    assert_eq!(
        Baselines::all(vec![1]).names(),
        ["fisher", "random", "magnitude", "saliency"]
    );
}

#[test]
fn random_order_is_reproducible_and_uniform() {
    assert_eq!(random_order(100, 3), random_order(100, 3));
    assert_ne!(random_order(100, 3), random_order(100, 4));
    let mut sorted = random_order(100, 5);
    sorted.sort();
    assert_eq!(sorted, (0..100).collect::<Vec<_>>(), "a permutation");
    // How often each of 40 weights is among the first 10 removed, over 4000 seeds: expected 1000
    // each. Chi-square with 39 degrees of freedom stays below 80 with probability > 0.9999.
    let (len, k, trials) = (40, 10, 4000u64);
    let mut hits = vec![0u64; len];
    for seed in 0..trials {
        for &index in &random_order(len, seed)[..k] {
            hits[index] += 1;
        }
    }
    let expected = (trials as usize * k / len) as f64;
    let chi2: f64 = hits
        .iter()
        .map(|&h| (h as f64 - expected).powi(2) / expected)
        .sum();
    assert!(chi2 < 80.0, "chi-square {chi2}, hits {hits:?}");
}

#[test]
fn a_cutoff_below_every_fisher_value_gives_the_unpruned_mse_exactly() {
    let (model, data, fisher) = setup();
    let min_positive = fisher
        .iter()
        .copied()
        .filter(|&f| f > 0.0)
        .fold(f32::MAX, f32::min);
    let zeros = fisher.iter().filter(|&&f| f == 0.0).count();
    let mut sweep = Sweep::new(
        &model,
        &fisher,
        vec![-1.0, min_positive * 0.5],
        &Baselines::all(vec![1, 2]),
        &data,
    );
    while sweep.step().is_some() {}
    let unpruned = sweep.unpruned().loss;
    let rows = sweep.rows();
    // The sweep's own figure for the whole model, and the plain row-major forward pass, agree.
    let direct = dataset_mse(&model, &data);
    assert!(
        (unpruned - direct).abs() < 1e-6 * direct,
        "{unpruned} vs {direct}"
    );
    assert_eq!(rows[0].removed, 0);
    assert_eq!(rows[0].fisher_loss, unpruned);
    assert_eq!(rows[0].random_loss_mean, Some(unpruned));
    assert_eq!(rows[0].magnitude_loss, Some(unpruned));
    assert_eq!(rows[0].saliency_loss, Some(unpruned));
    assert_eq!(rows[1].removed, zeros);
}

#[test]
fn removing_every_encoder_weight_gives_the_mse_of_a_zero_code() {
    let (model, data, fisher) = setup();
    let max = fisher.iter().copied().fold(0.0, f32::max);
    let rows = run_sweep(&model, &fisher, vec![max], &Baselines::all(vec![1]), &data);
    // A zero latent code reconstructs 0 (no biases), so the MSE is the mean of x².
    let mean_x2 = data
        .pixels
        .iter()
        .map(|&p| (p as f64 / 255.0).powi(2))
        .sum::<f64>()
        / data.pixels.len() as f64;
    let row = &rows[0];
    assert_eq!(row.removed, model.encoder.len());
    assert_eq!(row.fraction, 1.0);
    let baselines = [row.random_loss_mean, row.magnitude_loss, row.saliency_loss];
    for mse in baselines.into_iter().flatten().chain([row.fisher_loss]) {
        assert!((mse - mean_x2).abs() < 1e-6 * mean_x2, "{mse} vs {mean_x2}");
    }
}

#[test]
fn the_sweep_compares_schemes_at_equal_counts_and_keeps_the_model() {
    let (model, data, fisher) = setup();
    let before = model.clone();
    let grid = log_grid(fisher.as_slice().unwrap(), 10);
    let rows = run_sweep(
        &model,
        &fisher,
        grid.clone(),
        &Baselines::all(vec![1, 2, 3]),
        &data,
    );
    assert_eq!(model, before);
    assert_eq!(rows.len(), grid.len());
    for row in &rows {
        assert_eq!(row.random_loss.len(), 3);
        for (order, mse) in [
            (fisher_order(&fisher), row.fisher_loss),
            (magnitude_order(&model.encoder), row.magnitude_loss.unwrap()),
            (
                saliency_order(&fisher, &model.encoder),
                row.saliency_loss.unwrap(),
            ),
            (random_order(model.encoder.len(), 2), row.random_loss[1]),
        ] {
            let pruned = prune(&Network::from(&model), &order, row.removed);
            let direct = (pruned.autoencoder().unwrap()).loss(data.batch(0..data.len()).view());
            assert!((mse - direct).abs() < 1e-6 * direct, "{mse} vs {direct}");
        }
    }
}

#[test]
fn grids_cover_the_fisher_range() {
    let fisher = [0.0f32, 1e-6, 3e-4, 0.02, 0.5, 4.0];
    let grid = log_grid(&fisher, 40);
    assert_eq!(grid.len(), 40);
    assert_eq!(grid[0], 0.0);
    assert_eq!(grid[1], 1e-6);
    assert_eq!(*grid.last().unwrap(), 4.0);
    assert!(grid.windows(2).all(|w| w[0] < w[1]));
    let paper = paper_grid();
    assert_eq!(paper.len(), 20);
    assert_eq!((paper[0], paper[1], paper[19]), (0.0, 0.125, 2.375));
}

fn row(cutoff: f32, fisher_mse: f64) -> SweepRow {
    SweepRow {
        cutoff,
        removed: (cutoff * 10.0) as usize,
        fraction: cutoff as f64,
        fisher_loss: fisher_mse,
        ..SweepRow::default()
    }
}

#[test]
fn the_knee_is_the_last_cutoff_before_the_first_crossing() {
    let rows = [
        row(0.3, 1.03),
        row(0.1, 1.0),
        row(0.2, 1.009),
        row(0.4, 1.005),
    ];
    let knee = information_scale(&rows, 1.0, 0.01).unwrap();
    assert_eq!(
        knee.cutoff, 0.2,
        "0.4 is back within 1 % but comes after a crossing"
    );
    assert_eq!(knee.loss, 1.009);
    assert!(information_scale(&rows, 0.5, 0.01).is_none());
}

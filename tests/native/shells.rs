//! What the page's Λ slider uses: the removal orders at any cutoff, the slider's scale, the
//! reconstructions of the fixed digits, against brute force, the sweep and the loop model.

use crate::common;

use crate::common::synthetic_dataset;
use bayes_renorm::data::Dataset;
use bayes_renorm::fisher::{fisher_diag, FisherVariant};
use bayes_renorm::model::Autoencoder;
use bayes_renorm::prune::{
    cutoff_at_position, cutoff_removing, position_of_cutoff, reconstructions, EvalSet, Scheme,
    Shells,
};
use bayes_renorm::sweep::{log_grid, run_sweep, Baselines, FisherScale};

fn setup() -> (Autoencoder<f32>, Dataset, Shells) {
    let data = synthetic_dataset(8, 150, 6, 6);
    let model = Autoencoder::<f32>::init(36, 5, false, 8);
    let fisher = fisher_diag(&model, &data, FisherVariant::Regression, 50).encoder;
    let shells = Shells::new(&model, &fisher, 11);
    (model, data, shells)
}

#[test]
fn the_slider_removes_exactly_the_sloppy_set_and_scores_as_the_sweep_does() {
    let (model, data, shells) = setup();
    let fisher = shells.fisher().clone();
    let grid = log_grid(fisher.as_slice().unwrap(), 12);
    let rows = run_sweep(
        &model,
        &fisher,
        grid.clone(),
        &Baselines::all(vec![11]),
        &data,
    );
    let eval = EvalSet::new(&data, 1000);
    for (cutoff, row) in grid.iter().zip(&rows) {
        let brute = fisher.iter().filter(|&&f| f <= *cutoff).count();
        assert_eq!(shells.removed(*cutoff), brute);
        assert_eq!(row.removed, brute);
        let pruned = shells.pruned(Scheme::Fisher, brute);
        let pruned = pruned.autoencoder().unwrap();
        for ((&f, &w), &original) in fisher.iter().zip(&pruned.encoder).zip(&model.encoder) {
            assert_eq!(w, if f <= *cutoff { 0.0 } else { original });
        }
        // The same models the sweep scored: its numbers come back (up to its incremental
        // update's rounding).
        for (scheme, mse) in [
            (Scheme::Fisher, row.fisher_loss),
            (Scheme::Random, row.random_loss[0]),
            (Scheme::Magnitude, row.magnitude_loss.unwrap()),
            (Scheme::Saliency, row.saliency_loss.unwrap()),
        ] {
            let direct = eval.score(&shells.pruned(scheme, brute)).loss;
            assert!(
                (direct - mse).abs() <= 1e-6 * mse.max(1e-12),
                "{scheme:?} at {cutoff}"
            );
        }
    }
}

#[test]
fn the_log_grid_runs_from_zero_over_the_positive_values_to_the_largest() {
    let values = [0.0, 0.0, 1e-6, 3e-4, 0.02, 1.5];
    let scale = FisherScale::of(&values).unwrap();
    assert_eq!((scale.min_positive, scale.max), (1e-6, 1.5));
    let grid = log_grid(&values, 7);
    assert_eq!((grid[0], grid[1], grid[6]), (0.0, 1e-6, 1.5));
    // Equal ratios between the positive cutoffs.
    let ratio = (grid[2] / grid[1]) as f64;
    for pair in grid[1..].windows(2) {
        assert!(((pair[1] / pair[0]) as f64 / ratio - 1.0).abs() < 1e-4);
    }
    assert_eq!(FisherScale::of(&[0.0, 0.0]), None);
}

#[test]
fn the_slider_travels_in_equal_counts_from_the_exact_zeros_to_every_weight() {
    // Three exact zeros, a tie, and five other values, unsorted as a layer's would be.
    let values = [0.3, 0.0, 2e-6, 0.0, 0.3, 5.0, 0.0, 1e-9, 0.07];
    let mut sorted = values.to_vec();
    sorted.sort_by(f32::total_cmp);
    // Counted by brute force over the unsorted values.
    let removed = |cutoff: f32| values.iter().filter(|&&f| f <= cutoff).count();
    assert_eq!(cutoff_at_position(&sorted, 0.0), 0.0);
    assert_eq!(
        removed(cutoff_at_position(&sorted, 0.0)),
        3,
        "Λ = 0 removes the zeros"
    );
    assert_eq!(
        cutoff_at_position(&sorted, 1.0),
        5.0,
        "the end removes everything"
    );
    assert_eq!(
        cutoff_at_position(&sorted, 1e-9),
        1e-9,
        "any move leaves Λ = 0"
    );
    for step in 0..=60 {
        let t = step as f64 / 60.0;
        let cutoff = cutoff_at_position(&sorted, t);
        // 6 positive values share the travel: at t the first ⌈6t⌉ of them go (the tie at 0.3
        // goes whole, one more).
        let wanted = 3 + (6.0 * t).ceil() as usize;
        let got = removed(cutoff);
        assert!(
            got == wanted || (cutoff == 0.3 && got == wanted + 1),
            "{t}: {got} vs {wanted}"
        );
        assert_eq!(position_of_cutoff(&sorted, cutoff), (got - 3) as f64 / 6.0);
    }
    // A count asked for gets the smallest cutoff removing at least that many.
    for count in 0..=12 {
        let cutoff = cutoff_removing(&sorted, count);
        assert!(removed(cutoff) >= count.min(9), "{count}");
        let smaller = values.iter().filter(|&&f| f < cutoff).count();
        assert!(
            cutoff == 0.0 || smaller < count,
            "{count}: a smaller cutoff would do"
        );
    }
    assert_eq!(position_of_cutoff(&sorted, -1.0), 0.0);
    assert_eq!(position_of_cutoff(&sorted, 9.0), 1.0);
    assert_eq!(
        cutoff_at_position(&[0.0, 0.0], 0.7),
        0.0,
        "nothing positive"
    );
    assert_eq!(cutoff_at_position(&[], 0.7), 0.0);
}

#[test]
fn reconstructions_and_their_mse_match_the_loop_model() {
    let (model, data, _) = setup();
    let digits = data.select(&data.first_of_each_label());
    let (output, mse) = reconstructions(&model, &digits);
    let model64 = common::to_f64(&model);
    assert_eq!(mse.len(), digits.len());
    for (k, &image_mse) in mse.iter().enumerate() {
        let x = digits.batch::<f64>(k..k + 1);
        let y = common::loop_forward(&model64, x.row(0));
        let expected = common::loop_example_loss(&model64, x.row(0));
        assert!(
            (image_mse - expected).abs() < 1e-6 * expected.max(1e-9),
            "image {k}"
        );
        for (ours, theirs) in output.row(k).iter().zip(&y) {
            assert!((*ours as f64 - theirs).abs() < 1e-5);
        }
    }
}

#[test]
fn the_fixed_digits_are_the_first_of_each_label() {
    let data = synthetic_dataset(3, 200, 4, 4); // labels 0-3 only
    let chosen = data.first_of_each_label();
    let brute: Vec<usize> = (0..10u8)
        .filter_map(|label| (0..data.len()).find(|&i| data.labels[i] == label))
        .collect();
    assert_eq!(chosen, brute);
    assert_eq!(chosen.len(), 4);
    let selected = data.select(&chosen);
    assert_eq!(selected.labels, [0, 1, 2, 3]);
    for (k, &i) in chosen.iter().enumerate() {
        assert_eq!(selected.image(k), data.image(i));
    }
}

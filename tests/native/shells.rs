//! What the page's Λ slider uses: the removal orders at any cutoff, the slider's log scale, the
//! reconstructions of the fixed digits, against brute force, the sweep and the loop model.

use crate::common;

use crate::common::synthetic_dataset;
use bayes_renorm::data::Dataset;
use bayes_renorm::fisher::{fisher_diag, FisherVariant};
use bayes_renorm::model::Autoencoder;
use bayes_renorm::prune::{reconstructions, EvalSet, Scheme, Shells};
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
fn the_slider_scale_runs_from_zero_to_the_largest_value_on_a_log_axis() {
    let values = [0.0, 0.0, 1e-6, 3e-4, 0.02, 1.5];
    let scale = FisherScale::of(&values).unwrap();
    assert_eq!((scale.min_positive, scale.max), (1e-6, 1.5));
    assert_eq!(scale.cutoff_at(0.0), 0.0);
    assert_eq!(scale.cutoff_at(1.0), 1.5);
    let mut previous = 0.0;
    for step in 1..=100 {
        let t = step as f64 / 100.0;
        let cutoff = scale.cutoff_at(t);
        assert!(cutoff > previous);
        previous = cutoff;
        assert!((scale.position_of(cutoff) - t).abs() < 1e-6, "{t}");
    }
    // Halfway on the log axis is the geometric mean.
    let middle = scale.cutoff_at(0.5) as f64;
    assert!((middle - (1e-6f64 * 1.5).sqrt()).abs() < 1e-6 * middle);
    assert_eq!(
        scale.position_of(5e-7),
        0.0,
        "below the smallest positive value is Λ = 0"
    );
    assert_eq!(FisherScale::of(&[0.0, 0.0]), None);
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

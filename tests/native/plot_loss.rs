//! The loss chart: its smoothing against the weighted-mean formula, its decimation against brute
//! force, and what it draws (pixels and labels) on a recording backend.

use crate::common;

use bayes_renorm::plot::loss::{draw, envelope, log_ticks, smoothed, LossHistory};
use common::recording_backend::RecordingBackend;

/// Okabe-Ito blue and vermillion: the train loss and the test loss (plot::style's table).
const TRAIN_RGB: [u8; 3] = [0x00, 0x72, 0xB2];
const TEST_RGB: [u8; 3] = [0xD5, 0x5E, 0x00];

#[test]
fn smoothing_is_the_debiased_weighted_mean_of_the_values_so_far() {
    let values: Vec<f64> = (0..40)
        .map(|i| 0.1 + 0.05 * ((i * 7 % 11) as f64))
        .collect();
    let span = 6.0;
    let w: f64 = 1.0 - 1.0 / span;
    let ours = smoothed(&values, span);
    for (i, &point) in ours.iter().enumerate() {
        let weights: Vec<f64> = (0..=i).map(|k| w.powi((i - k) as i32)).collect();
        let weighted: f64 = weights.iter().zip(&values).map(|(w, v)| w * v).sum();
        let direct = weighted / weights.iter().sum::<f64>();
        assert!(
            (point - direct).abs() < 1e-12,
            "point {i}: {point} vs {direct}"
        );
    }
    assert_eq!(
        smoothed(&values, 1.0),
        values,
        "a span of one batch is no smoothing"
    );
    assert!(smoothed(&[0.3; 9], 4.0)
        .iter()
        .all(|v| (v - 0.3).abs() < 1e-15));
}

#[test]
fn the_envelope_keeps_each_runs_extremes_in_order() {
    let values: Vec<f64> = (0..1003).map(|i| ((i * 37 % 101) as f64).sin()).collect();
    let buckets = 50;
    let points = envelope(&values, buckets);
    assert!(points.len() <= 2 * buckets);
    assert!(points.windows(2).all(|p| p[0].0 < p[1].0), "indices ascend");
    assert!(points.iter().all(|&(i, v)| values[i] == v));
    let per_bucket = values.len().div_ceil(buckets);
    for (b, chunk) in values.chunks(per_bucket).enumerate() {
        let start = b * per_bucket;
        let kept: Vec<f64> = points
            .iter()
            .filter(|(i, _)| (start..start + chunk.len()).contains(i))
            .map(|&(_, v)| v)
            .collect();
        let min = chunk.iter().cloned().fold(f64::INFINITY, f64::min);
        let max = chunk.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        assert!(kept.contains(&min) && kept.contains(&max), "bucket {b}");
    }
    let short = [3.0, 1.0, 2.0];
    assert_eq!(envelope(&short, 50), vec![(0, 3.0), (1, 1.0), (2, 2.0)]);
}

#[test]
fn log_axis_labels_are_round_numbers_inside_the_range() {
    assert_eq!(
        log_ticks(0.023, 0.12),
        [0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1]
    );
    // Ten candidates: thinned to 1-2-5. Nine 1-2-5 candidates: thinned to powers of ten.
    assert_eq!(log_ticks(0.02, 0.2), [0.02, 0.05, 0.1, 0.2]);
    assert_eq!(log_ticks(0.0009, 0.6), [0.001, 0.01, 0.1]);
    for (lo, hi) in [(0.011, 0.019), (0.02, 0.2), (1e-4, 90.0), (0.3, 0.31)] {
        let ticks = log_ticks(lo, hi);
        assert!(ticks.len() <= 8, "{ticks:?}");
        assert!(ticks.windows(2).all(|t| t[0] < t[1]));
        assert!(ticks.iter().all(|t| (lo..=hi).contains(t)));
        assert!(ticks.iter().all(|t| format!("{t}").len() <= 6), "{ticks:?}");
    }
}

fn falling_losses(batches: usize) -> Vec<f64> {
    (0..batches)
        .map(|i| 0.03 + 0.08 * (-(i as f64) / 20.0).exp() + 0.004 * ((i * 13 % 7) as f64 / 7.0))
        .collect()
}

fn render(history: &LossHistory) -> RecordingBackend {
    let mut backend = RecordingBackend::new(800, 360);
    draw(&mut backend, history).expect("drawing on the recording backend cannot fail");
    backend
}

#[test]
fn the_chart_draws_both_series_with_labelled_axes_and_a_key() {
    let losses = falling_losses(120);
    let chart = render(&LossHistory {
        batch_losses: &losses,
        batches_per_epoch: 60,
        epochs: 10,
        loss_name: "MSE",
        test_loss: &[0.05, 0.04],
        test_accuracy: &[],
    });
    let white = chart.count([255, 255, 255]);
    assert!(white > 0 && white < chart.pixels.len(), "not uniform");
    // The key's samples alone use both colours (see the empty chart below): the series add more.
    let legend_only = render(&LossHistory {
        batch_losses: &[],
        batches_per_epoch: 60,
        epochs: 10,
        loss_name: "MSE",
        test_loss: &[],
        test_accuracy: &[],
    });
    assert!(
        chart.count(TRAIN_RGB) > legend_only.count(TRAIN_RGB) + 100,
        "the running average"
    );
    assert!(
        chart.count(TEST_RGB) > legend_only.count(TEST_RGB) + 40,
        "two test MSE markers"
    );
    for label in [
        "epoch",
        "MSE (log scale)",
        "train MSE, each batch",
        "train MSE, running average",
        "test MSE, end of epoch",
    ] {
        assert!(
            chart.has_text(label),
            "{label} missing from {:?}",
            chart.texts
        );
    }
}

#[test]
fn test_markers_sit_at_their_epochs() {
    // Ten planned epochs: epoch 1's marker a tenth of the way along the x axis, epoch 10's at its
    // end. The key (below the plot, under the axis title "epoch") also has an orange sample: look
    // above it.
    let orange_columns = |test_mse: &[f64]| {
        let chart = render(&LossHistory {
            batch_losses: &[],
            batches_per_epoch: 60,
            epochs: 10,
            loss_name: "MSE",
            test_loss: test_mse,
            test_accuracy: &[],
        });
        let plot_bottom = (chart.boxes.iter())
            .find(|b| b.text == "epoch")
            .expect("the x axis title")
            .y0 as u32;
        let columns: Vec<u32> = (0..chart.width)
            .filter(|&x| (0..plot_bottom).any(|y| chart.pixel(x, y) == TEST_RGB))
            .collect();
        (columns[0], *columns.last().unwrap())
    };
    let (first_left, first_right) = orange_columns(&[0.05]);
    assert!(first_right - first_left <= 10, "one marker");
    let (left, right) =
        orange_columns(&[0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.04]);
    assert_eq!(left, first_left);
    // The plot spans epochs 0..10, so epoch 1 sits a ninth of the way from epoch 1 to epoch 10's
    // distance beyond the origin: (right - left) / 9 between consecutive markers.
    let spacing = (right - left) as f64 / 9.0;
    let origin = first_left as f64 + 4.0 - spacing; // marker radius 4
    assert!(
        origin > 40.0 && origin < 120.0,
        "the y axis sits left of epoch 1: {origin}"
    );
}

#[test]
fn an_empty_run_draws_axes_and_many_batches_are_decimated() {
    let empty = render(&LossHistory {
        batch_losses: &[],
        batches_per_epoch: 1,
        epochs: 1,
        loss_name: "MSE",
        test_loss: &[],
        test_accuracy: &[],
    });
    assert!(empty.has_text("epoch"));

    // 600,000 batches (batch size 1, ten epochs) still draw, from at most two points a column.
    let losses = falling_losses(600_000);
    let chart = render(&LossHistory {
        batch_losses: &losses,
        batches_per_epoch: 60_000,
        epochs: 10,
        loss_name: "MSE",
        test_loss: &[],
        test_accuracy: &[],
    });
    assert!(chart.count(TRAIN_RGB) > empty.count(TRAIN_RGB) + 100);
}

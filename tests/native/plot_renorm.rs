//! The renormalization charts: the Fisher histogram, the hockey stick, the Fisher maps and the
//! reconstructions, checked for what they draw and where.

use crate::common;

use bayes_renorm::eigen::run::{EigenCrossing, EigenRow};
use bayes_renorm::plot::fisher_hist::{self, bins, FisherBins, FisherHistogram, HistScale};
use bayes_renorm::plot::fisher_maps::{self, FisherMaps};
use bayes_renorm::plot::hockey::{self, HockeyStick};
use bayes_renorm::plot::picture::{ink, shaded, viridis};
use bayes_renorm::plot::recon::{self, ReconRow};
use bayes_renorm::summary::Histogram;
use bayes_renorm::sweep::{Knee, SweepRow};
use common::recording_backend::RecordingBackend;
use ndarray::Array2;

/// The current cutoff: black (plot::style's table; the axes are grey, so nothing else is black).
const CUTOFF_RGB: [u8; 3] = [0, 0, 0];
/// The eigen-shells: Okabe-Ito sky blue.
const EIGEN_RGB: [u8; 3] = [0x56, 0xB4, 0xE9];

/// The leftmost column where `rgb` runs down a third of the chart: a vertical marker line (the
/// key's short sample of the same colour does not count).
fn column_of(chart: &RecordingBackend, rgb: [u8; 3]) -> Option<u32> {
    let run = |x| {
        (0..chart.height)
            .filter(|&y| chart.pixel(x, y) == rgb)
            .count()
    };
    (0..chart.width).find(|&x| run(x) as u32 > chart.height / 3)
}

fn histogram(values: &[f32], scale: HistScale, cutoff: f32) -> RecordingBackend {
    let mut backend = RecordingBackend::new(800, 360);
    let bins = FisherBins::of(values);
    let chart = FisherHistogram {
        bins: &bins,
        scale,
        cutoff,
        knee: Some(0.05),
    };
    fisher_hist::draw(&mut backend, &chart).unwrap();
    backend
}

#[test]
fn the_histogram_uses_the_reports_bins_and_counts_zeros_apart() {
    let values = common::fisher_like_values(4, 2000);
    let zeros = values.iter().filter(|&&v| v == 0.0).count();
    assert_eq!(
        bins(&values, HistScale::Linear),
        Histogram::linear(&values, 22)
    );
    assert_eq!(bins(&values, HistScale::Log), Histogram::log(&values, 40));
    let linear = histogram(&values, HistScale::Linear, 0.1);
    let log = histogram(&values, HistScale::Log, 0.1);
    assert!(linear.has_text(&format!(
        "weights per bin ({zeros} exact zeros, in the first)"
    )));
    assert!(log.has_text(&format!(
        "weights per bin ({zeros} exact zeros, off this axis)"
    )));
    for chart in [&linear, &log] {
        assert!(chart.has_text("weights"), "{:?}", chart.texts);
        assert!(chart.has_text("cutoff Λ = 1.000e-1"));
        assert!(chart.has_text("knee Λ* = 5.000e-2"));
    }
    assert_ne!(linear.pixels, log.pixels);
}

#[test]
fn the_histograms_cutoff_marker_moves_right_with_the_cutoff() {
    let values = common::fisher_like_values(4, 2000);
    for scale in [HistScale::Linear, HistScale::Log] {
        let columns: Vec<u32> = [1e-6, 1e-3, 0.5, 1.5]
            .iter()
            .map(|&cutoff| column_of(&histogram(&values, scale, cutoff), CUTOFF_RGB).unwrap())
            .collect();
        assert!(
            columns.windows(2).all(|c| c[0] <= c[1]),
            "{scale:?}: {columns:?}"
        );
        assert!(columns[3] > columns[0] + 100, "{scale:?}: {columns:?}");
    }
    // Λ = 0 cannot sit on a log axis: its marker is at the axis' left end.
    let zero = column_of(&histogram(&values, HistScale::Log, 0.0), CUTOFF_RGB).unwrap();
    let smallest = column_of(&histogram(&values, HistScale::Log, 1e-9), CUTOFF_RGB).unwrap();
    assert!(zero <= smallest);
}

fn sweep_rows() -> Vec<SweepRow> {
    (0..=10)
        .map(|i| {
            let removed = i * 1000;
            let hockey = 0.026 + 0.09 * ((i as f64 - 6.0).max(0.0) / 4.0).powi(2);
            SweepRow {
                cutoff: i as f32 * 0.2,
                removed,
                fraction: removed as f64 / 10_000.0,
                fisher_loss: hockey,
                random_loss_mean: Some(0.026 + 0.0088 * i as f64),
                random_loss_std: Some(0.002),
                random_loss: vec![0.026 + 0.0088 * i as f64; 2],
                magnitude_loss: Some(hockey * 1.05),
                saliency_loss: Some(hockey * 0.98),
                ..SweepRow::default()
            }
        })
        .collect()
}

/// The hockey stick of `rows` with nothing beyond the paper, for tests to change.
fn hockey_of(rows: &[SweepRow]) -> HockeyStick<'_> {
    HockeyStick {
        rows,
        total: 10_000,
        loss_name: "MSE",
        layer_name: "encoder",
        unpruned_loss: 0.026,
        unpruned_accuracy: None,
        knee: None,
        tolerance: 0.01,
        current_removed: 0,
        fine_tuned: &[],
        eigen: &[],
        eigen_crossing: None,
    }
}

fn draw_hockey(chart: &HockeyStick) -> RecordingBackend {
    let mut backend = RecordingBackend::new(800, 420);
    hockey::draw(&mut backend, chart).unwrap();
    backend
}

fn hockey_chart(
    rows: &[SweepRow],
    current_removed: usize,
    knee: Option<&Knee>,
) -> RecordingBackend {
    draw_hockey(&HockeyStick {
        current_removed,
        knee,
        ..hockey_of(rows)
    })
}

#[test]
fn the_hockey_stick_draws_three_schemes_the_knee_and_the_current_cutoff() {
    let rows = sweep_rows();
    let knee = Knee {
        cutoff: 1.2,
        removed: 6000,
        fraction: 0.6,
        loss: 0.026,
        unpruned_loss: 0.026,
        tolerance: 0.01,
        accuracy: None,
    };
    let chart = hockey_chart(&rows, 3000, Some(&knee));
    for label in [
        "Fisher (information shells)",
        "random (mean ± 1 std)",
        "magnitude |E|",
        "saliency F·E²",
        "unpruned 0.02600",
        "knee Λ* = 1.200e0: 6000 removed, within 1 %",
        "current cutoff: 3000 removed",
        "encoder weights removed (of 10000)",
        "fraction removed",
        "test MSE",
    ] {
        assert!(
            chart.has_text(label),
            "{label} missing from {:?}",
            chart.texts
        );
    }
    // The current-cutoff line sits at its share of the x axis: 3000 and 9000 of 10,000.
    let at_3000 = column_of(&chart, CUTOFF_RGB).unwrap();
    let at_9000 = column_of(&hockey_chart(&rows, 9000, None), CUTOFF_RGB).unwrap();
    let at_0 = column_of(&hockey_chart(&rows, 0, None), CUTOFF_RGB).unwrap();
    let per_weight = (at_9000 - at_0) as f64 / 9000.0;
    assert!(((at_3000 - at_0) as f64 - 3000.0 * per_weight).abs() <= 2.0);
    assert!(!hockey_chart(&rows, 0, None)
        .texts
        .iter()
        .any(|t| t.starts_with("knee")));
}

#[test]
fn fisher_maps_put_each_weight_at_its_pixel_and_pale_the_removed_ones() {
    let (m, rows, cols) = (20, 28, 28);
    let mut fisher = Array2::from_elem((m, rows * cols), 1e-6f32);
    fisher[[2, 5 * cols + 7]] = 1.0; // the largest: the top of the colour scale
    fisher[[3, 0]] = 0.0;
    // The largest scale for 20 maps (no room given).
    let layout = fisher_maps::Layout::fitting(m, (rows, cols), 0.0);
    let picture = |cutoff| {
        let maps = FisherMaps {
            fisher: fisher.view(),
            rows,
            cols,
            cutoff,
        };
        fisher_maps::render(&maps, &layout)
    };
    let kept = picture(1e-7);
    // m = 20: ten tiles a row, 3 screen pixels per weight, tiles 28·3 + 6 wide and 28·3 + 16 tall.
    let at = |unit: usize, r: usize, c: usize| {
        ((unit % 10) * 90 + c * 3 + 1, (unit / 10) * 100 + r * 3 + 1)
    };
    let (x, y) = at(2, 5, 7);
    assert_eq!(kept.pixel(x, y), viridis(1.0));
    let (x0, y0) = at(2, 0, 0);
    assert_eq!(
        kept.pixel(x0, y0),
        viridis(0.0),
        "the smallest positive value"
    );
    let (xz, yz) = at(3, 0, 0);
    assert_eq!(
        kept.pixel(xz, yz),
        shaded([40, 40, 40]),
        "F = 0 is always removed"
    );
    let removed = picture(2.0);
    assert_eq!(removed.pixel(x, y), shaded(viridis(1.0)));
    assert_eq!(removed.rgba.len(), 4 * removed.width * removed.height);
    let units: Vec<&str> = kept
        .labels
        .iter()
        .map(|l| l.text.as_str())
        .filter(|t| t.starts_with("unit"))
        .collect();
    assert_eq!(units.len(), m);
    assert_eq!(units[0], "unit 1");
}

#[test]
fn reconstructions_show_each_image_with_its_mse() {
    let (rows, cols) = (28, 28);
    let originals: Vec<f32> = (0..10 * rows * cols)
        .map(|i| (i % 7) as f32 / 6.0)
        .collect();
    let pruned: Vec<f32> = originals.iter().map(|v| v * 0.5).collect();
    let mse: Vec<f64> = (0..10).map(|k| 0.01 * k as f64).collect();
    let recon_rows = [
        ReconRow {
            label: "original",
            images: &originals,
            mse: None,
        },
        ReconRow {
            label: "Fisher",
            images: &pruned,
            mse: Some(&mse),
        },
    ];
    // Room for scale 2.
    let layout = recon::layout_of(&recon_rows, (rows, cols), 1000.0);
    assert_eq!(layout.scale, 2);
    let picture = recon::render(&recon_rows, &layout);
    // Image k of row r: 150 px of row labels, then tiles 28·2 + 8 wide and 28·2 + 16 tall.
    let at =
        |row: usize, k: usize, r: usize, c: usize| (150 + k * 64 + c * 2, 4 + row * 72 + r * 2);
    for k in [0, 4, 9] {
        for (r, c) in [(0, 0), (13, 21), (27, 27)] {
            let value = originals[k * rows * cols + r * cols + c];
            let (x, y) = at(0, k, r, c);
            assert_eq!(picture.pixel(x, y), ink(value));
            let (x, y) = at(1, k, r, c);
            assert_eq!(picture.pixel(x + 1, y + 1), ink(value * 0.5));
        }
    }
    let texts: Vec<&str> = picture.labels.iter().map(|l| l.text.as_str()).collect();
    assert!(texts.contains(&"original") && texts.contains(&"Fisher"));
    assert!(texts.contains(&"0.0900"));
    assert_eq!(texts.iter().filter(|t| t.starts_with("0.0")).count(), 10);
}

#[test]
fn fine_tuned_points_are_squares_in_their_schemes_colours() {
    use bayes_renorm::finetune::{FineTunePoint, FineTuned};
    let rows = sweep_rows();
    let tuned = [FineTunePoint {
        fraction: 0.75,
        removed: 7500,
        schemes: ["fisher", "random", "magnitude", "saliency"]
            .iter()
            .enumerate()
            .map(|(k, s)| FineTuned {
                scheme: s.to_string(),
                before: 0.1,
                after: 0.03 + 0.01 * k as f64,
                before_accuracy: None,
                after_accuracy: None,
            })
            .collect(),
    }];
    let draw = |fine_tuned| {
        draw_hockey(&HockeyStick {
            fine_tuned,
            ..hockey_of(&rows)
        })
    };
    let with = draw(&tuned);
    let without = draw(&[]);
    assert!(with.has_text("after fine-tuning (squares)"));
    assert!(!without.has_text("after fine-tuning (squares)"));
    // The squares sit at 7,500 of 10,000: the columns that changed above the x axis' title (the
    // key below it gains an entry) lie around 3/4 of the axis.
    let plot_bottom = (with.boxes.iter())
        .find(|b| b.text.starts_with("encoder weights removed"))
        .expect("the x axis title")
        .y0 as u32;
    let changed: Vec<u32> = (0..with.width)
        .filter(|&x| (200..plot_bottom).any(|y| with.pixel(x, y) != without.pixel(x, y)))
        .collect();
    assert!(!changed.is_empty());
    let at_0 = column_of(&without, CUTOFF_RGB).unwrap() as f64;
    let at_end = 800.0 - 12.0;
    let expected = at_0 + 0.75 * (at_end - at_0);
    assert!(
        changed.iter().any(|&x| (x as f64 - expected).abs() < 8.0),
        "{changed:?} near {expected}"
    );
}

#[test]
fn the_soft_flow_chart_draws_its_curves_and_the_current_evidence() {
    use bayes_renorm::plot::soft_flow::{self, SoftFlowChart};
    use bayes_renorm::softflow::SoftFlowPoint;
    let points: Vec<SoftFlowPoint> = [60_000.0, 6000.0, 600.0, 60.0, 6.0, 0.0]
        .iter()
        .enumerate()
        .map(|(k, &n)| SoftFlowPoint {
            evidence: n,
            predictive_mse: 0.026 + 0.0001 * k as f64,
            mean_sample_mse: 0.026 + 0.001 * k as f64,
            washed_out: 5000 + 500 * k,
            washed_out_fraction: (5000 + 500 * k) as f64 / 15680.0,
            unbounded: 0,
        })
        .collect();
    let mut backend = RecordingBackend::new(800, 380);
    let chart = SoftFlowChart {
        points: &points,
        unpruned_mse: 0.026,
        alpha: 2352.0,
        evidence: 600.0,
    };
    soft_flow::draw(&mut backend, &chart).unwrap();
    for label in [
        "posterior-predictive mean",
        "a single draw (mean over draws)",
        "washed out: posterior std > |E*| (right axis)",
        "current n = 600",
        "fraction washed out",
    ] {
        assert!(
            backend.has_text(label),
            "{label} missing from {:?}",
            backend.texts
        );
    }
    assert!(
        column_of(&backend, CUTOFF_RGB).is_some(),
        "the current-evidence line"
    );
}

#[test]
fn the_hockey_stick_draws_the_eigen_shells_and_their_crossing_when_they_have_run() {
    let rows = sweep_rows();
    let eigen: Vec<EigenRow> = (rows.iter())
        .map(|r| EigenRow {
            removed: r.removed,
            fraction: r.fraction,
            eigen_cutoff: Some(0.01),
            // Flat until 90 %, as on the paper's model.
            eigen_mse: if r.removed <= 9000 { 0.02601 } else { 0.11 },
            fisher_mse: r.fisher_loss,
            eigen_accuracy: None,
            fisher_accuracy: None,
        })
        .collect();
    let crossing = EigenCrossing {
        removed: 9400,
        fraction: 0.94,
        eigen_cutoff: Some(0.2),
        mse: 0.0262,
        mse_after: Some(0.0264),
    };
    let draw = |eigen, eigen_crossing| {
        draw_hockey(&HockeyStick {
            eigen,
            eigen_crossing,
            ..hockey_of(&rows)
        })
    };
    let with = draw(&eigen, Some(&crossing));
    let without = draw(&[], None);
    assert!(with.has_text("Fisher eigen-shells (directions removed)"));
    assert!(with.has_text("eigen-shells within 1 % up to 9400 directions"));
    assert!(!without.has_text("Fisher eigen-shells (directions removed)"));
    assert!(
        with.count(EIGEN_RGB) > 500,
        "the eigen line is drawn: {}",
        with.count(EIGEN_RGB)
    );
    assert_eq!(without.count(EIGEN_RGB), 0);
}

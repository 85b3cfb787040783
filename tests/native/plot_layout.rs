//! The charts drawn for the screen: every line and bar chart lays out in any box from 320 to
//! 1000 CSS px wide (and from its least height to 700 tall) with no label over another and none
//! off the canvas; the log histogram is labelled at powers of ten; the counts are whole; the
//! Fisher maps each use the whole colour scale; and `Scaled` draws the same chart at 2× with
//! everything twice as large.

use crate::common;

use bayes_renorm::eigen::run::{EigenCrossing, EigenRow};
use bayes_renorm::finetune::{FineTunePoint, FineTuned};
use bayes_renorm::plot::fisher_hist::{self, FisherBins, FisherHistogram, HistScale};
use bayes_renorm::plot::fisher_maps::{self, FisherMaps};
use bayes_renorm::plot::hockey::{self, HockeyStick};
use bayes_renorm::plot::loss::{self, LossHistory};
use bayes_renorm::plot::picture::viridis;
use bayes_renorm::plot::scaled::Scaled;
use bayes_renorm::plot::soft_flow::{self, SoftFlowChart};
use bayes_renorm::plot::style;
use bayes_renorm::softflow::SoftFlowPoint;
use bayes_renorm::sweep::{Knee, SweepRow};
use common::recording_backend::{RecordingBackend, TextBox};
use ndarray::Array2;

const WIDTHS: [u32; 5] = [320, 400, 560, 800, 1000];
const HEIGHTS: [u32; 5] = [220, 300, 420, 560, 700];

/// Every pair of labels apart, and every label on the canvas.
fn assert_laid_out(chart: &RecordingBackend, what: &str) {
    let boxes: &[TextBox] = &chart.boxes;
    assert!(!boxes.is_empty(), "{what}: no text");
    for b in boxes {
        let inside = b.x0 >= -0.5
            && b.y0 >= -0.5
            && b.x1 <= chart.width as f64 + 0.5
            && b.y1 <= chart.height as f64 + 0.5;
        assert!(inside, "{what}: {b:?} leaves the canvas");
    }
    for (i, a) in boxes.iter().enumerate() {
        for b in &boxes[i + 1..] {
            assert!(!a.overlaps(b), "{what}: {a:?} overlaps {b:?}");
        }
    }
}

fn histogram(values: &[f32], scale: HistScale, (w, h): (u32, u32)) -> RecordingBackend {
    let mut backend = RecordingBackend::new(w, h);
    let bins = FisherBins::of(values);
    let chart = FisherHistogram {
        bins: &bins,
        scale,
        cutoff: 1e-4,
        knee: Some(3e-3),
    };
    fisher_hist::draw(&mut backend, &chart).unwrap();
    backend
}

fn sweep_rows(total: usize, accuracy: bool) -> Vec<SweepRow> {
    (0..=10)
        .map(|i| {
            let removed = i * total / 10;
            let hockey = 0.026 + 0.09 * ((i as f64 - 6.0).max(0.0) / 4.0).powi(2);
            let score = |v: f64| accuracy.then_some(0.98 - v);
            SweepRow {
                cutoff: i as f32 * 0.2,
                removed,
                fraction: removed as f64 / total as f64,
                fisher_loss: hockey,
                random_loss_mean: Some(0.026 + 0.0088 * i as f64),
                random_loss_std: Some(0.002),
                random_loss: vec![0.026 + 0.0088 * i as f64; 2],
                magnitude_loss: Some(hockey * 1.05),
                saliency_loss: Some(hockey * 0.98),
                fisher_accuracy: score(hockey),
                random_accuracy_mean: score(0.0088 * i as f64),
                random_accuracy_std: accuracy.then_some(0.002),
                magnitude_accuracy: score(hockey * 1.05),
                saliency_accuracy: score(hockey * 0.98),
                ..SweepRow::default()
            }
        })
        .collect()
}

/// The fullest hockey stick: every scheme, the eigen-shells and their crossing, fine-tuning,
/// the knee, and (for the classifier) the accuracy panel.
fn full_hockey((w, h): (u32, u32), classifier: bool) -> RecordingBackend {
    let total = 15_680;
    let rows = sweep_rows(total, classifier);
    let eigen: Vec<EigenRow> = (rows.iter())
        .map(|r| EigenRow {
            removed: r.removed,
            fraction: r.fraction,
            eigen_cutoff: Some(0.01),
            eigen_mse: if r.fraction <= 0.9 { 0.02601 } else { 0.11 },
            fisher_mse: r.fisher_loss,
            eigen_accuracy: classifier.then_some(0.97),
            fisher_accuracy: r.fisher_accuracy,
        })
        .collect();
    let crossing = EigenCrossing {
        removed: 14_100,
        fraction: 0.9,
        eigen_cutoff: Some(0.2),
        mse: 0.0262,
        mse_after: Some(0.0264),
    };
    let tuned = [FineTunePoint {
        fraction: 0.75,
        removed: 11_760,
        schemes: ["fisher", "random", "magnitude", "saliency"]
            .iter()
            .map(|s| FineTuned {
                scheme: s.to_string(),
                before: 0.1,
                after: 0.03,
                before_accuracy: classifier.then_some(0.9),
                after_accuracy: classifier.then_some(0.96),
            })
            .collect(),
    }];
    let knee = Knee {
        cutoff: 1.2e-5,
        removed: 9408,
        fraction: 0.6,
        loss: 0.026,
        unpruned_loss: 0.026,
        tolerance: 0.01,
        accuracy: classifier.then_some(0.975),
    };
    let chart = HockeyStick {
        rows: &rows,
        total,
        loss_name: if classifier { "cross-entropy" } else { "MSE" },
        layer_name: if classifier { "first-layer" } else { "encoder" },
        unpruned_loss: 0.026,
        unpruned_accuracy: classifier.then_some(0.98),
        knee: Some(&knee),
        tolerance: 0.01,
        current_removed: 4704,
        fine_tuned: &tuned,
        eigen: &eigen,
        eigen_crossing: Some(&crossing),
    };
    let mut backend = RecordingBackend::new(w, h);
    hockey::draw(&mut backend, &chart).unwrap();
    backend
}

fn loss_chart((w, h): (u32, u32), classifier: bool) -> RecordingBackend {
    let losses: Vec<f64> = (0..600)
        .map(|i| 0.03 + 0.08 * (-(i as f64) / 50.0).exp())
        .collect();
    let accuracy = [0.91, 0.95, 0.96, 0.97, 0.975];
    let history = LossHistory {
        batch_losses: &losses,
        batches_per_epoch: 100,
        epochs: 10,
        loss_name: if classifier { "cross-entropy" } else { "MSE" },
        test_loss: &[0.05, 0.04, 0.035, 0.033, 0.032],
        test_accuracy: if classifier { &accuracy } else { &[] },
    };
    let mut backend = RecordingBackend::new(w, h);
    loss::draw(&mut backend, &history).unwrap();
    backend
}

fn soft_flow_chart((w, h): (u32, u32)) -> RecordingBackend {
    let points: Vec<SoftFlowPoint> = [60_000.0, 6000.0, 600.0, 60.0, 6.0, 0.0]
        .iter()
        .enumerate()
        .map(|(k, &n)| SoftFlowPoint {
            evidence: n,
            predictive_mse: 0.026 * 3f64.powi(k as i32),
            mean_sample_mse: 0.03 * 4f64.powi(k as i32),
            washed_out: 5000 + 500 * k,
            washed_out_fraction: (5000 + 500 * k) as f64 / 15680.0,
            unbounded: 0,
        })
        .collect();
    let chart = SoftFlowChart {
        points: &points,
        unpruned_mse: 0.026,
        alpha: 2352.0,
        evidence: 600.0,
    };
    let mut backend = RecordingBackend::new(w, h);
    soft_flow::draw(&mut backend, &chart).unwrap();
    backend
}

#[test]
fn every_chart_lays_out_without_overlapping_labels_from_phone_to_desktop() {
    let values = common::fisher_like_values(4, 3000);
    for w in WIDTHS {
        for h in HEIGHTS {
            let size = (w, h);
            for scale in [HistScale::Linear, HistScale::Log] {
                assert_laid_out(
                    &histogram(&values, scale, size),
                    &format!("{scale:?} {size:?}"),
                );
            }
            assert_laid_out(&full_hockey(size, false), &format!("hockey {size:?}"));
            assert_laid_out(&loss_chart(size, false), &format!("loss {size:?}"));
            assert_laid_out(&soft_flow_chart(size), &format!("soft flow {size:?}"));
            // The classifier's charts have a second panel: the page gives them a taller box.
            if h >= 420 {
                assert_laid_out(
                    &full_hockey(size, true),
                    &format!("classifier hockey {size:?}"),
                );
            }
            if h >= 420 {
                assert_laid_out(
                    &loss_chart(size, true),
                    &format!("classifier loss {size:?}"),
                );
            }
        }
    }
}

#[test]
fn a_narrow_chart_shortens_its_labels_and_a_wide_one_keeps_them() {
    let wide = full_hockey((1000, 560), false);
    let narrow = full_hockey((320, 300), false);
    assert!(wide.has_text("Fisher (information shells)"));
    assert!(wide.has_text("encoder weights removed (of 15680)"));
    assert!(narrow.has_text("Fisher") && !narrow.has_text("Fisher (information shells)"));
    // Fewer ticks on a narrow axis.
    let numbers = |chart: &RecordingBackend| {
        (chart.texts.iter())
            .filter(|t| t.parse::<f64>().is_ok())
            .count()
    };
    assert!(numbers(&narrow) < numbers(&wide));
}

#[test]
fn the_log_histogram_is_labelled_at_clean_powers_of_ten() {
    let values = common::fisher_like_values(4, 3000);
    for size in [(320, 260), (560, 300), (800, 360), (1000, 700)] {
        let chart = histogram(&values, HistScale::Log, size);
        // The x labels: the numbers in exponent form (the counts are whole numbers).
        let mut powers: Vec<&TextBox> = (chart.boxes.iter())
            .filter(|b| b.text.parse::<f64>().is_ok() && b.text.contains('e'))
            .collect();
        assert!(powers.len() >= 3, "{size:?}: {:?}", chart.texts);
        for b in &powers {
            let exponent = b
                .text
                .strip_prefix("1e")
                .and_then(|e| e.parse::<i32>().ok());
            assert!(
                exponent.is_some_and(|k| format!("1e{k}") == b.text),
                "{size:?}: {:?} is not a power of ten",
                b.text
            );
        }
        powers.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        let exponents: Vec<i32> = (powers.iter())
            .map(|b| b.text[2..].parse().unwrap())
            .collect();
        assert!(exponents.windows(2).all(|k| k[0] < k[1]), "{exponents:?}");
        for pair in powers.windows(2) {
            assert!(pair[0].x1 < pair[1].x0, "{size:?}: {pair:?} touch");
        }
    }
}

#[test]
fn the_histograms_counts_are_whole_numbers_clear_of_the_axis_title() {
    let values = common::fisher_like_values(4, 3000);
    for scale in [HistScale::Linear, HistScale::Log] {
        let chart = histogram(&values, scale, (800, 360));
        let title = (chart.boxes.iter())
            .find(|b| b.text == "weights")
            .expect("the y axis title");
        // The x labels share one baseline; each count label has its own.
        let numbers: Vec<&TextBox> = (chart.boxes.iter())
            .filter(|b| b.text.parse::<f64>().is_ok())
            .collect();
        let in_row = |b: &TextBox| numbers.iter().filter(|o| o.y0 == b.y0).count();
        let counts: Vec<&TextBox> = (numbers.iter().copied())
            .filter(|b| in_row(b) == 1)
            .collect();
        assert!(counts.len() >= 3, "{:?}", chart.texts);
        for b in counts {
            assert!(b.text.parse::<u64>().is_ok(), "{:?} is not whole", b.text);
            assert!(title.x1 < b.x0, "{title:?} reaches {b:?}");
        }
    }
}

#[test]
fn each_fisher_map_spans_the_whole_colour_scale_whatever_its_magnitude() {
    // Unit 1's values are 1e-9..1e-7, unit 2's 1e-2..1: on one shared scale unit 1 would be all
    // of the bottom colour.
    let (rows, cols) = (4, 5);
    let mut fisher = Array2::zeros((2, rows * cols));
    for i in 0..rows * cols {
        let t = i as f64 / (rows * cols - 1) as f64;
        fisher[[0, i]] = 10f64.powf(-9.0 + 2.0 * t) as f32;
        fisher[[1, i]] = 10f64.powf(-2.0 + 2.0 * t) as f32;
    }
    let layout = fisher_maps::Layout::new(2, (rows, cols), 3);
    let picture = fisher_maps::render(
        &FisherMaps {
            fisher: fisher.view(),
            rows,
            cols,
            cutoff: 0.0,
        },
        &layout,
    );
    // Two tiles, 3 px a weight, 5·3 + 6 px apart.
    let at = |unit: usize, i: usize| (unit * 21 + (i % cols) * 3 + 1, (i / cols) * 3 + 1);
    for unit in 0..2 {
        let (x, y) = at(unit, 0);
        assert_eq!(picture.pixel(x, y), viridis(0.0), "unit {unit}'s least F");
        let (x, y) = at(unit, rows * cols - 1);
        assert_eq!(picture.pixel(x, y), viridis(1.0), "unit {unit}'s largest F");
        // Halfway in log F is halfway along the scale.
        let middle = (rows * cols - 1) / 2;
        let t = middle as f64 / (rows * cols - 1) as f64;
        let (x, y) = at(unit, middle);
        assert_eq!(picture.pixel(x, y), viridis(t));
    }
    let texts: Vec<&str> = picture.labels.iter().map(|l| l.text.as_str()).collect();
    assert!(
        texts.contains(&"each map on its own log scale"),
        "{texts:?}"
    );
}

#[test]
fn scaled_draws_the_same_chart_at_twice_the_pixels() {
    let mut dense = RecordingBackend::new(800, 600);
    {
        let total = 15_680;
        let rows = sweep_rows(total, false);
        let chart = HockeyStick {
            rows: &rows,
            total,
            loss_name: "MSE",
            layer_name: "encoder",
            unpruned_loss: 0.026,
            unpruned_accuracy: None,
            knee: None,
            tolerance: 0.01,
            current_removed: 4704,
            fine_tuned: &[],
            eigen: &[],
            eigen_crossing: None,
        };
        let mut one = RecordingBackend::new(400, 300);
        hockey::draw(&mut one, &chart).unwrap();
        let scaled = Scaled::new(&mut dense, 2.0);
        assert_eq!(
            plotters_backend::DrawingBackend::get_size(&scaled),
            (400, 300)
        );
        hockey::draw(scaled, &chart).unwrap();
        // The same labels, in the same order, each twice as large and twice as far.
        assert_eq!(one.texts, dense.texts);
        for (a, b) in one.boxes.iter().zip(&dense.boxes) {
            assert!(
                (2.0 * (a.x1 - a.x0) - (b.x1 - b.x0)).abs() < 1.0,
                "{a:?} {b:?}"
            );
            assert!((2.0 * a.x0 - b.x0).abs() <= 2.0, "{a:?} {b:?}");
            assert!((2.0 * a.y0 - b.y0).abs() <= 2.0, "{a:?} {b:?}");
        }
        // The current cutoff's line (2 px black) at twice the column and twice as wide.
        let black_columns = |chart: &RecordingBackend| -> Vec<u32> {
            (0..chart.width)
                .filter(|&x| {
                    let run = (0..chart.height)
                        .filter(|&y| chart.pixel(x, y) == [0, 0, 0])
                        .count();
                    run as u32 > chart.height / 3
                })
                .collect()
        };
        let (thin, wide) = (black_columns(&one), black_columns(&dense));
        assert!(!thin.is_empty());
        let (n, m) = (thin.len() as i64, wide.len() as i64);
        assert!((m - 2 * n).abs() <= 1, "{thin:?} {wide:?}");
        assert!((wide[0] as i64 - 2 * thin[0] as i64).abs() <= 2);
    }
}

#[test]
fn the_palette_is_okabe_itos_and_fisher_and_magnitude_differ_under_deuteranopia() {
    let rgb = |c: plotters::style::RGBColor| [c.0, c.1, c.2];
    assert_eq!(rgb(style::FISHER), [0x00, 0x72, 0xB2]);
    assert_eq!(rgb(style::RANDOM), [0xD5, 0x5E, 0x00]);
    assert_eq!(rgb(style::SALIENCY), [0x00, 0x9E, 0x73]);
    assert_eq!(rgb(style::CURRENT), [0, 0, 0]);
    // Deuteranopia as Viénot, Brettel and Mollon (1999) simulate it, in linear RGB.
    let linear = |v: u8| {
        let c = v as f64 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let deuteranope = |c: [u8; 3]| {
        let [r, g, b] = c.map(linear);
        [
            0.29275 * r + 0.70725 * g,
            0.29275 * r + 0.70725 * g,
            -0.02234 * r + 0.02234 * g + b,
        ]
    };
    let distance = |a: [f64; 3], b: [f64; 3]| {
        (a.iter().zip(&b))
            .map(|(x, y)| (x - y).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let schemes = [
        style::FISHER,
        style::RANDOM,
        style::MAGNITUDE,
        style::SALIENCY,
    ];
    for (i, a) in schemes.iter().enumerate() {
        for b in &schemes[i + 1..] {
            let d = distance(deuteranope(rgb(*a)), deuteranope(rgb(*b)));
            assert!(d > 0.1, "{a:?} and {b:?} are {d:.3} apart to a deuteranope");
        }
    }
    let fisher_magnitude = distance(
        deuteranope(rgb(style::FISHER)),
        deuteranope(rgb(style::MAGNITUDE)),
    );
    let fisher_purple = distance(
        deuteranope(rgb(style::FISHER)),
        deuteranope(rgb(style::REDDISH_PURPLE)),
    );
    assert!(fisher_magnitude > fisher_purple);
}

//! Charts that answer a pointer: each hit test lays its chart out again from the box's size and
//! the data, by the chart's own layout code, and reads the point. Checked against what the
//! chart drew: the axis labels' positions on the recording backend, the picture's pixels, and
//! counts and interpolations done by hand.

use crate::common;

use bayes_renorm::plot::confusion;
use bayes_renorm::plot::fisher_hist::{self, FisherBins, FisherHistogram, HistScale};
use bayes_renorm::plot::fisher_maps::{self, log_range, FisherMaps};
use bayes_renorm::plot::hockey::{self, HockeyStick};
use bayes_renorm::plot::measure::Measure;
use bayes_renorm::plot::picture::{ink, scale_to_fit, viridis};
use bayes_renorm::plot::predictions::{self, Spot};
use bayes_renorm::plot::recon::{self, ReconRow};
use bayes_renorm::rng::Rng;
use bayes_renorm::summary::unit_fisher;
use bayes_renorm::sweep::{scores_at, Bracket, SweepRow};
use common::recording_backend::{RecordingBackend, TextBox};
use ndarray::Array2;

/// The centre of the drawn label `text` (plotters centres tick labels on their tick).
fn label_centre(chart: &RecordingBackend, text: &str) -> Option<(f64, f64)> {
    (chart.boxes.iter())
        .find(|b| b.text == text)
        .map(|b: &TextBox| ((b.x0 + b.x1) / 2.0, (b.y0 + b.y1) / 2.0))
}

fn row(removed: usize, fisher: f64, magnitude: Option<f64>) -> SweepRow {
    SweepRow {
        removed,
        fraction: removed as f64 / 1000.0,
        fisher_loss: fisher,
        magnitude_loss: magnitude,
        random_loss_mean: Some(2.0 * fisher),
        random_loss_std: Some(0.5),
        ..SweepRow::default()
    }
}

#[test]
fn the_sweep_is_read_exactly_at_a_swept_count_and_linearly_between_two() {
    let rows = [
        row(0, 0.10, Some(0.10)),
        row(200, 0.20, Some(0.30)),
        row(600, 0.60, None),
        row(1000, 1.40, Some(2.0)),
    ];
    // At a swept count: that row.
    let at = scores_at(&rows, 200, 1000);
    assert!(at.swept);
    assert_eq!((at.fisher, at.magnitude), (Some(0.20), Some(0.30)));
    // 300 is a quarter of the way from 200 to 600: 0.20 + 0.25 · 0.40 = 0.30.
    let between = scores_at(&rows, 300, 1000);
    assert!(!between.swept);
    assert!((between.fisher.unwrap() - 0.30).abs() < 1e-12);
    assert!((between.random.unwrap() - 0.60).abs() < 1e-12);
    assert_eq!(between.random_std, Some(0.5));
    assert_eq!(between.fraction, 0.3);
    // Magnitude was not scored at 600: nothing to read between 200 and 600, nor 600 and 1000.
    assert_eq!(between.magnitude, None);
    assert_eq!(scores_at(&rows, 700, 1000).magnitude, None);
    // 900: 0.60 + 0.75 · 0.80 = 1.20.
    assert!((scores_at(&rows, 900, 1000).fisher.unwrap() - 1.20).abs() < 1e-12);
    // The ends, and past them.
    assert_eq!(scores_at(&rows, 0, 1000).fisher, Some(0.10));
    assert_eq!(scores_at(&rows, 1000, 1000).fisher, Some(1.40));
    assert_eq!(scores_at(&rows, 1001, 1000).fisher, None);
    assert_eq!(scores_at(&rows[1..], 100, 1000).fisher, None);
    // A repeated count reads its first row.
    let repeated = [row(0, 0.1, None), row(5, 0.2, None), row(5, 0.3, None)];
    assert_eq!(
        Bracket::find(&repeated, |r| r.removed, 5),
        Some(Bracket::At(1))
    );
}

fn sweep_rows(total: usize, accuracy: bool) -> Vec<SweepRow> {
    (0..=10)
        .map(|i| {
            let removed = i * total / 10;
            let hockey = 0.026 + 0.09 * ((i as f64 - 6.0).max(0.0) / 4.0).powi(2);
            SweepRow {
                removed,
                fraction: removed as f64 / total as f64,
                fisher_loss: hockey,
                random_loss_mean: Some(0.026 + 0.0088 * i as f64),
                random_loss_std: Some(0.002),
                magnitude_loss: Some(hockey * 1.05),
                fisher_accuracy: accuracy.then_some(0.98 - hockey),
                ..SweepRow::default()
            }
        })
        .collect()
}

fn hockey_of(rows: &[SweepRow], total: usize, accuracy: bool) -> HockeyStick<'_> {
    HockeyStick {
        rows,
        total,
        loss_name: "MSE",
        layer_name: "encoder",
        unpruned_loss: 0.026,
        unpruned_accuracy: accuracy.then_some(0.98),
        knee: None,
        tolerance: 0.01,
        current_removed: total / 3,
        fine_tuned: &[],
        eigen: &[],
        eigen_crossing: None,
    }
}

fn removed_at(chart: &HockeyStick, size: (u32, u32), point: (f64, f64)) -> Option<usize> {
    let mut measured = RecordingBackend::new(size.0, size.1);
    hockey::removed_at(Measure::new(&mut measured, size), chart, point).unwrap()
}

#[test]
fn the_hockey_stick_reads_zero_at_its_left_edge_and_every_weight_at_its_right() {
    let total = 10_000;
    let rows = sweep_rows(total, false);
    for size in [(800, 420), (400, 300), (1000, 700)] {
        let chart = hockey_of(&rows, total, false);
        let mut drawn = RecordingBackend::new(size.0, size.1);
        hockey::draw(&mut drawn, &chart).unwrap();
        // The fraction axis along the top labels the plot's two ends.
        let (left, top) = label_centre(&drawn, "0 %").expect("the fraction axis");
        let (right, _) = label_centre(&drawn, "100 %").unwrap();
        let middle = size.1 as f64 / 2.0;
        assert_eq!(
            removed_at(&chart, size, (left, middle)),
            Some(0),
            "{size:?}"
        );
        assert_eq!(
            removed_at(&chart, size, (right, middle)),
            Some(total),
            "{size:?}"
        );
        // A tick between, within two pixels' worth of weights (plotters rounds where it puts
        // its labels).
        let per_pixel = 2.0 * total as f64 / (right - left);
        for tick in [2000, 5000, 8000] {
            if let Some((x, _)) = label_centre(&drawn, &tick.to_string()) {
                let read = removed_at(&chart, size, (x, middle)).unwrap() as f64;
                assert!((read - tick as f64).abs() <= per_pixel, "{read} at {tick}");
            }
        }
        // Off the plot: left of it, right of it, above it (the fraction axis' labels) and in the
        // key below.
        assert_eq!(removed_at(&chart, size, (left - 2.0, middle)), None);
        assert_eq!(removed_at(&chart, size, (right + 2.0, middle)), None);
        assert_eq!(removed_at(&chart, size, ((left + right) / 2.0, top)), None);
        assert_eq!(
            removed_at(&chart, size, (left + 5.0, size.1 as f64 - 3.0)),
            None
        );
    }
    // The current cutoff moves nothing: the pointer reads the same wherever it is.
    let chart = hockey_of(&rows, total, false);
    for x in [100.0, 333.0, 700.0] {
        let read = |current_removed| {
            let chart = HockeyStick {
                current_removed,
                ..chart
            };
            removed_at(&chart, (800, 420), (x, 200.0))
        };
        assert_eq!(read(0), read(total));
    }
}

#[test]
fn the_classifiers_hockey_stick_reads_the_pointer_in_either_panel() {
    let total = 10_000;
    let rows = sweep_rows(total, true);
    let chart = hockey_of(&rows, total, true);
    let size = (800, 680);
    let mut drawn = RecordingBackend::new(size.0, size.1);
    hockey::draw(&mut drawn, &chart).unwrap();
    let (left, _) = label_centre(&drawn, "0 %").unwrap();
    let (right, _) = label_centre(&drawn, "100 %").unwrap();
    // The loss panel has the top three fifths, the accuracy panel the rest above the key; their
    // x axes line up, so one x reads the same count in both.
    for x in [left, left + 0.5 * (right - left), right] {
        let loss = removed_at(&chart, size, (x, 200.0)).expect("in the loss panel");
        let accuracy = removed_at(&chart, size, (x, 480.0)).expect("in the accuracy panel");
        assert_eq!(loss, accuracy);
    }
    assert_eq!(removed_at(&chart, size, (left, 480.0)), Some(0));
    assert_eq!(removed_at(&chart, size, (right, 480.0)), Some(total));
    // The lower panel's own tick labels: 0 at its left end.
    let zeros: Vec<&TextBox> = drawn.boxes.iter().filter(|b| b.text == "0").collect();
    assert_eq!(zeros.len(), 2, "one under each panel");
    for b in zeros {
        let x = (b.x0 + b.x1) / 2.0;
        assert_eq!(x, left);
    }
}

fn histogram_chart(bins: &FisherBins, scale: HistScale, cutoff: f32) -> FisherHistogram<'_> {
    FisherHistogram {
        bins,
        scale,
        cutoff,
        knee: Some(1e-3),
    }
}

#[test]
fn the_histogram_reads_the_bin_under_the_pointer() {
    let values = common::fisher_like_values(7, 3000);
    let bins = FisherBins::of(&values);
    let size = (800, 360);
    for scale in [HistScale::Linear, HistScale::Log] {
        let chart = histogram_chart(&bins, scale, 1e-4);
        let mut drawn = RecordingBackend::new(size.0, size.1);
        fisher_hist::draw(&mut drawn, &chart).unwrap();
        // The x axis from its tick labels: value against pixel (log10 of it on the log axis).
        let axis = |v: f64| match scale {
            HistScale::Linear => v,
            HistScale::Log => v.log10(),
        };
        // The x tick labels: the numbers sharing one baseline (each count has its own).
        let numbers: Vec<&TextBox> = (drawn.boxes.iter())
            .filter(|b| b.text.parse::<f64>().is_ok())
            .collect();
        let in_row = |b: &TextBox| numbers.iter().filter(|o| o.y0 == b.y0).count();
        let ticks: Vec<(f64, f64)> = (numbers.iter())
            .filter(|b| in_row(b) > 1)
            .map(|b| ((b.x0 + b.x1) / 2.0, axis(b.text.parse::<f64>().unwrap())))
            .collect();
        assert!(ticks.len() >= 2, "{scale:?}: {:?}", drawn.texts);
        let ((x0, v0), (x1, v1)) = (ticks[0], ticks[ticks.len() - 1]);
        let value_at = |x: f64| v0 + (x - x0) * (v1 - v0) / (x1 - x0);
        let per_pixel = (v1 - v0) / (x1 - x0);
        let histogram = bins.get(scale);
        let last = histogram.counts.len() - 1;
        let mut seen = vec![];
        for x in (0..size.0).map(|x| x as f64 + 0.5) {
            let measured = RecordingBackend::new(size.0, size.1);
            let mut measured = measured;
            let at = fisher_hist::bin_at(Measure::new(&mut measured, size), &chart, (x, 150.0));
            let Some(i) = at.unwrap() else { continue };
            seen.push(i);
            let (from, to) = (histogram.edges[i], histogram.edges[i + 1]);
            // The bin holds the value under the pointer, give or take two pixels.
            let v = value_at(x);
            assert!(
                axis(from) - 2.0 * per_pixel <= v && v <= axis(to) + 2.0 * per_pixel,
                "{scale:?}: x = {x}: {v} not in bin {i} [{from}, {to})"
            );
            // Its count is the values in [from, to) (the last bin closed), counted here.
            let counted = (values.iter())
                .map(|&v| v as f64)
                .filter(|&v| scale == HistScale::Linear || v > 0.0)
                .filter(|&v| from <= v && (v < to || (i == last && v <= to)))
                .count() as u64;
            assert_eq!(counted, histogram.counts[i], "{scale:?} bin {i}");
        }
        // Left to right, every bin once, in order.
        seen.dedup();
        assert_eq!(seen, (0..=last).collect::<Vec<_>>(), "{scale:?}");
        let mut measured = RecordingBackend::new(size.0, size.1);
        let outside = fisher_hist::bin_at(Measure::new(&mut measured, size), &chart, (3.0, 3.0));
        assert_eq!(outside.unwrap(), None);
        // The cutoff does not move the plot.
        let far = histogram_chart(&bins, scale, 0.0);
        for x in [200.0, 500.0] {
            let read = |chart: &FisherHistogram| {
                let mut measured = RecordingBackend::new(size.0, size.1);
                fisher_hist::bin_at(Measure::new(&mut measured, size), chart, (x, 150.0)).unwrap()
            };
            assert_eq!(read(&chart), read(&far));
        }
    }
}

#[test]
fn the_fisher_maps_read_the_weight_under_the_pointer_at_either_scale() {
    let (m, rows, cols) = (20, 28, 28);
    let mut rng = Rng::new(11, 2, 0);
    let fisher = Array2::from_shape_fn((m, rows * cols), |_| {
        if rng.below(9) == 0 {
            0.0
        } else {
            10f64.powf(-8.0 + 8.0 * rng.next_f64()) as f32
        }
    });
    let maps = FisherMaps {
        fisher: fisher.view(),
        rows,
        cols,
        cutoff: 0.0,
    };
    // No room given: 20 maps at 3 px a pixel; 500 px: 10 a row of 28 + 6 px fit only at 1.
    for (room, scale) in [(0.0, 3), (2000.0, 3), (500.0, 1), (700.0, 2)] {
        let layout = fisher_maps::Layout::fitting(m, (rows, cols), room);
        assert_eq!(layout.scale, scale, "room {room}");
        let picture = fisher_maps::render(&maps, &layout);
        assert!(room == 0.0 || picture.width as f64 <= room);
        let (tile_w, tile_h) = (cols * scale + 6, rows * scale + 16);
        for j in [0, 7, 13, 19] {
            let range = log_range(fisher.row(j).iter().copied());
            for (r, c) in [(0, 0), (5, 17), (27, 27), (14, 3)] {
                // The centre of the weight's block, by hand.
                let x = (j % 10) * tile_w + c * scale;
                let y = (j / 10) * tile_h + r * scale;
                let centre = (x as f64 + scale as f64 / 2.0, y as f64 + scale as f64 / 2.0);
                assert_eq!(layout.weight_at(centre.0, centre.1), Some((j, r, c)));
                // The picture shows that weight's F there.
                let f = fisher[[j, r * cols + c]];
                if f > 0.0 {
                    let t = ((f as f64).log10() - range.0) / (range.1 - range.0);
                    assert_eq!(picture.pixel(x, y), viridis(t), "unit {j} ({r}, {c})");
                }
            }
        }
        // The gap right of a map, the label below it, and the colour bar: no weight.
        assert_eq!(layout.weight_at((cols * scale + 2) as f64, 5.0), None);
        assert_eq!(layout.weight_at(5.0, (rows * scale + 4) as f64), None);
        assert_eq!(layout.weight_at(5.0, (2 * tile_h + 8) as f64), None);
    }
}

fn digits(count: usize, n: usize, shift: usize) -> Vec<f32> {
    (0..count * n)
        .map(|i| ((i + shift) % 11) as f32 / 10.0)
        .collect()
}

#[test]
fn the_reconstructions_take_scale_one_where_scale_two_does_not_fit() {
    let (rows, cols) = (28, 28);
    let images: Vec<Vec<f32>> = (0..5).map(|s| digits(10, rows * cols, s)).collect();
    let mse: Vec<f64> = (0..10).map(|k| 0.001 * k as f64).collect();
    let labels = ["original", "Fisher", "random", "magnitude", "saliency"];
    let recon_rows: Vec<ReconRow> = (labels.iter().zip(&images))
        .map(|(&label, images)| ReconRow {
            label,
            images,
            mse: (label != "original").then_some(&mse[..]),
        })
        .collect();
    // At 2: 150 px of labels and ten digits of 28·2 + 8 px: 790 wide.
    assert_eq!(
        recon::layout_of(&recon_rows, (rows, cols), 790.0).size(),
        (790, 364)
    );
    let layout = recon::layout_of(&recon_rows, (rows, cols), 789.0);
    assert_eq!(layout.scale, 1);
    // At 1: 80 px of labels ("magnitude" is 9 characters, 7 px each and 10 spare) and ten
    // digits of 28 + 12 px; five rows of 28 + 16 px below 4 px.
    assert_eq!(layout.size(), (80 + 10 * 40, 4 + 5 * 44));
    let picture = recon::render(&recon_rows, &layout);
    assert_eq!((picture.width, picture.height), (480, 224));
    for (row, shown) in images.iter().enumerate() {
        for k in [0, 3, 9] {
            for (r, c) in [(0, 0), (9, 20), (27, 27)] {
                let (x, y) = (80 + k * 40 + c, 4 + row * 44 + r);
                let centre = (x as f64 + 0.5, y as f64 + 0.5);
                assert_eq!(layout.digit_at(centre.0, centre.1), Some((row, k)));
                let value = shown[k * rows * cols + r * cols + c];
                assert_eq!(picture.pixel(x, y), ink(value));
            }
        }
    }
    // The row labels, the MSE under a digit, and the gap after it: no digit.
    assert_eq!(layout.digit_at(40.0, 20.0), None);
    assert_eq!(layout.digit_at(90.0, (4 + 44 + 28 + 6) as f64), None);
    assert_eq!(layout.digit_at((80 + 28 + 3) as f64, 20.0), None);
    assert_eq!(layout.digit_at(479.0, 223.0), None);
    // The MSE labels stay apart: centres 40 px apart for five-character numbers.
    let centres: Vec<f64> = (picture.labels.iter())
        .filter(|l| l.text.starts_with("0.00"))
        .map(|l| l.x)
        .take(2)
        .collect();
    assert_eq!(centres[1] - centres[0], 40.0);
}

#[test]
fn the_picture_scale_is_the_largest_that_fits() {
    let width = |scale: usize| 100 + 300 * scale;
    assert_eq!(scale_to_fit(3, 1000.0, width), 3);
    assert_eq!(scale_to_fit(3, 999.0, width), 2);
    assert_eq!(scale_to_fit(3, 400.0, width), 1);
    assert_eq!(scale_to_fit(3, 10.0, width), 1, "never below 1");
    assert_eq!(scale_to_fit(3, 0.0, width), 3, "a hidden box: the largest");
}

#[test]
fn predictions_and_the_confusion_matrix_read_the_cell_under_the_pointer() {
    let (rows, cols) = (28, 28);
    for (room, scale, label_width, gap) in [(0.0, 2, 150, 14), (700.0, 1, 90, 34)] {
        let layout = predictions::Layout::fitting(10, (rows, cols), 5, room);
        assert_eq!(layout.scale, scale);
        let pitch = cols * scale + gap;
        assert_eq!(layout.size().0, label_width + 10 * pitch);
        // Digit 4's middle pixel; the answer cells are a pitch wide, centred under each digit.
        let x = (label_width + 4 * pitch + cols * scale / 2) as f64;
        assert_eq!(
            layout.spot_at(x, 4.0 + 14.0 * scale as f64),
            Some(Spot::Digit(4))
        );
        let answers_top = 4 + rows * scale + 16;
        let y = (answers_top + 2 * 22 + 11) as f64;
        let spot = Some(Spot::Answer {
            answer: 2,
            digit: 4,
        });
        assert_eq!(layout.spot_at(x, y), spot);
        // Half a gap left of digit 4 is still its cell.
        let edge = (label_width + 4 * pitch - gap / 2) as f64 + 0.5;
        assert_eq!(layout.spot_at(edge, y), spot);
        assert_eq!(layout.spot_at(20.0, y), None, "the row labels");
        assert_eq!(layout.spot_at(x, (answers_top + 5 * 22 + 1) as f64), None);
    }
    // Ten classes: 40 px cells from (70, 44).
    for (t, p) in [(0, 0), (3, 8), (9, 9)] {
        let (x, y) = (70.0 + 40.0 * p as f64 + 20.0, 44.0 + 40.0 * t as f64 + 20.0);
        assert_eq!(confusion::cell_at(10, x, y), Some((t, p)));
    }
    assert_eq!(confusion::cell_at(10, 60.0, 100.0), None);
    assert_eq!(confusion::cell_at(10, 100.0, 30.0), None);
    assert_eq!(confusion::cell_at(10, 471.0, 100.0), None);
    assert_eq!(confusion::size(10), (478, 452));
}

#[test]
fn the_maps_table_gives_each_units_range_counted_by_hand() {
    let fisher = Array2::from_shape_vec(
        (2, 5),
        vec![0.0, 3.0, 1e-6, 0.0, 2.0, 5.0, 1.0, 4.0, 2.0, 3.0f32],
    )
    .unwrap();
    let units = unit_fisher(fisher.view());
    assert_eq!(units.len(), 2);
    // Unit 0: two zeros; sorted 0, 0, 1e-6, 2, 3.
    assert_eq!(units[0].unit, 0);
    assert_eq!(units[0].least, Some(1e-6f32 as f64));
    assert_eq!((units[0].median, units[0].largest), (1e-6f32 as f64, 3.0));
    assert_eq!(units[0].zeros, 2);
    // Unit 1: sorted 1, 2, 3, 4, 5.
    assert_eq!((units[1].least, units[1].median), (Some(1.0), 3.0));
    assert_eq!((units[1].largest, units[1].zeros), (5.0, 0));
    let silent = unit_fisher(Array2::zeros((1, 4)).view());
    assert_eq!((silent[0].least, silent[0].zeros), (None, 4));
}

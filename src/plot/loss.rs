//! The training chart: the train loss of every batch (faint), its running average (solid), and
//! the test loss at the end of each epoch, against epochs, on a log axis; for the classifier, a
//! panel below with the test accuracy of each epoch.

use plotters::prelude::*;

use super::style::{legend, BLUE as TRAIN, FONT, GREEN as ACCURACY, ORANGE as TEST};
use super::DrawResult;

/// What the chart shows. `epochs` is the planned length, so the x axis does not rescale as the
/// run goes on.
#[derive(Clone, Copy, Debug)]
pub struct LossHistory<'a> {
    pub batch_losses: &'a [f64],
    pub batches_per_epoch: usize,
    pub epochs: usize,
    /// What the loss is: "MSE" or "cross-entropy".
    pub loss_name: &'a str,
    /// Test loss after each completed epoch.
    pub test_loss: &'a [f64],
    /// Test accuracy after each completed epoch (empty: the model has none).
    pub test_accuracy: &'a [f64],
}

/// Exponential moving average with TensorBoard's start-up correction: point i is
/// Σ_k≤i wⁱ⁻ᵏ (1-w) v_k / (1 - wⁱ⁺¹) with w = 1 - 1/span, a weighted mean of the values so far.
pub fn smoothed(values: &[f64], span: f64) -> Vec<f64> {
    let weight = 1.0 - 1.0 / span.max(1.0);
    let (mut average, mut weight_power) = (0.0, 1.0);
    values
        .iter()
        .map(|&v| {
            average = weight * average + (1.0 - weight) * v;
            weight_power *= weight;
            average / (1.0 - weight_power)
        })
        .collect()
}

/// At most `2 * buckets` of `(index, value)` that keep the outline of `values`: the minimum and
/// maximum of each run of consecutive indices, in index order. A canvas column cannot show more.
pub fn envelope(values: &[f64], buckets: usize) -> Vec<(usize, f64)> {
    let per_bucket = values.len().div_ceil(buckets.max(1)).max(1);
    if per_bucket <= 2 {
        return values.iter().copied().enumerate().collect();
    }
    let mut points = Vec::with_capacity(2 * buckets);
    for (b, chunk) in values.chunks(per_bucket).enumerate() {
        let start = b * per_bucket;
        let extreme = |better: fn(f64, f64) -> bool| {
            let mut best = 0;
            for (i, &v) in chunk.iter().enumerate() {
                if better(v, chunk[best]) {
                    best = i;
                }
            }
            best
        };
        let (low, high) = (extreme(|a, b| a < b), extreme(|a, b| a > b));
        for i in if low <= high {
            [low, high]
        } else {
            [high, low]
        } {
            points.push((start + i, chunk[i]));
        }
    }
    points
}

/// Labels for a log axis over [lo, hi]: d·10ᵏ for d in 1..9 that fall inside, thinned to
/// d ∈ {1, 2, 5} and then to d = 1 while there are more than 8. (plotters labels only powers of
/// ten, and a loss curve usually spans less than one decade.)
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let (first, last) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let ticks_with = |digits: &[u32]| -> Vec<f64> {
        (first..=last)
            // Dividing by 10^-k keeps 0.3 from printing as 0.30000000000000004.
            .flat_map(|k| digits.iter().map(move |&d| d as f64 / 10f64.powi(-k)))
            .filter(|v| (lo..=hi).contains(v))
            .collect()
    };
    let all = ticks_with(&[1, 2, 3, 4, 5, 6, 7, 8, 9]);
    if all.len() <= 8 {
        return all;
    }
    let fewer = ticks_with(&[1, 2, 5]);
    if fewer.len() <= 8 {
        fewer
    } else {
        ticks_with(&[1])
    }
}

/// Smallest and largest positive finite value, widened a little; a default range when empty.
fn value_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        (0.01, 0.2)
    } else {
        (lo / 1.15, hi * 1.15)
    }
}

pub fn draw<DB: DrawingBackend>(backend: DB, history: &LossHistory) -> DrawResult<DB> {
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    let columns = root.dim_in_pixel().0 as usize;
    let height = root.dim_in_pixel().1;
    let (root, below) = if history.test_accuracy.is_empty() {
        (root, None)
    } else {
        let (top, bottom) = root.split_vertically(height * 2 / 3);
        (top, Some(bottom))
    };
    let per_epoch = history.batches_per_epoch.max(1) as f64;
    // Batch i ends at (i + 1) / batches_per_epoch epochs; epoch e's test MSE at e + 1.
    let batch_x = |i: usize| (i + 1) as f64 / per_epoch;
    let seen_epochs = history.batch_losses.len() as f64 / per_epoch;
    let x_max = (history.epochs.max(1) as f64).max(seen_epochs);
    let (y_lo, y_hi) = value_range(
        history
            .batch_losses
            .iter()
            .chain(history.test_loss)
            .copied(),
    );
    let name = history.loss_name;
    let caption = if name == "MSE" {
        "Reconstruction loss while training".to_string()
    } else {
        format!("{} while training", capitalised(name))
    };

    let mut chart = ChartBuilder::on(&root)
        .caption(caption, (FONT, 16))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(
            0.0..x_max,
            (y_lo..y_hi)
                .log_scale()
                .with_key_points(log_ticks(y_lo, y_hi)),
        )?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc(format!("{name} (log scale)"))
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 13))
        .y_label_formatter(&|v| format!("{v}"))
        .light_line_style(BLACK.mix(0.05))
        .draw()?;

    let raw = envelope(history.batch_losses, columns);
    chart
        .draw_series(LineSeries::new(
            raw.iter().map(|&(i, v)| (batch_x(i), v)),
            TRAIN.mix(0.3),
        ))?
        .label(format!("train {name}, each batch"))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], TRAIN.mix(0.3)));

    let span = (per_epoch / 6.0).clamp(1.0, 200.0);
    let smooth = smoothed(history.batch_losses, span);
    let step = smooth.len().div_ceil(columns.max(1)).max(1);
    let smooth_points = (0..smooth.len())
        .filter(|i| (i + 1) % step == 0 || i + 1 == smooth.len())
        .map(|i| (batch_x(i), smooth[i]));
    chart
        .draw_series(LineSeries::new(smooth_points, TRAIN.stroke_width(2)))?
        .label(format!("train {name}, running average"))
        .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], TRAIN.stroke_width(2)));

    let test_points: Vec<(f64, f64)> = (history.test_loss.iter().enumerate())
        .map(|(e, &v)| ((e + 1) as f64, v))
        .collect();
    chart.draw_series(LineSeries::new(test_points.clone(), TEST.stroke_width(2)))?;
    chart
        .draw_series(
            test_points
                .iter()
                .map(|&p| Circle::new(p, 4, TEST.filled())),
        )?
        .label(format!("test {name}, end of epoch"))
        .legend(|(x, y)| Circle::new((x + 9, y), 4, TEST.filled()));

    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    if let Some(area) = below {
        draw_accuracy(&area, history.test_accuracy, x_max)?;
    }
    root.present()?;
    Ok(())
}

/// Test accuracy per epoch, in percent, on an axis that fits the values (a trained classifier's
/// span 90-98 % would be a flat line on 0-100 %).
fn draw_accuracy<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    accuracy: &[f64],
    x_max: f64,
) -> DrawResult<DB> {
    let percent: Vec<f64> = accuracy.iter().map(|a| 100.0 * a).collect();
    let (lo, hi) = percent_range(&percent);
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..x_max, lo..hi)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("test accuracy (%)")
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 13))
        .y_label_formatter(&|v| format!("{v:.1}"))
        .light_line_style(BLACK.mix(0.05))
        .draw()?;
    let points: Vec<(f64, f64)> = (percent.iter().enumerate())
        .map(|(e, &v)| ((e + 1) as f64, v))
        .collect();
    chart.draw_series(LineSeries::new(points.clone(), ACCURACY.stroke_width(2)))?;
    chart
        .draw_series(points.iter().map(|&p| Circle::new(p, 4, ACCURACY.filled())))?
        .label("test accuracy, end of epoch")
        .legend(|(x, y)| Circle::new((x + 9, y), 4, ACCURACY.filled()));
    legend(&mut chart, SeriesLabelPosition::LowerRight)?;
    Ok(())
}

/// An axis range in percent around `values`, at least 2 points wide, inside [0, 100].
pub fn percent_range(values: &[f64]) -> (f64, f64) {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if lo > hi {
        return (0.0, 100.0);
    }
    let pad = ((hi - lo) * 0.1).max(1.0);
    ((lo - pad).max(0.0), (hi + pad).min(100.0))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or(String::new(), |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

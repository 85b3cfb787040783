//! The training chart: the train loss of every batch (faint), its running average (solid), and
//! the test loss at the end of each epoch, against epochs, on a log axis; for the classifier, a
//! panel below with the test accuracy of each epoch. The key sits below, off the data.

use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{
    desc_font, end_area, fitting, label_font, right_margin, side_area, text_size, tick_count,
    title_font, Key, KeyEntry, Swatch, AXIS, MODEL as TRAIN, SECONDARY as ACCURACY, TEST,
};
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

/// Every k-th of `ticks`, k the least that leaves at most `count`.
pub fn thinned(ticks: &[f64], count: usize) -> Vec<f64> {
    let step = ticks.len().div_ceil(count.max(1)).max(1);
    ticks.iter().step_by(step).copied().collect()
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
    let name = history.loss_name;
    let mut entries = vec![
        KeyEntry::new(
            Swatch::Faint(TRAIN),
            format!("train {name}, each batch"),
            "each batch",
        ),
        KeyEntry::new(
            Swatch::Line(TRAIN, 2),
            format!("train {name}, running average"),
            "running average",
        ),
        KeyEntry::new(
            Swatch::Dot(TEST),
            format!("test {name}, end of epoch"),
            format!("test {name}"),
        ),
    ];
    if !history.test_accuracy.is_empty() {
        entries.push(KeyEntry::new(
            Swatch::Dot(ACCURACY),
            "test accuracy, end of epoch",
            "test accuracy",
        ));
    }
    let key = Key::layout(&root, &entries)?;
    let (plots, strip) = key.split(&root);
    let columns = plots.dim_in_pixel().0 as usize;
    let height = plots.dim_in_pixel().1;
    let (area, below) = if history.test_accuracy.is_empty() {
        (plots, None)
    } else {
        let (top, bottom) = plots.split_vertically(height * 3 / 5);
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
    let caption = root.dim_in_pixel().1 >= 300;
    let title = if name == "MSE" {
        "Reconstruction loss while training".to_string()
    } else {
        format!("{} while training", capitalised(name))
    };
    let caption = caption.then(|| [title, "Training".into()]);
    let ticks = log_ticks(y_lo, y_hi);
    let mut chart = frame(
        &area,
        caption.as_ref().map(|c| &c[..]),
        false,
        x_max,
        |height| {
            let label_height = text_size(&area, "0", &label_font()).map_or(14, |s| s.1);
            let kept = thinned(&ticks, tick_count(height, label_height));
            (y_lo..y_hi).log_scale().with_key_points(kept)
        },
        &ticks.iter().map(|v| format!("{v}")).collect::<Vec<_>>(),
        |mesh, height| {
            mesh.y_desc(fit_height(
                &area,
                height,
                &[format!("{name} (log scale)"), name.into(), "loss".into()],
            ))
            .y_label_formatter(&|v| format!("{v}"));
        },
    )?;

    let raw = envelope(history.batch_losses, columns);
    chart.draw_series(LineSeries::new(
        raw.iter().map(|&(i, v)| (batch_x(i), v)),
        TRAIN.mix(0.3),
    ))?;

    let span = (per_epoch / 6.0).clamp(1.0, 200.0);
    let smooth = smoothed(history.batch_losses, span);
    let step = smooth.len().div_ceil(columns.max(1)).max(1);
    let smooth_points = (0..smooth.len())
        .filter(|i| (i + 1) % step == 0 || i + 1 == smooth.len())
        .map(|i| (batch_x(i), smooth[i]));
    chart.draw_series(LineSeries::new(smooth_points, TRAIN.stroke_width(2)))?;

    let test_points: Vec<(f64, f64)> = (history.test_loss.iter().enumerate())
        .map(|(e, &v)| ((e + 1) as f64, v))
        .collect();
    chart.draw_series(LineSeries::new(test_points.clone(), TEST.stroke_width(2)))?;
    chart.draw_series(
        test_points
            .iter()
            .map(|&p| Circle::new(p, 4, TEST.filled())),
    )?;

    if let Some(area) = below {
        draw_accuracy(&area, history.test_accuracy, x_max)?;
    }
    key.draw(&strip)?;
    root.present()?;
    Ok(())
}

/// The longest of `candidates` that fits in `height` px (a rotated axis title).
fn fit_height<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    height: u32,
    candidates: &[String],
) -> String {
    fitting(area, &desc_font(), height, candidates).unwrap_or_else(|_| candidates[0].clone())
}

/// A chart against epochs with `Y` for its y axis.
type Panel<'a, DB, Y> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>;

/// A panel against epochs 0..`x_max` (titled "epoch" unless it is the `lower` of two), with `y(plot height)` for its y axis, whose tick labels are
/// at most as wide as the widest of `y_labels`: margins and label areas sized to the text, as
/// many epoch labels as fit. `y_axis` sets the y title and labels, given the plot's height.
fn frame<'a, DB, Y>(
    area: &'a DrawingArea<DB, Shift>,
    caption: Option<&[String]>,
    lower: bool,
    x_max: f64,
    y: impl FnOnce(u32) -> Y,
    y_labels: &[String],
    y_axis: impl FnOnce(&mut MeshStyle<'a, '_, RangedCoordf64, Y::CoordDescType, DB>, u32),
) -> Result<Panel<'a, DB, Y::CoordDescType>, DrawingAreaErrorKind<DB::ErrorType>>
where
    DB: DrawingBackend,
    Y: AsRangedCoord<Value = f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let (width, height) = area.dim_in_pixel();
    let margin = if width < 480 { 8 } else { 12 };
    let widest = y_labels.iter().max_by_key(|t| t.len()).cloned();
    let left = side_area(area, &widest.unwrap_or_else(|| "0.00".into()), true)?;
    let bottom = end_area(area, !lower)?;
    let mut builder = ChartBuilder::on(area);
    let mut caption_height = 0;
    if let Some(candidates) = caption {
        let title = fitting(area, &title_font(), width - 2 * margin, candidates)?;
        caption_height = text_size(area, &title, &title_font())?.1 + 10;
        builder.caption(title, title_font());
    }
    let x_label = text_size(area, &format!("{x_max:.1}"), &label_font())?.0;
    let right = right_margin(margin, x_label);
    let plot_width = width.saturating_sub(margin + right + left);
    // A lower panel sits right under the upper one's margin.
    let top = if lower { margin / 3 } else { margin };
    let plot_height = height.saturating_sub(margin + top + bottom + caption_height);
    let mut chart = builder
        .margin(margin)
        .margin_top(top)
        .margin_right(right)
        .x_label_area_size(bottom)
        .y_label_area_size(left)
        .build_cartesian_2d(0.0..x_max, y(plot_height))?;
    let mut mesh = chart.configure_mesh();
    if !lower {
        mesh.x_desc("epoch");
    }
    mesh.x_labels(tick_count(plot_width, x_label))
        .label_style(label_font())
        .axis_desc_style(desc_font())
        .axis_style(AXIS)
        .light_line_style(BLACK.mix(0.05));
    y_axis(&mut mesh, plot_height);
    mesh.draw()?;
    Ok(chart)
}

/// Test accuracy per epoch, in percent, on an axis that fits the values (a trained classifier's
/// span 90-98 % would be a flat line on 0-100 %). Its epochs are titled in the panel above.
fn draw_accuracy<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    accuracy: &[f64],
    x_max: f64,
) -> DrawResult<DB> {
    let percent: Vec<f64> = accuracy.iter().map(|a| 100.0 * a).collect();
    let (lo, hi) = percent_range(&percent);
    let label_height = text_size(area, "0", &label_font())?.1;
    let mut chart = frame(
        area,
        None,
        true,
        x_max,
        |_| lo..hi,
        &[format!("{hi:.1}")],
        |mesh, height| {
            mesh.y_desc(fit_height(
                area,
                height,
                &[
                    "test accuracy (%)".into(),
                    "accuracy (%)".into(),
                    "%".into(),
                ],
            ))
            .y_labels(tick_count(height, label_height))
            .y_label_formatter(&|v| format!("{v:.1}"));
        },
    )?;
    let points: Vec<(f64, f64)> = (percent.iter().enumerate())
        .map(|(e, &v)| ((e + 1) as f64, v))
        .collect();
    chart.draw_series(LineSeries::new(points.clone(), ACCURACY.stroke_width(2)))?;
    chart.draw_series(points.iter().map(|&p| Circle::new(p, 4, ACCURACY.filled())))?;
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

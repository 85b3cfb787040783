//! The spectrum of the encoder's diagonal Fisher (paper figure 5): the paper's 22 equal-width
//! bins, or 40 log-spaced bins with the exact zeros counted apart, and markers at the current
//! cutoff Λ and at the knee Λ*. The log axis is labelled at powers of ten only, the counts in
//! whole weights.

use plotters::coord::combinators::{LogCoord, WithKeyPoints};
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::*;

use super::style::{
    desc_font, end_area, fitting, label_font, right_margin, side_area, text_size, tick_count,
    title_font, Key, KeyEntry, Swatch, AXIS, CURRENT, FISHER as BARS, KNEE,
};
use super::DrawResult;
use crate::summary::{FisherStats, Histogram};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistScale {
    /// The paper's view: equal-width bins from the smallest value to the largest.
    Linear,
    /// Log-spaced bins over the positive values; exact zeros cannot sit on this axis.
    Log,
}

/// Both histograms of one model's Fisher values and its exact zeros, binned once and drawn (or
/// read under the pointer) at any cutoff.
#[derive(Clone, Debug, PartialEq)]
pub struct FisherBins {
    pub linear: Histogram,
    pub log: Histogram,
    /// Values exactly 0.
    pub zeros: usize,
}

impl FisherBins {
    pub fn of(values: &[f32]) -> FisherBins {
        FisherBins {
            linear: bins(values, HistScale::Linear),
            log: bins(values, HistScale::Log),
            zeros: values.iter().filter(|&&v| v == 0.0).count(),
        }
    }

    pub fn get(&self, scale: HistScale) -> &Histogram {
        match scale {
            HistScale::Linear => &self.linear,
            HistScale::Log => &self.log,
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct FisherHistogram<'a> {
    /// The encoder's Fisher values, binned.
    pub bins: &'a FisherBins,
    pub scale: HistScale,
    pub cutoff: f32,
    pub knee: Option<f32>,
}

/// The bins this chart shows (the same as `reproduce`'s report).
pub fn bins(values: &[f32], scale: HistScale) -> Histogram {
    match scale {
        HistScale::Linear => Histogram::linear(values, FisherStats::PAPER_BINS),
        HistScale::Log => Histogram::log(values, FisherStats::LOG_BINS),
    }
}

/// Round tick values for a log axis over [lo, hi]: the powers of ten inside it, every second
/// or third one when more than `count` would not fit (and the ends when none falls inside).
pub fn power_ticks(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo) {
        return vec![];
    }
    let (first, last) = (lo.log10().ceil() as i32, hi.log10().floor() as i32);
    if first > last {
        return vec![lo, hi];
    }
    let powers = (last - first + 1) as usize;
    let step = powers.div_ceil(count.max(1)) as i32;
    (first..=last)
        .filter(|k| k.rem_euclid(step) == 0)
        // Dividing by 10^-k keeps 1e-5 from printing as 1.0000000000000001e-5.
        .map(|k| {
            if k < 0 {
                1.0 / 10f64.powi(-k)
            } else {
                10f64.powi(k)
            }
        })
        .collect()
}

/// A tick label on the log axis: `1e-6` for a power of ten, else two significant digits.
pub fn power_label(value: f64) -> String {
    let k = value.log10().round();
    if (value / 10f64.powf(k) - 1.0).abs() < 1e-9 {
        format!("1e{}", k as i32)
    } else {
        format!("{value:.1e}")
    }
}

/// A tick label on the linear axis: four significant digits at most, trailing zeros dropped.
pub fn linear_label(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return "0".into();
    }
    let magnitude = value.abs().log10().floor();
    if !(-3.0..4.0).contains(&magnitude) {
        return format!("{value:.1e}");
    }
    let decimals = (3.0 - magnitude).max(0.0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// The x axis of either scale.
type LogAxis = WithKeyPoints<LogCoord<f64>>;

/// The chart built on its box: its plot on the linear or the log axis.
enum Plot<'a, DB: DrawingBackend> {
    Linear(ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>),
    Log(ChartContext<'a, DB, Cartesian2d<LogAxis, RangedCoordf64>>),
}

/// The key (its long labels keep the width of the widest cutoff's, so the slider never moves
/// the plot).
fn key<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &FisherHistogram,
) -> Result<Key, DrawingAreaErrorKind<DB::ErrorType>> {
    let zeros = chart.bins.zeros;
    let zero_note = match chart.scale {
        HistScale::Linear => format!("weights per bin ({zeros} exact zeros, in the first)"),
        HistScale::Log => format!("weights per bin ({zeros} exact zeros, off this axis)"),
    };
    let mut entries = vec![
        KeyEntry::new(Swatch::Block(BARS), zero_note, "weights per bin"),
        KeyEntry::new(
            Swatch::Line(CURRENT, 2),
            format!("cutoff Λ = {:.3e}", chart.cutoff),
            "cutoff Λ",
        )
        .keeping_width_of(format!("cutoff Λ = {:.3e}", 8.888e-38f32)),
    ];
    if let Some(knee) = chart.knee {
        entries.push(KeyEntry::new(
            Swatch::Dashed(KNEE, 2),
            format!("knee Λ* = {knee:.3e}"),
            "knee Λ*",
        ));
    }
    Key::layout(root, &entries)
}

/// The plot's layout in `area` (the part of `root` above the key), in CSS px: label areas sized
/// to their text, ticks spaced to fit, and the chart built on it (the caption placed).
fn frame<'a, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &'a DrawingArea<DB, Shift>,
    chart: &FisherHistogram,
) -> Result<(Plot<'a, DB>, Frame), DrawingAreaErrorKind<DB::ErrorType>> {
    let histogram = chart.bins.get(chart.scale);
    let (lo, hi) = (
        histogram.edges[0],
        histogram.edges[histogram.edges.len() - 1],
    );
    let (width, height) = area.dim_in_pixel();
    let margin = if width < 480 { 8 } else { 12 };
    let highest = histogram.counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let top = (highest * 1.08).max(highest + 1.0);
    let left = side_area(area, &format!("{top:.0}"), true)?;
    let bottom = end_area(area, true)?;
    let mut builder = ChartBuilder::on(area);
    let mut caption_height = 0;
    if root.dim_in_pixel().1 >= 300 {
        let title = fitting(
            area,
            &title_font(),
            width - 2 * margin,
            &[
                "Diagonal Fisher of the encoder weights".into(),
                "Diagonal Fisher".into(),
            ],
        )?;
        caption_height = text_size(area, &title, &title_font())?.1 + 10;
        builder.caption(title, title_font());
    }
    // The widest tick label either axis can have: four significant digits, or a power of ten.
    let x_label = text_size(area, "-0.0001", &label_font())?.0;
    let right = right_margin(margin, x_label);
    builder
        .margin(margin)
        .margin_right(right)
        .x_label_area_size(bottom)
        .y_label_area_size(left);
    let plot_width = width.saturating_sub(margin + right + left);
    let plot_height = height.saturating_sub(2 * margin + bottom + caption_height);
    let label_height = text_size(area, "0", &label_font())?.1;
    // No more count labels than whole numbers below the top: no step under one weight.
    let y_labels = tick_count(plot_height, label_height).min(top as usize);
    let mut frame = Frame {
        plot_width,
        plot_height,
        x_labels: 0,
        y_labels,
    };
    let plot = match chart.scale {
        HistScale::Linear => {
            frame.x_labels = tick_count(plot_width, x_label);
            Plot::Linear(builder.build_cartesian_2d(lo..hi, 0.0..top)?)
        }
        HistScale::Log => {
            let widest = text_size(area, "1e-10", &label_font())?.0;
            let ticks = power_ticks(lo, hi, tick_count(plot_width, widest));
            let x = (lo..hi).log_scale().with_key_points(ticks);
            Plot::Log(builder.build_cartesian_2d(x, 0.0..top)?)
        }
    };
    Ok((plot, frame))
}

pub fn draw<DB: DrawingBackend>(backend: DB, chart: &FisherHistogram) -> DrawResult<DB> {
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    let key = key(&root, chart)?;
    let (area, strip) = key.split(&root);
    let histogram = chart.bins.get(chart.scale);
    match frame(&root, &area, chart)? {
        (Plot::Linear(mut plot), frame) => {
            let x_desc = [
                "F (22 equal bins, as the paper's figure 5)".into(),
                "F (22 equal bins)".into(),
                "F".into(),
            ];
            let format = |v: &f64| linear_label(*v);
            draw_bars(&mut plot, chart, histogram, &area, &frame, &x_desc, &format)?;
        }
        (Plot::Log(mut plot), frame) => {
            let x_desc = ["F (log axis, 40 bins)".into(), "F (log axis)".into()];
            let format = |v: &f64| power_label(*v);
            draw_bars(&mut plot, chart, histogram, &area, &frame, &x_desc, &format)?;
        }
    }
    key.draw(&strip)?;
    root.present()?;
    Ok(())
}

/// The bin under the point (`x`, `y`) of a chart drawn on a backend of this size: the bar whose
/// drawn columns hold `x`; `None` off the plot. Only the backend's size and text measures
/// count: pass a `plot::measure::Measure`.
pub fn bin_at<DB: DrawingBackend>(
    backend: DB,
    chart: &FisherHistogram,
    (x, y): (f64, f64),
) -> Result<Option<usize>, DrawingAreaErrorKind<DB::ErrorType>> {
    let root = backend.into_drawing_area();
    let (area, _) = key(&root, chart)?.split(&root);
    let histogram = chart.bins.get(chart.scale);
    let bin = match frame(&root, &area, chart)?.0 {
        Plot::Linear(plot) => bar_under(&plot, histogram, (x, y)),
        Plot::Log(plot) => bar_under(&plot, histogram, (x, y)),
    };
    Ok(bin)
}

/// The bar whose columns hold `x`: bar i spans from its left edge's column to the next one's.
fn bar_under<DB: DrawingBackend, X: Ranged<ValueType = f64>>(
    plot: &ChartContext<DB, Cartesian2d<X, RangedCoordf64>>,
    histogram: &Histogram,
    (x, y): (f64, f64),
) -> Option<usize> {
    let (xs, ys) = plot.plotting_area().get_pixel_range();
    let inside = |v: f64, r: &std::ops::Range<i32>| r.start as f64 <= v && v <= r.end as f64;
    if !(inside(x, &xs) && inside(y, &ys)) {
        return None;
    }
    let column = |edge: f64| plot.backend_coord(&(edge, 0.0)).0 as f64;
    let bins = histogram.counts.len();
    // Bars whose left edge lies at or left of x, past the first.
    let after = histogram.edges[1..bins].partition_point(|&edge| column(edge) <= x);
    Some(after.min(bins.saturating_sub(1)))
}

/// The plot's size inside its label areas, in CSS px.
struct Frame {
    plot_width: u32,
    plot_height: u32,
    /// Tick labels along each axis (the log axis has its own key points).
    x_labels: usize,
    y_labels: usize,
}

/// Bars and markers on either x axis.
fn draw_bars<'a, DB, X>(
    plot: &mut ChartContext<'a, DB, Cartesian2d<X, RangedCoordf64>>,
    chart: &FisherHistogram,
    histogram: &Histogram,
    area: &DrawingArea<DB, Shift>,
    frame: &Frame,
    x_desc: &[String],
    x_format: &dyn Fn(&f64) -> String,
) -> DrawResult<DB>
where
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let (lo, hi) = (
        histogram.edges[0],
        histogram.edges[histogram.edges.len() - 1],
    );
    let top = plot.y_range().end;
    // A marker outside the axis (Λ = 0 on a log axis) sits at its edge.
    let on_axis = |value: f32| (value as f64).clamp(lo, hi);
    let x_desc = fitting(area, &desc_font(), frame.plot_width, x_desc)?;
    let y_desc = fitting(
        area,
        &desc_font(),
        frame.plot_height,
        &["weights".into(), "n".into()],
    )?;
    plot.configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(label_font())
        .axis_desc_style(desc_font())
        .axis_style(AXIS)
        .x_labels(frame.x_labels.max(2))
        .y_labels(frame.y_labels.max(2))
        .x_label_formatter(x_format)
        .y_label_formatter(&|v| format!("{v:.0}"))
        .light_line_style(BLACK.mix(0.05))
        .draw()?;
    let bars = histogram.counts.iter().enumerate().map(|(i, &count)| {
        let corners = [
            (histogram.edges[i], 0.0),
            (histogram.edges[i + 1], count as f64),
        ];
        Rectangle::new(corners, BARS.mix(0.75).filled())
    });
    plot.draw_series(bars)?;
    let cutoff = on_axis(chart.cutoff);
    plot.draw_series(LineSeries::new(
        [(cutoff, 0.0), (cutoff, top)],
        CURRENT.stroke_width(2),
    ))?;
    if let Some(knee) = chart.knee {
        let x = on_axis(knee);
        let line = DashedLineSeries::new([(x, 0.0), (x, top)], 6, 4, KNEE.stroke_width(2));
        plot.draw_series(line)?;
    }
    Ok(())
}

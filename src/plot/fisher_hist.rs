//! The spectrum of the encoder's diagonal Fisher (paper figure 5): the paper's 22 equal-width
//! bins, or 40 log-spaced bins with the exact zeros counted apart, and markers at the current
//! cutoff Λ and at the knee Λ*.

use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::style::{legend, BLUE as BARS, FONT, GREEN as KNEE, RED as CUTOFF};
use super::DrawResult;
use crate::summary::{FisherStats, Histogram};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistScale {
    /// The paper's view: equal-width bins from the smallest value to the largest.
    Linear,
    /// Log-spaced bins over the positive values; exact zeros cannot sit on this axis.
    Log,
}

#[derive(Clone, Copy, Debug)]
pub struct FisherHistogram<'a> {
    /// The encoder's Fisher values.
    pub values: &'a [f32],
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

pub fn draw<DB: DrawingBackend>(backend: DB, chart: &FisherHistogram) -> DrawResult<DB> {
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    let histogram = bins(chart.values, chart.scale);
    let (lo, hi) = (
        histogram.edges[0],
        histogram.edges[histogram.edges.len() - 1],
    );
    let top = histogram.counts.iter().copied().max().unwrap_or(0).max(1) as f64 * 1.08;
    let mut builder = ChartBuilder::on(&root);
    builder
        .caption("Diagonal Fisher of the encoder weights", (FONT, 16))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56);
    match chart.scale {
        HistScale::Linear => {
            let mut plot = builder.build_cartesian_2d(lo..hi, 0.0..top)?;
            draw_bars(
                &mut plot,
                chart,
                &histogram,
                "F (22 equal bins, as the paper's figure 5)",
            )?;
        }
        HistScale::Log => {
            let mut plot = builder.build_cartesian_2d((lo..hi).log_scale(), 0.0..top)?;
            draw_bars(&mut plot, chart, &histogram, "F (log axis, 40 bins)")?;
        }
    }
    root.present()?;
    Ok(())
}

/// Bars, markers and legend on either x axis.
fn draw_bars<'a, DB, X>(
    plot: &mut ChartContext<'a, DB, Cartesian2d<X, RangedCoordf64>>,
    chart: &FisherHistogram,
    histogram: &Histogram,
    x_desc: &str,
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
    let zeros = chart.values.iter().filter(|&&v| v == 0.0).count();
    let zero_note = match chart.scale {
        HistScale::Linear => format!("weights per bin ({zeros} exact zeros, in the first)"),
        HistScale::Log => format!("weights per bin ({zeros} exact zeros, off this axis)"),
    };
    plot.configure_mesh()
        .x_desc(x_desc)
        .y_desc("weights")
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 13))
        .light_line_style(BLACK.mix(0.05))
        .draw()?;
    let bars = histogram.counts.iter().enumerate().map(|(i, &count)| {
        let corners = [
            (histogram.edges[i], 0.0),
            (histogram.edges[i + 1], count as f64),
        ];
        Rectangle::new(corners, BARS.mix(0.75).filled())
    });
    plot.draw_series(bars)?
        .label(zero_note)
        .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], BARS.mix(0.75).filled()));
    let cutoff = on_axis(chart.cutoff);
    plot.draw_series(LineSeries::new(
        [(cutoff, 0.0), (cutoff, top)],
        CUTOFF.stroke_width(2),
    ))?
    .label(format!("cutoff Λ = {:.3e}", chart.cutoff))
    .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], CUTOFF.stroke_width(2)));
    if let Some(knee) = chart.knee {
        let x = on_axis(knee);
        let line = DashedLineSeries::new([(x, 0.0), (x, top)], 6, 4, KNEE.stroke_width(2));
        plot.draw_series(line)?
            .label(format!("knee Λ* = {knee:.3e}"))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], KNEE.stroke_width(2)));
    }
    legend(plot, SeriesLabelPosition::UpperRight)
}

//! The soft RG flow (eq. 38-39): as evidence n is integrated out, the test MSE of the
//! posterior-predictive mean and of a single draw, and the fraction of weights washed out, with
//! a marker at the current n. Both axes are logarithmic (n + 1 on x, so n = 0 sits at the left);
//! without a prior the errors grow by orders of magnitude.

use plotters::prelude::*;

use super::loss::log_ticks;
use super::style::{legend, BLUE, FONT, GREEN, ORANGE, RED};
use super::DrawResult;
use crate::softflow::SoftFlowPoint;

#[derive(Clone, Copy, Debug)]
pub struct SoftFlowChart<'a> {
    pub points: &'a [SoftFlowPoint],
    pub unpruned_mse: f64,
    pub alpha: f64,
    pub evidence: f64,
}

pub fn draw<DB: DrawingBackend>(backend: DB, chart: &SoftFlowChart) -> DrawResult<DB> {
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    let max_n = chart.points.iter().map(|p| p.evidence).fold(1.0, f64::max);
    let (lo, hi) = (chart.points.iter())
        .flat_map(|p| [p.predictive_mse, p.mean_sample_mse])
        .chain([chart.unpruned_mse])
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let (lo, hi) = if lo < hi {
        (lo / 1.1, hi * 1.1)
    } else {
        (0.01, 0.2)
    };
    let x = |n: f64| n + 1.0;
    let mut plot = ChartBuilder::on(&root)
        .caption(
            format!(
                "The soft flow: evidence integrated out (prior precision α = {})",
                chart.alpha
            ),
            (FONT, 16),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .right_y_label_area_size(56)
        .build_cartesian_2d(
            (1.0..x(max_n)).log_scale(),
            (lo..hi).log_scale().with_key_points(log_ticks(lo, hi)),
        )?
        .set_secondary_coord((1.0..x(max_n)).log_scale(), 0.0..1.0);
    plot.configure_mesh()
        .x_desc("examples of evidence kept, n (log axis of n + 1; n = 0 at the left)")
        .y_desc("test MSE (log)")
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 13))
        .x_label_formatter(&|v| format!("{:.0}", v - 1.0))
        .y_label_formatter(&|v| format!("{v}"))
        .light_line_style(BLACK.mix(0.05))
        .draw()?;
    plot.configure_secondary_axes()
        .y_desc("fraction washed out")
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 13))
        .draw()?;

    let series = |value: fn(&SoftFlowPoint) -> f64| -> Vec<(f64, f64)> {
        chart
            .points
            .iter()
            .map(|p| (x(p.evidence), value(p)))
            .collect()
    };
    for (name, colour, points) in [
        (
            "posterior-predictive mean",
            BLUE,
            series(|p| p.predictive_mse),
        ),
        (
            "a single draw (mean over draws)",
            ORANGE,
            series(|p| p.mean_sample_mse),
        ),
    ] {
        plot.draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))?
            .label(name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2)));
        plot.draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))?;
    }
    let unpruned = [(1.0, chart.unpruned_mse), (x(max_n), chart.unpruned_mse)];
    plot.draw_series(DashedLineSeries::new(
        unpruned,
        6,
        4,
        BLACK.mix(0.6).stroke_width(1),
    ))?
    .label(format!("trained model {:.5}", chart.unpruned_mse))
    .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK.mix(0.6)));
    plot.draw_secondary_series(LineSeries::new(
        series(|p| p.washed_out_fraction),
        GREEN.stroke_width(2),
    ))?
    .label("washed out: posterior std > |E*| (right axis)")
    .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], GREEN.stroke_width(2)));
    let current = x(chart.evidence);
    plot.draw_series(LineSeries::new(
        [(current, lo), (current, hi)],
        RED.stroke_width(2),
    ))?
    .label(format!("current n = {}", chart.evidence))
    .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], RED.stroke_width(2)));
    legend(&mut plot, SeriesLabelPosition::UpperRight)?;
    root.present()?;
    Ok(())
}

//! The soft RG flow (eq. 38-39): as evidence n is integrated out, the test MSE of the
//! posterior-predictive mean and of a single draw, and the fraction of weights washed out, with
//! a marker at the current n. Both axes are logarithmic (n + 1 on x, so n = 0 sits at the left);
//! without a prior the errors grow by orders of magnitude. The n axis is labelled at n = 0 and
//! powers of ten; the key sits below, off the data.

use plotters::prelude::*;

use super::loss::{log_ticks, thinned};
use super::style::{
    desc_font, end_area, fitting, label_font, side_area, text_size, tick_count, title_font, Key,
    KeyEntry, Swatch, AXIS, CURRENT, MODEL, REFERENCE, SECONDARY, TEST,
};
use super::DrawResult;
use crate::softflow::SoftFlowPoint;

#[derive(Clone, Copy, Debug)]
pub struct SoftFlowChart<'a> {
    pub points: &'a [SoftFlowPoint],
    pub unpruned_mse: f64,
    pub alpha: f64,
    pub evidence: f64,
}

/// Where the n axis is labelled: n = 0 and the powers of ten up to `max_n` (every second or
/// third when more than `count` would not fit), as positions n + 1.
fn evidence_ticks(max_n: f64, count: usize) -> Vec<f64> {
    let powers: Vec<f64> = (1..=max_n.max(1.0).log10().floor() as i32)
        .map(|k| 10f64.powi(k))
        .collect();
    let step = (powers.len() + 1).div_ceil(count.max(2)).max(1);
    let kept = powers
        .iter()
        .enumerate()
        .filter(|(i, _)| (i + 1) % step == 0);
    std::iter::once(0.0)
        .chain(kept.map(|(_, &n)| n))
        .map(|n| n + 1.0)
        .collect()
}

pub fn draw<DB: DrawingBackend>(backend: DB, chart: &SoftFlowChart) -> DrawResult<DB> {
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    let entries = [
        KeyEntry::new(
            Swatch::Line(MODEL, 2),
            "posterior-predictive mean",
            "predictive mean",
        ),
        KeyEntry::new(
            Swatch::Line(TEST, 2),
            "a single draw (mean over draws)",
            "single draw",
        ),
        KeyEntry::new(
            Swatch::Dashed(REFERENCE, 1),
            format!("trained model {:.5}", chart.unpruned_mse),
            "trained",
        ),
        KeyEntry::new(
            Swatch::Line(SECONDARY, 2),
            "washed out: posterior std > |E*| (right axis)",
            "washed out (right)",
        ),
        KeyEntry::new(
            Swatch::Line(CURRENT, 2),
            format!("current n = {}", chart.evidence),
            "current n",
        ),
    ];
    let key = Key::layout(&root, &entries)?;
    let (area, strip) = key.split(&root);
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

    let (width, height) = area.dim_in_pixel();
    let margin = if width < 480 { 8 } else { 12 };
    let y_ticks = log_ticks(lo, hi);
    let widest_y = (y_ticks.iter().map(|v| format!("{v}")))
        .max_by_key(|t| t.len())
        .unwrap_or_default();
    let left = side_area(&area, &widest_y, true)?;
    let right = side_area(&area, "1.0", true)?;
    let bottom = end_area(&area, true)?;
    let mut builder = ChartBuilder::on(&area);
    let mut caption_height = 0;
    if root.dim_in_pixel().1 >= 300 {
        let title = fitting(
            &area,
            &title_font(),
            width - 2 * margin,
            &[
                format!(
                    "The soft flow: evidence integrated out (prior precision α = {})",
                    chart.alpha
                ),
                format!("Soft flow (α = {})", chart.alpha),
                "Soft flow".into(),
            ],
        )?;
        caption_height = text_size(&area, &title, &title_font())?.1 + 10;
        builder.caption(title, title_font());
    }
    let plot_width = width.saturating_sub(2 * margin + left + right);
    let plot_height = height.saturating_sub(2 * margin + bottom + caption_height);
    let x_label = text_size(&area, &format!("{max_n:.0}"), &label_font())?.0;
    let x_ticks = evidence_ticks(max_n, tick_count(plot_width, x_label));
    let label_height = text_size(&area, "0", &label_font())?.1;
    let y_ticks = thinned(&y_ticks, tick_count(plot_height, label_height));
    let mut plot = builder
        .margin(margin)
        .x_label_area_size(bottom)
        .y_label_area_size(left)
        .right_y_label_area_size(right)
        .build_cartesian_2d(
            (1.0..x(max_n)).log_scale().with_key_points(x_ticks.clone()),
            (lo..hi).log_scale().with_key_points(y_ticks),
        )?
        .set_secondary_coord(
            (1.0..x(max_n)).log_scale().with_key_points(x_ticks),
            0.0..1.0,
        );
    let x_desc = fitting(
        &area,
        &desc_font(),
        plot_width,
        &[
            "examples of evidence kept, n (log axis of n + 1; n = 0 at the left)".into(),
            "evidence kept, n (log axis of n + 1)".into(),
            "evidence n (log)".into(),
        ],
    )?;
    let y_desc = fitting(
        &area,
        &desc_font(),
        plot_height,
        &["test MSE (log)".into(), "MSE".into()],
    )?;
    plot.configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style(label_font())
        .axis_desc_style(desc_font())
        .axis_style(AXIS)
        .x_label_formatter(&|v| format!("{:.0}", v - 1.0))
        .y_label_formatter(&|v| format!("{v}"))
        .light_line_style(BLACK.mix(0.05))
        .draw()?;
    let right_desc = fitting(
        &area,
        &desc_font(),
        plot_height,
        &["fraction washed out".into(), "washed out".into()],
    )?;
    plot.configure_secondary_axes()
        .y_desc(right_desc)
        .y_labels(tick_count(plot_height, label_height).min(6))
        .label_style(label_font())
        .axis_desc_style(desc_font())
        .axis_style(AXIS)
        .y_label_formatter(&|v| format!("{v:.1}"))
        .draw()?;

    let series = |value: fn(&SoftFlowPoint) -> f64| -> Vec<(f64, f64)> {
        chart
            .points
            .iter()
            .map(|p| (x(p.evidence), value(p)))
            .collect()
    };
    for (colour, points) in [
        (MODEL, series(|p| p.predictive_mse)),
        (TEST, series(|p| p.mean_sample_mse)),
    ] {
        plot.draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))?;
        plot.draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))?;
    }
    let unpruned = [(1.0, chart.unpruned_mse), (x(max_n), chart.unpruned_mse)];
    plot.draw_series(DashedLineSeries::new(
        unpruned,
        6,
        4,
        REFERENCE.stroke_width(1),
    ))?;
    plot.draw_secondary_series(LineSeries::new(
        series(|p| p.washed_out_fraction),
        SECONDARY.stroke_width(2),
    ))?;
    let current = x(chart.evidence);
    plot.draw_series(LineSeries::new(
        [(current, lo), (current, hi)],
        CURRENT.stroke_width(2),
    ))?;
    key.draw(&strip)?;
    root.present()?;
    Ok(())
}

//! One cell of a study: every seed's hockey stick overlaid, the test loss over the unpruned
//! model's (in percent) against the cutoff Λ, each seed's knee a dot, the tolerance dashed. The
//! loss axis stops at a few times the tolerance, where the stick's blade has left the shaft.

use plotters::prelude::*;

use super::fisher_hist::power_label;
use super::style::{
    desc_font, draw_notice, end_area, label_font, side_area, title_font, Key, KeyEntry, Swatch,
    AXIS, FISHER, KNEE, REFERENCE,
};
use super::DrawResult;
use crate::study::summary::CellSummary;

/// The loss axis' top, in tolerances: the blade is well up by then.
const TOP_IN_TOLERANCES: f64 = 8.0;

pub fn draw<DB: DrawingBackend>(backend: DB, cell: &CellSummary) -> DrawResult<DB> {
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    let percent = |ratio: f32| 100.0 * (ratio as f64 - 1.0);
    let tolerance = 100.0 * cell.tolerance;
    let top = (TOP_IN_TOLERANCES * tolerance).max(1.0);
    let cutoffs = (cell.curves.iter().flatten())
        .map(|p| p[0] as f64)
        .filter(|c| *c > 0.0);
    let (lo, hi) = cutoffs.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if lo >= hi {
        return draw_notice(&root, "No swept cutoffs in this cell");
    }
    let bottom = (cell.curves.iter().flatten())
        .map(|p| percent(p[2]))
        .fold(0.0f64, f64::min)
        .max(-top / 4.0);
    let entries = [
        KeyEntry::new(
            Swatch::Faint(FISHER),
            format!("each of {} seeds", cell.curves.len()),
            "seeds",
        ),
        KeyEntry::new(Swatch::Dot(KNEE), "its knee Λ*", "Λ*"),
        KeyEntry::new(
            Swatch::Dashed(REFERENCE, 2),
            format!("+{tolerance} % tolerance"),
            "tolerance",
        ),
    ];
    let key = Key::layout(&root, &entries)?;
    let (area, strip) = key.split(&root);
    let ticks = super::fisher_hist::power_ticks(lo, hi, 8);
    let x = (lo..hi).log_scale().with_key_points(ticks);
    let mut chart = ChartBuilder::on(&area)
        .caption(&cell.label, title_font())
        .margin(8)
        .x_label_area_size(end_area(&area, true)?)
        .y_label_area_size(side_area(&area, "-10 %", true)?)
        .build_cartesian_2d(x, bottom..top)?;
    chart
        .configure_mesh()
        .x_desc("cutoff Λ (log axis)")
        .y_desc("test loss over the unpruned model's")
        .label_style(label_font())
        .axis_desc_style(desc_font())
        .axis_style(AXIS)
        .x_label_formatter(&|v| power_label(*v))
        .y_label_formatter(&|v| format!("{v:.0} %"))
        .max_light_lines(2)
        .light_line_style(BLACK.mix(0.05))
        .draw()?;
    chart.draw_series(DashedLineSeries::new(
        [(lo, tolerance), (hi, tolerance)],
        6,
        4,
        REFERENCE.stroke_width(2),
    ))?;
    for curve in &cell.curves {
        // Past the top the blade is drawn along it, not off the chart.
        let points = (curve.iter())
            .filter(|p| p[0] > 0.0)
            .map(|p| (p[0] as f64, percent(p[2]).clamp(bottom, top)));
        chart.draw_series(LineSeries::new(points, FISHER.mix(0.45).stroke_width(1)))?;
    }
    for (curve, knee) in cell.curves.iter().zip(&cell.knees) {
        let Some(knee) = knee else { continue };
        let at = curve.iter().find(|p| p[0] == *knee as f32);
        if let Some(p) = at.filter(|p| p[0] > 0.0) {
            let point = (p[0] as f64, percent(p[2]).clamp(bottom, top));
            chart.draw_series([Circle::new(point, 3, KNEE.filled())])?;
        }
    }
    key.draw(&strip)?;
    root.present()?;
    Ok(())
}

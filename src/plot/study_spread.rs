//! The knee's distribution over a study: one row per cell, each seed's Λ* a dot on a log axis,
//! the median a bar through them (a cell's knees can fall in two groups, and the mean would lie
//! in neither), and the paper's Λ* ≈ 0.1 dashed. In a narrow box the rows are named shortly.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::fisher_hist::linear_label;
use super::loss::{log_ticks, thinned};
use super::study_knees::PAPER_KNEE;
use super::style::{
    desc_font, end_area, label_font, text_size, tick_count, title_font, Key, KeyEntry, Swatch,
    AXIS, FISHER, KNEE, REFERENCE,
};
use super::DrawResult;
use crate::study::summary::StudySummary;

pub fn draw<DB: DrawingBackend>(backend: DB, summary: &StudySummary) -> DrawResult<DB> {
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    let cells = &summary.cells;
    let knees = cells.iter().flat_map(|c| c.knees.iter().flatten().copied());
    let (lo, hi) = knees.fold((PAPER_KNEE, PAPER_KNEE), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let (lo, hi) = (lo / 1.5, hi * 1.5);
    let entries = [
        KeyEntry::new(Swatch::Dot(FISHER), "a seed's Λ*", "seed"),
        KeyEntry::new(Swatch::Line(KNEE, 3), "the median", "median"),
        KeyEntry::new(
            Swatch::Dashed(REFERENCE, 2),
            "the paper's Λ* ≈ 0.1",
            "paper",
        ),
    ];
    let key = Key::layout(&root, &entries)?;
    let (area, strip) = key.split(&root);
    let widest_of = |labels: &[String]| {
        (labels.iter())
            .map(|l| text_size(&area, l, &label_font()).map(|s| s.0))
            .try_fold(0, |w, s| s.map(|s| w.max(s)))
    };
    // The full labels while they take at most 40 % of the width, else the data and width only.
    let mut labels: Vec<String> = cells.iter().map(|c| c.label.clone()).collect();
    let mut widest = widest_of(&labels)?;
    let width = area.dim_in_pixel().0;
    if widest * 5 > width * 2 {
        labels = (cells.iter())
            .map(|c| format!("{} {}", c.key.data, c.key.width_label))
            .collect();
        widest = widest_of(&labels)?;
    }
    let rows = cells.len().max(1);
    let y = -0.5..rows as f64 - 0.5;
    let tick = text_size(&area, "0.0001", &label_font())?.0;
    let plot_width = width.saturating_sub(widest + 30);
    let ticks = thinned(&log_ticks(lo, hi), tick_count(plot_width, tick));
    let x = (lo..hi).log_scale().with_key_points(ticks);
    let mut chart = ChartBuilder::on(&area)
        .caption("The knee's spread over seeds", title_font())
        .margin(8)
        .x_label_area_size(end_area(&area, true)?)
        .y_label_area_size(widest + 14)
        .build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .x_desc("Λ* (log axis)")
        .label_style(label_font())
        .axis_desc_style(desc_font())
        .axis_style(AXIS)
        .x_label_formatter(&|v| linear_label(*v))
        // The rows are labelled by their cells below, not by numbers.
        .y_labels(0)
        .disable_y_mesh()
        .light_line_style(BLACK.mix(0.05))
        .draw()?;
    chart.draw_series(DashedLineSeries::new(
        [(PAPER_KNEE, -0.5), (PAPER_KNEE, rows as f64 - 0.5)],
        6,
        4,
        REFERENCE.stroke_width(2),
    ))?;
    for (i, cell) in cells.iter().enumerate() {
        // Cell 0 at the top, as a table reads.
        let row = (rows - 1 - i) as f64;
        let (left, y) = chart.backend_coord(&(lo, row));
        let style = label_font().pos(Pos::new(HPos::Right, VPos::Center));
        root.draw_text(&labels[i], &style, (left - 8, y))?;
        let knees: Vec<f64> = cell.knees.iter().flatten().copied().collect();
        // Seeds spread a little up and down, so equal knees stay countable.
        let dots = knees.iter().enumerate().map(|(k, v)| {
            let offset = ((k % 5) as f64 - 2.0) * 0.06;
            Circle::new((*v, row + offset), 3, FISHER.mix(0.55).filled())
        });
        chart.draw_series(dots)?;
        if let Some(stats) = cell.knee_cutoff {
            chart.draw_series(LineSeries::new(
                [(stats.median, row - 0.3), (stats.median, row + 0.3)],
                KNEE.stroke_width(3),
            ))?;
        }
    }
    key.draw(&strip)?;
    root.present()?;
    Ok(())
}

//! A study's Λ* against the width (the autoencoder's m, or the classifier's first hidden width):
//! one line per data set, model and Fisher variant through the median over seeds (a few early
//! knees would drag a mean off every seed), a band from the least to the greatest, each seed a
//! dot, and the paper's Λ* ≈ 0.1 dashed.

use plotters::prelude::*;

use super::fisher_hist::linear_label;
use super::loss::log_ticks;
use super::style::{
    desc_font, draw_notice, end_area, label_font, side_area, title_font, Key, KeyEntry, Swatch,
    AXIS, REFERENCE,
};
use super::DrawResult;
use crate::network::ModelKind;
use crate::study::summary::StudySummary;

/// The paper's information scale (SPEC.md: Λ* ≈ 0.1 for MNIST at m = 20).
pub const PAPER_KNEE: f64 = 0.1;

/// One line of the chart: each width's seeds' knees.
pub struct KneeLine {
    pub label: String,
    /// (width, every seed's Λ*), widths ascending.
    pub points: Vec<(usize, Vec<f64>)>,
}

/// The lines of `summary`: cells that differ only in width share one (a classifier's depth is
/// not a width: 8 and 8, 4 hidden units are on two lines).
pub fn lines(summary: &StudySummary) -> Vec<KneeLine> {
    let mut lines: Vec<(String, KneeLine)> = Vec::new();
    for cell in &summary.cells {
        let k = &cell.key;
        let depth = match k.model {
            ModelKind::Autoencoder => String::new(),
            ModelKind::Classifier => match k.width_label.matches(',').count() + 1 {
                1 => " (1 hidden layer)".to_string(),
                n => format!(" ({n} hidden layers)"),
            },
        };
        let group = format!(
            "{}\u{0}{:?}{depth}\u{0}{}\u{0}{}",
            k.data, k.model, k.fisher_variant, k.settings
        );
        let knees: Vec<f64> = cell.knees.iter().flatten().copied().collect();
        if knees.is_empty() {
            continue;
        }
        let at = lines.iter().position(|(g, _)| *g == group);
        let line = match at {
            Some(i) => &mut lines[i].1,
            None => {
                // The cell's label without its width: "mnist · autoencoder · regression".
                let label = format!(
                    "{} · {}{depth} · {}",
                    k.data,
                    k.model.name(),
                    k.fisher_variant
                );
                lines.push((
                    group,
                    KneeLine {
                        label,
                        points: vec![],
                    },
                ));
                &mut lines.last_mut().unwrap().1
            }
        };
        line.points.push((k.width, knees));
    }
    for (_, line) in &mut lines {
        line.points.sort_by_key(|(width, _)| *width);
    }
    lines.into_iter().map(|(_, line)| line).collect()
}

/// The lines' colours, in order (Okabe-Ito, as `style`).
pub const LINE_COLOURS: [RGBColor; 6] = [
    super::style::BLUE,
    super::style::VERMILLION,
    super::style::BLUISH_GREEN,
    super::style::REDDISH_PURPLE,
    super::style::ORANGE,
    super::style::SKY_BLUE,
];

pub fn draw<DB: DrawingBackend>(backend: DB, summary: &StudySummary) -> DrawResult<DB> {
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    let lines = lines(summary);
    let knees = lines
        .iter()
        .flat_map(|l| l.points.iter().flat_map(|(_, k)| k.iter().copied()));
    let (y_lo, y_hi) = knees.clone().fold((PAPER_KNEE, PAPER_KNEE), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let widths = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|(w, _)| *w as f64));
    let (x_lo, x_hi) = widths.clone().fold((f64::INFINITY, 0.0f64), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if lines.is_empty() {
        return draw_notice(&root, "No run of this study has a knee yet");
    }
    let entries: Vec<KeyEntry> = (lines.iter().enumerate())
        .map(|(i, l)| KeyEntry::new(Swatch::Band(LINE_COLOURS[i % 6]), &l.label, &l.label))
        .chain([
            KeyEntry::new(
                Swatch::Band(REFERENCE),
                "median over seeds; band: least to greatest",
                "median, range",
            ),
            KeyEntry::new(
                Swatch::Dashed(REFERENCE, 2),
                "the paper's Λ* ≈ 0.1",
                "paper",
            ),
        ])
        .collect();
    let key = Key::layout(&root, &entries)?;
    let (area, strip) = key.split(&root);
    let (y_lo, y_hi) = (y_lo / 1.5, y_hi * 1.5);
    let x_ticks: Vec<f64> = {
        let mut t: Vec<f64> = widths.collect();
        t.sort_by(f64::total_cmp);
        t.dedup();
        t
    };
    let x = ((x_lo / 1.3)..(x_hi * 1.3))
        .log_scale()
        .with_key_points(x_ticks);
    let y = (y_lo..y_hi)
        .log_scale()
        .with_key_points(log_ticks(y_lo, y_hi));
    let mut chart = ChartBuilder::on(&area)
        .caption("The knee Λ* against the width", title_font())
        .margin(8)
        .x_label_area_size(end_area(&area, true)?)
        .y_label_area_size(side_area(&area, "0.005", true)?)
        .build_cartesian_2d(x, y)?;
    chart
        .configure_mesh()
        .x_desc("width (latent m, or first hidden layer)")
        .y_desc("Λ* (log axis)")
        .label_style(label_font())
        .axis_desc_style(desc_font())
        .axis_style(AXIS)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| linear_label(*v))
        .light_line_style(BLACK.mix(0.05))
        .draw()?;
    chart.draw_series(DashedLineSeries::new(
        [(x_lo / 1.3, PAPER_KNEE), (x_hi * 1.3, PAPER_KNEE)],
        6,
        4,
        REFERENCE.stroke_width(2),
    ))?;
    for (i, line) in lines.iter().enumerate() {
        let colour = LINE_COLOURS[i % 6];
        let extreme = |f: fn(f64, f64) -> f64, start: f64| {
            (line.points.iter()).map(move |(w, k)| (*w as f64, k.iter().copied().fold(start, f)))
        };
        let band: Vec<(f64, f64)> = extreme(f64::min, f64::INFINITY)
            .chain(extreme(f64::max, 0.0).collect::<Vec<_>>().into_iter().rev())
            .collect();
        chart.draw_series([Polygon::new(band, colour.mix(0.15).filled())])?;
        let means =
            (line.points.iter()).map(|(w, k)| (*w as f64, k.iter().sum::<f64>() / k.len() as f64));
        chart.draw_series(LineSeries::new(means, colour.stroke_width(2)))?;
        let dots = (line.points.iter())
            .flat_map(|(w, k)| k.iter().map(move |v| (*w as f64, *v)))
            .map(|p| Circle::new(p, 2, colour.mix(0.6).filled()));
        chart.draw_series(dots)?;
    }
    key.draw(&strip)?;
    root.present()?;
    Ok(())
}

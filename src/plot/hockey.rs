//! The hockey stick (paper figure 2): test loss against the first-layer weights removed, for
//! Fisher, random (mean, with a ±1 standard deviation band), magnitude and saliency pruning (those
//! the sweep ran), with the unpruned loss, the knee Λ* and its tolerance, and the current cutoff;
//! and, when they have run, the Fisher eigen-shells at the same counts (in directions removed)
//! and the test loss after fine-tuning. For the classifier, a second panel below gives the test
//! accuracy of the same models. The key sits below the panels, off the data, and shortens its
//! labels in a small box.

use plotters::chart::DualCoordChartContext;
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::*;

use super::style::{
    desc_font, end_area, fitting, label_font, right_margin, side_area, text_size, tick_count,
    title_font, Key, KeyEntry, Swatch, AXIS, CURRENT, EIGEN, FISHER, KNEE, MAGNITUDE, RANDOM,
    REFERENCE, SALIENCY,
};
use super::DrawResult;
use crate::eigen::run::{EigenCrossing, EigenRow};
use crate::finetune::{FineTunePoint, FineTuned};
use crate::sweep::{Knee, SweepRow};

#[derive(Clone, Copy, Debug)]
pub struct HockeyStick<'a> {
    /// Sweep rows, in any order.
    pub rows: &'a [SweepRow],
    /// First-layer weights in all (the x axis ends there).
    pub total: usize,
    /// The model's loss ("MSE", "cross-entropy") and what its first layer is called ("encoder").
    pub loss_name: &'a str,
    pub layer_name: &'a str,
    pub unpruned_loss: f64,
    /// The unpruned test accuracy: the classifier's panel below is drawn when it is given.
    pub unpruned_accuracy: Option<f64>,
    pub knee: Option<&'a Knee>,
    pub tolerance: f64,
    /// Weights removed at the current cutoff.
    pub current_removed: usize,
    /// Test loss after fine-tuning, drawn as squares in each scheme's colour (none: not run).
    pub fine_tuned: &'a [FineTunePoint],
    /// The eigen-shells at the sweep's counts (none: not run), and their +tolerance crossing.
    pub eigen: &'a [EigenRow],
    pub eigen_crossing: Option<&'a EigenCrossing>,
}

/// A scheme's colour by its report name.
fn colour_of(scheme: &str) -> RGBColor {
    match scheme {
        "random" => RANDOM,
        "magnitude" => MAGNITUDE,
        "saliency" => SALIENCY,
        _ => FISHER,
    }
}

/// What one panel plots of each model: the loss, or the accuracy in percent.
struct Measure {
    axis: String,
    /// The axis titles where the full one does not fit.
    short_axis: &'static str,
    shortest_axis: &'static str,
    /// Tick labels' decimals.
    decimals: usize,
    unpruned: f64,
    fisher: fn(&SweepRow) -> Option<f64>,
    random_mean: fn(&SweepRow) -> Option<f64>,
    random_std: fn(&SweepRow) -> Option<f64>,
    magnitude: fn(&SweepRow) -> Option<f64>,
    saliency: fn(&SweepRow) -> Option<f64>,
    fine_tuned: fn(&FineTuned) -> Option<f64>,
    eigen: fn(&EigenRow) -> Option<f64>,
}

fn loss_measure(chart: &HockeyStick) -> Measure {
    Measure {
        axis: format!("test {}", chart.loss_name),
        short_axis: "test loss",
        shortest_axis: "loss",
        decimals: 3,
        unpruned: chart.unpruned_loss,
        fisher: |r| Some(r.fisher_loss),
        random_mean: |r| r.random_loss_mean,
        random_std: |r| r.random_loss_std,
        magnitude: |r| r.magnitude_loss,
        saliency: |r| r.saliency_loss,
        fine_tuned: |s| Some(s.after),
        eigen: |r| Some(r.eigen_mse),
    }
}

fn percent(value: Option<f64>) -> Option<f64> {
    value.map(|v| 100.0 * v)
}

fn accuracy_measure(unpruned: f64) -> Measure {
    Measure {
        axis: "test accuracy (%)".into(),
        short_axis: "accuracy (%)",
        shortest_axis: "%",
        decimals: 1,
        unpruned: 100.0 * unpruned,
        fisher: |r| percent(r.fisher_accuracy),
        random_mean: |r| percent(r.random_accuracy_mean),
        random_std: |r| percent(r.random_accuracy_std),
        magnitude: |r| percent(r.magnitude_accuracy),
        saliency: |r| percent(r.saliency_accuracy),
        fine_tuned: |s| percent(s.after_accuracy),
        eigen: |r| percent(r.eigen_accuracy),
    }
}

/// The key's entries: one per thing drawn, in the order of `panel`.
fn key_entries(chart: &HockeyStick) -> Vec<KeyEntry> {
    let any = |value: fn(&SweepRow) -> Option<f64>| chart.rows.iter().any(|r| value(r).is_some());
    let tolerance = 100.0 * chart.tolerance;
    let mut entries = vec![];
    if !chart.rows.is_empty() {
        entries.push(KeyEntry::new(
            Swatch::Line(FISHER, 2),
            "Fisher (information shells)",
            "Fisher",
        ));
    }
    if any(|r| r.random_loss_mean) {
        entries.push(KeyEntry::new(
            Swatch::Band(RANDOM),
            "random (mean ± 1 std)",
            "random",
        ));
    }
    if any(|r| r.magnitude_loss) {
        entries.push(KeyEntry::new(
            Swatch::Line(MAGNITUDE, 2),
            "magnitude |E|",
            "magnitude",
        ));
    }
    if any(|r| r.saliency_loss) {
        entries.push(KeyEntry::new(
            Swatch::Line(SALIENCY, 2),
            "saliency F·E²",
            "saliency",
        ));
    }
    if !chart.eigen.is_empty() {
        entries.push(KeyEntry::new(
            Swatch::Triangle(EIGEN),
            "Fisher eigen-shells (directions removed)",
            "eigen-shells",
        ));
    }
    if let Some(crossing) = chart.eigen_crossing {
        entries.push(KeyEntry::new(
            Swatch::Ring(EIGEN),
            format!(
                "eigen-shells within {tolerance} % up to {} directions",
                crossing.removed
            ),
            format!("eigen ≤ {tolerance} %"),
        ));
    }
    if !chart.fine_tuned.is_empty() {
        entries.push(KeyEntry::new(
            Swatch::Square(CURRENT),
            "after fine-tuning (squares)",
            "fine-tuned",
        ));
    }
    entries.push(KeyEntry::new(
        Swatch::Dashed(REFERENCE, 1),
        format!("unpruned {:.5}", chart.unpruned_loss),
        "unpruned",
    ));
    if let Some(knee) = chart.knee {
        entries.push(KeyEntry::new(
            Swatch::Ring(KNEE),
            format!(
                "knee Λ* = {:.3e}: {} removed, within {tolerance} %",
                knee.cutoff, knee.removed
            ),
            "knee Λ*",
        ));
    }
    entries.push(
        KeyEntry::new(
            Swatch::Line(CURRENT, 2),
            format!("current cutoff: {} removed", chart.current_removed),
            "current Λ",
        )
        .keeping_width_of(format!("current cutoff: {} removed", chart.total)),
    );
    entries
}

/// The chart's parts in its box: the key and its strip below, and each panel's area with what
/// it plots. `draw` draws them; `removed_at` reads the pointer from them.
struct Layout<DB: DrawingBackend> {
    key: Key,
    strip: DrawingArea<DB, Shift>,
    /// Each panel's area, measure, whether it is the first (loss) panel and has a caption.
    panels: Vec<(DrawingArea<DB, Shift>, Measure, bool, bool)>,
    /// The y label area, the same for both panels so that their x axes line up.
    left: u32,
}

fn layout<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &HockeyStick,
) -> Result<Layout<DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let key = Key::layout(root, &key_entries(chart))?;
    let (plots, strip) = key.split(root);
    let height = plots.dim_in_pixel().1;
    // A caption only where there is height to spare.
    let caption = root.dim_in_pixel().1 >= 300;
    let panels = match chart.unpruned_accuracy {
        None => vec![(plots, loss_measure(chart), true, caption)],
        Some(accuracy) => {
            let (top, bottom) = plots.split_vertically(height * 3 / 5);
            vec![
                (top, loss_measure(chart), true, caption),
                (bottom, accuracy_measure(accuracy), false, false),
            ]
        }
    };
    let mut left = 0;
    for (area, measure, ..) in &panels {
        left = left.max(side_area(area, &widest_y(chart, measure), true)?);
    }
    Ok(Layout {
        key,
        strip,
        panels,
        left,
    })
}

pub fn draw<DB: DrawingBackend>(backend: DB, chart: &HockeyStick) -> DrawResult<DB> {
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    let parts = layout(&root, chart)?;
    for (area, measure, first, caption) in &parts.panels {
        panel(area, chart, measure, *first, *caption, parts.left)?;
    }
    parts.key.draw(&parts.strip)?;
    root.present()?;
    Ok(())
}

/// The weights removed under the point (`x`, `y`) of a chart drawn on a backend of this size
/// (its x axis read at the pointer, rounded, in [0, total]); `None` off both panels' plots.
/// Only the backend's size and text measures count: pass a `plot::measure::Measure`.
pub fn removed_at<DB: DrawingBackend>(
    backend: DB,
    chart: &HockeyStick,
    (x, y): (f64, f64),
) -> Result<Option<usize>, DrawingAreaErrorKind<DB::ErrorType>> {
    let root = backend.into_drawing_area();
    let parts = layout(&root, chart)?;
    for (area, measure, first, caption) in &parts.panels {
        let (plot, _) = frame(area, chart, measure, *first, *caption, parts.left)?;
        let (xs, ys) = plot.plotting_area().get_pixel_range();
        let inside = |v: f64, r: &std::ops::Range<i32>| r.start as f64 <= v && v <= r.end as f64;
        if inside(x, &xs) && inside(y, &ys) && xs.end > xs.start {
            let axis = plot.x_range();
            let t = (x - xs.start as f64) / (xs.end - xs.start) as f64;
            let removed = (axis.start + t * (axis.end - axis.start)).round();
            return Ok(Some((removed.max(0.0) as usize).min(chart.total)));
        }
    }
    Ok(None)
}

type Plot<'a, DB> = DualCoordChartContext<
    'a,
    DB,
    Cartesian2d<RangedCoordf64, RangedCoordf64>,
    Cartesian2d<RangedCoordf64, RangedCoordf64>,
>;

/// What a panel's mesh needs of its layout.
struct Frame {
    plot_width: u32,
    plot_height: u32,
    /// The widest x tick label.
    x_label: u32,
    /// Whether the fraction axis is drawn along the top.
    fractions: bool,
    lo: f64,
    hi: f64,
    pad: f64,
}

/// The y axis' range: every value drawn and the unpruned level, padded by 5 %, as (lo, hi,
/// pad).
fn value_range(chart: &HockeyStick, measure: &Measure) -> (f64, f64, f64) {
    let band = |r: &SweepRow, sign: f64| {
        (measure.random_mean)(r).map(|mean| mean + sign * (measure.random_std)(r).unwrap_or(0.0))
    };
    let values = chart.rows.iter().flat_map(|r| {
        [
            (measure.fisher)(r),
            (measure.magnitude)(r),
            (measure.saliency)(r),
            band(r, 1.0),
            band(r, -1.0),
        ]
        .into_iter()
        .flatten()
    });
    let tuned = (chart.fine_tuned.iter())
        .flat_map(|p| p.schemes.iter().filter_map(|s| (measure.fine_tuned)(s)));
    let eigen = chart.eigen.iter().filter_map(|r| (measure.eigen)(r));
    let (lo, hi) = values
        .chain(tuned)
        .chain(eigen)
        .chain([measure.unpruned])
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let (lo, hi) = if lo < hi { (lo, hi) } else { (0.0, 0.12) };
    let pad = 0.05 * (hi - lo);
    (lo, hi, pad)
}

/// The y axis' widest tick label.
fn widest_y(chart: &HockeyStick, measure: &Measure) -> String {
    let (lo, hi, pad) = value_range(chart, measure);
    let decimals = measure.decimals;
    [lo - pad, hi + pad]
        .map(|v| format!("{v:.decimals$}"))
        .into_iter()
        .max_by_key(|t| t.len())
        .unwrap_or_default()
}

/// A panel's layout, in CSS px: label areas sized to their text, the value range from the data,
/// and the chart built on it (the caption placed).
fn frame<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    chart: &HockeyStick,
    measure: &Measure,
    first: bool,
    caption: bool,
    left: u32,
) -> Result<(Plot<'a, DB>, Frame), DrawingAreaErrorKind<DB::ErrorType>> {
    let (lo, hi, pad) = value_range(chart, measure);
    let total = chart.total.max(1) as f64;
    let layer = chart.layer_name;

    let (width, height) = area.dim_in_pixel();
    let margin = if width < 480 { 8 } else { 12 };
    let fractions = first && height >= 250;
    let bottom = end_area(area, true)?;
    let top = if fractions { end_area(area, true)? } else { 0 };
    let x_label = text_size(area, &chart.total.to_string(), &label_font())?.0;
    let right = right_margin(margin, x_label);
    let plot_width = width.saturating_sub(margin + right + left);
    let mut builder = ChartBuilder::on(area);
    let mut caption_height = 0;
    if first && caption {
        let title = fitting(
            area,
            &title_font(),
            width - 2 * margin,
            &[
                format!(
                    "The hockey stick: test {} as {layer} weights are removed",
                    chart.loss_name
                ),
                format!("Hockey stick: test {}", chart.loss_name),
                "Hockey stick".into(),
            ],
        )?;
        caption_height = text_size(area, &title, &title_font())?.1 + 10;
        builder.caption(title, title_font());
    }
    let plot_height = height.saturating_sub(2 * margin + top + bottom + caption_height);
    builder
        .margin(margin)
        .margin_right(right)
        .x_label_area_size(bottom)
        .y_label_area_size(left)
        .top_x_label_area_size(top);
    let plot = builder
        .build_cartesian_2d(0.0..total, (lo - pad)..(hi + pad))?
        .set_secondary_coord(0.0..1.0, (lo - pad)..(hi + pad));
    let frame = Frame {
        plot_width,
        plot_height,
        x_label,
        fractions,
        lo,
        hi,
        pad,
    };
    Ok((plot, frame))
}

/// One panel: `measure` of every scheme against the weights removed. The first (loss) panel has
/// the tolerance line, and, where the box is tall enough, the fraction axis and (`caption`) the
/// caption.
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &HockeyStick,
    measure: &Measure,
    first: bool,
    caption: bool,
    left: u32,
) -> DrawResult<DB> {
    let (mut plot, frame) = frame(area, chart, measure, first, caption, left)?;
    let Frame {
        plot_width,
        plot_height,
        x_label,
        fractions,
        lo,
        hi,
        pad,
    } = frame;
    let rows = crate::sorting::sorted_by_key(chart.rows, |row| row.removed as f64);
    // The random band's edges: mean ± one sample standard deviation.
    let band = |r: &SweepRow, sign: f64| {
        (measure.random_mean)(r).map(|mean| mean + sign * (measure.random_std)(r).unwrap_or(0.0))
    };
    let total = chart.total.max(1) as f64;
    let layer = chart.layer_name;
    let decimals = measure.decimals;
    let x_desc = fitting(
        area,
        &desc_font(),
        plot_width,
        &[
            format!("{layer} weights removed (of {})", chart.total),
            format!("weights removed (of {})", chart.total),
            "weights removed".into(),
        ],
    )?;
    let y_desc = fitting(
        area,
        &desc_font(),
        plot_height,
        &[
            measure.axis.clone(),
            measure.short_axis.into(),
            measure.shortest_axis.into(),
        ],
    )?;
    let label_height = text_size(area, "0", &label_font())?.1;
    plot.configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_labels(tick_count(plot_width, x_label))
        .y_labels(tick_count(plot_height, label_height))
        .label_style(label_font())
        .axis_desc_style(desc_font())
        .axis_style(AXIS)
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.decimals$}"))
        .light_line_style(BLACK.mix(0.05))
        .draw()?;
    if fractions {
        let fraction_label = text_size(area, "100 %", &label_font())?.0;
        let fraction_desc = fitting(
            area,
            &desc_font(),
            plot_width,
            &["fraction removed".into(), "fraction".into()],
        )?;
        plot.configure_secondary_axes()
            .x_desc(fraction_desc)
            .x_labels(tick_count(plot_width, fraction_label))
            .label_style(label_font())
            .axis_desc_style(desc_font())
            .axis_style(AXIS)
            .x_label_formatter(&|v| format!("{:.0} %", 100.0 * v))
            .draw()?;
    }

    let x = |row: &SweepRow| row.removed as f64;
    let upper = rows.iter().filter_map(|r| Some((x(r), band(r, 1.0)?)));
    let lower = rows
        .iter()
        .rev()
        .filter_map(|r| Some((x(r), band(r, -1.0)?)));
    let outline: Vec<(f64, f64)> = upper.chain(lower).collect();
    if !outline.is_empty() {
        plot.draw_series([Polygon::new(outline, RANDOM.mix(0.15).filled())])?;
    }
    // Each scheme's points, where the sweep ran it; Fisher last, on top.
    let points = |value: fn(&SweepRow) -> Option<f64>| -> Vec<(f64, f64)> {
        rows.iter()
            .filter_map(|r| Some((x(r), value(r)?)))
            .collect()
    };
    let series = [
        (RANDOM, points(measure.random_mean)),
        (MAGNITUDE, points(measure.magnitude)),
        (SALIENCY, points(measure.saliency)),
        (FISHER, points(measure.fisher)),
    ];
    for (colour, points) in series {
        if points.is_empty() {
            continue;
        }
        plot.draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))?;
        plot.draw_series(points.iter().map(|&p| Circle::new(p, 2, colour.filled())))?;
    }

    let eigen_points: Vec<(f64, f64)> = (chart.eigen.iter())
        .filter_map(|r| Some((r.removed as f64, (measure.eigen)(r)?)))
        .collect();
    if !eigen_points.is_empty() {
        plot.draw_series(LineSeries::new(eigen_points.clone(), EIGEN.stroke_width(2)))?;
        plot.draw_series(
            eigen_points
                .iter()
                .map(|&p| TriangleMarker::new(p, 4, EIGEN.filled())),
        )?;
    }
    if let (Some(crossing), true) = (chart.eigen_crossing, first) {
        let point = (crossing.removed as f64, crossing.mse);
        plot.draw_series([Circle::new(point, 6, EIGEN.stroke_width(2))])?;
    }

    let squares: Vec<_> = (chart.fine_tuned.iter())
        .flat_map(|point| {
            point.schemes.iter().filter_map(move |s| {
                let at = (point.removed as f64, (measure.fine_tuned)(s)?);
                Some(
                    EmptyElement::at(at)
                        + Rectangle::new([(-5, -5), (5, 5)], colour_of(&s.scheme).stroke_width(2)),
                )
            })
        })
        .collect();
    if !squares.is_empty() {
        plot.draw_series(squares)?;
    }

    let unpruned = [(0.0, measure.unpruned), (total, measure.unpruned)];
    plot.draw_series(DashedLineSeries::new(
        unpruned,
        6,
        4,
        REFERENCE.stroke_width(1),
    ))?;
    if let Some(knee) = chart.knee {
        // The knee is found on the loss; the accuracy panel marks the same model.
        let value = if first {
            let limit = knee.unpruned_loss * (1.0 + chart.tolerance);
            let tolerance_line = [(0.0, limit), (total, limit)];
            plot.draw_series(DashedLineSeries::new(
                tolerance_line,
                2,
                4,
                KNEE.stroke_width(1),
            ))?;
            Some(knee.loss)
        } else {
            percent(knee.accuracy)
        };
        if let Some(value) = value {
            let point = (knee.removed as f64, value);
            plot.draw_series([Circle::new(point, 6, KNEE.stroke_width(2))])?;
        }
    }
    let current = chart.current_removed as f64;
    plot.draw_series(LineSeries::new(
        [(current, lo - pad), (current, hi + pad)],
        CURRENT.stroke_width(2),
    ))?;
    Ok(())
}

//! The hockey stick (paper figure 2): test MSE against the encoder weights removed, for Fisher,
//! random (mean, with a ±1 standard deviation band), magnitude and saliency pruning (those the
//! sweep ran), with the unpruned MSE, the knee Λ* and its tolerance, and the current cutoff; and,
//! when they have run, the Fisher eigen-shells at the same counts (in directions removed) and the
//! test MSE after fine-tuning.

use plotters::prelude::*;

use super::style::{
    legend, BLUE as FISHER, BROWN as EIGEN, FONT, GREEN as KNEE, ORANGE as RANDOM,
    PURPLE as MAGNITUDE, RED as CUTOFF, TEAL as SALIENCY,
};
use super::DrawResult;
use crate::eigen::run::{EigenCrossing, EigenRow};
use crate::finetune::FineTunePoint;
use crate::sweep::{Knee, SweepRow};

#[derive(Clone, Copy, Debug)]
pub struct HockeyStick<'a> {
    /// Sweep rows, in any order.
    pub rows: &'a [SweepRow],
    /// Encoder weights in all (the x axis ends there).
    pub total: usize,
    pub unpruned_mse: f64,
    pub knee: Option<&'a Knee>,
    pub tolerance: f64,
    /// Weights removed at the current cutoff.
    pub current_removed: usize,
    /// Test MSE after fine-tuning, drawn as squares in each scheme's colour (none: not run).
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

pub fn draw<DB: DrawingBackend>(backend: DB, chart: &HockeyStick) -> DrawResult<DB> {
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    let rows = crate::sorting::sorted_by_key(chart.rows, |row| row.removed as f64);
    // The random band's edges: mean ± one sample standard deviation.
    let band = |r: &SweepRow, sign: f64| {
        r.random_loss_mean
            .map(|mean| mean + sign * r.random_loss_std.unwrap_or(0.0))
    };
    let mses = rows.iter().flat_map(|r| {
        [
            Some(r.fisher_loss),
            r.magnitude_loss,
            r.saliency_loss,
            band(r, 1.0),
            band(r, -1.0),
        ]
        .into_iter()
        .flatten()
    });
    let tuned = (chart.fine_tuned.iter()).flat_map(|p| p.schemes.iter().map(|s| s.after));
    let eigen = chart.eigen.iter().map(|r| r.eigen_mse);
    let mses = mses.chain(tuned).chain(eigen);
    let (lo, hi) = mses
        .chain([chart.unpruned_mse])
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let (lo, hi) = if lo < hi { (lo, hi) } else { (0.0, 0.12) };
    let pad = 0.05 * (hi - lo);
    let total = chart.total.max(1) as f64;

    let mut plot = ChartBuilder::on(&root)
        .caption(
            "The hockey stick: test MSE as encoder weights are removed",
            (FONT, 16),
        )
        .margin(12)
        .x_label_area_size(40)
        .top_x_label_area_size(34)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..total, (lo - pad)..(hi + pad))?
        .set_secondary_coord(0.0..1.0, (lo - pad)..(hi + pad));
    plot.configure_mesh()
        .x_desc(format!("encoder weights removed (of {})", chart.total))
        .y_desc("test MSE")
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 13))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .y_label_formatter(&|v| format!("{v:.3}"))
        .light_line_style(BLACK.mix(0.05))
        .draw()?;
    plot.configure_secondary_axes()
        .x_desc("fraction removed")
        .label_style((FONT, 12))
        .axis_desc_style((FONT, 13))
        .x_label_formatter(&|v| format!("{:.0} %", 100.0 * v))
        .draw()?;

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
    // Each scheme's points, where the sweep ran it.
    let points = |mse: fn(&SweepRow) -> Option<f64>| -> Vec<(f64, f64)> {
        rows.iter().filter_map(|r| Some((x(r), mse(r)?))).collect()
    };
    let series = [
        (
            "random (mean ± 1 std)",
            RANDOM,
            points(|r| r.random_loss_mean),
        ),
        ("magnitude |E|", MAGNITUDE, points(|r| r.magnitude_loss)),
        ("saliency F·E²", SALIENCY, points(|r| r.saliency_loss)),
        (
            "Fisher (information shells)",
            FISHER,
            points(|r| Some(r.fisher_loss)),
        ),
    ];
    for (name, colour, points) in series {
        if points.is_empty() {
            continue;
        }
        plot.draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))?
            .label(name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2)));
        plot.draw_series(points.iter().map(|&p| Circle::new(p, 2, colour.filled())))?;
    }

    if !chart.eigen.is_empty() {
        let points: Vec<(f64, f64)> = (chart.eigen.iter())
            .map(|r| (r.removed as f64, r.eigen_mse))
            .collect();
        plot.draw_series(LineSeries::new(points.clone(), EIGEN.stroke_width(2)))?
            .label("Fisher eigen-shells (directions removed)")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], EIGEN.stroke_width(2)));
        plot.draw_series(
            points
                .iter()
                .map(|&p| TriangleMarker::new(p, 4, EIGEN.filled())),
        )?;
    }
    if let Some(crossing) = chart.eigen_crossing {
        let point = (crossing.removed as f64, crossing.mse);
        plot.draw_series([Circle::new(point, 6, EIGEN.stroke_width(2))])?
            .label(format!(
                "eigen-shells within {} % up to {} directions",
                100.0 * chart.tolerance,
                crossing.removed
            ))
            .legend(|(x, y)| Circle::new((x + 8, y), 5, EIGEN.stroke_width(2)));
    }

    let squares = chart.fine_tuned.iter().flat_map(|point| {
        point.schemes.iter().map(move |s| {
            let at = (point.removed as f64, s.after);
            EmptyElement::at(at)
                + Rectangle::new([(-5, -5), (5, 5)], colour_of(&s.scheme).stroke_width(2))
        })
    });
    if !chart.fine_tuned.is_empty() {
        plot.draw_series(squares)?
            .label("after fine-tuning (squares)")
            .legend(|(x, y)| {
                Rectangle::new([(x + 3, y - 5), (x + 13, y + 5)], BLACK.stroke_width(2))
            });
    }

    let unpruned = [(0.0, chart.unpruned_mse), (total, chart.unpruned_mse)];
    plot.draw_series(DashedLineSeries::new(
        unpruned,
        6,
        4,
        BLACK.mix(0.6).stroke_width(1),
    ))?
    .label(format!("unpruned {:.5}", chart.unpruned_mse))
    .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], BLACK.mix(0.6)));
    if let Some(knee) = chart.knee {
        let limit = knee.unpruned_loss * (1.0 + chart.tolerance);
        let tolerance_line = [(0.0, limit), (total, limit)];
        plot.draw_series(DashedLineSeries::new(
            tolerance_line,
            2,
            4,
            KNEE.stroke_width(1),
        ))?;
        let point = (knee.removed as f64, knee.loss);
        plot.draw_series([Circle::new(point, 6, KNEE.stroke_width(2))])?
            .label(format!(
                "knee Λ* = {:.3e}: {} removed, within {} %",
                knee.cutoff,
                knee.removed,
                100.0 * chart.tolerance
            ))
            .legend(|(x, y)| Circle::new((x + 8, y), 5, KNEE.stroke_width(2)));
    }
    let current = chart.current_removed as f64;
    plot.draw_series(LineSeries::new(
        [(current, lo - pad), (current, hi + pad)],
        CUTOFF.stroke_width(2),
    ))?
    .label(format!("current cutoff: {} removed", chart.current_removed))
    .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], CUTOFF.stroke_width(2)));

    legend(&mut plot, SeriesLabelPosition::UpperLeft)?;
    root.present()?;
    Ok(())
}

//! What the line and bar charts share: the font, one colour per series kind, and the legend box.

use plotters::coord::CoordTranslate;
use plotters::prelude::*;

use super::DrawResult;

pub const FONT: &str = "sans-serif";
/// Fisher pruning, and the training loss.
pub const BLUE: RGBColor = RGBColor(42, 111, 219);
/// Random pruning, and the test MSE.
pub const ORANGE: RGBColor = RGBColor(214, 96, 18);
/// Magnitude pruning.
pub const PURPLE: RGBColor = RGBColor(120, 80, 170);
/// Saliency pruning (F·E²).
pub const TEAL: RGBColor = RGBColor(0, 150, 160);
/// Fisher eigen-shells.
pub const BROWN: RGBColor = RGBColor(140, 86, 40);
/// The knee Λ*, and the test accuracy while training.
pub const GREEN: RGBColor = RGBColor(30, 140, 60);
/// The current cutoff Λ.
pub const RED: RGBColor = RGBColor(200, 30, 30);

/// The series' legend in a framed, nearly opaque box at `position`.
pub fn legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> DrawResult<DB>
where
    DB: DrawingBackend + 'a,
    CT: CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(position)
        .label_font((FONT, 12))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK.mix(0.3))
        .draw()?;
    Ok(())
}

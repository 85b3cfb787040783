//! The page's charts, one file each. Every `draw` takes any plotters `DrawingBackend` and plain
//! data (slices and numbers), so the browser draws on a canvas and the native tests on a bitmap.

pub mod loss;

/// Errors of drawing on backend `DB`.
pub type DrawResult<DB> = Result<
    (),
    plotters::drawing::DrawingAreaErrorKind<<DB as plotters::prelude::DrawingBackend>::ErrorType>,
>;

//! The page's charts, one file each. Line and bar charts (`loss`, `fisher_hist`, `hockey`) take
//! any plotters `DrawingBackend` and plain data, so the browser draws on a canvas and the native
//! tests on a recording backend. Image charts (`fisher_maps`, `recon`, `predictions`, `confusion`) render a `Picture`: one
//! RGBA buffer for a single bulk pixel write, and text labels.
//!
//! Each chart also reads a pointer by the layout it draws by: a line or bar chart on
//! `measure::Measure` (its box's size and text measures, nothing drawn), a picture from its
//! `Layout`.

pub mod confusion;
pub mod fisher_hist;
pub mod fisher_maps;
pub mod hockey;
pub mod loss;
pub mod measure;
pub mod picture;
pub mod predictions;
pub mod recon;
pub mod scaled;
pub mod soft_flow;
pub mod study_hockeys;
pub mod study_knees;
pub mod study_spread;
pub mod style;

/// Errors of drawing on backend `DB`.
pub type DrawResult<DB> = Result<
    (),
    plotters::drawing::DrawingAreaErrorKind<<DB as plotters::prelude::DrawingBackend>::ErrorType>,
>;

//! What the line and bar charts share: the font, one colour-blind-safe colour per role, the key
//! drawn below the plot (never over the data), and the sizes that let a chart lay itself out in
//! any box from 320 to 1000 CSS px wide and 220 to 700 tall.
//!
//! The palette is Okabe and Ito's (2008), which stays distinguishable under the common colour
//! vision deficiencies. One colour means one thing on every chart:
//!
//! | role                                             | colour                  |
//! |--------------------------------------------------|-------------------------|
//! | Fisher pruning; the Fisher histogram's bars      | blue `#0072B2`          |
//! | random pruning (mean and ±1 std band)            | vermillion `#D55E00`    |
//! | magnitude pruning                                | orange `#E69F00`        |
//! | saliency pruning (F·E²)                          | bluish green `#009E73`  |
//! | Fisher eigen-shells                              | sky blue `#56B4E9`      |
//! | the knee Λ* and its tolerance line               | reddish purple `#CC79A7`|
//! | the current cutoff Λ (or the current evidence n) | black, 2 px             |
//! | the unpruned model, a reference level            | grey, dashed            |
//!
//! Magnitude is orange rather than reddish purple: under deuteranopia reddish purple turns into
//! a blue close to Fisher's, orange into a yellow far from it. The training chart and the soft
//! flow have no schemes; there the model's own curve (train loss, posterior-predictive mean) is
//! blue, the test loss or a single draw vermillion, and accuracy or the washed-out fraction
//! bluish green. The axes are dark grey, so that only the current cutoff is pure black.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::DrawResult;

pub const FONT: &str = "sans-serif";
/// Text sizes in CSS px: tick labels and the key, axis titles, captions.
pub const LABEL_SIZE: u32 = 12;
pub const DESC_SIZE: u32 = 13;
pub const TITLE_SIZE: u32 = 16;

/// The eight Okabe-Ito colours but yellow (too light on white).
pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
pub const BLUISH_GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);
pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
pub const REDDISH_PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
pub const INK: RGBColor = RGBColor(0, 0, 0);

/// The roles (see the table above).
pub const FISHER: RGBColor = BLUE;
pub const RANDOM: RGBColor = VERMILLION;
pub const MAGNITUDE: RGBColor = ORANGE;
pub const SALIENCY: RGBColor = BLUISH_GREEN;
pub const EIGEN: RGBColor = SKY_BLUE;
pub const KNEE: RGBColor = REDDISH_PURPLE;
pub const CURRENT: RGBColor = INK;
/// Train loss, posterior-predictive mean: the model's own curve.
pub const MODEL: RGBColor = BLUE;
/// Test loss, a single posterior draw.
pub const TEST: RGBColor = VERMILLION;
/// Test accuracy, the washed-out fraction.
pub const SECONDARY: RGBColor = BLUISH_GREEN;
/// The unpruned model's level: dashed.
pub const REFERENCE: RGBColor = RGBColor(0x77, 0x77, 0x77);
/// Axes and tick marks.
pub const AXIS: RGBColor = RGBColor(0x55, 0x55, 0x55);

pub fn label_font() -> TextStyle<'static> {
    (FONT, LABEL_SIZE).into_font().into()
}

pub fn desc_font() -> TextStyle<'static> {
    (FONT, DESC_SIZE).into_font().into()
}

pub fn title_font() -> TextStyle<'static> {
    (FONT, TITLE_SIZE).into_font().into()
}

/// A chart with nothing to plot: `message` centred on the whole area, in the title's font.
pub fn draw_notice<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    message: &str,
) -> DrawResult<DB> {
    let style = title_font().pos(Pos::new(HPos::Center, VPos::Center));
    let (w, h) = root.dim_in_pixel();
    root.draw_text(message, &style, (w as i32 / 2, h as i32 / 2))?;
    root.present()
}

/// Width and height of `text` in `font`, as the backend measures it.
pub fn text_size<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    font: &TextStyle,
) -> Result<(u32, u32), plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>> {
    area.estimate_text_size(text, font)
}

/// The first of `candidates` (longest first) that is at most `width` wide, else the last.
pub fn fitting<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    font: &TextStyle,
    width: u32,
    candidates: &[String],
) -> Result<String, plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>> {
    for text in candidates {
        if text_size(area, text, font)?.0 <= width {
            return Ok(text.clone());
        }
    }
    Ok(candidates.last().cloned().unwrap_or_default())
}

/// plotters puts tick labels this far from the axis (twice its 5 px tick).
const LABEL_DISTANCE: u32 = 10;
/// Between a tick label and the axis title.
const GAP: u32 = 6;

/// The left (or right) label area for tick labels no wider than `widest` and, with `desc`, a
/// rotated axis title beside them.
pub fn side_area<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    widest: &str,
    desc: bool,
) -> Result<u32, plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>> {
    let label = text_size(area, widest, &label_font())?.0;
    let title = if desc {
        text_size(area, "Mg", &desc_font())?.1 + GAP
    } else {
        0
    };
    Ok(LABEL_DISTANCE + label + title + 2)
}

/// The bottom (or top) label area: tick labels and, with `desc`, the axis title below them.
pub fn end_area<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    desc: bool,
) -> Result<u32, plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>> {
    let label = text_size(area, "0.9", &label_font())?.1;
    let title = if desc {
        text_size(area, "Mg", &desc_font())?.1 + 2
    } else {
        0
    };
    Ok(LABEL_DISTANCE + label + title + 2)
}

/// The right margin: `margin`, or more so that a tick label `label` px wide centred on the
/// x axis' right end stays on the canvas.
pub fn right_margin(margin: u32, label: u32) -> u32 {
    margin.max(label / 2 + 2)
}

/// How many tick labels `label` px wide (or tall) fit along `span` px, with room between them.
pub fn tick_count(span: u32, label: u32) -> usize {
    (span as usize / (label as usize + 24)).clamp(2, 10)
}

/// What a key entry shows beside its label.
#[derive(Clone, Copy, Debug)]
pub enum Swatch {
    /// A solid line of this width.
    Line(RGBColor, u32),
    /// A thin translucent line (every batch's loss).
    Faint(RGBColor),
    Dashed(RGBColor, u32),
    /// A line through a translucent band (random pruning's mean ± std).
    Band(RGBColor),
    Ring(RGBColor),
    Square(RGBColor),
    Triangle(RGBColor),
    Dot(RGBColor),
    /// A histogram bar.
    Block(RGBColor),
}

#[derive(Clone, Debug)]
pub struct KeyEntry {
    pub swatch: Swatch,
    /// The full label, and a short one for narrow boxes.
    pub label: String,
    pub short: String,
    /// A label as wide as `label` can get, whose width the entry keeps: a label that changes with
    /// the current cutoff then never moves the key, nor the plot above it.
    pub widest: Option<String>,
}

impl KeyEntry {
    pub fn new(swatch: Swatch, label: impl Into<String>, short: impl Into<String>) -> Self {
        KeyEntry {
            swatch,
            label: label.into(),
            short: short.into(),
            widest: None,
        }
    }

    /// This entry keeps the width of `widest` (see `widest`).
    pub fn keeping_width_of(mut self, widest: impl Into<String>) -> Self {
        self.widest = Some(widest.into());
        self
    }
}

const SWATCH_WIDTH: i32 = 22;
const SWATCH_GAP: i32 = 6;
const ENTRY_GAP: i32 = 18;

/// A chart's key, laid out in rows below the plot: entries flow left to right and wrap. The full
/// labels are used while each fits the width and all take at most a fifth of the chart's
/// height, else the short ones.
pub struct Key {
    /// Each row: (entry, text, text width).
    rows: Vec<Vec<(KeyEntry, String, i32)>>,
    row_height: i32,
}

impl Key {
    pub fn layout<DB: DrawingBackend>(
        area: &DrawingArea<DB, Shift>,
        entries: &[KeyEntry],
    ) -> Result<Key, plotters::drawing::DrawingAreaErrorKind<DB::ErrorType>> {
        let (width, height) = area.dim_in_pixel();
        let row_height = text_size(area, "Mg", &label_font())?.1 as i32 + 6;
        let room = width as i32 - 16;
        // The rows, and whether every entry fits on one.
        let flow = |short: bool| -> Result<_, plotters::drawing::DrawingAreaErrorKind<_>> {
            let mut rows: Vec<Vec<(KeyEntry, String, i32)>> = vec![];
            let mut used = 0;
            let mut fits = true;
            for entry in entries {
                let text = if short { &entry.short } else { &entry.label };
                let mut w = text_size(area, text, &label_font())?.0 as i32;
                if let (Some(widest), false) = (&entry.widest, short) {
                    w = w.max(text_size(area, widest, &label_font())?.0 as i32);
                }
                let span = SWATCH_WIDTH + SWATCH_GAP + w;
                fits &= span <= room;
                if rows.is_empty() || used + ENTRY_GAP + span > room {
                    rows.push(vec![]);
                    used = span;
                } else {
                    used += ENTRY_GAP + span;
                }
                rows.last_mut()
                    .unwrap()
                    .push((entry.clone(), text.clone(), w));
            }
            Ok((rows, fits))
        };
        let (long, fits) = flow(false)?;
        let rows = if fits && long.len() as i32 * row_height <= height as i32 / 5 {
            long
        } else {
            flow(true)?.0
        };
        Ok(Key { rows, row_height })
    }

    pub fn height(&self) -> u32 {
        if self.rows.is_empty() {
            0
        } else {
            (self.rows.len() as i32 * self.row_height + 4) as u32
        }
    }

    /// Splits `area` into the plot's part and the key's strip at its bottom.
    pub fn split<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>) {
        let height = area.dim_in_pixel().1;
        area.split_vertically(height.saturating_sub(self.height()))
    }

    /// Each row centred in `strip`.
    pub fn draw<DB: DrawingBackend>(&self, strip: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let width = strip.dim_in_pixel().0 as i32;
        for (r, row) in self.rows.iter().enumerate() {
            let used: i32 = row
                .iter()
                .map(|(_, _, w)| SWATCH_WIDTH + SWATCH_GAP + w)
                .sum::<i32>()
                + ENTRY_GAP * (row.len() as i32 - 1);
            let mut x = ((width - used) / 2).max(0);
            let y = r as i32 * self.row_height + self.row_height / 2;
            for (entry, text, w) in row {
                swatch(strip, entry.swatch, x, y)?;
                let style = label_font().pos(Pos::new(HPos::Left, VPos::Center));
                strip.draw_text(text, &style, (x + SWATCH_WIDTH + SWATCH_GAP, y))?;
                x += SWATCH_WIDTH + SWATCH_GAP + w + ENTRY_GAP;
            }
        }
        Ok(())
    }
}

fn swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    swatch: Swatch,
    x: i32,
    y: i32,
) -> DrawResult<DB> {
    let (left, right, middle) = (x, x + SWATCH_WIDTH, x + SWATCH_WIDTH / 2);
    match swatch {
        Swatch::Line(colour, width) => {
            area.draw(&PathElement::new(
                [(left, y), (right, y)],
                colour.stroke_width(width),
            ))?;
        }
        Swatch::Faint(colour) => {
            area.draw(&PathElement::new([(left, y), (right, y)], colour.mix(0.3)))?;
        }
        Swatch::Dashed(colour, width) => {
            for start in [left, left + 9, left + 18] {
                area.draw(&PathElement::new(
                    [(start, y), ((start + 5).min(right), y)],
                    colour.stroke_width(width),
                ))?;
            }
        }
        Swatch::Band(colour) => {
            area.draw(&Rectangle::new(
                [(left, y - 5), (right, y + 5)],
                colour.mix(0.15).filled(),
            ))?;
            area.draw(&PathElement::new(
                [(left, y), (right, y)],
                colour.stroke_width(2),
            ))?;
        }
        Swatch::Ring(colour) => {
            area.draw(&Circle::new((middle, y), 5, colour.stroke_width(2)))?;
        }
        Swatch::Square(colour) => {
            area.draw(&Rectangle::new(
                [(middle - 5, y - 5), (middle + 5, y + 5)],
                colour.stroke_width(2),
            ))?;
        }
        Swatch::Triangle(colour) => {
            area.draw(&PathElement::new(
                [(left, y), (right, y)],
                colour.stroke_width(2),
            ))?;
            area.draw(&TriangleMarker::new((middle, y), 4, colour.filled()))?;
        }
        Swatch::Dot(colour) => {
            area.draw(&Circle::new((middle, y), 4, colour.filled()))?;
        }
        Swatch::Block(colour) => {
            area.draw(&Rectangle::new(
                [(left + 4, y - 5), (right - 4, y + 5)],
                colour.mix(0.75).filled(),
            ))?;
        }
    }
    Ok(())
}

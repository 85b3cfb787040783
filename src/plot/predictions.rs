//! The classifier's answers on the fixed test digits (in place of the autoencoder's
//! reconstructions): the digits with their true labels, then one row per model (unpruned, and
//! each pruning scheme at the current cutoff) giving the predicted class and its probability.
//! Wrong answers are marked with ✗ on a red cell. Drawn at 2 screen px per image pixel where the
//! page has the room, else at 1.

use super::picture::{ink, scale_to_fit, within, Picture};
use crate::predictions::Prediction;

pub const LARGEST_SCALE: usize = 2;
const LABEL_HEIGHT: usize = 16;
const CELL_HEIGHT: usize = 22;
const TOP: usize = 4;
/// A wrong answer's cell.
const WRONG: [u8; 3] = [250, 205, 200];

#[derive(Clone, Copy, Debug)]
pub struct PredictionRow<'a> {
    pub label: &'a str,
    /// One answer per digit, in the digits' order.
    pub predictions: &'a [Prediction],
}

/// Where everything sits: `count` digits of `shape` at `scale`, then `answers` rows of cells.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub count: usize,
    pub shape: (usize, usize),
    pub answers: usize,
    pub scale: usize,
    pub label_width: usize,
    /// Between digits: a cell is a digit's width and this gap.
    pub gap: usize,
}

/// What lies under a point: digit `digit` itself, or its cell in answer row `answer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spot {
    Digit(usize),
    Answer { answer: usize, digit: usize },
}

impl Layout {
    /// At scale 2, 150 px of row labels and 14 px gaps; at 1, 90 px and gaps wide enough for
    /// "✗ 7 · 100%" (about 60 px) under each digit.
    pub fn new(count: usize, shape: (usize, usize), answers: usize, scale: usize) -> Layout {
        let scale = scale.max(1);
        let (label_width, gap) = if scale >= 2 { (150, 14) } else { (90, 34) };
        Layout {
            count,
            shape,
            answers,
            scale,
            label_width,
            gap,
        }
    }

    /// The largest scale up to `LARGEST_SCALE` whose picture fits `room` CSS px.
    pub fn fitting(count: usize, shape: (usize, usize), answers: usize, room: f64) -> Layout {
        let at = |scale| Layout::new(count, shape, answers, scale);
        at(scale_to_fit(LARGEST_SCALE, room, |scale| {
            at(scale).size().0
        }))
    }

    fn tile_width(&self) -> usize {
        self.shape.1 * self.scale + self.gap
    }

    fn digits_height(&self) -> usize {
        self.shape.0 * self.scale + LABEL_HEIGHT
    }

    pub fn size(&self) -> (usize, usize) {
        (
            self.label_width + self.count * self.tile_width(),
            TOP + self.digits_height() + self.answers * CELL_HEIGHT + 4,
        )
    }

    /// Digit `k`'s left edge.
    fn left(&self, k: usize) -> usize {
        self.label_width + k * self.tile_width()
    }

    /// Answer row `r`'s top.
    fn answer_top(&self, r: usize) -> usize {
        TOP + self.digits_height() + r * CELL_HEIGHT
    }

    /// What lies under the point (`x`, `y`) in CSS px: a digit's image, or an answer's cell
    /// (a digit's width and a gap, centred under it).
    pub fn spot_at(&self, x: f64, y: f64) -> Option<Spot> {
        let (rows, cols) = self.shape;
        let scale = self.scale;
        if x < 0.0 || y < 0.0 {
            return None;
        }
        if within(y, TOP, rows * scale) {
            let k = (x as usize).checked_sub(self.label_width)? / self.tile_width();
            return (k < self.count && within(x, self.left(k), cols * scale))
                .then_some(Spot::Digit(k));
        }
        let r = (y as usize).checked_sub(self.answer_top(0))? / CELL_HEIGHT;
        let k = (x as usize + self.gap / 2).checked_sub(self.label_width)? / self.tile_width();
        (r < self.answers && k < self.count).then_some(Spot::Answer {
            answer: r,
            digit: k,
        })
    }
}

/// `images`: the digits, `rows × cols` values in [0, 1] each, one after another; `labels`
/// their true classes; `layout` made for as many digits and answers.
pub fn render(
    images: &[f32],
    labels: &[u8],
    answers: &[PredictionRow],
    layout: &Layout,
) -> Picture {
    let (rows, cols) = layout.shape;
    let scale = layout.scale;
    let tile_w = layout.tile_width();
    let (width, height) = layout.size();
    let mut picture = Picture::new(width, height);
    let centre = |k: usize| (layout.left(k) + cols * scale / 2) as f64;
    picture.label(
        layout.label_width as f64 / 2.0,
        (TOP + rows * scale / 2 + 4) as f64,
        "test digit",
    );
    for (k, image) in images.chunks(rows * cols).take(layout.count).enumerate() {
        picture.tile((layout.left(k), TOP), (rows, cols), scale, |i, j| {
            ink(image[i * cols + j])
        });
        let label = format!("label {}", labels[k]);
        picture.label(centre(k), (TOP + rows * scale + 12) as f64, label);
    }
    for (r, row) in answers.iter().enumerate() {
        let top = layout.answer_top(r);
        let baseline = (top + CELL_HEIGHT - 7) as f64;
        picture.label(layout.label_width as f64 / 2.0, baseline, row.label);
        for (k, answer) in row.predictions.iter().enumerate().take(layout.count) {
            let left = layout.left(k) - layout.gap / 2;
            if !answer.is_right() {
                picture.fill((left + 1, top + 1), (tile_w - 2, CELL_HEIGHT - 2), WRONG);
            }
            let mark = if answer.is_right() { "" } else { "✗ " };
            let percent = (100.0 * answer.probability).round();
            let text = format!("{mark}{} · {percent:.0}%", answer.predicted);
            picture.label(centre(k), baseline, text);
        }
    }
    picture
}

//! The classifier's answers on the fixed test digits (in place of the autoencoder's
//! reconstructions): the digits with their true labels, then one row per model (unpruned, and
//! each pruning scheme at the current cutoff) giving the predicted class and its probability.
//! Wrong answers are marked with ✗ on a red cell.

use super::picture::{ink, Picture};
use crate::predictions::Prediction;

const SCALE: usize = 2;
const GAP: usize = 14;
const ROW_LABEL_WIDTH: usize = 150;
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

/// `images`: the digits, `rows × cols` values in [0, 1] each, one after another; `labels`
/// their true classes.
pub fn render(
    images: &[f32],
    labels: &[u8],
    (rows, cols): (usize, usize),
    answers: &[PredictionRow],
) -> Picture {
    let count = labels.len();
    let tile_w = cols * SCALE + GAP;
    let digits_h = rows * SCALE + LABEL_HEIGHT;
    let mut picture = Picture::new(
        ROW_LABEL_WIDTH + count * tile_w,
        TOP + digits_h + answers.len() * CELL_HEIGHT + 4,
    );
    let centre = |k: usize| (ROW_LABEL_WIDTH + k * tile_w + cols * SCALE / 2) as f64;
    picture.label(
        ROW_LABEL_WIDTH as f64 / 2.0,
        (TOP + rows * SCALE / 2 + 4) as f64,
        "test digit",
    );
    for (k, image) in images.chunks(rows * cols).take(count).enumerate() {
        let left = ROW_LABEL_WIDTH + k * tile_w;
        picture.tile((left, TOP), (rows, cols), SCALE, |i, j| {
            ink(image[i * cols + j])
        });
        let label = format!("label {}", labels[k]);
        picture.label(centre(k), (TOP + rows * SCALE + 12) as f64, label);
    }
    for (r, row) in answers.iter().enumerate() {
        let top = TOP + digits_h + r * CELL_HEIGHT;
        let baseline = (top + CELL_HEIGHT - 7) as f64;
        picture.label(ROW_LABEL_WIDTH as f64 / 2.0, baseline, row.label);
        for (k, answer) in row.predictions.iter().enumerate() {
            let left = ROW_LABEL_WIDTH + k * tile_w - GAP / 2;
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

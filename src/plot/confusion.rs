//! The classifier's C × C confusion matrix at the current cutoff: row t, column p counts the
//! test images of class t it predicts as p. The diagonal is shaded blue and the errors red, each
//! by its share of the row, so a class that collapses stands out at any count.

use super::picture::Picture;
use crate::predictions::Confusion;

/// A cell's side for MNIST's ten classes; more classes get smaller cells, down to `MIN_CELL`,
/// and lose their numbers below `LABELLED_CELL`.
const CELL: usize = 40;
const GRID: usize = 400;
const MIN_CELL: usize = 3;
const LABELLED_CELL: usize = 24;
const LEFT: usize = 70;
const TOP: usize = 44;
const BLUE: [f64; 3] = [120.0, 165.0, 235.0];
const RED: [f64; 3] = [240.0, 120.0, 110.0];

/// White blended towards `full` by `share` in [0, 1].
fn shade(full: [f64; 3], share: f64) -> [u8; 3] {
    let t = share.clamp(0.0, 1.0);
    full.map(|c| (255.0 + t * (c - 255.0)).round() as u8)
}

/// A cell's side in CSS px for `classes` classes.
fn cell_side(classes: usize) -> usize {
    (GRID / classes.max(1)).clamp(MIN_CELL, CELL)
}

/// The (true, predicted) cell under the point (`x`, `y`) in CSS px of the matrix of `classes`
/// classes; `None` off the grid.
pub fn cell_at(classes: usize, x: f64, y: f64) -> Option<(usize, usize)> {
    let cell = cell_side(classes);
    let (x, y) = (x - LEFT as f64, y - TOP as f64);
    if x < 0.0 || y < 0.0 {
        return None;
    }
    let (p, t) = (x as usize / cell, y as usize / cell);
    (t < classes && p < classes).then_some((t, p))
}

/// The picture's width and height in CSS px for `classes` classes.
pub fn size(classes: usize) -> (usize, usize) {
    let cell = cell_side(classes);
    (LEFT + classes * cell + 8, TOP + classes * cell + 8)
}

pub fn render(confusion: &Confusion) -> Picture {
    let classes = confusion.classes();
    let cell = cell_side(classes);
    let labelled = cell >= LABELLED_CELL;
    let (width, height) = size(classes);
    let mut picture = Picture::new(width, height);
    let grid_centre = (LEFT + classes * cell / 2) as f64;
    picture.label(grid_centre, 14.0, "predicted class");
    picture.label(LEFT as f64 / 2.0 - 6.0, (TOP - 8) as f64, "true ↓");
    for c in (0..classes).filter(|_| labelled) {
        let middle = |start: usize| (start + c * cell + cell / 2) as f64;
        picture.label(middle(LEFT), (TOP - 8) as f64, c.to_string());
        picture.label(LEFT as f64 - 16.0, middle(TOP) + 4.0, c.to_string());
    }
    for (t, row) in confusion.counts.iter().enumerate() {
        let in_row = row.iter().sum::<usize>().max(1) as f64;
        for (p, &count) in row.iter().enumerate() {
            let share = count as f64 / in_row;
            let rgb = if t == p {
                shade(BLUE, share)
            } else {
                // Errors are rarer than right answers: twice the shade keeps them visible.
                shade(RED, (2.0 * share).min(1.0))
            };
            let (left, top) = (LEFT + p * cell, TOP + t * cell);
            picture.fill((left, top), (cell - 1, cell - 1), rgb);
            let centre = (
                left as f64 + cell as f64 / 2.0,
                top as f64 + cell as f64 / 2.0 + 4.0,
            );
            if count > 0 && labelled {
                picture.label(centre.0, centre.1, count.to_string());
            }
        }
    }
    picture
}

//! One image-sized tile (28×28 for MNIST) per latent unit j: log F[j, ·] of the weights into
//! that unit, drawn where the pixel is, so the Fisher's "energy scale" can be seen in image
//! space. Each map has its own colour scale, from its smallest positive F to its largest: the
//! units' Fisher values differ by orders of magnitude, and on one shared scale all but the
//! largest would be a single colour. Weights the current cutoff removes (F ≤ Λ) are pale;
//! weights with F = 0, which every cutoff removes, are grey.

use ndarray::ArrayView2;

use super::picture::{scale_to_fit, shaded, viridis, within, Picture};

const GAP: usize = 6;
const LABEL_HEIGHT: usize = 16;
const BAR_HEIGHT: usize = 12;
const FOOTER: usize = 62;
/// F = 0, before shading.
const ZERO: [u8; 3] = [40, 40, 40];

#[derive(Clone, Copy, Debug)]
pub struct FisherMaps<'a> {
    /// The encoder's Fisher values, [m, rows·cols].
    pub fisher: ArrayView2<'a, f32>,
    pub rows: usize,
    pub cols: usize,
    pub cutoff: f32,
}

/// Where the maps sit: `m` tiles of `shape`, `per_row` to a row, at `scale` screen px per image
/// pixel, above the colour bar's footer. `render` draws by it and `weight_at` reads the pointer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub m: usize,
    pub shape: (usize, usize),
    pub per_row: usize,
    pub scale: usize,
}

impl Layout {
    /// Tiles per row for `m` tiles, and the largest scale, keeping the picture under ~900 px.
    fn preferred(m: usize) -> (usize, usize) {
        match m {
            0..=10 => (m.max(1), 3),
            11..=20 => (10, 3),
            21..=60 => (12, 2),
            _ => (16, 1),
        }
    }

    /// At `scale` (at most the preferred one for `m`).
    pub fn new(m: usize, shape: (usize, usize), scale: usize) -> Layout {
        let (per_row, largest) = Layout::preferred(m);
        Layout {
            m,
            shape,
            per_row,
            scale: scale.clamp(1, largest),
        }
    }

    /// The largest scale whose picture fits `room` CSS px.
    pub fn fitting(m: usize, shape: (usize, usize), room: f64) -> Layout {
        let largest = Layout::preferred(m).1;
        let at = |scale| Layout::new(m, shape, scale);
        at(scale_to_fit(largest, room, |scale| at(scale).size().0))
    }

    fn tile(&self) -> (usize, usize) {
        let (rows, cols) = self.shape;
        (cols * self.scale + GAP, rows * self.scale + LABEL_HEIGHT)
    }

    fn grid_rows(&self) -> usize {
        self.m.div_ceil(self.per_row)
    }

    pub fn size(&self) -> (usize, usize) {
        let (tile_w, tile_h) = self.tile();
        (
            (self.per_row * tile_w).max(360),
            self.grid_rows() * tile_h + FOOTER,
        )
    }

    /// Unit `j`'s tile's top-left corner.
    pub fn corner(&self, j: usize) -> (usize, usize) {
        let (tile_w, tile_h) = self.tile();
        ((j % self.per_row) * tile_w, (j / self.per_row) * tile_h)
    }

    /// The unit, and the row and column of its weight's pixel, under the point (`x`, `y`) in CSS
    /// px; `None` off the maps.
    pub fn weight_at(&self, x: f64, y: f64) -> Option<(usize, usize, usize)> {
        if x < 0.0 || y < 0.0 {
            return None;
        }
        let (tile_w, tile_h) = self.tile();
        let (column, grid_row) = (x as usize / tile_w, y as usize / tile_h);
        let j = grid_row * self.per_row + column;
        if column >= self.per_row || j >= self.m {
            return None;
        }
        let (left, top) = self.corner(j);
        let (rows, cols) = self.shape;
        let inside = within(x, left, cols * self.scale) && within(y, top, rows * self.scale);
        let (r, c) = (
            (y as usize - top) / self.scale,
            (x as usize - left) / self.scale,
        );
        inside.then_some((j, r, c))
    }
}

/// log10 of the smallest positive and the largest value (a colour scale's ends).
pub fn log_range(values: impl Iterator<Item = f32>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|&v| v > 0.0 && v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v as f64), hi.max(v as f64))
        });
    if lo > hi {
        (0.0, 1.0)
    } else if lo == hi {
        (lo.log10() - 1.0, hi.log10())
    } else {
        (lo.log10(), hi.log10())
    }
}

/// The maps at `layout` (made for as many units and this shape).
pub fn render(maps: &FisherMaps, layout: &Layout) -> Picture {
    let (rows, cols) = (maps.rows, maps.cols);
    let scale = layout.scale;
    let (width, height) = layout.size();
    let grid_rows = layout.grid_rows();
    let mut picture = Picture::new(width, height);
    let colour = |f: f32, (lo, hi): (f64, f64)| {
        let rgb = if f > 0.0 {
            viridis(((f as f64).log10() - lo) / (hi - lo))
        } else {
            ZERO
        };
        if f <= maps.cutoff {
            shaded(rgb)
        } else {
            rgb
        }
    };
    for (j, row) in maps.fisher.outer_iter().enumerate() {
        let (left, top) = layout.corner(j);
        let range = log_range(row.iter().copied());
        picture.tile((left, top), (rows, cols), scale, |r, c| {
            colour(row[r * cols + c], range)
        });
        let centre = (left + cols * scale / 2) as f64;
        // A narrow tile has room for the number only.
        let name = if layout.tile().0 >= 60 {
            format!("unit {}", j + 1)
        } else {
            format!("{}", j + 1)
        };
        picture.label(centre, (top + rows * scale + 12) as f64, name);
    }
    // The colour bar: log10 F from each map's smallest positive value to its largest.
    let bar_top = grid_rows * layout.tile().1 + 6;
    let bar_width = width.min(360);
    for x in 0..bar_width {
        let rgb = viridis(x as f64 / (bar_width - 1) as f64);
        for y in bar_top..bar_top + BAR_HEIGHT {
            picture.set(x, y, rgb);
        }
    }
    let below = (bar_top + BAR_HEIGHT + 14) as f64;
    picture.label(36.0, below, "least F");
    picture.label(bar_width as f64 - 40.0, below, "largest F");
    picture.label(
        bar_width as f64 / 2.0,
        below,
        "each map on its own log scale",
    );
    picture.label(
        bar_width as f64 / 2.0,
        below + 16.0,
        "pale: removed at this Λ; grey: F = 0",
    );
    picture
}

//! Reconstructions of a few fixed test digits (paper figures 3 and 4): one row of originals and
//! one row per pruning scheme at the current cutoff, each image labelled with its MSE. Drawn at
//! 2 screen px per image pixel where the page has the room, else at 1 with narrower labels.

use super::picture::{ink, scale_to_fit, within, Picture};

/// The largest scale; `Layout::fitting` takes less where the room is short.
pub const LARGEST_SCALE: usize = 2;
const MSE_HEIGHT: usize = 16;
const TOP: usize = 4;

#[derive(Clone, Copy, Debug)]
pub struct ReconRow<'a> {
    pub label: &'a str,
    /// `count` images of `rows × cols` values in [0, 1], one after another.
    pub images: &'a [f32],
    /// Each image's MSE against its original (none for the originals).
    pub mse: Option<&'a [f64]>,
}

/// Where everything sits in the picture: `rows` labelled rows of `count` digits of `shape`, at
/// `scale` screen px per image pixel. `render` draws by it and `digit_at` reads the pointer by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub rows: usize,
    pub count: usize,
    /// One digit's rows and cols.
    pub shape: (usize, usize),
    pub scale: usize,
    /// The row labels' column.
    pub label_width: usize,
    /// Between digits.
    pub gap: usize,
}

impl Layout {
    /// At `scale`: the paper-sized 150 px label column at 2; at 1, room for the longest label at
    /// about 7 px a character, at least 80 px, and wider gaps, so the MSEs under the digits
    /// stay apart.
    pub fn new(labels: &[&str], count: usize, shape: (usize, usize), scale: usize) -> Layout {
        let scale = scale.max(1);
        let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        let (label_width, gap) = if scale >= 2 {
            (150, 8)
        } else {
            ((7 * longest + 10).clamp(80, 150), 12)
        };
        Layout {
            rows: labels.len(),
            count,
            shape,
            scale,
            label_width,
            gap,
        }
    }

    /// The largest scale up to `LARGEST_SCALE` whose picture fits `room` CSS px.
    pub fn fitting(labels: &[&str], count: usize, shape: (usize, usize), room: f64) -> Layout {
        let at = |scale| Layout::new(labels, count, shape, scale);
        at(scale_to_fit(LARGEST_SCALE, room, |scale| {
            at(scale).size().0
        }))
    }

    fn tile(&self) -> (usize, usize) {
        let (rows, cols) = self.shape;
        (cols * self.scale + self.gap, rows * self.scale + MSE_HEIGHT)
    }

    /// Width and height in CSS px.
    pub fn size(&self) -> (usize, usize) {
        let (tile_w, tile_h) = self.tile();
        (
            self.label_width + self.count * tile_w,
            TOP + self.rows * tile_h,
        )
    }

    /// Top-left corner of digit `k` in row `row`.
    pub fn corner(&self, row: usize, k: usize) -> (usize, usize) {
        let (tile_w, tile_h) = self.tile();
        (self.label_width + k * tile_w, TOP + row * tile_h)
    }

    /// The row and digit whose image holds the point (`x`, `y`) (CSS px); `None` elsewhere
    /// (labels, MSEs, gaps).
    pub fn digit_at(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        let (tile_w, tile_h) = self.tile();
        let (rows, cols) = self.shape;
        if x < self.label_width as f64 || y < TOP as f64 {
            return None;
        }
        let k = (x as usize - self.label_width) / tile_w;
        let row = (y as usize - TOP) / tile_h;
        let (left, top) = self.corner(row, k);
        let inside = row < self.rows
            && k < self.count
            && within(x, left, cols * self.scale)
            && within(y, top, rows * self.scale);
        inside.then_some((row, k))
    }
}

/// The picture of `layout` (made with these rows' labels and shape).
pub fn render(recon_rows: &[ReconRow], layout: &Layout) -> Picture {
    let (rows, cols) = layout.shape;
    let n = rows * cols;
    let scale = layout.scale;
    let (width, height) = layout.size();
    let mut picture = Picture::new(width, height);
    for (r, row) in recon_rows.iter().enumerate() {
        let (_, top) = layout.corner(r, 0);
        let middle = (top + rows * scale / 2 + 4) as f64;
        picture.label(layout.label_width as f64 / 2.0, middle, row.label);
        for (k, image) in row.images.chunks(n).take(layout.count).enumerate() {
            let (left, top) = layout.corner(r, k);
            picture.tile((left, top), (rows, cols), scale, |i, j| {
                ink(image[i * cols + j])
            });
            if let Some(mse) = row.mse.and_then(|m| m.get(k)) {
                let centre = (left + cols * scale / 2) as f64;
                picture.label(
                    centre,
                    (top + rows * scale + 12) as f64,
                    format!("{mse:.4}"),
                );
            }
        }
    }
    picture
}

/// The layout of `recon_rows` at the largest scale that fits `room` CSS px.
pub fn layout_of(recon_rows: &[ReconRow], shape: (usize, usize), room: f64) -> Layout {
    let labels: Vec<&str> = recon_rows.iter().map(|r| r.label).collect();
    let n = (shape.0 * shape.1).max(1);
    let count = recon_rows.first().map_or(0, |r| r.images.len() / n);
    Layout::fitting(&labels, count, shape, room)
}

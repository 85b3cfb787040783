//! One image-sized tile (28×28 for MNIST) per latent unit j: log F[j, ·] of the weights into
//! that unit, drawn where the pixel is, so the Fisher's "energy scale" can be seen in image
//! space. Each map has its own colour scale, from its smallest positive F to its largest: the
//! units' Fisher values differ by orders of magnitude, and on one shared scale all but the
//! largest would be a single colour. Weights the current cutoff removes (F ≤ Λ) are pale;
//! weights with F = 0, which every cutoff removes, are grey.

use ndarray::ArrayView2;

use super::picture::{shaded, viridis, Picture};

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

/// Tiles per row and pixels per image pixel for `m` tiles, keeping the picture under ~900 px wide.
fn layout(m: usize) -> (usize, usize) {
    match m {
        0..=10 => (m.max(1), 3),
        11..=20 => (10, 3),
        21..=60 => (12, 2),
        _ => (16, 1),
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

pub fn render(maps: &FisherMaps) -> Picture {
    let (m, (rows, cols)) = (maps.fisher.nrows(), (maps.rows, maps.cols));
    let (per_row, scale) = layout(m);
    let (tile_w, tile_h) = (cols * scale + GAP, rows * scale + LABEL_HEIGHT);
    let grid_rows = m.div_ceil(per_row);
    let width = (per_row * tile_w).max(360);
    let mut picture = Picture::new(width, grid_rows * tile_h + FOOTER);
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
        let (left, top) = ((j % per_row) * tile_w, (j / per_row) * tile_h);
        let range = log_range(row.iter().copied());
        picture.tile((left, top), (rows, cols), scale, |r, c| {
            colour(row[r * cols + c], range)
        });
        let centre = (left + cols * scale / 2) as f64;
        picture.label(
            centre,
            (top + rows * scale + 12) as f64,
            format!("unit {}", j + 1),
        );
    }
    // The colour bar: log10 F from each map's smallest positive value to its largest.
    let bar_top = grid_rows * tile_h + 6;
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

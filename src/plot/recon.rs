//! Reconstructions of a few fixed test digits (paper figures 3 and 4): one row of originals and
//! one row per pruning scheme at the current cutoff, each image labelled with its MSE.

use super::picture::{ink, Picture};

const SCALE: usize = 2;
const GAP: usize = 8;
const ROW_LABEL_WIDTH: usize = 150;
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

pub fn render(recon_rows: &[ReconRow], (rows, cols): (usize, usize)) -> Picture {
    let n = rows * cols;
    let count = recon_rows.first().map_or(0, |r| r.images.len() / n.max(1));
    let (tile_w, tile_h) = (cols * SCALE + GAP, rows * SCALE + MSE_HEIGHT);
    let mut picture = Picture::new(
        ROW_LABEL_WIDTH + count * tile_w,
        TOP + recon_rows.len() * tile_h,
    );
    for (r, row) in recon_rows.iter().enumerate() {
        let top = TOP + r * tile_h;
        let middle = (top + rows * SCALE / 2 + 4) as f64;
        picture.label(ROW_LABEL_WIDTH as f64 / 2.0, middle, row.label);
        for (k, image) in row.images.chunks(n).enumerate() {
            let left = ROW_LABEL_WIDTH + k * tile_w;
            picture.tile((left, top), (rows, cols), SCALE, |i, j| {
                ink(image[i * cols + j])
            });
            if let Some(mse) = row.mse.and_then(|m| m.get(k)) {
                let centre = (left + cols * SCALE / 2) as f64;
                picture.label(
                    centre,
                    (top + rows * SCALE + 12) as f64,
                    format!("{mse:.4}"),
                );
            }
        }
    }
    picture
}

//! `decode_picture` and `resized`. Seeds: an MNIST image as PNG in grey, grey and alpha,
//! 16-bit grey, RGB, a palette and 2-bit grey, and the JPEG fixtures of tests/fixtures/pictures.
//! Half the PNG inputs have their chunks' CRC-32 made right again, so that mutations reach the
//! inflater and the unfiltering rather than stop at the checksum. Property: an accepted picture
//! has rows x cols pixels, at most 4096 a side, as its header says (PNG), and resizes to 28x28.

use bayes_renorm::data::picture::{decode_picture, resized, MAX_DECODED_SIDE};
use bayes_renorm::data::Dataset;
use bayes_renorm::rng::Rng;
use flate2::Crc;
use png::{BitDepth, ColorType};

use super::{random_or_mutated, Target};
use crate::writers::encode_png;

pub(super) const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";

pub struct PictureTarget {
    seeds: Vec<Vec<u8>>,
}

impl PictureTarget {
    /// `jpegs`: the committed JPEG fixtures.
    pub fn new(images: &Dataset, jpegs: Vec<Vec<u8>>) -> Self {
        let grey = images.image(0);
        let twice = |f: fn(u8) -> [u8; 2]| grey.iter().flat_map(|&g| f(g)).collect::<Vec<u8>>();
        let rgb: Vec<u8> = grey.iter().flat_map(|&g| [g, 255 - g, g / 2]).collect();
        let indices: Vec<u8> = grey.iter().map(|&g| g >> 6).collect();
        let two_bit: Vec<u8> = indices
            .chunks(4)
            .map(|four| {
                four.iter()
                    .enumerate()
                    .fold(0, |b, (k, &i)| b | i << (6 - 2 * k))
            })
            .collect();
        let palette = [0, 0, 0, 90, 90, 90, 200, 30, 30, 255, 255, 255];
        // `data`, 28 x 28 samples of `color` and `depth`, as a PNG.
        let mnist_png =
            |color, depth, data: &[u8], palette| encode_png(28, 28, color, depth, data, palette);
        let mut seeds = vec![
            mnist_png(ColorType::Grayscale, BitDepth::Eight, grey, None),
            mnist_png(
                ColorType::GrayscaleAlpha,
                BitDepth::Eight,
                &twice(|g| [g, !g]),
                None,
            ),
            mnist_png(
                ColorType::Grayscale,
                BitDepth::Sixteen,
                &twice(|g| [g, g]),
                None,
            ),
            mnist_png(ColorType::Rgb, BitDepth::Eight, &rgb, None),
            mnist_png(
                ColorType::Indexed,
                BitDepth::Eight,
                &indices,
                Some(&palette),
            ),
            mnist_png(ColorType::Grayscale, BitDepth::Two, &two_bit, None),
        ];
        seeds.extend(jpegs);
        PictureTarget { seeds }
    }
}

impl Target for PictureTarget {
    fn name(&self) -> &'static str {
        "picture"
    }

    fn input(&self, rng: &mut Rng) -> Vec<u8> {
        let mut input = random_or_mutated(&self.seeds[rng.below(self.seeds.len())], rng);
        if input.starts_with(PNG_MAGIC) && rng.below(2) == 0 {
            fix_png_crcs(&mut input);
        }
        input
    }

    fn run(&self, input: &[u8]) -> bool {
        let Ok(image) = decode_picture("fuzz", input) else {
            return false;
        };
        assert_eq!(image.pixels.len(), image.rows * image.cols);
        assert!(
            (1..=MAX_DECODED_SIDE).contains(&image.rows),
            "{} rows",
            image.rows
        );
        assert!(
            (1..=MAX_DECODED_SIDE).contains(&image.cols),
            "{} cols",
            image.cols
        );
        if input.starts_with(PNG_MAGIC) {
            // IHDR's width and height, read here independently of the decoder.
            let field = |at: usize| {
                u32::from_be_bytes([input[at], input[at + 1], input[at + 2], input[at + 3]])
            };
            assert_eq!(
                (image.cols, image.rows),
                (field(16) as usize, field(20) as usize)
            );
        }
        let small = resized(&image, 28, 28);
        assert_eq!((small.rows, small.cols, small.pixels.len()), (28, 28, 784));
        true
    }
}

/// Rewrites each whole chunk's CRC-32 (over its type and data) to match.
pub(super) fn fix_png_crcs(bytes: &mut [u8]) {
    let mut at = PNG_MAGIC.len();
    while at + 12 <= bytes.len() {
        let len = u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
        let Some(end) = (at + 8)
            .checked_add(len as usize)
            .filter(|end| end + 4 <= bytes.len())
        else {
            return;
        };
        let mut crc = Crc::new();
        crc.update(&bytes[at + 4..end]);
        bytes[end..end + 4].copy_from_slice(&crc.sum().to_be_bytes());
        at = end + 4;
    }
}

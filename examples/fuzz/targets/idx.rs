//! `read_idx` on an images file and a labels file, raw or gzipped. An input is the pair in one
//! byte string: the images file's length (u32 little-endian), the images file, the labels file.
//! Property: an accepted pair agrees on the count, has images of 1x1 to 64x64, and written back as IDX
//! reads as the same dataset.

use crate::fuzz::{random_bytes, randomly_mutated};
use bayes_renorm::data::idx::{idx_images_bytes, idx_labels_bytes, read_idx};
use bayes_renorm::data::{Dataset, MAX_SIDE};
use bayes_renorm::rng::Rng;

use super::Target;
use crate::writers::gzip;

pub struct IdxTarget {
    /// (images, labels) of three MNIST images and of two 2x3 images, raw and gzipped.
    pairs: Vec<[Vec<u8>; 2]>,
}

impl IdxTarget {
    pub fn new(images: &Dataset) -> Self {
        let tiny = Dataset::new(2, 3, vec![0, 9], (0..12).collect());
        let mut pairs = Vec::new();
        for data in [images.first(3), tiny] {
            let raw = [idx_images_bytes(&data), idx_labels_bytes(&data)];
            pairs.push(raw.clone().map(|file| gzip(&file)));
            pairs.push(raw);
        }
        IdxTarget { pairs }
    }
}

impl Target for IdxTarget {
    fn name(&self) -> &'static str {
        "idx"
    }

    fn input(&self, rng: &mut Rng) -> Vec<u8> {
        let pair = &self.pairs[rng.below(self.pairs.len())];
        // Each file on its own: kept (a quarter), random (a tenth) or mutated.
        let [images, labels] = pair.clone().map(|file| match rng.below(20) {
            0..=4 => file,
            5 | 6 => {
                let len = rng.below(1024);
                random_bytes(rng, len)
            }
            _ => randomly_mutated(&file, rng),
        });
        let mut input = (images.len() as u32).to_le_bytes().to_vec();
        input.extend_from_slice(&images);
        input.extend_from_slice(&labels);
        input
    }

    fn run(&self, input: &[u8]) -> bool {
        let (images, labels) = split_pair(input);
        let Ok(data) = read_idx(images, labels) else {
            return false;
        };
        assert_eq!(data.pixels.len(), data.len() * data.rows * data.cols);
        assert!(data.rows <= MAX_SIDE && data.cols <= MAX_SIDE, "image size");
        let again = read_idx(&idx_images_bytes(&data), &idx_labels_bytes(&data));
        assert_eq!(again.expect("a rewritten pair reads"), data);
        true
    }
}

/// The two files of an input; a length past the end takes everything as the images file.
fn split_pair(input: &[u8]) -> (&[u8], &[u8]) {
    let Some((prefix, rest)) = input.split_first_chunk::<4>() else {
        return (input, &[]);
    };
    let images_len = (u32::from_le_bytes(*prefix) as usize).min(rest.len());
    rest.split_at(images_len)
}

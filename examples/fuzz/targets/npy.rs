//! `read_npy` and `npy_dataset`. Seeds: three MNIST images as uint8 [3, 28, 28] (format 1.0)
//! and [3, 784] (2.0), and their labels as int64 and as big-endian uint16. Property: an accepted
//! array holds as many values as its shape says, written back as uint8 it reads the same, and
//! when its shape gives an image size, that is 1x1 to 64x64 and fits the values.

use bayes_renorm::data::npy::{image_size, npy_dataset, read_npy, NpyArray};
use bayes_renorm::data::{Dataset, MAX_SIDE};
use bayes_renorm::rng::Rng;

use super::{random_or_mutated, Target};
use crate::writers::{int64_le, npy, npy_bytes};

pub struct NpyTarget {
    seeds: Vec<Vec<u8>>,
}

impl NpyTarget {
    pub fn new(images: &Dataset) -> Self {
        let data = images.first(3);
        let labels: Vec<i64> = data.labels.iter().map(|&l| i64::from(l)).collect();
        let labels_u2: Vec<u8> = data
            .labels
            .iter()
            .flat_map(|&l| u16::from(l).to_be_bytes())
            .collect();
        NpyTarget {
            seeds: vec![
                npy("|u1", &[3, 28, 28], &data.pixels),
                npy_bytes("|u1", false, &[3, 784], &data.pixels, 2),
                npy("<i8", &[3], &int64_le(&labels)),
                npy_bytes(">u2", false, &[3], &labels_u2, 3),
            ],
        }
    }
}

impl Target for NpyTarget {
    fn name(&self) -> &'static str {
        "npy"
    }

    fn input(&self, rng: &mut Rng) -> Vec<u8> {
        random_or_mutated(&self.seeds[rng.below(self.seeds.len())], rng)
    }

    fn run(&self, input: &[u8]) -> bool {
        let Ok(array) = read_npy("fuzz.npy", input) else {
            return false;
        };
        // A zero anywhere makes the product 0, however large the other dimensions.
        let count = match array.shape.contains(&0) {
            true => Some(0),
            false => array
                .shape
                .iter()
                .try_fold(1usize, |n, &d| n.checked_mul(d)),
        };
        assert_eq!(count, Some(array.values.len()), "shape {:?}", array.shape);
        let again = read_npy("again.npy", &npy("|u1", &array.shape, &array.values));
        assert_eq!(again.expect("a rewritten array reads"), array);
        if let Ok((rows, cols)) = image_size("fuzz.npy", &array.shape, None) {
            assert!((1..=MAX_SIDE).contains(&rows) && (1..=MAX_SIDE).contains(&cols));
            let images = array.shape[0];
            assert_eq!(images * rows * cols, array.values.len());
            let labels = NpyArray {
                shape: vec![images],
                values: vec![0; images],
            };
            let data = npy_dataset("fuzz.npy", array, "labels.npy", labels, None)
                .expect("one label per image");
            assert_eq!((data.rows, data.cols), (rows, cols));
        }
        true
    }
}

//! `read_csv`, and `CsvReader` in steps. Seeds: three MNIST images as CSV with a header and
//! `\r\n`, without a header, and two 2x3 images (read with width 3). Property: an accepted file
//! holds images of 1x1 to 64x64 and one label per image, reading it a line at a time gives the
//! same data set, and written back as CSV it reads the same.

use bayes_renorm::data::csv::{read_csv, CsvReader};
use bayes_renorm::data::{Dataset, MAX_SIDE};
use bayes_renorm::rng::Rng;

use super::{random_or_mutated, Target};
use crate::writers::{csv, csv_text};

pub struct CsvTarget {
    seeds: Vec<Vec<u8>>,
}

impl CsvTarget {
    pub fn new(images: &Dataset) -> Self {
        let tiny = Dataset::new(2, 3, vec![0, 255], (0..12).map(|p| p * 21).collect());
        CsvTarget {
            seeds: vec![
                csv_text(&images.first(3), true, true, false).into_bytes(),
                csv(&images.first(3), false),
                csv(&tiny, false),
            ],
        }
    }
}

impl Target for CsvTarget {
    fn name(&self) -> &'static str {
        "csv"
    }

    fn input(&self, rng: &mut Rng) -> Vec<u8> {
        random_or_mutated(&self.seeds[rng.below(self.seeds.len())], rng)
    }

    fn run(&self, input: &[u8]) -> bool {
        let mut accepted = false;
        for width in [None, Some(3)] {
            let Ok(data) = read_csv("fuzz.csv", input, width) else {
                continue;
            };
            accepted = true;
            assert!((1..=MAX_SIDE).contains(&data.rows), "{} rows", data.rows);
            assert!((1..=MAX_SIDE).contains(&data.cols), "{} cols", data.cols);
            assert!(!data.is_empty(), "an accepted file has data rows");
            assert_eq!(data.pixels.len(), data.len() * data.rows * data.cols);
            if width.is_none() {
                assert_eq!(data.rows, data.cols, "square without a width");
            }
            let mut reader = CsvReader::new("fuzz.csv", input, width);
            while !reader.step(1).expect("a line at a time reads as the whole") {}
            assert_eq!(reader.bytes_read(), input.len());
            assert_eq!(reader.finish().expect("finishes as the whole"), data);
            let again = read_csv("again.csv", &csv(&data, false), Some(data.cols));
            assert_eq!(again.expect("a rewritten file reads"), data);
        }
        accepted
    }
}

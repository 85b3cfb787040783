//! `read_csv`, and `CsvReader` in steps. Seeds: three MNIST images as CSV with a header and
//! `\r\n`, without a header, and two 2x3 images (read with width 3). Property: an accepted file
//! holds images of 1x1 to 64x64 and one label per image, reading it a line at a time gives the
//! same data set, and written back as CSV it reads the same.

use bayes_renorm::data::csv::{read_csv, CsvReader};
use bayes_renorm::data::{Dataset, MAX_SIDE};
use bayes_renorm::rng::Rng;

use super::{random_or_mutated, Target};

pub struct CsvTarget {
    seeds: Vec<Vec<u8>>,
}

impl CsvTarget {
    pub fn new(images: &Dataset) -> Self {
        let tiny = Dataset::new(2, 3, vec![0, 255], (0..12).map(|p| p * 21).collect());
        CsvTarget {
            seeds: vec![
                csv(&images.first(3), true, "\r\n"),
                csv(&images.first(3), false, "\n"),
                csv(&tiny, false, "\n"),
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
            let again = read_csv("again.csv", &csv(&data, false, "\n"), Some(data.cols));
            assert_eq!(again.expect("a rewritten file reads"), data);
        }
        accepted
    }
}

/// Kaggle's layout: label, then the pixels.
fn csv(data: &Dataset, header: bool, eol: &str) -> Vec<u8> {
    let mut out = String::new();
    if header {
        out.push_str("label");
        (0..data.input_dim()).for_each(|i| out.push_str(&format!(",pixel{i}")));
        out.push_str(eol);
    }
    for (i, label) in data.labels.iter().enumerate() {
        out.push_str(&label.to_string());
        data.image(i)
            .iter()
            .for_each(|p| out.push_str(&format!(",{p}")));
        out.push_str(eol);
    }
    out.into_bytes()
}

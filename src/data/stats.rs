//! Label counts and pixel statistics of a split, to check a loader against SPEC.md's MNIST facts
//! (training mean 0.1307, std 0.3081 of x = pixel / 255).

use serde::Serialize;

use super::Dataset;

/// Counts accumulated shard by shard. Pixels go into a 256-bin histogram, so mean and std are
/// exact sums over at most 256 terms instead of 47 million.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitStats {
    /// One count per class: at least the data set's classes, more if a label beyond them came.
    pub label_counts: Vec<u64>,
    pub pixel_histogram: [u64; 256],
}

impl SplitStats {
    /// Nothing counted yet, for labels 0 to classes - 1.
    pub fn new(classes: usize) -> Self {
        SplitStats {
            label_counts: vec![0; classes],
            pixel_histogram: [0; 256],
        }
    }

    pub fn of(data: &Dataset, classes: usize) -> Self {
        let mut stats = SplitStats::new(classes);
        stats.add(data);
        stats
    }

    /// Adds the examples of `data`.
    pub fn add(&mut self, data: &Dataset) {
        for &label in &data.labels {
            let label = label as usize;
            if label >= self.label_counts.len() {
                self.label_counts.resize(label + 1, 0);
            }
            self.label_counts[label] += 1;
        }
        for &p in &data.pixels {
            self.pixel_histogram[p as usize] += 1;
        }
    }

    pub fn count(&self) -> u64 {
        self.label_counts.iter().sum()
    }

    fn pixel_count(&self) -> f64 {
        self.pixel_histogram.iter().sum::<u64>() as f64
    }

    /// Mean of x = pixel / 255 over every pixel of the split (NaN when empty).
    pub fn pixel_mean(&self) -> f64 {
        self.weighted_sum(|x| x) / self.pixel_count()
    }

    /// Population standard deviation of x = pixel / 255 (NaN when empty).
    pub fn pixel_std(&self) -> f64 {
        let mean = self.pixel_mean();
        (self.weighted_sum(|x| (x - mean) * (x - mean)) / self.pixel_count()).sqrt()
    }

    fn weighted_sum(&self, f: impl Fn(f64) -> f64) -> f64 {
        self.pixel_histogram
            .iter()
            .enumerate()
            .map(|(p, &n)| n as f64 * f(p as f64 / 255.0))
            .sum()
    }
}

/// What `inspect` and the page report about a split.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SplitSummary {
    pub count: u64,
    pub label_counts: Vec<u64>,
    pub pixel_mean: f64,
    pub pixel_std: f64,
}

impl SplitStats {
    pub fn summary(&self) -> SplitSummary {
        SplitSummary {
            count: self.count(),
            label_counts: self.label_counts.clone(),
            pixel_mean: self.pixel_mean(),
            pixel_std: self.pixel_std(),
        }
    }
}

//! The MNIST facts of SPEC.md ("Data") hold for the shards committed in www/data/mnist.

use std::path::Path;

use bayes_renorm::data::files::{load_shards, read_manifest};
use bayes_renorm::data::idx::idx_images_sha256;
use bayes_renorm::data::manifest::Split;
use bayes_renorm::data::stats::SplitStats;
use bayes_renorm::data::Dataset;

const TRAIN_LABEL_COUNTS: [u64; 10] = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_LABEL_COUNTS: [u64; 10] = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];
const TRAIN_IMAGES_SHA256: &str =
    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db";
const TEST_IMAGES_SHA256: &str = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7";

fn mnist(split: Split) -> Dataset {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data/mnist");
    load_shards(&dir, &read_manifest(&dir).unwrap(), split).unwrap()
}

#[test]
fn train_split_matches_spec() {
    let train = mnist(Split::Train);
    let stats = SplitStats::of(&train, 10);
    assert_eq!(train.len(), 60_000);
    assert_eq!(stats.label_counts, TRAIN_LABEL_COUNTS.to_vec());
    assert_eq!(format!("{:.4}", stats.pixel_mean()), "0.1307");
    assert_eq!(format!("{:.4}", stats.pixel_std()), "0.3081");
    assert_eq!(idx_images_sha256(&train), TRAIN_IMAGES_SHA256);
}

#[test]
fn test_split_matches_spec() {
    let test = mnist(Split::Test);
    assert_eq!(test.len(), 10_000);
    assert_eq!(
        SplitStats::of(&test, 10).label_counts,
        TEST_LABEL_COUNTS.to_vec()
    );
    assert_eq!(idx_images_sha256(&test), TEST_IMAGES_SHA256);
}

/// The histogram formula against exact integer sums over all 47 million pixels.
#[test]
fn histogram_mean_and_std_equal_exact_sums() {
    let train = mnist(Split::Train);
    let stats = SplitStats::of(&train, 10);
    let n = train.pixels.len() as f64;
    let sum: u64 = train.pixels.iter().map(|&p| p as u64).sum();
    let sum_sq: u64 = train.pixels.iter().map(|&p| (p as u64).pow(2)).sum();
    let mean = sum as f64 / 255.0 / n;
    let var = sum_sq as f64 / (255.0 * 255.0) / n - mean * mean;
    assert!((stats.pixel_mean() - mean).abs() < 1e-12);
    assert!((stats.pixel_std() - var.sqrt()).abs() < 1e-12);
}

//! The parsers under test. Each target draws inputs from seeds made of real files (the committed
//! MNIST test shard and manifest, the weights fixtures, files the crate's own writers produce)
//! and checks a property of whatever its parser accepts, panicking if it does not hold.

mod csv;
mod idx;
mod import;
mod manifest;
mod npy;
mod picture;
mod shard;
mod weights;
mod zip;

use std::path::Path;

use crate::fuzz::{random_bytes, randomly_mutated};
use bayes_renorm::data::shard::decode_shard;
use bayes_renorm::rng::Rng;

pub trait Target {
    fn name(&self) -> &'static str;
    fn input(&self, rng: &mut Rng) -> Vec<u8>;
    /// Parses `input`: true if the parser accepted it. Panics if an accepted input breaks the
    /// target's property (or, the bug being looked for, if the parser panics).
    fn run(&self, input: &[u8]) -> bool;
}

/// Every target, seeded from the committed files.
pub fn all() -> Vec<Box<dyn Target>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |path: &str| {
        std::fs::read(root.join(path)).unwrap_or_else(|e| panic!("seed file {path}: {e}"))
    };
    let shard = read("www/data/mnist/test-00.v1.shard");
    let images = decode_shard("test-00", &shard, None).expect("the committed shard decodes");
    vec![
        Box::new(shard::ShardTarget::new(shard, &images)),
        Box::new(manifest::ManifestTarget::new(
            read("www/data/mnist/manifest.json"),
            &images,
        )),
        Box::new(weights::WeightsTarget::new(
            read("tests/fixtures/paper_weights.safetensors"),
            read("tests/fixtures/authors_weights.safetensors"),
        )),
        Box::new(idx::IdxTarget::new(&images)),
        Box::new(csv::CsvTarget::new(&images)),
        Box::new(npy::NpyTarget::new(&images)),
        Box::new(zip::ZipTarget::new(&images)),
        Box::new(import::ImportTarget::new(&images)),
        Box::new(picture::PictureTarget::new(
            &images,
            ["grey_blocks", "colour_blocks", "cmyk"]
                .map(|name| read(&format!("tests/fixtures/pictures/{name}.jpg")))
                .to_vec(),
        )),
    ]
}

/// One input in ten is random bytes (up to 2 KB), the rest `seed` with a few mutations.
fn random_or_mutated(seed: &[u8], rng: &mut Rng) -> Vec<u8> {
    if rng.below(10) == 0 {
        let len = rng.below(2048);
        random_bytes(rng, len)
    } else {
        randomly_mutated(seed, rng)
    }
}

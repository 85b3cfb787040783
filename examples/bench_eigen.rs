//! Speed of the Fisher eigen-shells natively: the blocks over the MNIST training set, then the
//! eigendecompositions, for the weights in the file given (default: the e2e's paper run).
//! Run: cargo run --release --example bench_eigen [weights.safetensors]

use std::path::Path;
use std::time::Instant;

use bayes_renorm::data::files::{load_shards, read_manifest};
use bayes_renorm::data::manifest::Split;
use bayes_renorm::eigen::{decompose_row, faer_symmetric_eigen, BlockAccumulator, EigenShells};
use bayes_renorm::fisher::SumOverExamples;
use bayes_renorm::weights::from_safetensors;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let weights = std::env::args()
        .nth(1)
        .map(Into::into)
        .unwrap_or_else(|| root.join("target/e2e/bayes-renorm-weights.safetensors"));
    let model = from_safetensors(&std::fs::read(&weights).expect("weights file")).expect("weights");
    let dir = root.join("www/data/mnist");
    let manifest = read_manifest(&dir).expect("committed manifest");
    let train = load_shards(&dir, &manifest, Split::Train).expect("committed train shards");

    println!("non-zero pixel pairs: {:.3e}", pair_count(&train));
    let start = Instant::now();
    let mut blocks = BlockAccumulator::<f32>::new(&model);
    for s in (0..train.len()).step_by(1000) {
        blocks.add_examples(&train, s..(s + 1000).min(train.len()));
    }
    let blocks = blocks.finish();
    println!(
        "blocks over {} images: {:.2} s",
        train.len(),
        start.elapsed().as_secs_f64()
    );
    let start = Instant::now();
    let rows = (0..model.latent_dim())
        .map(|j| {
            decompose_row(
                &blocks,
                j,
                model.encoder.row(j).as_slice().unwrap(),
                faer_symmetric_eigen,
            )
        })
        .collect();
    println!(
        "{} eigendecompositions: {:.2} s",
        model.latent_dim(),
        start.elapsed().as_secs_f64()
    );
    let shells = EigenShells::new(&model, rows);
    for cutoff in [0.0, 1e-4, 1e-3, 1e-2, 0.1, 0.1234, 1.0] {
        println!("Λ = {cutoff}: {} directions", shells.removed(cutoff));
    }
}
#[allow(dead_code)]
fn pair_count(train: &bayes_renorm::data::Dataset) -> f64 {
    (0..train.len())
        .map(|i| {
            let k = train.image(i).iter().filter(|&&p| p != 0).count() as f64;
            k * (k + 1.0) / 2.0
        })
        .sum()
}

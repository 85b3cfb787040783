use bayes_renorm::data::files::{load_shards, read_manifest};
use bayes_renorm::data::manifest::Split;
use bayes_renorm::fisher::{fisher_diag, FisherVariant};
use bayes_renorm::model::Autoencoder;
use std::path::Path;
fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data/mnist");
    let manifest = read_manifest(&dir).unwrap();
    let train = load_shards(&dir, &manifest, Split::Train).unwrap();
    let model = Autoencoder::<f32>::init(784, 20, false, 42);
    for _ in 0..10 {
        let t = std::time::Instant::now();
        let f = fisher_diag(&model, &train, FisherVariant::Regression, 1000);
        eprintln!("{:.3} s {}", t.elapsed().as_secs_f64(), f.encoder.sum());
    }
}

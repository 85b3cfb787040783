//! Times decoding and validating the 12 MNIST training shards in the browser. Prints figures
//! (see the test output / console); asserts only that decoding works.

use bayes_renorm::data::manifest::{Manifest, Split};
use wasm_bindgen_test::*;

const MANIFEST: &str = include_str!("../../www/data/mnist/manifest.json");
const TRAIN_SHARDS: [&[u8]; 12] = [
    include_bytes!("../../www/data/mnist/train-00.v1.shard"),
    include_bytes!("../../www/data/mnist/train-01.v1.shard"),
    include_bytes!("../../www/data/mnist/train-02.v1.shard"),
    include_bytes!("../../www/data/mnist/train-03.v1.shard"),
    include_bytes!("../../www/data/mnist/train-04.v1.shard"),
    include_bytes!("../../www/data/mnist/train-05.v1.shard"),
    include_bytes!("../../www/data/mnist/train-06.v1.shard"),
    include_bytes!("../../www/data/mnist/train-07.v1.shard"),
    include_bytes!("../../www/data/mnist/train-08.v1.shard"),
    include_bytes!("../../www/data/mnist/train-09.v1.shard"),
    include_bytes!("../../www/data/mnist/train-10.v1.shard"),
    include_bytes!("../../www/data/mnist/train-11.v1.shard"),
];
const REPETITIONS: usize = 5;

#[wasm_bindgen_test]
fn bench_decode_mnist_train_shards() {
    let manifest = Manifest::from_json(MANIFEST).unwrap();
    let entries = manifest.shards(Split::Train);
    let compressed: usize = TRAIN_SHARDS.iter().map(|s| s.len()).sum();
    let mut times = Vec::new();
    let mut examples = 0;
    for _ in 0..REPETITIONS {
        let start = js_sys::Date::now();
        examples = 0;
        for (entry, bytes) in entries.iter().zip(TRAIN_SHARDS) {
            examples += manifest.decode(entry, bytes).unwrap().len();
        }
        times.push(js_sys::Date::now() - start);
    }
    assert_eq!(examples, 60_000);
    let best = times.iter().copied().fold(f64::INFINITY, f64::min);
    let decoded = examples * (1 + 28 * 28);
    console_log!(
        "browser: decode+validate 12 MNIST train shards ({:.1} MB compressed, {:.1} MB decoded): \
         runs {:?} ms, best {:.1} ms, {:.0} MB/s compressed, {:.0} MB/s decoded",
        compressed as f64 / 1e6,
        decoded as f64 / 1e6,
        times,
        best,
        compressed as f64 / 1e3 / best,
        decoded as f64 / 1e3 / best,
    );
}

#![cfg(target_arch = "wasm32")]
//! Training throughput and sweep speed in the browser (wasm SIMD). Prints figures; asserts only
//! that the workloads run. The native figures come from `examples/bench_train.rs` and
//! `examples/bench_sweep.rs`.

mod common;

use bayes_renorm::bench::{sweep_speed, training_throughput};
use bayes_renorm::data::manifest::{Manifest, Split};
use bayes_renorm::data::Dataset;
use common::browser::{MNIST_MANIFEST, MNIST_TEST_SHARDS};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn now_ms() -> f64 {
    js_sys::Date::now()
}

#[wasm_bindgen_test]
fn bench_training() {
    console_log!("browser: {}", training_throughput(&now_ms));
}

#[wasm_bindgen_test]
fn bench_sweep() {
    let manifest = Manifest::from_json(MNIST_MANIFEST).unwrap();
    let mut test = Dataset::default();
    for (entry, bytes) in manifest
        .shards(Split::Test)
        .iter()
        .zip(MNIST_TEST_SHARDS.map(|(_, bytes)| bytes))
    {
        test.append(&entry.decode(bytes).unwrap());
    }
    assert_eq!(test.len(), 10_000);
    console_log!("browser: {}", sweep_speed(&test, &now_ms));
}

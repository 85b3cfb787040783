#![cfg(target_arch = "wasm32")]
//! The same small training run in the browser as natively (scripts/test.sh passes the native
//! losses in `BAYES_NATIVE_SYNTHETIC_LOSSES`).

use bayes_renorm::train::{synthetic_demo_losses, DEMO_SEED};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn synthetic_training_matches_the_native_build() {
    let Some(native) = option_env!("BAYES_NATIVE_SYNTHETIC_LOSSES") else {
        panic!("build through scripts/test.sh, which sets BAYES_NATIVE_SYNTHETIC_LOSSES");
    };
    let native: Vec<f64> = serde_json::from_str(native).expect("a JSON array of losses");
    let ours = synthetic_demo_losses(DEMO_SEED);
    assert_eq!(ours.len(), native.len());
    for (epoch, (a, b)) in ours.iter().zip(&native).enumerate() {
        assert!(
            (a - b).abs() <= 1e-6,
            "epoch {epoch}: wasm {a} vs native {b}"
        );
    }
    assert!(ours.last() < ours.first(), "the run learns: {ours:?}");
}

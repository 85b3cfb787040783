//! The browser tests (wasm-pack test): the page's facade over the same core, in Chromium, against
//! the native build's numbers (scripts/test.sh passes them in `BAYES_NATIVE_REFERENCE`) and the
//! kernels' triple loops. One binary, so it is built and started once.
#![cfg(target_arch = "wasm32")]

#[path = "../common/mod.rs"]
mod common;

mod analysis_view;
mod bench_shards;
mod charts;
mod data;
#[path = "../native/dense.rs"]
mod dense;
mod session;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

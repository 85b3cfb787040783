//! The browser tests: the page's facade over the same core, in Chromium, against the native
//! build's numbers (scripts/test.sh passes them in `BAYES_NATIVE_REFERENCE`) and the kernels'
//! triple loops. One binary, so it is built and started once. Built with relaxed SIMD (the
//! page's other build), only what that changes runs: the products and training.
#![cfg(target_arch = "wasm32")]

#[path = "../common/mod.rs"]
mod common;

#[cfg(not(feature = "relaxed-simd"))]
mod analysis_view;
#[cfg(not(feature = "relaxed-simd"))]
mod bench_shards;
#[cfg(not(feature = "relaxed-simd"))]
mod charts;
#[cfg(not(feature = "relaxed-simd"))]
mod data;
#[path = "../native/dense.rs"]
mod dense;
mod session;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

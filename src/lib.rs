//! bayes-renorm: Bayesian renormalization (Berman, Klinger, Stapleton 2023) of an MNIST
//! autoencoder. The core modules are pure Rust and know nothing of the web; `web` is the only
//! wasm-bindgen facade, and exists only in the wasm build.

pub mod adam;
pub mod analysis;
pub mod bench;
pub mod classifier;
pub mod classifier_fisher;
pub mod data;
pub mod dense;
pub mod eigen;
pub mod finetune;
pub mod fisher;
pub mod model;
pub mod network;
pub mod network_weights;
pub mod npy;
pub mod plot;
pub mod pool;
pub mod predictions;
pub mod prune;
pub mod report;
pub mod rng;
pub mod scalar;
pub mod softflow;
pub mod sorting;
pub mod sparse;
pub mod study;
pub mod summary;
pub mod sweep;
pub mod thread_pool;
pub mod train;
#[cfg(target_arch = "wasm32")]
pub mod web;
pub mod weights;
pub mod wire;
pub mod workbench;

//! The native tests, one module per part of the core, in one binary so the test build links
//! once. Each compares against an independent computation: loops, finite differences, brute
//! force, or SPEC.md's MNIST facts (tests/common).
#![cfg(not(target_arch = "wasm32"))]

#[path = "../common/mod.rs"]
mod common;

mod adam;
mod analysis;
mod classifier;
mod classifier_pipeline;
mod classifier_view;
mod convert_cli;
mod data_assembly;
mod data_batch;
mod data_corruption;
mod data_formats;
mod data_fuzz;
mod data_import;
mod data_mnist_facts;
mod data_roundtrip;
mod dense;
mod eigen;
mod eigen_classifier;
mod finetune;
mod fisher;
mod fisher_parts;
mod gradient_parts;
mod layering;
mod model_gradients;
mod plot_hit;
mod plot_layout;
mod plot_loss;
mod plot_renorm;
mod prune;
mod pytorch_classifier;
mod reproduce_cli;
mod shells;
mod softflow;
mod sorting;
mod sparse;
mod study;
mod study_cli;
mod summary;
mod sweep_parts;
mod thread_pool;
mod train;
mod weights;
mod wire;
mod workbench;

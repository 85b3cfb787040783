//! The page's worker `Session` in the browser: it trains on the first 5,000 committed MNIST
//! images exactly as the native build does (scripts/test.sh passes the native run, from
//! `examples/reference_run.rs`, in `BAYES_NATIVE_REFERENCE`), and pausing between chunks changes
//! nothing.

use crate::common;

use bayes_renorm::web::session::Session;
use common::browser::{js, MNIST_MANIFEST};
use serde::Deserialize;
use wasm_bindgen_test::*;

const SHARDS: [(&str, &str, &[u8]); 3] = [
    // Out of manifest order on purpose: the session files shards by name.
    (
        "test",
        "test-01.v1.shard",
        include_bytes!("../../www/data/mnist/test-01.v1.shard"),
    ),
    (
        "train",
        "train-00.v1.shard",
        include_bytes!("../../www/data/mnist/train-00.v1.shard"),
    ),
    (
        "test",
        "test-00.v1.shard",
        include_bytes!("../../www/data/mnist/test-00.v1.shard"),
    ),
];

#[derive(Deserialize)]
struct NativeReference {
    training: NativeRun,
}

#[derive(Deserialize)]
struct NativeRun {
    batch_losses: Vec<f64>,
    epoch_losses: Vec<f64>,
    test_mse: f64,
}

/// The parts of a `Progress` these tests read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Progress {
    training: Option<Training>,
    epoch: Option<Epoch>,
    idle: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Training {
    batch_losses: Vec<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Epoch {
    train_loss: f64,
    test_loss: f64,
}

fn loaded_session() -> Session {
    let mut session = Session::new(MNIST_MANIFEST, "manifest.json").unwrap();
    for (split, file, bytes) in SHARDS {
        session.add_shard(split, file, bytes).unwrap();
    }
    session
}

/// Trains with the paper's settings for `epochs` epochs on the first 5,000 images, as the page
/// sends them (www/state.js keys).
fn start(session: &mut Session, epochs: usize, seed: u64) {
    let settings = serde_json::json!({
        "latent": 20, "biases": false, "epochs": epochs, "batch": 1000, "lr": 1e-3, "seed": seed,
        "subset": 5000,
    });
    session.start(js(&["train"]), js(&settings)).unwrap();
}

/// One chunk of about `budget_ms`.
fn step(session: &mut Session, budget_ms: f64) -> Progress {
    serde_wasm_bindgen::from_value(session.step(budget_ms).unwrap()).unwrap()
}

#[wasm_bindgen_test]
fn the_session_trains_like_the_native_build() {
    let Some(native) = option_env!("BAYES_NATIVE_REFERENCE") else {
        panic!("build through scripts/test.sh, which sets BAYES_NATIVE_REFERENCE");
    };
    let native: NativeReference = serde_json::from_str(native).expect("the reference run's JSON");
    let native = native.training;
    let mut session = loaded_session();
    start(&mut session, 1, 42);
    let (mut losses, mut epochs) = (Vec::new(), Vec::new());
    loop {
        let progress = step(&mut session, 5.0);
        losses.extend(progress.training.into_iter().flat_map(|t| t.batch_losses));
        epochs.extend(progress.epoch);
        if progress.idle {
            break;
        }
    }
    assert_eq!(losses.len(), native.batch_losses.len());
    for (batch, (ours, theirs)) in losses.iter().zip(&native.batch_losses).enumerate() {
        assert!(
            (ours - theirs).abs() <= 1e-6,
            "batch {batch}: wasm {ours} vs native {theirs}"
        );
    }
    assert_eq!(epochs.len(), 1);
    assert!((epochs[0].train_loss - native.epoch_losses[0]).abs() <= 1e-6);
    let test_mse = epochs[0].test_loss;
    assert!(
        (test_mse - native.test_mse).abs() <= 1e-6,
        "test MSE: wasm {test_mse} vs native {}",
        native.test_mse
    );
}

async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn pausing_between_chunks_gives_identical_weights() {
    let mut straight = loaded_session();
    start(&mut straight, 2, 42);
    while !step(&mut straight, 1e9).idle {}

    let mut paused = loaded_session();
    start(&mut paused, 2, 42);
    let mut chunks = 0;
    while !step(&mut paused, 1.0).idle {
        chunks += 1;
        if chunks % 3 == 0 {
            paused.pause();
        }
        sleep_ms(20).await; // the worker's pause: nothing runs until it resumes
    }
    assert!(chunks >= 3, "the run was cut into pieces");
    let digest = straight.weights_digest().unwrap();
    assert_eq!(digest.len(), 64);
    assert_eq!(paused.weights_digest().unwrap(), digest);
    // Another seed gives other weights, so the digest does tell runs apart.
    let mut other = loaded_session();
    start(&mut other, 2, 43);
    while !step(&mut other, 1e9).idle {}
    assert_ne!(other.weights_digest().unwrap(), digest);
}

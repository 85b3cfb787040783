//! The analysis through the page's facade in the browser: the worker's Session computes the
//! Fisher and the sweep of the authors' weights fixture over the committed test shards, and the
//! main thread's AnalysisView counts and draws at any cutoff. Both are compared with the native
//! run of `examples/reference_run.rs` (`BAYES_NATIVE_REFERENCE`, set by scripts/test.sh).

use crate::common;

use bayes_renorm::network::{classifier_init, ModelKind};
use bayes_renorm::network_weights::network_to_safetensors;
use bayes_renorm::sweep::{Knee, SweepRow};
use bayes_renorm::web::charts::AnalysisView;
use bayes_renorm::web::session::Session;
use bayes_renorm::workbench::view::AnalysisSummary;
use common::browser::{canvas, distinct_colours, js, pixels, MNIST_MANIFEST, MNIST_TEST_SHARDS};
use serde::Deserialize;
use wasm_bindgen_test::*;
use web_sys::HtmlCanvasElement;

const FIXTURE: &[u8] = include_bytes!("../fixtures/authors_weights.safetensors");

#[derive(Deserialize)]
struct NativeReference {
    analysis: NativeAnalysis,
}

#[derive(Deserialize)]
struct NativeAnalysis {
    encoder_mean: f64,
    zero_fraction: f64,
    unpruned_mse: f64,
    rows: Vec<SweepRow>,
    knee: Option<Knee>,
    counts: Vec<(f32, usize)>,
}

#[derive(Deserialize)]
struct Progress {
    idle: bool,
}

fn native() -> NativeAnalysis {
    let Some(native) = option_env!("BAYES_NATIVE_REFERENCE") else {
        panic!("build through scripts/test.sh, which sets BAYES_NATIVE_REFERENCE");
    };
    serde_json::from_str::<NativeReference>(native)
        .expect("the reference JSON")
        .analysis
}

/// Runs `jobs` on `session` to the end, in chunks as the worker does.
fn run(session: &mut Session, jobs: &[&str], settings: serde_json::Value) {
    session.start(js(&jobs), js(&settings)).unwrap();
    loop {
        let progress: Progress =
            serde_wasm_bindgen::from_value(session.step(50.0).unwrap()).unwrap();
        if progress.idle {
            break;
        }
    }
}

/// The fixture imported into a session with the test split, analysed as the native run was.
fn analysed_session() -> Session {
    let mut session = Session::new(MNIST_MANIFEST, "manifest.json").unwrap();
    for (file, bytes) in MNIST_TEST_SHARDS {
        session.add_shard("test", file, bytes).unwrap();
    }
    session
        .import_weights("authors_weights.safetensors", FIXTURE)
        .unwrap();
    let settings = serde_json::json!({
        "fisher-split": "test", "fisher-variant": "regression", "grid": "log", "random-seeds": 3,
        "eval": 10_000, "seed": 42,
    });
    run(&mut session, &["analyse"], settings);
    session
}

fn close(a: f64, b: f64, rel: f64, what: &str) {
    assert!(
        (a - b).abs() <= rel * b.abs().max(1e-12),
        "{what}: wasm {a} vs native {b}"
    );
}

#[wasm_bindgen_test]
fn fisher_and_sweep_in_wasm_agree_with_the_native_run() {
    let native = native();
    let session = analysed_session();
    let view = AnalysisView::new(&session.view_bytes().unwrap()).unwrap();
    let summary: AnalysisSummary = serde_wasm_bindgen::from_value(view.summary().unwrap()).unwrap();
    close(
        summary.encoder_mean,
        native.encoder_mean,
        1e-5,
        "Fisher encoder mean",
    );
    assert_eq!(summary.zero_fraction, native.zero_fraction, "exact zeros");
    close(
        summary.unpruned.loss,
        native.unpruned_mse,
        1e-6,
        "unpruned MSE",
    );
    assert_eq!(summary.rows.len(), native.rows.len());
    for (ours, theirs) in summary.rows.iter().zip(&native.rows) {
        close(ours.cutoff as f64, theirs.cutoff as f64, 1e-5, "cutoff");
        assert_eq!(ours.removed, theirs.removed, "removed at {}", theirs.cutoff);
        close(ours.fisher_loss, theirs.fisher_loss, 1e-5, "Fisher-pruned");
        for (scheme, ours, theirs) in [
            ("magnitude", ours.magnitude_loss, theirs.magnitude_loss),
            ("random", ours.random_loss_mean, theirs.random_loss_mean),
            ("saliency", ours.saliency_loss, theirs.saliency_loss),
        ] {
            close(ours.unwrap(), theirs.unwrap(), 1e-5, scheme);
        }
    }
    assert_eq!(
        summary.knee.map(|k| k.removed),
        native.knee.map(|k| k.removed),
        "the knee"
    );
}

#[wasm_bindgen_test]
fn the_slider_counts_as_natively_and_every_chart_draws() {
    let native = native();
    let mut session = analysed_session();
    let mut view = AnalysisView::new(&session.view_bytes().unwrap()).unwrap();
    assert_eq!(view.total(), 15_680);
    for &(cutoff, count) in &native.counts {
        let ours = view.removed(cutoff);
        assert_eq!(ours, count, "Λ = {cutoff}: slider vs native");
    }
    assert_eq!(view.removed(f32::MAX), 15_680);
    assert_eq!(view.cutoff_at(0.0), 0.0);

    // The soft flow's curve from the worker side, then its two charts on this side.
    let settings = serde_json::json!({"soft-samples": 2, "seed": 42, "fisher-split": "test"});
    run(&mut session, &["soft-flow"], settings);
    view.set_soft_flow(session.soft_flow_result().unwrap())
        .unwrap();
    assert_eq!(view.evidence_at(1.0), 10_000.0, "all the Fisher's examples");
    let washed = view.washed_out(0.0).unwrap();
    assert!(washed > 0 && washed < 15_680, "{washed}");

    let cutoff = view.knee_cutoff().unwrap_or(1e-3);
    assert_draws("soft flow", |c| view.draw_soft_flow(c, 100.0));
    assert_draws("soft-flow reconstructions", |c| {
        view.draw_soft_recon(c, 100.0)
    });
    assert_draws("histogram", |c| view.draw_histogram(c, false, cutoff));
    assert_draws("log histogram", |c| view.draw_histogram(c, true, cutoff));
    assert_draws("hockey stick", |c| view.draw_hockey(c, cutoff));
    assert_draws("Fisher maps", |c| view.draw_maps(c, cutoff));
    assert_draws("reconstructions", |c| view.draw_recon(c, cutoff));
}

#[wasm_bindgen_test]
fn a_classifiers_view_draws_its_answers_and_its_confusion_matrix() {
    let mut session = Session::new(MNIST_MANIFEST, "manifest.json").unwrap();
    for (file, bytes) in MNIST_TEST_SHARDS {
        session.add_shard("test", file, bytes).unwrap();
    }
    let model = classifier_init(784, &[16], 10, 7);
    let file = network_to_safetensors(&model).unwrap();
    session.import_weights("mlp.safetensors", &file).unwrap();
    // The settings name the autoencoder's Fisher: the imported classifier takes its own.
    let settings = serde_json::json!({
        "fisher-split": "test", "fisher-variant": "regression", "eval": 2000, "grid-points": 8,
        "random-seeds": 1,
    });
    run(&mut session, &["analyse"], settings);
    let view = AnalysisView::new(&session.view_bytes().unwrap()).unwrap();
    let summary: AnalysisSummary = serde_wasm_bindgen::from_value(view.summary().unwrap()).unwrap();
    assert_eq!(summary.model, ModelKind::Classifier);
    assert_eq!(view.total(), 16 * 784);
    // Λ = 0 removes only weights on pixels blank in every test image: nothing changes.
    let canvas = canvas(478, 452);
    let accuracy = view.draw_confusion(canvas, 0.0).unwrap();
    assert_eq!(Some(accuracy), summary.unpruned.accuracy);
    let cutoff = summary.rows[4].cutoff;
    assert_draws("predictions", |c| view.draw_predictions(c, cutoff));
    assert_draws("confusion", |c| view.draw_confusion(c, cutoff).map(|_| ()));
    assert_draws("hockey stick", |c| view.draw_hockey(c, cutoff));
    assert_draws("Fisher maps", |c| view.draw_maps(c, cutoff));
}

/// A fresh canvas is one colour; after `draw` it has lines, bars, pixels and text.
fn assert_draws(name: &str, draw: impl Fn(HtmlCanvasElement) -> Result<(), wasm_bindgen::JsError>) {
    let canvas = canvas(800, 400);
    assert_eq!(
        distinct_colours(&pixels(&canvas)),
        1,
        "{name}: a blank canvas"
    );
    draw(canvas.clone()).unwrap();
    let drawn = distinct_colours(&pixels(&canvas));
    assert!(drawn > 10, "{name}: {drawn} colours after drawing");
}

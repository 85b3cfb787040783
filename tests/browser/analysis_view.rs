//! The renormalization through the page's facade in the browser: the worker's Session computes
//! the Fisher and the sweep of the authors' weights fixture over the committed test shards, and
//! the main thread's RenormView counts and draws at any cutoff. Both are compared with the
//! native run of `examples/reference_run.rs` (`BAYES_NATIVE_REFERENCE`, set by scripts/test.sh).

use crate::common;

use bayes_renorm::analysis::Grid;
use bayes_renorm::data::manifest::Split;
use bayes_renorm::fisher::FisherVariant;
use bayes_renorm::sweep::{Knee, SweepRow};
use bayes_renorm::web::beyond::SoftFlowSettings;
use bayes_renorm::web::charts::RenormView;
use bayes_renorm::web::renorm::RenormSettings;
use bayes_renorm::web::session::Session;
use bayes_renorm::web::SweepView;
use common::browser::{canvas, distinct_colours, js, pixels, MNIST_MANIFEST, MNIST_TEST_SHARDS};
use serde::Deserialize;
use wasm_bindgen_test::*;
use web_sys::HtmlCanvasElement;

const FIXTURE: &[u8] = include_bytes!("../fixtures/authors_weights.safetensors");

#[derive(Deserialize)]
struct NativeReference {
    renorm: NativeRenorm,
}

#[derive(Deserialize)]
struct NativeRenorm {
    encoder_mean: f64,
    zero_fraction: f64,
    unpruned_mse: f64,
    rows: Vec<SweepRow>,
    knee: Option<Knee>,
    counts: Vec<(f32, usize)>,
}

#[derive(Deserialize)]
struct Progress {
    #[serde(default)]
    stage: String,
    #[serde(default)]
    done: usize,
    #[serde(default)]
    total: usize,
}

fn native() -> NativeRenorm {
    let Some(native) = option_env!("BAYES_NATIVE_REFERENCE") else {
        panic!("build through scripts/test.sh, which sets BAYES_NATIVE_REFERENCE");
    };
    serde_json::from_str::<NativeReference>(native)
        .expect("the reference JSON")
        .renorm
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
    let settings = RenormSettings {
        fisher_split: Split::Test,
        fisher_variant: FisherVariant::Regression,
        grid: Grid::Log,
        random_seeds: 3,
        eval_examples: 10_000,
        seed: 42,
    };
    assert_eq!(session.fisher_examples_needed(js(&settings)).unwrap(), 0);
    session.start_analysis(js(&settings)).unwrap();
    loop {
        let progress: Progress =
            serde_wasm_bindgen::from_value(session.analysis_step().unwrap()).unwrap();
        if progress.stage == "done" {
            break;
        }
        if session.sweep_view().is_ok() {
            break;
        }
    }
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
    let view: SweepView = serde_wasm_bindgen::from_value(session.sweep_view().unwrap()).unwrap();
    close(
        view.encoder_mean,
        native.encoder_mean,
        1e-5,
        "Fisher encoder mean",
    );
    assert_eq!(view.zero_fraction, native.zero_fraction, "exact zeros");
    close(view.unpruned_mse, native.unpruned_mse, 1e-6, "unpruned MSE");
    assert_eq!(view.rows.len(), native.rows.len());
    for (ours, theirs) in view.rows.iter().zip(&native.rows) {
        close(ours.cutoff as f64, theirs.cutoff as f64, 1e-5, "cutoff");
        assert_eq!(ours.removed, theirs.removed, "removed at {}", theirs.cutoff);
        close(ours.fisher_mse, theirs.fisher_mse, 1e-5, "Fisher-pruned");
        for (scheme, ours, theirs) in [
            ("magnitude", ours.magnitude_mse, theirs.magnitude_mse),
            ("random", ours.random_mse_mean, theirs.random_mse_mean),
            ("saliency", ours.saliency_mse, theirs.saliency_mse),
        ] {
            close(ours.unwrap(), theirs.unwrap(), 1e-5, scheme);
        }
    }
    assert_eq!(
        view.knee.map(|k| k.removed),
        native.knee.map(|k| k.removed),
        "the knee"
    );
}

#[wasm_bindgen_test]
fn the_slider_counts_as_natively_and_every_chart_draws() {
    let native = native();
    let session = analysed_session();
    let view = RenormView::new(
        &session.weights_file().unwrap(),
        &session.fisher_encoder().unwrap(),
        &session.fixed_digits(),
        session.sweep_view().unwrap(),
    )
    .unwrap();
    assert_eq!(view.total(), 15_680);
    for &(cutoff, count) in &native.counts {
        let ours = view.removed(cutoff);
        assert_eq!(ours, count, "Λ = {cutoff}: slider vs native");
    }
    assert_eq!(view.removed(f32::MAX), 15_680);
    assert_eq!(view.cutoff_at(0.0), 0.0);

    // The soft flow's curve from the worker side, then its two charts on this side.
    let mut session = session;
    let settings = SoftFlowSettings {
        alpha: None,
        samples: 2,
        seed: 42,
    };
    session.start_soft_flow(js(&settings)).unwrap();
    loop {
        let progress: Progress =
            serde_wasm_bindgen::from_value(session.beyond_step(1).unwrap()).unwrap();
        if progress.done == progress.total {
            break;
        }
    }
    let mut view = view;
    view.set_soft_flow(session.soft_flow_result().unwrap(), 42)
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

//! What the main thread draws: the loss chart, and `AnalysisView`, which holds one analysed
//! model (`crate::workbench::view`) and redraws the analysis charts at any cutoff Λ. Each chart's
//! drawing is in `crate::plot`; every number comes from the core's view.
//!
//! The page's CSS gives each line or bar chart's canvas its box (a width, usually 100 % of its
//! container, and a height). Each draw reads that box (CSS px) and the window's device pixel
//! ratio, sizes the canvas's backing store to round(css · dpr), and draws through
//! `plot::scaled::Scaled`, so the charts lay out in CSS px and stay sharp on a dense screen.
//! A canvas with no box (in a hidden tab) is drawn at its chart's default size; the page
//! redraws it when it shows. Pictures keep their own size in CSS px, over a backing store
//! ceil(dpr) times as dense.

use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use super::{from_js, js_error, to_js};
use crate::plot;
use crate::plot::fisher_hist::{FisherHistogram, HistScale};
use crate::plot::picture::Picture;
use crate::plot::predictions::PredictionRow;
use crate::plot::recon::ReconRow;
use crate::plot::scaled::Scaled;
use crate::workbench::view::{self, Reconstructions};

fn backend(canvas: HtmlCanvasElement) -> Result<CanvasBackend, JsError> {
    CanvasBackend::with_canvas_object(canvas)
        .ok_or_else(|| JsError::new("the canvas has no 2D context"))
}

fn drawing_error(chart: &str) -> impl Fn(String) -> JsError + '_ {
    move |e| JsError::new(&format!("drawing the {chart}: {e}"))
}

/// The window's device pixels per CSS pixel (1 where there is no window).
fn device_pixel_ratio() -> f64 {
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio());
    if ratio.is_finite() && ratio > 0.0 {
        ratio
    } else {
        1.0
    }
}

/// A backend over `canvas` in CSS px: its backing store is its CSS box (`default`, in CSS px,
/// when it has none) times the device pixel ratio.
fn sized_backend(
    canvas: HtmlCanvasElement,
    default: (u32, u32),
) -> Result<Scaled<CanvasBackend>, JsError> {
    let (width, height) = (canvas.client_width(), canvas.client_height());
    let (width, height) = if width > 0 && height > 0 {
        (width as u32, height as u32)
    } else {
        default
    };
    let ratio = device_pixel_ratio();
    let device = |css: u32| ((css as f64 * ratio).round() as u32).max(1);
    // A canvas keeps its drawing unless its size changes.
    if canvas.width() != device(width) {
        canvas.set_width(device(width));
    }
    if canvas.height() != device(height) {
        canvas.set_height(device(height));
    }
    Ok(Scaled::new(backend(canvas)?, ratio))
}

/// The charts' CSS sizes where their canvas has no box: the training chart, the Fisher
/// histogram, the hockey stick and the soft flow.
const LOSS_SIZE: (u32, u32) = (800, 360);
const HISTOGRAM_SIZE: (u32, u32) = (800, 360);
const HOCKEY_SIZE: (u32, u32) = (800, 420);
const SOFT_FLOW_SIZE: (u32, u32) = (800, 380);

/// The training chart on `canvas`: per-batch train losses, and the test loss (`loss_name`:
/// "MSE" or "cross-entropy") and, for the classifier, the test accuracy of each completed epoch,
/// for a run of `epochs` epochs of `batches_per_epoch` batches.
#[wasm_bindgen(js_name = drawLossChart)]
pub fn draw_loss_chart(
    canvas: HtmlCanvasElement,
    batch_losses: &[f64],
    batches_per_epoch: usize,
    epochs: usize,
    loss_name: &str,
    test_loss: &[f64],
    test_accuracy: &[f64],
) -> Result<(), JsError> {
    let size = if test_accuracy.is_empty() {
        LOSS_SIZE
    } else {
        (LOSS_SIZE.0, 500)
    };
    let history = plot::loss::LossHistory {
        batch_losses,
        batches_per_epoch,
        epochs,
        loss_name,
        test_loss,
        test_accuracy,
    };
    plot::loss::draw(sized_backend(canvas, size)?, &history)
        .map_err(|e| drawing_error("loss chart")(e.to_string()))
}

fn context_of(canvas: &HtmlCanvasElement) -> Result<CanvasRenderingContext2d, JsError> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or_else(|| JsError::new("the canvas has no 2D context"))
}

/// Shows `picture` at its own size in CSS px (its CSS width is set; its height follows the
/// aspect), over a backing store k = ceil(dpr) times as dense: the pixels go in one
/// `putImageData` to a scratch canvas, which is drawn k times as large without smoothing, and
/// the labels are written under a k× transform, so they are sharp.
fn put_picture(canvas: &HtmlCanvasElement, picture: &Picture) -> Result<(), JsError> {
    let k = device_pixel_ratio().ceil().max(1.0);
    let (width, height) = (picture.width as u32, picture.height as u32);
    canvas.set_width(width * k as u32);
    canvas.set_height(height * k as u32);
    let style = canvas.style();
    (style.set_property("width", &format!("{width}px")))
        .and_then(|_| style.set_property("height", "auto"))
        .map_err(|_| JsError::new("could not size the canvas"))?;

    let scratch: HtmlCanvasElement = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("canvas").ok())
        .and_then(|c| c.dyn_into().ok())
        .ok_or_else(|| JsError::new("could not make a scratch canvas"))?;
    scratch.set_width(width);
    scratch.set_height(height);
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&picture.rgba), width, height)
        .map_err(|_| JsError::new("could not make the image data"))?;
    (context_of(&scratch)?)
        .put_image_data(&image, 0.0, 0.0)
        .map_err(|_| JsError::new("could not write the image"))?;

    let context = context_of(canvas)?;
    context.set_image_smoothing_enabled(false);
    context
        .set_transform(k, 0.0, 0.0, k, 0.0, 0.0)
        .map_err(|_| JsError::new("could not scale the canvas"))?;
    context
        .draw_image_with_html_canvas_element(&scratch, 0.0, 0.0)
        .map_err(|_| JsError::new("could not draw the image"))?;
    context.set_font("12px sans-serif");
    context.set_text_align("center");
    context.set_fill_style_str("#1b1f24");
    for label in &picture.labels {
        context
            .fill_text(&label.text, label.x, label.y)
            .map_err(|_| JsError::new("could not write a label"))?;
    }
    context
        .set_transform(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
        .map_err(|_| JsError::new("could not reset the canvas"))?;
    Ok(())
}

/// One analysed model on the main thread, so the Λ and evidence sliders redraw without the
/// worker.
#[wasm_bindgen]
pub struct AnalysisView {
    view: view::AnalysisView,
}

#[wasm_bindgen]
impl AnalysisView {
    /// From the worker's `Session.viewBytes()`.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Result<AnalysisView, JsError> {
        Ok(AnalysisView {
            view: view::AnalysisView::from_bytes(bytes).map_err(js_error)?,
        })
    }

    /// `{model, rows, unpruned, knee, tolerance, evalExamples, fisherExamples, encoderMean, …}`.
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(self.view.summary())
    }

    /// The cutoff at slider position `t` in [0, 1]: Λ = 0, then equal shares of the weights removed.
    #[wasm_bindgen(js_name = cutoffAt)]
    pub fn cutoff_at(&self, t: f64) -> f32 {
        self.view.cutoff_at(t)
    }

    /// The slider position of `cutoff`.
    #[wasm_bindgen(js_name = positionOf)]
    pub fn position_of(&self, cutoff: f32) -> f64 {
        self.view.position_of(cutoff)
    }

    /// The line under the slider at `cutoff`: `{removed, total, zeros, loss, accuracy, swept,
    /// unpruned}` (`workbench::view::CutoffReading`).
    pub fn reading(&self, cutoff: f32) -> Result<JsValue, JsError> {
        to_js(&self.view.reading(cutoff))
    }

    /// Encoder weights the cutoff removes, |{F ≤ Λ}|.
    pub fn removed(&self, cutoff: f32) -> usize {
        self.view.removed(cutoff)
    }

    /// Encoder weights in all.
    pub fn total(&self) -> usize {
        self.view.total()
    }

    /// Λ*, if the sweep found one.
    #[wasm_bindgen(js_name = kneeCutoff)]
    pub fn knee_cutoff(&self) -> Option<f32> {
        self.view.knee_cutoff()
    }

    #[wasm_bindgen(js_name = drawHistogram)]
    pub fn draw_histogram(
        &self,
        canvas: HtmlCanvasElement,
        log: bool,
        cutoff: f32,
    ) -> Result<(), JsError> {
        let chart = FisherHistogram {
            values: self.view.fisher_values(),
            scale: if log {
                HistScale::Log
            } else {
                HistScale::Linear
            },
            cutoff,
            knee: self.view.knee_cutoff(),
        };
        plot::fisher_hist::draw(sized_backend(canvas, HISTOGRAM_SIZE)?, &chart)
            .map_err(|e| drawing_error("Fisher histogram")(e.to_string()))
    }

    #[wasm_bindgen(js_name = drawHockey)]
    pub fn draw_hockey(&self, canvas: HtmlCanvasElement, cutoff: f32) -> Result<(), JsError> {
        let summary = self.view.summary();
        let eigen = self.view.eigen_summary();
        let accuracy = summary.unpruned.accuracy;
        let size = if accuracy.is_some() {
            (HOCKEY_SIZE.0, 680)
        } else {
            HOCKEY_SIZE
        };
        let chart = plot::hockey::HockeyStick {
            rows: &summary.rows,
            total: self.view.total(),
            loss_name: summary.model.loss_label(),
            layer_name: summary.model.first_layer_name(),
            unpruned_loss: summary.unpruned.loss,
            unpruned_accuracy: accuracy,
            knee: summary.knee.as_ref(),
            tolerance: summary.tolerance,
            current_removed: self.view.removed(cutoff),
            fine_tuned: self.view.fine_tune().map_or(&[], |f| &f.points[..]),
            eigen: eigen.map_or(&[], |e| &e.rows[..]),
            eigen_crossing: eigen.and_then(|e| e.within_tolerance.as_ref()),
        };
        plot::hockey::draw(sized_backend(canvas, size)?, &chart)
            .map_err(|e| drawing_error("hockey stick")(e.to_string()))
    }

    #[wasm_bindgen(js_name = drawMaps)]
    pub fn draw_maps(&self, canvas: HtmlCanvasElement, cutoff: f32) -> Result<(), JsError> {
        let (rows, cols) = self.view.image_shape();
        let maps = plot::fisher_maps::FisherMaps {
            fisher: self.view.fisher().view(),
            rows,
            cols,
            cutoff,
        };
        put_picture(&canvas, &plot::fisher_maps::render(&maps))
    }

    /// Originals, then the Fisher-, random-, magnitude- and saliency-pruned reconstructions at
    /// `cutoff`, all with the same number of weights removed.
    #[wasm_bindgen(js_name = drawRecon)]
    pub fn draw_recon(&self, canvas: HtmlCanvasElement, cutoff: f32) -> Result<(), JsError> {
        draw_reconstructions(&canvas, &self.view.reconstructions(cutoff))
    }

    /// The classifier's answers on the fixed digits, unpruned and pruned by each scheme with the
    /// weights `cutoff` removes.
    #[wasm_bindgen(js_name = drawPredictions)]
    pub fn draw_predictions(&self, canvas: HtmlCanvasElement, cutoff: f32) -> Result<(), JsError> {
        let rows = (self.view.predictions(cutoff))
            .ok_or_else(|| JsError::new("the autoencoder makes no predictions"))?;
        let rows: Vec<PredictionRow> = (rows.iter())
            .map(|row| PredictionRow {
                label: &row.label,
                predictions: &row.predictions,
            })
            .collect();
        let images = self.view.digit_images();
        let picture = plot::predictions::render(
            &images,
            self.view.digit_labels(),
            self.view.image_shape(),
            &rows,
        );
        put_picture(&canvas, &picture)
    }

    /// The Fisher-pruned classifier's confusion matrix at `cutoff` over the scored test images;
    /// returns its accuracy.
    #[wasm_bindgen(js_name = drawConfusion)]
    pub fn draw_confusion(&self, canvas: HtmlCanvasElement, cutoff: f32) -> Result<f64, JsError> {
        let confusion = (self.view.confusion(cutoff))
            .ok_or_else(|| JsError::new("the autoencoder has no confusion matrix"))?;
        put_picture(&canvas, &plot::confusion::render(&confusion))?;
        Ok(confusion.accuracy())
    }

    /// The worker's fine-tuning (`Session.fineTuneResult`): the hockey stick shows it.
    #[wasm_bindgen(js_name = setFineTune)]
    pub fn set_fine_tune(&mut self, result: JsValue) -> Result<(), JsError> {
        self.view.set_fine_tune(from_js(result)?);
        Ok(())
    }

    /// The worker's eigen-shells (`Session.eigenBytes`): the hockey stick and the eigen
    /// reconstructions show them.
    #[wasm_bindgen(js_name = setEigen)]
    pub fn set_eigen(&mut self, bytes: &[u8]) -> Result<(), JsError> {
        self.view.set_eigen(bytes).map_err(js_error)
    }

    /// The eigen-shells' summary in `reproduce`'s schema (snake_case keys).
    #[wasm_bindgen(js_name = eigenSummary)]
    pub fn eigen_summary(&self) -> Result<JsValue, JsError> {
        to_js(
            self.view
                .eigen_summary()
                .ok_or_else(not_run("the eigen-shells"))?,
        )
    }

    /// Directions the eigen-shell cutoff Λ removes, |{(j, k) : λ_jk ≤ Λ}|.
    #[wasm_bindgen(js_name = eigenRemoved)]
    pub fn eigen_removed(&self, cutoff: f32) -> Result<usize, JsError> {
        (self.view.eigen_removed(cutoff)).ok_or_else(not_run("the eigen-shells"))
    }

    /// The fixed digits; the diagonal shells at `cutoff`; the eigen-shells at `cutoff`; and the
    /// eigen-shells with as many directions removed as the diagonal shells remove weights.
    #[wasm_bindgen(js_name = drawEigenRecon)]
    pub fn draw_eigen_recon(&self, canvas: HtmlCanvasElement, cutoff: f32) -> Result<(), JsError> {
        let rows =
            (self.view.eigen_reconstructions(cutoff)).ok_or_else(not_run("the eigen-shells"))?;
        draw_reconstructions(&canvas, &rows)
    }

    /// The worker's soft-flow curve (`Session.softFlowResult`): the evidence slider redraws
    /// from it.
    #[wasm_bindgen(js_name = setSoftFlow)]
    pub fn set_soft_flow(&mut self, result: JsValue) -> Result<(), JsError> {
        self.view.set_soft_flow(from_js(result)?);
        Ok(())
    }

    /// The most evidence the flow starts from (the Fisher's examples).
    #[wasm_bindgen(js_name = maxEvidence)]
    pub fn max_evidence(&self) -> usize {
        self.view.max_evidence()
    }

    /// The evidence at slider position `t` in [0, 1], log-spaced from 0 to `maxEvidence`.
    #[wasm_bindgen(js_name = evidenceAt)]
    pub fn evidence_at(&self, t: f64) -> f64 {
        self.view.evidence_at(t)
    }

    #[wasm_bindgen(js_name = evidencePosition)]
    pub fn evidence_position(&self, evidence: f64) -> f64 {
        self.view.evidence_position(evidence)
    }

    /// Weights washed out at `evidence` (posterior std above |E*|).
    #[wasm_bindgen(js_name = washedOut)]
    pub fn washed_out(&self, evidence: f64) -> Result<usize, JsError> {
        (self.view.washed_out(evidence)).ok_or_else(not_run("the soft flow"))
    }

    #[wasm_bindgen(js_name = drawSoftFlow)]
    pub fn draw_soft_flow(&self, canvas: HtmlCanvasElement, evidence: f64) -> Result<(), JsError> {
        let summary = self.view.soft_flow().ok_or_else(not_run("the soft flow"))?;
        let chart = plot::soft_flow::SoftFlowChart {
            points: &summary.points,
            unpruned_mse: self.view.summary().unpruned.loss,
            alpha: summary.alpha,
            evidence,
        };
        plot::soft_flow::draw(sized_backend(canvas, SOFT_FLOW_SIZE)?, &chart)
            .map_err(|e| drawing_error("soft flow")(e.to_string()))
    }

    /// The fixed digits, and their posterior-predictive mean reconstructions at `evidence`.
    #[wasm_bindgen(js_name = drawSoftRecon)]
    pub fn draw_soft_recon(&self, canvas: HtmlCanvasElement, evidence: f64) -> Result<(), JsError> {
        let rows =
            (self.view.soft_reconstructions(evidence)).ok_or_else(not_run("the soft flow"))?;
        draw_reconstructions(&canvas, &rows)
    }
}

fn not_run(what: &'static str) -> impl Fn() -> JsError {
    move || JsError::new(&format!("{what} have not run"))
}

/// The originals, then each labelled row of reconstructions with their MSEs.
fn draw_reconstructions(
    canvas: &HtmlCanvasElement,
    recon: &Reconstructions,
) -> Result<(), JsError> {
    let mut rows = vec![ReconRow {
        label: "original",
        images: &recon.originals,
        mse: None,
    }];
    rows.extend(recon.rows.iter().map(|row| ReconRow {
        label: &row.label,
        images: &row.images,
        mse: Some(&row.mse),
    }));
    put_picture(canvas, &plot::recon::render(&rows, recon.shape))
}

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
//! ceil(dpr) times as dense, at the largest scale (screen px per image pixel) that fits the
//! width of the canvas's container.
//!
//! Every chart answers a pointer (`hockeyAt`, `histogramAt`, `mapsAt`, `reconAt`, …): the hit
//! test lays the chart out again from the canvas's CSS box and the data, by the chart's own
//! layout code, on a backend that draws nothing, and reads the point there. Nothing about the
//! last draw is kept but text sizes and the last cutoff's model outputs, so a pointer move
//! costs a layout, not a redraw. Each chart's data is also given as a table, its text
//! alternative (`histogramBins`, `mapsSummary`, `reconTable`; the sweep is in `summary`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use plotters_backend::{
    BackendColor, BackendCoord, BackendTextStyle, DrawingBackend, DrawingErrorKind, FontTransform,
};
use plotters_canvas::CanvasBackend;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use super::{from_js, js_error, to_js};
use crate::plot;
use crate::plot::fisher_hist::{FisherBins, FisherHistogram, HistScale};
use crate::plot::measure::Measure;
use crate::plot::picture::Picture;
use crate::plot::predictions::{PredictionRow, Spot};
use crate::plot::recon::ReconRow;
use crate::plot::scaled::Scaled;
use crate::predictions::Confusion;
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

/// The canvas's CSS box (`default` when it has none: a hidden tab).
fn css_size(canvas: &HtmlCanvasElement, default: (u32, u32)) -> (u32, u32) {
    let (width, height) = (canvas.client_width(), canvas.client_height());
    if width > 0 && height > 0 {
        (width as u32, height as u32)
    } else {
        default
    }
}

/// A backend over `canvas` in CSS px: its backing store is its CSS box (`default`, in CSS px,
/// when it has none) times the device pixel ratio.
pub(super) fn sized_backend(
    canvas: HtmlCanvasElement,
    default: (u32, u32),
) -> Result<Scaled<CanvasBackend>, JsError> {
    let (width, height) = css_size(&canvas, default);
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
    let size = |css: u32| {
        (style.set_property("width", &format!("{css}px")))
            .and_then(|_| style.set_property("height", "auto"))
            .map_err(|_| JsError::new("could not size the canvas"))
    };
    size(width)?;
    // The page's boxes include their borders: widen the box by them, so the picture shows at
    // its own size, one CSS px a pixel.
    let border = canvas.offset_width() - canvas.client_width();
    if border > 0 {
        size(width + border as u32)?;
    }

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
    /// The Fisher values binned once: the histogram's draws and reads at any cutoff.
    bins: FisherBins,
    /// Text sizes measured (a hit test lays its chart out again at every pointer move).
    text_sizes: TextSizes,
    /// The last cutoff's reconstruction MSEs, predictions and confusion matrix: the pointer reads
    /// them at the cutoff just drawn without running the models again.
    recon: Memo<ReconTable>,
    predictions: Memo<Vec<view::PredictionRow>>,
    confusion: Memo<Option<Confusion>>,
}

#[wasm_bindgen]
impl AnalysisView {
    /// From the worker's `Session.viewBytes()`.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: &[u8]) -> Result<AnalysisView, JsError> {
        let view = view::AnalysisView::from_bytes(bytes).map_err(js_error)?;
        Ok(AnalysisView {
            bins: FisherBins::of(view.fisher_values()),
            view,
            text_sizes: TextSizes::default(),
            recon: Memo::default(),
            predictions: Memo::default(),
            confusion: Memo::default(),
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

    /// The smallest cutoff that removes at least `count` weights.
    #[wasm_bindgen(js_name = cutoffRemoving)]
    pub fn cutoff_removing(&self, count: usize) -> f32 {
        self.view.cutoff_removing(count)
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
        plot::fisher_hist::draw(
            sized_backend(canvas, HISTOGRAM_SIZE)?,
            &self.histogram(log, cutoff),
        )
        .map_err(|e| drawing_error("Fisher histogram")(e.to_string()))
    }

    /// The bin under (`x`, `y`), CSS px from the canvas's top-left corner, of the histogram
    /// `drawHistogram` draws on it: `{from, to, count}` (`Bin`), or null off the plot.
    #[wasm_bindgen(js_name = histogramAt)]
    pub fn histogram_at(
        &self,
        canvas: HtmlCanvasElement,
        log: bool,
        x: f64,
        y: f64,
    ) -> Result<JsValue, JsError> {
        let chart = self.histogram(log, 0.0);
        let backend = self.text_sizes.measure(css_size(&canvas, HISTOGRAM_SIZE));
        let bin = plot::fisher_hist::bin_at(backend, &chart, (x, y))
            .map_err(|e| drawing_error("Fisher histogram")(e.to_string()))?;
        let histogram = self.bins.get(chart.scale);
        to_js_nulls(&bin.map(|i| Bin::of(histogram, i)))
    }

    /// The bins `drawHistogram` draws: `[{from, to, count}]`, each bin [from, to) (the last
    /// closed). The log axis leaves out the exact zeros, `summary().zeroFraction` of them.
    #[wasm_bindgen(js_name = histogramBins)]
    pub fn histogram_bins(&self, log: bool) -> Result<JsValue, JsError> {
        let histogram = self.bins.get(scale_of(log));
        let bins: Vec<Bin> = (0..histogram.counts.len())
            .map(|i| Bin::of(histogram, i))
            .collect();
        to_js_nulls(&bins)
    }

    #[wasm_bindgen(js_name = drawHockey)]
    pub fn draw_hockey(&self, canvas: HtmlCanvasElement, cutoff: f32) -> Result<(), JsError> {
        let summary = self.view.summary();
        let eigen = self.view.eigen_summary();
        let (chart, size) = hockey_chart(&self.view, summary, eigen, self.view.removed(cutoff));
        plot::hockey::draw(sized_backend(canvas, size)?, &chart)
            .map_err(|e| drawing_error("hockey stick")(e.to_string()))
    }

    /// What the hockey stick `drawHockey` draws on `canvas` shows under (`x`, `y`), CSS px from
    /// its top-left corner: the count removed at the pointer's x and every scheme's score there
    /// (`workbench::view::HockeyReading`: `{removed, fraction, swept, fisher, random,
    /// randomStd, magnitude, saliency, fisherAccuracy, randomAccuracy, magnitudeAccuracy,
    /// saliencyAccuracy, eigen, eigenAccuracy}`, null for what has not run), or null off the
    /// plot.
    #[wasm_bindgen(js_name = hockeyAt)]
    pub fn hockey_at(&self, canvas: HtmlCanvasElement, x: f64, y: f64) -> Result<JsValue, JsError> {
        let summary = self.view.summary();
        let eigen = self.view.eigen_summary();
        // The current cutoff does not move the layout (its key entry keeps its widest width).
        let (chart, size) = hockey_chart(&self.view, summary, eigen, 0);
        let backend = self.text_sizes.measure(css_size(&canvas, size));
        let removed = plot::hockey::removed_at(backend, &chart, (x, y))
            .map_err(|e| drawing_error("hockey stick")(e.to_string()))?;
        to_js_nulls(&removed.map(|removed| self.view.hockey_at(removed)))
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
        let layout = self.maps_layout(&canvas);
        put_picture(&canvas, &plot::fisher_maps::render(&maps, &layout))
    }

    /// The weight under (`x`, `y`), CSS px from the canvas's top-left corner, on the Fisher maps
    /// `drawMaps` draws: `{unit, row, col, fisher}` (the latent unit, and the pixel's row and
    /// column, each counted from 0, as every index here is; the maps label unit j as j + 1; and
    /// that weight's F), or null off the maps.
    #[wasm_bindgen(js_name = mapsAt)]
    pub fn maps_at(&self, canvas: HtmlCanvasElement, x: f64, y: f64) -> Result<JsValue, JsError> {
        let layout = self.maps_layout(&canvas);
        let (x, y) = picture_point(&canvas, layout.size().0, (x, y));
        let cols = self.view.image_shape().1;
        let weight = layout.weight_at(x, y).map(|(j, row, col)| MapWeight {
            unit: j,
            row,
            col,
            fisher: self.view.fisher()[[j, row * cols + col]],
        });
        to_js_nulls(&weight)
    }

    /// Per latent unit, the F of its incoming weights as its map shows them: `[{unit, least,
    /// median, largest, zeros}]` (`summary::UnitFisher`; `least` is the smallest positive F,
    /// null when every one is 0).
    #[wasm_bindgen(js_name = mapsSummary)]
    pub fn maps_summary(&self) -> Result<JsValue, JsError> {
        to_js_nulls(&crate::summary::unit_fisher(self.view.fisher().view()))
    }

    /// Originals, then the Fisher-, random-, magnitude- and saliency-pruned reconstructions at
    /// `cutoff`, all with the same number of weights removed.
    #[wasm_bindgen(js_name = drawRecon)]
    pub fn draw_recon(&self, canvas: HtmlCanvasElement, cutoff: f32) -> Result<(), JsError> {
        let recon = self.view.reconstructions(cutoff);
        self.recon.put(cutoff, ReconTable::of(&recon));
        draw_reconstructions(&canvas, &recon)
    }

    /// The digit under (`x`, `y`), CSS px from the canvas's top-left corner, of the
    /// reconstructions `drawRecon` draws at `cutoff`: `{label, digit, mse}` (the row's label,
    /// "original" or a scheme; the digit's place from 0; its MSE, null for an original), or null
    /// off the digits.
    #[wasm_bindgen(js_name = reconAt)]
    pub fn recon_at(
        &self,
        canvas: HtmlCanvasElement,
        x: f64,
        y: f64,
        cutoff: f32,
    ) -> Result<JsValue, JsError> {
        let table = self.recon_table_at(cutoff);
        let labels: Vec<&str> = table.rows.iter().map(|r| r.label.as_str()).collect();
        let shape = self.view.image_shape();
        let layout = plot::recon::Layout::fitting(&labels, table.count, shape, room_of(&canvas));
        let (x, y) = picture_point(&canvas, layout.size().0, (x, y));
        let digit = layout.digit_at(x, y).map(|(row, digit)| ReconDigit {
            label: &table.rows[row].label,
            digit,
            mse: table.rows[row]
                .mse
                .as_ref()
                .and_then(|m| m.get(digit).copied()),
        });
        to_js_nulls(&digit)
    }

    /// The rows `drawRecon` shows at `cutoff` as a table: `[{label, mse}]`, `mse` one per digit
    /// (null for the originals).
    #[wasm_bindgen(js_name = reconTable)]
    pub fn recon_table(&self, cutoff: f32) -> Result<JsValue, JsError> {
        to_js_nulls(&self.recon_table_at(cutoff).rows)
    }

    /// The classifier's answers on the fixed digits, unpruned and pruned by each scheme with the
    /// weights `cutoff` removes.
    #[wasm_bindgen(js_name = drawPredictions)]
    pub fn draw_predictions(&self, canvas: HtmlCanvasElement, cutoff: f32) -> Result<(), JsError> {
        let rows = self.predictions_at(cutoff)?;
        let rows: Vec<PredictionRow> = (rows.iter())
            .map(|row| PredictionRow {
                label: &row.label,
                predictions: &row.predictions,
            })
            .collect();
        let images = self.view.digit_images();
        let layout = self.predictions_layout(&canvas, rows.len());
        let picture = plot::predictions::render(&images, self.view.digit_labels(), &rows, &layout);
        put_picture(&canvas, &picture)
    }

    /// What lies under (`x`, `y`), CSS px from the canvas's top-left corner, on the predictions
    /// `drawPredictions` draws at `cutoff`: `{row, digit, label, predicted, probability}` (the
    /// row's label, "test digit" for the digits; the digit's place from 0; its true class; the
    /// row's answer and its probability, null on the digits), or null elsewhere.
    #[wasm_bindgen(js_name = predictionsAt)]
    pub fn predictions_at_point(
        &self,
        canvas: HtmlCanvasElement,
        x: f64,
        y: f64,
        cutoff: f32,
    ) -> Result<JsValue, JsError> {
        let rows = self.predictions_at(cutoff)?;
        let layout = self.predictions_layout(&canvas, rows.len());
        let (x, y) = picture_point(&canvas, layout.size().0, (x, y));
        let labels = self.view.digit_labels();
        let answer = layout.spot_at(x, y).map(|spot| match spot {
            Spot::Digit(digit) => PredictionSpot {
                row: "test digit",
                digit,
                label: labels[digit],
                predicted: None,
                probability: None,
            },
            Spot::Answer { answer, digit } => {
                let row = &rows[answer];
                let prediction = row.predictions.get(digit);
                PredictionSpot {
                    row: &row.label,
                    digit,
                    label: labels[digit],
                    predicted: prediction.map(|p| p.predicted),
                    probability: prediction.map(|p| p.probability),
                }
            }
        });
        to_js_nulls(&answer)
    }

    /// The Fisher-pruned classifier's confusion matrix at `cutoff` over the scored test images;
    /// returns its accuracy.
    #[wasm_bindgen(js_name = drawConfusion)]
    pub fn draw_confusion(&self, canvas: HtmlCanvasElement, cutoff: f32) -> Result<f64, JsError> {
        let memo = self.confusion_at(cutoff)?;
        let confusion = memo.as_ref().as_ref().expect("checked by confusion_at");
        put_picture(&canvas, &plot::confusion::render(confusion))?;
        Ok(confusion.accuracy())
    }

    /// The cell under (`x`, `y`), CSS px from the canvas's top-left corner, of the confusion
    /// matrix `drawConfusion` draws at `cutoff`: `{truth, predicted, count, share}` (`share`: of
    /// the true class's images), or null off the grid.
    #[wasm_bindgen(js_name = confusionAt)]
    pub fn confusion_at_point(
        &self,
        canvas: HtmlCanvasElement,
        x: f64,
        y: f64,
        cutoff: f32,
    ) -> Result<JsValue, JsError> {
        let memo = self.confusion_at(cutoff)?;
        let confusion = memo.as_ref().as_ref().expect("checked by confusion_at");
        let classes = confusion.classes();
        let width = plot::confusion::size(classes).0;
        let (x, y) = picture_point(&canvas, width, (x, y));
        let cell = plot::confusion::cell_at(classes, x, y).map(|(truth, predicted)| {
            let row = &confusion.counts[truth];
            let count = row[predicted];
            ConfusionCell {
                truth,
                predicted,
                count,
                share: count as f64 / row.iter().sum::<usize>().max(1) as f64,
            }
        });
        to_js_nulls(&cell)
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

/// The originals, then each labelled row of reconstructions with their MSEs, at the largest
/// scale that fits the canvas's container.
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
    let layout = plot::recon::layout_of(&rows, recon.shape, room_of(canvas));
    put_picture(canvas, &plot::recon::render(&rows, &layout))
}

impl AnalysisView {
    fn histogram(&self, log: bool, cutoff: f32) -> FisherHistogram<'_> {
        FisherHistogram {
            bins: &self.bins,
            scale: scale_of(log),
            cutoff,
            knee: self.view.knee_cutoff(),
        }
    }

    fn maps_layout(&self, canvas: &HtmlCanvasElement) -> plot::fisher_maps::Layout {
        let m = self.view.fisher().nrows();
        plot::fisher_maps::Layout::fitting(m, self.view.image_shape(), room_of(canvas))
    }

    fn predictions_layout(
        &self,
        canvas: &HtmlCanvasElement,
        answers: usize,
    ) -> plot::predictions::Layout {
        let count = self.view.digit_labels().len();
        let shape = self.view.image_shape();
        plot::predictions::Layout::fitting(count, shape, answers, room_of(canvas))
    }

    fn recon_table_at(&self, cutoff: f32) -> Rc<ReconTable> {
        self.recon.get_or(cutoff, || {
            ReconTable::of(&self.view.reconstructions(cutoff))
        })
    }

    fn predictions_at(&self, cutoff: f32) -> Result<Rc<Vec<view::PredictionRow>>, JsError> {
        // The autoencoder has none: an empty list.
        let rows = self
            .predictions
            .get_or(cutoff, || self.view.predictions(cutoff).unwrap_or_default());
        if rows.is_empty() {
            return Err(JsError::new("the autoencoder makes no predictions"));
        }
        Ok(rows)
    }

    /// Some confusion matrix (the autoencoder has none: an error).
    fn confusion_at(&self, cutoff: f32) -> Result<Rc<Option<Confusion>>, JsError> {
        let confusion = self
            .confusion
            .get_or(cutoff, || self.view.confusion(cutoff));
        match *confusion {
            Some(_) => Ok(confusion),
            None => Err(JsError::new("the autoencoder has no confusion matrix")),
        }
    }
}

fn scale_of(log: bool) -> HistScale {
    if log {
        HistScale::Log
    } else {
        HistScale::Linear
    }
}

/// The hockey stick of `view` with `current_removed` weights removed, and its chart's default
/// CSS size (taller with the classifier's accuracy panel).
fn hockey_chart<'a>(
    view: &'a view::AnalysisView,
    summary: &'a view::AnalysisSummary,
    eigen: Option<&'a crate::eigen::EigenSummary>,
    current_removed: usize,
) -> (plot::hockey::HockeyStick<'a>, (u32, u32)) {
    let accuracy = summary.unpruned.accuracy;
    let size = if accuracy.is_some() {
        (HOCKEY_SIZE.0, 680)
    } else {
        HOCKEY_SIZE
    };
    let chart = plot::hockey::HockeyStick {
        rows: &summary.rows,
        total: view.total(),
        loss_name: summary.model.loss_label(),
        layer_name: summary.model.first_layer_name(),
        unpruned_loss: summary.unpruned.loss,
        unpruned_accuracy: accuracy,
        knee: summary.knee.as_ref(),
        tolerance: summary.tolerance,
        current_removed,
        fine_tuned: view.fine_tune().map_or(&[], |f| &f.points[..]),
        eigen: eigen.map_or(&[], |e| &e.rows[..]),
        eigen_crossing: eigen.and_then(|e| e.within_tolerance.as_ref()),
    };
    (chart, size)
}

/// The CSS px a picture on `canvas` may take: its container's width less the canvas's borders
/// (0 while hidden: the picture then takes its largest scale).
fn room_of(canvas: &HtmlCanvasElement) -> f64 {
    let parent = canvas.parent_element().map_or(0, |p| p.client_width());
    let border = canvas.offset_width() - canvas.client_width();
    (parent - border.max(0)).max(0) as f64
}

/// A point on `canvas` (CSS px) in its picture's own px (`width` wide): the same unless the
/// page shows the canvas at another width.
fn picture_point(canvas: &HtmlCanvasElement, width: usize, (x, y): (f64, f64)) -> (f64, f64) {
    let shown = canvas.client_width();
    let k = if shown > 0 {
        width as f64 / shown as f64
    } else {
        1.0
    };
    (x * k, y * k)
}

/// `value` as a JS value, with `None` as null (not undefined) and maps as plain objects.
fn to_js_nulls<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    let serializer = serde_wasm_bindgen::Serializer::new()
        .serialize_missing_as_null(true)
        .serialize_maps_as_objects(true);
    value
        .serialize(&serializer)
        .map_err(|e| JsError::new(&e.to_string()))
}

/// One histogram bin, [from, to).
#[derive(Serialize)]
struct Bin {
    from: f64,
    to: f64,
    count: u64,
}

impl Bin {
    fn of(histogram: &crate::summary::Histogram, i: usize) -> Bin {
        Bin {
            from: histogram.edges[i],
            to: histogram.edges[i + 1],
            count: histogram.counts[i],
        }
    }
}

#[derive(Serialize)]
struct MapWeight {
    unit: usize,
    row: usize,
    col: usize,
    fisher: f32,
}

/// The rows `drawRecon` shows at one cutoff, without their images.
struct ReconTable {
    count: usize,
    rows: Vec<ReconTableRow>,
}

#[derive(Serialize)]
struct ReconTableRow {
    label: String,
    mse: Option<Vec<f64>>,
}

impl ReconTable {
    fn of(recon: &Reconstructions) -> ReconTable {
        let n = (recon.shape.0 * recon.shape.1).max(1);
        let mut rows = vec![ReconTableRow {
            label: "original".into(),
            mse: None,
        }];
        rows.extend(recon.rows.iter().map(|row| ReconTableRow {
            label: row.label.clone(),
            mse: Some(row.mse.clone()),
        }));
        ReconTable {
            count: recon.originals.len() / n,
            rows,
        }
    }
}

#[derive(Serialize)]
struct ReconDigit<'a> {
    label: &'a str,
    digit: usize,
    mse: Option<f64>,
}

#[derive(Serialize)]
struct PredictionSpot<'a> {
    row: &'a str,
    digit: usize,
    label: u8,
    predicted: Option<u8>,
    probability: Option<f64>,
}

#[derive(Serialize)]
struct ConfusionCell {
    truth: usize,
    predicted: usize,
    count: usize,
    share: f64,
}

/// The value computed at the last cutoff asked for.
struct Memo<T>(RefCell<Option<(u32, Rc<T>)>>);

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo(RefCell::new(None))
    }
}

impl<T> Memo<T> {
    fn put(&self, cutoff: f32, value: T) {
        *self.0.borrow_mut() = Some((cutoff.to_bits(), Rc::new(value)));
    }

    fn get_or(&self, cutoff: f32, make: impl FnOnce() -> T) -> Rc<T> {
        if let Some((bits, value)) = &*self.0.borrow() {
            if *bits == cutoff.to_bits() {
                return value.clone();
            }
        }
        let value = Rc::new(make());
        *self.0.borrow_mut() = Some((cutoff.to_bits(), value.clone()));
        value
    }
}

/// Text sizes as the page's font gives them (plotters measures each in a DOM element, which
/// costs a layout of the page), kept by text and font.
#[derive(Default)]
struct TextSizes(RefCell<HashMap<TextKey, (u32, u32)>>);

/// A text, its font (family, style, turn) and the bits of its size.
type TextKey = (String, String, u64);

impl TextSizes {
    /// A backend of `size` CSS px that draws nothing and measures text here.
    fn measure(&self, size: (u32, u32)) -> Measure<&TextSizes> {
        Measure::new(self, size)
    }
}

#[derive(Debug)]
struct Unmeasured(String);

impl std::fmt::Display for Unmeasured {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "could not measure text: {}", self.0)
    }
}

impl std::error::Error for Unmeasured {}

/// Only measures (`Measure` draws nothing).
impl DrawingBackend for &TextSizes {
    type ErrorType = Unmeasured;

    fn get_size(&self) -> (u32, u32) {
        (0, 0)
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Unmeasured>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Unmeasured>> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        _: BackendCoord,
        _: BackendColor,
    ) -> Result<(), DrawingErrorKind<Unmeasured>> {
        Ok(())
    }

    /// As `DrawingBackend`'s own default, which the canvas backend uses, once per text and font.
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Unmeasured>> {
        let turn = match style.transform() {
            FontTransform::None => 0,
            FontTransform::Rotate90 => 1,
            FontTransform::Rotate180 => 2,
            FontTransform::Rotate270 => 3,
        };
        let font = format!(
            "{} {} {turn}",
            style.family().as_str(),
            style.style().as_str()
        );
        let key = (text.to_string(), font, style.size().to_bits());
        if let Some(&size) = self.0.borrow().get(&key) {
            return Ok(size);
        }
        let ((x0, y0), (x1, y1)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::DrawingError(Unmeasured(e.to_string())))?;
        let size = ((x1 - x0) as u32, (y1 - y0) as u32);
        let mut sizes = self.0.borrow_mut();
        // A bound: the texts a page draws are few, but the cutoff's labels change.
        if sizes.len() > 2048 {
            sizes.clear();
        }
        sizes.insert(key, size);
        Ok(size)
    }
}

//! Chart entry points for the main thread: each wraps a canvas in plotters' canvas backend and
//! calls the chart's `draw` in `crate::plot`.

use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::plot;

fn backend(canvas: HtmlCanvasElement) -> Result<CanvasBackend, JsError> {
    CanvasBackend::with_canvas_object(canvas)
        .ok_or_else(|| JsError::new("the canvas has no 2D context"))
}

/// The training chart on `canvas`: per-batch train losses, and the test MSE of each completed
/// epoch, for a run of `epochs` epochs of `batches_per_epoch` batches.
#[wasm_bindgen(js_name = drawLossChart)]
pub fn draw_loss_chart(
    canvas: HtmlCanvasElement,
    batch_losses: &[f64],
    batches_per_epoch: usize,
    epochs: usize,
    test_mse: &[f64],
) -> Result<(), JsError> {
    let history = plot::loss::LossHistory {
        batch_losses,
        batches_per_epoch,
        epochs,
        test_mse,
    };
    plot::loss::draw(backend(canvas)?, &history)
        .map_err(|e| JsError::new(&format!("drawing the loss chart: {e}")))
}

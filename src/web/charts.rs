//! What the main thread draws: the loss chart, and `RenormView`, which holds one analysed model
//! and redraws the renormalization charts at any cutoff Λ. Each chart's drawing is in
//! `crate::plot`; the slider's numbers come from `crate::prune::Shells`.

use ndarray::Array2;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use super::{from_js, SweepView};
use crate::data::Dataset;
use crate::eigen::{EigenShells, EigenSummary};
use crate::plot;
use crate::plot::fisher_hist::{FisherHistogram, HistScale};
use crate::plot::picture::Picture;
use crate::plot::recon::ReconRow;
use crate::prune::{image_mse, reconstructions, Scheme, Shells};
use crate::report::{FineTuneSummary, SoftFlowSummary};
use crate::softflow::{self, SoftFlow, SoftFlowConfig};
use crate::sweep::FisherScale;
use crate::weights::from_safetensors;

fn backend(canvas: HtmlCanvasElement) -> Result<CanvasBackend, JsError> {
    CanvasBackend::with_canvas_object(canvas)
        .ok_or_else(|| JsError::new("the canvas has no 2D context"))
}

fn drawing_error(chart: &str) -> impl Fn(String) -> JsError + '_ {
    move |e| JsError::new(&format!("drawing the {chart}: {e}"))
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
        .map_err(|e| drawing_error("loss chart")(e.to_string()))
}

/// Sizes `canvas` to `picture`, writes its pixels in one `putImageData`, then its labels.
fn put_picture(canvas: &HtmlCanvasElement, picture: &Picture) -> Result<(), JsError> {
    canvas.set_width(picture.width as u32);
    canvas.set_height(picture.height as u32);
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or_else(|| JsError::new("the canvas has no 2D context"))?;
    let image = ImageData::new_with_u8_clamped_array_and_sh(
        Clamped(&picture.rgba),
        picture.width as u32,
        picture.height as u32,
    )
    .map_err(|_| JsError::new("could not make the image data"))?;
    context
        .put_image_data(&image, 0.0, 0.0)
        .map_err(|_| JsError::new("could not write the image"))?;
    context.set_font("12px sans-serif");
    context.set_text_align("center");
    context.set_fill_style_str("#1b1f24");
    for label in &picture.labels {
        context
            .fill_text(&label.text, label.x, label.y)
            .map_err(|_| JsError::new("could not write a label"))?;
    }
    Ok(())
}

/// One analysed model, held on the main thread so the Λ slider redraws without the worker.
#[wasm_bindgen]
pub struct RenormView {
    shells: Shells,
    scale: Option<FisherScale>,
    fisher_values: Vec<f32>,
    digits: Dataset,
    sweep: SweepView,
    fine_tune: Option<FineTuneSummary>,
    /// The eigen-shells' sweep, and their decompositions for pruning at any cutoff.
    eigen: Option<(EigenSummary, EigenShells)>,
    /// The soft flow's curve, and the flow itself for the evidence slider.
    soft_flow: Option<(SoftFlowSummary, SoftFlow)>,
}

#[wasm_bindgen]
impl RenormView {
    /// From the worker's `ready` message: the weights file, the encoder's Fisher values
    /// (row-major), the fixed digits' pixels and the sweep.
    #[wasm_bindgen(constructor)]
    pub fn new(
        weights: &[u8],
        fisher_encoder: &[f32],
        digits: &[u8],
        sweep: JsValue,
    ) -> Result<RenormView, JsError> {
        let model = from_safetensors(weights).map_err(|e| JsError::new(&e.to_string()))?;
        let fisher = Array2::from_shape_vec(model.encoder.dim(), fisher_encoder.to_vec())
            .map_err(|_| JsError::new("the Fisher values do not match the encoder's shape"))?;
        let sweep: SweepView = from_js(sweep)?;
        let side = (model.input_dim() as f64).sqrt() as usize;
        let count = digits.len() / model.input_dim().max(1);
        let digits = Dataset::new(side, side, vec![0; count], digits.to_vec());
        Ok(RenormView {
            scale: FisherScale::of(fisher_encoder),
            fisher_values: fisher_encoder.to_vec(),
            shells: Shells::new(&model, &fisher, sweep.random_seed),
            digits,
            sweep,
            fine_tune: None,
            eigen: None,
            soft_flow: None,
        })
    }

    /// The cutoff at slider position `t` in [0, 1]: 0, then log-spaced over the Fisher values.
    #[wasm_bindgen(js_name = cutoffAt)]
    pub fn cutoff_at(&self, t: f64) -> f32 {
        self.scale.map_or(0.0, |s| s.cutoff_at(t))
    }

    /// The slider position of `cutoff`.
    #[wasm_bindgen(js_name = positionOf)]
    pub fn position_of(&self, cutoff: f32) -> f64 {
        self.scale.map_or(0.0, |s| s.position_of(cutoff))
    }

    /// Encoder weights the cutoff removes, |{F ≤ Λ}|.
    pub fn removed(&self, cutoff: f32) -> usize {
        self.shells.removed(cutoff)
    }

    /// Encoder weights in all.
    pub fn total(&self) -> usize {
        self.fisher_values.len()
    }

    /// Λ*, if the sweep found one.
    #[wasm_bindgen(js_name = kneeCutoff)]
    pub fn knee_cutoff(&self) -> Option<f32> {
        self.sweep.knee.as_ref().map(|k| k.cutoff)
    }

    #[wasm_bindgen(js_name = drawHistogram)]
    pub fn draw_histogram(
        &self,
        canvas: HtmlCanvasElement,
        log: bool,
        cutoff: f32,
    ) -> Result<(), JsError> {
        let chart = FisherHistogram {
            values: &self.fisher_values,
            scale: if log {
                HistScale::Log
            } else {
                HistScale::Linear
            },
            cutoff,
            knee: self.knee_cutoff(),
        };
        plot::fisher_hist::draw(backend(canvas)?, &chart)
            .map_err(|e| drawing_error("Fisher histogram")(e.to_string()))
    }

    #[wasm_bindgen(js_name = drawHockey)]
    pub fn draw_hockey(&self, canvas: HtmlCanvasElement, cutoff: f32) -> Result<(), JsError> {
        let chart = plot::hockey::HockeyStick {
            rows: &self.sweep.rows,
            total: self.total(),
            unpruned_mse: self.sweep.unpruned_mse,
            knee: self.sweep.knee.as_ref(),
            tolerance: self.sweep.tolerance,
            current_removed: self.removed(cutoff),
            fine_tuned: self.fine_tune.as_ref().map_or(&[], |f| &f.points[..]),
            eigen: self.eigen.as_ref().map_or(&[], |(e, _)| &e.rows[..]),
            eigen_crossing: (self.eigen.as_ref()).and_then(|(e, _)| e.within_tolerance.as_ref()),
        };
        plot::hockey::draw(backend(canvas)?, &chart)
            .map_err(|e| drawing_error("hockey stick")(e.to_string()))
    }

    #[wasm_bindgen(js_name = drawMaps)]
    pub fn draw_maps(&self, canvas: HtmlCanvasElement, cutoff: f32) -> Result<(), JsError> {
        let maps = plot::fisher_maps::FisherMaps {
            fisher: self.shells.fisher().view(),
            rows: self.digits.rows,
            cols: self.digits.cols,
            cutoff,
        };
        put_picture(&canvas, &plot::fisher_maps::render(&maps))
    }

    /// The worker's fine-tuning (`Session.fineTuneResult`): the hockey stick shows it.
    #[wasm_bindgen(js_name = setFineTune)]
    pub fn set_fine_tune(&mut self, result: JsValue) -> Result<(), JsError> {
        self.fine_tune = Some(from_js(result)?);
        Ok(())
    }

    /// The worker's eigen-shells (`Session.eigenResult`, and `Session.eigenBasis`'s arrays):
    /// the hockey stick and the eigen reconstructions show them.
    #[wasm_bindgen(js_name = setEigen)]
    pub fn set_eigen(
        &mut self,
        result: JsValue,
        values: Vec<f64>,
        vectors: Vec<f32>,
        coefficients: Vec<f64>,
    ) -> Result<(), JsError> {
        let summary: EigenSummary = from_js(result)?;
        let shells = EigenShells::from_flat(self.shells.model(), values, vectors, coefficients)
            .map_err(|e| JsError::new(&e))?;
        self.eigen = Some((summary, shells));
        Ok(())
    }

    /// Directions the eigen-shell cutoff Λ removes, |{(j, k) : λ_jk ≤ Λ}|.
    #[wasm_bindgen(js_name = eigenRemoved)]
    pub fn eigen_removed(&self, cutoff: f32) -> Result<usize, JsError> {
        Ok(self.eigen_shells()?.removed(cutoff as f64))
    }

    /// The fixed digits; the diagonal shells at `cutoff`; the eigen-shells at `cutoff`; and the
    /// eigen-shells with as many directions removed as the diagonal shells remove weights.
    #[wasm_bindgen(js_name = drawEigenRecon)]
    pub fn draw_eigen_recon(&self, canvas: HtmlCanvasElement, cutoff: f32) -> Result<(), JsError> {
        let eigen = self.eigen_shells()?;
        let k = self.removed(cutoff);
        let k_eigen = eigen.removed(cutoff as f64);
        let originals = self.digits.batch::<f32>(0..self.digits.len());
        let rows = [
            (
                format!("diagonal: {k} weights"),
                self.shells.pruned(Scheme::Fisher, k),
            ),
            (format!("eigen at Λ: {k_eigen} dirs"), eigen.pruned(k_eigen)),
            (format!("eigen: {k} dirs"), eigen.pruned(k)),
        ]
        .map(|(label, model)| {
            let (output, mse) = reconstructions(&model, &self.digits);
            (label, output.into_raw_vec_and_offset().0, mse)
        });
        self.draw_recon_rows(&canvas, &originals, &rows)
    }

    /// The worker's soft-flow curve (`Session.softFlowResult`) and the seed of its draws (the
    /// page's seeds are 32-bit: a JS number, not a BigInt): the evidence slider redraws from them.
    #[wasm_bindgen(js_name = setSoftFlow)]
    pub fn set_soft_flow(&mut self, result: JsValue, seed: u32) -> Result<(), JsError> {
        let summary: SoftFlowSummary = from_js(result)?;
        let config = SoftFlowConfig {
            alpha: summary.alpha,
            samples: summary.samples,
            seed: seed.into(),
        };
        let flow = SoftFlow::new(self.shells.model(), self.shells.fisher(), config);
        self.soft_flow = Some((summary, flow));
        Ok(())
    }

    /// The most evidence the flow starts from (the Fisher's examples).
    #[wasm_bindgen(js_name = maxEvidence)]
    pub fn max_evidence(&self) -> usize {
        self.sweep.fisher_examples
    }

    /// The evidence at slider position `t` in [0, 1], log-spaced from 0 to `maxEvidence`.
    #[wasm_bindgen(js_name = evidenceAt)]
    pub fn evidence_at(&self, t: f64) -> f64 {
        softflow::evidence_at(t, self.max_evidence())
    }

    #[wasm_bindgen(js_name = evidencePosition)]
    pub fn evidence_position(&self, evidence: f64) -> f64 {
        softflow::evidence_position(evidence, self.max_evidence())
    }

    /// Weights washed out at `evidence` (posterior std above |E*|).
    #[wasm_bindgen(js_name = washedOut)]
    pub fn washed_out(&self, evidence: f64) -> Result<usize, JsError> {
        let (summary, _) = self.soft()?;
        let model = self.shells.model();
        Ok(softflow::washed_out(
            &model.encoder,
            self.shells.fisher(),
            evidence,
            summary.alpha,
        ))
    }

    #[wasm_bindgen(js_name = drawSoftFlow)]
    pub fn draw_soft_flow(&self, canvas: HtmlCanvasElement, evidence: f64) -> Result<(), JsError> {
        let (summary, _) = self.soft()?;
        let chart = plot::soft_flow::SoftFlowChart {
            points: &summary.points,
            unpruned_mse: self.sweep.unpruned_mse,
            alpha: summary.alpha,
            evidence,
        };
        plot::soft_flow::draw(backend(canvas)?, &chart)
            .map_err(|e| drawing_error("soft flow")(e.to_string()))
    }

    /// The fixed digits, and their posterior-predictive mean reconstructions at `evidence`.
    #[wasm_bindgen(js_name = drawSoftRecon)]
    pub fn draw_soft_recon(&self, canvas: HtmlCanvasElement, evidence: f64) -> Result<(), JsError> {
        let (_, flow) = self.soft()?;
        let originals = self.digits.batch::<f32>(0..self.digits.len());
        let mean = flow.mean_reconstruction(evidence, &self.digits);
        let mse = image_mse(&mean, &originals);
        let label = format!("mean of {} draws", flow.config().samples);
        let rows = [
            ReconRow {
                label: "original",
                images: originals.as_slice().expect("a fresh batch is contiguous"),
                mse: None,
            },
            ReconRow {
                label: &label,
                images: mean.as_slice().expect("a fresh array is contiguous"),
                mse: Some(&mse),
            },
        ];
        put_picture(
            &canvas,
            &plot::recon::render(&rows, (self.digits.rows, self.digits.cols)),
        )
    }

    /// Originals, then the Fisher-, random-, magnitude- and saliency-pruned reconstructions at
    /// `cutoff`, all with the same number of weights removed.
    #[wasm_bindgen(js_name = drawRecon)]
    pub fn draw_recon(&self, canvas: HtmlCanvasElement, cutoff: f32) -> Result<(), JsError> {
        let k = self.removed(cutoff);
        let originals = self.digits.batch::<f32>(0..self.digits.len());
        let pruned: Vec<(&str, Vec<f32>, Vec<f64>)> = [
            ("Fisher", Scheme::Fisher),
            ("random", Scheme::Random),
            ("magnitude", Scheme::Magnitude),
            ("saliency", Scheme::Saliency),
        ]
        .into_iter()
        .map(|(name, scheme)| {
            let (output, mse) = reconstructions(&self.shells.pruned(scheme, k), &self.digits);
            (name, output.into_raw_vec_and_offset().0, mse)
        })
        .collect();
        self.draw_recon_rows(&canvas, &originals, &pruned)
    }
}

impl RenormView {
    /// The originals, then one labelled row of reconstructions (with their MSEs) each.
    fn draw_recon_rows<L: AsRef<str>>(
        &self,
        canvas: &HtmlCanvasElement,
        originals: &Array2<f32>,
        pruned: &[(L, Vec<f32>, Vec<f64>)],
    ) -> Result<(), JsError> {
        let originals = originals.as_slice().expect("a fresh batch is contiguous");
        let mut rows = vec![ReconRow {
            label: "original",
            images: originals,
            mse: None,
        }];
        rows.extend(pruned.iter().map(|(name, images, mse)| ReconRow {
            label: name.as_ref(),
            images,
            mse: Some(mse),
        }));
        let picture = plot::recon::render(&rows, (self.digits.rows, self.digits.cols));
        put_picture(canvas, &picture)
    }

    fn eigen_shells(&self) -> Result<&EigenShells, JsError> {
        (self.eigen.as_ref().map(|(_, shells)| shells))
            .ok_or_else(|| JsError::new("the eigen-shells have not run"))
    }
}

impl RenormView {
    fn soft(&self) -> Result<&(SoftFlowSummary, SoftFlow), JsError> {
        (self.soft_flow.as_ref()).ok_or_else(|| JsError::new("the soft flow has not run"))
    }
}

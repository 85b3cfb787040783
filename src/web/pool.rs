//! A pool of workers (www/pool.js) for training and the sweep.
//! - Training: the lead worker's `Session` splits each batch into parts and computes the first.
//!   Helper workers (www/helper.js) compute the others with a `GradientWorker`, from the weights
//!   and the examples' indices. The lead sums the parts in order
//!   (`Trainer::train_batch_from_parts`), so a run is the same for the same pool size, and a pool
//!   of one is the single-worker run bit for bit.
//! - The Fisher: helpers compute the terms of some batches on a `FisherWorker`, and the lead adds
//!   every batch's in order (`Analysis::add_fisher_terms`): the same sums bit for bit.
//! - The sweep: helpers score some removal orders on a `SweepWorker`, an identical sweep, and
//!   the lead takes their scores (`Sweep::take_scores`): the rows are the same bit for bit
//!   whatever the pool size.

use wasm_bindgen::prelude::*;

use serde::{Deserialize, Serialize};

use super::session::{js_error, Session};
use super::{from_js, to_js};
use crate::analysis::FISHER_BATCH;
use crate::data::Dataset;
use crate::fisher::{FisherAccumulator, FisherTerms, FisherVariant};
use crate::model::{Autoencoder, Gradients};
use crate::sweep::{Baselines, Sweep};
use crate::train::{GradientPart, Trainer};

#[wasm_bindgen]
impl Session {
    /// Pixels per image: the shape a `GradientWorker` needs.
    #[wasm_bindgen(js_name = pixelsPerImage)]
    pub fn pixels_per_image(&self) -> usize {
        self.manifest.rows * self.manifest.cols
    }

    /// The run's current weights, every tensor in `parameters()` order, for the helpers.
    #[wasm_bindgen(js_name = poolWeights)]
    pub fn pool_weights(&self) -> Result<Vec<f32>, JsError> {
        Ok(self.pool_run()?.model().parameters().concat())
    }

    /// Examples in the next batch; 0 once the run has finished.
    #[wasm_bindgen(js_name = poolBatchRows)]
    pub fn pool_batch_rows(&self) -> Result<usize, JsError> {
        let parts = self.pool_run()?.next_batch_parts(1);
        Ok(parts.first().map_or(0, |rows| rows.len()))
    }

    /// The pixels (u8, one image after another) of the examples the run trains on: each helper
    /// keeps a copy, so a batch needs only their indices.
    #[wasm_bindgen(js_name = poolTrainingPixels)]
    pub fn pool_training_pixels(&self) -> Result<js_sys::Uint8Array, JsError> {
        // Copied straight into JS memory: a Vec would first copy 47 MB inside the module's
        // memory, which never shrinks.
        Ok(js_sys::Uint8Array::from(
            &self.pool_run()?.data().pixels[..],
        ))
    }

    /// The examples (indices into `poolTrainingPixels`) of part `part` of the next batch in
    /// `parts`.
    #[wasm_bindgen(js_name = poolPartRows)]
    pub fn pool_part_rows(&self, parts: usize, part: usize) -> Result<Vec<u32>, JsError> {
        let split = self.pool_run()?.next_batch_parts(parts);
        let rows = split
            .get(part)
            .ok_or_else(|| JsError::new(&format!("no part {part} of {parts} to train")))?;
        Ok(rows.iter().map(|&row| row as u32).collect())
    }

    /// Computes part 0 of the next batch in `parts`, the lead's own, while the helpers compute
    /// theirs; `poolFinishBatch` adds it first.
    #[wasm_bindgen(js_name = poolOwnPart)]
    pub fn pool_own_part(&mut self, parts: usize) -> Result<(), JsError> {
        let run = self.pool_run()?;
        let split = run.next_batch_parts(parts);
        let own = split
            .first()
            .ok_or_else(|| JsError::new("the run has no batch left to train"))?;
        let batch_rows = split.iter().map(|rows| rows.len()).sum();
        self.own_part = Some(GradientPart::of(run.model(), run.data(), own, batch_rows));
        Ok(())
    }

    /// Trains the next batch from the lead's part (`poolOwnPart`) and the helpers' parts 1, 2,
    /// ... in order: `squared_errors[i]`, and block `i` of `gradients` (each block as long as
    /// `poolWeights()`). Returns what `trainStep` returns, for this one batch.
    #[wasm_bindgen(js_name = poolFinishBatch)]
    pub fn pool_finish_batch(
        &mut self,
        squared_errors: Vec<f64>,
        gradients: &[f32],
    ) -> Result<JsValue, JsError> {
        let own = (self.own_part.take())
            .ok_or_else(|| JsError::new("the lead's part of this batch was not computed"))?;
        let run = self.pool_run()?;
        let length = run.model().parameter_count();
        if gradients.len() != squared_errors.len() * length {
            return Err(JsError::new(&format!(
                "the helpers sent {} gradient values for {} parts of {length}",
                gradients.len(),
                squared_errors.len()
            )));
        }
        let mut parts = vec![own];
        for (&squared_error, flat) in squared_errors.iter().zip(gradients.chunks(length)) {
            let gradients = Gradients::from_flat(run.model(), flat)
                .ok_or_else(|| JsError::new("a helper's gradients have the wrong length"))?;
            parts.push(GradientPart {
                squared_error,
                gradients,
            });
        }
        let run = self.run.as_mut().expect("pool_run found the run");
        let epochs_before = run.epochs_completed();
        let progress = run.train_batch_from_parts(parts).map_err(js_error)?;
        self.step_report(progress, epochs_before)
    }
}

/// What a `SweepWorker` needs besides the typed arrays: the sweep's baselines and the model's shape.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SweepShape {
    baselines: Baselines,
    pixels_per_image: usize,
    latent: usize,
    biases: bool,
}

#[wasm_bindgen]
impl Session {
    /// Sets the sweep up once the Fisher is done (the next `analysisStep` would) and returns how
    /// many removal orders it scores; 0 before that.
    #[wasm_bindgen(js_name = sweepOrders)]
    pub fn sweep_orders(&mut self) -> usize {
        let test = self.test.ready();
        let analysis = self.analysis.as_mut().map(|run| &mut run.analysis);
        analysis
            .and_then(|analysis| analysis.sweep(test))
            .map_or(0, |(sweep, _, _)| sweep.order_count())
    }

    /// The sweep's baselines and the model's shape, for `new SweepWorker`.
    #[wasm_bindgen(js_name = sweepShape)]
    pub fn sweep_shape(&self) -> Result<JsValue, JsError> {
        let model = &self.trained()?.model;
        to_js(&SweepShape {
            baselines: self.analysis_config()?.baselines.clone(),
            pixels_per_image: model.input_dim(),
            latent: model.latent_dim(),
            biases: model.has_biases(),
        })
    }

    /// The analysed model's weights, every tensor in `parameters()` order.
    #[wasm_bindgen(js_name = trainedWeights)]
    pub fn trained_weights(&self) -> Result<Vec<f32>, JsError> {
        Ok(self.trained()?.model.parameters().concat())
    }

    /// The sweep's cutoffs.
    #[wasm_bindgen(js_name = sweepCutoffs)]
    pub fn sweep_cutoffs(&mut self) -> Result<Vec<f32>, JsError> {
        Ok(self.sweep_stage()?.0.cutoffs().to_vec())
    }

    /// The Fisher's encoder values, row-major [m, n], as the sweep orders them.
    #[wasm_bindgen(js_name = sweepFisher)]
    pub fn sweep_fisher(&mut self) -> Result<Vec<f32>, JsError> {
        Ok(self.sweep_stage()?.1.iter().copied().collect())
    }

    /// The pixels of the test images the sweep scores on.
    #[wasm_bindgen(js_name = sweepTestPixels)]
    pub fn sweep_test_pixels(&mut self) -> Result<js_sys::Uint8Array, JsError> {
        let eval = self.sweep_stage()?.2;
        let n = self.test.ready().pixels_per_example();
        Ok(js_sys::Uint8Array::from(
            &self.test.ready().pixels[..eval * n],
        ))
    }

    /// Scores removal order `order` at the cutoffs `from..to` (see `Sweep::score_order`).
    #[wasm_bindgen(js_name = sweepScore)]
    pub fn sweep_score(
        &mut self,
        order: usize,
        from: usize,
        to: usize,
    ) -> Result<Vec<f64>, JsError> {
        let (sweep, _, _) = self.sweep_stage()?;
        check_order(sweep, order, to)?;
        Ok(sweep.score_order(order, from..to))
    }

    /// Takes a `SweepWorker`'s scores of order `order` at every cutoff.
    #[wasm_bindgen(js_name = sweepTakeScores)]
    pub fn sweep_take_scores(&mut self, order: usize, scores: &[f64]) -> Result<(), JsError> {
        let (sweep, _, _) = self.sweep_stage()?;
        check_order(sweep, order, scores.len())?;
        if scores.len() != sweep.cutoff_count() {
            return Err(JsError::new(&format!(
                "{} scores for {} cutoffs",
                scores.len(),
                sweep.cutoff_count()
            )));
        }
        sweep.take_scores(order, scores);
        Ok(())
    }
}

/// The Fisher's batches for a pool: the model's shape, the variant, and where the Fisher stands.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct FisherPlan {
    variant: FisherVariant,
    pixels_per_image: usize,
    latent: usize,
    biases: bool,
    /// Examples the Fisher sums over, and how many it has so far.
    total: usize,
    done: usize,
    /// Examples per batch (the last may have fewer).
    batch: usize,
}

#[wasm_bindgen]
impl Session {
    /// Where the Fisher stands, for a pool to split its remaining batches; `null` outside the
    /// Fisher stage.
    #[wasm_bindgen(js_name = fisherPlan)]
    pub fn fisher_plan(&self) -> Result<JsValue, JsError> {
        let model = &self.trained()?.model;
        let Some(run) = &self.analysis else {
            return Ok(JsValue::NULL);
        };
        let analysis = &run.analysis;
        let Some(done) = analysis.fisher_examples_done() else {
            return Ok(JsValue::NULL);
        };
        let data = analysis.fisher_data(self.train.ready(), self.test.ready());
        to_js(&FisherPlan {
            variant: analysis.config().fisher_variant,
            pixels_per_image: model.input_dim(),
            latent: model.latent_dim(),
            biases: model.has_biases(),
            total: analysis.fisher_total(data),
            done,
            batch: FISHER_BATCH,
        })
    }

    /// The pixels of the Fisher's examples `from..to`, for a `FisherWorker`.
    #[wasm_bindgen(js_name = fisherPixels)]
    pub fn fisher_pixels(&self, from: usize, to: usize) -> Result<js_sys::Uint8Array, JsError> {
        let analysis = &self.analysis_run()?.analysis;
        let data = analysis.fisher_data(self.train.ready(), self.test.ready());
        let n = data.pixels_per_example();
        if from > to || to > data.len() {
            return Err(JsError::new(&format!(
                "no examples {from}..{to} of {}",
                data.len()
            )));
        }
        Ok(js_sys::Uint8Array::from(&data.pixels[from * n..to * n]))
    }

    /// Adds the next Fisher batch's terms, of `examples` examples, from a `FisherWorker`; returns
    /// the progress as `analysisStep` does.
    #[wasm_bindgen(js_name = fisherAddTerms)]
    pub fn fisher_add_terms(&mut self, terms: &[f32], examples: usize) -> Result<JsValue, JsError> {
        let model = &self.trained()?.model;
        let terms = FisherTerms::from_flat(model, terms, examples)
            .ok_or_else(|| JsError::new("a helper's Fisher terms have the wrong length"))?;
        let (train, test) = (self.train.ready(), self.test.ready());
        let analysis = &mut (self.analysis.as_mut())
            .ok_or_else(|| JsError::new("no analysis"))?
            .analysis;
        let progress = analysis
            .add_fisher_terms(&terms, train, test)
            .ok_or_else(|| JsError::new("the Fisher has no batch left"))?;
        to_js(&progress)
    }
}

fn check_order(sweep: &Sweep, order: usize, cutoffs: usize) -> Result<(), JsError> {
    if order >= sweep.order_count() || cutoffs > sweep.cutoff_count() {
        return Err(JsError::new(&format!(
            "order {order} at {cutoffs} cutoffs: the sweep has {} orders and {} cutoffs",
            sweep.order_count(),
            sweep.cutoff_count()
        )));
    }
    Ok(())
}

/// The model `pixels` → `latent` → `pixels` with the lead's `weights`.
fn model_with(
    pixels: usize,
    latent: usize,
    biases: bool,
    weights: &[f32],
) -> Result<Autoencoder<f32>, JsError> {
    let mut model = Autoencoder::init(pixels, latent, biases, 0);
    set_weights(&mut model, weights)?;
    Ok(model)
}

fn set_weights(model: &mut Autoencoder<f32>, weights: &[f32]) -> Result<(), JsError> {
    model.set_parameters(weights).ok_or_else(|| {
        JsError::new(&format!(
            "{} weights sent for a model of {}",
            weights.len(),
            model.parameter_count()
        ))
    })
}

/// Images of `n` pixels each, as a helper receives them (`what` names them in errors). One row
/// of n pixels per image: the images' own shape does not matter to a helper.
fn images(n: usize, pixels: Vec<u8>, what: &str) -> Result<Dataset, JsError> {
    if n == 0 || pixels.len() % n != 0 {
        return Err(JsError::new(&format!(
            "{what}: {} bytes are not whole images of {n} pixels",
            pixels.len()
        )));
    }
    let count = pixels.len() / n;
    Ok(Dataset::new(1, n, vec![0; count], pixels))
}

impl Session {
    fn analysis_run(&self) -> Result<&super::renorm::AnalysisRun, JsError> {
        (self.analysis.as_ref()).ok_or_else(|| JsError::new("no analysis"))
    }

    fn analysis_config(&self) -> Result<&crate::analysis::AnalysisConfig, JsError> {
        Ok(self.analysis_run()?.analysis.config())
    }

    fn sweep_stage(&mut self) -> Result<(&mut Sweep, &ndarray::Array2<f32>, usize), JsError> {
        let test = self.test.ready();
        (self.analysis.as_mut())
            .and_then(|run| run.analysis.sweep(test))
            .ok_or_else(|| JsError::new("the sweep has not started"))
    }

    fn pool_run(&self) -> Result<&Trainer, JsError> {
        self.run
            .as_ref()
            .ok_or_else(|| JsError::new("no training run"))
    }
}

/// A helper worker's side of one run: the examples the run trains on, and a model that takes
/// the lead's weights for each batch and gives back one part's gradient.
#[wasm_bindgen]
pub struct GradientWorker {
    model: Autoencoder<f32>,
    data: Dataset,
    squared_error: f64,
}

#[wasm_bindgen]
impl GradientWorker {
    /// For the model `pixels` → `latent` → `pixels` (with or without biases), trained on
    /// `training_pixels` (`poolTrainingPixels`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        pixels: usize,
        latent: usize,
        biases: bool,
        training_pixels: Vec<u8>,
    ) -> Result<GradientWorker, JsError> {
        Ok(GradientWorker {
            // The values are overwritten by each batch's weights.
            model: Autoencoder::init(pixels, latent, biases, 0),
            data: images(pixels, training_pixels, "the training images")?,
            squared_error: f64::NAN,
        })
    }

    /// The gradient (flat, `poolWeights` order) of the examples `rows` as a part of a batch of
    /// `batch_rows` examples, with the weights `weights`; `squaredError` then holds the part's
    /// squared error.
    pub fn gradient(
        &mut self,
        weights: &[f32],
        rows: &[u32],
        batch_rows: usize,
    ) -> Result<Vec<f32>, JsError> {
        set_weights(&mut self.model, weights)?;
        let rows: Vec<usize> = rows.iter().map(|&row| row as usize).collect();
        if let Some(&bad) = rows.iter().find(|&&row| row >= self.data.len()) {
            return Err(JsError::new(&format!(
                "example {bad} asked for, of {}",
                self.data.len()
            )));
        }
        let part = GradientPart::of(&self.model, &self.data, &rows, batch_rows);
        self.squared_error = part.squared_error;
        Ok(part.gradients.to_flat())
    }

    #[wasm_bindgen(getter, js_name = squaredError)]
    pub fn squared_error(&self) -> f64 {
        self.squared_error
    }
}

/// A helper worker's copy of the sweep: built from the same model, Fisher, cutoffs, baselines and
/// test images as the lead's, it scores the orders the lead hands it, bit for bit as the lead
/// would.
#[wasm_bindgen]
pub struct SweepWorker {
    sweep: Sweep,
}

#[wasm_bindgen]
impl SweepWorker {
    /// `shape` is `Session.sweepShape()`; the arrays are the lead's `trainedWeights`,
    /// `sweepFisher`, `sweepCutoffs` and `sweepTestPixels`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        shape: JsValue,
        weights: &[f32],
        fisher: Vec<f32>,
        cutoffs: Vec<f32>,
        test_pixels: Vec<u8>,
    ) -> Result<SweepWorker, JsError> {
        let shape: SweepShape = from_js(shape)?;
        let n = shape.pixels_per_image;
        let model = model_with(n, shape.latent, shape.biases, weights)?;
        let fisher = ndarray::Array2::from_shape_vec((shape.latent, n), fisher)
            .map_err(|e| JsError::new(&format!("the Fisher values: {e}")))?;
        let test = images(n, test_pixels, "the test images")?;
        Ok(SweepWorker {
            sweep: Sweep::new(&model, &fisher, cutoffs, &shape.baselines, &test),
        })
    }

    /// Order `order`'s test MSE at every cutoff.
    #[wasm_bindgen(js_name = scoreOrder)]
    pub fn score_order(&mut self, order: usize) -> Result<Vec<f64>, JsError> {
        let cutoffs = self.sweep.cutoff_count();
        check_order(&self.sweep, order, cutoffs)?;
        Ok(self.sweep.score_order(order, 0..cutoffs))
    }
}

/// A helper worker's share of the Fisher: an identical accumulator over some of its examples,
/// giving each batch's terms for the lead to add in order.
#[wasm_bindgen]
pub struct FisherWorker {
    accumulator: FisherAccumulator<f32>,
    data: Dataset,
}

#[wasm_bindgen]
impl FisherWorker {
    /// `plan` is `Session.fisherPlan()`; `weights` the lead's `trainedWeights`; `pixels` its
    /// `fisherPixels` for this helper's examples, which start at a batch boundary.
    #[wasm_bindgen(constructor)]
    pub fn new(plan: JsValue, weights: &[f32], pixels: Vec<u8>) -> Result<FisherWorker, JsError> {
        let plan: FisherPlan = from_js(plan)?;
        let n = plan.pixels_per_image;
        let model = model_with(n, plan.latent, plan.biases, weights)?;
        Ok(FisherWorker {
            accumulator: FisherAccumulator::new(&model, plan.variant),
            data: images(n, pixels, "the Fisher's images")?,
        })
    }

    /// Every batch's terms (`FisherTerms::to_flat`), one batch after another, in batches of
    /// `FISHER_BATCH` examples.
    pub fn terms(&mut self) -> Vec<f32> {
        let mut flat = Vec::new();
        for start in (0..self.data.len()).step_by(FISHER_BATCH) {
            let end = (start + FISHER_BATCH).min(self.data.len());
            flat.extend(
                self.accumulator
                    .examples_terms(&self.data, start..end)
                    .to_flat(),
            );
        }
        flat
    }
}

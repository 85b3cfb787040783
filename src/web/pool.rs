//! Training on a pool of workers (www/pool.js). The lead worker's `Session` splits each batch
//! into parts and computes the first. Helper workers (www/helper.js) compute the others with a
//! `GradientWorker`, from the weights and the part's pixels. The lead sums the parts in order
//! (`Trainer::train_batch_from_parts`), so a run is the same for the same pool size, and a pool of
//! one is the single-worker run bit for bit.

use wasm_bindgen::prelude::*;

use super::session::{js_error, Session};
use crate::data::Dataset;
use crate::model::{Autoencoder, Gradients};
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
        Ok(self.pool_run()?.next_batch_parts(1).concat().len())
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

impl Session {
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
        if pixels == 0 || training_pixels.len() % pixels != 0 {
            return Err(JsError::new(&format!(
                "{} bytes of training data are not whole images of {pixels} pixels",
                training_pixels.len()
            )));
        }
        let count = training_pixels.len() / pixels;
        Ok(GradientWorker {
            // The values are overwritten by each batch's weights.
            model: Autoencoder::init(pixels, latent, biases, 0),
            // One row of n pixels per example: the images' own shape does not matter here.
            data: Dataset::new(1, pixels, vec![0; count], training_pixels),
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
        self.model.set_parameters(weights).ok_or_else(|| {
            JsError::new(&format!(
                "{} weights sent for a model of {}",
                weights.len(),
                self.model.parameter_count()
            ))
        })?;
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

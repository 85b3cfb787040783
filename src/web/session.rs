//! `Session`: what the worker drives. It holds one dataset as its shards arrive, trains on it
//! step by step, and keeps the last completed model. Errors become JS `Error`s whose message
//! says what and where (the core's texts name the shard, byte offset, epoch and batch).

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::{from_js, to_js};
use crate::data::assembly::ShardedSplit;
use crate::data::manifest::{Manifest, Split};
use crate::data::shard::sha256_hex;
use crate::data::stats::SplitSummary;
use crate::model::Autoencoder;
use crate::prune::dataset_mse;
use crate::report::ModelSource;
use crate::train::{Progress, TrainConfig, Trainer};
use crate::weights::to_safetensors;

/// Examples per forward pass when scoring the test split.
pub(super) const EVAL_BATCH: usize = 1000;

/// One shard the worker should fetch, in the order to fetch them.
#[derive(Serialize)]
struct ShardToFetch<'a> {
    split: &'static str,
    file: &'a str,
    bytes: usize,
    count: usize,
    /// The page caches a shard under its checksum, so a changed manifest misses the cache.
    sha256: &'a str,
}

#[derive(Serialize)]
struct DatasetSummary<'a> {
    dataset: &'a str,
    name: &'a str,
    credit: &'a str,
    licence: &'a str,
    train: SplitSummary,
    test: SplitSummary,
}

/// The page's training controls (www/state.js), as the worker sends them.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunSettings {
    pub latent: usize,
    pub biases: bool,
    pub epochs: usize,
    pub batch: usize,
    pub lr: f32,
    pub seed: u64,
    pub subset: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunPlan {
    examples: usize,
    batches_per_epoch: usize,
    epochs: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StepReport {
    /// Epoch in progress, 0-based (equals `epochs` when finished).
    epoch: usize,
    /// Batches done in that epoch.
    batch: usize,
    examples_seen: u64,
    /// Mean train MSE of the current epoch so far (NaN right after an epoch ends).
    running_loss: f64,
    /// Losses of the batches trained since the previous report.
    batch_losses: Vec<f64>,
    /// Mean train MSE of the epoch this step completed, if it completed one.
    epoch_train_mse: Option<f64>,
    finished: bool,
}

/// The model the renormalization works on: the last run that finished, or imported weights.
pub(super) struct Trained {
    pub model: Autoencoder<f32>,
    pub source: ModelSource,
    pub seconds: f64,
}

#[wasm_bindgen]
pub struct Session {
    pub(super) manifest: Manifest,
    pub(super) train: ShardedSplit,
    pub(super) test: ShardedSplit,
    /// The run in progress, or the one that stopped with an error (holding its last good weights).
    pub(super) run: Option<Trainer>,
    /// Batch losses of `run` already handed to the page.
    reported_batches: usize,
    pub(super) trained: Option<Trained>,
    /// The analysis in progress or finished (web/renorm.rs), with its timings.
    pub(super) analysis: Option<super::renorm::AnalysisRun>,
    /// "Beyond the paper" (web/beyond.rs): the job running, and the finished results.
    pub(super) beyond: Option<super::beyond::BeyondRun>,
    pub(super) eigen: Option<(crate::eigen::EigenSummary, crate::eigen::EigenShells)>,
    pub(super) fine_tune: Option<crate::report::FineTuneSummary>,
    pub(super) soft_flow: Option<crate::report::SoftFlowSummary>,
    /// The lead's part of the batch a pool of workers is training (web/pool.rs).
    pub(super) own_part: Option<crate::train::GradientPart>,
}

fn split_named(split: &str) -> Result<Split, JsError> {
    Split::ALL
        .into_iter()
        .find(|s| s.name() == split)
        .ok_or_else(|| JsError::new(&format!("unknown split '{split}'")))
}

pub(super) fn js_error(error: impl std::fmt::Display) -> JsError {
    JsError::new(&error.to_string())
}

#[wasm_bindgen]
impl Session {
    /// Starts from a dataset's `manifest.json` text; `source` names it in errors.
    #[wasm_bindgen(constructor)]
    pub fn new(manifest_json: &str, source: &str) -> Result<Session, JsError> {
        let manifest = Manifest::from_json(manifest_json)
            .map_err(|e| JsError::new(&format!("{source}: not a valid manifest: {e}")))?;
        let counts = |split| manifest.shards(split).iter().map(|s| s.count).collect();
        Ok(Session {
            train: ShardedSplit::new(counts(Split::Train)),
            test: ShardedSplit::new(counts(Split::Test)),
            manifest,
            run: None,
            reported_batches: 0,
            trained: None,
            analysis: None,
            beyond: None,
            eigen: None,
            fine_tune: None,
            soft_flow: None,
            own_part: None,
        })
    }

    /// The shards to fetch, `[{split, file, bytes, count}]`: the test split first, since every
    /// epoch ends by scoring it, then the training shards in order.
    #[wasm_bindgen(js_name = shardsToFetch)]
    pub fn shards_to_fetch(&self) -> Result<JsValue, JsError> {
        let list: Vec<ShardToFetch> = [Split::Test, Split::Train]
            .into_iter()
            .flat_map(|split| {
                self.manifest
                    .shards(split)
                    .iter()
                    .map(move |entry| ShardToFetch {
                        split: split.name(),
                        file: &entry.file,
                        bytes: entry.bytes,
                        count: entry.count,
                        sha256: &entry.sha256,
                    })
            })
            .collect();
        to_js(&list)
    }

    /// Validates one downloaded shard against the manifest (checksum, header, count) and files
    /// it at its manifest position. Returns the number of examples it held.
    #[wasm_bindgen(js_name = addShard)]
    pub fn add_shard(&mut self, split: &str, file: &str, bytes: &[u8]) -> Result<usize, JsError> {
        let split = split_named(split)?;
        let entries = self.manifest.shards(split);
        let index = entries
            .iter()
            .position(|entry| entry.file == file)
            .ok_or_else(|| JsError::new(&format!("shard {file} is not in the manifest")))?;
        let data = entries[index].decode(bytes).map_err(js_error)?;
        let count = data.len();
        match split {
            Split::Train => self.train.insert(index, data),
            Split::Test => self.test.insert(index, data),
        }
        Ok(count)
    }

    /// Counts, label histograms and pixel statistics of both splits as loaded so far.
    pub fn summary(&self) -> Result<JsValue, JsError> {
        let m = &self.manifest;
        to_js(&DatasetSummary {
            dataset: &m.dataset,
            name: &m.name,
            credit: &m.credit,
            licence: &m.licence,
            train: self.train.stats().summary(),
            test: self.test.stats().summary(),
        })
    }

    /// Training examples available as an unbroken prefix of the training split.
    #[wasm_bindgen(js_name = trainExamplesReady)]
    pub fn train_examples_ready(&self) -> usize {
        self.train.ready().len()
    }

    #[wasm_bindgen(js_name = testSplitReady)]
    pub fn test_split_ready(&self) -> bool {
        self.test.is_complete()
    }

    /// Starts a new run on the first `subset` training examples (replacing any unfinished run;
    /// the last finished model is kept until this one finishes). Returns
    /// `{examples, batchesPerEpoch, epochs}`.
    #[wasm_bindgen(js_name = startTraining)]
    pub fn start_training(&mut self, settings: JsValue) -> Result<JsValue, JsError> {
        let s: RunSettings = from_js(settings)?;
        let available = self.train.expected_len();
        if s.subset == 0 || s.subset > available {
            return Err(JsError::new(&format!(
                "the training subset must be 1 to {available} examples, not {}",
                s.subset
            )));
        }
        if self.train.ready().len() < s.subset || !self.test.is_complete() {
            return Err(JsError::new(
                "the shards for this run have not all arrived yet",
            ));
        }
        let config = TrainConfig::with_lr(s.epochs, s.batch, s.lr, s.seed);
        let data = self.train.ready().first(s.subset);
        self.run = None;
        let trainer = Trainer::from_seed(data, s.latent, s.biases, config).map_err(js_error)?;
        let plan = RunPlan {
            examples: s.subset,
            batches_per_epoch: trainer.batches_per_epoch(),
            epochs: s.epochs,
        };
        self.run = Some(trainer);
        self.reported_batches = 0;
        self.own_part = None;
        to_js(&plan)
    }

    /// Trains up to `max_batches` more batches, stopping early at the end of an epoch so that
    /// `testMse` scores the model as it is then.
    #[wasm_bindgen(js_name = trainStep)]
    pub fn train_step(&mut self, max_batches: usize) -> Result<JsValue, JsError> {
        let run = self
            .run
            .as_mut()
            .ok_or_else(|| JsError::new("no training run"))?;
        let epochs_before = run.epochs_completed();
        let progress = run.step_within_epoch(max_batches).map_err(js_error)?;
        self.step_report(progress, epochs_before)
    }

    /// MSE of the current run's model over the whole test split (`reproduce`'s test MSE).
    #[wasm_bindgen(js_name = testMse)]
    pub fn test_mse(&self) -> Result<f64, JsError> {
        let model = self.current_model()?;
        Ok(dataset_mse(model, self.test.ready(), EVAL_BATCH))
    }

    /// Ends a finished run, which took `seconds`: its model becomes the session's trained model.
    #[wasm_bindgen(js_name = finishTraining)]
    pub fn finish_training(&mut self, seconds: f64) -> Result<(), JsError> {
        match self.run.take() {
            Some(run) if run.is_finished() => {
                let source = ModelSource::Trained {
                    config: *run.config(),
                    examples: run.data().len(),
                    epoch_losses: run.progress().epoch_losses,
                };
                self.trained = Some(Trained {
                    model: run.into_parts().0,
                    source,
                    seconds,
                });
                self.clear_analysis();
                Ok(())
            }
            other => {
                self.run = other;
                Err(JsError::new("the run has not finished"))
            }
        }
    }

    /// Drops the unfinished run; the last finished model stays.
    #[wasm_bindgen(js_name = cancelTraining)]
    pub fn cancel_training(&mut self) {
        self.run = None;
    }

    /// SHA-256 of the weights as `#export-weights` would save them (safetensors): equal digests
    /// mean bit-identical weights. Of the current run's model, else of the trained one.
    #[wasm_bindgen(js_name = weightsDigest)]
    pub fn weights_digest(&self) -> Result<String, JsError> {
        let bytes = to_safetensors(self.current_model()?).map_err(js_error)?;
        Ok(sha256_hex(&bytes))
    }
}

impl Session {
    /// What `trainStep` returns after training from `epochs_before` completed epochs to
    /// `progress`: the batch losses not yet reported, and the epoch's loss if one ended.
    pub(super) fn step_report(
        &mut self,
        progress: Progress,
        epochs_before: usize,
    ) -> Result<JsValue, JsError> {
        let run = self
            .run
            .as_ref()
            .ok_or_else(|| JsError::new("no training run"))?;
        let losses = &run.batch_losses()[self.reported_batches..];
        self.reported_batches += losses.len();
        let epoch_ended = progress.epoch_losses.len() > epochs_before;
        to_js(&StepReport {
            epoch: progress.epoch,
            batch: progress.batch,
            examples_seen: progress.examples_seen,
            running_loss: progress.running_loss,
            batch_losses: losses.to_vec(),
            epoch_train_mse: if epoch_ended {
                progress.epoch_losses.last().copied()
            } else {
                None
            },
            finished: progress.finished,
        })
    }

    fn current_model(&self) -> Result<&Autoencoder<f32>, JsError> {
        self.run
            .as_ref()
            .map(Trainer::model)
            .or(self.trained.as_ref().map(|t| &t.model))
            .ok_or_else(|| JsError::new("no model has been trained yet"))
    }

    /// Forgets the analysis and everything built on it (a new model makes them stale).
    pub(super) fn clear_analysis(&mut self) {
        self.analysis = None;
        self.beyond = None;
        self.eigen = None;
        self.fine_tune = None;
        self.soft_flow = None;
    }

    pub(super) fn trained(&self) -> Result<&Trained, JsError> {
        (self.trained.as_ref())
            .ok_or_else(|| JsError::new("no model has been trained or imported yet"))
    }
}

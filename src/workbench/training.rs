//! The training job: a fresh model trained batch by batch, the test split scored at every
//! epoch's end. With a pool, each batch is split into parts (`Trainer::next_batch_parts`): the
//! lead computes the first, the helpers the others, and the parts are summed in order, so a pool
//! size always gives the same weights (one part is the single-thread run, bit for bit).

use super::clock::{Slot, Stopwatch};
use super::error::WorkbenchError;
use super::progress::{EpochRecord, JobKind, Progress, Stage, TrainingStatus};
use super::settings::Settings;
use super::trained::{ModelRecord, ModelSource, TrainedModel};
use crate::data::run_data::RunData;
use crate::network::{classifier_init, GradientPart, ModelKind, Score};
use crate::pool::{gradient_task, Share, TaskResult};
use crate::train::Trainer;

pub struct TrainJob {
    trainer: Trainer,
    /// The run's number: a helper keeps the run's images under it.
    run: u64,
    /// Batch losses and epochs already reported.
    reported_batches: usize,
    reported_epochs: usize,
    /// The last epoch's test score: the finished model's.
    last_test: Option<Score>,
    /// The run's seconds when the current epoch began.
    epoch_started: f64,
    /// Seconds spent scoring the test split at the epochs' ends, which examples/s leave out.
    scoring: f64,
    epoch_scoring_started: f64,
    /// Parts per batch, once a pool shared the first: every later batch is split the same way.
    parts: Option<usize>,
    /// The batch out with the helpers.
    round: Option<GradientRound>,
}

struct GradientRound {
    /// The examples of each part, the lead's first.
    rows: Vec<Vec<usize>>,
    /// The helpers get the run's images with its first batch.
    with_images: bool,
    own: Option<GradientPart>,
    results: Vec<Option<GradientPart>>,
}

impl GradientRound {
    fn batch_rows(&self) -> usize {
        self.rows.iter().map(Vec::len).sum()
    }
}

/// The training images a run of `settings` trains on: the first `subset`, or all of them when
/// there are fewer (as the sweep's `eval` does; the page's default of 60,000 means all of a
/// smaller data set).
pub fn training_subset(settings: &Settings, data: &RunData) -> Result<usize, WorkbenchError> {
    let available = data.train_expected();
    let subset = settings.subset.unwrap_or(available).min(available);
    if subset == 0 {
        return Err(WorkbenchError::Data(
            "there are no training examples to train on".to_string(),
        ));
    }
    Ok(subset)
}

impl TrainJob {
    /// Run number `run` of `settings` on `data`, whose shards for it have arrived.
    pub fn begin(
        settings: &Settings,
        data: &RunData,
        watch: &mut Stopwatch,
        run: u64,
    ) -> Result<TrainJob, WorkbenchError> {
        let s = settings;
        let examples = data.train().first(training_subset(settings, data)?);
        let trainer = match s.model {
            ModelKind::Autoencoder => {
                Trainer::from_seed(examples, s.latent, s.biases, s.train_config())?
            }
            ModelKind::Classifier => {
                let model =
                    classifier_init(examples.input_dim(), &s.hidden, data.classes(), s.seed);
                Trainer::new(model, s.train_config(), examples)?
            }
        };
        watch.seconds.train = 0.0;
        Ok(TrainJob {
            trainer,
            run,
            reported_batches: 0,
            reported_epochs: 0,
            last_test: None,
            epoch_started: 0.0,
            scoring: 0.0,
            epoch_scoring_started: 0.0,
            parts: None,
            round: None,
        })
    }

    /// Trains until `deadline`, the end of an epoch, or (with a pool) the lead's part of the
    /// batch out with the helpers. `finished` says when the model is ready for `finish`.
    pub fn step(
        &mut self,
        data: &RunData,
        watch: &mut Stopwatch,
        deadline: f64,
    ) -> Result<Progress, WorkbenchError> {
        let mut epoch = None;
        let mut awaiting_helpers = false;
        loop {
            if epoch.is_none() {
                epoch = self.ended_epoch(data, watch);
            }
            if self.trainer.is_finished() && self.reported_epochs == self.trainer.epochs_completed()
            {
                let mut progress = self.progress(watch);
                progress.epoch = epoch;
                progress.finished = Some(JobKind::Train);
                return Ok(progress);
            }
            if self.round.is_none() && epoch.is_some() {
                break;
            }
            if let Some(round) = self.round.as_mut() {
                let mut now = watch.now();
                if round.own.is_none() {
                    let trainer = &self.trainer;
                    let (model, examples) = (trainer.model(), trainer.data());
                    let own = model.gradient_part(examples, &round.rows[0], round.batch_rows());
                    round.own = Some(own);
                    now = watch.lap(Some(Slot::Train));
                }
                if epoch.is_none() && now < deadline {
                    // The chunk goes on once the helpers answer: nothing to show yet.
                    let mut quiet = Progress::new(Some(JobKind::Train), Stage::Training, 0, 0);
                    (quiet.awaiting_helpers, quiet.report) = (true, false);
                    return Ok(quiet);
                }
                awaiting_helpers = true;
                break;
            }
            if self.parts.is_some() {
                // A pool trains this run: the next batch waits for `share_next_batch`.
                break;
            }
            self.trainer.step_within_epoch(1)?;
            if watch.lap(Some(Slot::Train)) >= deadline {
                break;
            }
        }
        let mut progress = self.progress(watch);
        progress.epoch = epoch;
        progress.awaiting_helpers = awaiting_helpers;
        Ok(progress)
    }

    /// The epoch that has ended since the last report, scored on the test split.
    fn ended_epoch(&mut self, data: &RunData, watch: &mut Stopwatch) -> Option<EpochRecord> {
        let losses = self.trainer.progress().epoch_losses;
        let train_loss = *losses.get(self.reported_epochs)?;
        let before = watch.lap(Some(Slot::Train));
        let test = self.trainer.model().score(data.test());
        self.scoring += watch.lap(Some(Slot::Train)) - before;
        let seconds = watch.seconds.train - self.epoch_started;
        let training = seconds - (self.scoring - self.epoch_scoring_started);
        let record = EpochRecord {
            epoch: self.reported_epochs,
            train_loss,
            test_loss: test.loss,
            test_accuracy: test.accuracy,
            seconds,
            examples_per_second: self.trainer.data().len() as f64 / training.max(f64::MIN_POSITIVE),
        };
        self.reported_epochs += 1;
        self.epoch_started = watch.seconds.train;
        self.epoch_scoring_started = self.scoring;
        self.last_test = Some(test);
        Some(record)
    }

    fn progress(&mut self, watch: &Stopwatch) -> Progress {
        let p = self.trainer.progress();
        let examples_total = (self.trainer.data().len() * p.epochs) as u64;
        let losses = &self.trainer.batch_losses()[self.reported_batches..];
        self.reported_batches += losses.len();
        let per_second = p.examples_seen as f64 / self.training_seconds(watch);
        let mut progress = Progress::new(
            Some(JobKind::Train),
            Stage::Training,
            p.examples_seen as usize,
            examples_total as usize,
        );
        progress.training = Some(TrainingStatus {
            epoch: p.epoch,
            epochs: p.epochs,
            batch: p.batch,
            batches_per_epoch: p.batches_per_epoch,
            examples_seen: p.examples_seen,
            examples_total,
            running_loss: p.running_loss,
            batch_losses: losses.to_vec(),
            examples_per_second: per_second,
            eta_seconds: examples_total.saturating_sub(p.examples_seen) as f64 / per_second,
        });
        progress
    }

    /// Seconds of training proper: the run's, less the scoring of the test split.
    fn training_seconds(&self, watch: &Stopwatch) -> f64 {
        (watch.seconds.train - self.scoring).max(f64::MIN_POSITIVE)
    }

    /// The trained model and its record.
    pub fn finish(self, data: &RunData, watch: &Stopwatch) -> TrainedModel {
        let seconds = watch.seconds.train;
        let training = self.training_seconds(watch);
        let p = self.trainer.progress();
        let test = (self.last_test).unwrap_or_else(|| self.trainer.model().score(data.test()));
        let record = ModelRecord {
            source: ModelSource::Trained {
                config: *self.trainer.config(),
                examples: self.trainer.data().len(),
                epoch_losses: p.epoch_losses,
            },
            test: Some(test),
            seconds,
            examples_per_second: p.examples_seen as f64 / training,
            parts: self.parts.unwrap_or(1),
        };
        let model = self.trainer.into_parts().0;
        TrainedModel { model, record }
    }

    /// Splits the next batch among the lead and `helpers` helpers; false when there is none to
    /// split now. Only the autoencoder is shared: the helpers' tasks carry no labels.
    pub fn share_next_batch(&mut self, helpers: usize) -> Result<bool, WorkbenchError> {
        let autoencoder = self.trainer.model().autoencoder().is_some();
        if self.round.is_some() || self.trainer.is_finished() || !autoencoder {
            return Ok(false);
        }
        let parts = *self.parts.get_or_insert(helpers + 1);
        if parts != helpers + 1 {
            return Err(WorkbenchError::Pool(format!(
                "this run splits its batches in {parts} parts; a pool of {} workers cannot continue it",
                helpers + 1
            )));
        }
        let rows = (self.trainer.next_batch_parts(parts).into_iter())
            .map(<[usize]>::to_vec)
            .collect();
        self.round = Some(GradientRound {
            rows,
            with_images: self.trainer.batch_losses().is_empty(),
            own: None,
            results: vec![None; helpers],
        });
        Ok(true)
    }

    /// The helpers' parts of the batch just shared.
    pub fn tasks(&self) -> Vec<Share<'_>> {
        let Some(round) = &self.round else {
            return Vec::new();
        };
        let images = round.with_images.then(|| self.trainer.data());
        let Some(model) = self.trainer.model().autoencoder() else {
            return Vec::new();
        };
        (round.rows[1..].iter())
            .map(|rows| gradient_task(self.run, model, rows, round.batch_rows(), images))
            .collect()
    }

    /// A helper's part; once every part is in, the batch is trained.
    pub fn accept(&mut self, helper: usize, bytes: &[u8]) -> Result<(), WorkbenchError> {
        let round = (self.round.as_mut())
            .ok_or_else(|| WorkbenchError::Pool("a gradient arrived with no batch out".into()))?;
        let slot = round.results.get_mut(helper).ok_or_else(|| {
            WorkbenchError::Pool(format!("a result from helper {helper}, which has no part"))
        })?;
        let TaskResult::Gradient(part) = TaskResult::decode(bytes, self.trainer.model())? else {
            return Err(WorkbenchError::Pool(
                "a helper answered a gradient task with another kind of result".into(),
            ));
        };
        *slot = Some(*part);
        if !round.results.iter().all(Option::is_some) {
            return Ok(());
        }
        let round = self.round.take().expect("checked just above");
        let trainer = &self.trainer;
        let batch_rows = round.batch_rows();
        let own = (round.own).unwrap_or_else(|| {
            (trainer.model()).gradient_part(trainer.data(), &round.rows[0], batch_rows)
        });
        let parts = std::iter::once(own)
            .chain(round.results.into_iter().flatten())
            .collect();
        self.trainer.train_batch_from_parts(parts)?;
        Ok(())
    }
}

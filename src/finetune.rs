//! Fine-tuning after pruning (SPEC.md "Fine-tuning after pruning"): does the subnetwork a scheme
//! keeps recover when it is trained again? At each chosen fraction of encoder weights removed,
//! every scheme removes the same count; the kept weights train for a few more epochs with the
//! removed ones held at exactly zero (fresh Adam, the usual seeded shuffles), and the test loss
//! (the MSE, or the classifier's cross-entropy, with its accuracy) is taken before and after. Runs in steps, so the page can report progress and stop.

use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::network::Score;
use crate::prune::{Scheme, Shells};
use crate::train::{TrainConfig, TrainError, Trainer};

/// The schemes fine-tuned, in report order (random uses the sweep's first seed).
pub const SCHEMES: [(Scheme, &str); 4] = [
    (Scheme::Fisher, "fisher"),
    (Scheme::Random, "random"),
    (Scheme::Magnitude, "magnitude"),
    (Scheme::Saliency, "saliency"),
];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FineTuneConfig {
    /// Fractions of the encoder's weights removed, each in [0, 1].
    pub fractions: Vec<f64>,
    /// Batch size, learning rate and seed of the retraining; `epochs` is how long it runs.
    pub train: TrainConfig,
}

impl FineTuneConfig {
    /// The points: 60 %, 75 % and 90 % removed, one epoch with the paper's settings.
    pub fn default_points(train: TrainConfig) -> Self {
        FineTuneConfig {
            fractions: vec![0.6, 0.75, 0.9],
            train: TrainConfig { epochs: 1, ..train },
        }
    }
}

/// Test MSE before and after retraining the kept weights, per scheme, at equal counts.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FineTuneSummary {
    pub epochs: usize,
    /// The unpruned model trained the same number of epochs more.
    pub continued: FineTuned,
    pub points: Vec<FineTunePoint>,
}

/// One scheme at one point: the test loss right after pruning, and after fine-tuning; the
/// classifier's accuracies beside them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FineTuned {
    pub scheme: String,
    pub before: f64,
    pub after: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before_accuracy: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after_accuracy: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FineTunePoint {
    pub fraction: f64,
    pub removed: usize,
    pub schemes: Vec<FineTuned>,
}

/// Where a fine-tuning run stands: `done` of `total` jobs (the unpruned reference, then each
/// (point, scheme) pair).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FineTuneProgress {
    pub done: usize,
    pub total: usize,
}

/// The job being retrained: the unpruned reference (`point` None), or a (point, scheme) pair.
struct Job {
    point: Option<usize>,
    scheme: usize,
    before: Score,
    trainer: Trainer,
}

pub struct FineTuning {
    shells: Shells,
    config: FineTuneConfig,
    /// The training set, lent to each job's trainer in turn.
    train: Option<Dataset>,
    job: Option<Job>,
    next: usize,
    points: Vec<FineTunePoint>,
    /// The unpruned model trained as long: what "recovery" is measured against.
    continued: Option<FineTuned>,
}

impl FineTuning {
    /// Fine-tunes `shells`' model, pruned by each of its orders, on `train`, scored on `test`
    /// at every step that finishes a job.
    pub fn new(shells: Shells, config: FineTuneConfig, train: Dataset) -> Self {
        let total = shells.model().first_layer().len();
        let points = (config.fractions.iter())
            .map(|&fraction| FineTunePoint {
                fraction,
                removed: (fraction.clamp(0.0, 1.0) * total as f64).round() as usize,
                schemes: Vec::new(),
            })
            .collect();
        FineTuning {
            shells,
            config,
            train: Some(train),
            job: None,
            next: 0,
            points,
            continued: None,
        }
    }

    pub fn total(&self) -> usize {
        1 + self.points.len() * SCHEMES.len()
    }

    pub fn is_done(&self) -> bool {
        self.next == self.total() && self.job.is_none()
    }

    /// Trains up to `batches` more batches of the current job (starting the next one when none
    /// runs), scoring it on `test` when it finishes.
    pub fn step(&mut self, batches: usize, test: &Dataset) -> Result<FineTuneProgress, TrainError> {
        if self.job.is_none() && self.next < self.total() {
            self.job = Some(self.start_job(self.next, test)?);
            self.next += 1;
        }
        if let Some(job) = self.job.as_mut() {
            job.trainer.step(batches)?;
            if job.trainer.is_finished() {
                let job = self.job.take().expect("a job runs");
                let (model, train) = job.trainer.into_parts();
                self.train = Some(train);
                let after = model.score(test);
                let result = FineTuned {
                    scheme: match job.point {
                        Some(_) => SCHEMES[job.scheme].1.to_string(),
                        None => "unpruned".to_string(),
                    },
                    before: job.before.loss,
                    after: after.loss,
                    before_accuracy: job.before.accuracy,
                    after_accuracy: after.accuracy,
                };
                match job.point {
                    Some(point) => self.points[point].schemes.push(result),
                    None => self.continued = Some(result),
                }
            }
        }
        Ok(FineTuneProgress {
            done: self.next - usize::from(self.job.is_some()),
            total: self.total(),
        })
    }

    /// Runs every remaining job: the points, and the unpruned model trained as long.
    pub fn run(mut self, test: &Dataset) -> Result<(Vec<FineTunePoint>, FineTuned), TrainError> {
        while !self.is_done() {
            self.step(usize::MAX, test)?;
        }
        Ok(self.into_results())
    }

    pub fn points(&self) -> &[FineTunePoint] {
        &self.points
    }

    /// Epochs each job retrains.
    pub fn epochs(&self) -> usize {
        self.config.train.epochs
    }

    /// The points and the unpruned reference (NaN until its job has run).
    pub fn into_results(self) -> (Vec<FineTunePoint>, FineTuned) {
        let continued = self.continued.unwrap_or(FineTuned {
            scheme: "unpruned".into(),
            before: f64::NAN,
            after: f64::NAN,
            before_accuracy: None,
            after_accuracy: None,
        });
        (self.points, continued)
    }

    /// Everything it found, as reported.
    pub fn into_summary(self) -> FineTuneSummary {
        let epochs = self.epochs();
        let (points, continued) = self.into_results();
        FineTuneSummary {
            epochs,
            continued,
            points,
        }
    }

    pub fn continued(&self) -> Option<&FineTuned> {
        self.continued.as_ref()
    }

    fn start_job(&mut self, index: usize, test: &Dataset) -> Result<Job, TrainError> {
        // Job 0 removes nothing; then point by point, scheme by scheme.
        let (point, scheme) = match index {
            0 => (None, 0),
            _ => (
                Some((index - 1) / SCHEMES.len()),
                (index - 1) % SCHEMES.len(),
            ),
        };
        let removed = point.map_or(0, |p| self.points[p].removed);
        let pruned = self.shells.pruned(SCHEMES[scheme].0, removed);
        let before = pruned.score(test);
        let indices = self.shells.removed_indices(SCHEMES[scheme].0, removed);
        let train = self.train.take().expect("no job holds the training set");
        let trainer = Trainer::fine_tune(pruned, indices, self.config.train, train)?;
        Ok(Job {
            point,
            scheme,
            before,
            trainer,
        })
    }
}

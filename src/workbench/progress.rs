//! What a step of the workbench reports: `reproduce` prints it, the page's worker posts it as
//! it is and the page shows it.

use serde::{Deserialize, Serialize};

use crate::sweep::SweepRow;

/// The jobs a workbench runs, in the order they build on each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum JobKind {
    /// Trains a fresh model.
    Train,
    /// The diagonal Fisher, then the sweep over the cutoff Λ and its knee Λ*.
    Analyse,
    /// The Fisher eigen-shells of the analysed model.
    Eigen,
    /// Fine-tuning after pruning.
    FineTune,
    /// The soft RG flow's curve.
    SoftFlow,
}

/// What the workbench is doing; `done` of `total` counts its units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// No job: everything asked for has finished.
    Idle,
    /// A job waits for shards: `done` training images are here of the `total` it needs (and
    /// the whole test split).
    Waiting,
    /// Examples trained, of every epoch's.
    Training,
    /// Examples in the Fisher so far.
    Fisher,
    /// Cutoffs of the sweep scored.
    Sweep,
    /// Examples summed into the eigen-shells' blocks.
    Blocks,
    /// Encoder rows decomposed.
    Decompose,
    /// Counts of the eigen-shells' sweep scored.
    EigenSweep,
    /// Bisection steps towards the eigen-shells' 1 % crossing.
    Refine,
    /// Retrainings finished.
    FineTune,
    /// Evidence levels of the soft flow done.
    SoftFlow,
}

/// A training run's state after a step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrainingStatus {
    /// Epoch in progress, 0-based (`epochs` once finished).
    pub epoch: usize,
    pub epochs: usize,
    /// Batches done in that epoch.
    pub batch: usize,
    pub batches_per_epoch: usize,
    pub examples_seen: u64,
    /// Examples in the whole run: the training images times the epochs.
    pub examples_total: u64,
    /// Mean train MSE of the epoch so far (NaN right after an epoch ends).
    pub running_loss: f64,
    /// Losses of the batches trained since the previous step's report.
    pub batch_losses: Vec<f64>,
    pub examples_per_second: f64,
    pub eta_seconds: f64,
}

/// One finished epoch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EpochRecord {
    /// 0-based.
    pub epoch: usize,
    /// Mean training loss (MSE, or cross-entropy) over the epoch's batches.
    pub train_loss: f64,
    /// The loss over the whole test split, at the epoch's end.
    pub test_loss: f64,
    /// The classifier's accuracy on the whole test split, at the epoch's end.
    pub test_accuracy: Option<f64>,
    /// The epoch's seconds, scoring included.
    pub seconds: f64,
    /// Training images per second of training proper.
    pub examples_per_second: f64,
}

/// Where the workbench stands after a step. A step stops early at an epoch's end, when a job
/// finishes, when data is missing, and when helpers must answer first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Progress {
    /// The job the step worked on.
    pub job: Option<JobKind>,
    pub stage: Stage,
    pub done: usize,
    pub total: usize,
    /// The lead's share is done: `accept` the helpers' results, then step on.
    pub awaiting_helpers: bool,
    /// Whether to show this step: false for a step that stopped only for the helpers, within
    /// the chunk's budget, whose news the next step reports. The page's worker then posts
    /// nothing and goes on with the chunk (a pool trains a batch a step).
    pub report: bool,
    pub training: Option<TrainingStatus>,
    /// The epoch that ended in this step.
    pub epoch: Option<EpochRecord>,
    /// Sweep rows scored in this step, in grid order.
    pub rows: Vec<SweepRow>,
    /// The job that finished in this step: its results are ready.
    pub finished: Option<JobKind>,
    /// Every job asked for has finished.
    pub idle: bool,
}

impl Progress {
    pub fn new(job: Option<JobKind>, stage: Stage, done: usize, total: usize) -> Self {
        Progress {
            job,
            stage,
            done,
            total,
            awaiting_helpers: false,
            report: true,
            training: None,
            epoch: None,
            rows: Vec::new(),
            finished: None,
            idle: false,
        }
    }
}

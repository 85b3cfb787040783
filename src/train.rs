//! Mini-batch training driven in small steps, so a worker can post progress between steps and a
//! page can pause or cancel by simply not calling `step` again.

use ndarray::Array2;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::adam::{Adam, AdamConfig};
use crate::data::Dataset;
use crate::model::Autoencoder;
use crate::network::{GradientPart, Network};
use crate::rng::{stream, Rng};

/// Training hyper-parameters; the defaults are the paper's (batch 1000, 10 epochs, Adam 1e-3).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    pub adam: AdamConfig,
    /// Seeds the per-epoch shuffles (the initialisation has its own seed argument).
    pub seed: u64,
}

impl TrainConfig {
    /// Settings with Adam's other constants at their PyTorch defaults (what the page sets).
    pub fn with_lr(epochs: usize, batch_size: usize, lr: f32, seed: u64) -> Self {
        TrainConfig {
            epochs,
            batch_size,
            adam: AdamConfig {
                lr,
                ..AdamConfig::default()
            },
            seed,
        }
    }
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 10,
            batch_size: 1000,
            adam: AdamConfig::default(),
            seed: 42,
        }
    }
}

/// Where training stands after a call to `Trainer::step`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Epoch in progress (0-based); equals `epochs` once finished.
    pub epoch: usize,
    /// Batches done within that epoch.
    pub batch: usize,
    pub batches_per_epoch: usize,
    pub epochs: usize,
    /// Mean loss over the examples of the current epoch so far.
    pub running_loss: f64,
    /// Loss of the most recent batch.
    pub last_batch_loss: f64,
    pub examples_seen: u64,
    /// Mean training loss of each completed epoch.
    pub epoch_losses: Vec<f64>,
    pub finished: bool,
}

/// A batch loss above this has left the data's scale: inputs lie in [0, 1], so even a black
/// reconstruction costs at most 1 per pixel, and a classifier that guesses pays log 10 ≈ 2.3. With this model Adam's bounded steps rarely overflow
/// to NaN; a too-large learning rate shows instead as a loss of 1e3 to 1e13 after one or two
/// updates, followed by a dead network (every latent unit off, the reconstruction black).
pub const DIVERGED_LOSS: f64 = 100.0;

/// Epochs and batches are 0-based in the fields and 1-based in the messages.
#[derive(Clone, Debug, PartialEq, Error, Serialize, Deserialize)]
pub enum TrainError {
    #[error("training diverged at epoch {}, batch {}: the batch loss reached {loss:.4e} (it must stay finite and below {DIVERGED_LOSS}). The learning rate {lr} is too large: lower it and train again. The weights were rolled back to the last batch with a good loss", .epoch + 1, .batch + 1)]
    Diverged {
        epoch: usize,
        batch: usize,
        loss: f64,
        lr: f32,
    },
    #[error("an Adam update made the weights non-finite at epoch {}, batch {}. The learning rate {lr} is too large: lower it and train again. The weights were rolled back to the last batch with a good loss", .epoch + 1, .batch + 1)]
    NonFiniteWeights { epoch: usize, batch: usize, lr: f32 },
    #[error("the training set is empty")]
    EmptyDataset,
    #[error("the model expects {expected} pixels per example but the data has {found}")]
    InputSize { expected: usize, found: usize },
    #[error("invalid training setting: {0}")]
    Config(String),
}

/// Owns the model, the optimiser state and the training data while training runs.
pub struct Trainer {
    model: Network,
    adam: Adam,
    config: TrainConfig,
    data: Dataset,
    order: Vec<usize>,
    batch_buffer: Array2<f32>,
    epoch: usize,
    batch: usize,
    epoch_loss_sum: f64,
    epoch_examples: usize,
    last_batch_loss: f64,
    examples_seen: u64,
    epoch_losses: Vec<f64>,
    batch_losses: Vec<f64>,
    /// Model and optimiser as they were when they last gave a good batch loss, restored when
    /// training fails.
    last_good: Option<(Network, Adam)>,
    failure: Option<TrainError>,
    /// Flat first-layer indices held at zero (fine-tuning a pruned model): their gradient is
    /// dropped, so their Adam moments stay zero and the update leaves them exactly 0.
    frozen: Vec<usize>,
}

impl Trainer {
    pub fn new(
        model: impl Into<Network>,
        config: TrainConfig,
        data: Dataset,
    ) -> Result<Self, TrainError> {
        let model = model.into();
        if data.is_empty() {
            return Err(TrainError::EmptyDataset);
        }
        if data.input_dim() != model.input_dim() {
            return Err(TrainError::InputSize {
                expected: model.input_dim(),
                found: data.input_dim(),
            });
        }
        if config.batch_size == 0 {
            return Err(TrainError::Config("batch size must be at least 1".into()));
        }
        let lr = config.adam.lr;
        if !(lr.is_finite() && lr > 0.0) {
            return Err(TrainError::Config(format!(
                "learning rate must be positive, got {lr}"
            )));
        }
        let lens: Vec<usize> = model.parameters().iter().map(|p| p.len()).collect();
        let mut trainer = Trainer {
            adam: Adam::new(config.adam, &lens),
            batch_buffer: Array2::zeros((0, model.input_dim())),
            model,
            config,
            order: (0..data.len()).collect(),
            data,
            epoch: 0,
            batch: 0,
            epoch_loss_sum: 0.0,
            epoch_examples: 0,
            last_batch_loss: f64::NAN,
            examples_seen: 0,
            epoch_losses: Vec::new(),
            batch_losses: Vec::new(),
            last_good: None,
            failure: None,
            frozen: Vec::new(),
        };
        trainer.shuffle_for_epoch();
        Ok(trainer)
    }

    /// A fresh model for `data` (PyTorch initialisation from `config.seed`, as `reproduce` does)
    /// and its trainer.
    pub fn from_seed(
        data: Dataset,
        latent_dim: usize,
        biases: bool,
        config: TrainConfig,
    ) -> Result<Self, TrainError> {
        if latent_dim == 0 {
            return Err(TrainError::Config(
                "the latent width must be at least 1".into(),
            ));
        }
        let model = Autoencoder::init(data.input_dim(), latent_dim, biases, config.seed);
        Trainer::new(model, config, data)
    }

    /// A trainer that fine-tunes a pruned model (SPEC.md "Fine-tuning after pruning"): the
    /// first-layer weights at the flat indices `removed` are set to zero and stay exactly zero,
    /// Adam starts fresh, and batches follow the usual (seed, epoch) shuffles.
    pub fn fine_tune(
        model: impl Into<Network>,
        removed: &[usize],
        config: TrainConfig,
        data: Dataset,
    ) -> Result<Self, TrainError> {
        let mut model = model.into();
        // The first parameter tensor is the first layer, row-major.
        let first = &mut model.parameters_mut()[0];
        for &index in removed {
            first[index] = 0.0;
        }
        let mut trainer = Trainer::new(model, config, data)?;
        trainer.frozen = removed.to_vec();
        Ok(trainer)
    }

    pub fn model(&self) -> &Network {
        &self.model
    }

    pub fn data(&self) -> &Dataset {
        &self.data
    }

    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Gives back the model and the data (e.g. to compute the Fisher over the training set).
    pub fn into_parts(self) -> (Network, Dataset) {
        (self.model, self.data)
    }

    pub fn batches_per_epoch(&self) -> usize {
        self.data.len().div_ceil(self.config.batch_size)
    }

    /// The loss of every batch trained so far, in order.
    pub fn batch_losses(&self) -> &[f64] {
        &self.batch_losses
    }

    pub fn epochs_completed(&self) -> usize {
        self.epoch_losses.len()
    }

    pub fn is_finished(&self) -> bool {
        self.epoch >= self.config.epochs
    }

    pub fn progress(&self) -> Progress {
        let running_loss = if self.epoch_examples > 0 {
            self.epoch_loss_sum / self.epoch_examples as f64
        } else {
            f64::NAN
        };
        Progress {
            epoch: self.epoch,
            batch: self.batch,
            batches_per_epoch: self.batches_per_epoch(),
            epochs: self.config.epochs,
            running_loss,
            last_batch_loss: self.last_batch_loss,
            examples_seen: self.examples_seen,
            epoch_losses: self.epoch_losses.clone(),
            finished: self.is_finished(),
        }
    }

    /// Trains on up to `batches` more mini-batches (fewer at the end of training). After an
    /// error the trainer holds the last weights that gave a good batch loss, and returns the
    /// same error again.
    pub fn step(&mut self, batches: usize) -> Result<Progress, TrainError> {
        for _ in 0..batches {
            if let Some(failure) = &self.failure {
                return Err(failure.clone());
            }
            if self.is_finished() {
                break;
            }
            if let Err(failure) = self.train_one_batch() {
                self.failure = Some(failure.clone());
                return Err(failure);
            }
        }
        match &self.failure {
            Some(failure) => Err(failure.clone()),
            None => Ok(self.progress()),
        }
    }

    /// Like `step`, but stops at the end of the current epoch, so the caller can score the model
    /// as it is at every epoch's end.
    pub fn step_within_epoch(&mut self, batches: usize) -> Result<Progress, TrainError> {
        let left_in_epoch = self.batches_per_epoch() - self.batch;
        self.step(batches.min(left_in_epoch))
    }

    /// The next batch's examples (indices into `data()`) in `parts` contiguous runs whose sizes
    /// differ by at most one, the larger first; none once training has finished. A pool of
    /// workers computes one part each (`gradient_part`), and `train_batch_from_parts` sums them.
    pub fn next_batch_parts(&self, parts: usize) -> Vec<&[usize]> {
        if self.is_finished() || parts == 0 {
            return Vec::new();
        }
        let mut rows = &self.order[self.batch_range()];
        let (base, larger) = (rows.len() / parts, rows.len() % parts);
        (0..parts)
            .map(|part| {
                let (head, tail) = rows.split_at(base + usize::from(part < larger));
                rows = tail;
                head
            })
            .collect()
    }

    /// Trains the next batch from its parts, in `next_batch_parts`' order: their squared errors
    /// and gradients are summed in that order, so a run is the same for the same number of parts.
    pub fn train_batch_from_parts(
        &mut self,
        parts: Vec<GradientPart>,
    ) -> Result<Progress, TrainError> {
        if let Some(failure) = &self.failure {
            return Err(failure.clone());
        }
        if !self.is_finished() {
            if let Err(failure) = self.apply_batch(parts) {
                self.failure = Some(failure.clone());
                return Err(failure);
            }
        }
        Ok(self.progress())
    }

    fn batch_range(&self) -> std::ops::Range<usize> {
        let start = self.batch * self.config.batch_size;
        start..(start + self.config.batch_size).min(self.data.len())
    }

    fn train_one_batch(&mut self) -> Result<(), TrainError> {
        let range = self.batch_range();
        if self.batch_buffer.nrows() != range.len() {
            self.batch_buffer = Array2::zeros((range.len(), self.model.input_dim()));
        }
        let indices = self.order[range.clone()].iter().copied();
        let part = match &self.model {
            // The autoencoder's batches reuse one buffer: they are its hot loop.
            Network::Autoencoder(model) => {
                let sparse =
                    (self.data).fill_batch_and_sparse(indices, self.batch_buffer.view_mut());
                let (loss_sum, gradients) = model.gradient_part_with(
                    self.batch_buffer.view(),
                    sparse.as_ref(),
                    range.len(),
                );
                GradientPart {
                    loss_sum,
                    correct: 0,
                    gradients: gradients.to_flat(),
                }
            }
            Network::Classifier(_) => {
                let rows = &self.order[range.clone()];
                self.model.gradient_part(&self.data, rows, range.len())
            }
        };
        self.apply_batch(vec![part])
    }

    /// One Adam update from the current batch's parts, with the checks that roll a failing
    /// batch back.
    fn apply_batch(&mut self, parts: Vec<GradientPart>) -> Result<(), TrainError> {
        let size = self.batch_range().len();
        let mut parts = parts.into_iter();
        let GradientPart {
            mut loss_sum,
            gradients: mut grads,
            ..
        } = parts.next().expect("a batch has at least one part");
        for part in parts {
            loss_sum += part.loss_sum;
            grads
                .iter_mut()
                .zip(&part.gradients)
                .for_each(|(g, p)| *g += p);
        }
        let loss = self.model.batch_loss(loss_sum, size);
        // The gradients are flat in `parameters()` order, the first layer's first.
        for &index in &self.frozen {
            grads[index] = 0.0;
        }
        let (epoch, batch, lr) = (self.epoch, self.batch, self.config.adam.lr);
        if !(loss.is_finite() && loss <= DIVERGED_LOSS) {
            self.roll_back();
            return Err(TrainError::Diverged {
                epoch,
                batch,
                loss,
                lr,
            });
        }
        // One copy of the parameters and moments per batch, negligible beside its products.
        self.last_good = Some((self.model.clone(), self.adam.clone()));
        let mut rest = grads.as_slice();
        let tensors = (self.model.parameters().iter())
            .map(|p| {
                let (head, tail) = rest.split_at(p.len());
                rest = tail;
                head
            })
            .collect();
        self.adam.update(self.model.parameters_mut(), tensors);
        if !self.model.is_finite() {
            self.roll_back();
            return Err(TrainError::NonFiniteWeights { epoch, batch, lr });
        }

        self.last_batch_loss = loss;
        self.batch_losses.push(loss);
        self.epoch_loss_sum += loss * size as f64;
        self.epoch_examples += size;
        self.examples_seen += size as u64;
        self.batch += 1;
        if self.batch == self.batches_per_epoch() {
            self.epoch_losses
                .push(self.epoch_loss_sum / self.epoch_examples as f64);
            self.epoch += 1;
            self.batch = 0;
            self.epoch_loss_sum = 0.0;
            self.epoch_examples = 0;
            self.shuffle_for_epoch();
        }
        Ok(())
    }

    fn roll_back(&mut self) {
        if let Some((model, adam)) = self.last_good.take() {
            self.model = model;
            self.adam = adam;
        }
    }

    /// Each epoch's order is a fresh permutation drawn from (seed, epoch) alone, so resuming or
    /// re-running reproduces it exactly.
    fn shuffle_for_epoch(&mut self) {
        self.order = (0..self.data.len()).collect();
        Rng::new(self.config.seed, stream::SHUFFLE, self.epoch as u64).shuffle(&mut self.order);
    }
}

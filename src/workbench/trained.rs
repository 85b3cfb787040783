//! The model a workbench analyses, and where it came from. The page keeps the weights and this
//! record in the main thread too, so a new worker can take the model over if its worker dies.

use serde::{Deserialize, Serialize};

use crate::network::{Network, Score};
use crate::train::TrainConfig;

/// How the model came to be.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ModelSource {
    /// Trained here on the first `examples` training images.
    Trained {
        config: TrainConfig,
        examples: usize,
        epoch_losses: Vec<f64>,
    },
    /// Loaded from a weights file (its path or name).
    Loaded { weights: String },
}

/// A model's provenance and figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelRecord {
    pub source: ModelSource,
    /// The score on the whole test split (for loaded weights, once the split is here to score).
    pub test: Option<Score>,
    /// Seconds its training took, scoring each epoch included (0 for loaded weights).
    pub seconds: f64,
    /// Examples trained per second of training proper (the epochs' scoring left out).
    pub examples_per_second: f64,
    /// Threads each training batch was split among: its last bits depend on it (1 for loaded
    /// weights and for `reproduce`).
    pub parts: usize,
}

impl ModelRecord {
    /// The training images a training-split Fisher and fine-tuning use: the ones the model was
    /// trained on, or all of them (`None`) for loaded weights.
    pub fn training_examples(&self) -> Option<usize> {
        match &self.source {
            ModelSource::Trained { examples, .. } => Some(*examples),
            ModelSource::Loaded { .. } => None,
        }
    }
}

pub struct TrainedModel {
    pub model: Network,
    pub record: ModelRecord,
}

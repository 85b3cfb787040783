//! One run written down: the JSON that `reproduce` prints and the page exports (schema in
//! README.md), and the sweep as CSV. Both sides build it here, so they cannot drift apart.

use serde::{Deserialize, Serialize};

use crate::analysis::{AnalysisConfig, AnalysisResult, Grid};
use crate::data::manifest::Split;
use crate::eigen::EigenSummary;
use crate::finetune::{FineTunePoint, FineTuned};
use crate::fisher::{FisherDiag, FisherVariant};
use crate::model::Autoencoder;
use crate::npy::npy_f32;
use crate::softflow::SoftFlowPoint;
use crate::summary::FisherStats;
use crate::sweep::{Knee, SweepRow};
use crate::train::TrainConfig;
use crate::weights::{to_safetensors, WeightsError};

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

#[derive(Serialize)]
pub struct Report {
    pub config: ReportConfig,
    pub train: TrainSummary,
    pub fisher: FisherSummary,
    pub sweep: SweepSummary,
    /// Beyond the paper (README), when run.
    pub eigen: Option<EigenSummary>,
    pub fine_tune: Option<FineTuneSummary>,
    pub soft_flow: Option<SoftFlowSummary>,
    pub seconds: Seconds,
}

/// Test MSE before and after retraining the kept weights, per scheme, at equal counts.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FineTuneSummary {
    pub epochs: usize,
    /// The unpruned model trained the same number of epochs more.
    pub continued: FineTuned,
    pub points: Vec<FineTunePoint>,
}

/// The posterior flow from all the evidence down to none.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SoftFlowSummary {
    pub alpha: f64,
    pub samples: usize,
    pub points: Vec<SoftFlowPoint>,
}

#[derive(Serialize)]
pub struct ReportConfig {
    /// The data directory (`reproduce`) or the dataset's name (the page).
    pub data: String,
    pub weights: Option<String>,
    pub input_dim: usize,
    pub latent_dim: usize,
    pub train_examples: Option<usize>,
    pub biases: bool,
    pub train: Option<TrainConfig>,
    pub fisher_split: Split,
    pub fisher_variant: FisherVariant,
    pub grid: Grid,
    /// Fisher, then the baselines swept: random, magnitude, saliency.
    pub schemes: Vec<&'static str>,
    pub random_seeds: Vec<u64>,
    pub eval_examples: usize,
}

#[derive(Serialize)]
pub struct TrainSummary {
    pub epoch_losses: Vec<f64>,
    pub test_mse: f64,
}

#[derive(Serialize)]
pub struct FisherSummary {
    pub examples: usize,
    pub stats: FisherStats,
}

#[derive(Serialize)]
pub struct SweepSummary {
    pub unpruned_mse: f64,
    pub tolerance: f64,
    pub rows: Vec<SweepRow>,
    pub knee: Option<Knee>,
}

#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Seconds {
    pub train: f64,
    pub fisher: f64,
    pub sweep: f64,
    /// The eigen-shells: blocks, eigendecompositions and their sweep.
    pub eigen: f64,
    pub fine_tune: f64,
    pub soft_flow: f64,
}

impl Report {
    /// `test_mse` is the unpruned model's MSE over the whole test split.
    pub fn new(
        data: String,
        model: &Autoencoder<f32>,
        source: &ModelSource,
        test_mse: f64,
        config: &AnalysisConfig,
        result: &AnalysisResult,
        seconds: Seconds,
    ) -> Report {
        let (weights, train, train_examples, epoch_losses) = match source {
            ModelSource::Trained {
                config,
                examples,
                epoch_losses,
            } => (None, Some(*config), Some(*examples), epoch_losses.clone()),
            ModelSource::Loaded { weights } => (Some(weights.clone()), None, None, Vec::new()),
        };
        Report {
            config: ReportConfig {
                data,
                weights,
                input_dim: model.input_dim(),
                latent_dim: model.latent_dim(),
                train_examples,
                biases: model.has_biases(),
                train,
                fisher_split: config.fisher_split,
                fisher_variant: config.fisher_variant,
                grid: config.grid,
                schemes: config.baselines.names(),
                random_seeds: config.baselines.random_seeds.clone(),
                eval_examples: result.eval_examples,
            },
            train: TrainSummary {
                epoch_losses,
                test_mse,
            },
            fisher: FisherSummary {
                examples: result.fisher.examples,
                stats: result.stats.clone(),
            },
            sweep: SweepSummary {
                unpruned_mse: result.unpruned_mse,
                tolerance: result.tolerance,
                rows: result.rows.clone(),
                knee: result.knee.clone(),
            },
            eigen: None,
            fine_tune: None,
            soft_flow: None,
            seconds,
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report of numbers and strings serialises")
    }
}

/// The sweep as CSV, one row per cutoff; the random MSE of each seed in its own column. A
/// baseline the sweep did not run leaves its column empty.
pub fn sweep_csv(rows: &[SweepRow], random_seeds: &[u64]) -> String {
    let mut csv = String::from(
        "cutoff,removed,fraction,fisher_mse,random_mse_mean,random_mse_std,magnitude_mse,saliency_mse",
    );
    for seed in random_seeds {
        csv.push_str(&format!(",random_mse_seed_{seed}"));
    }
    csv.push('\n');
    let field = |value: Option<f64>| value.map_or(String::new(), |v| v.to_string());
    for row in rows {
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{}",
            row.cutoff,
            row.removed,
            row.fraction,
            row.fisher_mse,
            field(row.random_mse_mean),
            field(row.random_mse_std),
            field(row.magnitude_mse),
            field(row.saliency_mse),
        ));
        for mse in &row.random_mse {
            csv.push_str(&format!(",{mse}"));
        }
        csv.push('\n');
    }
    csv
}

/// The whole Fisher diagonal as one flat .npy vector: E, D, b_E, b_D, each row-major.
pub fn fisher_npy(fisher: &FisherDiag<f32>) -> Vec<u8> {
    let values: Vec<f32> = fisher.all_values().collect();
    npy_f32(&[values.len()], &values)
}

/// The Fisher diagonal as safetensors, one tensor per parameter under the weights' key names.
pub fn fisher_safetensors(fisher: &FisherDiag<f32>) -> Result<Vec<u8>, WeightsError> {
    to_safetensors(&Autoencoder {
        encoder: fisher.encoder.clone(),
        decoder: fisher.decoder.clone(),
        encoder_bias: fisher.encoder_bias.clone(),
        decoder_bias: fisher.decoder_bias.clone(),
    })
}

//! One run written down: the JSON that `reproduce` prints and the page exports (schema in
//! README.md), and the sweep as CSV. Both sides build it here, so they cannot drift apart.

use serde::Serialize;

use crate::analysis::Grid;
use crate::data::manifest::Split;
use crate::eigen::EigenSummary;
use crate::finetune::FineTuneSummary;
use crate::fisher::{FisherDiag, FisherVariant};
use crate::model::Autoencoder;
use crate::npy::npy_f32;
use crate::softflow::SoftFlowSummary;
use crate::summary::FisherStats;
use crate::sweep::{Knee, SweepRow};
use crate::train::TrainConfig;
use crate::weights::{to_safetensors, WeightsError};
use crate::workbench::{ModelSource, Seconds, Workbench};

#[derive(Serialize)]
pub struct Report {
    pub config: ReportConfig,
    pub train: TrainSummary,
    pub fisher: FisherSummary,
    pub sweep: SweepSummary,
    /// The later jobs, when run.
    pub eigen: Option<EigenSummary>,
    pub fine_tune: Option<FineTuneSummary>,
    pub soft_flow: Option<SoftFlowSummary>,
    pub seconds: Seconds,
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
    /// Threads each training batch was split among: the weights' last bits depend on it.
    pub train_parts: usize,
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

impl Report {
    /// The workbench's run, once analysed: its model, where it came from, the analysis and
    /// whatever ran after it, with the seconds each took.
    pub fn of(bench: &Workbench) -> Option<Report> {
        let trained = bench.trained()?;
        let analysed = bench.analysed()?;
        let (model, config, result) = (&trained.model, &analysed.config, &analysed.result);
        let (weights, train, train_examples, epoch_losses) = match &trained.record.source {
            ModelSource::Trained {
                config,
                examples,
                epoch_losses,
            } => (None, Some(*config), Some(*examples), epoch_losses.clone()),
            ModelSource::Loaded { weights } => (Some(weights.clone()), None, None, Vec::new()),
        };
        Some(Report {
            config: ReportConfig {
                data: bench.data().name().to_string(),
                weights,
                input_dim: model.input_dim(),
                latent_dim: model.latent_dim(),
                train_examples,
                biases: model.has_biases(),
                train,
                train_parts: trained.record.parts,
                fisher_split: config.fisher_split,
                fisher_variant: config.fisher_variant,
                grid: config.grid,
                schemes: config.baselines.names(),
                random_seeds: config.baselines.random_seeds.clone(),
                eval_examples: result.eval_examples,
            },
            train: TrainSummary {
                epoch_losses,
                test_mse: trained.record.test_mse?,
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
            eigen: bench.eigen().map(|(summary, _)| summary.clone()),
            fine_tune: bench.fine_tune().cloned(),
            soft_flow: bench.soft_flow().cloned(),
            seconds: bench.seconds(),
        })
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

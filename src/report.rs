//! One run written down: the JSON that `reproduce` prints and the page exports (schema in
//! README.md), and the sweep as CSV. Both sides build it here, so they cannot drift apart.
//!
//! Every loss is named for its model: `mse` for the autoencoder, `cross_entropy` for the
//! classifier, whose accuracies stand beside (`Named`).

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::Value;

use crate::analysis::Grid;
use crate::classifier::Classifier;
use crate::data::manifest::Split;
use crate::eigen::EigenSummary;
use crate::finetune::FineTuneSummary;
use crate::fisher::FisherVariant;
use crate::model::Autoencoder;
use crate::network::{Fisher, ModelKind, Network, Score};
use crate::network_weights::network_to_safetensors;
use crate::npy::npy_f32;
use crate::softflow::SoftFlowSummary;
use crate::summary::FisherStats;
use crate::sweep::{Knee, SweepRow};
use crate::train::TrainConfig;
use crate::weights::WeightsError;
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
    pub model: ModelKind,
    /// The data's image rows and columns (input_dim = rows · cols) and classes.
    pub image_rows: usize,
    pub image_cols: usize,
    pub classes: usize,
    pub input_dim: usize,
    /// The autoencoder's m.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latent_dim: Option<usize>,
    /// The classifier's h_1 … h_L.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden: Option<Vec<usize>>,
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
    /// test_mse, or test_cross_entropy and test_accuracy.
    #[serde(flatten)]
    pub test: Named,
}

#[derive(Serialize)]
pub struct FisherSummary {
    pub examples: usize,
    pub stats: FisherStats,
}

#[derive(Serialize)]
pub struct SweepSummary {
    /// unpruned_mse, or unpruned_cross_entropy and unpruned_accuracy.
    #[serde(flatten)]
    pub unpruned: Named,
    pub tolerance: f64,
    pub rows: Vec<Named>,
    pub knee: Option<Named>,
}

/// Keys and values in order, the loss keys named for the model: what the report writes for the
/// structs whose keys depend on the model.
#[derive(Clone, Debug, PartialEq)]
pub struct Named {
    model: ModelKind,
    entries: Vec<(String, Value)>,
}

impl Named {
    fn new(model: ModelKind) -> Named {
        Named {
            model,
            entries: Vec::new(),
        }
    }

    /// Where on the sweep: a cutoff and how many weights it removes.
    fn at(model: ModelKind, cutoff: f32, removed: usize, fraction: f64) -> Named {
        Named::new(model)
            .value("cutoff", cutoff)
            .value("removed", removed)
            .value("fraction", fraction)
    }

    fn value(mut self, key: &str, value: impl Serialize) -> Named {
        let value = serde_json::to_value(value).expect("numbers serialise");
        self.entries.push((key.to_string(), value));
        self
    }

    /// `{prefix}{loss}{suffix}` = the loss; with the classifier, `{prefix}accuracy{suffix}` too.
    fn score<L: Serialize, A: Serialize>(
        self,
        (prefix, suffix): (&str, &str),
        loss: L,
        accuracy: A,
    ) -> Named {
        let model = self.model;
        let named = self.value(&format!("{prefix}{}{suffix}", model.loss_name()), loss);
        match model {
            ModelKind::Autoencoder => named,
            ModelKind::Classifier => named.value(&format!("{prefix}accuracy{suffix}"), accuracy),
        }
    }

    /// A whole score under `prefix`.
    pub fn of_score(model: ModelKind, prefix: &str, score: Score) -> Named {
        Named::new(model).score((prefix, ""), score.loss, score.accuracy)
    }

    /// A sweep row: its cutoff and count, then every scheme's loss (and accuracy).
    pub fn of_row(model: ModelKind, row: &SweepRow) -> Named {
        Named::at(model, row.cutoff, row.removed, row.fraction)
            .score(("fisher_", ""), row.fisher_loss, row.fisher_accuracy)
            .score(
                ("random_", "_mean"),
                row.random_loss_mean,
                row.random_accuracy_mean,
            )
            .score(
                ("random_", "_std"),
                row.random_loss_std,
                row.random_accuracy_std,
            )
            .score(("random_", ""), &row.random_loss, &row.random_accuracy)
            .score(
                ("magnitude_", ""),
                row.magnitude_loss,
                row.magnitude_accuracy,
            )
            .score(("saliency_", ""), row.saliency_loss, row.saliency_accuracy)
    }

    /// The knee Λ*: where it is, and the loss there against the unpruned model's.
    pub fn of_knee(model: ModelKind, knee: &Knee) -> Named {
        Named::at(model, knee.cutoff, knee.removed, knee.fraction)
            .score(("", ""), knee.loss, knee.accuracy)
            .value(
                &format!("unpruned_{}", model.loss_name()),
                knee.unpruned_loss,
            )
            .value("tolerance", knee.tolerance)
    }
}

impl Serialize for Named {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (key, value) in &self.entries {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl Report {
    /// The workbench's run, once analysed: its model, where it came from, the analysis and
    /// whatever ran after it, with the seconds each took.
    pub fn of(bench: &Workbench) -> Option<Report> {
        let trained = bench.trained()?;
        let analysed = bench.analysed()?;
        let (model, config, result) = (&trained.model, &analysed.config, &analysed.result);
        let kind = model.kind();
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
                model: kind,
                image_rows: bench.data().image_shape().0,
                image_cols: bench.data().image_shape().1,
                classes: bench.data().classes(),
                input_dim: model.input_dim(),
                latent_dim: model.autoencoder().map(Autoencoder::latent_dim),
                hidden: model.classifier().map(Classifier::hidden_widths),
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
                test: Named::of_score(kind, "test_", trained.record.test?),
            },
            fisher: FisherSummary {
                examples: result.fisher.examples(),
                stats: result.stats.clone(),
            },
            sweep: SweepSummary {
                unpruned: Named::of_score(kind, "unpruned_", result.unpruned),
                tolerance: result.tolerance,
                rows: (result.rows.iter())
                    .map(|row| Named::of_row(kind, row))
                    .collect(),
                knee: (result.knee.as_ref()).map(|knee| Named::of_knee(kind, knee)),
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

/// The sweep as CSV, one row per cutoff: each order's test loss (`mse` or `cross_entropy` in
/// the column names), every random seed's, then for the classifier the same for the accuracy. A
/// baseline the sweep did not run leaves its column empty.
pub fn sweep_csv(rows: &[SweepRow], random_seeds: &[u64], model: ModelKind) -> String {
    /// One order's (loss, accuracy) in a row, under `{prefix}{measure}{suffix}` as
    /// `Named::of_row` names them.
    type Column = (
        (&'static str, &'static str),
        fn(&SweepRow) -> [Option<f64>; 2],
    );
    const COLUMNS: [Column; 5] = [
        (("fisher_", ""), |r| {
            [Some(r.fisher_loss), r.fisher_accuracy]
        }),
        (("random_", "_mean"), |r| {
            [r.random_loss_mean, r.random_accuracy_mean]
        }),
        (("random_", "_std"), |r| {
            [r.random_loss_std, r.random_accuracy_std]
        }),
        (("magnitude_", ""), |r| {
            [r.magnitude_loss, r.magnitude_accuracy]
        }),
        (("saliency_", ""), |r| {
            [r.saliency_loss, r.saliency_accuracy]
        }),
    ];
    fn seeds(r: &SweepRow, m: usize) -> &[f64] {
        [&r.random_loss, &r.random_accuracy][m]
    }
    // The loss (0), then for the classifier the accuracy (1).
    let mut measures = vec![(0, model.loss_name())];
    if model == ModelKind::Classifier {
        measures.push((1, "accuracy"));
    }
    let mut header = vec!["cutoff".to_string(), "removed".into(), "fraction".into()];
    for &(_, name) in &measures {
        header.extend(
            (COLUMNS.iter()).map(|((prefix, suffix), _)| format!("{prefix}{name}{suffix}")),
        );
        header.extend((random_seeds.iter()).map(|seed| format!("random_{name}_seed_{seed}")));
    }
    let mut csv = header.join(",") + "\n";
    let field = |value: Option<f64>| value.map_or(String::new(), |v| v.to_string());
    for row in rows {
        let mut fields = vec![
            row.cutoff.to_string(),
            row.removed.to_string(),
            row.fraction.to_string(),
        ];
        for &(m, _) in &measures {
            fields.extend(COLUMNS.iter().map(|(_, values)| field(values(row)[m])));
            fields.extend(seeds(row, m).iter().map(f64::to_string));
        }
        csv.push_str(&(fields.join(",") + "\n"));
    }
    csv
}

/// The whole Fisher diagonal as one flat .npy vector in the parameters' order, each row-major
/// (E, D, b_E, b_D; or W_0, b_0, W_1, b_1, …).
pub fn fisher_npy(fisher: &Fisher) -> Vec<u8> {
    let values = fisher.all_values();
    npy_f32(&[values.len()], &values)
}

/// The Fisher diagonal as safetensors, one tensor per parameter under the weights' key names.
pub fn fisher_safetensors(fisher: &Fisher) -> Result<Vec<u8>, WeightsError> {
    network_to_safetensors(&match fisher {
        Fisher::Autoencoder(fisher) => Network::Autoencoder(Autoencoder {
            encoder: fisher.encoder.clone(),
            decoder: fisher.decoder.clone(),
            encoder_bias: fisher.encoder_bias.clone(),
            decoder_bias: fisher.decoder_bias.clone(),
        }),
        Fisher::Classifier(fisher) => Network::Classifier(Classifier {
            layers: fisher.layers.clone(),
        }),
    })
}

//! Every setting of a run in one table, with the paper's values as defaults. The page sends it
//! as it is (its keys are the page's URL keys, www/state.js); `reproduce` fills it from its
//! flags. Every seed, batch size and default a job uses is derived here, so the two doors cannot
//! drift apart.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::analysis::{AnalysisConfig, Grid};
use crate::data::manifest::Split;
use crate::finetune::FineTuneConfig;
use crate::fisher::FisherVariant;
use crate::network::ModelKind;
use crate::prune::Scheme;
use crate::softflow::SoftFlowConfig;
use crate::sweep::Baselines;
use crate::train::TrainConfig;

/// The settings of a run. Unknown keys are an error, so a setting the page sends is never
/// silently dropped; keys it leaves out take these defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields, default)]
pub struct Settings {
    /// The model trained: the paper's autoencoder, or the classifier.
    pub model: ModelKind,
    /// Latent width m (the autoencoder).
    pub latent: usize,
    /// Hidden widths h_1 … h_L (the classifier), e.g. [64, 32].
    pub hidden: Vec<usize>,
    /// The autoencoder's biases on both layers (the authors' released code; the paper's text has
    /// none). The classifier always has biases.
    pub biases: bool,
    pub epochs: usize,
    pub batch: usize,
    /// Adam's learning rate.
    pub lr: f32,
    /// Seeds the initialisation, the shuffles, random pruning, fine-tuning and the soft flow.
    pub seed: u64,
    /// Train on the first this many training images, and take a training-split Fisher over them
    /// (all when `None`).
    pub subset: Option<usize>,
    pub fisher_variant: FisherVariant,
    pub fisher_split: Split,
    pub grid: Grid,
    /// Points of the log grid.
    pub grid_points: usize,
    /// Random pruning runs with seeds `seed`, `seed + 1`, ….
    pub random_seeds: u64,
    /// The removal orders swept; Fisher's always (it defines Λ).
    pub schemes: Vec<Scheme>,
    /// The sweep scores the first this many test images (all when `None`).
    pub eval: Option<usize>,
    /// Relative test-loss tolerance that defines the knee Λ*.
    pub tolerance: f64,
    /// Epochs the kept weights retrain after pruning.
    pub fine_tune_epochs: usize,
    /// Fractions of the encoder removed before fine-tuning.
    pub fine_tune_at: Vec<f64>,
    /// The soft flow's prior precision α; `None` ("init" in the page) is the initialisation's.
    #[serde(serialize_with = "prior_to_text", deserialize_with = "prior_from_text")]
    pub soft_alpha: Option<f64>,
    /// Posterior draws per evidence level.
    pub soft_samples: usize,
}

impl Default for Settings {
    /// The paper's run (section 5): MNIST, m = 20, no biases, 10 epochs of batches of 1000, Adam
    /// 1e-3, seed 42; the regression Fisher over the training set; 40 log-spaced cutoffs, three
    /// random seeds and every baseline over the whole test set; the knee at 1 %.
    fn default() -> Self {
        Settings {
            model: ModelKind::Autoencoder,
            latent: 20,
            hidden: vec![32],
            biases: false,
            epochs: 10,
            batch: 1000,
            lr: 1e-3,
            seed: 42,
            subset: None,
            fisher_variant: FisherVariant::Regression,
            fisher_split: Split::Train,
            grid: Grid::Log,
            grid_points: 40,
            random_seeds: 3,
            schemes: vec![
                Scheme::Fisher,
                Scheme::Random,
                Scheme::Magnitude,
                Scheme::Saliency,
            ],
            eval: None,
            tolerance: 0.01,
            fine_tune_epochs: 1,
            fine_tune_at: vec![0.6, 0.75, 0.9],
            soft_alpha: None,
            soft_samples: 16,
        }
    }
}

impl Settings {
    /// The authors' released notebook (`reproduce --authors-setup`, the page's preset): biases,
    /// the Fisher over the test split, the paper's grid, the MSE on the first 10 test images.
    pub fn authors() -> Self {
        Settings {
            biases: true,
            fisher_split: Split::Test,
            grid: Grid::Paper,
            eval: Some(10),
            ..Settings::default()
        }
    }

    /// The defaults for `model`: the paper's run, with the model's own Fisher.
    pub fn for_model(model: ModelKind) -> Self {
        Settings {
            model,
            fisher_variant: model.model_fisher(),
            ..Settings::default()
        }
    }

    /// These settings for a model of `kind` already trained or imported: the model is the one
    /// held, with its own Fisher when the one chosen is the other model's.
    pub fn fitted_to(self, kind: ModelKind) -> Settings {
        let fisher_variant = match kind.check_fisher(self.fisher_variant) {
            Ok(()) => self.fisher_variant,
            Err(_) => kind.model_fisher(),
        };
        Settings {
            model: kind,
            fisher_variant,
            ..self
        }
    }

    /// Every setting in its range, or what is wrong with the first that is not (named by its
    /// key, as the page and `reproduce --help` name it).
    pub fn check(&self) -> Result<(), String> {
        let at_least = |key: &str, value: f64, min: f64| {
            if value.is_finite() && value >= min {
                Ok(())
            } else {
                Err(format!("{key} must be at least {min}, not {value}"))
            }
        };
        at_least("latent", self.latent as f64, 1.0)?;
        if self.hidden.is_empty() {
            return Err("hidden must list at least one width, e.g. 32 or 64,32".into());
        }
        for &width in &self.hidden {
            at_least("hidden", width as f64, 1.0)?;
        }
        (self.model.check_fisher(self.fisher_variant))
            .map_err(|e| format!("fisher-variant: {e}"))?;
        at_least("batch", self.batch as f64, 1.0)?;
        at_least("lr", self.lr as f64, f32::MIN_POSITIVE as f64)?;
        at_least("subset", self.subset.unwrap_or(1) as f64, 1.0)?;
        at_least("grid-points", self.grid_points as f64, 2.0)?;
        at_least("random-seeds", self.random_seeds as f64, 1.0)?;
        at_least("eval", self.eval.unwrap_or(1) as f64, 1.0)?;
        at_least("tolerance", self.tolerance, 0.0)?;
        at_least("fine-tune-epochs", self.fine_tune_epochs as f64, 1.0)?;
        at_least("soft-alpha", self.soft_alpha.unwrap_or(0.0), 0.0)?;
        at_least("soft-samples", self.soft_samples as f64, 1.0)?;
        if !self.schemes.contains(&Scheme::Fisher) {
            return Err("schemes must include fisher: its order defines the cutoff Λ".into());
        }
        if let Some(bad) = (self.fine_tune_at.iter()).find(|f| !(0.0..=1.0).contains(*f)) {
            return Err(format!(
                "fine-tune-at must be fractions in [0, 1], not {bad}"
            ));
        }
        Ok(())
    }

    /// Training: Adam's other constants at PyTorch's defaults.
    pub fn train_config(&self) -> TrainConfig {
        TrainConfig::with_lr(self.epochs, self.batch, self.lr, self.seed)
    }

    /// The first random-pruning seed. The slider's random row, fine-tuning's random scheme and
    /// the sweep's first random run all use it, so they show the same order.
    pub fn pruning_seed(&self) -> u64 {
        self.seed
    }

    /// The Fisher and the sweep; a training-split Fisher averages over the first
    /// `fisher_examples` images (the ones the model was trained on; all when `None`).
    pub fn analysis_config(&self, fisher_examples: Option<usize>) -> AnalysisConfig {
        let random = self.schemes.contains(&Scheme::Random);
        let first = self.pruning_seed();
        AnalysisConfig {
            fisher_split: self.fisher_split,
            fisher_examples: match self.fisher_split {
                Split::Train => fisher_examples,
                Split::Test => None,
            },
            fisher_variant: self.fisher_variant,
            grid: self.grid,
            grid_points: self.grid_points,
            baselines: Baselines {
                random_seeds: match random {
                    true => (first..first + self.random_seeds).collect(),
                    false => Vec::new(),
                },
                magnitude: self.schemes.contains(&Scheme::Magnitude),
                saliency: self.schemes.contains(&Scheme::Saliency),
            },
            eval_examples: self.eval,
            tolerance: self.tolerance,
        }
    }

    /// Fine-tuning after pruning: the training settings, for `fine_tune_epochs`.
    pub fn fine_tune_config(&self) -> FineTuneConfig {
        FineTuneConfig {
            fractions: self.fine_tune_at.clone(),
            train: TrainConfig {
                epochs: self.fine_tune_epochs,
                ..self.train_config()
            },
        }
    }

    /// The soft flow of a model with `input_dim` inputs.
    pub fn soft_flow_config(&self, input_dim: usize) -> SoftFlowConfig {
        let default = SoftFlowConfig::default_for(input_dim, self.seed);
        SoftFlowConfig {
            alpha: self.soft_alpha.unwrap_or(default.alpha),
            samples: self.soft_samples,
            seed: self.seed,
        }
    }
}

/// `None` is written "init", as the page's URL has it.
fn prior_to_text<S: Serializer>(alpha: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
    match alpha {
        None => serializer.serialize_str("init"),
        Some(alpha) => serializer.serialize_f64(*alpha),
    }
}

fn prior_from_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Prior {
        Precision(f64),
        Word(String),
    }
    match Prior::deserialize(deserializer)? {
        Prior::Precision(alpha) => Ok(Some(alpha)),
        Prior::Word(word) if word == "init" => Ok(None),
        Prior::Word(word) => Err(serde::de::Error::custom(format!(
            "soft-alpha is a number or 'init', not '{word}'"
        ))),
    }
}

//! The model a run trains and renormalizes: the paper's autoencoder, or the classifier (SPEC.md
//! "Beyond the autoencoder: a classifier"). Everything after the model (training, the Fisher,
//! the shells, the sweep, the workbench) reads it through this one type, so each is written
//! once. Both models put their pixels' weights first, [rows, n]: the encoder E, or the
//! classifier's W_0. That matrix is what information shells prune.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::classifier::Classifier;
use crate::classifier_fisher::{ClassifierFisher, ClassifierFisherAccumulator};
use crate::data::Dataset;
use crate::fisher::{FisherAccumulator, FisherDiag, FisherVariant, SumOverExamples};
use crate::model::{sum_squared_error, Autoencoder};

/// Which model a run trains (the page's `model`, `reproduce --model`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// The paper's autoencoder, scored by its reconstruction MSE.
    #[default]
    Autoencoder,
    /// The MLP classifier, scored by cross-entropy and accuracy.
    Classifier,
}

impl ModelKind {
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Autoencoder => "autoencoder",
            ModelKind::Classifier => "classifier",
        }
    }

    /// What the model's loss is called in reports and charts.
    pub fn loss_name(self) -> &'static str {
        match self {
            ModelKind::Autoencoder => "mse",
            ModelKind::Classifier => "cross_entropy",
        }
    }

    /// The loss as charts and sentences write it.
    pub fn loss_label(self) -> &'static str {
        match self {
            ModelKind::Autoencoder => "MSE",
            ModelKind::Classifier => "cross-entropy",
        }
    }

    /// What the page calls the first layer, the one information shells prune.
    pub fn first_layer_name(self) -> &'static str {
        match self {
            ModelKind::Autoencoder => "encoder",
            ModelKind::Classifier => "first-layer",
        }
    }

    /// The Fisher of the model's own predictive distribution (NNGeometry's variant).
    pub fn model_fisher(self) -> FisherVariant {
        match self {
            ModelKind::Autoencoder => FisherVariant::Regression,
            ModelKind::Classifier => FisherVariant::ClassifLogits,
        }
    }

    /// The Fisher variants this model has: its own, and the empirical one.
    pub fn check_fisher(self, variant: FisherVariant) -> Result<(), String> {
        if variant == FisherVariant::Empirical || variant == self.model_fisher() {
            return Ok(());
        }
        let name = |v: FisherVariant| serde_json::to_value(v).expect("a variant serialises");
        Err(format!(
            "the {} has the {} and the empirical Fisher, not {}",
            self.name(),
            name(self.model_fisher()),
            name(variant)
        ))
    }
}

/// Examples per forward pass whenever a set is scored: the result does not depend on it beyond
/// rounding, so one value everywhere keeps every score the same bits.
pub const EVAL_BATCH: usize = 1000;

/// How well a model does on a set: the mean loss (MSE, or cross-entropy) and, for the
/// classifier, the fraction classified right.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub loss: f64,
    pub accuracy: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Network {
    Autoencoder(Autoencoder<f32>),
    Classifier(Classifier<f32>),
}

/// One part of a batch: its examples' summed loss (squared error, or cross-entropy), how many
/// the classifier got right, and their share of the batch's gradient in `parameters()` order.
#[derive(Clone, Debug)]
pub struct GradientPart {
    pub loss_sum: f64,
    pub correct: usize,
    pub gradients: Vec<f32>,
}

impl Network {
    pub fn kind(&self) -> ModelKind {
        match self {
            Network::Autoencoder(_) => ModelKind::Autoencoder,
            Network::Classifier(_) => ModelKind::Classifier,
        }
    }

    /// n, the number of pixels.
    pub fn input_dim(&self) -> usize {
        match self {
            Network::Autoencoder(model) => model.input_dim(),
            Network::Classifier(model) => model.input_dim(),
        }
    }

    /// The widths between input and output: [m] for the autoencoder, h_1 … h_L for the
    /// classifier.
    pub fn widths(&self) -> Vec<usize> {
        match self {
            Network::Autoencoder(model) => vec![model.latent_dim()],
            Network::Classifier(model) => model.hidden_widths(),
        }
    }

    /// "autoencoder 784 → 20 → 784", "classifier 784 → 64 → 32 → 10".
    pub fn describe(&self) -> String {
        let output = match self {
            Network::Autoencoder(model) => model.input_dim(),
            Network::Classifier(model) => model.classes(),
        };
        let widths = std::iter::once(self.input_dim())
            .chain(self.widths())
            .chain(std::iter::once(output));
        let widths: Vec<String> = widths.map(|w| w.to_string()).collect();
        format!("{} {}", self.kind().name(), widths.join(" → "))
    }

    pub fn has_biases(&self) -> bool {
        match self {
            Network::Autoencoder(model) => model.has_biases(),
            Network::Classifier(_) => true,
        }
    }

    /// The weights on the pixels, [rows, n]: what information shells prune.
    pub fn first_layer(&self) -> &Array2<f32> {
        match self {
            Network::Autoencoder(model) => &model.encoder,
            Network::Classifier(model) => model.first_layer(),
        }
    }

    /// The same model with another first-layer matrix (how pruning masks are applied).
    pub fn with_first_layer(&self, weights: Array2<f32>) -> Network {
        match self {
            Network::Autoencoder(model) => Network::Autoencoder(model.with_encoder(weights)),
            Network::Classifier(model) => Network::Classifier(model.with_first_layer(weights)),
        }
    }

    /// Parameter tensors in a fixed order, the first layer's first (what Adam updates).
    pub fn parameters(&self) -> Vec<&[f32]> {
        match self {
            Network::Autoencoder(model) => model.parameters(),
            Network::Classifier(model) => model.parameters(),
        }
    }

    pub fn parameters_mut(&mut self) -> Vec<&mut [f32]> {
        match self {
            Network::Autoencoder(model) => model.parameters_mut(),
            Network::Classifier(model) => model.parameters_mut(),
        }
    }

    pub fn parameter_count(&self) -> usize {
        self.parameters().iter().map(|p| p.len()).sum()
    }

    pub fn is_finite(&self) -> bool {
        match self {
            Network::Autoencoder(model) => model.is_finite(),
            Network::Classifier(model) => model.is_finite(),
        }
    }

    /// The examples `rows` of `data` as a part of a batch of `batch_rows` examples.
    pub fn gradient_part(&self, data: &Dataset, rows: &[usize], batch_rows: usize) -> GradientPart {
        match self {
            Network::Autoencoder(model) => autoencoder_part(model, data, rows, batch_rows),
            Network::Classifier(model) => {
                let (x, sparse): (Array2<f32>, _) = data.batch_and_sparse(rows.iter().copied());
                let labels: Vec<u8> = rows.iter().map(|&row| data.labels[row]).collect();
                let (score, gradients) =
                    model.gradient_part_with(x.view(), &labels, sparse.as_ref(), batch_rows);
                GradientPart {
                    loss_sum: score.cross_entropy_sum,
                    correct: score.correct,
                    gradients: gradients.parameters().concat(),
                }
            }
        }
    }

    /// A batch's mean loss from its examples' summed loss: the MSE averages over pixels too.
    pub fn batch_loss(&self, loss_sum: f64, examples: usize) -> f64 {
        let per_example = match self {
            Network::Autoencoder(model) => model.input_dim(),
            Network::Classifier(_) => 1,
        };
        loss_sum / (examples * per_example).max(1) as f64
    }

    /// The score over all of `data`, `EVAL_BATCH` examples at a time.
    pub fn score(&self, data: &Dataset) -> Score {
        match self {
            Network::Autoencoder(model) => Score {
                loss: dataset_mse(model, data),
                accuracy: None,
            },
            Network::Classifier(model) => {
                let (mut loss_sum, mut correct) = (0.0, 0);
                for range in data.ranges(EVAL_BATCH) {
                    let x = data.batch::<f32>(range.clone());
                    let logits = model.forward(x.view()).logits;
                    let score = crate::classifier::score_logits(&logits, &data.labels[range]);
                    loss_sum += score.cross_entropy_sum;
                    correct += score.correct;
                }
                let examples = data.len().max(1) as f64;
                Score {
                    loss: loss_sum / examples,
                    accuracy: Some(correct as f64 / examples),
                }
            }
        }
    }

    /// A fresh Fisher sum of `variant`, which must be one this model has.
    pub fn fisher_sum(&self, variant: FisherVariant) -> FisherSum {
        match self {
            Network::Autoencoder(model) => {
                FisherSum::Autoencoder(Box::new(FisherAccumulator::new(model, variant)))
            }
            Network::Classifier(model) => {
                FisherSum::Classifier(Box::new(ClassifierFisherAccumulator::new(model, variant)))
            }
        }
    }
}

/// `Network::gradient_part` of an autoencoder (a pool's helper holds one, not a `Network`).
pub fn autoencoder_part(
    model: &Autoencoder<f32>,
    data: &Dataset,
    rows: &[usize],
    batch_rows: usize,
) -> GradientPart {
    let (x, sparse): (Array2<f32>, _) = data.batch_and_sparse(rows.iter().copied());
    let (loss_sum, gradients) = model.gradient_part_with(x.view(), sparse.as_ref(), batch_rows);
    GradientPart {
        loss_sum,
        correct: 0,
        gradients: gradients.to_flat(),
    }
}

/// Mean squared reconstruction error over all of `data` (PyTorch MSELoss over the whole set),
/// converting `EVAL_BATCH` examples at a time.
pub fn dataset_mse(model: &Autoencoder<f32>, data: &Dataset) -> f64 {
    let mut total = 0.0;
    for range in data.ranges(EVAL_BATCH) {
        let (x, sparse) = data.batch_and_sparse::<f32>(range);
        let output = model.forward_with(x.view(), sparse.as_ref()).output;
        total += sum_squared_error(&output, &x.view());
    }
    total / (data.len() * model.input_dim()).max(1) as f64
}

/// The classifier a run of `hidden` widths starts from, on `input_dim` pixels and `classes` classes.
pub fn classifier_init(input_dim: usize, hidden: &[usize], classes: usize, seed: u64) -> Network {
    Network::Classifier(Classifier::init(input_dim, hidden, classes, seed))
}

/// Either model's Fisher diagonal.
#[derive(Clone, Debug, PartialEq)]
pub enum Fisher {
    Autoencoder(FisherDiag<f32>),
    Classifier(ClassifierFisher<f32>),
}

impl Fisher {
    /// The model it is the Fisher of.
    pub fn kind(&self) -> ModelKind {
        match self {
            Fisher::Autoencoder(_) => ModelKind::Autoencoder,
            Fisher::Classifier(_) => ModelKind::Classifier,
        }
    }

    /// The first layer's values, [rows, n]: what the shells order.
    pub fn first_layer(&self) -> &Array2<f32> {
        match self {
            Fisher::Autoencoder(fisher) => &fisher.encoder,
            Fisher::Classifier(fisher) => fisher.first_layer(),
        }
    }

    /// Every value, in the parameters' order.
    pub fn all_values(&self) -> Vec<f32> {
        match self {
            Fisher::Autoencoder(fisher) => fisher.all_values().collect(),
            Fisher::Classifier(fisher) => fisher.all_values().collect(),
        }
    }

    pub fn examples(&self) -> usize {
        match self {
            Fisher::Autoencoder(fisher) => fisher.examples,
            Fisher::Classifier(fisher) => fisher.examples,
        }
    }

    pub fn variant(&self) -> FisherVariant {
        match self {
            Fisher::Autoencoder(fisher) => fisher.variant,
            Fisher::Classifier(fisher) => fisher.variant,
        }
    }

    /// The autoencoder's, for what only it has (the soft flow, the eigen-shells' old path).
    pub fn autoencoder(&self) -> Option<&FisherDiag<f32>> {
        match self {
            Fisher::Autoencoder(fisher) => Some(fisher),
            Fisher::Classifier(_) => None,
        }
    }
}

/// Either model's Fisher, summed batch by batch.
pub enum FisherSum {
    Autoencoder(Box<FisherAccumulator<f32>>),
    Classifier(Box<ClassifierFisherAccumulator<f32>>),
}

impl FisherSum {
    pub fn examples(&self) -> usize {
        match self {
            FisherSum::Autoencoder(sum) => sum.examples(),
            FisherSum::Classifier(sum) => sum.examples(),
        }
    }

    /// Adds the examples `range` of `data`.
    pub fn add_examples(&mut self, data: &Dataset, range: std::ops::Range<usize>) {
        match self {
            FisherSum::Autoencoder(sum) => sum.add_examples(data, range),
            FisherSum::Classifier(sum) => sum.add_examples(data, range),
        }
    }

    /// The mean over every example added.
    pub fn finish(self) -> Fisher {
        match self {
            FisherSum::Autoencoder(sum) => Fisher::Autoencoder(sum.finish()),
            FisherSum::Classifier(sum) => Fisher::Classifier(sum.finish()),
        }
    }
}

impl From<Autoencoder<f32>> for Network {
    fn from(model: Autoencoder<f32>) -> Network {
        Network::Autoencoder(model)
    }
}

/// A copy: what `Shells`, `Sweep` and `Analysis` keep of the model they are given.
impl From<&Autoencoder<f32>> for Network {
    fn from(model: &Autoencoder<f32>) -> Network {
        Network::Autoencoder(model.clone())
    }
}

impl From<&Network> for Network {
    fn from(model: &Network) -> Network {
        model.clone()
    }
}

impl From<Classifier<f32>> for Network {
    fn from(model: Classifier<f32>) -> Network {
        Network::Classifier(model)
    }
}

impl Network {
    /// The autoencoder, for what only it has (the soft flow, the eigen-shells).
    pub fn autoencoder(&self) -> Option<&Autoencoder<f32>> {
        match self {
            Network::Autoencoder(model) => Some(model),
            Network::Classifier(_) => None,
        }
    }

    pub fn classifier(&self) -> Option<&Classifier<f32>> {
        match self {
            Network::Classifier(model) => Some(model),
            Network::Autoencoder(_) => None,
        }
    }
}

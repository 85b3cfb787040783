//! What the page's main thread holds of an analysed model, so the Λ and evidence sliders redraw
//! without asking the worker: the shells at any cutoff, the fixed test digits' reconstructions,
//! and the later jobs' results. The worker's workbench writes it (`Workbench::view_bytes` and
//! friends) and the main thread reads it back here; the charts draw what it computes.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::analysing::Analysed;
use crate::data::Dataset;
use crate::eigen::run::EigenRow;
use crate::eigen::{EigenShells, EigenSummary};
use crate::finetune::FineTuneSummary;
use crate::network::{ModelKind, Network, Score};
use crate::network_weights::{read_network_wire, write_network_wire};
use crate::predictions::{predictions, Confusion, Prediction};
use crate::prune::{
    cutoff_at_position, cutoff_removing, image_mse, position_of_cutoff, reconstructions, Scheme,
    Shells,
};
use crate::softflow::{self, SoftFlow, SoftFlowConfig, SoftFlowSummary};
use crate::sweep::{scores_at, Bracket, Knee, SchemeScores, SweepRow};
use crate::wire::{Reader, WireError, Writer};

/// The analysis as the charts, the slider and the status need it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisSummary {
    pub model: ModelKind,
    pub rows: Vec<SweepRow>,
    pub unpruned: Score,
    pub knee: Option<Knee>,
    pub tolerance: f64,
    pub eval_examples: usize,
    pub fisher_examples: usize,
    pub encoder_mean: f64,
    pub all_parameters_mean: f64,
    pub zero_fraction: f64,
    /// The first random-pruning seed: the slider's random row repeats the sweep's first run.
    pub pruning_seed: u64,
}

/// The slider's sentence at one cutoff: `AnalysisView::reading`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CutoffReading {
    pub removed: usize,
    pub total: usize,
    /// Weights whose Fisher value is exactly 0: every cutoff removes them, Λ = 0 too.
    pub zeros: usize,
    /// The Fisher shells' test loss (and the classifier's accuracy) at `removed`.
    pub loss: f64,
    pub accuracy: Option<f64>,
    /// True when `removed` is a count the sweep scored; false when read between two.
    pub swept: bool,
    pub unpruned: Score,
}

/// What the hockey stick shows at one count removed: every scheme's score, and the
/// eigen-shells' with as many directions removed (none before they run): `AnalysisView::hockey_at`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HockeyReading {
    #[serde(flatten)]
    pub schemes: SchemeScores,
    pub eigen: Option<f64>,
    pub eigen_accuracy: Option<f64>,
}

/// Labelled rows of the fixed digits' reconstructions, each image with its MSE.
pub struct Reconstructions {
    /// Image size: rows, cols.
    pub shape: (usize, usize),
    pub originals: Vec<f32>,
    pub rows: Vec<ReconstructionRow>,
}

pub struct ReconstructionRow {
    pub label: String,
    pub images: Vec<f32>,
    pub mse: Vec<f64>,
}

/// The orders the digits' rows show at a cutoff, with their labels.
const SCHEMES: [(&str, Scheme); 4] = [
    ("Fisher", Scheme::Fisher),
    ("random", Scheme::Random),
    ("magnitude", Scheme::Magnitude),
    ("saliency", Scheme::Saliency),
];

/// Single posterior draws shown under the soft flow's mean: the blur the mean averages away.
const SINGLE_DRAWS: usize = 2;

/// A labelled row of the fixed digits' predictions.
pub struct PredictionRow {
    pub label: String,
    pub predictions: Vec<Prediction>,
}

pub struct AnalysisView {
    shells: Shells,
    fisher_values: Vec<f32>,
    digits: Dataset,
    /// The test images the sweep scored (the classifier's confusion matrix counts over them;
    /// empty for the autoencoder, which needs only the digits).
    eval: Dataset,
    summary: AnalysisSummary,
    fine_tune: Option<FineTuneSummary>,
    eigen: Option<(EigenSummary, EigenShells)>,
    soft_flow: Option<(SoftFlowSummary, SoftFlow)>,
}

/// An analysed model for an `AnalysisView`: the model, its first layer's Fisher, the fixed
/// test digits (the first of each label in `test`), the classifier's scored test images, and
/// the analysis' summary.
pub fn view_bytes(model: &Network, analysed: &Analysed, test: &Dataset) -> Vec<u8> {
    let result = &analysed.result;
    let digits = test.select(&test.first_of_each_label());
    let eval = match model {
        Network::Classifier(_) => test.first(result.eval_examples),
        Network::Autoencoder(_) => test.first(0),
    };
    let summary = AnalysisSummary {
        model: model.kind(),
        rows: result.rows.clone(),
        unpruned: result.unpruned,
        knee: result.knee.clone(),
        tolerance: result.tolerance,
        eval_examples: result.eval_examples,
        fisher_examples: result.fisher.examples(),
        encoder_mean: result.stats.encoder.mean,
        all_parameters_mean: result.stats.all_parameters.mean,
        zero_fraction: result.stats.encoder.zero_fraction,
        pruning_seed: analysed.pruning_seed,
    };
    let mut out = Writer::new();
    write_network_wire(model, &mut out);
    let fisher: Vec<f32> = result.fisher.first_layer().iter().copied().collect();
    out.f32s(&fisher).usize(digits.rows).usize(digits.cols);
    for set in [&digits, &eval] {
        out.bytes(&set.labels).bytes(&set.pixels);
    }
    out.json(&summary);
    out.finish()
}

/// Finished eigen-shells for `AnalysisView::set_eigen`.
pub fn eigen_bytes(summary: &EigenSummary, shells: &EigenShells) -> Vec<u8> {
    let (values, vectors, coefficients) = shells.flat();
    let mut out = Writer::new();
    out.json(summary)
        .f64s(&values)
        .f32s(&vectors)
        .f64s(&coefficients);
    out.finish()
}

impl AnalysisView {
    /// From `Workbench::view_bytes`.
    pub fn from_bytes(bytes: &[u8]) -> Result<AnalysisView, WireError> {
        let mut input = Reader::new(bytes, "the analysed model");
        let model = read_network_wire(&mut input)?;
        let fisher =
            Array2::from_shape_vec(model.first_layer().dim(), input.f32s()?).map_err(|_| {
                WireError {
                    what: "the analysed model",
                    problem: "the Fisher values do not match the first layer's shape".into(),
                }
            })?;
        let (rows, cols) = (input.usize()?, input.usize()?);
        let mut set = || -> Result<Dataset, WireError> {
            let labels = input.bytes()?.to_vec();
            let pixels = input.bytes()?.to_vec();
            if pixels.len() != labels.len() * rows * cols {
                return Err(WireError {
                    what: "the analysed model",
                    problem: "the test images do not match their labels".into(),
                });
            }
            Ok(Dataset::new(rows, cols, labels, pixels))
        };
        let (digits, eval) = (set()?, set()?);
        let summary: AnalysisSummary = input.json()?;
        input.finish()?;
        Ok(AnalysisView {
            fisher_values: fisher.iter().copied().collect(),
            shells: Shells::new(&model, &fisher, summary.pruning_seed),
            digits,
            eval,
            summary,
            fine_tune: None,
            eigen: None,
            soft_flow: None,
        })
    }

    pub fn summary(&self) -> &AnalysisSummary {
        &self.summary
    }

    /// The encoder's Fisher values, row-major.
    pub fn fisher_values(&self) -> &[f32] {
        &self.fisher_values
    }

    pub fn fisher(&self) -> &Array2<f32> {
        self.shells.fisher()
    }

    /// The fixed digits' size: rows, cols.
    pub fn image_shape(&self) -> (usize, usize) {
        (self.digits.rows, self.digits.cols)
    }

    /// The cutoff at slider position `t` in [0, 1]: Λ = 0 at 0, then equal counts removed
    /// (`prune::cutoff_at_position`).
    pub fn cutoff_at(&self, t: f64) -> f32 {
        cutoff_at_position(self.shells.sorted_fisher(), t)
    }

    /// The smallest cutoff removing at least `count` weights (a click on the hockey stick).
    pub fn cutoff_removing(&self, count: usize) -> f32 {
        cutoff_removing(self.shells.sorted_fisher(), count)
    }

    /// The slider position of `cutoff`.
    pub fn position_of(&self, cutoff: f32) -> f64 {
        position_of_cutoff(self.shells.sorted_fisher(), cutoff)
    }

    /// What the line under the slider says at `cutoff`: the count removed and the Fisher shells'
    /// test score there, read off the sweep (exact at a swept count such as the knee's, linear
    /// between the two swept counts around it otherwise).
    pub fn reading(&self, cutoff: f32) -> CutoffReading {
        let removed = self.removed(cutoff);
        let rows = &self.summary.rows;
        let (score, swept) = match Bracket::find(rows, |row| row.removed, removed) {
            Some(at) => {
                let loss = at.read(rows, |row| Some(row.fisher_loss));
                let accuracy = at.read(rows, |row| row.fisher_accuracy);
                let loss = loss.unwrap_or(self.summary.unpruned.loss);
                (Score { loss, accuracy }, at.swept())
            }
            // Outside the sweep (it always spans 0 to every weight, so only for a partial view).
            None => (self.summary.unpruned, false),
        };
        CutoffReading {
            removed,
            total: self.total(),
            zeros: self.removed(0.0),
            loss: score.loss,
            accuracy: score.accuracy,
            swept,
            unpruned: self.summary.unpruned,
        }
    }

    /// Every scheme's score at `removed` weights, and the eigen-shells' at as many directions,
    /// each read off its rows as `reading` reads the Fisher shells'.
    pub fn hockey_at(&self, removed: usize) -> HockeyReading {
        let eigen = self.eigen_summary().map_or(&[][..], |e| &e.rows[..]);
        let at = Bracket::find(eigen, |row| row.removed, removed);
        let read = |value: fn(&EigenRow) -> Option<f64>| at.and_then(|at| at.read(eigen, value));
        HockeyReading {
            schemes: scores_at(&self.summary.rows, removed, self.total()),
            eigen: read(|row| Some(row.eigen_mse)),
            eigen_accuracy: read(|row| row.eigen_accuracy),
        }
    }

    /// Encoder weights the cutoff removes, |{F ≤ Λ}|.
    pub fn removed(&self, cutoff: f32) -> usize {
        self.shells.removed(cutoff)
    }

    /// Encoder weights in all.
    pub fn total(&self) -> usize {
        self.fisher_values.len()
    }

    /// Λ*, if the sweep found one.
    pub fn knee_cutoff(&self) -> Option<f32> {
        self.summary.knee.as_ref().map(|k| k.cutoff)
    }

    /// Originals, then the Fisher-, random-, magnitude- and saliency-pruned reconstructions at
    /// `cutoff`, all with the same number of weights removed (none for the classifier, which
    /// reconstructs nothing).
    pub fn reconstructions(&self, cutoff: f32) -> Reconstructions {
        let k = self.removed(cutoff);
        let rows =
            SCHEMES.map(|(label, scheme)| self.row(label.into(), &self.shells.pruned(scheme, k)));
        self.with_originals(rows.into())
    }

    /// The classifier's answers on the fixed digits: unpruned, then Fisher-, random-,
    /// magnitude- and saliency-pruned with the weights `cutoff` removes (none for the
    /// autoencoder).
    pub fn predictions(&self, cutoff: f32) -> Option<Vec<PredictionRow>> {
        self.shells.model().classifier()?;
        let k = self.removed(cutoff);
        let row = |label: &str, model: &Network| PredictionRow {
            label: label.to_string(),
            predictions: predictions(model.classifier().expect("a classifier"), &self.digits),
        };
        let mut rows = vec![row("unpruned", self.shells.model())];
        rows.extend(SCHEMES.map(|(label, scheme)| row(label, &self.shells.pruned(scheme, k))));
        Some(rows)
    }

    /// The true labels of the fixed digits.
    pub fn digit_labels(&self) -> &[u8] {
        &self.digits.labels
    }

    /// The fixed digits' pixels in [0, 1], one image after another.
    pub fn digit_images(&self) -> Vec<f32> {
        self.originals().into_raw_vec_and_offset().0
    }

    /// The Fisher-pruned classifier's confusion matrix at `cutoff` over the scored test images
    /// (none for the autoencoder).
    pub fn confusion(&self, cutoff: f32) -> Option<Confusion> {
        let pruned = self.shells.pruned(Scheme::Fisher, self.removed(cutoff));
        let model = pruned.classifier()?;
        Some(Confusion::of(
            &predictions(model, &self.eval),
            model.classes(),
        ))
    }

    fn row(&self, label: String, model: &Network) -> ReconstructionRow {
        let Some(model) = model.autoencoder() else {
            return ReconstructionRow {
                label,
                images: Vec::new(),
                mse: Vec::new(),
            };
        };
        let (output, mse) = reconstructions(model, &self.digits);
        ReconstructionRow {
            label,
            images: output.into_raw_vec_and_offset().0,
            mse,
        }
    }

    fn originals(&self) -> Array2<f32> {
        self.digits.batch::<f32>(0..self.digits.len())
    }

    fn with_originals(&self, rows: Vec<ReconstructionRow>) -> Reconstructions {
        Reconstructions {
            shape: self.image_shape(),
            originals: self.digit_images(),
            rows,
        }
    }

    /// Fine-tuning's results: the hockey stick shows them.
    pub fn set_fine_tune(&mut self, summary: FineTuneSummary) {
        self.fine_tune = Some(summary);
    }

    pub fn fine_tune(&self) -> Option<&FineTuneSummary> {
        self.fine_tune.as_ref()
    }

    /// The eigen-shells, from `Workbench::eigen_bytes`.
    pub fn set_eigen(&mut self, bytes: &[u8]) -> Result<(), WireError> {
        let mut input = Reader::new(bytes, "the eigen-shells");
        let summary: EigenSummary = input.json()?;
        let (values, vectors, coefficients) = (input.f64s()?, input.f32s()?, input.f64s()?);
        input.finish()?;
        let problem = |problem: String| WireError {
            what: "the eigen-shells",
            problem,
        };
        let shells = EigenShells::from_flat(self.shells.model(), values, vectors, coefficients)
            .map_err(problem)?;
        self.eigen = Some((summary, shells));
        Ok(())
    }

    pub fn eigen_summary(&self) -> Option<&EigenSummary> {
        self.eigen.as_ref().map(|(summary, _)| summary)
    }

    /// Directions the eigen-shell cutoff Λ removes, |{(j, k) : λ_jk ≤ Λ}|.
    pub fn eigen_removed(&self, cutoff: f32) -> Option<usize> {
        let (_, shells) = self.eigen.as_ref()?;
        Some(shells.removed(cutoff as f64))
    }

    /// The fixed digits; the diagonal shells at `cutoff`; the eigen-shells at `cutoff`; and the
    /// eigen-shells with as many directions removed as the diagonal shells remove weights.
    pub fn eigen_reconstructions(&self, cutoff: f32) -> Option<Reconstructions> {
        let (_, eigen) = self.eigen.as_ref()?;
        let k = self.removed(cutoff);
        let k_eigen = eigen.removed(cutoff as f64);
        let rows = vec![
            self.row(
                format!("diagonal: {k} weights"),
                &self.shells.pruned(Scheme::Fisher, k),
            ),
            self.row(
                format!("eigen at Λ: {k_eigen} dirs"),
                &eigen.pruned(k_eigen),
            ),
            self.row(format!("eigen: {k} dirs"), &eigen.pruned(k)),
        ];
        Some(self.with_originals(rows))
    }

    /// The soft flow's curve; the evidence slider redraws from the flow it gives back.
    pub fn set_soft_flow(&mut self, summary: SoftFlowSummary) {
        let Some(model) = self.shells.model().autoencoder() else {
            return;
        };
        let config = SoftFlowConfig {
            alpha: summary.alpha,
            samples: summary.samples,
            seed: summary.seed,
        };
        let flow = SoftFlow::new(model, self.shells.fisher(), config);
        self.soft_flow = Some((summary, flow));
    }

    pub fn soft_flow(&self) -> Option<&SoftFlowSummary> {
        self.soft_flow.as_ref().map(|(summary, _)| summary)
    }

    /// The most evidence the flow starts from: the Fisher's examples.
    pub fn max_evidence(&self) -> usize {
        self.summary.fisher_examples
    }

    /// The evidence at slider position `t` in [0, 1], log-spaced from 0 to `max_evidence`.
    pub fn evidence_at(&self, t: f64) -> f64 {
        softflow::evidence_at(t, self.max_evidence())
    }

    pub fn evidence_position(&self, evidence: f64) -> f64 {
        softflow::evidence_position(evidence, self.max_evidence())
    }

    /// Weights washed out at `evidence` (posterior std above |E*|).
    pub fn washed_out(&self, evidence: f64) -> Option<usize> {
        let (summary, _) = self.soft_flow.as_ref()?;
        Some(softflow::washed_out(
            self.shells.model().first_layer(),
            self.shells.fisher(),
            evidence,
            summary.alpha,
        ))
    }

    /// The fixed digits, and their posterior-predictive mean reconstructions at `evidence`.
    pub fn soft_reconstructions(&self, evidence: f64) -> Option<Reconstructions> {
        let (_, flow) = self.soft_flow.as_ref()?;
        let (mean, singles) = flow.reconstructions(evidence, &self.digits, SINGLE_DRAWS);
        let originals = self.originals();
        let row = |label: String, images: Array2<f32>| ReconstructionRow {
            mse: image_mse(&images, &originals),
            label,
            images: images.into_raw_vec_and_offset().0,
        };
        let mut rows = vec![row(
            format!("mean of {} draws", flow.config().samples),
            mean,
        )];
        for (s, images) in singles.into_iter().enumerate() {
            rows.push(row(format!("draw {}", s + 1), images));
        }
        Some(self.with_originals(rows))
    }
}

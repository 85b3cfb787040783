//! The eigen-shell analysis of a model, in steps, after its diagonal analysis: the blocks K_j
//! over the Fisher's examples, one eigendecomposition per first-layer row, then the test score
//! (the model's loss, and the classifier's accuracy) at each removed count of the diagonal sweep,
//! so the two hockey sticks compare at equal counts.
//! `reproduce --eigen` runs it to the end; the page's worker steps it.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::blocks::{BlockAccumulator, FisherBlocks};
use super::shells::{decompose_row, EigenShells, RowEigen, SymmetricEigen};
use crate::data::Dataset;
use crate::fisher::{SumOverExamples, FISHER_BATCH};
use crate::network::Network;
use crate::sweep::SweepRow;

/// The eigen-shells at one count, beside the diagonal shells at the same count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EigenRow {
    /// Directions removed by the eigen-shells, weights by the diagonal ones.
    pub removed: usize,
    pub fraction: f64,
    /// The eigenvalue of the last direction removed: the smallest eigen-shell cutoff removing
    /// `removed` (none at 0).
    pub eigen_cutoff: Option<f64>,
    /// The model's test loss: the MSE, or the classifier's cross-entropy (the name is the
    /// autoencoder's reports').
    pub eigen_mse: f64,
    /// The diagonal (coordinate) shells' test loss at the same count, from the sweep.
    pub fisher_mse: f64,
    /// The classifier's test accuracy (none for the autoencoder, whose JSON then has no key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eigen_accuracy: Option<f64>,
    /// The diagonal shells' test accuracy at the same count, from the sweep.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fisher_accuracy: Option<f64>,
}

/// What the eigen-shell analysis found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EigenSummary {
    /// Examples the blocks average over (the Fisher's).
    pub examples: usize,
    /// max over (j, i) of |K_j[i,i] - F[j,i]| / F[j,i], F > 0: the blocks' diagonal against the
    /// diagonal Fisher, computed separately.
    pub diagonal_max_relative_error: f64,
    /// The unpruned model's test loss (MSE, or cross-entropy).
    pub unpruned_mse: f64,
    pub tolerance: f64,
    pub rows: Vec<EigenRow>,
    /// Where the test loss leaves the tolerance: the count after the last sweep count within it
    /// at every count up to there (as the knee is found for the diagonal shells), refined by
    /// bisection between that count and the next.
    pub within_tolerance: Option<EigenCrossing>,
}

/// The most directions removed within the tolerance: the test loss `mse` at `removed` is within
/// it, and one more direction (`mse_after`, unless every direction is removed) is not.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EigenCrossing {
    pub removed: usize,
    pub fraction: f64,
    pub eigen_cutoff: Option<f64>,
    pub mse: f64,
    pub mse_after: Option<f64>,
}

/// Where an eigen-shell analysis stands after a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "stage", rename_all = "lowercase")]
pub enum EigenProgress {
    /// Examples summed into the blocks, of `total`.
    Blocks {
        done: usize,
        total: usize,
    },
    /// First-layer rows decomposed, of `total`.
    Decompose {
        done: usize,
        total: usize,
    },
    /// Counts scored, of `total`.
    Sweep {
        done: usize,
        total: usize,
    },
    /// Bisection steps towards the tolerance's crossing, of at most `total`.
    Refine {
        done: usize,
        total: usize,
    },
    Done,
}

enum Stage {
    Blocks(Box<BlockAccumulator<f32>>),
    Decompose(Box<FisherBlocks>, Vec<RowEigen>),
    Sweep(Box<EigenShells>),
    /// Bisection: `within` is within the tolerance (with its loss), `beyond` is not.
    Refine {
        shells: Box<EigenShells>,
        within: (usize, f64),
        beyond: (usize, f64),
        steps: usize,
    },
    Done(Box<EigenShells>),
}

pub struct EigenRun {
    model: Network,
    fisher_first_layer: Array2<f32>,
    examples: usize,
    /// The diagonal sweep's (count, loss, accuracy), ascending by count, without repeats.
    targets: Vec<(usize, f64, Option<f64>)>,
    summary: EigenSummary,
    solver: SymmetricEigen,
    /// Always set between calls; taken while a step moves it on.
    stage: Option<Stage>,
}

impl EigenRun {
    /// For `model`, whose diagonal analysis gave the first layer's Fisher `fisher_first_layer`
    /// over `examples` examples and the sweep `rows` with the test loss `unpruned_mse`; the
    /// blocks are decomposed by `solver`.
    pub fn new(
        model: impl Into<Network>,
        fisher_first_layer: &Array2<f32>,
        examples: usize,
        rows: &[SweepRow],
        unpruned_mse: f64,
        tolerance: f64,
        solver: SymmetricEigen,
    ) -> Self {
        let model = model.into();
        let targets: Vec<_> = (rows.iter())
            .map(|r| (r.removed, r.fisher_loss, r.fisher_accuracy))
            .collect();
        let mut targets = crate::sorting::sorted_copies(&targets, |&(removed, ..)| removed as f64);
        targets.dedup_by_key(|&mut (removed, ..)| removed);
        let accumulator = BlockAccumulator::new(&model);
        EigenRun {
            model,
            fisher_first_layer: fisher_first_layer.clone(),
            examples,
            targets,
            summary: EigenSummary {
                examples,
                diagonal_max_relative_error: f64::NAN,
                unpruned_mse,
                tolerance,
                rows: Vec::new(),
                within_tolerance: None,
            },
            solver,
            stage: Some(Stage::Blocks(Box::new(accumulator))),
        }
    }

    /// One step: a batch of the blocks, one row's eigendecomposition, or one count of the sweep.
    /// `split` is the Fisher's split (its first `examples` are used) and `test` the images scored;
    /// the same on every call.
    pub fn step(&mut self, split: &Dataset, test: &Dataset) -> EigenProgress {
        let m = self.model.first_layer().nrows();
        let stage = self.stage.take().expect("a stage is set between calls");
        let (next, progress) = match stage {
            Stage::Blocks(mut accumulator) => {
                let total = self.examples.min(split.len());
                let start = accumulator.examples();
                let end = (start + FISHER_BATCH).min(total);
                accumulator.add_examples(split, start..end);
                let progress = EigenProgress::Blocks { done: end, total };
                if end < total {
                    (Stage::Blocks(accumulator), progress)
                } else {
                    let blocks = accumulator.finish();
                    self.summary.examples = blocks.examples();
                    self.summary.diagonal_max_relative_error =
                        max_relative_error(&blocks.diagonal(), &self.fisher_first_layer);
                    (Stage::Decompose(Box::new(blocks), Vec::new()), progress)
                }
            }
            Stage::Decompose(blocks, mut rows) => {
                let j = rows.len();
                let row = self.model.first_layer().row(j);
                rows.push(decompose_row(&blocks, j, &row.to_vec(), self.solver));
                let progress = EigenProgress::Decompose {
                    done: rows.len(),
                    total: m,
                };
                if rows.len() < m {
                    (Stage::Decompose(blocks, rows), progress)
                } else {
                    (
                        Stage::Sweep(Box::new(EigenShells::new(&self.model, rows))),
                        progress,
                    )
                }
            }
            Stage::Sweep(shells) => {
                let (removed, fisher_mse, fisher_accuracy) = self.targets[self.summary.rows.len()];
                let eigen = shells.pruned(removed).score(test);
                self.summary.rows.push(EigenRow {
                    removed,
                    fraction: removed as f64 / self.weights().max(1) as f64,
                    eigen_cutoff: shells.cutoff_for(removed),
                    eigen_mse: eigen.loss,
                    fisher_mse,
                    eigen_accuracy: eigen.accuracy,
                    fisher_accuracy,
                });
                let (done, total) = (self.summary.rows.len(), self.targets.len());
                let progress = EigenProgress::Sweep { done, total };
                if done < total {
                    (Stage::Sweep(shells), progress)
                } else {
                    (self.start_refining(shells), progress)
                }
            }
            Stage::Refine {
                shells,
                within,
                beyond,
                steps,
            } => {
                let middle = within.0 + (beyond.0 - within.0) / 2;
                let loss = shells.pruned(middle).score(test).loss;
                let (within, beyond) = if loss <= self.limit() {
                    ((middle, loss), beyond)
                } else {
                    (within, (middle, loss))
                };
                let total = steps + bisection_steps(beyond.0 - within.0);
                let progress = EigenProgress::Refine {
                    done: steps + 1,
                    total: total + 1,
                };
                let stage = Stage::Refine {
                    shells,
                    within,
                    beyond,
                    steps: steps + 1,
                };
                (self.finish_refining(stage), progress)
            }
            Stage::Done(shells) => (Stage::Done(shells), EigenProgress::Done),
        };
        self.stage = Some(next);
        progress
    }

    pub fn is_done(&self) -> bool {
        matches!(self.stage, Some(Stage::Done(_)))
    }

    /// Runs every remaining step.
    pub fn run(mut self, split: &Dataset, test: &Dataset) -> (EigenSummary, EigenShells) {
        while !self.is_done() {
            self.step(split, test);
        }
        self.into_results()
            .expect("the loop ends when the run is done")
    }

    /// The summary and the decompositions (for pruning at any cutoff), once done.
    pub fn into_results(self) -> Option<(EigenSummary, EigenShells)> {
        match self.stage {
            Some(Stage::Done(shells)) => Some((self.summary, *shells)),
            _ => None,
        }
    }

    fn limit(&self) -> f64 {
        self.summary.unpruned_mse * (1.0 + self.summary.tolerance)
    }

    /// The first layer's weights: every direction removed.
    fn weights(&self) -> usize {
        self.model.first_layer().len()
    }

    /// Bisects between the last sweep count within the tolerance and the next one, if any.
    fn start_refining(&mut self, shells: Box<EigenShells>) -> Stage {
        let limit = self.limit();
        let rows = &self.summary.rows;
        let within = rows.iter().take_while(|row| row.eigen_mse <= limit).count();
        if within == 0 {
            return Stage::Done(shells);
        }
        let last = &rows[within - 1];
        let beyond = rows.get(within).map(|row| (row.removed, row.eigen_mse));
        let stage = match beyond {
            Some(beyond) => Stage::Refine {
                shells,
                within: (last.removed, last.eigen_mse),
                beyond,
                steps: 0,
            },
            // The last count is within: the crossing, if any, lies past it, up to every
            // direction removed (one more than that stands for "none beyond").
            None => Stage::Refine {
                within: (last.removed, last.eigen_mse),
                beyond: (self.weights() + 1, f64::NAN),
                shells,
                steps: 0,
            },
        };
        self.finish_refining(stage)
    }

    /// Ends the bisection once the two counts are adjacent.
    fn finish_refining(&mut self, stage: Stage) -> Stage {
        let Stage::Refine {
            shells,
            within,
            beyond,
            steps,
        } = stage
        else {
            return stage;
        };
        if beyond.0 - within.0 > 1 {
            return Stage::Refine {
                shells,
                within,
                beyond,
                steps,
            };
        }
        let total = self.weights();
        self.summary.within_tolerance = Some(EigenCrossing {
            removed: within.0,
            fraction: within.0 as f64 / total.max(1) as f64,
            eigen_cutoff: shells.cutoff_for(within.0),
            mse: within.1,
            mse_after: (within.0 < total).then_some(beyond.1),
        });
        Stage::Done(shells)
    }
}

/// Halvings to narrow a gap of `gap` counts to adjacent ones.
fn bisection_steps(gap: usize) -> usize {
    (usize::BITS - gap.saturating_sub(1).leading_zeros()) as usize
}

fn max_relative_error(diagonal: &Array2<f64>, fisher: &Array2<f32>) -> f64 {
    diagonal
        .iter()
        .zip(fisher)
        .filter(|(_, &f)| f > 0.0)
        .map(|(&k, &f)| (k - f as f64).abs() / f as f64)
        .fold(0.0, f64::max)
}

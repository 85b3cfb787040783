//! The renormalization of a trained model, in steps: the diagonal Fisher over a split (SPEC.md,
//! "Diagonal Fisher of the encoder"), then the hockey-stick sweep over the cutoff Λ and its knee
//! Λ* (SPEC.md, "Information-shell pruning"). `reproduce` runs it to the end; the page's worker
//! steps it, reporting progress and stopping when asked. Both therefore print the same numbers.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::data::manifest::Split;
use crate::data::Dataset;
use crate::fisher::{FisherTerms, FisherVariant, FISHER_BATCH};
use crate::network::{Fisher, FisherSum, Network, Score};
use crate::summary::FisherStats;
use crate::sweep::{information_scale, log_grid, paper_grid, Baselines, Knee, Sweep, SweepRow};

/// Which cutoffs the sweep scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Grid {
    /// 0, then `points - 1` log-spaced cutoffs from the smallest positive Fisher value to the largest.
    Log,
    /// The paper's 0, 0.125, ..., 2.375.
    Paper,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnalysisConfig {
    pub fisher_split: Split,
    /// Average the Fisher over the first this many examples of its split (all when `None`): the
    /// page trains on a prefix of the training split and takes the Fisher over that prefix.
    pub fisher_examples: Option<usize>,
    pub fisher_variant: FisherVariant,
    pub grid: Grid,
    pub grid_points: usize,
    /// The removal orders scored beside Fisher's.
    pub baselines: Baselines,
    /// Score on the first this many test images (all when `None`).
    pub eval_examples: Option<usize>,
    /// Relative test-loss tolerance that defines the knee Λ*.
    pub tolerance: f64,
}

/// Everything the analysis found.
#[derive(Clone, Debug)]
pub struct AnalysisResult {
    pub fisher: Fisher,
    pub stats: FisherStats,
    pub eval_examples: usize,
    /// The unpruned model's score on the sweep's test images.
    pub unpruned: Score,
    pub rows: Vec<SweepRow>,
    pub knee: Option<Knee>,
    pub tolerance: f64,
}

/// Where an analysis stands after a step.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "stage", rename_all = "lowercase")]
pub enum AnalysisProgress {
    /// Examples of the Fisher's split done so far, of `total`.
    Fisher {
        done: usize,
        total: usize,
    },
    /// Grid cutoffs scored so far, of `total`; `row` is the one this step scored.
    Sweep {
        done: usize,
        total: usize,
        row: Box<SweepRow>,
    },
    Done,
}

struct SweepStage {
    fisher: Fisher,
    sweep: Sweep,
    unpruned: Score,
    eval_examples: usize,
}

/// The stage after a Fisher batch: more batches, or the finished Fisher.
fn after_fisher_batch(accumulator: Box<FisherSum>, total: usize) -> (Stage, AnalysisProgress) {
    let done = accumulator.examples();
    let progress = AnalysisProgress::Fisher { done, total };
    if done < total {
        (Stage::Fisher(accumulator), progress)
    } else {
        let fisher = Box::new((*accumulator).finish());
        (Stage::FisherDone(fisher), progress)
    }
}

/// Boxed: each stage holds megabytes of buffers, and only one exists at a time.
enum Stage {
    Fisher(Box<FisherSum>),
    /// The Fisher is done; the next step sets the sweep up (so its cost counts as the sweep's).
    FisherDone(Box<Fisher>),
    Sweep(Box<SweepStage>),
    Done(Box<AnalysisResult>),
}

pub struct Analysis {
    model: Network,
    config: AnalysisConfig,
    /// Always set between calls; taken while a step moves it on.
    stage: Option<Stage>,
}

impl Analysis {
    /// `config.fisher_variant` must be one the model has (`ModelKind::check_fisher`).
    pub fn new(model: impl Into<Network>, config: AnalysisConfig) -> Self {
        let model = model.into();
        Analysis {
            stage: Some(Stage::Fisher(Box::new(
                model.fisher_sum(config.fisher_variant),
            ))),
            model,
            config,
        }
    }

    pub fn config(&self) -> &AnalysisConfig {
        &self.config
    }

    /// The model analysed.
    pub fn model(&self) -> &Network {
        &self.model
    }

    /// One step: a batch of the Fisher, or one cutoff of the sweep. `train` and `test` are the
    /// splits, the same on every call.
    pub fn step(&mut self, train: &Dataset, test: &Dataset) -> AnalysisProgress {
        let stage = self.stage.take().expect("a stage is set between calls");
        let (next, progress) = match stage {
            Stage::Fisher(mut accumulator) => {
                let data = self.fisher_data(train, test);
                let total = self.fisher_total(data);
                let start = accumulator.examples();
                let end = (start + FISHER_BATCH).min(total);
                accumulator.add_examples(data, start..end);
                after_fisher_batch(accumulator, total)
            }
            Stage::FisherDone(fisher) => {
                let stage = self.start_sweep(*fisher, test);
                self.stage = Some(stage);
                return self.step(train, test);
            }
            Stage::Sweep(mut stage) => {
                let total = stage.sweep.cutoff_count();
                let row = (stage.sweep.step().cloned()).expect("a sweep stage has cutoffs left");
                let done = stage.sweep.rows().len();
                let row = Box::new(row);
                let progress = AnalysisProgress::Sweep { done, total, row };
                let next = if done < total {
                    Stage::Sweep(stage)
                } else {
                    self.finish(*stage)
                };
                (next, progress)
            }
            Stage::Done(result) => (Stage::Done(result), AnalysisProgress::Done),
        };
        self.stage = Some(next);
        progress
    }

    /// Examples the Fisher has summed so far; `None` outside the Fisher stage.
    pub fn fisher_examples_done(&self) -> Option<usize> {
        match &self.stage {
            Some(Stage::Fisher(accumulator)) => Some(accumulator.examples()),
            _ => None,
        }
    }

    /// The split the Fisher averages over.
    pub fn fisher_data<'a>(&self, train: &'a Dataset, test: &'a Dataset) -> &'a Dataset {
        match self.config.fisher_split {
            Split::Train => train,
            Split::Test => test,
        }
    }

    /// Adds the terms of the Fisher's next batch (the one `step` would compute next), computed
    /// by an identical accumulator elsewhere: a pool of workers splits the autoencoder's Fisher
    /// so. `None`, changing nothing, outside the autoencoder's Fisher stage.
    pub fn add_fisher_terms(
        &mut self,
        terms: &FisherTerms<f32>,
        train: &Dataset,
        test: &Dataset,
    ) -> Option<AnalysisProgress> {
        let total = self.fisher_total(self.fisher_data(train, test));
        let Some(Stage::Fisher(sum)) = &mut self.stage else {
            return None;
        };
        let FisherSum::Autoencoder(accumulator) = sum.as_mut() else {
            return None;
        };
        accumulator.add_terms(terms);
        let Some(Stage::Fisher(accumulator)) = self.stage.take() else {
            unreachable!("matched just above")
        };
        let (next, progress) = after_fisher_batch(accumulator, total);
        self.stage = Some(next);
        Some(progress)
    }

    /// The sweep, set up first if the Fisher has just finished (as the next `step` would):
    /// a pool of workers scores some of its orders on identical sweeps (`Sweep::take_scores`).
    /// With it, the Fisher's encoder values and how many of the first test images it scores on;
    /// `None` outside the sweep stage.
    pub fn sweep(&mut self, test: &Dataset) -> Option<(&mut Sweep, &Array2<f32>, usize)> {
        if let Some(Stage::FisherDone(_)) = self.stage {
            let Some(Stage::FisherDone(fisher)) = self.stage.take() else {
                unreachable!("matched just above")
            };
            self.stage = Some(self.start_sweep(*fisher, test));
        }
        match &mut self.stage {
            Some(Stage::Sweep(stage)) => Some((
                &mut stage.sweep,
                stage.fisher.first_layer(),
                stage.eval_examples,
            )),
            _ => None,
        }
    }

    /// `sweep`'s answer without setting the sweep up: `None` until it has started.
    pub fn sweep_stage(&self) -> Option<(&Sweep, &Array2<f32>, usize)> {
        match &self.stage {
            Some(Stage::Sweep(stage)) => Some((
                &stage.sweep,
                stage.fisher.first_layer(),
                stage.eval_examples,
            )),
            _ => None,
        }
    }

    /// Examples the Fisher averages over, given its split.
    pub fn fisher_total(&self, split: &Dataset) -> usize {
        self.config
            .fisher_examples
            .map_or(split.len(), |count| count.min(split.len()))
    }

    pub fn is_done(&self) -> bool {
        matches!(self.stage, Some(Stage::Done(_)))
    }

    /// The result, once the last cutoff is scored.
    pub fn result(&self) -> Option<&AnalysisResult> {
        match &self.stage {
            Some(Stage::Done(result)) => Some(result),
            _ => None,
        }
    }

    pub fn into_result(self) -> Option<AnalysisResult> {
        match self.stage {
            Some(Stage::Done(result)) => Some(*result),
            _ => None,
        }
    }

    /// Runs every remaining step.
    pub fn run(mut self, train: &Dataset, test: &Dataset) -> AnalysisResult {
        while !self.is_done() {
            self.step(train, test);
        }
        self.into_result()
            .expect("the loop ends when the analysis is done")
    }

    /// The sweep's grid, orders and test set, and the unpruned model's score.
    fn start_sweep(&self, fisher: Fisher, test: &Dataset) -> Stage {
        let grid = match self.config.grid {
            Grid::Paper => paper_grid(),
            Grid::Log => log_grid(
                fisher.first_layer().as_slice().expect("standard layout"),
                self.config.grid_points,
            ),
        };
        let eval_examples = self
            .config
            .eval_examples
            .map_or(test.len(), |count| count.min(test.len()));
        let first_images;
        let eval = if eval_examples < test.len() {
            first_images = test.first(eval_examples);
            &first_images
        } else {
            test
        };
        let mut sweep = Sweep::new(
            &self.model,
            fisher.first_layer(),
            grid,
            &self.config.baselines,
            eval,
        );
        let unpruned = sweep.unpruned();
        Stage::Sweep(Box::new(SweepStage {
            fisher,
            sweep,
            unpruned,
            eval_examples,
        }))
    }

    fn finish(&self, stage: SweepStage) -> Stage {
        let SweepStage {
            fisher,
            sweep,
            unpruned,
            eval_examples,
        } = stage;
        let rows = sweep.rows().to_vec();
        let tolerance = self.config.tolerance;
        Stage::Done(Box::new(AnalysisResult {
            stats: FisherStats::of(&fisher),
            knee: information_scale(&rows, unpruned.loss, tolerance),
            fisher,
            eval_examples,
            unpruned,
            rows,
            tolerance,
        }))
    }
}

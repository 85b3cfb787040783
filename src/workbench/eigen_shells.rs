//! The eigen-shells job (`crate::eigen`): the analysed model's Fisher blocks over the Fisher's
//! examples, one eigendecomposition per first-layer row, then the test score at the sweep's
//! counts.

use super::analysing::Analysed;
use super::clock::{Slot, Stopwatch};
use super::error::WorkbenchError;
use super::progress::{JobKind, Progress, Stage};
use crate::data::run_data::RunData;
use crate::data::Dataset;
use crate::eigen::{EigenProgress, EigenRun, EigenShells, EigenSummary, SymmetricEigen};
use crate::fisher::FisherVariant;
use crate::network::{ModelKind, Network};

pub struct EigenJob {
    run: EigenRun,
    /// The test images the sweep scored on, which the eigen-shells score on too.
    eval: Dataset,
    fisher_split: crate::data::manifest::Split,
    last: EigenProgress,
}

impl EigenJob {
    /// The eigen-shells of `model` after its analysis, decomposed by `solver`.
    pub fn begin(
        model: &Network,
        analysed: &Analysed,
        data: &RunData,
        solver: SymmetricEigen,
        watch: &mut Stopwatch,
    ) -> Result<EigenJob, WorkbenchError> {
        check_fisher(model.kind(), analysed.config.fisher_variant)?;
        check_block_size(model)?;
        let result = &analysed.result;
        let fisher = &result.fisher;
        let run = EigenRun::new(
            model,
            fisher.first_layer(),
            fisher.examples(),
            &result.rows,
            result.unpruned.loss,
            result.tolerance,
            solver,
        );
        watch.seconds.eigen = 0.0;
        watch.eigen = Default::default();
        Ok(EigenJob {
            run,
            eval: data.test().first(result.eval_examples),
            fisher_split: analysed.config.fisher_split,
            last: EigenProgress::Blocks { done: 0, total: 1 },
        })
    }

    pub fn step(&mut self, data: &RunData, watch: &mut Stopwatch, deadline: f64) -> Progress {
        let split = data.split(self.fisher_split);
        loop {
            let slot = self.slot();
            self.last = self.run.step(split, &self.eval);
            if watch.lap(Some(slot)) >= deadline || self.run.is_done() {
                break;
            }
        }
        let job = Some(JobKind::Eigen);
        if self.run.is_done() {
            let mut progress = Progress::new(job, Stage::Refine, 1, 1);
            progress.finished = Some(JobKind::Eigen);
            return progress;
        }
        let (stage, done, total) = match self.last {
            EigenProgress::Blocks { done, total } => (Stage::Blocks, done, total),
            EigenProgress::Decompose { done, total } => (Stage::Decompose, done, total),
            EigenProgress::Sweep { done, total } => (Stage::EigenSweep, done, total),
            EigenProgress::Refine { done, total } => (Stage::Refine, done, total),
            EigenProgress::Done => (Stage::Refine, 1, 1),
        };
        // Each stage reaches done == total on its way; only the last one ends the job.
        Progress::new(job, stage, done, total.max(done + 1))
    }

    /// The stage the next step works on: the last one's, or the next once it is complete.
    pub fn slot(&self) -> Slot {
        match self.last {
            EigenProgress::Blocks { done, total } if done < total => Slot::Blocks,
            EigenProgress::Blocks { .. } => Slot::Decompose,
            EigenProgress::Decompose { done, total } if done < total => Slot::Decompose,
            EigenProgress::Decompose { .. } => Slot::EigenSweep,
            EigenProgress::Sweep { done, total } if done < total => Slot::EigenSweep,
            EigenProgress::Sweep { .. } | EigenProgress::Refine { .. } | EigenProgress::Done => {
                Slot::Refine
            }
        }
    }

    /// The summary and the decompositions, once done.
    pub fn finish(self) -> Option<(EigenSummary, EigenShells)> {
        self.run.into_results()
    }
}

/// Whether the eigen-shells can follow an analysis of a `kind` model with the `variant` Fisher.
/// The classifier's blocks are its classif_logits Fisher's; the empirical one's would need each
/// example's label in the coefficient, so an empirical analysis is refused rather than compared
/// with blocks of another Fisher. (The autoencoder's blocks are always the regression Fisher's.)
/// The blocks' upper triangles, m · n(n+1)/2 f32 sums, must fit beside everything else a page's
/// worker holds: 28 × 28 MNIST with m = 20 needs 25 MB; 64 × 64 pictures with m = 20, 671 MB.
const MAX_BLOCK_BYTES: usize = 400_000_000;

fn check_block_size(model: &Network) -> Result<(), WorkbenchError> {
    let (rows, n) = model.first_layer().dim();
    let bytes = rows * n * (n + 1) / 2 * std::mem::size_of::<f32>();
    if bytes > MAX_BLOCK_BYTES {
        return Err(WorkbenchError::Settings(format!(
            "the eigen-shells' Fisher blocks would hold {} MB for {rows} rows of {n} pixels, more \
             than the {} MB they may use: they run on smaller images or fewer first-layer units",
            bytes / 1_000_000,
            MAX_BLOCK_BYTES / 1_000_000
        )));
    }
    Ok(())
}

pub fn check_fisher(kind: ModelKind, variant: FisherVariant) -> Result<(), WorkbenchError> {
    if kind == ModelKind::Classifier && variant != FisherVariant::ClassifLogits {
        return Err(WorkbenchError::Settings(
            "the classifier's eigen-shells are the blocks of its classif_logits Fisher: \
             analyse it with fisher-variant classif_logits to run them"
                .into(),
        ));
    }
    Ok(())
}

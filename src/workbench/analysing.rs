//! The analysis job: the diagonal Fisher, then the sweep and its knee (`crate::analysis`). With a
//! pool, the Fisher's remaining batches are split once among the lead and the helpers, and the
//! lead adds every batch's terms in batch order; then the sweep's removal orders are split once,
//! and the lead takes the helpers' scores. Either way the numbers are the single thread's, bit
//! for bit.

use std::ops::Range;

use super::clock::{Slot, Stopwatch};
use super::error::WorkbenchError;
use super::progress::{JobKind, Progress, Stage};
use super::settings::Settings;
use super::trained::TrainedModel;
use crate::analysis::{Analysis, AnalysisConfig, AnalysisProgress, AnalysisResult};
use crate::data::run_data::RunData;
use crate::data::Dataset;
use crate::fisher::{FisherTerms, FISHER_BATCH};
use crate::network::Score;
use crate::pool::{fisher_task, sweep_task, Share, TaskResult};

/// The analysis of the model, with what it was run with.
pub struct Analysed {
    pub config: AnalysisConfig,
    pub result: AnalysisResult,
    /// The first random-pruning seed (`Settings::pruning_seed`) when it ran.
    pub pruning_seed: u64,
}

pub struct AnalysisJob {
    analysis: Analysis,
    pruning_seed: u64,
    round: Option<Round>,
    fisher_shared: bool,
    sweep_shared: bool,
}

/// The work out with the helpers.
enum Round {
    Fisher {
        /// The lead sums the examples up to here itself.
        own_end: usize,
        /// The helpers' examples.
        helpers: Vec<Range<usize>>,
        results: Vec<Option<Vec<FisherTerms<f32>>>>,
    },
    Sweep {
        /// The lead's orders, and the next (order, cutoff) it scores.
        own: Range<usize>,
        next: (usize, usize),
        /// The helpers' orders.
        helpers: Vec<Range<usize>>,
        results: Vec<Option<Vec<Score>>>,
    },
}

/// `count` things split into `parts` contiguous ranges whose sizes differ by at most one, the
/// larger first (as `Trainer::next_batch_parts` splits a batch).
pub(super) fn split_evenly(count: usize, parts: usize) -> Vec<Range<usize>> {
    let (base, larger) = (count / parts, count % parts);
    let mut from = 0;
    (0..parts)
        .map(|part| {
            let to = from + base + usize::from(part < larger);
            let range = from..to;
            from = to;
            range
        })
        .collect()
}

impl AnalysisJob {
    /// The analysis `settings` ask for, of `trained`.
    pub fn begin(
        settings: &Settings,
        trained: &TrainedModel,
        watch: &mut Stopwatch,
    ) -> Result<AnalysisJob, WorkbenchError> {
        let config = settings.analysis_config(trained.record.training_examples());
        // Imported weights may be of the other model than the settings'.
        let model = &trained.model;
        (model.kind().check_fisher(config.fisher_variant))
            .map_err(|e| WorkbenchError::Settings(format!("fisher-variant: {e}")))?;
        let analysis = Analysis::new(model, config);
        (watch.seconds.fisher, watch.seconds.sweep) = (0.0, 0.0);
        Ok(AnalysisJob {
            analysis,
            pruning_seed: settings.pruning_seed(),
            round: None,
            fisher_shared: false,
            sweep_shared: false,
        })
    }

    /// Steps the Fisher and the sweep until `deadline`, the lead's share of a round is done, or
    /// the analysis finishes.
    pub fn step(
        &mut self,
        data: &RunData,
        watch: &mut Stopwatch,
        deadline: f64,
    ) -> Result<Progress, WorkbenchError> {
        let (train, test) = (data.train(), data.test());
        let mut rows = Vec::new();
        let mut awaiting_helpers = false;
        loop {
            let slot = self.slot();
            match self.lead_share_left() {
                Some(true) => self.work_on_own_share(train, test),
                Some(false) => {
                    if !self.finish_round(train, test)? {
                        awaiting_helpers = true;
                        break;
                    }
                }
                None => {
                    if let AnalysisProgress::Sweep { row, .. } = self.analysis.step(train, test) {
                        rows.push(*row);
                    }
                }
            }
            if watch.lap(Some(slot)) >= deadline || self.analysis.is_done() {
                break;
            }
        }
        let mut progress = self.progress(train, test);
        progress.rows = rows;
        progress.awaiting_helpers = awaiting_helpers;
        if self.analysis.is_done() {
            progress.finished = Some(JobKind::Analyse);
        }
        Ok(progress)
    }

    /// The finished analysis.
    pub fn finish(self) -> Analysed {
        let config = self.analysis.config().clone();
        let result = (self.analysis.into_result()).expect("finished analyses have results");
        Analysed {
            config,
            result,
            pruning_seed: self.pruning_seed,
        }
    }

    /// Splits what the analysis does next among the lead and `helpers` helpers, once for the
    /// Fisher and once for the sweep; false when there is nothing to split now. Only the
    /// autoencoder's analysis is shared: the helpers' tasks carry no labels.
    pub fn share_next(&mut self, helpers: usize, train: &Dataset, test: &Dataset) -> bool {
        if self.round.is_some() || self.analysis.model().autoencoder().is_none() {
            return false;
        }
        if let Some(done) = self.analysis.fisher_examples_done() {
            if self.fisher_shared {
                return false;
            }
            self.fisher_shared = true;
            let total = (self.analysis).fisher_total(self.analysis.fisher_data(train, test));
            let examples = |batches: Range<usize>| {
                let start = (done + batches.start * FISHER_BATCH).min(total);
                start..(done + batches.end * FISHER_BATCH).min(total)
            };
            let batches = (total - done).div_ceil(FISHER_BATCH);
            let mut shares = split_evenly(batches, helpers + 1).into_iter().map(examples);
            let own_end = shares.next().expect("at least one share").end;
            self.round = Some(Round::Fisher {
                own_end,
                helpers: shares.collect(),
                results: vec![None; helpers],
            });
            return true;
        }
        if self.sweep_shared {
            return false;
        }
        let Some((sweep, _, _)) = self.analysis.sweep(test) else {
            return false;
        };
        self.sweep_shared = true;
        let mut shares = split_evenly(sweep.order_count(), helpers + 1).into_iter();
        let own = shares.next().expect("at least one share");
        self.round = Some(Round::Sweep {
            next: (own.start, 0),
            own,
            helpers: shares.collect(),
            results: vec![None; helpers],
        });
        true
    }

    /// The helpers' tasks of the round just shared.
    pub fn tasks<'a>(&'a self, train: &'a Dataset, test: &'a Dataset) -> Vec<Share<'a>> {
        let Some(model) = self.analysis.model().autoencoder() else {
            return Vec::new();
        };
        let config = self.analysis.config();
        match &self.round {
            Some(Round::Fisher { helpers, .. }) => {
                let data = self.analysis.fisher_data(train, test);
                let n = data.input_dim();
                (helpers.iter())
                    .map(|r| {
                        let pixels = &data.pixels[r.start * n..r.end * n];
                        fisher_task(model, config.fisher_variant, pixels)
                    })
                    .collect()
            }
            Some(Round::Sweep { helpers, .. }) => {
                let (sweep, fisher, eval) = (self.analysis.sweep_stage())
                    .expect("a sweep round is shared once the sweep has started");
                let pixels = &test.pixels[..eval * test.input_dim()];
                (helpers.iter())
                    .map(|orders| {
                        let (cutoffs, baselines) = (sweep.cutoffs(), &config.baselines);
                        sweep_task(model, fisher, cutoffs, baselines, orders.clone(), pixels)
                    })
                    .collect()
            }
            None => Vec::new(),
        }
    }

    /// Helper `helper`'s result; it is added once the lead's share is done too.
    pub fn accept(
        &mut self,
        helper: usize,
        bytes: &[u8],
        train: &Dataset,
        test: &Dataset,
    ) -> Result<(), WorkbenchError> {
        let result = TaskResult::decode(bytes, self.analysis.model())?;
        let no_part =
            || WorkbenchError::Pool(format!("a result from helper {helper}, which has no part"));
        match (&mut self.round, result) {
            (Some(Round::Fisher { results, .. }), TaskResult::Fisher(terms)) => {
                *results.get_mut(helper).ok_or_else(no_part)? = Some(terms);
            }
            (Some(Round::Sweep { results, .. }), TaskResult::Sweep(scores)) => {
                *results.get_mut(helper).ok_or_else(no_part)? = Some(scores);
            }
            _ => {
                return Err(WorkbenchError::Pool(format!(
                    "helper {helper}'s result is not for the work out with it"
                )))
            }
        }
        if self.lead_share_left() == Some(false) {
            self.finish_round(train, test)?;
        }
        Ok(())
    }

    /// Whether the lead has work left in the round out (`None`: no round).
    fn lead_share_left(&self) -> Option<bool> {
        Some(match self.round.as_ref()? {
            Round::Fisher { own_end, .. } => {
                (self.analysis.fisher_examples_done()).is_some_and(|done| done < *own_end)
            }
            Round::Sweep { own, next, .. } => next.0 < own.end,
        })
    }

    /// One more piece of the lead's share: a Fisher batch, or one order at one cutoff.
    fn work_on_own_share(&mut self, train: &Dataset, test: &Dataset) {
        match &mut self.round {
            Some(Round::Sweep { next, .. }) => {
                let (sweep, _, _) = (self.analysis.sweep(test)).expect("the sweep has started");
                let (order, cutoff) = *next;
                sweep.score_order(order, cutoff..cutoff + 1);
                *next = match cutoff + 1 < sweep.cutoff_count() {
                    true => (order, cutoff + 1),
                    false => (order + 1, 0),
                };
            }
            _ => {
                self.analysis.step(train, test);
            }
        }
    }

    /// Adds the helpers' results in order once all are in; false while some are out.
    fn finish_round(&mut self, train: &Dataset, test: &Dataset) -> Result<bool, WorkbenchError> {
        let complete = match &self.round {
            Some(Round::Fisher { results, .. }) => results.iter().all(Option::is_some),
            Some(Round::Sweep { results, .. }) => results.iter().all(Option::is_some),
            None => return Ok(true),
        };
        if !complete {
            return Ok(false);
        }
        match self.round.take().expect("matched above") {
            Round::Fisher { results, .. } => {
                for terms in results.into_iter().flatten().flatten() {
                    self.analysis
                        .add_fisher_terms(&terms, train, test)
                        .ok_or_else(|| {
                            WorkbenchError::Pool(
                                "the helpers sent more Fisher batches than there are".into(),
                            )
                        })?;
                }
            }
            Round::Sweep {
                helpers, results, ..
            } => {
                let (sweep, _, _) = (self.analysis.sweep(test)).expect("the sweep has started");
                let cutoffs = sweep.cutoff_count();
                for (orders, scores) in helpers.into_iter().zip(results.into_iter().flatten()) {
                    if scores.len() != orders.len() * cutoffs {
                        return Err(WorkbenchError::Pool(format!(
                            "{} scores for {} orders at {cutoffs} cutoffs",
                            scores.len(),
                            orders.len()
                        )));
                    }
                    for (order, scores) in orders.zip(scores.chunks(cutoffs.max(1))) {
                        sweep.take_scores(order, scores);
                    }
                }
            }
        }
        Ok(true)
    }

    pub fn slot(&self) -> Slot {
        match self.analysis.fisher_examples_done() {
            Some(_) => Slot::Fisher,
            None => Slot::Sweep,
        }
    }

    fn progress(&self, train: &Dataset, test: &Dataset) -> Progress {
        let job = Some(JobKind::Analyse);
        if let Some(done) = self.analysis.fisher_examples_done() {
            let total = (self.analysis).fisher_total(self.analysis.fisher_data(train, test));
            return Progress::new(job, Stage::Fisher, done, total);
        }
        let Some((sweep, _, _)) = self.analysis.sweep_stage() else {
            // The Fisher is done; the sweep starts with the next step.
            return Progress::new(job, Stage::Sweep, 0, 1);
        };
        let total = sweep.cutoff_count();
        let done = match &self.round {
            // The helpers score as fast as the lead: its share done is about the sweep's.
            Some(Round::Sweep { own, next, .. }) => {
                let scored = (next.0 - own.start) * total + next.1;
                let share = (own.len() * total).max(1);
                (total * scored / share).min(total.saturating_sub(1))
            }
            _ => sweep.rows().len(),
        };
        Progress::new(job, Stage::Sweep, done, total)
    }
}

//! The hockey stick (paper figure 2): the test loss (the autoencoder's MSE, the classifier's
//! cross-entropy, with its accuracy) against the number of removed first-layer weights for Fisher
//! pruning and its baselines (random, magnitude, saliency), over a grid of cutoffs Λ, one row per
//! step.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::network::{Network, Score, EVAL_BATCH};
use crate::prune::{
    fisher_order, magnitude_order, random_order, removed_count, saliency_order, sorted_values,
    EvalSet, PreActivations,
};

/// One cutoff of the sweep: every scheme removes the same count. Random pruning runs with several
/// seeds; its spread is the sample standard deviation (n - 1), 0 for a single seed. A baseline
/// the sweep does not run is `None` (random: no seeds). The loss is the model's (MSE or
/// cross-entropy; `crate::report` names it so); accuracies are the classifier's only.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    pub cutoff: f32,
    pub removed: usize,
    pub fraction: f64,
    pub fisher_loss: f64,
    pub random_loss_mean: Option<f64>,
    pub random_loss_std: Option<f64>,
    pub random_loss: Vec<f64>,
    pub magnitude_loss: Option<f64>,
    pub saliency_loss: Option<f64>,
    pub fisher_accuracy: Option<f64>,
    pub random_accuracy_mean: Option<f64>,
    pub random_accuracy_std: Option<f64>,
    pub random_accuracy: Vec<f64>,
    pub magnitude_accuracy: Option<f64>,
    pub saliency_accuracy: Option<f64>,
}

/// The removal orders a sweep scores beside the Fisher one (which defines Λ, so always runs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baselines {
    /// One random order per seed.
    pub random_seeds: Vec<u64>,
    /// Ascending |E|.
    pub magnitude: bool,
    /// Ascending F·E², Optimal Brain Damage's saliency with the Fisher for the Hessian.
    pub saliency: bool,
}

impl Baselines {
    /// Every baseline, random pruning with these seeds.
    pub fn all(random_seeds: Vec<u64>) -> Self {
        Baselines {
            random_seeds,
            magnitude: true,
            saliency: true,
        }
    }

    /// The names of the schemes swept, Fisher first (`reproduce --schemes`, the report).
    pub fn names(&self) -> Vec<&'static str> {
        let mut names = vec!["fisher"];
        if !self.random_seeds.is_empty() {
            names.push("random");
        }
        if self.magnitude {
            names.push("magnitude");
        }
        if self.saliency {
            names.push("saliency");
        }
        names
    }
}

/// The information scale Λ*: the largest grid cutoff up to which Fisher pruning keeps the test
/// loss within `tolerance` (relative) of the unpruned model's, at every grid point on the way.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Knee {
    pub cutoff: f32,
    pub removed: usize,
    pub fraction: f64,
    pub loss: f64,
    pub unpruned_loss: f64,
    pub tolerance: f64,
    /// The classifier's accuracy there.
    pub accuracy: Option<f64>,
}

/// The paper's grid: 0, 0.125, ..., 2.375.
pub fn paper_grid() -> Vec<f32> {
    (0..20).map(|i| i as f32 * 0.125).collect()
}

/// `points` cutoffs: 0, then log-spaced from the smallest positive Fisher value to the largest
/// (which removes every weight).
pub fn log_grid(fisher_values: &[f32], points: usize) -> Vec<f32> {
    let mut grid = vec![0.0];
    if let (Some(scale), true) = (FisherScale::of(fisher_values), points > 1) {
        let (lo, hi) = ((scale.min_positive as f64).ln(), (scale.max as f64).ln());
        let steps = (points - 2).max(1) as f64;
        grid.extend((0..points - 1).map(|i| (lo + (hi - lo) * i as f64 / steps).exp() as f32));
        // Rounding must not leave the largest value just above the last cutoff.
        *grid.last_mut().expect("grid has points") = scale.max;
    }
    grid
}

/// The positive Fisher values' range, which the log grid spans. Every Λ below the smallest
/// positive value removes the same weights as Λ = 0 (the exact zeros).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FisherScale {
    pub min_positive: f32,
    pub max: f32,
}

impl FisherScale {
    /// `None` when no value is positive.
    pub fn of(fisher_values: &[f32]) -> Option<FisherScale> {
        let positive = fisher_values.iter().copied().filter(|&f| f > 0.0);
        let min_positive = positive.clone().fold(f32::INFINITY, f32::min);
        let max = positive.fold(0.0f32, f32::max);
        (max > 0.0).then_some(FisherScale { min_positive, max })
    }
}

/// A sweep in progress: call `step` until it returns `None`.
pub struct Sweep {
    model: Network,
    cutoffs: Vec<f32>,
    sorted_fisher: Vec<f32>,
    /// Removal orders: Fisher, then magnitude and saliency when swept, then one per random seed.
    orders: Vec<Vec<usize>>,
    magnitude: Option<usize>,
    saliency: Option<usize>,
    /// Where the random orders start in `orders`.
    random_start: usize,
    /// Test score by (order, removed count): many cutoffs share a count.
    scores: HashMap<(usize, usize), Score>,
    rows: Vec<SweepRow>,
    test: EvalSet,
    /// Pre-activations of the unpruned first layer on the test set.
    unpruned: PreActivations,
    /// Per order: how many weights are removed in `pre`, and the pre-activations with them
    /// removed. Cutoffs usually ascend, so each step only subtracts the newly removed weights.
    progress: Vec<(usize, PreActivations)>,
}

impl Sweep {
    /// A sweep of `cutoffs` scored on `test`.
    pub fn new(
        model: impl Into<Network>,
        fisher_encoder: &ndarray::Array2<f32>,
        cutoffs: Vec<f32>,
        baselines: &Baselines,
        test: &Dataset,
    ) -> Self {
        let model = model.into();
        let first = model.first_layer();
        let weights = first.len();
        let mut orders = vec![fisher_order(fisher_encoder)];
        let mut add = |order: Vec<usize>| {
            orders.push(order);
            orders.len() - 1
        };
        let magnitude = baselines.magnitude.then(|| add(magnitude_order(first)));
        let saliency = (baselines.saliency).then(|| add(saliency_order(fisher_encoder, first)));
        let random_start = orders.len();
        orders.extend(
            baselines
                .random_seeds
                .iter()
                .map(|&seed| random_order(weights, seed)),
        );
        let test = EvalSet::new(test, EVAL_BATCH);
        let unpruned = test.pre_activations(first);
        Sweep {
            model,
            cutoffs,
            sorted_fisher: sorted_values(fisher_encoder),
            progress: vec![(0, unpruned.clone()); orders.len()],
            orders,
            magnitude,
            saliency,
            random_start,
            scores: HashMap::new(),
            rows: Vec::new(),
            test,
            unpruned,
        }
    }

    pub fn cutoffs(&self) -> &[f32] {
        &self.cutoffs
    }

    /// How many cutoffs the sweep scores in all.
    pub fn cutoff_count(&self) -> usize {
        self.cutoffs.len()
    }

    pub fn rows(&self) -> &[SweepRow] {
        &self.rows
    }

    /// Test score of the model with nothing removed.
    pub fn unpruned(&mut self) -> Score {
        self.score(0, 0)
    }

    /// How many removal orders the sweep scores: Fisher, then magnitude and saliency when swept,
    /// then one per random seed.
    pub fn order_count(&self) -> usize {
        self.orders.len()
    }

    /// Test score of removal order `order` at the cutoffs `cutoffs`, in the sequence `step` scores
    /// them, so the values are `step`'s bit for bit. A pool of workers splits the orders among
    /// identical sweeps (`take_scores` hands them over).
    /// `cutoffs` is a range of cutoff indices; successive calls must move up through them.
    pub fn score_order(&mut self, order: usize, cutoffs: std::ops::Range<usize>) -> Vec<Score> {
        cutoffs
            .map(|index| {
                let removed = removed_count(&self.sorted_fisher, self.cutoffs[index]);
                self.score(order, removed)
            })
            .collect()
    }

    /// Takes order `order`'s scores from `score_order` on an identical sweep: `step` then uses
    /// them instead of scoring that order itself.
    pub fn take_scores(&mut self, order: usize, scores: &[Score]) {
        assert_eq!(scores.len(), self.cutoffs.len(), "one score per cutoff");
        for (&cutoff, &score) in self.cutoffs.iter().zip(scores) {
            let removed = removed_count(&self.sorted_fisher, cutoff);
            self.scores.insert(score_key(order, removed), score);
        }
    }

    /// Scores the next cutoff; `None` once every cutoff is done.
    pub fn step(&mut self) -> Option<&SweepRow> {
        let cutoff = *self.cutoffs.get(self.rows.len())?;
        let removed = removed_count(&self.sorted_fisher, cutoff);
        let random: Vec<Score> = (self.random_start..self.orders.len())
            .map(|order| self.score(order, removed))
            .collect();
        let random_loss: Vec<f64> = random.iter().map(|s| s.loss).collect();
        let random_accuracy: Vec<f64> = random.iter().filter_map(|s| s.accuracy).collect();
        let (loss, accuracy) = (
            mean_and_sample_std(&random_loss),
            mean_and_sample_std(&random_accuracy),
        );
        let fisher = self.score(0, removed);
        let magnitude = self.magnitude.map(|order| self.score(order, removed));
        let saliency = self.saliency.map(|order| self.score(order, removed));
        let row = SweepRow {
            cutoff,
            removed,
            fraction: removed as f64 / self.sorted_fisher.len().max(1) as f64,
            fisher_loss: fisher.loss,
            random_loss_mean: loss.map(|(mean, _)| mean),
            random_loss_std: loss.map(|(_, std)| std),
            random_loss,
            magnitude_loss: magnitude.map(|s| s.loss),
            saliency_loss: saliency.map(|s| s.loss),
            fisher_accuracy: fisher.accuracy,
            random_accuracy_mean: accuracy.map(|(mean, _)| mean),
            random_accuracy_std: accuracy.map(|(_, std)| std),
            random_accuracy,
            magnitude_accuracy: magnitude.and_then(|s| s.accuracy),
            saliency_accuracy: saliency.and_then(|s| s.accuracy),
        };
        self.rows.push(row);
        self.rows.last()
    }

    fn score(&mut self, order: usize, removed: usize) -> Score {
        let key = score_key(order, removed);
        if let Some(&score) = self.scores.get(&key) {
            return score;
        }
        let (done, pre) = &mut self.progress[order];
        if *done > removed {
            // A cutoff below the previous one: start again from the unpruned encoder.
            (*done, *pre) = (0, self.unpruned.clone());
        }
        let n = self.model.input_dim();
        let first = self
            .model
            .first_layer()
            .as_slice()
            .expect("standard layout");
        for &index in &self.orders[order][*done..removed] {
            self.test
                .remove_weight(pre, index / n, index % n, first[index]);
        }
        *done = removed;
        let score = self.test.score_from_pre_activations(&self.model, pre);
        self.scores.insert(key, score);
        score
    }
}

/// Where `Sweep::scores` keeps an order's score at a removed count: removing nothing is the same
/// model whatever the order.
fn score_key(order: usize, removed: usize) -> (usize, usize) {
    if removed == 0 {
        (0, 0)
    } else {
        (order, removed)
    }
}

/// Runs a whole sweep (tests and benchmarks; the analysis steps a `Sweep` itself).
pub fn run_sweep(
    model: impl Into<Network>,
    fisher_encoder: &ndarray::Array2<f32>,
    cutoffs: Vec<f32>,
    baselines: &Baselines,
    test: &Dataset,
) -> Vec<SweepRow> {
    let mut sweep = Sweep::new(model, fisher_encoder, cutoffs, baselines, test);
    while sweep.step().is_some() {}
    sweep.rows
}

/// Λ* over the rows in grid order (see `Knee`); `None` if even the first cutoff exceeds it.
pub fn information_scale(rows: &[SweepRow], unpruned_loss: f64, tolerance: f64) -> Option<Knee> {
    let limit = unpruned_loss * (1.0 + tolerance);
    let sorted = crate::sorting::sorted_by_key(rows, |row| row.cutoff as f64);
    let last_within = sorted
        .iter()
        .take_while(|row| row.fisher_loss <= limit)
        .last()?;
    Some(Knee {
        cutoff: last_within.cutoff,
        removed: last_within.removed,
        fraction: last_within.fraction,
        loss: last_within.fisher_loss,
        unpruned_loss,
        tolerance,
        accuracy: last_within.fisher_accuracy,
    })
}

/// `None` for no values; a single value has spread 0.
pub fn mean_and_sample_std(values: &[f64]) -> Option<(f64, f64)> {
    let count = values.len() as f64;
    if values.is_empty() {
        return None;
    }
    let mean = values.iter().sum::<f64>() / count;
    if values.len() < 2 {
        return Some((mean, 0.0));
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (count - 1.0);
    Some((mean, var.sqrt()))
}

/// Where a count of removed weights falls among rows ascending in their counts: at a row that
/// scored it, or between the two rows around it (`t` of the way from `below` to `above`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bracket {
    At(usize),
    Between { below: usize, above: usize, t: f64 },
}

impl Bracket {
    /// `removed` among `rows`, ascending in `count` (a sweep's rows, the eigen-shells' rows), by
    /// bisection; `None` outside them.
    pub fn find<R>(rows: &[R], count: impl Fn(&R) -> usize, removed: usize) -> Option<Bracket> {
        let at = rows.partition_point(|row| count(row) < removed);
        let above = rows.get(at)?;
        if count(above) == removed {
            return Some(Bracket::At(at));
        }
        let below = at.checked_sub(1)?;
        let (low, high) = (count(&rows[below]), count(above));
        let t = (removed - low) as f64 / (high - low) as f64;
        Some(Bracket::Between {
            below,
            above: at,
            t,
        })
    }

    /// True at a row that scored the count.
    pub fn swept(&self) -> bool {
        matches!(self, Bracket::At(_))
    }

    /// `value` of the row at the count, or linear between the two around it; `None` where a row
    /// lacks it (a scheme the sweep did not run).
    pub fn read<R>(&self, rows: &[R], value: impl Fn(&R) -> Option<f64>) -> Option<f64> {
        match *self {
            Bracket::At(i) => value(&rows[i]),
            Bracket::Between { below, above, t } => {
                let (a, b) = (value(&rows[below])?, value(&rows[above])?);
                Some(a + t * (b - a))
            }
        }
    }
}

/// Every scheme's score at one count of removed weights, read off the sweep (`Bracket`): the
/// hockey stick under the pointer. `None`: not swept, or outside the sweep.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SchemeScores {
    pub removed: usize,
    pub fraction: f64,
    /// True when `removed` is a count the sweep scored.
    pub swept: bool,
    pub fisher: Option<f64>,
    pub random: Option<f64>,
    pub random_std: Option<f64>,
    pub magnitude: Option<f64>,
    pub saliency: Option<f64>,
    pub fisher_accuracy: Option<f64>,
    pub random_accuracy: Option<f64>,
    pub magnitude_accuracy: Option<f64>,
    pub saliency_accuracy: Option<f64>,
}

/// The scores at `removed` of `total` weights from `rows` ascending in `removed`.
pub fn scores_at(rows: &[SweepRow], removed: usize, total: usize) -> SchemeScores {
    let fraction = removed as f64 / total.max(1) as f64;
    let Some(at) = Bracket::find(rows, |row| row.removed, removed) else {
        return SchemeScores {
            removed,
            fraction,
            ..SchemeScores::default()
        };
    };
    let read = |value: fn(&SweepRow) -> Option<f64>| at.read(rows, value);
    SchemeScores {
        removed,
        fraction,
        swept: at.swept(),
        fisher: read(|r| Some(r.fisher_loss)),
        random: read(|r| r.random_loss_mean),
        random_std: read(|r| r.random_loss_std),
        magnitude: read(|r| r.magnitude_loss),
        saliency: read(|r| r.saliency_loss),
        fisher_accuracy: read(|r| r.fisher_accuracy),
        random_accuracy: read(|r| r.random_accuracy_mean),
        magnitude_accuracy: read(|r| r.magnitude_accuracy),
        saliency_accuracy: read(|r| r.saliency_accuracy),
    }
}

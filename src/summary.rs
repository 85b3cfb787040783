//! Summary statistics and histograms of Fisher values (paper figure 5 and its log-axis view).

use serde::{Deserialize, Serialize};

/// Mean, median and range of a set of non-negative values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub count: usize,
    pub mean: f64,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    /// Fraction of values exactly 0 (e.g. weights into a latent unit that never fires).
    pub zero_fraction: f64,
}

impl Summary {
    /// NaN fields for an empty input. The median of an even count is the mean of the middle two.
    pub fn of(values: &[f32]) -> Summary {
        let count = values.len();
        let wide: Vec<f64> = values.iter().map(|&v| v as f64).collect();
        let sorted: Vec<f64> = crate::sorting::sorted_copies(&wide, |&v| v);
        let median = match count {
            0 => f64::NAN,
            _ if count % 2 == 1 => sorted[count / 2],
            _ => 0.5 * (sorted[count / 2 - 1] + sorted[count / 2]),
        };
        Summary {
            count,
            mean: sorted.iter().sum::<f64>() / count as f64,
            median,
            min: sorted.first().copied().unwrap_or(f64::NAN),
            max: sorted.last().copied().unwrap_or(f64::NAN),
            zero_fraction: sorted.iter().filter(|&&v| v == 0.0).count() as f64 / count as f64,
        }
    }
}

/// Counts in bins `[edges[i], edges[i+1])`, the last bin closed; `zero_count` (log histograms
/// only) holds the exact zeros that a log axis cannot show.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
    pub zero_count: u64,
}

impl Histogram {
    /// `bins` equal-width bins over [min, max], like `numpy.histogram(values, bins)` and the
    /// paper's 22-bin figure.
    pub fn linear(values: &[f32], bins: usize) -> Histogram {
        let bins = bins.max(1);
        let (min, max) = finite_range(values.iter().map(|&v| v as f64));
        let width = (max - min) / bins as f64;
        let edges = (0..=bins).map(|i| min + width * i as f64).collect();
        Self::fill(edges, (min, max), values.iter().map(|&v| v as f64), 0)
    }

    /// `bins` log-spaced bins over the positive values, plus a separate count of exact zeros.
    pub fn log(values: &[f32], bins: usize) -> Histogram {
        let bins = bins.max(1);
        let positive = values.iter().map(|&v| v as f64).filter(|&v| v > 0.0);
        let (min, max) = match finite_range(positive.clone()) {
            (lo, hi) if lo > 0.0 => (lo, hi),
            _ => (1.0, 10.0), // no positive value: any decade, all bins empty
        };
        let (lo, hi) = (min.log10(), max.log10());
        let edges = (0..=bins)
            .map(|i| 10f64.powf(lo + (hi - lo) * i as f64 / bins as f64))
            .collect();
        let zeros = values.iter().filter(|&&v| v == 0.0).count() as u64;
        Self::fill(edges, (min, max), positive, zeros)
    }

    fn fill(
        mut edges: Vec<f64>,
        (min, max): (f64, f64),
        values: impl Iterator<Item = f64>,
        zero_count: u64,
    ) -> Histogram {
        let bins = edges.len() - 1;
        // Exact end points, so rounding in the edge formula cannot drop the extreme values.
        edges[0] = min;
        edges[bins] = max;
        let mut counts = vec![0u64; bins];
        for v in values.filter(|&v| v >= min && v <= max) {
            let bin = edges[1..].partition_point(|&edge| edge <= v).min(bins - 1);
            counts[bin] += 1;
        }
        Histogram {
            edges,
            counts,
            zero_count,
        }
    }
}

/// (min, max) of the finite values; a degenerate range is widened so bins have positive width.
fn finite_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (min, max) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if min > max {
        (0.0, 1.0)
    } else if min == max {
        (min, min + min.abs().max(1.0) * 1e-6)
    } else {
        (min, max)
    }
}

/// What the page and `reproduce` report about a Fisher diagonal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FisherStats {
    /// Over the first layer's weights, the ones that are pruned (the encoder, or the
    /// classifier's W_0; the key keeps the paper's name).
    pub encoder: Summary,
    /// Over every parameter (both layers, and biases when present): the quantity behind the
    /// authors' "mean diagonal Fisher 0.7148".
    pub all_parameters: Summary,
    /// Encoder values on 40 log-spaced bins, with exact zeros counted apart.
    pub log_histogram: Histogram,
    /// Encoder values on the paper's 22 equal-width bins (figure 5).
    pub linear_histogram: Histogram,
}

impl FisherStats {
    pub const LOG_BINS: usize = 40;
    pub const PAPER_BINS: usize = 22;

    pub fn of(fisher: &crate::network::Fisher) -> FisherStats {
        let encoder: Vec<f32> = fisher.first_layer().iter().copied().collect();
        let all = fisher.all_values();
        FisherStats {
            encoder: Summary::of(&encoder),
            all_parameters: Summary::of(&all),
            log_histogram: Histogram::log(&encoder, Self::LOG_BINS),
            linear_histogram: Histogram::linear(&encoder, Self::PAPER_BINS),
        }
    }
}

/// The Fisher values of the weights into one latent unit (its map): what the maps' colour
/// scale spans, for a table beside them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnitFisher {
    /// Counted from 0 (the maps label unit j as j + 1).
    pub unit: usize,
    /// The smallest positive value: the bottom of the map's colour scale (none if all are 0).
    pub least: Option<f64>,
    pub median: f64,
    pub largest: f64,
    /// Weights with F exactly 0.
    pub zeros: usize,
}

/// One `UnitFisher` per row of the first layer's Fisher `[m, n]`.
pub fn unit_fisher(fisher: ndarray::ArrayView2<f32>) -> Vec<UnitFisher> {
    (fisher.outer_iter().enumerate())
        .map(|(j, row)| {
            let values: Vec<f32> = row.iter().copied().collect();
            let all = Summary::of(&values);
            let least = (values.iter())
                .filter(|&&v| v > 0.0)
                .fold(None, |least: Option<f32>, &v| {
                    Some(least.map_or(v, |l| l.min(v)))
                });
            UnitFisher {
                unit: j,
                least: least.map(f64::from),
                median: all.median,
                largest: all.max,
                zeros: values.iter().filter(|&&v| v == 0.0).count(),
            }
        })
        .collect()
}

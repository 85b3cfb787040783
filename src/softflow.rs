//! The soft RG flow of eq. 38-39 as backward inference (SPEC.md "The soft RG flow"): keep n
//! examples of evidence, and the posterior over each encoder weight is
//! Normal(E*, 1 / (n·F + α)), with α the precision of a Gaussian prior. Seeded draws from it show
//! what the flow does to the model as n falls: the posterior-predictive reconstruction, the mean
//! error of a single draw, and the weights washed out (posterior std above |E*|).

use ndarray::{Array2, Zip};
use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::model::{sum_squared_error, Autoencoder};
use crate::network::EVAL_BATCH;
use crate::rng::{stream, Rng};

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SoftFlowConfig {
    /// Prior precision α. 0 is eq. 38 as written (τ = 1/n).
    pub alpha: f64,
    /// Posterior draws K.
    pub samples: usize,
    pub seed: u64,
}

impl SoftFlowConfig {
    /// α = the initialisation's precision, 3·fan_in (a uniform on ±1/√fan_in has variance
    /// 1/(3·fan_in)), K = 16.
    pub fn default_for(input_dim: usize, seed: u64) -> Self {
        SoftFlowConfig {
            alpha: 3.0 * input_dim as f64,
            samples: 16,
            seed,
        }
    }
}

/// The posterior flow from all the evidence down to none.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SoftFlowSummary {
    pub alpha: f64,
    pub samples: usize,
    /// Seeds the draws: with the model and its Fisher, the summary gives the flow back.
    pub seed: u64,
    pub points: Vec<SoftFlowPoint>,
}

/// The flow at one amount of evidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SoftFlowPoint {
    pub evidence: f64,
    /// MSE of the posterior-predictive mean reconstruction ȳ = (1/K) Σ y(E⁽ˢ⁾).
    pub predictive_mse: f64,
    /// The mean over draws of each draw's MSE.
    pub mean_sample_mse: f64,
    /// Weights whose posterior std exceeds |E*|: n·F·E*² + α·E*² < 1.
    pub washed_out: usize,
    pub washed_out_fraction: f64,
    /// Weights with no finite posterior width (n·F + α = 0: F = 0 with α = 0), set to 0 since
    /// every shell holds them.
    pub unbounded: usize,
}

/// n evidence levels from `examples` down to 0: `examples`·10^(-k/2), k = 0, 1, …, while ≥ 1,
/// rounded, then 0.
pub fn evidence_grid(examples: usize) -> Vec<f64> {
    let mut grid: Vec<f64> = (0..)
        .map(|k| (examples as f64 * 10f64.powf(-(k as f64) / 2.0)).round())
        .take_while(|&n| n >= 1.0)
        .collect();
    grid.dedup();
    grid.push(0.0);
    grid
}

/// The evidence at slider position `t` in [0, 1]: (max + 1)^t - 1, rounded, so 0 at the left,
/// `max` at the right, log-spaced between.
pub fn evidence_at(t: f64, max: usize) -> f64 {
    ((max as f64 + 1.0).powf(t.clamp(0.0, 1.0)) - 1.0).round()
}

/// The slider position of `evidence`, the inverse of `evidence_at`.
pub fn evidence_position(evidence: f64, max: usize) -> f64 {
    ((evidence.max(0.0) + 1.0).ln() / (max as f64 + 1.0).ln().max(f64::MIN_POSITIVE))
        .clamp(0.0, 1.0)
}

/// Posterior standard deviations 1/√(n·F + α); infinite where n·F + α = 0.
pub fn posterior_std(fisher: &Array2<f32>, evidence: f64, alpha: f64) -> Array2<f64> {
    fisher.mapv(|f| 1.0 / (evidence * f as f64 + alpha).sqrt())
}

/// Washed-out weights: posterior std above |E*|, i.e. n·F·E*² + α·E*² < 1.
pub fn washed_out(encoder: &Array2<f32>, fisher: &Array2<f32>, evidence: f64, alpha: f64) -> usize {
    Zip::from(encoder).and(fisher).fold(0, |count, &e, &f| {
        let e2 = (e as f64).powi(2);
        count + usize::from(evidence * f as f64 * e2 + alpha * e2 < 1.0)
    })
}

/// One posterior draw E* + std ⊙ ε, ε standard normal from `rng`; a weight with infinite std is 0.
pub fn posterior_sample(encoder: &Array2<f32>, std: &Array2<f64>, rng: &mut Rng) -> Array2<f32> {
    Zip::from(encoder).and(std).map_collect(|&e, &s| {
        let eps = rng.standard_normal();
        if s.is_finite() {
            (e as f64 + s * eps) as f32
        } else {
            0.0
        }
    })
}

/// One model's flow. Draw s uses the same noise ε⁽ˢ⁾ at every n, so curves over n are smooth.
pub struct SoftFlow {
    model: Autoencoder<f32>,
    fisher: Array2<f32>,
    config: SoftFlowConfig,
}

impl SoftFlow {
    pub fn new(
        model: &Autoencoder<f32>,
        fisher_encoder: &Array2<f32>,
        config: SoftFlowConfig,
    ) -> Self {
        assert_eq!(
            model.encoder.dim(),
            fisher_encoder.dim(),
            "one Fisher value per weight"
        );
        SoftFlow {
            model: model.clone(),
            fisher: fisher_encoder.clone(),
            config,
        }
    }

    pub fn config(&self) -> &SoftFlowConfig {
        &self.config
    }

    /// The K posterior draws of the model at `evidence`.
    pub fn samples(&self, evidence: f64) -> Vec<Autoencoder<f32>> {
        let std = posterior_std(&self.fisher, evidence, self.config.alpha);
        (0..self.config.samples)
            .map(|s| {
                let mut rng = Rng::new(self.config.seed, stream::SOFT_FLOW, s as u64);
                self.model
                    .with_encoder(posterior_sample(&self.model.encoder, &std, &mut rng))
            })
            .collect()
    }

    /// The posterior-predictive mean reconstruction of `images` at `evidence`, [count, n].
    pub fn mean_reconstruction(&self, evidence: f64, images: &Dataset) -> Array2<f32> {
        self.reconstructions(evidence, images, 0).0
    }

    /// The mean reconstruction of `images` at `evidence`, and the first `draws` single draws'
    /// reconstructions: averaging hides how far one draw of the weights strays.
    pub fn reconstructions(
        &self,
        evidence: f64,
        images: &Dataset,
        draws: usize,
    ) -> (Array2<f32>, Vec<Array2<f32>>) {
        let x = images.batch::<f32>(0..images.len());
        let samples = self.samples(evidence);
        let mut mean = Array2::<f32>::zeros(x.dim());
        let mut singles = Vec::with_capacity(draws);
        for sample in &samples {
            let output = sample.forward(x.view()).output;
            mean += &output;
            if singles.len() < draws {
                singles.push(output);
            }
        }
        (mean / samples.len().max(1) as f32, singles)
    }

    /// The flow's figures at `evidence`, scored on `test`.
    pub fn point(&self, evidence: f64, test: &Dataset) -> SoftFlowPoint {
        let samples = self.samples(evidence);
        let (mut predictive_sse, mut sample_sse) = (0.0, 0.0);
        for range in test.ranges(EVAL_BATCH) {
            let x = test.batch::<f32>(range);
            let mut mean = Array2::<f32>::zeros(x.dim());
            for sample in &samples {
                let y = sample.forward(x.view()).output;
                sample_sse += sum_squared_error(&y, &x.view());
                mean += &y;
            }
            mean /= samples.len().max(1) as f32;
            predictive_sse += sum_squared_error(&mean, &x.view());
        }
        let values = (test.len() * self.model.input_dim()).max(1) as f64;
        let weights = self.model.encoder.len();
        let washed = washed_out(
            &self.model.encoder,
            &self.fisher,
            evidence,
            self.config.alpha,
        );
        let unbounded = (self.fisher.iter())
            .filter(|&&f| evidence * f as f64 + self.config.alpha <= 0.0)
            .count();
        SoftFlowPoint {
            evidence,
            predictive_mse: predictive_sse / values,
            mean_sample_mse: sample_sse / values / samples.len().max(1) as f64,
            washed_out: washed,
            washed_out_fraction: washed as f64 / weights.max(1) as f64,
            unbounded,
        }
    }
}

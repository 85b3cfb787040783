//! The soft flow: posterior draws against the formula N(E*, 1/(n·F + α)), its limits, and the
//! washed-out count against brute force.

use crate::common::synthetic_dataset;
use bayes_renorm::data::Dataset;
use bayes_renorm::fisher::{fisher_diag, FisherVariant};
use bayes_renorm::model::Autoencoder;
use bayes_renorm::network::dataset_mse;
use bayes_renorm::rng::Rng;
use bayes_renorm::softflow::{
    evidence_grid, posterior_sample, posterior_std, washed_out, SoftFlow, SoftFlowConfig,
};
use ndarray::Array2;

fn setup() -> (Autoencoder<f32>, Dataset, Array2<f32>) {
    let data = synthetic_dataset(21, 200, 5, 5);
    let model = Autoencoder::<f32>::init(25, 4, false, 5);
    let fisher = fisher_diag(&model, &data, FisherVariant::Regression, 100).encoder;
    (model, data, fisher)
}

#[test]
fn standard_normal_draws_have_mean_zero_and_variance_one() {
    let mut rng = Rng::new(1, 99, 0);
    let draws: Vec<f64> = (0..200_000).map(|_| rng.standard_normal()).collect();
    let mean = draws.iter().sum::<f64>() / draws.len() as f64;
    let var = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / draws.len() as f64;
    let beyond_2 = draws.iter().filter(|d| d.abs() > 2.0).count() as f64 / draws.len() as f64;
    assert!(mean.abs() < 0.01, "{mean}");
    assert!((var - 1.0).abs() < 0.01, "{var}");
    assert!((beyond_2 - 0.0455).abs() < 0.003, "P(|z| > 2) = {beyond_2}");
}

#[test]
fn draws_have_the_posterior_mean_and_variance() {
    let (model, _, fisher) = setup();
    let (evidence, alpha) = (50.0, 75.0);
    let std = posterior_std(&fisher, evidence, alpha);
    let draws = 4000;
    let mut sum = Array2::<f64>::zeros(fisher.dim());
    let mut sum_sq = Array2::<f64>::zeros(fisher.dim());
    for s in 0..draws {
        let sample = posterior_sample(&model.encoder, &std, &mut Rng::new(3, 7, s));
        sum += &sample.mapv(|v| v as f64);
        sum_sq += &sample.mapv(|v| (v as f64).powi(2));
    }
    let mut worst = 0.0f64;
    for ((j, i), &f) in fisher.indexed_iter() {
        let variance = 1.0 / (evidence * f as f64 + alpha);
        let mean = sum[[j, i]] / draws as f64;
        let sample_var = sum_sq[[j, i]] / draws as f64 - mean * mean;
        // The sample mean is within 5 standard errors; the variance within 10 %.
        let z = (mean - model.encoder[[j, i]] as f64) / (variance / draws as f64).sqrt();
        worst = worst.max(z.abs());
        assert!(
            (sample_var / variance - 1.0).abs() < 0.1,
            "({j},{i}): {sample_var} vs {variance}"
        );
    }
    assert!(worst < 5.0, "largest standardised error of a mean {worst}");
}

#[test]
fn one_draw_of_zero_width_is_the_trained_model() {
    let (model, data, fisher) = setup();
    let config = SoftFlowConfig {
        alpha: f64::INFINITY,
        samples: 1,
        seed: 1,
    };
    let flow = SoftFlow::new(&model, &fisher, config);
    assert_eq!(flow.samples(100.0)[0], model);
    let x = data.batch::<f32>(0..data.len());
    assert_eq!(
        flow.mean_reconstruction(100.0, &data),
        model.forward(x.view()).output
    );
    let point = flow.point(100.0, &data);
    assert_eq!(point.predictive_mse, dataset_mse(&model, &data));
    let (mean, singles) = flow.reconstructions(100.0, &data, 3);
    assert_eq!(singles.len(), 1, "no more draws than the flow makes");
    assert_eq!(
        (&mean, &singles[0]),
        (&model.forward(x.view()).output, &mean)
    );
    assert_eq!(point.mean_sample_mse, point.predictive_mse);
    assert_eq!(point.washed_out, 0);
}

#[test]
fn the_single_draws_shown_are_the_flows_own_and_their_mean_is_the_mean_shown() {
    let (model, data, fisher) = setup();
    let config = SoftFlowConfig {
        alpha: 75.0,
        samples: 4,
        seed: 3,
    };
    let flow = SoftFlow::new(&model, &fisher, config);
    let x = data.batch::<f32>(0..data.len());
    let (mean, singles) = flow.reconstructions(5.0, &data, 2);
    let outputs: Vec<_> = (flow.samples(5.0).iter())
        .map(|m| m.forward(x.view()).output)
        .collect();
    assert_eq!(singles, outputs[..2].to_vec());
    let by_hand = outputs
        .iter()
        .fold(Array2::<f32>::zeros(x.dim()), |a, o| a + o)
        / 4.0;
    assert!(mean.iter().zip(&by_hand).all(|(a, b)| (a - b).abs() < 1e-6));
    assert!(
        singles[0] != singles[1],
        "two draws differ at little evidence"
    );
}

#[test]
fn washed_out_weights_are_those_whose_posterior_std_exceeds_their_size() {
    let (model, _, fisher) = setup();
    for (evidence, alpha) in [(1e4, 75.0), (10.0, 75.0), (0.0, 75.0), (100.0, 0.0)] {
        let std = posterior_std(&fisher, evidence, alpha);
        let brute = std
            .iter()
            .zip(&model.encoder)
            .filter(|(s, e)| **s > e.abs() as f64)
            .count();
        assert_eq!(washed_out(&model.encoder, &fisher, evidence, alpha), brute);
    }
}

#[test]
fn with_no_prior_the_weights_of_zero_fisher_are_removed_and_counted() {
    let (model, data, mut fisher) = setup();
    fisher[[0, 3]] = 0.0;
    fisher[[2, 7]] = 0.0;
    let zeros = fisher.iter().filter(|&&f| f == 0.0).count();
    let config = SoftFlowConfig {
        alpha: 0.0,
        samples: 2,
        seed: 4,
    };
    let flow = SoftFlow::new(&model, &fisher, config);
    for sample in flow.samples(30.0) {
        assert_eq!((sample.encoder[[0, 3]], sample.encoder[[2, 7]]), (0.0, 0.0));
        assert!(sample.encoder.iter().all(|w| w.is_finite()));
    }
    assert_eq!(flow.point(30.0, &data).unbounded, zeros);
    // n = 0 and α = 0: nothing constrains any weight, every one is removed.
    let nothing = flow.point(0.0, &data);
    assert_eq!(nothing.unbounded, fisher.len());
    assert_eq!(nothing.washed_out, fisher.len());
}

#[test]
fn the_evidence_grid_falls_from_all_examples_to_none() {
    let grid = evidence_grid(60_000);
    assert_eq!(grid[0], 60_000.0);
    assert_eq!(*grid.last().unwrap(), 0.0);
    assert!(grid.windows(2).all(|w| w[0] > w[1]));
    assert!(grid.contains(&6000.0) && grid.contains(&600.0) && grid.contains(&1.0));
}

#[test]
fn the_evidence_slider_runs_log_spaced_from_none_to_all() {
    use bayes_renorm::softflow::{evidence_at, evidence_position};
    assert_eq!(evidence_at(0.0, 60_000), 0.0);
    assert_eq!(evidence_at(1.0, 60_000), 60_000.0);
    assert_eq!(evidence_at(0.5, 99), 9.0, "√100 - 1");
    let mut previous = -1.0;
    for step in 0..=100 {
        let t = step as f64 / 100.0;
        let n = evidence_at(t, 60_000);
        assert!(n >= previous);
        previous = n;
        // Rounding n to a whole example moves the position by at most half an example's worth.
        let back = evidence_position(n, 60_000);
        let half_example = ((n + 1.0) / (n + 0.5)).ln() / 60_001f64.ln();
        assert!(
            (back - t).abs() <= half_example + 1e-12,
            "{t}: {n} → {back}"
        );
    }
}

//! The closed-form diagonal Fisher against brute force: squared per-output (regression) or
//! per-example-loss (empirical) derivatives by central differences of the loop model
//! (tests/common), summed and averaged example by example.

use crate::common;

use crate::common::synthetic_dataset;
use bayes_renorm::data::Dataset;
use bayes_renorm::fisher::{
    fisher_diag, FisherAccumulator, FisherDiag, FisherVariant, SumOverExamples,
};
use bayes_renorm::model::Autoencoder;
use common::{assert_close, central_difference, kink_free_cases, loop_example_loss, loop_forward};
use ndarray::Array2;

/// The closed form, fed in two batches so accumulation across batches is covered too.
fn closed_form(
    model: &Autoencoder<f64>,
    x: &Array2<f64>,
    variant: FisherVariant,
) -> FisherDiag<f64> {
    let mut accumulator = FisherAccumulator::new(model, variant);
    let half = x.nrows() / 2;
    accumulator.add_batch(x.slice(ndarray::s![..half, ..]));
    accumulator.add_batch(x.slice(ndarray::s![half.., ..]));
    accumulator.finish()
}

/// mean_x of the squared derivative of every output (regression) or of L_x (empirical).
fn brute_force(model: &Autoencoder<f64>, x: &Array2<f64>, variant: FisherVariant) -> Vec<Vec<f64>> {
    let lens: Vec<usize> = model.parameters().iter().map(|p| p.len()).collect();
    lens.iter()
        .enumerate()
        .map(|(tensor, &len)| {
            (0..len)
                .map(|index| {
                    let per_example = x.rows().into_iter().map(|row| match variant {
                        FisherVariant::ClassifLogits => unreachable!("the classifier's"),
                        FisherVariant::Regression => central_difference(
                            model,
                            tensor,
                            index,
                            |m| loop_forward(m, row),
                            |plus, minus, step| {
                                plus.iter()
                                    .zip(&minus)
                                    .map(|(p, q)| ((p - q) / (2.0 * step)).powi(2))
                                    .sum()
                            },
                        ),
                        FisherVariant::Empirical => central_difference(
                            model,
                            tensor,
                            index,
                            |m| loop_example_loss(m, row),
                            |plus, minus, step| ((plus - minus) / (2.0 * step)).powi(2),
                        ),
                    });
                    per_example.sum::<f64>() / x.nrows() as f64
                })
                .collect()
        })
        .collect()
}

fn check(variant: FisherVariant, biases: bool) {
    for (model, x) in kink_free_cases(7, 3, 8, biases, 4) {
        let fisher = closed_form(&model, &x, variant);
        assert_eq!(fisher.examples, 8);
        let exact = brute_force(&model, &x, variant);
        let ours: Vec<f64> = fisher.all_values().collect();
        let expected: Vec<f64> = exact.concat();
        assert_eq!(ours.len(), expected.len());
        for (index, (a, b)) in ours.iter().zip(&expected).enumerate() {
            assert_close(*a, *b, 1e-5, 1e-12, &format!("{variant:?} value {index}"));
        }
        // Not vacuous: some values are clearly non-zero.
        assert!(expected.iter().any(|&v| v > 1e-3));
    }
}

#[test]
fn regression_fisher_equals_brute_force() {
    check(FisherVariant::Regression, false);
}

#[test]
fn regression_fisher_with_biases_equals_brute_force() {
    check(FisherVariant::Regression, true);
}

#[test]
fn empirical_fisher_equals_finite_differences() {
    check(FisherVariant::Empirical, false);
    check(FisherVariant::Empirical, true);
}

#[test]
fn fisher_over_a_dataset_is_independent_of_batching() {
    let data: Dataset = synthetic_dataset(4, 250, 5, 5);
    let model = Autoencoder::<f32>::init(25, 4, true, 4);
    let whole = fisher_diag(&model, &data, FisherVariant::Regression, 250);
    let batched = fisher_diag(&model, &data, FisherVariant::Regression, 64);
    assert_eq!(whole.examples, 250);
    for (a, b) in whole.all_values().zip(batched.all_values()) {
        assert_close(a as f64, b as f64, 1e-5, 1e-12, "batching");
    }
}

#[test]
fn encoder_fisher_has_the_x_squared_factor() {
    // F[j,i] is proportional to mean x_i^2 weighting: a pixel that is 0 in every example has
    // F[., i] = 0 exactly, under both variants.
    let mut data: Dataset = synthetic_dataset(5, 50, 4, 4);
    for k in 0..data.len() {
        data.pixels[k * 16 + 3] = 0;
    }
    let model = Autoencoder::<f32>::init(16, 3, false, 5);
    for variant in [FisherVariant::Regression, FisherVariant::Empirical] {
        let fisher = fisher_diag(&model, &data, variant, 20);
        assert!(fisher.encoder.column(3).iter().all(|&f| f == 0.0));
        assert!(fisher.encoder.column(2).iter().any(|&f| f > 0.0));
    }
}

#[test]
fn terms_from_pixels_equal_the_dense_batchs_terms() {
    // MNIST takes the sparse path; a dense dataset falls back to the dense batch.
    let mnist = common::mnist_test(1200);
    let dense = Dataset::new(
        28,
        28,
        vec![0; 300],
        common::random_pixels(5, 300 * 784, 0.1),
    );
    for biases in [false, true] {
        let model = Autoencoder::<f32>::init(784, 20, biases, 11);
        for variant in [FisherVariant::Regression, FisherVariant::Empirical] {
            let mut accumulator = FisherAccumulator::new(&model, variant);
            for (data, range) in [(&mnist, 0..1000), (&mnist, 1000..1200), (&dense, 0..300)] {
                let from_pixels = accumulator.examples_terms(data, range.clone());
                let from_batch = accumulator.batch_terms(data.batch::<f32>(range).view());
                assert_eq!(from_pixels, from_batch, "{variant:?}, biases {biases}");
            }
        }
    }
}

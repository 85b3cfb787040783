//! The hand-written backward pass against central finite differences, in f64, of a loss computed
//! independently with plain loops (tests/common), not with the model's own forward.

use crate::common;

use bayes_renorm::model::Autoencoder;
use bayes_renorm::sparse::SparseRows;
use common::{
    assert_close, assert_gradients_match_finite_differences, kink_free_cases, kink_free_cases_of,
    loop_loss, random_inputs, sparse_inputs,
};
use ndarray::Array2;

fn gradient_check(biases: bool) {
    check_gradients(kink_free_cases(10, 3, 6, biases, 6));
}

fn check_gradients(cases: Vec<(Autoencoder<f64>, Array2<f64>)>) {
    for (model, x) in cases {
        let (_, grads) = model.loss_and_gradients(x.view());
        assert_gradients_match_finite_differences(&model, &x, &grads, "");
    }
}

#[test]
fn gradients_match_finite_differences_without_biases() {
    gradient_check(false);
}

#[test]
fn gradients_match_finite_differences_with_biases() {
    gradient_check(true);
}

/// Inputs four-fifths zeros take the sparse products for x·Eᵀ and the encoder's gradient.
#[test]
fn gradients_match_finite_differences_on_sparse_inputs() {
    for biases in [false, true] {
        let cases = kink_free_cases_of(sparse_inputs, 24, 3, 6, biases, 4);
        for (_, x) in &cases {
            assert!(
                SparseRows::of(x.view()).is_some(),
                "the sparse path is taken"
            );
        }
        check_gradients(cases);
    }
}

#[test]
fn forward_matches_loop_implementation() {
    for biases in [false, true] {
        let model = Autoencoder::<f64>::init(12, 4, biases, 7);
        for x in [random_inputs(7, 9, 12), sparse_inputs(7, 9, 12)] {
            assert_close(
                model.loss(x.view()),
                loop_loss(&model, &x),
                1e-12,
                0.0,
                "loss",
            );
        }
    }
}

#[test]
fn relu_gradient_is_zero_at_the_kink() {
    // Encoder row 0 is zero, so a_0 = 0 exactly; PyTorch gives relu'(0) = 0, so E[0, :] gets no
    // gradient even though the decoder uses unit 0.
    let mut model = Autoencoder::<f64>::init(5, 2, false, 3);
    model.encoder.row_mut(0).fill(0.0);
    let x = random_inputs(3, 4, 5);
    let (_, grads) = model.loss_and_gradients(x.view());
    assert!(grads.encoder.row(0).iter().all(|&g| g == 0.0));
}

#[test]
fn f32_squared_error_over_a_large_batch_matches_an_f64_sum() {
    // 1000 x 785 values: blocks, lanes and a ragged tail are all exercised.
    let y = random_inputs(1, 1000, 785).mapv(|v| v as f32);
    let x = random_inputs(2, 1000, 785).mapv(|v| v as f32);
    let exact: f64 = y
        .iter()
        .zip(&x)
        .map(|(&a, &b)| (a as f64 - b as f64).powi(2))
        .sum();
    let ours = bayes_renorm::model::sum_squared_error(&y, &x.view());
    assert_close(ours, exact, 1e-6, 0.0, "sum of squared errors");
}

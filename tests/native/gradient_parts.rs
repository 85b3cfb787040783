//! Batches split into parts, as the page's pool of workers trains: the parts' gradients add up
//! to the batch's (against finite differences of a loop-computed loss), one part is the ordinary
//! step bit for bit, and a given number of parts is reproducible and close to one part.

use crate::common;

use crate::common::synthetic_dataset;
use bayes_renorm::adam::AdamConfig;
use bayes_renorm::data::Dataset;
use bayes_renorm::model::{Autoencoder, Gradients};
use bayes_renorm::train::{TrainConfig, TrainError, Trainer};
use common::{assert_close, assert_gradients_match_finite_differences, kink_free_cases, loop_loss};
use ndarray::s;

#[test]
fn parts_of_a_batch_add_up_to_its_gradient_and_loss() {
    for biases in [false, true] {
        for (model, x) in kink_free_cases(8, 3, 7, biases, 3) {
            let rows = x.nrows();
            let (mut squared_error, mut sum) = model.gradient_part(x.slice(s![..3, ..]), rows);
            for range in [3..5, 5..7] {
                let (part_error, part) = model.gradient_part(x.slice(s![range, ..]), rows);
                squared_error += part_error;
                sum.add(&part);
            }
            let loss = loop_loss(&model, &x);
            assert_close(squared_error / x.len() as f64, loss, 1e-12, 0.0, "loss");
            assert_gradients_match_finite_differences(
                &model,
                &x,
                &sum,
                &format!("biases {biases}, "),
            );
        }
    }
}

#[test]
fn flat_gradients_and_parameters_round_trip_and_reject_wrong_lengths() {
    let model = Autoencoder::<f32>::init(12, 4, true, 3);
    let x = synthetic_dataset(2, 9, 3, 4).batch::<f32>(0..9);
    let (_, grads) = model.gradient_part(x.view(), 9);
    let flat = grads.to_flat();
    assert_eq!(flat.len(), model.parameter_count());
    assert_eq!(Gradients::from_flat(&model, &flat), Some(grads));
    assert_eq!(Gradients::from_flat(&model, &flat[1..]), None);

    let mut copy = Autoencoder::<f32>::init(12, 4, true, 99);
    assert_ne!(copy, model);
    let weights: Vec<f32> = model.parameters().concat();
    assert_eq!(copy.set_parameters(&weights[1..]), None);
    assert_ne!(copy, model, "a wrong length changes nothing");
    assert_eq!(copy.set_parameters(&weights), Some(()));
    assert_eq!(copy, model);
}

fn config(batch_size: usize, lr: f32) -> TrainConfig {
    TrainConfig {
        epochs: 3,
        batch_size,
        adam: AdamConfig {
            lr,
            ..AdamConfig::default()
        },
        seed: 5,
    }
}

/// Trains to the end, each batch from `parts` parts computed as a worker of the pool does: from
/// its own copy of the examples.
fn train_in_parts(data: &Dataset, config: TrainConfig, parts: usize) -> Trainer {
    let model = Autoencoder::init(data.input_dim(), 4, false, 5);
    let mut trainer = Trainer::new(model, config, data.clone()).unwrap();
    while !trainer.is_finished() {
        let rows = trainer.next_batch_parts(parts);
        let batch_rows: usize = rows.iter().map(|r| r.len()).sum();
        let computed = rows
            .iter()
            .map(|r| trainer.model().gradient_part(data, r, batch_rows))
            .collect();
        trainer.train_batch_from_parts(computed).unwrap();
    }
    trainer
}

#[test]
fn batch_parts_cover_the_batch_in_order_with_sizes_within_one() {
    let data = synthetic_dataset(4, 103, 4, 4);
    let mut single = Trainer::new(
        Autoencoder::init(16, 3, false, 5),
        config(25, 1e-2),
        data.clone(),
    )
    .unwrap();
    for _ in 0..single.batches_per_epoch() {
        let whole = single.next_batch_parts(1)[0].to_vec();
        for parts in [2, 3, 7] {
            let split = single.next_batch_parts(parts);
            assert_eq!(split.len(), parts);
            assert_eq!(split.concat(), whole);
            let sizes: Vec<usize> = split.iter().map(|r| r.len()).collect();
            assert!(sizes.windows(2).all(|w| w[0] >= w[1] && w[0] - w[1] <= 1));
        }
        single.step(1).unwrap();
    }
    single.step(usize::MAX).unwrap();
    assert!(
        single.next_batch_parts(2).is_empty(),
        "nothing after the end"
    );
}

#[test]
fn one_part_is_the_ordinary_step_bit_for_bit() {
    let data = synthetic_dataset(6, 130, 5, 5);
    let pooled = train_in_parts(&data, config(32, 1e-2), 1);
    let model = Autoencoder::init(25, 4, false, 5);
    let mut plain = Trainer::new(model, config(32, 1e-2), data).unwrap();
    plain.step(usize::MAX).unwrap();
    assert_eq!(pooled.model(), plain.model());
    assert_eq!(pooled.batch_losses(), plain.batch_losses());
    // Debug text, as a finished run's running loss is NaN.
    let progress = |t: &Trainer| format!("{:?}", t.progress());
    assert_eq!(progress(&pooled), progress(&plain));
}

#[test]
fn more_parts_are_reproducible_and_agree_with_one_to_rounding() {
    let data = synthetic_dataset(6, 130, 5, 5);
    let one = train_in_parts(&data, config(32, 1e-2), 1);
    for parts in [2, 3] {
        let first = train_in_parts(&data, config(32, 1e-2), parts);
        let again = train_in_parts(&data, config(32, 1e-2), parts);
        assert_eq!(first.model(), again.model(), "{parts} parts twice");
        for (a, b) in first.batch_losses().iter().zip(one.batch_losses()) {
            assert_close(*a, *b, 1e-4, 0.0, &format!("{parts} parts, batch loss"));
        }
        let (a, b) = (
            first.model().first_layer().view(),
            one.model().first_layer().view(),
        );
        let largest = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max);
        assert!(
            largest < 1e-4,
            "{parts} parts: encoders differ by {largest}"
        );
    }
}

#[test]
fn a_failing_batch_in_parts_rolls_back_as_the_ordinary_step_does() {
    let data = synthetic_dataset(6, 130, 5, 5);
    let mut plain = Trainer::new(
        Autoencoder::init(25, 4, false, 5),
        config(32, 1e3),
        data.clone(),
    )
    .unwrap();
    let plain_failure = plain.step(usize::MAX).unwrap_err();

    let mut pooled = Trainer::new(
        Autoencoder::init(25, 4, false, 5),
        config(32, 1e3),
        data.clone(),
    )
    .unwrap();
    let mut seen = vec![pooled.model().clone()];
    let failure = loop {
        let rows = pooled.next_batch_parts(2);
        let batch_rows: usize = rows.iter().map(|r| r.len()).sum();
        let parts = rows
            .iter()
            .map(|r| pooled.model().gradient_part(&data, r, batch_rows))
            .collect();
        match pooled.train_batch_from_parts(parts) {
            Ok(progress) => assert!(!progress.finished, "lr 1e3 fails before the end"),
            Err(error) => break error,
        }
        seen.push(pooled.model().clone());
    };
    // The same batch fails, and the model is one the run had before, finite.
    let at = |e: &TrainError| match e {
        TrainError::Diverged { epoch, batch, .. } => (*epoch, *batch),
        TrainError::NonFiniteWeights { epoch, batch, .. } => (*epoch, *batch),
        other => panic!("unexpected failure: {other}"),
    };
    assert_eq!(
        at(&failure),
        at(&plain_failure),
        "{failure} / {plain_failure}"
    );
    assert!(seen.contains(pooled.model()) && pooled.model().is_finite());
    assert_eq!(
        pooled.train_batch_from_parts(Vec::new()).unwrap_err(),
        failure
    );
}

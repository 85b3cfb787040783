//! The Trainer: learning, reproducibility, initialisation bounds, shuffling and divergence.

use crate::common::synthetic_dataset;
use bayes_renorm::adam::AdamConfig;
use bayes_renorm::model::Autoencoder;
use bayes_renorm::train::{TrainConfig, TrainError, Trainer, DIVERGED_LOSS};

fn small_config(seed: u64) -> TrainConfig {
    TrainConfig {
        epochs: 15,
        batch_size: 32,
        adam: AdamConfig {
            lr: 1e-2,
            ..AdamConfig::default()
        },
        seed,
    }
}

fn train(seed: u64) -> Trainer {
    let data = synthetic_dataset(1, 300, 6, 6);
    let model = Autoencoder::init(36, 5, false, seed);
    let mut trainer = Trainer::new(model, small_config(seed), data).unwrap();
    trainer.step(usize::MAX).unwrap();
    trainer
}

#[test]
fn training_lowers_the_loss() {
    let data = synthetic_dataset(1, 300, 6, 6);
    let model = Autoencoder::init(36, 5, false, 9);
    let initial = model.loss(data.batch::<f32>(0..data.len()).view());
    let trained = train(9);
    let full = data.batch::<f32>(0..data.len());
    let final_loss = (trained.model().autoencoder().unwrap()).loss(full.view());
    assert!(
        final_loss < 0.75 * initial,
        "loss went from {initial} to {final_loss}"
    );
    let losses = trained.progress().epoch_losses;
    assert_eq!(losses.len(), 15);
    assert!(losses.last() < losses.first());
}

#[test]
fn same_seed_gives_identical_weights_and_another_seed_does_not() {
    let a = train(5);
    let b = train(5);
    let c = train(6);
    assert_eq!(a.model(), b.model());
    assert_ne!(a.model().first_layer(), c.model().first_layer());
    let decoder = |t: &Trainer| t.model().autoencoder().unwrap().decoder.clone();
    assert_ne!(decoder(&a), decoder(&c));
}

#[test]
fn stepping_in_pieces_equals_one_long_step() {
    let data = synthetic_dataset(2, 100, 4, 4);
    let config = TrainConfig {
        batch_size: 7, // 100 is not a multiple: the last batch of each epoch is partial
        ..small_config(3)
    };
    let mut whole = Trainer::new(Autoencoder::init(16, 3, true, 3), config, data.clone()).unwrap();
    let mut pieces = Trainer::new(Autoencoder::init(16, 3, true, 3), config, data).unwrap();
    whole.step(usize::MAX).unwrap();
    while !pieces.is_finished() {
        pieces.step(3).unwrap();
    }
    assert_eq!(whole.model(), pieces.model());
    let progress = pieces.progress();
    assert_eq!(progress.examples_seen, 1500);
    assert_eq!(progress.batches_per_epoch, 15);
    assert!(progress.finished);
}

#[test]
fn initial_weights_lie_within_one_over_sqrt_fan_in() {
    let (n, m) = (784, 20);
    let model = Autoencoder::<f32>::init(n, m, true, 42);
    let enc_bound = 1.0 / (n as f32).sqrt();
    let dec_bound = 1.0 / (m as f32).sqrt();
    let within = |values: &[f32], bound: f32| values.iter().all(|v| v.abs() <= bound);
    let params = model.parameters(); // E, D, b_E, b_D
    assert!(within(params[0], enc_bound));
    assert!(within(params[1], dec_bound));
    assert!(within(params[2], enc_bound));
    assert!(within(params[3], dec_bound));
    // Uniform on [-b, b]: mean 0, variance b^2 / 3, and the range is nearly filled.
    let values: Vec<f64> = model
        .encoder
        .iter()
        .map(|&v| (v / enc_bound) as f64)
        .collect();
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64;
    assert!(mean.abs() < 0.02, "mean {mean}");
    assert!((var - 1.0 / 3.0).abs() < 0.01, "variance {var}");
    let max = values.iter().cloned().fold(f64::MIN, f64::max);
    assert!(max > 0.999);
}

#[test]
fn a_huge_learning_rate_stops_with_a_typed_error_and_keeps_finite_weights() {
    let data = synthetic_dataset(3, 200, 6, 6);
    let config = TrainConfig {
        adam: AdamConfig {
            lr: 1e30,
            ..AdamConfig::default()
        },
        ..small_config(1)
    };
    let mut trainer = Trainer::new(Autoencoder::init(36, 4, false, 1), config, data).unwrap();
    let error = trainer.step(usize::MAX).unwrap_err();
    assert!(
        matches!(
            error,
            TrainError::Diverged { .. } | TrainError::NonFiniteWeights { .. }
        ),
        "{error:?}"
    );
    assert!(trainer.model().is_finite());
    // The trainer stays stopped and says so again.
    assert_eq!(trainer.step(1).unwrap_err(), error);
}

#[test]
fn invalid_settings_are_rejected() {
    let data = synthetic_dataset(3, 10, 2, 2);
    let model = || Autoencoder::init(4, 2, false, 1);
    let nan_lr = TrainConfig {
        adam: AdamConfig {
            lr: f32::NAN,
            ..AdamConfig::default()
        },
        ..small_config(1)
    };
    assert!(matches!(
        Trainer::new(model(), nan_lr, data.clone()),
        Err(TrainError::Config(_))
    ));
    let zero_batch = TrainConfig {
        batch_size: 0,
        ..small_config(1)
    };
    assert!(matches!(
        Trainer::new(model(), zero_batch, data.clone()),
        Err(TrainError::Config(_))
    ));
    assert!(matches!(
        Trainer::new(Autoencoder::init(9, 2, false, 1), small_config(1), data),
        Err(TrainError::InputSize {
            expected: 9,
            found: 4
        })
    ));
}

/// Steps one batch at a time until training fails; returns the batches that succeeded.
fn batches_before_failure(trainer: &mut Trainer) -> (usize, TrainError) {
    let mut done = 0;
    loop {
        match trainer.step(1) {
            Ok(_) => done += 1,
            Err(error) => return (done, error),
        }
    }
}

#[test]
fn a_diverging_run_stops_and_rolls_back_to_the_last_weights_with_a_good_loss() {
    // lr = 10 on this model does not overflow: the loss leaps by orders of magnitude instead.
    let data = synthetic_dataset(4, 400, 8, 8);
    let config = TrainConfig {
        adam: AdamConfig {
            lr: 10.0,
            ..AdamConfig::default()
        },
        ..small_config(3)
    };
    let fresh = || Trainer::new(Autoencoder::init(64, 6, false, 3), config, data.clone()).unwrap();
    let mut trainer = fresh();
    let (good_batches, error) = batches_before_failure(&mut trainer);
    let TrainError::Diverged {
        epoch,
        batch,
        loss,
        lr,
    } = error.clone()
    else {
        panic!("{error:?}");
    };
    assert!(loss > DIVERGED_LOSS, "{loss}");
    assert_eq!(lr, 10.0);
    assert_eq!(epoch * trainer.batches_per_epoch() + batch, good_batches);
    assert!(
        good_batches >= 1,
        "the first batch's loss comes from the initial weights"
    );
    let message = error.to_string();
    assert!(
        message.contains("learning rate 10 is too large") && message.contains("lower it"),
        "{message}"
    );

    // The kept weights are those the last good batch was scored with: the state after
    // good_batches - 1 updates, which a fresh trainer reaches independently.
    let mut replay = fresh();
    replay.step(good_batches - 1).unwrap();
    assert_eq!(trainer.model(), replay.model());
    replay.step(1).unwrap();
    assert_eq!(trainer.batch_losses(), replay.batch_losses());
    assert!(trainer
        .batch_losses()
        .iter()
        .all(|l| l.is_finite() && *l <= DIVERGED_LOSS));
}

#[test]
fn stepping_within_epochs_stops_at_each_epoch_end_and_equals_one_long_run() {
    let data = synthetic_dataset(6, 250, 5, 5);
    let config = TrainConfig {
        epochs: 3,
        batch_size: 40, // 7 batches per epoch, the last one of 10 examples
        ..small_config(8)
    };
    let fresh = || Trainer::new(Autoencoder::init(25, 3, false, 8), config, data.clone()).unwrap();
    let mut whole = fresh();
    whole.step(usize::MAX).unwrap();

    let mut chunked = fresh();
    let mut epoch_ends = Vec::new();
    while !chunked.is_finished() {
        let before = chunked.epochs_completed();
        let progress = chunked.step_within_epoch(3).unwrap();
        assert!(
            progress.epoch_losses.len() <= before + 1,
            "never past an epoch end"
        );
        if progress.epoch_losses.len() > before {
            assert_eq!(progress.batch, 0);
            epoch_ends.push(chunked.batch_losses().len());
        }
    }
    assert_eq!(epoch_ends, [7, 14, 21]);
    assert_eq!(chunked.model(), whole.model());
    assert_eq!(chunked.batch_losses(), whole.batch_losses());
    // Each epoch's loss is the example-weighted mean of its batch losses.
    let losses = whole.batch_losses();
    for (epoch, &epoch_loss) in whole.progress().epoch_losses.iter().enumerate() {
        let batches = &losses[epoch * 7..(epoch + 1) * 7];
        let weighted: f64 = batches[..6].iter().map(|l| 40.0 * l).sum::<f64>() + 10.0 * batches[6];
        assert!(
            (weighted / 250.0 - epoch_loss).abs() < 1e-12,
            "epoch {epoch}"
        );
    }
}

#[test]
fn from_seed_initialises_as_reproduce_does() {
    let data = synthetic_dataset(2, 50, 4, 4);
    let config = small_config(77);
    let trainer = Trainer::from_seed(data.clone(), 3, true, config).unwrap();
    assert_eq!(trainer.model(), &Autoencoder::init(16, 3, true, 77).into());
    assert!(matches!(
        Trainer::from_seed(data, 0, false, config),
        Err(TrainError::Config(_))
    ));
}

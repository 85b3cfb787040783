//! Fine-tuning after pruning: removed weights stay exactly zero, removing nothing is ordinary
//! training continued, and each reported point is the prune-then-train done by hand.

use crate::common::synthetic_dataset;
use bayes_renorm::adam::AdamConfig;
use bayes_renorm::data::Dataset;
use bayes_renorm::finetune::{FineTuneConfig, FineTuning, SCHEMES};
use bayes_renorm::fisher::{fisher_diag, FisherVariant};
use bayes_renorm::model::Autoencoder;
use bayes_renorm::network::dataset_mse;
use bayes_renorm::prune::Shells;
use bayes_renorm::train::{TrainConfig, Trainer};

fn config(epochs: usize) -> TrainConfig {
    TrainConfig {
        epochs,
        batch_size: 40,
        adam: AdamConfig {
            lr: 5e-3,
            ..AdamConfig::default()
        },
        seed: 3,
    }
}

/// A model trained a little on synthetic images, its Fisher, and a held-out set.
fn setup() -> (Autoencoder<f32>, Dataset, Dataset, Shells) {
    let train = synthetic_dataset(12, 300, 6, 6);
    let test = synthetic_dataset(13, 100, 6, 6);
    let mut trainer = Trainer::from_seed(train.clone(), 5, false, config(4)).unwrap();
    trainer.step(usize::MAX).unwrap();
    let model = trainer.model().autoencoder().unwrap().clone();
    let fisher = fisher_diag(&model, &train, FisherVariant::Regression, 100).encoder;
    let shells = Shells::new(&model, &fisher, 9);
    (model, train, test, shells)
}

#[test]
fn removed_weights_stay_exactly_zero_while_the_rest_train() {
    let (model, train, _, shells) = setup();
    for (scheme, _) in SCHEMES {
        let removed = shells.removed_indices(scheme, 100).to_vec();
        let mut trainer = Trainer::fine_tune(
            shells.pruned(scheme, 100),
            &removed,
            config(3),
            train.clone(),
        )
        .unwrap();
        trainer.step(usize::MAX).unwrap();
        let tuned = trainer.model().first_layer().as_slice().unwrap();
        for &index in &removed {
            assert_eq!(
                tuned[index].to_bits(),
                0.0f32.to_bits(),
                "{scheme:?} weight {index}"
            );
        }
        let kept_moved = (0..tuned.len())
            .filter(|i| !removed.contains(i))
            .filter(|&i| tuned[i] != model.encoder.as_slice().unwrap()[i])
            .count();
        let kept = tuned.len() - removed.len();
        assert!(
            kept_moved > kept / 3,
            "{scheme:?}: the kept weights train ({kept_moved} of {kept} moved)"
        );
    }
}

#[test]
fn removing_nothing_is_ordinary_training_continued() {
    let (model, train, _, _) = setup();
    let mut tuned = Trainer::fine_tune(model.clone(), &[], config(2), train.clone()).unwrap();
    tuned.step(usize::MAX).unwrap();
    let mut continued = Trainer::new(model, config(2), train).unwrap();
    continued.step(usize::MAX).unwrap();
    assert_eq!(tuned.model(), continued.model());
    assert_eq!(tuned.batch_losses(), continued.batch_losses());
}

#[test]
fn each_point_is_prune_then_train_done_by_hand() {
    let (model, train, test, shells) = setup();
    let fisher = shells.fisher().clone();
    let fine = FineTuneConfig {
        fractions: vec![0.5, 0.8],
        train: config(1),
    };
    let (points, continued) =
        FineTuning::new(Shells::new(&model, &fisher, 9), fine.clone(), train.clone())
            .run(&test)
            .unwrap();
    assert_eq!(points.len(), 2);
    assert_eq!(points[1].removed, (0.8 * 180.0f64).round() as usize);
    for point in &points {
        assert_eq!(point.schemes.len(), SCHEMES.len());
        for (result, (scheme, name)) in point.schemes.iter().zip(SCHEMES) {
            assert_eq!(result.scheme, name);
            let pruned = shells.pruned(scheme, point.removed);
            assert_eq!(result.before, pruned.score(&test).loss);
            let removed = shells.removed_indices(scheme, point.removed);
            let mut by_hand =
                Trainer::fine_tune(pruned, removed, fine.train, train.clone()).unwrap();
            by_hand.step(usize::MAX).unwrap();
            assert_eq!(result.after, by_hand.model().score(&test).loss, "{name}");
        }
    }
    let mut plain = Trainer::new(model.clone(), fine.train, train).unwrap();
    plain.step(usize::MAX).unwrap();
    assert_eq!(continued.before, dataset_mse(&model, &test));
    assert_eq!(continued.after, plain.model().score(&test).loss);
}

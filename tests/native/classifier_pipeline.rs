//! The classifier through the shared pipeline: training, the analysis' sweep against each pruned
//! model scored directly, weights and Fisher files under `layers.{k}.*`, and the workbench's
//! report with the classifier's keys.

use bayes_renorm::analysis::{Analysis, AnalysisConfig, Grid};
use bayes_renorm::classifier_fisher::classifier_fisher;
use bayes_renorm::data::manifest::Split;
use bayes_renorm::fisher::FisherVariant;
use bayes_renorm::network::{classifier_init, Fisher, ModelKind, Network};
use bayes_renorm::network_weights::{network_from_safetensors, network_to_safetensors};
use bayes_renorm::prune::{fisher_order, prune};
use bayes_renorm::report::{fisher_safetensors, Report};
use bayes_renorm::sweep::Baselines;
use bayes_renorm::train::{TrainConfig, Trainer};
use bayes_renorm::workbench::{JobKind, Settings};

use crate::common::{synthetic_dataset, synthetic_workbench};

fn trained(hidden: &[usize]) -> (Network, bayes_renorm::data::Dataset) {
    let train = synthetic_dataset(21, 400, 6, 6);
    let model = classifier_init(36, hidden, 10, 5);
    let config = TrainConfig::with_lr(6, 50, 1e-2, 5);
    let mut trainer = Trainer::new(model, config, train).unwrap();
    trainer.step(usize::MAX).unwrap();
    trainer.into_parts()
}

#[test]
fn training_learns_the_patterns_and_the_loss_falls() {
    let (model, train) = trained(&[8]);
    let before = classifier_init(36, &[8], 10, 5).score(&train);
    let after = model.score(&train);
    assert!(after.loss < 0.5 * before.loss, "{before:?} → {after:?}");
    // Four patterns plus noise: a trained classifier tells them apart.
    assert!(after.accuracy.unwrap() > 0.95, "{after:?}");
}

#[test]
fn every_sweep_row_is_the_pruned_model_scored_directly() {
    for hidden in [vec![8], vec![8, 6]] {
        let (model, train) = trained(&hidden);
        let test = synthetic_dataset(22, 150, 6, 6);
        let config = AnalysisConfig {
            fisher_split: Split::Train,
            fisher_examples: None,
            fisher_variant: FisherVariant::ClassifLogits,
            grid: Grid::Log,
            grid_points: 9,
            baselines: Baselines::all(vec![3]),
            eval_examples: None,
            tolerance: 0.01,
        };
        let result = Analysis::new(&model, config).run(&train, &test);
        let Network::Classifier(classifier) = &model else {
            unreachable!()
        };
        let fisher = classifier_fisher(classifier, &train, FisherVariant::ClassifLogits, 1000);
        assert_eq!(result.fisher, Fisher::Classifier(fisher.clone()));
        let order = fisher_order(fisher.first_layer());
        for row in &result.rows {
            let direct = prune(&model, &order, row.removed).score(&test);
            let what = format!("{hidden:?} at {} removed", row.removed);
            assert!(
                (row.fisher_loss - direct.loss).abs() < 1e-5 * direct.loss,
                "{what}"
            );
            assert_eq!(row.fisher_accuracy, direct.accuracy, "{what}");
            assert!(row.random_accuracy_mean.is_some() && row.saliency_accuracy.is_some());
        }
        let last = result.rows.last().unwrap();
        assert_eq!(
            last.removed,
            fisher.first_layer().len(),
            "the last cutoff removes all"
        );
        assert!(result.knee.is_some());
    }
}

#[test]
fn weights_and_fisher_files_use_the_sequential_keys_and_read_back() {
    let (model, train) = trained(&[8, 6]);
    let bytes = network_to_safetensors(&model).unwrap();
    assert_eq!(network_from_safetensors(&bytes).unwrap(), model);
    let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let mut names: Vec<String> = file.names().into_iter().map(String::from).collect();
    names.sort();
    let expected = [0, 1, 2].map(|k| [format!("layers.{k}.bias"), format!("layers.{k}.weight")]);
    assert_eq!(names, expected.concat());
    assert_eq!(file.tensor("layers.1.weight").unwrap().shape(), &[6, 8]);

    let Network::Classifier(classifier) = &model else {
        unreachable!()
    };
    let fisher = classifier_fisher(classifier, &train, FisherVariant::ClassifLogits, 1000);
    let fisher_file = fisher_safetensors(&Fisher::Classifier(fisher.clone())).unwrap();
    let Network::Classifier(read) = network_from_safetensors(&fisher_file).unwrap() else {
        panic!("a classifier's Fisher reads back as a classifier's tensors")
    };
    assert_eq!(read.layers, fisher.layers);
}

#[test]
fn a_bad_classifier_file_is_refused_naming_the_tensor() {
    let (model, _) = trained(&[8]);
    let Network::Classifier(mut classifier) = model else {
        unreachable!()
    };
    classifier.layers[1].bias[3] = f32::NAN;
    let bytes = network_to_safetensors(&Network::Classifier(classifier.clone()));
    assert!(bytes.unwrap_err().to_string().contains("layers.1.bias"));
    classifier.layers[1].bias[3] = 0.0;
    // A layer that does not take the last one's outputs.
    classifier.layers[1].weight = ndarray::Array2::zeros((10, 7));
    let written = network_to_safetensors(&Network::Classifier(classifier)).unwrap();
    let error = network_from_safetensors(&written).unwrap_err().to_string();
    assert!(error.contains("layers.1.weight"), "{error}");
}

#[test]
fn the_workbench_report_names_the_classifiers_losses() {
    let train = synthetic_dataset(23, 300, 6, 6);
    let test = synthetic_dataset(24, 100, 6, 6);
    let mut bench = synthetic_workbench(train, test);
    let settings = Settings {
        hidden: vec![8],
        epochs: 2,
        batch: 50,
        grid_points: 6,
        ..Settings::for_model(ModelKind::Classifier)
    };
    // The autoencoder's Fisher is refused for the classifier, by name.
    let wrong = Settings {
        fisher_variant: FisherVariant::Regression,
        ..settings.clone()
    };
    let error = bench
        .start(&[JobKind::Train], wrong)
        .unwrap_err()
        .to_string();
    assert!(error.contains("classif_logits"), "{error}");
    bench
        .start(&[JobKind::Train, JobKind::Analyse], settings)
        .unwrap();
    bench.run_to_end(|_| {}).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&Report::of(&bench).unwrap().to_json()).unwrap();
    assert_eq!(json["config"]["model"], "classifier");
    assert_eq!(json["config"]["hidden"], serde_json::json!([8]));
    let test_accuracy = json["train"]["test_accuracy"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&test_accuracy));
    assert!(json["train"]["test_cross_entropy"].as_f64().unwrap() > 0.0);
    let row = &json["sweep"]["rows"][0];
    for key in [
        "fisher_cross_entropy",
        "fisher_accuracy",
        "random_accuracy_mean",
    ] {
        assert!(row[key].is_number(), "{key} in {row}");
    }
    assert!(row.get("fisher_mse").is_none());
    assert_eq!(
        json["sweep"]["unpruned_accuracy"].as_f64(),
        Some(test_accuracy),
        "the sweep scores the whole test split, as training's end did"
    );
}

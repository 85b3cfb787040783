//! A classifier saved by PyTorch, as the README tells a PyTorch user to save one
//! (tests/fixtures/make_pytorch_classifier.py): it loads under `layers.{k}.*`, scores as PyTorch
//! scored it, and its Fisher, both variants, is the one PyTorch's autograd gives by brute force
//! (one backward pass per logit and example, in f64).

use bayes_renorm::classifier_fisher::classifier_fisher;
use bayes_renorm::data::Dataset;
use bayes_renorm::fisher::FisherVariant;
use bayes_renorm::network::Network;
use bayes_renorm::network_weights::network_from_safetensors;
use safetensors::{Dtype, SafeTensors};

const WEIGHTS: &[u8] = include_bytes!("../fixtures/pytorch_classifier.safetensors");
const EXPECTED: &[u8] = include_bytes!("../fixtures/pytorch_classifier_fisher.safetensors");

fn tensor<'a>(file: &'a SafeTensors, name: &str, dtype: Dtype) -> &'a [u8] {
    let view = file.tensor(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(view.dtype(), dtype, "{name}");
    view.data()
}

fn f64s(file: &SafeTensors, name: &str) -> Vec<f64> {
    (tensor(file, name, Dtype::F64).chunks_exact(8))
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

fn inputs(file: &SafeTensors) -> Dataset {
    let pixels = tensor(file, "pixels", Dtype::U8).to_vec();
    let labels = tensor(file, "labels", Dtype::U8).to_vec();
    Dataset::new(28, 28, labels, pixels)
}

#[test]
fn pytorchs_classifier_loads_and_scores_as_pytorch_scored_it() {
    let expected = SafeTensors::deserialize(EXPECTED).unwrap();
    let model = network_from_safetensors(WEIGHTS).expect("PyTorch's file loads");
    assert_eq!((model.input_dim(), model.widths()), (784, vec![16, 8]));
    let score = model.score(&inputs(&expected));
    let cross_entropy = f64s(&expected, "cross_entropy")[0];
    assert!(
        (score.loss - cross_entropy).abs() < 1e-5 * cross_entropy,
        "{score:?} vs {cross_entropy}"
    );
    assert_eq!(score.accuracy, Some(f64s(&expected, "accuracy")[0]));
}

#[test]
fn its_fisher_is_pytorchs_brute_force_under_the_same_keys() {
    let expected = SafeTensors::deserialize(EXPECTED).unwrap();
    let data = inputs(&expected);
    let Network::Classifier(model) = network_from_safetensors(WEIGHTS).unwrap() else {
        panic!("PyTorch's Sequential is read as the classifier");
    };
    for (variant, prefix) in [
        (FisherVariant::ClassifLogits, "fisher"),
        (FisherVariant::Empirical, "empirical"),
    ] {
        let ours = classifier_fisher(&model, &data, variant, 7);
        let largest = (ours.layers.iter())
            .flat_map(|l| l.weight.iter().chain(&l.bias))
            .fold(0f32, |m, &v| m.max(v)) as f64;
        for (k, layer) in ours.layers.iter().enumerate() {
            let weight: Vec<f64> = layer.weight.iter().map(|&v| v as f64).collect();
            let bias: Vec<f64> = layer.bias.iter().map(|&v| v as f64).collect();
            for (name, ours) in [("weight", weight), ("bias", bias)] {
                let key = format!("{prefix}.layers.{k}.{name}");
                let theirs = f64s(&expected, &key);
                assert_eq!(ours.len(), theirs.len(), "{key}");
                for (i, (&a, &b)) in ours.iter().zip(&theirs).enumerate() {
                    // f32 arithmetic against f64: relative to the value, or to the largest value
                    // for the tiny ones.
                    let tolerance = 1e-4 * b.abs() + 1e-6 * largest;
                    assert!(
                        (a - b).abs() <= tolerance,
                        "{key}[{i}]: ours {a}, PyTorch's {b}"
                    );
                }
            }
        }
    }
}

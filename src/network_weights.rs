//! Either model's weights in safetensors. The autoencoder keeps its keys (`crate::weights`). The
//! classifier's are `layers.{k}.weight` [out, in] and `layers.{k}.bias` [out] for k = 0 … L:
//! what `torch.nn.Sequential` of Linear and ReLU layers saves once the Linear layers' indices
//! are renumbered 0, 1, 2, … (README.md shows the few lines of Python).

use std::collections::HashMap;

use safetensors::{Dtype, SafeTensors};

use crate::classifier::{Classifier, Linear};
use crate::data::{MAX_CLASSES, MIN_CLASSES};
use crate::network::Network;
use crate::weights::{
    autoencoder_from, expect_shape, first_non_finite, le_bytes, open, read_matrix, read_vector,
    read_wire, to_safetensors, with_sorted_header, write_wire, WeightsError,
};
use crate::wire::{Reader, WireError, Writer};

/// `format` in the header metadata of exported classifier files (informative).
pub const CLASSIFIER_FORMAT: &str = "bayes-renorm classifier";

/// The key of layer `k`'s weight or bias.
pub fn layer_key(k: usize, what: &str) -> String {
    format!("layers.{k}.{what}")
}

/// A model from a safetensors file: the classifier when it holds `layers.0.weight`, else the
/// autoencoder under either of its key conventions.
pub fn network_from_safetensors(bytes: &[u8]) -> Result<Network, WeightsError> {
    let (file, present) = open(bytes)?;
    if present.iter().any(|key| key.starts_with("layers.")) {
        classifier_from(&file, &present).map(Network::Classifier)
    } else {
        autoencoder_from(&file, &present).map(Network::Autoencoder)
    }
}

/// Layers 0, 1, … while `layers.{k}.weight` exists; each layer's input is the last one's output,
/// the last gives the 10 classes' logits, every layer has its bias, and nothing else is in the
/// file.
fn classifier_from(
    file: &SafeTensors,
    present: &[String],
) -> Result<Classifier<f32>, WeightsError> {
    let mut layers: Vec<Linear<f32>> = Vec::new();
    while present.contains(&layer_key(layers.len(), "weight")) {
        let k = layers.len();
        let (weight_key, bias_key) = (layer_key(k, "weight"), layer_key(k, "bias"));
        let weight = read_matrix(file, &weight_key)?;
        if let Some(previous) = layers.last() {
            let inputs = previous.weight.nrows();
            expect_shape(
                &weight_key,
                weight.shape(),
                &[weight.nrows(), inputs],
                "a layer takes as many inputs as the layer before has outputs",
            )?;
        }
        if !present.contains(&bias_key) {
            return Err(WeightsError::MissingTensor {
                key: bias_key,
                present: present.to_vec(),
            });
        }
        let bias = read_vector(file, &bias_key, weight.nrows())?;
        layers.push(Linear { weight, bias });
    }
    if layers.len() < 2 {
        return Err(WeightsError::MissingTensor {
            key: layer_key(layers.len(), "weight"),
            present: present.to_vec(),
        });
    }
    let expected: Vec<String> = (0..layers.len())
        .flat_map(|k| [layer_key(k, "weight"), layer_key(k, "bias")])
        .collect();
    if let Some(extra) = present.iter().find(|key| !expected.contains(key)) {
        return Err(WeightsError::UnexpectedTensor {
            key: extra.clone(),
            present: present.to_vec(),
        });
    }
    let last = &layers[layers.len() - 1];
    // One logit per class; whether they are the data's classes is the workbench's check.
    let classes = last.weight.nrows().clamp(MIN_CLASSES, MAX_CLASSES);
    expect_shape(
        &layer_key(layers.len() - 1, "weight"),
        last.weight.shape(),
        &[classes, last.weight.ncols()],
        "the last layer gives one logit per class, and a data set has 2 to 256 classes",
    )?;
    let model = Classifier { layers };
    check_finite(&model)?;
    Ok(model)
}

fn check_finite(model: &Classifier<f32>) -> Result<(), WeightsError> {
    for (k, layer) in model.layers.iter().enumerate() {
        let tensors = [
            ("weight", first_non_finite(layer.weight.iter())),
            ("bias", first_non_finite(layer.bias.iter())),
        ];
        for (what, found) in tensors {
            if let Some((index, value)) = found {
                return Err(WeightsError::NonFinite {
                    key: layer_key(k, what),
                    index,
                    value,
                });
            }
        }
    }
    Ok(())
}

/// Either model as safetensors: the autoencoder under our keys, the classifier under
/// `layers.{k}.*`. Refuses what `network_from_safetensors` would refuse.
pub fn network_to_safetensors(model: &Network) -> Result<Vec<u8>, WeightsError> {
    match model {
        Network::Autoencoder(model) => to_safetensors(model),
        Network::Classifier(model) => classifier_to_safetensors(model),
    }
}

fn classifier_to_safetensors(model: &Classifier<f32>) -> Result<Vec<u8>, WeightsError> {
    check_finite(model)?;
    let tensors: Vec<(String, Vec<usize>, Vec<u8>)> = (model.layers.iter().enumerate())
        .flat_map(|(k, layer)| {
            [
                (
                    layer_key(k, "weight"),
                    layer.weight.shape().to_vec(),
                    le_bytes(layer.weight.iter()),
                ),
                (
                    layer_key(k, "bias"),
                    vec![layer.bias.len()],
                    le_bytes(layer.bias.iter()),
                ),
            ]
        })
        .collect();
    let views = (tensors.iter())
        .map(|(key, shape, bytes)| {
            safetensors::tensor::TensorView::new(Dtype::F32, shape.clone(), bytes)
                .map(|view| (key.as_str(), view))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| WeightsError::Write(e.to_string()))?;
    let widths: Vec<String> = (model.hidden_widths().iter())
        .map(|w| w.to_string())
        .collect();
    let metadata = HashMap::from([
        ("format".to_string(), CLASSIFIER_FORMAT.to_string()),
        ("input_dim".to_string(), model.input_dim().to_string()),
        ("hidden".to_string(), widths.join(",")),
    ]);
    let bytes = safetensors::serialize(views, Some(metadata))
        .map_err(|e| WeightsError::Write(e.to_string()))?;
    Ok(with_sorted_header(bytes))
}

/// Either model into a message to another thread (`crate::wire`): a tag, then the autoencoder's
/// own message (`crate::weights::write_wire`) or the classifier's widths and parameters.
pub fn write_network_wire(model: &Network, out: &mut Writer) {
    match model {
        Network::Autoencoder(model) => {
            out.u8(0);
            write_wire(model, out);
        }
        Network::Classifier(model) => {
            let widths: Vec<usize> = std::iter::once(model.input_dim())
                .chain(model.hidden_widths())
                .chain(std::iter::once(model.classes()))
                .collect();
            out.u8(1).usizes(&widths).f32s(&model.parameters().concat());
        }
    }
}

/// A model from `write_network_wire`'s message.
pub fn read_network_wire(input: &mut Reader) -> Result<Network, WireError> {
    let error = |problem: String| WireError {
        what: "a model",
        problem,
    };
    match input.u8()? {
        0 => Ok(Network::Autoencoder(read_wire(input)?)),
        1 => {
            let widths = input.usizes()?;
            let parameters = input.f32s()?;
            // Checked before any allocation: the widths must account for exactly the values sent.
            let expected = (widths.windows(2)).try_fold(0usize, |sum, w| {
                sum.checked_add(w[0].checked_mul(w[1])?.checked_add(w[1])?)
            });
            if widths.len() < 3 || widths.contains(&0) || expected != Some(parameters.len()) {
                return Err(error(format!(
                    "{} parameters sent for a classifier of widths {widths:?}",
                    parameters.len()
                )));
            }
            let (n, hidden, classes) = (
                widths[0],
                &widths[1..widths.len() - 1],
                widths[widths.len() - 1],
            );
            let shape = Classifier::<f32>::init(n, hidden, classes, 0);
            let model = shape
                .shaped_like(&parameters)
                .expect("the count was checked");
            Ok(Network::Classifier(model))
        }
        other => Err(error(format!("unknown model kind {other}"))),
    }
}

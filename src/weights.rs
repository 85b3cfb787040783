//! Autoencoder weights in safetensors (f32, little-endian, row-major), bytes in and bytes out.
//!
//! Two key conventions are read; export writes the first:
//! - ours: `encoder.weight` E [m, n], `decoder.weight` D [n, m], `encoder.bias` [m], `decoder.bias` [n];
//! - the authors' PyTorch module, encoder = Sequential(Flatten, Linear(n, m), ReLU) and
//!   decoder = Sequential(Linear(m, n), ReLU): `encoder.1.weight`, `decoder.0.weight`,
//!   `encoder.1.bias`, `decoder.0.bias`.
//!
//! `nn.Linear.weight` is [out, in], the same layout as `Autoencoder`, so no transpose is needed.

use std::collections::HashMap;

use ndarray::{Array1, Array2};
use safetensors::{Dtype, SafeTensors};
use serde::de::IgnoredAny;
use serde::Deserialize;
use thiserror::Error;

use crate::model::Autoencoder;
use crate::wire::{Reader, WireError, Writer};

/// The tensor names of one key convention.
#[derive(Clone, Copy, Debug)]
struct KeyNames {
    encoder_weight: &'static str,
    decoder_weight: &'static str,
    encoder_bias: &'static str,
    decoder_bias: &'static str,
}

impl KeyNames {
    fn all(&self) -> [&'static str; 4] {
        [
            self.encoder_weight,
            self.decoder_weight,
            self.encoder_bias,
            self.decoder_bias,
        ]
    }
}

/// Written on export.
const OUR_KEYS: KeyNames = KeyNames {
    encoder_weight: "encoder.weight",
    decoder_weight: "decoder.weight",
    encoder_bias: "encoder.bias",
    decoder_bias: "decoder.bias",
};

/// `state_dict()` of the authors' module: index 1 of the encoder and 0 of the decoder are the Linears.
const PYTORCH_KEYS: KeyNames = KeyNames {
    encoder_weight: "encoder.1.weight",
    decoder_weight: "decoder.0.weight",
    encoder_bias: "encoder.1.bias",
    decoder_bias: "decoder.0.bias",
};

/// `format` in the header metadata of exported files (informative; import does not need it).
pub const FORMAT_NAME: &str = "bayes-renorm autoencoder";

/// Why weights could not be read or written. Each variant names the tensor it is about.
#[derive(Debug, Error)]
pub enum WeightsError {
    #[error("not a safetensors file ({len} bytes): {reason}")]
    NotSafetensors { len: usize, reason: String },
    #[error(
        "no autoencoder weights found: expected `encoder.weight` and `decoder.weight` (or the \
         PyTorch names `encoder.1.weight` and `decoder.0.weight`); the file holds: {}",
        list(present)
    )]
    NoWeights { present: Vec<String> },
    #[error("missing tensor `{key}`; the file holds: {}", list(present))]
    MissingTensor { key: String, present: Vec<String> },
    #[error(
        "ambiguous weights: the file holds both our keys ({}) and the PyTorch keys ({}); keep one set",
        list(ours),
        list(pytorch)
    )]
    AmbiguousKeys {
        ours: Vec<String>,
        pytorch: Vec<String>,
    },
    #[error("tensor `{key}` has dtype {found}, expected F32 (call `.float()` before saving)")]
    WrongDtype { key: String, found: String },
    #[error("tensor `{key}` has shape {shape:?}, expected a non-empty 2-D weight matrix")]
    NotMatrix { key: String, shape: Vec<usize> },
    #[error("tensor `{key}` has shape {found:?}, expected {expected:?} ({why})")]
    WrongShape {
        key: String,
        found: Vec<usize>,
        expected: Vec<usize>,
        why: &'static str,
    },
    #[error("bias for only one layer: `{present}` is given but `{missing}` is not; give both or neither")]
    LoneBias { present: String, missing: String },
    #[error("tensor `{key}` holds a non-finite value ({value}) at flat index {index}")]
    NonFinite {
        key: String,
        index: usize,
        value: f32,
    },
    #[error(
        "unexpected tensor `{key}` beside the classifier's layers; the file holds: {}",
        list(present)
    )]
    UnexpectedTensor { key: String, present: Vec<String> },
    #[error("could not write safetensors: {0}")]
    Write(String),
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "no tensors".to_string()
    } else {
        names.join(", ")
    }
}

/// Serialises the model under our key names, with a small informative metadata header.
/// Refuses a model that `from_safetensors` would refuse, so every export reads back.
pub fn to_safetensors(model: &Autoencoder<f32>) -> Result<Vec<u8>, WeightsError> {
    check_model(model, &OUR_KEYS)?;
    let mut tensors: Vec<(&str, Vec<usize>, Vec<u8>)> = vec![
        (
            OUR_KEYS.encoder_weight,
            model.encoder.shape().to_vec(),
            le_bytes(model.encoder.iter()),
        ),
        (
            OUR_KEYS.decoder_weight,
            model.decoder.shape().to_vec(),
            le_bytes(model.decoder.iter()),
        ),
    ];
    if let (Some(encoder_bias), Some(decoder_bias)) = (&model.encoder_bias, &model.decoder_bias) {
        tensors.push((
            OUR_KEYS.encoder_bias,
            vec![encoder_bias.len()],
            le_bytes(encoder_bias.iter()),
        ));
        tensors.push((
            OUR_KEYS.decoder_bias,
            vec![decoder_bias.len()],
            le_bytes(decoder_bias.iter()),
        ));
    }
    let views = tensors
        .iter()
        .map(|(key, shape, bytes)| {
            safetensors::tensor::TensorView::new(Dtype::F32, shape.clone(), bytes)
                .map(|view| (*key, view))
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| WeightsError::Write(e.to_string()))?;
    let metadata = HashMap::from([
        ("format".to_string(), FORMAT_NAME.to_string()),
        ("input_dim".to_string(), model.input_dim().to_string()),
        ("latent_dim".to_string(), model.latent_dim().to_string()),
    ]);
    let bytes = safetensors::serialize(views, Some(metadata))
        .map_err(|e| WeightsError::Write(e.to_string()))?;
    Ok(with_sorted_header(bytes))
}

/// safetensors writes its metadata map in `HashMap` order, which changes from run to run. The
/// header is re-serialised with sorted keys (serde_json's map is ordered), so the same weights
/// always give the same bytes and a checksum identifies them. Only the order of JSON object
/// keys changes, so the header keeps its length and the data offsets stay valid.
pub(crate) fn with_sorted_header(mut bytes: Vec<u8>) -> Vec<u8> {
    let header_len = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes")) as usize;
    let header = &bytes[8..8 + header_len];
    let value: serde_json::Value =
        serde_json::from_slice(header).expect("safetensors wrote valid JSON");
    let mut sorted = serde_json::to_vec(&value).expect("a JSON value serialises");
    assert!(
        sorted.len() <= header_len,
        "reordering keys keeps the length"
    );
    sorted.resize(header_len, b' ');
    bytes[8..8 + header_len].copy_from_slice(&sorted);
    bytes
}

/// Reads a model written by `to_safetensors` or by PyTorch (`safetensors.torch.save_file` of the
/// authors' `state_dict()`). Biases are optional but must come in pairs.
pub fn from_safetensors(bytes: &[u8]) -> Result<Autoencoder<f32>, WeightsError> {
    let (file, present) = open(bytes)?;
    autoencoder_from(&file, &present)
}

/// A safetensors file's tensors, and their names sorted.
pub(crate) fn open(bytes: &[u8]) -> Result<(SafeTensors<'_>, Vec<String>), WeightsError> {
    let not_safetensors = |reason: String| WeightsError::NotSafetensors {
        len: bytes.len(),
        reason,
    };
    check_offsets_in_bounds(bytes).map_err(not_safetensors)?;
    let file = SafeTensors::deserialize(bytes).map_err(|e| not_safetensors(e.to_string()))?;
    let mut present: Vec<String> = file.names().into_iter().map(String::from).collect();
    present.sort();
    Ok((file, present))
}

/// The autoencoder in an opened file whose tensors are `present`.
pub(crate) fn autoencoder_from(
    file: &SafeTensors,
    present: &[String],
) -> Result<Autoencoder<f32>, WeightsError> {
    let keys = pick_convention(present)?;
    let has = |key: &str| present.iter().any(|p| p == key);
    for key in [keys.encoder_weight, keys.decoder_weight] {
        if !has(key) {
            return Err(WeightsError::MissingTensor {
                key: key.to_string(),
                present: present.to_vec(),
            });
        }
    }
    match (has(keys.encoder_bias), has(keys.decoder_bias)) {
        (true, false) => return Err(lone_bias(keys.encoder_bias, keys.decoder_bias)),
        (false, true) => return Err(lone_bias(keys.decoder_bias, keys.encoder_bias)),
        _ => {}
    }

    let encoder = read_matrix(file, keys.encoder_weight)?;
    let decoder = read_matrix(file, keys.decoder_weight)?;
    let (latent_dim, input_dim) = encoder.dim();
    let (encoder_bias, decoder_bias) = if has(keys.encoder_bias) {
        (
            Some(read_vector(file, keys.encoder_bias, latent_dim)?),
            Some(read_vector(file, keys.decoder_bias, input_dim)?),
        )
    } else {
        (None, None)
    };
    let model = Autoencoder {
        encoder,
        decoder,
        encoder_bias,
        decoder_bias,
    };
    check_model(&model, &keys)?;
    Ok(model)
}

/// Which key convention the file uses; both at once is ambiguous, neither is an error.
fn pick_convention(present: &[String]) -> Result<KeyNames, WeightsError> {
    let found = |keys: &KeyNames| -> Vec<String> {
        present
            .iter()
            .filter(|p| keys.all().contains(&p.as_str()))
            .cloned()
            .collect()
    };
    let (ours, pytorch) = (found(&OUR_KEYS), found(&PYTORCH_KEYS));
    match (ours.is_empty(), pytorch.is_empty()) {
        (false, true) => Ok(OUR_KEYS),
        (true, false) => Ok(PYTORCH_KEYS),
        (false, false) => Err(WeightsError::AmbiguousKeys { ours, pytorch }),
        (true, true) => Err(WeightsError::NoWeights {
            present: present.to_vec(),
        }),
    }
}

fn lone_bias(present: &str, missing: &str) -> WeightsError {
    WeightsError::LoneBias {
        present: present.to_string(),
        missing: missing.to_string(),
    }
}

/// Shapes agree (E [m, n], D [n, m], b_E [m], b_D [n]), biases come in pairs, all values finite.
fn check_model(model: &Autoencoder<f32>, keys: &KeyNames) -> Result<(), WeightsError> {
    let (latent_dim, input_dim) = model.encoder.dim();
    if latent_dim == 0 || input_dim == 0 {
        return Err(WeightsError::NotMatrix {
            key: keys.encoder_weight.to_string(),
            shape: model.encoder.shape().to_vec(),
        });
    }
    expect_shape(
        keys.decoder_weight,
        model.decoder.shape(),
        &[input_dim, latent_dim],
        "the decoder is [n, m] for an encoder of shape [m, n]",
    )?;
    match (&model.encoder_bias, &model.decoder_bias) {
        (Some(_), None) => return Err(lone_bias(keys.encoder_bias, keys.decoder_bias)),
        (None, Some(_)) => return Err(lone_bias(keys.decoder_bias, keys.encoder_bias)),
        _ => {}
    }
    if let Some(bias) = &model.encoder_bias {
        expect_shape(
            keys.encoder_bias,
            bias.shape(),
            &[latent_dim],
            "one entry per latent unit, m = rows of the encoder",
        )?;
    }
    if let Some(bias) = &model.decoder_bias {
        expect_shape(
            keys.decoder_bias,
            bias.shape(),
            &[input_dim],
            "one entry per pixel, n = columns of the encoder",
        )?;
    }
    let tensors = [
        (keys.encoder_weight, first_non_finite(model.encoder.iter())),
        (keys.decoder_weight, first_non_finite(model.decoder.iter())),
        (
            keys.encoder_bias,
            first_non_finite(model.encoder_bias.iter().flatten()),
        ),
        (
            keys.decoder_bias,
            first_non_finite(model.decoder_bias.iter().flatten()),
        ),
    ];
    for (key, found) in tensors {
        if let Some((index, value)) = found {
            return Err(WeightsError::NonFinite {
                key: key.to_string(),
                index,
                value,
            });
        }
    }
    Ok(())
}

/// `iter()` walks in logical row-major order, so the index is the flat index in the file.
pub(crate) fn first_non_finite<'a>(values: impl Iterator<Item = &'a f32>) -> Option<(usize, f32)> {
    values
        .copied()
        .enumerate()
        .find(|(_, value)| !value.is_finite())
}

pub(crate) fn expect_shape(
    key: &str,
    found: &[usize],
    expected: &[usize],
    why: &'static str,
) -> Result<(), WeightsError> {
    if found == expected {
        Ok(())
    } else {
        Err(WeightsError::WrongShape {
            key: key.to_string(),
            found: found.to_vec(),
            expected: expected.to_vec(),
            why,
        })
    }
}

/// The tensor's values as f32, with its shape; only F32 is accepted (no silent conversion).
fn read_f32(file: &SafeTensors, key: &str) -> Result<(Vec<usize>, Vec<f32>), WeightsError> {
    let view = file.tensor(key).map_err(|_| WeightsError::MissingTensor {
        key: key.to_string(),
        present: file.names().into_iter().map(String::from).collect(),
    })?;
    if view.dtype() != Dtype::F32 {
        return Err(WeightsError::WrongDtype {
            key: key.to_string(),
            found: view.dtype().to_string(),
        });
    }
    // safetensors has checked that the byte length is 4 * the element count.
    let values = view
        .data()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    Ok((view.shape().to_vec(), values))
}

pub(crate) fn read_matrix(file: &SafeTensors, key: &str) -> Result<Array2<f32>, WeightsError> {
    let (shape, values) = read_f32(file, key)?;
    let not_matrix = || WeightsError::NotMatrix {
        key: key.to_string(),
        shape: shape.clone(),
    };
    let &[rows, cols] = shape.as_slice() else {
        return Err(not_matrix());
    };
    if rows == 0 || cols == 0 {
        return Err(not_matrix());
    }
    Array2::from_shape_vec((rows, cols), values).map_err(|_| not_matrix())
}

pub(crate) fn read_vector(
    file: &SafeTensors,
    key: &str,
    len: usize,
) -> Result<Array1<f32>, WeightsError> {
    let (shape, values) = read_f32(file, key)?;
    expect_shape(
        key,
        &shape,
        &[len],
        "a bias has one entry per output of its layer",
    )?;
    Ok(Array1::from_vec(values))
}

pub(crate) fn le_bytes<'a>(values: impl Iterator<Item = &'a f32>) -> Vec<u8> {
    values.flat_map(|v| v.to_le_bytes()).collect()
}

/// The part of a safetensors header this check reads: each tensor's `data_offsets`.
/// The field layout mirrors safetensors' own, minus the fields ignored here, so any header that
/// safetensors parses also parses here.
#[derive(Deserialize)]
struct DeclaredHeader {
    #[serde(rename = "__metadata__")]
    _metadata: Option<IgnoredAny>,
    #[serde(flatten)]
    tensors: HashMap<String, DeclaredTensor>,
}

#[derive(Deserialize)]
struct DeclaredTensor {
    data_offsets: (u64, u64),
}

/// safetensors 0.8 adds the declared data size to the header size without an overflow check, so
/// a crafted header with offsets near `usize::MAX` panics inside `SafeTensors::deserialize`.
/// Offsets past the end of the buffer are rejected here first; anything else malformed is left
/// to safetensors to report.
fn check_offsets_in_bounds(bytes: &[u8]) -> Result<(), String> {
    const LEN_PREFIX: usize = 8;
    let Some(prefix) = bytes.first_chunk::<LEN_PREFIX>() else {
        return Ok(());
    };
    let Ok(header_len) = usize::try_from(u64::from_le_bytes(*prefix)) else {
        return Ok(());
    };
    let Some(header) = bytes[LEN_PREFIX..].get(..header_len) else {
        return Ok(());
    };
    let data_len = (bytes.len() - LEN_PREFIX - header_len) as u64;
    let Ok(declared) = serde_json::from_slice::<DeclaredHeader>(header) else {
        return Ok(());
    };
    for (name, tensor) in &declared.tensors {
        let (start, end) = tensor.data_offsets;
        if start > data_len || end > data_len {
            return Err(format!(
                "tensor `{name}` declares data_offsets [{start}, {end}] past the end of the \
                 {data_len}-byte data section"
            ));
        }
    }
    Ok(())
}

/// The model into a message to another thread (`crate::wire`): its shape, then every parameter
/// in `parameters()` order.
pub fn write_wire(model: &Autoencoder<f32>, out: &mut Writer) {
    out.usize(model.input_dim())
        .usize(model.latent_dim())
        .bool(model.has_biases())
        .f32s(&model.parameters().concat());
}

/// A model from `write_wire`'s message.
pub fn read_wire(input: &mut Reader) -> Result<Autoencoder<f32>, WireError> {
    let mut kept = None;
    read_wire_into(input, &mut kept)?;
    Ok(kept.expect("read_wire_into sets the model"))
}

/// `read_wire` into `kept`, reusing it when it has the message's shape (a helper takes new
/// weights for every batch).
pub fn read_wire_into<'a>(
    input: &mut Reader,
    kept: &'a mut Option<Autoencoder<f32>>,
) -> Result<&'a Autoencoder<f32>, WireError> {
    let (n, m, biases) = (input.usize()?, input.usize()?, input.bool()?);
    let parameters = input.f32s()?;
    // Checked before any allocation: the shape must account for exactly the values sent.
    let expected = (n.checked_mul(m).and_then(|nm| nm.checked_mul(2)))
        .and_then(|weights| weights.checked_add(if biases { n + m } else { 0 }));
    if expected != Some(parameters.len()) {
        return Err(WireError {
            what: "a model",
            problem: format!(
                "{} parameters sent for a {n} → {m} → {n} model",
                parameters.len()
            ),
        });
    }
    let same_shape = |model: &Autoencoder<f32>| {
        (model.input_dim(), model.latent_dim(), model.has_biases()) == (n, m, biases)
    };
    if !kept.as_ref().is_some_and(same_shape) {
        *kept = Some(Autoencoder::init(n, m, biases, 0));
    }
    let model = kept.as_mut().expect("set just above");
    model
        .set_parameters(&parameters)
        .expect("the count was checked against the shape");
    Ok(model)
}

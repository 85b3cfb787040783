//! safetensors import/export: bit-exact round trips, a fixture written by Python's safetensors
//! checked against closed-form values, one error variant per kind of bad file, and no panic on
//! any bytes.

use crate::common;

use bayes_renorm::model::Autoencoder;
use bayes_renorm::weights::{from_safetensors, to_safetensors, WeightsError, FORMAT_NAME};
use ndarray::{Array1, Array2};
use proptest::prelude::*;
use proptest::sample::Index;
use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};

const AUTHORS_FIXTURE: &[u8] = include_bytes!("../fixtures/authors_weights.safetensors");
const PAPER_FIXTURE: &[u8] = include_bytes!("../fixtures/paper_weights.safetensors");

/// n = 6 pixels, m = 3 latent units: small enough that the header is most of the file.
fn small_model(biases: bool) -> Autoencoder<f32> {
    Autoencoder::init(6, 3, biases, 11)
}

/// One tensor to put in a hand-made file.
struct Entry {
    key: &'static str,
    dtype: Dtype,
    shape: Vec<usize>,
    bytes: Vec<u8>,
}

fn f32_entry(key: &'static str, shape: &[usize], values: &[f32]) -> Entry {
    Entry {
        key,
        dtype: Dtype::F32,
        shape: shape.to_vec(),
        bytes: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
    }
}

/// A tensor of the given shape filled with 0.5.
fn filled(key: &'static str, shape: &[usize]) -> Entry {
    f32_entry(key, shape, &vec![0.5; shape.iter().product()])
}

fn write_file(entries: &[Entry]) -> Vec<u8> {
    let views = entries.iter().map(|e| {
        let view = TensorView::new(e.dtype, e.shape.clone(), &e.bytes).unwrap();
        (e.key, view)
    });
    safetensors::serialize(views, None).unwrap()
}

fn import_err(entries: &[Entry]) -> WeightsError {
    match from_safetensors(&write_file(entries)) {
        Ok(_) => panic!("import should fail"),
        Err(e) => e,
    }
}

fn bits(model: &Autoencoder<f32>) -> Vec<Vec<u32>> {
    model
        .parameters()
        .iter()
        .map(|p| p.iter().map(|v| v.to_bits()).collect())
        .collect()
}

// ---- round trips -------------------------------------------------------------------------------

fn assert_round_trip(model: &Autoencoder<f32>) {
    let bytes = to_safetensors(model).unwrap();
    let back = from_safetensors(&bytes).unwrap();
    assert_eq!(back.encoder.dim(), model.encoder.dim());
    assert_eq!(back.decoder.dim(), model.decoder.dim());
    assert_eq!(back.has_biases(), model.has_biases());
    assert_eq!(bits(&back), bits(model));
}

#[test]
fn round_trip_is_bit_exact_without_biases() {
    let mut model = Autoencoder::init(784, 20, false, 3);
    // Values whose bits a lossy path would change: signed zero, subnormal, the extremes.
    model.encoder[[0, 0]] = -0.0;
    model.encoder[[1, 2]] = f32::MIN_POSITIVE / 3.0;
    model.decoder[[5, 1]] = f32::MAX;
    model.decoder[[783, 19]] = f32::MIN;
    assert_round_trip(&model);
}

#[test]
fn round_trip_is_bit_exact_with_biases() {
    let mut model = Autoencoder::init(784, 20, true, 4);
    if let Some(bias) = model.decoder_bias.as_mut() {
        bias[0] = -0.0;
    }
    assert_round_trip(&model);
}

#[test]
fn round_trip_of_a_transposed_layout_keeps_logical_order() {
    let model = small_model(false);
    // Same values, column-major storage: export must write logical row-major order.
    let encoder = model
        .encoder
        .t()
        .as_standard_layout()
        .reversed_axes()
        .into_owned();
    assert!(!encoder.is_standard_layout());
    let fortran = Autoencoder {
        encoder,
        ..model.clone()
    };
    let back = from_safetensors(&to_safetensors(&fortran).unwrap()).unwrap();
    assert_eq!(bits(&back), bits(&model));
}

#[test]
fn export_writes_our_keys_and_metadata() {
    let bytes = to_safetensors(&small_model(true)).unwrap();
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let mut names = file.names();
    names.sort();
    assert_eq!(
        names,
        [
            "decoder.bias",
            "decoder.weight",
            "encoder.bias",
            "encoder.weight"
        ]
    );
    assert_eq!(file.tensor("encoder.weight").unwrap().shape(), [3, 6]);
    assert_eq!(file.tensor("decoder.weight").unwrap().shape(), [6, 3]);
    let (_, header) = SafeTensors::read_metadata(&bytes).unwrap();
    let metadata = header.metadata().as_ref().unwrap();
    assert_eq!(metadata["format"], FORMAT_NAME);
    assert_eq!(metadata["input_dim"], "6");
    assert_eq!(metadata["latent_dim"], "3");
}

#[test]
fn the_same_weights_always_export_to_the_same_bytes() {
    // Each export builds its metadata map with a fresh hasher seed; the bytes must not depend
    // on it, so a checksum of an exported file identifies the weights.
    let model = small_model(true);
    let first = to_safetensors(&model).unwrap();
    for _ in 0..20 {
        assert_eq!(to_safetensors(&model).unwrap(), first);
    }
    assert_ne!(to_safetensors(&small_model(false)).unwrap(), first);
}

#[test]
fn pytorch_key_names_are_read() {
    let model = small_model(true);
    let encoder_bias = model.encoder_bias.clone().unwrap();
    let decoder_bias = model.decoder_bias.clone().unwrap();
    let file = write_file(&[
        f32_entry(
            "encoder.1.weight",
            &[3, 6],
            model.encoder.as_slice().unwrap(),
        ),
        f32_entry(
            "decoder.0.weight",
            &[6, 3],
            model.decoder.as_slice().unwrap(),
        ),
        f32_entry("encoder.1.bias", &[3], encoder_bias.as_slice().unwrap()),
        f32_entry("decoder.0.bias", &[6], decoder_bias.as_slice().unwrap()),
    ]);
    assert_eq!(bits(&from_safetensors(&file).unwrap()), bits(&model));
}

#[test]
fn unrelated_extra_tensors_are_ignored() {
    let model = small_model(false);
    let file = write_file(&[
        f32_entry("encoder.weight", &[3, 6], model.encoder.as_slice().unwrap()),
        f32_entry("decoder.weight", &[6, 3], model.decoder.as_slice().unwrap()),
        filled("optimizer.step", &[1]),
    ]);
    assert_eq!(bits(&from_safetensors(&file).unwrap()), bits(&model));
}

// ---- fixtures written by Python's safetensors (tests/fixtures/make_authors_weights.py) ---------

fn assert_close(name: &str, found: &[f32], expected: impl Iterator<Item = f64>) {
    let expected: Vec<f64> = expected.collect();
    assert_eq!(found.len(), expected.len(), "{name}: length");
    for (index, (&f, &e)) in found.iter().zip(&expected).enumerate() {
        let diff = (f as f64 - e as f32 as f64).abs();
        assert!(diff <= 1e-6, "{name}[{index}] = {f}, formula gives {e}");
    }
}

#[test]
fn authors_fixture_matches_its_formula() {
    let model = from_safetensors(AUTHORS_FIXTURE).unwrap();
    let formula = common::authors_fixture_formula();
    assert_eq!(model.encoder.dim(), (20, 784));
    assert_eq!(model.decoder.dim(), (784, 20));
    let names = [
        "encoder.1.weight",
        "decoder.0.weight",
        "encoder.1.bias",
        "decoder.0.bias",
    ];
    let ours = model.parameters();
    let expected = formula.parameters();
    assert_eq!(ours.len(), names.len());
    for ((name, ours), expected) in names.iter().zip(ours).zip(expected) {
        assert_close(name, ours, expected.iter().copied());
    }
}

#[test]
fn paper_fixture_matches_its_formula() {
    let (n, m) = (12, 3);
    let model = from_safetensors(PAPER_FIXTURE).unwrap();
    assert!(!model.has_biases());
    assert_eq!(model.encoder.dim(), (m, n));
    let encoder_expected =
        (0..m).flat_map(|j| (0..n).map(move |i| (j as f64 + 1.0) / 8.0 - i as f64 / 64.0));
    assert_close(
        "encoder.weight",
        model.encoder.as_slice().unwrap(),
        encoder_expected,
    );
    let decoder_expected =
        (0..n).flat_map(|o| (0..m).map(move |j| ((o + 2 * j) as f64).sin() / 3.0));
    assert_close(
        "decoder.weight",
        model.decoder.as_slice().unwrap(),
        decoder_expected,
    );
}

// ---- one error variant per kind of bad file ----------------------------------------------------

#[test]
fn bytes_that_are_not_safetensors() {
    let valid = to_safetensors(&small_model(true)).unwrap();
    let truncated = &valid[..valid.len() - 1];
    let header_cut = &valid[..20];
    for bytes in [
        &b""[..],
        b"hello",
        b"PK\x03\x04 this is a zip, not safetensors",
        truncated,
        header_cut,
    ] {
        match from_safetensors(bytes) {
            Err(WeightsError::NotSafetensors { len, .. }) => assert_eq!(len, bytes.len()),
            other => panic!(
                "{} bytes: expected NotSafetensors, got {other:?}",
                bytes.len()
            ),
        }
    }
}

/// safetensors 0.8 itself overflows on declared offsets near usize::MAX; this must be an error.
#[test]
fn offsets_near_usize_max_are_an_error() {
    let size: u64 = (1 << 61) - 1; // the largest U8 tensor whose bit count fits a u64
    let entries: Vec<String> = (0..8u64)
        .map(|k| {
            format!(
                "\"t{k}\":{{\"dtype\":\"U8\",\"shape\":[{size}],\"data_offsets\":[{},{}]}}",
                k * size,
                (k + 1) * size
            )
        })
        .collect();
    let header = format!("{{{}}}", entries.join(","));
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend(header.as_bytes());
    bytes.extend([0u8; 16]);
    let err = from_safetensors(&bytes).unwrap_err();
    assert!(
        matches!(err, WeightsError::NotSafetensors { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("past the end"), "{err}");
}

#[test]
fn wrong_dtype_names_the_dtype_found() {
    let err = import_err(&[
        Entry {
            key: "encoder.weight",
            dtype: Dtype::F64,
            shape: vec![3, 6],
            bytes: vec![0; 3 * 6 * 8],
        },
        filled("decoder.weight", &[6, 3]),
    ]);
    assert!(
        matches!(&err, WeightsError::WrongDtype { key, found } if key == "encoder.weight" && found == "F64"),
        "{err:?}"
    );
    assert!(err.to_string().contains("F64"), "{err}");
}

#[test]
fn missing_decoder_lists_the_keys_present() {
    let err = import_err(&[
        filled("encoder.1.weight", &[3, 6]),
        filled("encoder.1.bias", &[3]),
    ]);
    match &err {
        WeightsError::MissingTensor { key, present } => {
            assert_eq!(key, "decoder.0.weight");
            assert_eq!(present, &["encoder.1.bias", "encoder.1.weight"]);
        }
        other => panic!("expected MissingTensor, got {other:?}"),
    }
    assert!(
        err.to_string().contains("encoder.1.bias, encoder.1.weight"),
        "{err}"
    );
}

#[test]
fn no_known_keys_lists_the_keys_present() {
    let err = import_err(&[filled("fc1.weight", &[3, 6]), filled("fc2.weight", &[6, 3])]);
    assert!(
        matches!(&err, WeightsError::NoWeights { present } if present == &["fc1.weight", "fc2.weight"]),
        "{err:?}"
    );
    assert!(err.to_string().contains("fc1.weight, fc2.weight"), "{err}");
}

#[test]
fn both_conventions_at_once_are_ambiguous() {
    let err = import_err(&[
        filled("encoder.weight", &[3, 6]),
        filled("decoder.weight", &[6, 3]),
        filled("encoder.1.weight", &[3, 6]),
        filled("decoder.0.weight", &[6, 3]),
    ]);
    assert!(matches!(err, WeightsError::AmbiguousKeys { .. }), "{err:?}");
}

#[test]
fn a_bias_for_one_layer_only() {
    let err = import_err(&[
        filled("encoder.weight", &[3, 6]),
        filled("decoder.weight", &[6, 3]),
        filled("decoder.bias", &[6]),
    ]);
    assert!(
        matches!(&err, WeightsError::LoneBias { present, missing } if present == "decoder.bias" && missing == "encoder.bias"),
        "{err:?}"
    );
}

fn assert_wrong_shape(
    err: WeightsError,
    want_key: &str,
    want_found: &[usize],
    want_expected: &[usize],
) {
    match &err {
        WeightsError::WrongShape {
            key,
            found,
            expected,
            ..
        } => {
            assert_eq!(
                (key.as_str(), found.as_slice(), expected.as_slice()),
                (want_key, want_found, want_expected)
            );
        }
        other => panic!("expected WrongShape, got {other:?}"),
    }
}

#[test]
fn decoder_shape_must_agree_with_encoder() {
    // Transposed decoder.
    let err = import_err(&[
        filled("encoder.weight", &[3, 6]),
        filled("decoder.weight", &[3, 6]),
    ]);
    assert_wrong_shape(err, "decoder.weight", &[3, 6], &[6, 3]);
    // Another latent width.
    let err = import_err(&[
        filled("encoder.1.weight", &[3, 6]),
        filled("decoder.0.weight", &[6, 4]),
    ]);
    assert_wrong_shape(err, "decoder.0.weight", &[6, 4], &[6, 3]);
}

#[test]
fn bias_length_must_match_its_layer() {
    let err = import_err(&[
        filled("encoder.weight", &[3, 6]),
        filled("decoder.weight", &[6, 3]),
        filled("encoder.bias", &[4]),
        filled("decoder.bias", &[6]),
    ]);
    assert_wrong_shape(err, "encoder.bias", &[4], &[3]);
    let err = import_err(&[
        filled("encoder.weight", &[3, 6]),
        filled("decoder.weight", &[6, 3]),
        filled("encoder.bias", &[3]),
        filled("decoder.bias", &[6, 1]),
    ]);
    assert_wrong_shape(err, "decoder.bias", &[6, 1], &[6]);
}

#[test]
fn weights_must_be_non_empty_matrices() {
    for shape in [&[18][..], &[3, 6, 1], &[], &[0, 6]] {
        let err = import_err(&[
            filled("encoder.weight", shape),
            filled("decoder.weight", &[6, 3]),
        ]);
        assert!(
            matches!(&err, WeightsError::NotMatrix { key, shape: found } if key == "encoder.weight" && found == shape),
            "{shape:?}: {err:?}"
        );
    }
}

#[test]
fn non_finite_values_name_the_tensor_and_flat_index() {
    let mut decoder = vec![0.5f32; 18];
    decoder[7] = f32::NAN;
    decoder[9] = f32::INFINITY;
    let err = import_err(&[
        filled("encoder.weight", &[3, 6]),
        f32_entry("decoder.weight", &[6, 3], &decoder),
    ]);
    assert!(
        matches!(&err, WeightsError::NonFinite { key, index: 7, .. } if key == "decoder.weight"),
        "{err:?}"
    );
    assert!(err.to_string().contains("index 7"), "{err}");

    let err = import_err(&[
        filled("encoder.1.weight", &[3, 6]),
        filled("decoder.0.weight", &[6, 3]),
        f32_entry("encoder.1.bias", &[3], &[0.0, 0.0, f32::NEG_INFINITY]),
        filled("decoder.0.bias", &[6]),
    ]);
    assert!(
        matches!(&err, WeightsError::NonFinite { key, index: 2, .. } if key == "encoder.1.bias"),
        "{err:?}"
    );
}

#[test]
fn export_refuses_what_import_would_refuse() {
    let mut model = small_model(true);
    model.encoder[[1, 0]] = f32::NAN;
    let err = to_safetensors(&model).unwrap_err();
    assert!(
        matches!(&err, WeightsError::NonFinite { key, index: 6, .. } if key == "encoder.weight"),
        "{err:?}"
    );

    let mismatched = Autoencoder {
        decoder: Array2::zeros((5, 3)),
        ..small_model(false)
    };
    assert_wrong_shape(
        to_safetensors(&mismatched).unwrap_err(),
        "decoder.weight",
        &[5, 3],
        &[6, 3],
    );

    let lone = Autoencoder {
        encoder_bias: Some(Array1::zeros(3)),
        ..small_model(false)
    };
    assert!(matches!(
        to_safetensors(&lone).unwrap_err(),
        WeightsError::LoneBias { .. }
    ));
}

// ---- no panic on any bytes ---------------------------------------------------------------------

/// Whatever import accepts is a usable model that exports again.
fn check_accepted(bytes: &[u8]) {
    if let Ok(model) = from_safetensors(bytes) {
        let (m, n) = model.encoder.dim();
        assert_eq!(model.decoder.dim(), (n, m));
        assert!(model.is_finite());
        to_safetensors(&model).unwrap();
    }
}

/// The header of a valid file, as text, and the data after it.
fn split_header(bytes: &[u8]) -> (String, Vec<u8>) {
    let header_len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header = String::from_utf8(bytes[8..8 + header_len].to_vec()).unwrap();
    (header, bytes[8 + header_len..].to_vec())
}

fn join_header(header: &str, data: &[u8]) -> Vec<u8> {
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend(header.as_bytes());
    bytes.extend(data);
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        check_accepted(&bytes);
    }

    #[test]
    fn mutated_files_never_panic(
        biases in any::<bool>(),
        edits in proptest::collection::vec((any::<Index>(), any::<u8>()), 1..6),
        cut in proptest::option::of(any::<Index>()),
    ) {
        let mut bytes = to_safetensors(&small_model(biases)).unwrap();
        for (at, byte) in edits {
            let at = at.index(bytes.len());
            bytes[at] = byte;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        check_accepted(&bytes);
    }

    /// Rewrites one number in the JSON header (a shape, an offset, a length) with any u64 and
    /// keeps the header well-formed, so the lie reaches the checks behind the JSON parser.
    #[test]
    fn lying_header_numbers_never_panic(
        biases in any::<bool>(),
        which in any::<Index>(),
        value in prop_oneof![any::<u64>(), 0u64..100, Just(u64::MAX), Just(1 << 61)],
    ) {
        let (header, data) = split_header(&to_safetensors(&small_model(biases)).unwrap());
        let numbers: Vec<(usize, usize)> = header
            .char_indices()
            .filter(|&(i, c)| c.is_ascii_digit() && !header[..i].ends_with(|p: char| p.is_ascii_digit()))
            .map(|(start, _)| {
                let len = header[start..].chars().take_while(char::is_ascii_digit).count();
                (start, start + len)
            })
            .collect();
        let (start, end) = numbers[which.index(numbers.len())];
        let lied = format!("{}{value}{}", &header[..start], &header[end..]);
        check_accepted(&join_header(&lied, &data));
    }
}

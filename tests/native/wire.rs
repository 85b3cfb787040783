//! Messages between threads (`bayes_renorm::wire`): what is written reads back the same, and a
//! message cut short, padded or lying about a length is refused with a message, never a panic
//! or a huge allocation.

use bayes_renorm::model::Autoencoder;
use bayes_renorm::rng::Rng;
use bayes_renorm::weights::{read_wire, write_wire};
use bayes_renorm::wire::{Reader, Writer};

fn message() -> Vec<u8> {
    let mut out = Writer::new();
    out.u8(7)
        .bool(true)
        .u64(u64::MAX)
        .usize(12345)
        .f64(-0.5)
        .bytes(&[1, 2, 3])
        .str("Λ*")
        .f32s(&[1.5, f32::NAN, -0.0])
        .f64s(&[f64::INFINITY, 2.0])
        .usizes(&[0, 9, 1 << 40])
        .json(&serde_json::json!({"a": [1, 2]}));
    out.finish()
}

#[test]
fn what_is_written_reads_back_the_same() {
    let bytes = message();
    let mut input = Reader::new(&bytes, "the test message");
    assert_eq!(input.u8().unwrap(), 7);
    assert!(input.bool().unwrap());
    assert_eq!(input.u64().unwrap(), u64::MAX);
    assert_eq!(input.usize().unwrap(), 12345);
    assert_eq!(input.f64().unwrap(), -0.5);
    assert_eq!(input.bytes().unwrap(), &[1, 2, 3]);
    assert_eq!(input.str().unwrap(), "Λ*");
    let floats = input.f32s().unwrap();
    assert_eq!((floats[0], floats[1].is_nan()), (1.5, true));
    assert!(floats[2] == 0.0 && floats[2].is_sign_negative());
    assert_eq!(input.f64s().unwrap(), vec![f64::INFINITY, 2.0]);
    assert_eq!(input.usizes().unwrap(), vec![0, 9, 1 << 40]);
    let json: serde_json::Value = input.json().unwrap();
    assert_eq!(json["a"][1], 2);
    input.finish().unwrap();
}

#[test]
fn a_message_cut_short_or_padded_is_refused_with_its_name() {
    let bytes = message();
    let read_all = |bytes: &[u8]| -> Result<(), String> {
        let mut input = Reader::new(bytes, "the test message");
        let mut run = || -> Result<(), bayes_renorm::wire::WireError> {
            input.u8()?;
            input.bool()?;
            input.u64()?;
            input.usize()?;
            input.f64()?;
            input.bytes()?;
            input.str()?;
            input.f32s()?;
            input.f64s()?;
            input.usizes()?;
            input.json::<serde_json::Value>()?;
            Ok(())
        };
        run().map_err(|e| e.to_string())?;
        input.finish().map_err(|e| e.to_string())
    };
    assert!(read_all(&bytes).is_ok());
    // Every prefix of the message is refused, and says which message.
    for cut in 0..bytes.len() {
        let error = read_all(&bytes[..cut]).unwrap_err();
        assert!(error.starts_with("the test message: "), "{cut}: {error}");
    }
    let mut padded = bytes.clone();
    padded.push(0);
    assert!(read_all(&padded).unwrap_err().contains("1 bytes left over"));
}

#[test]
fn a_length_larger_than_the_message_is_refused_before_allocating() {
    let mut out = Writer::new();
    out.u64(u64::MAX / 2); // claims an enormous array of f32s
    let bytes = out.finish();
    let error = Reader::new(&bytes, "lying").f32s().unwrap_err();
    assert!(error.to_string().contains("does not fit"), "{error}");
    let error = Reader::new(&[2], "a flag").bool().unwrap_err();
    assert!(error.to_string().contains("2 is not a boolean"), "{error}");
}

#[test]
fn a_model_crosses_bit_for_bit_and_a_wrong_shape_is_refused() {
    for biases in [false, true] {
        let model = Autoencoder::<f32>::init(13, 3, biases, 4);
        let mut out = Writer::new();
        write_wire(&model, &mut out);
        let bytes = out.finish();
        let back = read_wire(&mut Reader::new(&bytes, "a model")).unwrap();
        assert_eq!(back, model);
    }
    // Ten parameters for a 13 → 3 → 13 model.
    let mut out = Writer::new();
    out.usize(13).usize(3).bool(false).f32s(&[0.0; 10]);
    let bytes = out.finish();
    let error = read_wire(&mut Reader::new(&bytes, "a model")).unwrap_err();
    assert!(error.to_string().contains("10 parameters"), "{error}");
    // A shape whose size overflows is refused, not allocated.
    let mut out = Writer::new();
    out.usize(usize::MAX).usize(3).bool(true).f32s(&[]);
    let bytes = out.finish();
    assert!(read_wire(&mut Reader::new(&bytes, "a model")).is_err());
    // Random bytes never panic.
    let mut rng = Rng::new(5, 9, 0);
    for len in 0..200 {
        let bytes: Vec<u8> = (0..len).map(|_| rng.below(256) as u8).collect();
        let _ = read_wire(&mut Reader::new(&bytes, "noise"));
    }
}

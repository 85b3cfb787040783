//! `from_safetensors`. Property: an accepted model exports, and the export reads back as the
//! same model. Half the inputs edit the JSON header and re-prefix its length, so they get past
//! the length check to safetensors' and our own validation of names, dtypes, shapes and offsets.

use crate::fuzz::{json, randomly_mutated};
use bayes_renorm::model::Autoencoder;
use bayes_renorm::rng::Rng;
use bayes_renorm::weights::{from_safetensors, to_safetensors};
use serde_json::Value;

use super::{random_or_mutated, Target};

/// Bytes before the JSON header: its length, u64 little-endian.
const LEN_PREFIX: usize = 8;

const WORDS: [&str; 22] = [
    "encoder.weight",
    "decoder.weight",
    "encoder.bias",
    "decoder.bias",
    "encoder.1.weight",
    "decoder.0.weight",
    "encoder.1.bias",
    "decoder.0.bias",
    "__metadata__",
    "dtype",
    "shape",
    "data_offsets",
    "F32",
    "F16",
    "BF16",
    "F64",
    "I32",
    "I64",
    "U8",
    "BOOL",
    "F8_E4M3",
    "F4",
];

/// A seed file split into its parsed header and its data section.
struct Seed {
    bytes: Vec<u8>,
    header: Value,
    data: Vec<u8>,
}

impl Seed {
    fn new(bytes: Vec<u8>) -> Self {
        let prefix = bytes
            .first_chunk::<LEN_PREFIX>()
            .expect("a seed has a header");
        let header_end = LEN_PREFIX + u64::from_le_bytes(*prefix) as usize;
        let header =
            serde_json::from_slice(&bytes[LEN_PREFIX..header_end]).expect("a seed header is JSON");
        let data = bytes[header_end..].to_vec();
        Seed {
            bytes,
            header,
            data,
        }
    }
}

pub struct WeightsTarget {
    /// Small files: our export with and without biases, the paper-layout fixture.
    small: Vec<Seed>,
    /// The authors' PyTorch-named fixture (784 x 20 with biases, 129 KB): used rarely.
    large: Seed,
}

impl WeightsTarget {
    pub fn new(paper_fixture: Vec<u8>, authors_fixture: Vec<u8>) -> Self {
        let export = |model: &Autoencoder| to_safetensors(model).expect("a fresh model exports");
        let small = vec![
            Seed::new(export(&Autoencoder::init(6, 3, true, 1))),
            Seed::new(export(&Autoencoder::init(5, 2, false, 2))),
            Seed::new(paper_fixture),
        ];
        WeightsTarget {
            small,
            large: Seed::new(authors_fixture),
        }
    }
}

impl Target for WeightsTarget {
    fn name(&self) -> &'static str {
        "safetensors"
    }

    fn input(&self, rng: &mut Rng) -> Vec<u8> {
        let seed = if rng.below(50) == 0 {
            &self.large
        } else {
            &self.small[rng.below(self.small.len())]
        };
        if rng.below(2) == 0 {
            return random_or_mutated(&seed.bytes, rng);
        }
        let mut header = seed.header.clone();
        for _ in 0..1 + rng.below(3) {
            json::mutate(&mut header, &WORDS, rng);
        }
        let header = serde_json::to_vec(&header).expect("a JSON value serialises");
        let data = if rng.below(5) == 0 {
            randomly_mutated(&seed.data, rng)
        } else {
            seed.data.clone()
        };
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(&header);
        bytes.extend_from_slice(&data);
        bytes
    }

    fn run(&self, input: &[u8]) -> bool {
        let Ok(model) = from_safetensors(input) else {
            return false;
        };
        let exported = to_safetensors(&model).expect("an accepted model exports");
        let again = from_safetensors(&exported).expect("an export reads back");
        assert_eq!(again, model);
        true
    }
}

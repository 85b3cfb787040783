//! `decode_shard`. Property: an accepted shard holds images of 1x1 to 64x64, re-encoding
//! it decodes to the same dataset, and its own SHA-256 is accepted as the manifest's.

use std::io::Write;

use crate::fuzz::{fix_shard_payload_len, random_bytes, randomly_mutated};
use bayes_renorm::data::shard::{decode_shard, encode_shard, sha256_hex, FORMAT_VERSION, MAGIC};
use bayes_renorm::data::{Dataset, MAX_SIDE};
use bayes_renorm::rng::Rng;
use flate2::{write::ZlibEncoder, Compression};

use super::Target;

pub struct ShardTarget {
    /// The committed 5,000-example shard; mutated rarely, as each one inflates 3.9 MB.
    full: Vec<u8>,
    /// Shards of its first 40, 1 and 0 examples.
    small: Vec<Vec<u8>>,
    /// What the 40-example shard's zlib stream holds: 40 labels, then their pixels.
    payload: Vec<u8>,
}

impl ShardTarget {
    pub fn new(full: Vec<u8>, images: &Dataset) -> Self {
        let first_40 = images.first(40);
        let payload = [first_40.labels.as_slice(), &first_40.pixels].concat();
        let small = [40, 1, 0]
            .map(|count| encode_shard(&images.first(count)))
            .to_vec();
        ShardTarget {
            full,
            small,
            payload,
        }
    }
}

impl Target for ShardTarget {
    fn name(&self) -> &'static str {
        "shard"
    }

    fn input(&self, rng: &mut Rng) -> Vec<u8> {
        match rng.below(10) {
            0 => {
                let len = rng.below(2048);
                random_bytes(rng, len)
            }
            // A valid header over random bytes reaches the decompressor.
            1 => {
                let len = rng.below(2048);
                let payload = random_bytes(rng, len);
                with_header(declared_count(rng), &payload)
            }
            // A valid zlib stream of edited content reaches the count and label checks.
            2 => {
                let content = randomly_mutated(&self.payload, rng);
                with_header(declared_count(rng), &zlib(&content))
            }
            _ => {
                let seed = if rng.below(1000) == 0 {
                    &self.full
                } else {
                    &self.small[rng.below(self.small.len())]
                };
                let mut bytes = randomly_mutated(seed, rng);
                if rng.below(2) == 0 {
                    fix_shard_payload_len(&mut bytes);
                }
                bytes
            }
        }
    }

    fn run(&self, input: &[u8]) -> bool {
        let Ok(data) = decode_shard("fuzz", input, None) else {
            return false;
        };
        let side = 1..=MAX_SIDE;
        assert!(
            side.contains(&data.rows) && side.contains(&data.cols),
            "image size {}x{}",
            data.rows,
            data.cols
        );
        assert_eq!(
            data.pixels.len(),
            data.len() * data.input_dim(),
            "one label per image"
        );
        let again = decode_shard("re-encoded", &encode_shard(&data), None);
        assert_eq!(again.expect("a re-encoded shard decodes"), data);
        let digest = sha256_hex(input);
        assert!(
            decode_shard("fuzz", input, Some(&digest)).is_ok(),
            "its own digest is accepted"
        );
        true
    }
}

/// Mostly near the 40 examples the content holds, sometimes any u32.
fn declared_count(rng: &mut Rng) -> u32 {
    match rng.below(4) {
        0 => 40,
        1 => [39, 41][rng.below(2)],
        2 => rng.below(100) as u32,
        _ => rng.next_u64() as u32,
    }
}

fn with_header(count: u32, payload: &[u8]) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    for field in [FORMAT_VERSION, count, 28, 28, payload.len() as u32] {
        bytes.extend_from_slice(&field.to_le_bytes());
    }
    bytes.extend_from_slice(payload);
    bytes
}

fn zlib(content: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(content).expect("write to Vec");
    encoder.finish().expect("write to Vec")
}

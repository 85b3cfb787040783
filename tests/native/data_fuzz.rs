//! Random and mutated bytes never make the parsers panic, and whatever they accept is consistent.

use std::path::Path;
use std::sync::OnceLock;

use crate::common::fuzz::{apply, fix_shard_payload_len, mutated, Mutation};
use bayes_renorm::data::idx::{idx_images_bytes, idx_labels_bytes, read_idx};
use bayes_renorm::data::shard::{decode_shard, encode_shard, sha256_hex};
use bayes_renorm::data::Dataset;
use proptest::prelude::*;

/// The committed MNIST test shard 0 (5,000 examples), and a small shard of its first 40 examples
/// so most cases stay cheap.
fn real_shards() -> &'static (Vec<u8>, Vec<u8>) {
    static SHARDS: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    SHARDS.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data/mnist/test-00.v1.shard");
        let full = std::fs::read(path).unwrap();
        let data = decode_shard("test-00", &full, None).unwrap();
        let small = Dataset::new(
            28,
            28,
            data.labels[..40].to_vec(),
            data.pixels[..40 * 784].to_vec(),
        );
        (full, encode_shard(&small))
    })
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let bytes = || prop::collection::vec(any::<u8>(), 1..16);
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(at, bit)| Mutation::FlipBit { at, bit }),
        any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        (any::<usize>(), bytes()).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        (any::<usize>(), bytes()).prop_map(|(at, bytes)| Mutation::Overwrite { at, bytes }),
    ]
}

/// `original` with `mutations` applied, and the payload length fixed up if `fix_len`.
fn mutated_shard(original: &[u8], mutations: &[Mutation], fix_len: bool) -> Vec<u8> {
    let mut bytes = mutated(original, mutations);
    if fix_len {
        fix_shard_payload_len(&mut bytes);
    }
    bytes
}

fn consistent(data: &Dataset) -> bool {
    (data.rows, data.cols) == (28, 28)
        && data.pixels.len() == data.labels.len() * 784
        && data.labels.iter().all(|&l| l < 10)
}

proptest! {
    #[test]
    fn random_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(data) = decode_shard("random", &bytes, None) {
            prop_assert!(consistent(&data));
        }
    }

    /// A valid header over random payload bytes reaches the decompressor.
    #[test]
    fn valid_header_random_payload(
        count in prop_oneof![0u32..100, any::<u32>()],
        payload in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut bytes = b"BRSH".to_vec();
        for v in [1, count, 28, 28, payload.len() as u32] {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        bytes.extend_from_slice(&payload);
        if let Ok(data) = decode_shard("random payload", &bytes, None) {
            prop_assert!(consistent(&data));
            prop_assert_eq!(data.len(), count as usize);
        }
    }

    #[test]
    fn mutated_small_shard(mutations in prop::collection::vec(mutation(), 1..5), fix_len: bool) {
        let original = &real_shards().1;
        let bytes = mutated_shard(original, &mutations, fix_len);
        if let Ok(data) = decode_shard("mutated", &bytes, None) {
            prop_assert!(consistent(&data));
        }
        // With the manifest's digest, any change at all is rejected.
        let checked = decode_shard("mutated", &bytes, Some(&sha256_hex(original)));
        prop_assert_eq!(checked.is_ok(), &bytes == original);
    }

    #[test]
    fn mutated_idx_pair(
        image_mutations in prop::collection::vec(mutation(), 0..3),
        label_mutations in prop::collection::vec(mutation(), 0..3),
    ) {
        let data = Dataset::new(28, 28, vec![1, 7, 9], (0..3 * 784).map(|i| i as u8).collect());
        let (mut images, mut labels) = (idx_images_bytes(&data), idx_labels_bytes(&data));
        image_mutations.iter().for_each(|m| apply(&mut images, m));
        label_mutations.iter().for_each(|m| apply(&mut labels, m));
        if let Ok(read) = read_idx(&images, &labels) {
            prop_assert_eq!(read.pixels.len(), read.labels.len() * read.rows * read.cols);
            prop_assert!((1..=64).contains(&read.rows) && (1..=64).contains(&read.cols));
        }
    }
}

proptest! {
    // Each case inflates 3.9 MB, so fewer of them.
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn mutated_full_shard(mutations in prop::collection::vec(mutation(), 1..4), fix_len: bool) {
        let bytes = mutated_shard(&real_shards().0, &mutations, fix_len);
        if let Ok(data) = decode_shard("mutated", &bytes, None) {
            prop_assert!(consistent(&data));
        }
    }
}

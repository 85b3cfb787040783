//! The committed MNIST test shards decode in the browser to the same bytes as natively: the
//! rebuilt IDX images file has SPEC.md's SHA-256, and the label counts are SPEC's.

use crate::common;

use bayes_renorm::data::idx::idx_images_sha256;
use bayes_renorm::data::manifest::{Manifest, Split};
use bayes_renorm::data::shard::{decode_shard, ShardError};
use bayes_renorm::data::stats::SplitStats;
use bayes_renorm::data::Dataset;
use common::browser::{MNIST_MANIFEST, MNIST_TEST_SHARDS};
use wasm_bindgen_test::*;

// SPEC.md, "Data".
const TEST_IMAGES_SHA256: &str = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7";
const TEST_LABEL_COUNTS: [u64; 10] = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

#[wasm_bindgen_test]
fn mnist_test_shards_decode_to_the_t10k_images() {
    let manifest = Manifest::from_json(MNIST_MANIFEST).unwrap();
    let entries = manifest.shards(Split::Test);
    assert_eq!(entries.len(), MNIST_TEST_SHARDS.len());
    let mut test = Dataset::default();
    for (entry, (file, bytes)) in entries.iter().zip(MNIST_TEST_SHARDS) {
        assert_eq!(entry.file, file);
        // Checks the manifest's SHA-256 and count.
        test.append(&manifest.decode(entry, bytes).unwrap());
    }
    assert_eq!(test.len(), 10_000);
    assert_eq!(idx_images_sha256(&test), TEST_IMAGES_SHA256);
    assert_eq!(
        SplitStats::of(&test, 10).label_counts,
        TEST_LABEL_COUNTS.to_vec()
    );
}

#[wasm_bindgen_test]
fn a_flipped_bit_is_caught_by_the_manifest_checksum() {
    let manifest = Manifest::from_json(MNIST_MANIFEST).unwrap();
    let mut bytes = MNIST_TEST_SHARDS[0].1.to_vec();
    bytes[1000] ^= 1;
    let err = manifest
        .decode(&manifest.shards(Split::Test)[0], &bytes)
        .unwrap_err();
    assert!(err.to_string().contains("SHA-256"), "{err}");
}

/// usize is 32 bits here: header sizes near u32::MAX must not overflow or allocate.
#[wasm_bindgen_test]
fn huge_header_fields_are_rejected_on_wasm32() {
    let with_u32 = |at: usize, value: u32| {
        let mut bytes = MNIST_TEST_SHARDS[0].1.to_vec();
        bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
        bytes
    };
    let err = decode_shard("count", &with_u32(8, u32::MAX), None).unwrap_err();
    assert!(
        matches!(
            err,
            ShardError::CountMismatch {
                declared: u32::MAX,
                ..
            }
        ),
        "{err}"
    );
    let err = decode_shard("payload", &with_u32(20, u32::MAX), None).unwrap_err();
    assert!(
        matches!(
            err,
            ShardError::Truncated {
                needed: 0x1_0000_0017,
                ..
            }
        ),
        "{err}"
    );
}

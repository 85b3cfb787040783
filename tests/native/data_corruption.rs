//! Each kind of damage gives its own error variant, naming the shard and the byte offset.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use bayes_renorm::data::idx::{idx_images_bytes, idx_labels_bytes, read_idx, IdxError};
use bayes_renorm::data::manifest::{DatasetMeta, Manifest, ShardEntry, MNIST};
use bayes_renorm::data::shard::{decode_shard, sha256_hex, ShardError};
use bayes_renorm::data::Dataset;
use flate2::{write::ZlibEncoder, Compression};

/// Records the largest single allocation, to show a lying header does not cause a huge one.
struct LargestAllocation;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for LargestAllocation {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: LargestAllocation = LargestAllocation;

const NAME: &str = "test-00.v1.shard";
const HEADER_LEN: usize = 24;

/// The committed MNIST test shard 0: 5,000 examples.
fn real_shard() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data/mnist/test-00.v1.shard");
    std::fs::read(path).unwrap()
}

fn with_u32(mut bytes: Vec<u8>, at: usize, value: u32) -> Vec<u8> {
    bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
    bytes
}

fn decode(bytes: &[u8]) -> ShardError {
    decode_shard(NAME, bytes, None).unwrap_err()
}

/// The message names the shard and, where one applies, the byte offset.
fn assert_message(err: &ShardError, offset: Option<usize>) {
    let message = err.to_string();
    assert!(message.contains(NAME), "{message}");
    if let Some(offset) = offset {
        assert!(
            message.contains(&format!("byte offset {offset}")),
            "{message}"
        );
    }
}

#[test]
fn the_real_shard_decodes() {
    let data = decode_shard(NAME, &real_shard(), None).unwrap();
    assert_eq!(data.len(), 5000);
}

#[test]
fn empty_file() {
    let err = decode(&[]);
    assert!(matches!(&err, ShardError::Empty { shard } if shard == NAME));
    assert_message(&err, None);
}

#[test]
fn truncated_header() {
    let err = decode(&real_shard()[..10]);
    assert!(matches!(
        err,
        ShardError::Truncated {
            offset: 10,
            needed: 24,
            ..
        }
    ));
    assert_message(&err, Some(10));
}

#[test]
fn truncated_payload() {
    let bytes = real_shard();
    let cut = bytes.len() - 100;
    let err = decode(&bytes[..cut]);
    assert!(matches!(err, ShardError::Truncated { offset, needed, .. }
        if offset == cut && needed == bytes.len() as u64));
    assert_message(&err, Some(cut));

    let err = decode(&with_u32(bytes.clone(), 20, u32::MAX));
    assert!(
        matches!(err, ShardError::Truncated { offset, needed: 0x1_0000_0017, .. }
        if offset == bytes.len())
    );
}

#[test]
fn trailing_bytes() {
    let mut bytes = real_shard();
    let end = bytes.len();
    bytes.extend_from_slice(b"extra");
    let err = decode(&bytes);
    assert!(matches!(err, ShardError::TrailingBytes { offset, extra: 5, .. } if offset == end));
    assert_message(&err, Some(end));
}

#[test]
fn wrong_magic() {
    let mut bytes = real_shard();
    bytes[..4].copy_from_slice(b"\x89PNG");
    let err = decode(&bytes);
    assert!(matches!(err, ShardError::WrongMagic { found, .. } if &found == b"\x89PNG"));
    assert_message(&err, Some(0));
}

#[test]
fn unsupported_version() {
    let err = decode(&with_u32(real_shard(), 4, 2));
    assert!(matches!(
        err,
        ShardError::UnsupportedVersion { version: 2, .. }
    ));
    assert_message(&err, Some(4));
}

/// The MNIST manifest's view of one shard holding `data`, so `Manifest::decode` checks it.
fn mnist_manifest_of(data: &Dataset) -> (Manifest, ShardEntry, Vec<u8>) {
    let meta = DatasetMeta::of(&MNIST);
    let (mut manifest, shards) = Manifest::build(&meta, &Dataset::default(), data);
    let shard = shards.into_iter().next().unwrap();
    (manifest.rows, manifest.cols) = (28, 28);
    (manifest, shard.entry, shard.bytes)
}

#[test]
fn dims_outside_1_to_64() {
    for (rows, cols) in [(65, 28), (28, 65), (0, 0), (28, 0), (u32::MAX, 28)] {
        let bytes = with_u32(with_u32(real_shard(), 12, rows), 16, cols);
        let err = decode(&bytes);
        assert!(
            matches!(err, ShardError::BadDims { rows: r, cols: c, .. } if (r, c) == (rows, cols))
        );
        assert_message(&err, Some(12));
    }
    // An honest encoding of 27x28 images decodes alone, but not as the manifest's 28x28.
    let small = Dataset::new(27, 28, vec![1], vec![0; 27 * 28]);
    let (manifest, entry, bytes) = mnist_manifest_of(&small);
    assert_eq!(decode_shard(NAME, &bytes, None).unwrap(), small);
    let err = manifest.decode(&entry, &bytes).unwrap_err();
    assert!(matches!(
        err,
        ShardError::BadDims {
            rows: 27,
            cols: 28,
            ..
        }
    ));
    assert!(
        err.to_string().contains("28x28 as the manifest says"),
        "{err}"
    );
}

#[test]
fn count_mismatch() {
    let payload = 5000 * (1 + 784);
    for declared in [4999, 5001, 0] {
        let err = decode(&with_u32(real_shard(), 8, declared));
        assert!(
            matches!(err, ShardError::CountMismatch { declared: d, expected, found, .. }
                if d == declared && expected == u64::from(declared) * 785 && found == payload),
            "{err}"
        );
        assert_message(&err, Some(8));
    }
}

#[test]
fn huge_declared_count_does_not_allocate_it() {
    let err = decode(&with_u32(real_shard(), 8, u32::MAX));
    assert!(matches!(
        err,
        ShardError::CountMismatch {
            declared: u32::MAX,
            found: 3_925_000,
            ..
        }
    ));
    assert_message(&err, Some(8));
    // u32::MAX examples would be 3.4 TB; the loader caps what it reserves at 16 MiB.
    assert!(LARGEST.load(Ordering::Relaxed) < 64 << 20);
}

#[test]
fn checksum_mismatch() {
    let bytes = real_shard();
    let right = sha256_hex(&bytes);
    assert!(decode_shard(NAME, &bytes, Some(&right)).is_ok());
    // One flipped payload bit, checked against the manifest's digest.
    let mut flipped = bytes.clone();
    flipped[1000] ^= 0x10;
    let err = decode_shard(NAME, &flipped, Some(&right)).unwrap_err();
    assert!(
        matches!(&err, ShardError::ChecksumMismatch { expected, found, .. }
        if *expected == right && *found == sha256_hex(&flipped))
    );
    assert_message(&err, None);
}

#[test]
fn corrupt_payload() {
    // Garbage in the middle of the deflate stream.
    let mut bytes = real_shard();
    bytes[5000..5016].fill(0xff);
    let err = decode(&bytes);
    // Noticed at or after the damage: maybe only by the zlib checksum at the end of the stream.
    let ShardError::CorruptPayload { offset, .. } = err else {
        panic!("{err}");
    };
    assert!((5000..=bytes.len()).contains(&offset), "{err}");
    assert_message(&err, Some(offset));

    // A broken zlib header is reported at the start of the payload.
    let mut bytes = real_shard();
    bytes[HEADER_LEN] = 0;
    let err = decode(&bytes);
    assert!(
        matches!(err, ShardError::CorruptPayload { offset, .. } if offset <= HEADER_LEN + 2),
        "{err}"
    );
    assert_message(&err, None);
}

#[test]
fn bytes_after_the_zlib_stream_inside_the_payload() {
    let mut bytes = real_shard();
    let stream_end = bytes.len();
    bytes.extend_from_slice(&[0; 7]);
    let payload_len = (bytes.len() - HEADER_LEN) as u32;
    let err = decode(&with_u32(bytes, 20, payload_len));
    assert!(matches!(err, ShardError::CorruptPayload { offset, .. } if offset == stream_end));
    assert_message(&err, Some(stream_end));
}

#[test]
fn label_out_of_range() {
    let data = Dataset::new(28, 28, vec![3, 10, 4], vec![0; 3 * 784]);
    let (manifest, entry, bytes) = mnist_manifest_of(&data);
    // The shard alone does not know the classes; its manifest says ten.
    assert!(decode_shard(NAME, &bytes, None).is_ok());
    let err = manifest.decode(&entry, &bytes).unwrap_err();
    assert!(err.to_string().contains("test-00.v1.shard"), "{err}");
    assert!(err.to_string().contains("not a class 0-9"), "{err}");
    assert!(matches!(
        err,
        ShardError::LabelOutOfRange {
            index: 1,
            value: 10,
            ..
        }
    ));
    assert_message(&err, None);
}

#[test]
fn manifest_count_disagrees_with_the_shard() {
    let bytes = real_shard();
    let entry = ShardEntry {
        file: NAME.to_string(),
        count: 4000,
        bytes: bytes.len(),
        sha256: sha256_hex(&bytes),
    };
    let manifest = Manifest::from_json(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data/mnist/manifest.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let err = manifest.decode(&entry, &bytes).unwrap_err();
    assert!(matches!(
        err,
        ShardError::ManifestCount {
            listed: 4000,
            found: 5000,
            ..
        }
    ));
    assert_message(&err, None);
}

/// A hand-built zlib payload with a made-up header, to check the encoder is not the only source.
#[test]
fn a_shard_built_by_hand_decodes() {
    let mut zlib = ZlibEncoder::new(Vec::new(), Compression::fast());
    zlib.write_all(&[7, 2]).unwrap();
    zlib.write_all(&[200; 2 * 784]).unwrap();
    let payload = zlib.finish().unwrap();
    let mut bytes = b"BRSH".to_vec();
    for v in [1u32, 2, 28, 28, payload.len() as u32] {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    bytes.extend_from_slice(&payload);
    let data = decode_shard(NAME, &bytes, None).unwrap();
    assert_eq!(data.labels, [7, 2]);
    assert_eq!(data.pixels, vec![200; 2 * 784]);
}

// IDX reader.

fn idx_pair() -> (Vec<u8>, Vec<u8>) {
    let data = Dataset::new(28, 28, vec![5, 0], vec![9; 2 * 784]);
    (idx_images_bytes(&data), idx_labels_bytes(&data))
}

#[test]
fn idx_errors() {
    let (images, labels) = idx_pair();
    assert_eq!(read_idx(&images, &labels).unwrap().labels, [5, 0]);

    let err = read_idx(&images[..100], &labels).unwrap_err();
    assert!(matches!(
        err,
        IdxError::Truncated {
            file: "images",
            offset: 100,
            needed: 1584
        }
    ));
    assert!(err.to_string().contains("byte offset 100"), "{err}");

    let mut labels_as_images = images.clone();
    labels_as_images[3] = 0x01;
    let err = read_idx(&labels_as_images, &labels).unwrap_err();
    assert!(matches!(
        err,
        IdxError::WrongMagic {
            file: "images",
            found: 0x801,
            expected: 0x803
        }
    ));

    let mut long = labels.clone();
    long.push(1);
    let err = read_idx(&images, &long).unwrap_err();
    assert!(matches!(
        err,
        IdxError::TrailingBytes {
            file: "labels",
            offset: 10,
            extra: 1
        }
    ));

    let mut three = labels.clone();
    three[7] = 3;
    three.push(1);
    let err = read_idx(&images, &three).unwrap_err();
    assert!(matches!(
        err,
        IdxError::CountMismatch {
            images: 2,
            labels: 3
        }
    ));

    // Labels are any byte here: the classes are the data set's to say (an import checks them).
    let mut big_label = labels.clone();
    big_label[9] = 255;
    assert_eq!(read_idx(&images, &big_label).unwrap().labels[1], 255);

    let err = read_idx(&[0x1f, 0x8b, 8, 0, 1, 2, 3], &labels).unwrap_err();
    assert!(matches!(err, IdxError::Gzip { file: "images", .. }));
}

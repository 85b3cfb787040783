//! IDX -> shards -> loader gives back the IDX files byte for byte, for the freshly encoded shards
//! and for the ones committed in www/data; the converter is deterministic.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use bayes_renorm::data::files::{convert, load_idx, load_shards, read_manifest};
use bayes_renorm::data::idx::{idx_images_bytes, idx_labels_bytes};
use bayes_renorm::data::manifest::{encode_split, Split, FASHION_MNIST, MNIST};
use bayes_renorm::data::shard::decode_shard;
use bayes_renorm::data::Dataset;
use flate2::read::GzDecoder;
use sha2::{Digest, Sha256};

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn idx_dir(id: &str) -> PathBuf {
    crate_dir().join("../shared/data").join(id)
}

fn shard_dir(id: &str) -> PathBuf {
    crate_dir().join("www/data").join(id)
}

/// The original uncompressed IDX file, gunzipped here without going through the crate's reader.
fn original_idx(id: &str, split: Split, kind: &str) -> Vec<u8> {
    let path = idx_dir(id).join(format!("{}-{kind}.gz", split.idx_prefix()));
    let mut out = Vec::new();
    GzDecoder::new(fs::File::open(&path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn assert_same_as_idx_files(data: &Dataset, id: &str, split: Split) {
    // assert! rather than assert_eq! so a failure does not print 47 MB.
    assert!(
        idx_images_bytes(data) == original_idx(id, split, "images-idx3-ubyte"),
        "{id} {} images differ from the IDX file",
        split.name()
    );
    assert!(
        idx_labels_bytes(data) == original_idx(id, split, "labels-idx1-ubyte"),
        "{id} {} labels differ from the IDX file",
        split.name()
    );
}

#[test]
fn idx_to_shards_to_loader_reproduces_the_idx_files() {
    for split in Split::ALL {
        let source = load_idx(&idx_dir("mnist"), split).unwrap();
        let shards = encode_split(split, &source);
        let mut decoded = Dataset::default();
        for shard in &shards {
            let part =
                decode_shard(&shard.entry.file, &shard.bytes, Some(&shard.entry.sha256)).unwrap();
            decoded.append(&part);
        }
        assert_eq!(decoded, source);
        assert_same_as_idx_files(&decoded, "mnist", split);
    }
}

#[test]
fn committed_shards_decode_to_the_idx_files() {
    for info in [MNIST, FASHION_MNIST] {
        let dir = shard_dir(info.id);
        let manifest = read_manifest(&dir).unwrap();
        for split in Split::ALL {
            let data = load_shards(&dir, &manifest, split).unwrap();
            assert_same_as_idx_files(&data, info.id, split);
        }
    }
}

#[test]
fn manifests_list_every_shard_with_its_size_and_sha256() {
    for info in [MNIST, FASHION_MNIST] {
        let dir = shard_dir(info.id);
        let manifest = read_manifest(&dir).unwrap();
        assert_eq!(manifest.dataset, info.id);
        assert_eq!((manifest.rows, manifest.cols), (28, 28));
        assert_eq!(manifest.format_version, 1);
        // 60,000 and 10,000 examples in shards of 5,000.
        for (split, shards) in [(Split::Train, 12), (Split::Test, 2)] {
            let entries = manifest.shards(split);
            assert_eq!(entries.len(), shards, "{} {}", info.id, split.name());
            for entry in entries {
                let bytes = fs::read(dir.join(&entry.file)).unwrap();
                assert_eq!(entry.count, 5000);
                assert_eq!(entry.bytes, bytes.len(), "{}", entry.file);
                let sha: String = Sha256::digest(&bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                assert_eq!(entry.sha256, sha, "{}", entry.file);
            }
        }
    }
    // SPEC.md, "Licences".
    let mnist = read_manifest(&shard_dir("mnist")).unwrap();
    assert_eq!(mnist.licence, "CC BY-SA 3.0");
    assert_eq!(mnist.credit, "Y. LeCun, C. Cortes, C. J. C. Burges");
    let fashion = read_manifest(&shard_dir("fashion-mnist")).unwrap();
    assert_eq!(fashion.licence, "MIT");
    assert_eq!(fashion.credit, "Zalando SE");
}

/// Every file of a directory, by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// The committed shards were written by an earlier run of the converter, so this one run equal
/// to them byte for byte also shows that converting twice gives the same bytes.
#[test]
fn converting_gives_the_committed_bytes_so_converting_twice_gives_the_same() {
    let out = std::env::temp_dir().join(format!("bayes-renorm-convert-{}", std::process::id()));
    let _ = fs::remove_dir_all(&out);
    convert(&idx_dir("mnist"), &out, &MNIST).unwrap();
    let written = files(&out);
    assert_eq!(
        written.len(),
        15,
        "12 train + 2 test shards + manifest.json"
    );
    // The folder also ships the paper's trained model (#pretrained=1), which is reproduce's.
    let committed: Vec<_> = (files(&shard_dir("mnist")).into_iter())
        .filter(|(name, _)| !name.starts_with("paper-model."))
        .collect();
    assert!(
        written == committed,
        "www/data/mnist is not what the converter writes now"
    );
    fs::remove_dir_all(out).unwrap();
}

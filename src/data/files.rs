//! Reading IDX and shard directories and writing shards: for the native commands and tests.
//! The page never calls these (it fetches bytes and uses `ShardEntry::decode`); they still
//! compile for wasm32, where std::fs returns errors, because `wasm-pack test` builds every bin.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::idx::{read_idx, IdxError};
use super::manifest::{DatasetInfo, Manifest, Split};
use super::shard::ShardError;
use super::Dataset;

pub const MANIFEST_FILE: &str = "manifest.json";

#[derive(Debug, Error)]
pub enum LoadError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: invalid manifest: {source}")]
    Manifest {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{path}: {source}")]
    Idx { path: PathBuf, source: IdxError },
    #[error(transparent)]
    Shard(#[from] ShardError),
}

pub fn read_file(path: &Path) -> Result<Vec<u8>, LoadError> {
    fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), LoadError> {
    fs::write(path, bytes).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })
}

pub fn read_manifest(dir: &Path) -> Result<Manifest, LoadError> {
    let path = dir.join(MANIFEST_FILE);
    let json = read_file(&path)?;
    serde_json::from_slice(&json).map_err(|source| LoadError::Manifest { path, source })
}

/// All shards of `split` listed in `manifest`, checked against their SHA-256, in order.
pub fn load_shards(dir: &Path, manifest: &Manifest, split: Split) -> Result<Dataset, LoadError> {
    let mut data = Dataset::default();
    for entry in manifest.shards(split) {
        data.append(&entry.decode(&read_file(&dir.join(&entry.file))?)?);
    }
    Ok(data)
}

/// The images and labels files of `split` in an IDX directory: `train-images-idx3-ubyte.gz`, or
/// the same name without `.gz`.
pub fn idx_paths(dir: &Path, split: Split) -> [PathBuf; 2] {
    ["images-idx3-ubyte", "labels-idx1-ubyte"].map(|kind| {
        let raw = dir.join(format!("{}-{kind}", split.idx_prefix()));
        let gz = raw.with_extension("gz");
        if gz.exists() {
            gz
        } else {
            raw
        }
    })
}

pub fn load_idx(dir: &Path, split: Split) -> Result<Dataset, LoadError> {
    let [images_path, labels_path] = idx_paths(dir, split);
    let images = read_file(&images_path)?;
    let labels = read_file(&labels_path)?;
    read_idx(&images, &labels).map_err(|source| LoadError::Idx {
        path: dir.to_path_buf(),
        source,
    })
}

/// A split from `dir`: shards if it holds `manifest.json`, IDX files otherwise.
pub fn load_split(dir: &Path, split: Split) -> Result<Dataset, LoadError> {
    if dir.join(MANIFEST_FILE).exists() {
        load_shards(dir, &read_manifest(dir)?, split)
    } else {
        load_idx(dir, split)
    }
}

/// Converts the IDX files in `idx_dir` into shards and `manifest.json` in `out_dir`.
pub fn convert(idx_dir: &Path, out_dir: &Path, info: &DatasetInfo) -> Result<Manifest, LoadError> {
    let train = load_idx(idx_dir, Split::Train)?;
    let test = load_idx(idx_dir, Split::Test)?;
    let (manifest, shards) = Manifest::build(info, &train, &test);
    fs::create_dir_all(out_dir).map_err(|source| LoadError::Io {
        path: out_dir.to_path_buf(),
        source,
    })?;
    for shard in &shards {
        write_file(&out_dir.join(&shard.entry.file), &shard.bytes)?;
    }
    write_file(&out_dir.join(MANIFEST_FILE), manifest.to_json().as_bytes())?;
    Ok(manifest)
}

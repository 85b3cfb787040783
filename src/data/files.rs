//! Reading IDX and shard directories and writing shards: for the native commands and tests.
//! The page never calls these (it fetches bytes and uses `ShardEntry::decode`); they still
//! compile for wasm32, where std::fs returns errors, because `wasm-pack test` builds every bin.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::idx::{read_idx, IdxError};
use super::import::InputFile;
use super::manifest::{DatasetInfo, DatasetMeta, Manifest, ManifestError, Split, TEN_CLASSES};
use super::run_data::RunData;
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
        source: ManifestError,
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
    let json = String::from_utf8_lossy(&json);
    Manifest::from_json(&json).map_err(|source| LoadError::Manifest { path, source })
}

/// All shards of `split` listed in `manifest`, checked against their SHA-256, in order.
pub fn load_shards(dir: &Path, manifest: &Manifest, split: Split) -> Result<Dataset, LoadError> {
    let mut data = Dataset::default();
    for entry in manifest.shards(split) {
        data.append(&manifest.decode(entry, &read_file(&dir.join(&entry.file))?)?);
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

/// The data in `dir`, whole, as a run reads it: shards with their manifest's classes and words,
/// or MNIST-style IDX files with ten classes. The training split is left empty unless
/// `with_train` (a run on given weights may not read it).
pub fn load_data(dir: &Path, with_train: bool) -> Result<RunData, LoadError> {
    let name = dir.display().to_string();
    let manifest = match dir.join(MANIFEST_FILE).exists() {
        true => Some(read_manifest(dir)?),
        false => None,
    };
    let load = |split| match &manifest {
        Some(manifest) => load_shards(dir, manifest, split),
        None => load_idx(dir, split),
    };
    let test = load(Split::Test)?;
    let train = match with_train {
        true => load(Split::Train)?,
        false => Dataset::default(),
    };
    Ok(match manifest {
        Some(manifest) => {
            RunData::whole(name, train, test, manifest.classes).described_by(manifest)
        }
        None => RunData::whole(name, train, test, TEN_CLASSES),
    })
}

/// Converts the IDX files in `idx_dir` into shards and `manifest.json` in `out_dir`.
pub fn convert(idx_dir: &Path, out_dir: &Path, info: &DatasetInfo) -> Result<Manifest, LoadError> {
    let train = load_idx(idx_dir, Split::Train)?;
    let test = load_idx(idx_dir, Split::Test)?;
    write_shards(out_dir, &DatasetMeta::of(info), &train, &test)
}

/// Writes both splits as shards and `manifest.json` into `out_dir`, the manifest last, so a
/// directory with a manifest holds every shard it lists.
pub fn write_shards(
    out_dir: &Path,
    meta: &DatasetMeta,
    train: &Dataset,
    test: &Dataset,
) -> Result<Manifest, LoadError> {
    let (manifest, shards) = Manifest::build(meta, train, test);
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

/// The files at `paths` as a converter's input: a file as itself, a folder as every file under
/// it (named `folder/sub/file`) and its subfolders (`folder/sub/`, so an empty class folder is
/// seen), in sorted order so that every run reads them alike.
pub fn read_inputs(paths: &[PathBuf]) -> Result<Vec<InputFile>, LoadError> {
    let mut out = Vec::new();
    for path in paths {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        if path.is_dir() {
            walk(path, &name, &mut out)?;
        } else {
            out.push(InputFile {
                path: name,
                bytes: read_file(path)?,
            });
        }
    }
    Ok(out)
}

fn walk(dir: &Path, name: &str, out: &mut Vec<InputFile>) -> Result<(), LoadError> {
    let io = |source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort();
    for path in entries {
        let child = format!(
            "{name}/{}",
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        if path.is_dir() {
            out.push(InputFile {
                path: format!("{child}/"),
                bytes: Vec::new(),
            });
            walk(&path, &child, out)?;
        } else {
            out.push(InputFile {
                path: child,
                bytes: read_file(&path)?,
            });
        }
    }
    Ok(())
}

/// Writes a converted data set into `out_dir` whole or not at all: into a folder beside it, which
/// then replaces it. An `out_dir` that holds anything but an earlier conversion is left alone.
pub fn write_data_set(
    out_dir: &Path,
    meta: &DatasetMeta,
    train: &Dataset,
    test: &Dataset,
) -> Result<Manifest, LoadError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| LoadError::Io { path, source }
    };
    if out_dir.exists() {
        let entries = fs::read_dir(out_dir).map_err(io(out_dir))?.count();
        if entries > 0 && !out_dir.join(MANIFEST_FILE).exists() {
            return Err(LoadError::Io {
                path: out_dir.to_path_buf(),
                source: io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    "exists and is not a converted data set; give an empty or new folder",
                ),
            });
        }
    }
    let mut partial = out_dir.as_os_str().to_owned();
    partial.push(format!(".partial-{}", std::process::id()));
    let partial = PathBuf::from(partial);
    let written = write_shards(&partial, meta, train, test);
    let manifest = match written {
        Ok(manifest) => manifest,
        Err(err) => {
            let _ = fs::remove_dir_all(&partial);
            return Err(err);
        }
    };
    if out_dir.exists() {
        fs::remove_dir_all(out_dir).map_err(io(out_dir))?;
    }
    fs::rename(&partial, out_dir).map_err(io(out_dir))?;
    Ok(manifest)
}

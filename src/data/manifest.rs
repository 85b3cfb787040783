//! `manifest.json`: what a dataset directory under `www/data/` holds, with the credit and licence
//! the page shows and a SHA-256 per shard so the loader can tell a stale or damaged download.

use serde::{Deserialize, Serialize};

use thiserror::Error;

use super::shard::{
    decode_shard, encode_shard, sha256_hex, ShardError, FORMAT_VERSION, SHARD_EXAMPLES,
};
use super::{Dataset, MAX_CLASSES, MAX_SIDE, MIN_CLASSES};

/// A dataset the playground offers, with the attribution its licence asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DatasetInfo {
    /// Directory name under `www/data/` and under the IDX source directory.
    pub id: &'static str,
    pub name: &'static str,
    pub credit: &'static str,
    pub licence: &'static str,
}

pub const MNIST: DatasetInfo = DatasetInfo {
    id: "mnist",
    name: "MNIST",
    credit: "Y. LeCun, C. Cortes, C. J. C. Burges",
    licence: "CC BY-SA 3.0",
};

pub const FASHION_MNIST: DatasetInfo = DatasetInfo {
    id: "fashion-mnist",
    name: "Fashion-MNIST",
    credit: "Zalando SE",
    licence: "MIT",
};

pub const DATASETS: [DatasetInfo; 2] = [MNIST, FASHION_MNIST];

/// MNIST's and Fashion-MNIST's ten classes, and what a manifest without `classes` holds.
pub const TEN_CLASSES: usize = 10;

/// How the built-in data sets were split: by their authors.
pub const GIVEN_SPLIT: &str = "given";

/// What a manifest says about its data beyond the shards.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatasetMeta {
    pub id: String,
    pub name: String,
    pub credit: String,
    pub licence: String,
    pub classes: usize,
    /// Each class's name (a picture folder's subfolders), or empty when the labels are numbers.
    pub class_names: Vec<String>,
    /// How train and test were split: `GIVEN_SPLIT`, or the held-out rule and its seed.
    pub split: String,
}

impl DatasetMeta {
    /// A built-in data set: ten classes, its authors' split.
    pub fn of(info: &DatasetInfo) -> Self {
        DatasetMeta {
            id: info.id.to_string(),
            name: info.name.to_string(),
            credit: info.credit.to_string(),
            licence: info.licence.to_string(),
            classes: TEN_CLASSES,
            class_names: Vec::new(),
            split: GIVEN_SPLIT.to_string(),
        }
    }
}

/// Why a manifest was rejected.
#[derive(Debug, Error)]
pub enum ManifestError {
    #[error("manifest.json: {0}")]
    Json(#[from] serde_json::Error),
    #[error(
        "manifest.json: images of {rows}x{cols}, but they must be 1x1 to {MAX_SIDE}x{MAX_SIDE}"
    )]
    BadDims { rows: usize, cols: usize },
    #[error("manifest.json: {classes} classes, but a data set has {MIN_CLASSES} to {MAX_CLASSES}")]
    BadClasses { classes: usize },
    #[error("manifest.json: {names} class names for {classes} classes")]
    ClassNames { names: usize, classes: usize },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    Train,
    Test,
}

impl Split {
    pub const ALL: [Split; 2] = [Split::Train, Split::Test];

    /// The name in the manifest and in shard file names.
    pub fn name(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Test => "test",
        }
    }

    /// The prefix of the IDX file names: `train-images-idx3-ubyte`, `t10k-images-idx3-ubyte`.
    pub fn idx_prefix(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Test => "t10k",
        }
    }
}

/// Field order here is the order in the JSON file (serde keeps it), so output is reproducible.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub dataset: String,
    pub name: String,
    pub credit: String,
    pub licence: String,
    pub format_version: u32,
    pub rows: usize,
    pub cols: usize,
    /// Labels run 0 to classes - 1. Manifests from before there was a choice have ten.
    #[serde(default = "ten_classes")]
    pub classes: usize,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub class_names: Vec<String>,
    #[serde(default = "given_split")]
    pub split: String,
    pub splits: Splits,
}

fn ten_classes() -> usize {
    TEN_CLASSES
}

fn given_split() -> String {
    GIVEN_SPLIT.to_string()
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Splits {
    pub train: Vec<ShardEntry>,
    pub test: Vec<ShardEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardEntry {
    pub file: String,
    pub count: usize,
    pub bytes: usize,
    pub sha256: String,
}

/// One encoded shard and its manifest line.
pub struct EncodedShard {
    pub entry: ShardEntry,
    pub bytes: Vec<u8>,
}

impl Manifest {
    /// Parses and checks a manifest: what the page and the commands accept alike.
    pub fn from_json(json: &str) -> Result<Manifest, ManifestError> {
        let manifest: Manifest = serde_json::from_str(json)?;
        manifest.check()?;
        Ok(manifest)
    }

    /// The limits every data set keeps: image size, class count, one name per class.
    pub fn check(&self) -> Result<(), ManifestError> {
        let (rows, cols) = (self.rows, self.cols);
        if !(1..=MAX_SIDE).contains(&rows) || !(1..=MAX_SIDE).contains(&cols) {
            return Err(ManifestError::BadDims { rows, cols });
        }
        if !(MIN_CLASSES..=MAX_CLASSES).contains(&self.classes) {
            return Err(ManifestError::BadClasses {
                classes: self.classes,
            });
        }
        if !self.class_names.is_empty() && self.class_names.len() != self.classes {
            return Err(ManifestError::ClassNames {
                names: self.class_names.len(),
                classes: self.classes,
            });
        }
        Ok(())
    }

    /// SHA-256 (hex) of what the data is, whatever it is called: the manifest without its id,
    /// name, credit and licence. The page keeps a visitor's data set under it.
    pub fn content_sha256(&self) -> String {
        let anonymous = Manifest {
            dataset: String::new(),
            name: String::new(),
            credit: String::new(),
            licence: String::new(),
            ..self.clone()
        };
        sha256_hex(anonymous.to_json().as_bytes())
    }

    /// Like `build`, then every shard decoded back through `decode`, the validator the page and
    /// the commands load shards with: what is kept is known to load.
    pub fn build_checked(
        meta: &DatasetMeta,
        train: &Dataset,
        test: &Dataset,
    ) -> Result<(Manifest, Vec<EncodedShard>), ShardError> {
        let (manifest, shards) = Manifest::build(meta, train, test);
        for shard in &shards {
            manifest.decode(&shard.entry, &shard.bytes)?;
        }
        Ok((manifest, shards))
    }

    /// The name of class `label`: its folder's name, or the number.
    pub fn class_name(&self, label: usize) -> String {
        self.class_names
            .get(label)
            .cloned()
            .unwrap_or_else(|| label.to_string())
    }

    /// Pretty JSON with a final newline; the same manifest always gives the same bytes.
    pub fn to_json(&self) -> String {
        // Serialising plain strings and numbers cannot fail.
        let mut json = serde_json::to_string_pretty(self).expect("manifest serialises");
        json.push('\n');
        json
    }

    pub fn shards(&self, split: Split) -> &[ShardEntry] {
        match split {
            Split::Train => &self.splits.train,
            Split::Test => &self.splits.test,
        }
    }

    /// Encodes both splits (of one image size) as shards and lists them.
    pub fn build(
        meta: &DatasetMeta,
        train: &Dataset,
        test: &Dataset,
    ) -> (Manifest, Vec<EncodedShard>) {
        let (rows, cols) = (test.rows, test.cols);
        let train = encode_split(Split::Train, train);
        let test = encode_split(Split::Test, test);
        let entries = |shards: &[EncodedShard]| shards.iter().map(|s| s.entry.clone()).collect();
        let manifest = Manifest {
            dataset: meta.id.clone(),
            name: meta.name.clone(),
            credit: meta.credit.clone(),
            licence: meta.licence.clone(),
            format_version: FORMAT_VERSION,
            rows,
            cols,
            classes: meta.classes,
            class_names: meta.class_names.clone(),
            split: meta.split.clone(),
            splits: Splits {
                train: entries(&train),
                test: entries(&test),
            },
        };
        (manifest, train.into_iter().chain(test).collect())
    }
}

impl Manifest {
    /// Decodes the bytes of `entry`, one of this manifest's shards, checking the listed SHA-256
    /// and example count, the image size and that every label is one of the classes.
    pub fn decode(&self, entry: &ShardEntry, bytes: &[u8]) -> Result<Dataset, ShardError> {
        let shard = || entry.file.clone();
        let data = decode_shard(&entry.file, bytes, Some(&entry.sha256))?;
        // The checksum already pins the bytes; these catch a manifest that does not describe them.
        if data.len() != entry.count {
            return Err(ShardError::ManifestCount {
                shard: shard(),
                listed: entry.count,
                found: data.len(),
            });
        }
        if (data.rows, data.cols) != (self.rows, self.cols) {
            return Err(ShardError::BadDims {
                shard: shard(),
                rows: data.rows as u32,
                cols: data.cols as u32,
                expected: format!("{}x{} as the manifest says", self.rows, self.cols),
            });
        }
        if let Some(index) = data.labels.iter().position(|&l| l as usize >= self.classes) {
            return Err(ShardError::LabelOutOfRange {
                shard: shard(),
                index,
                value: data.labels[index],
                classes: self.classes,
            });
        }
        Ok(data)
    }
}

/// Cuts a split into shards of `SHARD_EXAMPLES` examples: `train-00.v1.shard`, `train-01.v1.shard`…
pub fn encode_split(split: Split, data: &Dataset) -> Vec<EncodedShard> {
    let n = data.input_dim();
    (0..data.len())
        .step_by(SHARD_EXAMPLES)
        .enumerate()
        .map(|(index, start)| {
            let end = (start + SHARD_EXAMPLES).min(data.len());
            let part = Dataset::new(
                data.rows,
                data.cols,
                data.labels[start..end].to_vec(),
                data.pixels[start * n..end * n].to_vec(),
            );
            let bytes = encode_shard(&part);
            let entry = ShardEntry {
                file: format!("{}-{index:02}.v{FORMAT_VERSION}.shard", split.name()),
                count: part.len(),
                bytes: bytes.len(),
                sha256: sha256_hex(&bytes),
            };
            EncodedShard { entry, bytes }
        })
        .collect()
}

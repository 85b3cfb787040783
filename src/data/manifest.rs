//! `manifest.json`: what a dataset directory under `www/data/` holds, with the credit and licence
//! the page shows and a SHA-256 per shard so the loader can tell a stale or damaged download.

use serde::{Deserialize, Serialize};

use super::shard::{
    decode_shard, encode_shard, sha256_hex, ShardError, COLS, FORMAT_VERSION, ROWS, SHARD_EXAMPLES,
};
use super::Dataset;

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
    pub splits: Splits,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    pub fn from_json(json: &str) -> Result<Manifest, serde_json::Error> {
        serde_json::from_str(json)
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

    /// Encodes both splits as shards and lists them.
    pub fn build(
        info: &DatasetInfo,
        train: &Dataset,
        test: &Dataset,
    ) -> (Manifest, Vec<EncodedShard>) {
        let train = encode_split(Split::Train, train);
        let test = encode_split(Split::Test, test);
        let entries = |shards: &[EncodedShard]| shards.iter().map(|s| s.entry.clone()).collect();
        let manifest = Manifest {
            dataset: info.id.to_string(),
            name: info.name.to_string(),
            credit: info.credit.to_string(),
            licence: info.licence.to_string(),
            format_version: FORMAT_VERSION,
            rows: ROWS,
            cols: COLS,
            splits: Splits {
                train: entries(&train),
                test: entries(&test),
            },
        };
        (manifest, train.into_iter().chain(test).collect())
    }
}

impl ShardEntry {
    /// Decodes the shard's bytes, checking the listed SHA-256 and example count.
    pub fn decode(&self, bytes: &[u8]) -> Result<Dataset, ShardError> {
        let data = decode_shard(&self.file, bytes, Some(&self.sha256))?;
        // The checksum already pins the bytes; this catches a manifest that lists the wrong count.
        if data.len() != self.count {
            return Err(ShardError::ManifestCount {
                shard: self.file.clone(),
                listed: self.count,
                found: data.len(),
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

//! The two splits a run works on. The page's come shard by shard (`add_shard`, in any order);
//! `reproduce` has them whole from the start. Either way a job reads the unbroken prefix that
//! has arrived.

use serde::Serialize;

use super::assembly::ShardedSplit;
use super::manifest::{Manifest, Split, GIVEN_SPLIT};
use super::shard::ShardError;
use super::stats::SplitSummary;
use super::Dataset;

/// One shard the page should fetch, in the order to fetch them.
#[derive(Clone, Debug, Serialize)]
pub struct ShardToFetch {
    pub split: &'static str,
    pub file: String,
    pub bytes: usize,
    pub count: usize,
    /// The page caches a shard under its checksum, so a changed manifest misses the cache.
    pub sha256: String,
}

/// The data's name, credit, shape and the statistics of what has arrived (SPEC.md's MNIST facts).
#[derive(Clone, Debug, Serialize)]
pub struct DataSummary {
    pub dataset: String,
    pub name: String,
    pub credit: String,
    pub licence: String,
    pub rows: usize,
    pub cols: usize,
    pub classes: usize,
    /// Each class's name; the labels' numbers when the data names none.
    pub class_names: Vec<String>,
    /// How train and test were split (the manifest's `split`).
    pub split: String,
    pub train: SplitSummary,
    pub test: SplitSummary,
    /// Seconds spent decoding and validating the shards so far (set by whoever times it).
    pub decode_seconds: f64,
}

#[derive(Clone)]
pub struct RunData {
    /// The page's manifest; `None` for data loaded whole.
    manifest: Option<Manifest>,
    /// The dataset's id (the page) or directory (`reproduce`): the report's `data`.
    name: String,
    /// Image rows and columns: n = rows · cols is a model's input dimension.
    shape: (usize, usize),
    classes: usize,
    train: ShardedSplit,
    test: ShardedSplit,
}

impl RunData {
    /// Nothing yet: the shards `manifest` lists are to come.
    pub fn from_manifest(manifest: Manifest) -> Self {
        let split =
            |split| ShardedSplit::new(manifest.shards(split).iter().map(|s| s.count).collect());
        RunData {
            name: manifest.dataset.clone(),
            shape: (manifest.rows, manifest.cols),
            classes: manifest.classes,
            train: split(Split::Train),
            test: split(Split::Test),
            manifest: Some(manifest),
        }
    }

    /// Both splits, whole (`train` may be empty when a run needs none of it), of `classes`
    /// classes.
    pub fn whole(name: String, train: Dataset, test: Dataset, classes: usize) -> Self {
        let whole = |data: Dataset| {
            let mut split = ShardedSplit::new(vec![data.len()]);
            split.insert(0, data);
            split
        };
        RunData {
            manifest: None,
            name,
            shape: (test.rows, test.cols),
            classes,
            train: whole(train),
            test: whole(test),
        }
    }

    /// The same data, with the name, credit and class names of the manifest it was read from.
    pub fn described_by(self, manifest: Manifest) -> Self {
        RunData {
            // Whole data has nothing to fetch: keep the manifest's words, not its shard list.
            manifest: Some(Manifest {
                splits: Default::default(),
                ..manifest
            }),
            ..self
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// n: pixels per image, the input dimension of a model for this data.
    pub fn input_dim(&self) -> usize {
        self.shape.0 * self.shape.1
    }

    /// Image rows and columns.
    pub fn image_shape(&self) -> (usize, usize) {
        self.shape
    }

    /// The classes a label may be: a classifier's outputs.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The shards to fetch: the test split first, since every epoch ends by scoring it, then the
    /// training shards in order.
    pub fn shards_to_fetch(&self) -> Vec<ShardToFetch> {
        let Some(manifest) = &self.manifest else {
            return Vec::new();
        };
        [Split::Test, Split::Train]
            .into_iter()
            .flat_map(|split| {
                manifest
                    .shards(split)
                    .iter()
                    .map(move |entry| ShardToFetch {
                        split: split.name(),
                        file: entry.file.clone(),
                        bytes: entry.bytes,
                        count: entry.count,
                        sha256: entry.sha256.clone(),
                    })
            })
            .collect()
    }

    /// Validates one downloaded shard against the manifest (checksum, header, count) and files
    /// it at its manifest position. Returns the number of examples it held.
    pub fn add_shard(
        &mut self,
        split: Split,
        file: &str,
        bytes: &[u8],
    ) -> Result<usize, ShardError> {
        let unknown = || ShardError::NotInManifest {
            shard: file.to_string(),
        };
        let manifest = self.manifest.as_ref().ok_or_else(unknown)?;
        let entries = manifest.shards(split);
        let index = (entries.iter().position(|entry| entry.file == file)).ok_or_else(unknown)?;
        let data = manifest.decode(&entries[index], bytes)?;
        let count = data.len();
        match split {
            Split::Train => self.train.insert(index, data),
            Split::Test => self.test.insert(index, data),
        }
        Ok(count)
    }

    /// Counts, label histograms and pixel statistics of both splits as loaded so far.
    pub fn summary(&self) -> DataSummary {
        let field = |get: fn(&Manifest) -> &String| {
            self.manifest
                .as_ref()
                .map_or(String::new(), |m| get(m).clone())
        };
        let class_names = (0..self.classes)
            .map(|label| {
                self.manifest
                    .as_ref()
                    .map_or(label.to_string(), |m| m.class_name(label))
            })
            .collect();
        DataSummary {
            dataset: self.name.clone(),
            name: field(|m| &m.name),
            credit: field(|m| &m.credit),
            licence: field(|m| &m.licence),
            rows: self.shape.0,
            cols: self.shape.1,
            classes: self.classes,
            class_names,
            split: self
                .manifest
                .as_ref()
                .map_or(GIVEN_SPLIT.to_string(), |m| m.split.clone()),
            train: self.train.stats(self.classes).summary(),
            test: self.test.stats(self.classes).summary(),
            decode_seconds: 0.0,
        }
    }

    /// The training images that have arrived, as an unbroken prefix of the split.
    pub fn train(&self) -> &Dataset {
        self.train.ready()
    }

    /// The test images that have arrived, as an unbroken prefix of the split.
    pub fn test(&self) -> &Dataset {
        self.test.ready()
    }

    /// A split's arrived prefix.
    pub fn split(&self, split: Split) -> &Dataset {
        match split {
            Split::Train => self.train(),
            Split::Test => self.test(),
        }
    }

    /// Training images in the whole split, once every shard has arrived.
    pub fn train_expected(&self) -> usize {
        self.train.expected_len()
    }

    pub fn test_complete(&self) -> bool {
        self.test.is_complete()
    }
}

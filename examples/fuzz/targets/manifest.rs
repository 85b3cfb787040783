//! `Manifest::from_json`, then what the page's Session does with a manifest: lay out each split
//! (`ShardedSplit`) and decode the shards it lists. Properties: an accepted manifest reads back
//! from its own JSON, and a listed shard decodes exactly when its SHA-256 and count match.

use std::collections::HashMap;

use crate::fuzz::json;
use bayes_renorm::data::assembly::ShardedSplit;
use bayes_renorm::data::manifest::{DatasetMeta, Manifest, Split, MNIST};
use bayes_renorm::data::shard::{decode_shard, sha256_hex};
use bayes_renorm::data::Dataset;
use bayes_renorm::rng::Rng;
use serde_json::Value;

use super::{random_or_mutated, Target};

pub struct ManifestTarget {
    /// The committed manifest and one of two small shards, as text and as parsed JSON.
    texts: Vec<Vec<u8>>,
    trees: Vec<Value>,
    /// The small manifest's shards by file name, with their example counts.
    shards: HashMap<String, (Vec<u8>, usize)>,
    /// Field names, file names and digests (also in upper case and padded) for the mutator.
    words: Vec<String>,
}

impl ManifestTarget {
    pub fn new(committed: Vec<u8>, images: &Dataset) -> Self {
        let (small, encoded) = Manifest::build(
            &DatasetMeta::of(&MNIST),
            &images.first(3),
            &images.select(&[3, 4]),
        );
        let texts = vec![committed, small.to_json().into_bytes()];
        let trees = texts
            .iter()
            .map(|text| serde_json::from_slice(text).expect("seed manifests are JSON"))
            .collect();
        let fields = [
            "dataset",
            "name",
            "credit",
            "licence",
            "format_version",
            "rows",
            "cols",
            "splits",
            "train",
            "test",
            "file",
            "count",
            "bytes",
            "sha256",
        ];
        let mut words: Vec<String> = fields.iter().map(|w| w.to_string()).collect();
        for shard in &encoded {
            let sha = &shard.entry.sha256;
            words.extend([
                shard.entry.file.clone(),
                sha.clone(),
                sha.to_uppercase(),
                format!(" {sha}\n"),
            ]);
        }
        let shards = encoded
            .into_iter()
            .map(|s| (s.entry.file, (s.bytes, s.entry.count)))
            .collect();
        ManifestTarget {
            texts,
            trees,
            shards,
            words,
        }
    }
}

impl Target for ManifestTarget {
    fn name(&self) -> &'static str {
        "manifest"
    }

    fn input(&self, rng: &mut Rng) -> Vec<u8> {
        let seed = rng.below(self.texts.len());
        if rng.below(2) == 0 {
            return random_or_mutated(&self.texts[seed], rng);
        }
        let mut tree = self.trees[seed].clone();
        for _ in 0..1 + rng.below(3) {
            json::mutate(&mut tree, &self.words, rng);
        }
        let text = if rng.below(2) == 0 {
            serde_json::to_string_pretty(&tree)
        } else {
            serde_json::to_string(&tree)
        };
        text.expect("a JSON value serialises").into_bytes()
    }

    fn run(&self, input: &[u8]) -> bool {
        // The page hands the manifest over as a JS string: always UTF-8.
        let Ok(text) = std::str::from_utf8(input) else {
            return false;
        };
        let Ok(manifest) = Manifest::from_json(text) else {
            return false;
        };
        let again = Manifest::from_json(&manifest.to_json());
        assert_eq!(again.expect("its own JSON parses"), manifest);
        for split in Split::ALL {
            let entries = manifest.shards(split);
            let mut assembled = ShardedSplit::new(entries.iter().map(|e| e.count).collect());
            for (index, entry) in entries.iter().enumerate() {
                let Some((bytes, count)) = self.shards.get(&entry.file) else {
                    continue;
                };
                let decoded = manifest.decode(entry, bytes);
                let listed = sha256_hex(bytes).eq_ignore_ascii_case(entry.sha256.trim())
                    && entry.count == *count;
                // The seeds' shards are whole and valid alone; the manifest must also describe them.
                let alone = decode_shard(&entry.file, bytes, None).expect("a seed shard decodes");
                let described = (alone.rows, alone.cols) == (manifest.rows, manifest.cols)
                    && alone.label_classes() <= manifest.classes;
                assert_eq!(
                    decoded.is_ok(),
                    listed && described,
                    "{} decodes iff listed and described",
                    entry.file
                );
                if let Ok(data) = decoded {
                    assembled.insert(index, data);
                }
            }
            assert!(assembled.ready().len() <= assembled.stats(manifest.classes).count() as usize);
        }
        true
    }
}

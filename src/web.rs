//! The only place that touches wasm-bindgen: a thin facade over the core for `www/`.
//! `Session` is what the worker drives; errors become JS `Error`s whose message says what and
//! where (the core's error texts name the shard and byte offset).

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::data::manifest::{Manifest, Split};
use crate::data::stats::{SplitStats, SplitSummary};
use crate::data::Dataset;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Crate version, shown in the page footer.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Per-epoch losses of the small synthetic training run (shows the module works in this browser).
#[wasm_bindgen(js_name = syntheticDemoLosses)]
pub fn synthetic_demo_losses() -> Vec<f64> {
    crate::train::synthetic_demo_losses(crate::train::DEMO_SEED)
}

/// One shard the worker should fetch, in manifest order.
#[derive(Serialize)]
struct ShardToFetch<'a> {
    split: &'static str,
    file: &'a str,
    bytes: usize,
    count: usize,
}

#[derive(Serialize)]
struct DatasetSummary<'a> {
    dataset: &'a str,
    name: &'a str,
    credit: &'a str,
    licence: &'a str,
    train: SplitSummary,
    test: SplitSummary,
}

/// A dataset being loaded shard by shard in the worker.
#[wasm_bindgen]
pub struct Session {
    manifest: Manifest,
    train: Dataset,
    test: Dataset,
}

fn split_named(split: &str) -> Result<Split, JsError> {
    Split::ALL
        .into_iter()
        .find(|s| s.name() == split)
        .ok_or_else(|| JsError::new(&format!("unknown split '{split}'")))
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    serde_wasm_bindgen::to_value(value).map_err(|e| JsError::new(&e.to_string()))
}

#[wasm_bindgen]
impl Session {
    /// Starts from a dataset's `manifest.json` text; `source` names it in errors.
    #[wasm_bindgen(constructor)]
    pub fn new(manifest_json: &str, source: &str) -> Result<Session, JsError> {
        let manifest = Manifest::from_json(manifest_json)
            .map_err(|e| JsError::new(&format!("{source}: not a valid manifest: {e}")))?;
        Ok(Session {
            manifest,
            train: Dataset::default(),
            test: Dataset::default(),
        })
    }

    /// The shards to fetch, train first: `[{split, file, bytes, count}]`.
    #[wasm_bindgen(js_name = shardsToFetch)]
    pub fn shards_to_fetch(&self) -> Result<JsValue, JsError> {
        let list: Vec<ShardToFetch> = Split::ALL
            .into_iter()
            .flat_map(|split| {
                self.manifest
                    .shards(split)
                    .iter()
                    .map(move |entry| ShardToFetch {
                        split: split.name(),
                        file: &entry.file,
                        bytes: entry.bytes,
                        count: entry.count,
                    })
            })
            .collect();
        to_js(&list)
    }

    /// Validates one downloaded shard against the manifest (checksum, header, count) and appends
    /// it to its split. Returns the number of examples it held.
    #[wasm_bindgen(js_name = addShard)]
    pub fn add_shard(&mut self, split: &str, file: &str, bytes: &[u8]) -> Result<usize, JsError> {
        let split = split_named(split)?;
        let entry = self
            .manifest
            .shards(split)
            .iter()
            .find(|entry| entry.file == file)
            .ok_or_else(|| JsError::new(&format!("shard {file} is not in the manifest")))?;
        let data = entry
            .decode(bytes)
            .map_err(|e| JsError::new(&e.to_string()))?;
        let target = match split {
            Split::Train => &mut self.train,
            Split::Test => &mut self.test,
        };
        target.append(&data);
        Ok(data.len())
    }

    /// Counts, label histograms and pixel statistics of both splits as loaded so far.
    pub fn summary(&self) -> Result<JsValue, JsError> {
        let m = &self.manifest;
        to_js(&DatasetSummary {
            dataset: &m.dataset,
            name: &m.name,
            credit: &m.credit,
            licence: &m.licence,
            train: SplitStats::of(&self.train).summary(),
            test: SplitStats::of(&self.test).summary(),
        })
    }
}

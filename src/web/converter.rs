//! `Converter`: a visitor's files into a data set, in the page's worker, a few CSV rows or
//! pictures per `step` so the worker can post progress (it is cancelled by ending the worker).
//! The core's `Import` does the work, as it does for `convert`.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{from_js, js_error, to_js};
use crate::data::import::{Import, ImportOptions, InputFile};
use crate::data::run_data::RunData;

#[wasm_bindgen]
pub struct Converter {
    import: Option<Import>,
}

/// What the worker keeps: the manifest and shards under the data set's id, and what to show.
#[derive(Serialize)]
struct Converted {
    id: String,
    sha256: String,
    manifest: String,
    shards: Vec<ShardFile>,
    format: &'static str,
    skipped: Vec<String>,
    summary: crate::data::run_data::DataSummary,
}

#[derive(Serialize)]
struct ShardFile {
    file: String,
    #[serde(with = "super::session::bytes_as_array")]
    bytes: Vec<u8>,
}

#[wasm_bindgen]
impl Converter {
    /// `paths[k]` names `buffers[k]` (a dropped folder's relative path, or a file's name);
    /// `options` is `{name, width, resize, seed}`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        paths: Vec<String>,
        buffers: js_sys::Array,
        options: JsValue,
    ) -> Result<Converter, JsError> {
        let options: ImportOptions = from_js(options)?;
        let files = paths
            .into_iter()
            .zip(buffers.iter())
            .map(|(path, bytes)| InputFile {
                path,
                bytes: js_sys::Uint8Array::new(&bytes).to_vec(),
            })
            .collect();
        let import = Import::new(files, options).map_err(js_error)?;
        Ok(Converter {
            import: Some(import),
        })
    }

    /// Reads up to `budget` CSV rows or pictures; true when all are read.
    pub fn step(&mut self, budget: usize) -> Result<bool, JsError> {
        self.import_mut()?.step(budget).map_err(js_error)
    }

    /// `{unit, done, total}`: bytes of CSV, or pictures.
    pub fn progress(&self) -> Result<JsValue, JsError> {
        let import = self
            .import
            .as_ref()
            .ok_or_else(|| JsError::new("already finished"))?;
        to_js(&import.progress())
    }

    /// Checks and splits the whole, then packs it: `{id, sha256, manifest, shards, format,
    /// skipped, summary}`.
    pub fn finish(&mut self) -> Result<JsValue, JsError> {
        let import = self
            .import
            .take()
            .ok_or_else(|| JsError::new("already finished"))?;
        let imported = import.finish().map_err(js_error)?;
        let packed = imported.packed().map_err(js_error)?;
        let classes = packed.manifest.classes;
        let summary = RunData::whole(packed.id.clone(), imported.train, imported.test, classes)
            .described_by(packed.manifest.clone())
            .summary();
        to_js(&Converted {
            id: packed.id,
            sha256: packed.sha256,
            manifest: packed.manifest.to_json(),
            shards: (packed.shards.into_iter())
                .map(|s| ShardFile {
                    file: s.entry.file,
                    bytes: s.bytes,
                })
                .collect(),
            format: imported.format,
            skipped: imported.skipped,
            summary,
        })
    }

    fn import_mut(&mut self) -> Result<&mut Import, JsError> {
        self.import
            .as_mut()
            .ok_or_else(|| JsError::new("already finished"))
    }
}

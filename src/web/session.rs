//! `Session`: the worker's handle on one `Workbench`. It converts between JS values and the
//! core's types and delegates; every number comes from the workbench. Errors become JS `Error`s
//! whose message says what and where (the core's texts name the shard, byte offset, epoch and
//! batch).

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{from_js, js_error, performance_now, to_js};
use crate::data::manifest::{Manifest, Split};
use crate::data::run_data::RunData;
use crate::data::shard::sha256_hex;
use crate::network_weights::network_to_safetensors;
use crate::report::{fisher_npy, sweep_csv, Report};
use crate::workbench::{JobKind, ModelRecord, Settings, Workbench};

#[wasm_bindgen]
pub struct Session {
    bench: Workbench,
}

/// A file for the page to save.
#[derive(Serialize)]
struct ExportFile {
    name: &'static str,
    mime: &'static str,
    #[serde(with = "bytes_as_array")]
    bytes: Vec<u8>,
}

/// `Vec<u8>` as a `Uint8Array` (serde would make a plain array of numbers).
pub(crate) mod bytes_as_array {
    pub fn serialize<S: serde::Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(bytes)
    }
}

#[wasm_bindgen]
impl Session {
    /// Starts from a dataset's `manifest.json` text; `source` names it in errors.
    #[wasm_bindgen(constructor)]
    pub fn new(manifest_json: &str, source: &str) -> Result<Session, JsError> {
        let manifest = Manifest::from_json(manifest_json)
            .map_err(|e| JsError::new(&format!("{source}: not a valid manifest: {e}")))?;
        let clock = Box::new(|| performance_now() / 1e3);
        let data = RunData::from_manifest(manifest);
        Ok(Session {
            bench: Workbench::new(data, clock, super::eigensolver::solver()),
        })
    }

    /// The shards to fetch, `[{split, file, bytes, count, sha256}]`, in the order to fetch them.
    #[wasm_bindgen(js_name = shardsToFetch)]
    pub fn shards_to_fetch(&self) -> Result<JsValue, JsError> {
        to_js(&self.bench.data().shards_to_fetch())
    }

    /// Validates one downloaded shard against the manifest (checksum, header, count) and files
    /// it at its manifest position. Returns the number of examples it held.
    #[wasm_bindgen(js_name = addShard)]
    pub fn add_shard(&mut self, split: &str, file: &str, bytes: &[u8]) -> Result<usize, JsError> {
        let split = (Split::ALL.into_iter())
            .find(|s| s.name() == split)
            .ok_or_else(|| JsError::new(&format!("unknown split '{split}'")))?;
        self.bench.add_shard(split, file, bytes).map_err(js_error)
    }

    /// Counts, label histograms and pixel statistics of both splits as loaded so far, and the
    /// seconds their decoding took.
    pub fn summary(&self) -> Result<JsValue, JsError> {
        to_js(&self.bench.data_summary())
    }

    /// Runs `jobs` (`['train', 'analyse']`, …) in order with `settings` (the page's parameter
    /// table, www/state.js), replacing whatever was running.
    pub fn start(&mut self, jobs: JsValue, settings: JsValue) -> Result<(), JsError> {
        let jobs: Vec<JobKind> = from_js(jobs)?;
        let settings: Settings = from_js(settings)?;
        self.bench.start(&jobs, settings).map_err(js_error)
    }

    /// Works for about `budget_ms` milliseconds: a `Progress` (src/workbench/progress.rs).
    pub fn step(&mut self, budget_ms: f64) -> Result<JsValue, JsError> {
        let progress = self.bench.step(budget_ms / 1e3).map_err(js_error)?;
        to_js(&progress)
    }

    /// The next tasks for `helpers` helper workers, one `Uint8Array` each; none when the job
    /// has nothing to share now.
    pub fn shares(&mut self, helpers: usize) -> Result<js_sys::Array, JsError> {
        let shares = self.bench.shares(helpers).map_err(js_error)?;
        Ok(shares
            .iter()
            .map(|share| {
                // Written straight into JS memory: 47 MB of training images go with a run's
                // first batch, and the module's memory never shrinks.
                let head = share.head();
                let bytes = js_sys::Uint8Array::new_with_length(share.len() as u32);
                bytes.subarray(0, head.len() as u32).copy_from(&head);
                bytes
                    .subarray(head.len() as u32, share.len() as u32)
                    .copy_from(share.payload);
                JsValue::from(bytes)
            })
            .collect())
    }

    /// Helper `helper`'s answer to its last task.
    pub fn accept(&mut self, helper: usize, result: &[u8]) -> Result<(), JsError> {
        self.bench.accept(helper, result).map_err(js_error)
    }

    /// `shares`, for the threaded build's helper threads: the tasks go into their slots, not
    /// out to JavaScript. False when the job has nothing to share now.
    #[cfg(target_feature = "atomics")]
    #[wasm_bindgen(js_name = sendTo)]
    pub fn send_to(
        &mut self,
        threads: &mut super::threads::HelperThreads,
    ) -> Result<bool, JsError> {
        let shares = (self.bench)
            .shares(threads.pool.helper_count())
            .map_err(js_error)?;
        threads.pool.send(&shares);
        Ok(!shares.is_empty())
    }

    /// `accept` of every helper thread's answer to what `sendTo` sent, waiting for them.
    #[cfg(target_feature = "atomics")]
    #[wasm_bindgen(js_name = receiveFrom)]
    pub fn receive_from(
        &mut self,
        threads: &mut super::threads::HelperThreads,
    ) -> Result<(), JsError> {
        let count = threads.pool.helper_count();
        for (helper, answer) in threads.pool.receive().into_iter().enumerate() {
            let answer = answer.map_err(|why| {
                JsError::new(&format!("helper thread {} of {count}: {why}", helper + 1))
            })?;
            self.bench.accept(helper, &answer).map_err(js_error)?;
        }
        Ok(())
    }

    /// The clock stops until the next step.
    pub fn pause(&mut self) {
        self.bench.pause();
    }

    /// Drops the running job and those after it; finished results stay.
    pub fn cancel(&mut self) {
        self.bench.cancel();
    }

    /// Reads a safetensors file (ours, or PyTorch's with the authors' key names) and makes it the
    /// model. On any error nothing changes, and the message names the file.
    #[wasm_bindgen(js_name = importWeights)]
    pub fn import_weights(&mut self, name: &str, bytes: &[u8]) -> Result<(), JsError> {
        self.bench.import_weights(name, bytes).map_err(js_error)
    }

    /// The model of another worker's session, from its `weightsFile` and `modelRecord`.
    #[wasm_bindgen(js_name = restoreModel)]
    pub fn restore_model(&mut self, bytes: &[u8], record: &str) -> Result<(), JsError> {
        let record: ModelRecord = serde_json::from_str(record)
            .map_err(|e| JsError::new(&format!("the kept run's record: {e}")))?;
        self.bench.restore(bytes, record).map_err(js_error)
    }

    /// How the model came to be and its figures, as JSON: the page keeps it with `weightsFile`.
    #[wasm_bindgen(js_name = modelRecord)]
    pub fn model_record(&self) -> Result<String, JsError> {
        let trained = self.trained()?;
        serde_json::to_string(&trained.record).map_err(js_error)
    }

    /// The model as a safetensors file (what `#export-weights` saves).
    #[wasm_bindgen(js_name = weightsFile)]
    pub fn weights_file(&self) -> Result<Vec<u8>, JsError> {
        network_to_safetensors(&self.trained()?.model).map_err(js_error)
    }

    /// SHA-256 of `weightsFile`: equal digests mean bit-identical weights.
    #[wasm_bindgen(js_name = weightsDigest)]
    pub fn weights_digest(&self) -> Result<String, JsError> {
        Ok(sha256_hex(&self.weights_file()?))
    }

    /// The analysed model for the main thread's `AnalysisView`.
    #[wasm_bindgen(js_name = viewBytes)]
    pub fn view_bytes(&self) -> Result<Vec<u8>, JsError> {
        self.bench.view_bytes().map_err(js_error)
    }

    /// The finished eigen-shells for `AnalysisView.setEigen`.
    #[wasm_bindgen(js_name = eigenBytes)]
    pub fn eigen_bytes(&self) -> Result<Vec<u8>, JsError> {
        self.bench.eigen_bytes().map_err(js_error)
    }

    /// The eigen-shells' seconds by stage: `{blocks, decompose, sweep, refine}`.
    #[wasm_bindgen(js_name = eigenSeconds)]
    pub fn eigen_seconds(&self) -> Result<JsValue, JsError> {
        to_js(&self.bench.eigen_seconds())
    }

    /// The finished fine-tuning: `{epochs, continued, points}`.
    #[wasm_bindgen(js_name = fineTuneResult)]
    pub fn fine_tune_result(&self) -> Result<JsValue, JsError> {
        to_js((self.bench.fine_tune()).ok_or_else(|| JsError::new("no fine-tuning has run"))?)
    }

    /// The finished soft-flow curve: `{alpha, samples, seed, points}`.
    #[wasm_bindgen(js_name = softFlowResult)]
    pub fn soft_flow_result(&self) -> Result<JsValue, JsError> {
        to_js((self.bench.soft_flow()).ok_or_else(|| JsError::new("the soft flow has not run"))?)
    }

    /// The seconds of the analysis: `{train, fisher, sweep, eigen, fine_tune, soft_flow}`.
    pub fn seconds(&self) -> Result<JsValue, JsError> {
        to_js(&self.bench.seconds())
    }

    /// An export, `{name, mime, bytes}`: `what` is 'csv' (the sweep), 'json' (the run in
    /// `reproduce`'s schema), 'weights' (safetensors) or 'fisher' (.npy).
    #[wasm_bindgen(js_name = exportFile)]
    pub fn export_file(&self, what: &str) -> Result<JsValue, JsError> {
        let analysed =
            || (self.bench.analysed()).ok_or_else(|| JsError::new("no analysis has run"));
        let file = match what {
            "csv" => {
                let analysed = analysed()?;
                let seeds = &analysed.config.baselines.random_seeds;
                ExportFile {
                    name: "bayes-renorm-sweep.csv",
                    mime: "text/csv",
                    bytes: sweep_csv(&analysed.result.rows, seeds, analysed.result.fisher.kind())
                        .into_bytes(),
                }
            }
            "json" => ExportFile {
                name: "bayes-renorm-run.json",
                mime: "application/json",
                bytes: (Report::of(&self.bench))
                    .ok_or_else(|| JsError::new("no analysis has run"))?
                    .to_json()
                    .into_bytes(),
            },
            "weights" => ExportFile {
                name: "bayes-renorm-weights.safetensors",
                mime: "application/octet-stream",
                bytes: self.weights_file()?,
            },
            "fisher" => ExportFile {
                name: "bayes-renorm-fisher.npy",
                mime: "application/octet-stream",
                bytes: fisher_npy(&analysed()?.result.fisher),
            },
            other => return Err(JsError::new(&format!("no export called '{other}'"))),
        };
        to_js(&file)
    }
}

impl Session {
    fn trained(&self) -> Result<&crate::workbench::TrainedModel, JsError> {
        (self.bench.trained())
            .ok_or_else(|| JsError::new("no model has been trained or imported yet"))
    }
}

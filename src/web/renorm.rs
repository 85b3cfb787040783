//! The worker's side of the renormalization: the Fisher and the sweep (`crate::analysis`) on the
//! session's model, importing weights, and every export. The numbers are `reproduce`'s: the same
//! `Analysis` and `Report` produce them.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::session::{js_error, Session, Trained, EVAL_BATCH};
use super::{from_js, to_js, SweepView};
use crate::analysis::{Analysis, AnalysisConfig, AnalysisResult, Grid};
use crate::data::manifest::Split;
use crate::fisher::FisherVariant;
use crate::model::Autoencoder;
use crate::prune::dataset_mse;
use crate::report::{fisher_npy, sweep_csv, ModelSource, Report, Seconds};
use crate::weights::{from_safetensors, to_safetensors};
use ndarray::Array2;

/// The page's renormalization controls (www/state.js), as the worker sends them.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenormSettings {
    pub fisher_split: Split,
    pub fisher_variant: FisherVariant,
    pub grid: Grid,
    pub random_seeds: u64,
    /// Test images the sweep scores on.
    pub eval_examples: usize,
    /// Random pruning uses seeds `seed`, `seed + 1`, ... (`reproduce` uses the training seed).
    pub seed: u64,
}

/// An analysis of the session's model, with the seconds its stages took.
pub struct AnalysisRun {
    pub(super) analysis: Analysis,
    seconds: Seconds,
}

#[wasm_bindgen]
impl Session {
    /// Training images the Fisher needs before it can start (0 when it uses the test split).
    #[wasm_bindgen(js_name = fisherExamplesNeeded)]
    pub fn fisher_examples_needed(&self, settings: JsValue) -> Result<usize, JsError> {
        let settings: RenormSettings = from_js(settings)?;
        Ok(match settings.fisher_split {
            Split::Test => 0,
            Split::Train => self.training_examples_of_model()?,
        })
    }

    /// Starts the Fisher and sweep on the trained or imported model.
    #[wasm_bindgen(js_name = startAnalysis)]
    pub fn start_analysis(&mut self, settings: JsValue) -> Result<(), JsError> {
        let s: RenormSettings = from_js(settings)?;
        let config = AnalysisConfig {
            fisher_split: s.fisher_split,
            fisher_examples: self.fisher_limit()?,
            fisher_variant: s.fisher_variant,
            grid: s.grid,
            eval_examples: Some(s.eval_examples),
            ..AnalysisConfig::paper(s.seed, s.random_seeds)
        };
        let analysis = Analysis::new(&self.trained()?.model, config);
        self.clear_analysis();
        self.analysis = Some(AnalysisRun {
            analysis,
            seconds: Seconds::default(),
        });
        Ok(())
    }

    /// One step of the analysis: a batch of the Fisher or one cutoff of the sweep,
    /// `{stage: 'fisher' | 'sweep' | 'done', done, total, row}`.
    #[wasm_bindgen(js_name = analysisStep)]
    pub fn analysis_step(&mut self) -> Result<JsValue, JsError> {
        let run = self
            .analysis
            .as_mut()
            .ok_or_else(|| JsError::new("no analysis"))?;
        let progress = run.analysis.step(self.train.ready(), self.test.ready());
        to_js(&progress)
    }

    /// Adds `seconds` to the time of the stage `progress` came from (the worker has the clock).
    #[wasm_bindgen(js_name = addAnalysisSeconds)]
    pub fn add_analysis_seconds(&mut self, stage: &str, seconds: f64) {
        if let Some(run) = self.analysis.as_mut() {
            match stage {
                "fisher" => run.seconds.fisher += seconds,
                _ => run.seconds.sweep += seconds,
            }
        }
    }

    #[wasm_bindgen(js_name = cancelAnalysis)]
    pub fn cancel_analysis(&mut self) {
        self.clear_analysis();
    }

    /// Training images the model was trained on (all of them for imported weights): what
    /// fine-tuning retrains on, and a training-split Fisher averages over.
    #[wasm_bindgen(js_name = trainingExamplesOfModel)]
    pub fn training_examples_of_model(&self) -> Result<usize, JsError> {
        Ok(self.fisher_limit()?.unwrap_or(self.train.expected_len()))
    }

    /// The finished analysis for the charts: rows, knee and Fisher statistics.
    #[wasm_bindgen(js_name = sweepView)]
    pub fn sweep_view(&self) -> Result<JsValue, JsError> {
        let (run, result) = self.result()?;
        let stats = &result.stats;
        to_js(&SweepView {
            rows: result.rows.clone(),
            unpruned_mse: result.unpruned_mse,
            knee: result.knee.clone(),
            tolerance: result.tolerance,
            eval_examples: result.eval_examples,
            random_seed: run
                .analysis
                .config()
                .baselines
                .random_seeds
                .first()
                .copied()
                .unwrap_or(0),
            encoder_mean: stats.encoder.mean,
            all_parameters_mean: stats.all_parameters.mean,
            zero_fraction: stats.encoder.zero_fraction,
            fisher_examples: result.fisher.examples,
        })
    }

    /// The encoder's Fisher values, row-major [m, n].
    #[wasm_bindgen(js_name = fisherEncoder)]
    pub fn fisher_encoder(&self) -> Result<Vec<f32>, JsError> {
        Ok(self.result()?.1.fisher.encoder.iter().copied().collect())
    }

    /// The test digits the page reconstructs (the first of each label), as u8 pixels.
    #[wasm_bindgen(js_name = fixedDigits)]
    pub fn fixed_digits(&self) -> Vec<u8> {
        let test = self.test.ready();
        test.select(&test.first_of_each_label()).pixels
    }

    /// The model as a safetensors file (what `#export-weights` saves).
    #[wasm_bindgen(js_name = weightsFile)]
    pub fn weights_file(&self) -> Result<Vec<u8>, JsError> {
        to_safetensors(&self.trained()?.model).map_err(js_error)
    }

    /// Every parameter's Fisher value as one flat .npy (what `reproduce --write-fisher F.npy` writes).
    #[wasm_bindgen(js_name = fisherFile)]
    pub fn fisher_file(&self) -> Result<Vec<u8>, JsError> {
        Ok(fisher_npy(&self.result()?.1.fisher))
    }

    /// The sweep table as CSV.
    #[wasm_bindgen(js_name = sweepCsv)]
    pub fn sweep_csv(&self) -> Result<String, JsError> {
        let (run, result) = self.result()?;
        let seeds = &run.analysis.config().baselines.random_seeds;
        Ok(sweep_csv(&result.rows, seeds))
    }

    /// The whole run in `reproduce`'s JSON schema.
    #[wasm_bindgen(js_name = reportJson)]
    pub fn report_json(&self) -> Result<String, JsError> {
        let (run, result) = self.result()?;
        let trained = self.trained()?;
        let test_mse = dataset_mse(&trained.model, self.test.ready(), EVAL_BATCH);
        let seconds = Seconds {
            train: trained.seconds,
            ..run.seconds
        };
        let mut report = Report::new(
            self.manifest.dataset.clone(),
            &trained.model,
            &trained.source,
            test_mse,
            run.analysis.config(),
            result,
            seconds,
        );
        report.eigen = self.eigen.as_ref().map(|(summary, _)| summary.clone());
        report.fine_tune = self.fine_tune.clone();
        report.soft_flow = self.soft_flow.clone();
        Ok(report.to_json())
    }

    /// Reads a safetensors file (ours, or PyTorch's with the authors' key names) and makes it the
    /// session's model. On any error nothing changes, and the message names the file and what
    /// is wrong with it.
    #[wasm_bindgen(js_name = importWeights)]
    pub fn import_weights(&mut self, name: &str, bytes: &[u8]) -> Result<(), JsError> {
        let source = ModelSource::Loaded {
            weights: name.to_string(),
        };
        self.set_model(name, bytes, source, 0.0)
    }

    /// How the trained model came to be, as JSON, for `restoreTrained`. The page keeps it with
    /// `weightsFile`, so a new worker can take over the model if this one dies.
    #[wasm_bindgen(js_name = trainedSource)]
    pub fn trained_source(&self) -> Result<String, JsError> {
        let trained = self.trained()?;
        serde_json::to_string(&(&trained.source, trained.seconds)).map_err(js_error)
    }

    /// The model of another worker's session, from its `weightsFile` and `trainedSource`: the
    /// same weights, run settings and training figures, so the analysis and the report are
    /// what that session's would have been.
    #[wasm_bindgen(js_name = restoreTrained)]
    pub fn restore_trained(&mut self, bytes: &[u8], source: &str) -> Result<(), JsError> {
        let (source, seconds): (ModelSource, f64) = serde_json::from_str(source)
            .map_err(|e| JsError::new(&format!("the kept run's record: {e}")))?;
        self.set_model("the kept weights", bytes, source, seconds)
    }
}

impl Session {
    /// Makes the model in a safetensors file (`name` in messages) the session's, with `source`.
    fn set_model(
        &mut self,
        name: &str,
        bytes: &[u8],
        source: ModelSource,
        seconds: f64,
    ) -> Result<(), JsError> {
        let model = from_safetensors(bytes).map_err(|e| JsError::new(&format!("{name}: {e}")))?;
        let pixels = self.pixels_per_image();
        if model.input_dim() != pixels {
            return Err(JsError::new(&format!(
                "{name}: the model takes {} pixels but {} images have {pixels}",
                model.input_dim(),
                self.manifest.name
            )));
        }
        self.trained = Some(Trained {
            model,
            source,
            seconds,
        });
        self.clear_analysis();
        Ok(())
    }

    /// The Fisher over the training split averages over the images the model was trained on
    /// (as `reproduce --subset` does), or over all of them for imported weights.
    fn fisher_limit(&self) -> Result<Option<usize>, JsError> {
        Ok(match &self.trained()?.source {
            ModelSource::Trained { examples, .. } => Some(*examples),
            ModelSource::Loaded { .. } => None,
        })
    }

    pub(super) fn analysis_result(&self) -> Result<&AnalysisResult, JsError> {
        Ok(self.result()?.1)
    }

    /// The analysed model, its encoder's Fisher, and the sweep's first random seed.
    pub(super) fn analysed(&self) -> Result<(Autoencoder<f32>, Array2<f32>, u64), JsError> {
        let (run, result) = self.result()?;
        let seed = (run
            .analysis
            .config()
            .baselines
            .random_seeds
            .first()
            .copied())
        .unwrap_or(run.analysis.config().baselines.random_seeds.len() as u64);
        Ok((
            self.trained()?.model.clone(),
            result.fisher.encoder.clone(),
            seed,
        ))
    }

    /// The split the analysis took its Fisher over.
    pub(super) fn fisher_split(&self) -> Result<Split, JsError> {
        Ok(self.result()?.0.analysis.config().fisher_split)
    }

    fn result(&self) -> Result<(&AnalysisRun, &AnalysisResult), JsError> {
        let run = self
            .analysis
            .as_ref()
            .ok_or_else(|| JsError::new("no analysis has run"))?;
        let result = run
            .analysis
            .result()
            .ok_or_else(|| JsError::new("the analysis has not finished"))?;
        Ok((run, result))
    }
}

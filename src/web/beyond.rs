//! The worker's side of "Beyond the paper": the Fisher eigen-shells, fine-tuning after pruning and
//! the soft flow's curve, run in steps on the session's analysed model. The core does the work
//! (`crate::eigen`, `crate::finetune`, `crate::softflow`); `reproduce --eigen --fine-tune
//! --soft-flow` prints the same numbers.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::session::{js_error, Session};
use super::{from_js, to_js};
use crate::data::manifest::Split;
use crate::data::Dataset;
use crate::eigen::{EigenProgress, EigenRun, EigenShells};
use crate::finetune::{FineTuneConfig, FineTuning};
use crate::prune::Shells;
use crate::report::{FineTuneSummary, SoftFlowSummary};
use crate::softflow::{evidence_grid, SoftFlow, SoftFlowConfig};
use crate::train::TrainConfig;

/// `#fine-tune-at`, `#fine-tune-epochs` and the training controls it retrains with.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FineTuneSettings {
    pub fractions: Vec<f64>,
    pub epochs: usize,
    pub batch: usize,
    pub lr: f32,
    pub seed: u64,
}

/// `#soft-alpha` (None: the initialisation's precision) and `#soft-samples`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SoftFlowSettings {
    pub alpha: Option<f64>,
    pub samples: usize,
    pub seed: u64,
}

/// A "beyond the paper" job in progress.
/// `eval` is the test images the sweep scored, copied once when the job starts.
pub enum BeyondRun {
    Eigen {
        run: Box<EigenRun>,
        eval: Dataset,
    },
    FineTune(Box<FineTuning>),
    SoftFlow {
        flow: Box<SoftFlow>,
        grid: Vec<f64>,
        summary: SoftFlowSummary,
        eval: Dataset,
    },
}

#[derive(Serialize)]
struct Progress {
    done: usize,
    total: usize,
    /// The eigen-shells' stage: blocks, decompose, sweep or refine.
    #[serde(skip_serializing_if = "Option::is_none")]
    stage: Option<&'static str>,
}

#[wasm_bindgen]
impl Session {
    /// Starts the Fisher eigen-shells of the analysed model: its blocks over the Fisher's
    /// examples, their eigendecompositions, and the sweep at the diagonal sweep's counts.
    #[wasm_bindgen(js_name = startEigen)]
    pub fn start_eigen(&mut self) -> Result<(), JsError> {
        let run = EigenRun::after(
            &self.trained()?.model,
            self.analysis_result()?,
            super::eigensolver::solver(),
        );
        self.beyond = Some(BeyondRun::Eigen {
            run: Box::new(run),
            eval: self.eval_set()?,
        });
        self.eigen = None;
        Ok(())
    }

    /// Starts fine-tuning the analysed model after each scheme's pruning.
    #[wasm_bindgen(js_name = startFineTune)]
    pub fn start_fine_tune(&mut self, settings: JsValue) -> Result<(), JsError> {
        let s: FineTuneSettings = from_js(settings)?;
        let (model, fisher, seed) = self.analysed()?;
        let shells = Shells::new(&model, &fisher, seed);
        let train = self.train.ready().first(self.training_examples_of_model()?);
        let config = FineTuneConfig {
            fractions: s.fractions,
            train: TrainConfig::with_lr(s.epochs, s.batch, s.lr, s.seed),
        };
        self.beyond = Some(BeyondRun::FineTune(Box::new(FineTuning::new(
            shells, config, train,
        ))));
        self.fine_tune = None;
        Ok(())
    }

    /// Starts the soft flow's curve: one evidence level per step, from all of the Fisher's
    /// examples down to none, scored on the sweep's test images.
    #[wasm_bindgen(js_name = startSoftFlow)]
    pub fn start_soft_flow(&mut self, settings: JsValue) -> Result<(), JsError> {
        let s: SoftFlowSettings = from_js(settings)?;
        let (model, fisher, _) = self.analysed()?;
        let config = SoftFlowConfig {
            alpha: s
                .alpha
                .unwrap_or(SoftFlowConfig::default_for(model.input_dim(), s.seed).alpha),
            samples: s.samples,
            seed: s.seed,
        };
        let examples = self.analysis_result()?.fisher.examples;
        self.beyond = Some(BeyondRun::SoftFlow {
            flow: Box::new(SoftFlow::new(&model, &fisher, config)),
            grid: evidence_grid(examples),
            summary: SoftFlowSummary {
                alpha: config.alpha,
                samples: config.samples,
                points: Vec::new(),
            },
            eval: self.eval_set()?,
        });
        self.soft_flow = None;
        Ok(())
    }

    /// One step of the running job (`max_batches` of fine-tuning, or one evidence level):
    /// `{done, total}`. When it finishes, its result joins the report.
    #[wasm_bindgen(js_name = beyondStep)]
    pub fn beyond_step(&mut self, max_batches: usize) -> Result<JsValue, JsError> {
        let fisher_split = match self.fisher_split()? {
            Split::Train => self.train.ready(),
            Split::Test => self.test.ready(),
        };
        let run = self
            .beyond
            .as_mut()
            .ok_or_else(|| JsError::new("nothing is running"))?;
        let progress = match run {
            BeyondRun::Eigen { run: eigen, eval } => {
                let (stage, done, total) = match eigen.step(fisher_split, eval) {
                    EigenProgress::Blocks { done, total } => ("blocks", done, total),
                    EigenProgress::Decompose { done, total } => ("decompose", done, total),
                    EigenProgress::Sweep { done, total } => ("sweep", done, total),
                    EigenProgress::Refine { done, total } => ("refine", done, total),
                    EigenProgress::Done => ("done", 1, 1),
                };
                // Each stage reaches done == total on its way; only the last one ends the run.
                let (done, total) = if eigen.is_done() {
                    (1, 1)
                } else {
                    (done, total.max(done + 1))
                };
                Progress {
                    done,
                    total,
                    stage: Some(stage),
                }
            }
            BeyondRun::FineTune(tuning) => {
                let p = tuning
                    .step(max_batches, self.test.ready())
                    .map_err(js_error)?;
                Progress {
                    done: p.done,
                    total: p.total,
                    stage: None,
                }
            }
            BeyondRun::SoftFlow {
                flow,
                grid,
                summary,
                eval,
            } => {
                let next = grid[summary.points.len()];
                summary.points.push(flow.point(next, eval));
                Progress {
                    done: summary.points.len(),
                    total: grid.len(),
                    stage: None,
                }
            }
        };
        if progress.done == progress.total {
            match self.beyond.take() {
                Some(BeyondRun::Eigen { run, .. }) => self.eigen = run.into_results(),
                Some(BeyondRun::FineTune(tuning)) => {
                    let epochs = tuning.epochs();
                    let (points, continued) = tuning.into_results();
                    self.fine_tune = Some(FineTuneSummary {
                        epochs,
                        continued,
                        points,
                    });
                }
                Some(BeyondRun::SoftFlow { summary, .. }) => self.soft_flow = Some(summary),
                None => {}
            }
        }
        to_js(&progress)
    }

    #[wasm_bindgen(js_name = cancelBeyond)]
    pub fn cancel_beyond(&mut self) {
        self.beyond = None;
    }

    /// The finished eigen-shells' summary: `{examples, diagonalMaxRelativeError, rows, ...}` in
    /// `reproduce`'s schema (snake_case keys).
    #[wasm_bindgen(js_name = eigenResult)]
    pub fn eigen_result(&self) -> Result<JsValue, JsError> {
        to_js(&self.eigen()?.0)
    }

    /// The finished decompositions for the main thread's `RenormView.setEigen`, as typed arrays
    /// (a plain array of 12 million numbers would be slow): `{values, vectors, coefficients}`.
    #[wasm_bindgen(js_name = eigenBasis)]
    pub fn eigen_basis(&self) -> Result<JsValue, JsError> {
        let (values, vectors, coefficients) = self.eigen()?.1.flat();
        let basis = js_sys::Object::new();
        let set = |key: &str, value: &JsValue| {
            js_sys::Reflect::set(&basis, &key.into(), value)
                .map_err(|_| JsError::new("could not build the eigenbasis object"))
        };
        set("values", &js_sys::Float64Array::from(&values[..]))?;
        set("vectors", &js_sys::Float32Array::from(&vectors[..]))?;
        set(
            "coefficients",
            &js_sys::Float64Array::from(&coefficients[..]),
        )?;
        Ok(basis.into())
    }

    /// The finished fine-tuning: `{epochs, continued, points}`.
    #[wasm_bindgen(js_name = fineTuneResult)]
    pub fn fine_tune_result(&self) -> Result<JsValue, JsError> {
        to_js(
            self.fine_tune
                .as_ref()
                .ok_or_else(|| JsError::new("no fine-tuning has run"))?,
        )
    }

    /// The finished soft-flow curve: `{alpha, samples, points}`.
    #[wasm_bindgen(js_name = softFlowResult)]
    pub fn soft_flow_result(&self) -> Result<JsValue, JsError> {
        to_js(
            self.soft_flow
                .as_ref()
                .ok_or_else(|| JsError::new("the soft flow has not run"))?,
        )
    }
}

impl Session {
    /// The test images the sweep scored on, which the eigen-shells and the soft flow score on too.
    fn eval_set(&self) -> Result<Dataset, JsError> {
        Ok(self
            .test
            .ready()
            .first(self.analysis_result()?.eval_examples))
    }

    fn eigen(&self) -> Result<&(crate::eigen::EigenSummary, EigenShells), JsError> {
        (self.eigen.as_ref()).ok_or_else(|| JsError::new("the eigen-shells have not run"))
    }
}

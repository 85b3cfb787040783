//! The soft flow job (`crate::softflow`, eq. 38-39): one evidence level per unit, from all of the
//! Fisher's examples down to none, scored on the sweep's test images.

use super::analysing::Analysed;
use super::clock::{Slot, Stopwatch};
use super::progress::{JobKind, Progress, Stage};
use super::settings::Settings;
use crate::data::run_data::RunData;
use crate::data::Dataset;
use crate::model::Autoencoder;
use crate::softflow::{evidence_grid, SoftFlow, SoftFlowSummary};

pub struct SoftFlowJob {
    flow: SoftFlow,
    grid: Vec<f64>,
    summary: SoftFlowSummary,
    eval: Dataset,
}

impl SoftFlowJob {
    /// The flow of `model` after its analysis.
    pub fn begin(
        settings: &Settings,
        model: &Autoencoder<f32>,
        analysed: &Analysed,
        data: &RunData,
        watch: &mut Stopwatch,
    ) -> SoftFlowJob {
        let result = &analysed.result;
        let config = settings.soft_flow_config(model.input_dim());
        watch.seconds.soft_flow = 0.0;
        SoftFlowJob {
            flow: SoftFlow::new(model, result.fisher.first_layer(), config),
            grid: evidence_grid(result.fisher.examples()),
            summary: SoftFlowSummary {
                alpha: config.alpha,
                samples: config.samples,
                seed: config.seed,
                points: Vec::new(),
            },
            eval: data.test().first(result.eval_examples),
        }
    }

    pub fn step(&mut self, watch: &mut Stopwatch, deadline: f64) -> Progress {
        loop {
            let evidence = self.grid[self.summary.points.len()];
            self.summary
                .points
                .push(self.flow.point(evidence, &self.eval));
            let now = watch.lap(Some(Slot::SoftFlow));
            let (done, total) = (self.summary.points.len(), self.grid.len());
            let job = Some(JobKind::SoftFlow);
            let mut progress = Progress::new(job, Stage::SoftFlow, done, total);
            if done == total {
                progress.finished = job;
                return progress;
            }
            if now >= deadline {
                return progress;
            }
        }
    }

    pub fn finish(self) -> SoftFlowSummary {
        self.summary
    }
}

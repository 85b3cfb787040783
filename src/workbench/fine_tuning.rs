//! The fine-tuning job (`crate::finetune`): at each chosen fraction removed, every scheme's
//! kept weights retrain with the removed ones held at zero, beside the unpruned model trained as
//! long.

use super::analysing::Analysed;
use super::clock::{Slot, Stopwatch};
use super::error::WorkbenchError;
use super::progress::{JobKind, Progress, Stage};
use super::settings::Settings;
use crate::data::run_data::RunData;
use crate::finetune::{FineTuneSummary, FineTuning};
use crate::network::Network;
use crate::prune::Shells;

pub struct FineTuneJob {
    tuning: FineTuning,
}

impl FineTuneJob {
    /// Fine-tuning `model` after its analysis, on its first `examples` training images.
    pub fn begin(
        settings: &Settings,
        model: &Network,
        analysed: &Analysed,
        data: &RunData,
        examples: usize,
        watch: &mut Stopwatch,
    ) -> FineTuneJob {
        let shells = Shells::new(
            model,
            analysed.result.fisher.first_layer(),
            analysed.pruning_seed,
        );
        let train = data.train().first(examples);
        watch.seconds.fine_tune = 0.0;
        FineTuneJob {
            tuning: FineTuning::new(shells, settings.fine_tune_config(), train),
        }
    }

    /// Retrains batch by batch until `deadline` or the last retraining ends.
    pub fn step(
        &mut self,
        data: &RunData,
        watch: &mut Stopwatch,
        deadline: f64,
    ) -> Result<Progress, WorkbenchError> {
        loop {
            let step = self.tuning.step(1, data.test())?;
            let now = watch.lap(Some(Slot::FineTune));
            let job = Some(JobKind::FineTune);
            let mut progress = Progress::new(job, Stage::FineTune, step.done, step.total);
            if self.tuning.is_done() {
                progress.finished = job;
                return Ok(progress);
            }
            if now >= deadline {
                return Ok(progress);
            }
        }
    }

    pub fn finish(self) -> FineTuneSummary {
        self.tuning.into_summary()
    }
}

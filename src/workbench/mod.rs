//! The workbench owns a whole run: its data, the model and where it came from, the analysis,
//! the jobs after it and their results, and its own timings. Both doors drive it the same way:
//! `start` the jobs, then `step` until it is idle. `reproduce` steps with an unlimited budget;
//! the page's worker steps in chunks of a few tens of milliseconds, so it can pause and cancel
//! between them. A pool of helper threads takes part through `shares` and `accept`.
//!
//! ```text
//! Train ──▶ Analyse (Fisher, sweep, knee) ──▶ Eigen │ FineTune │ SoftFlow
//! ```
//!
//! Each job lives in its own file and knows nothing of the workbench: it gets the data, the
//! model and the stopwatch it needs, and hands back its progress and results.

mod analysing;
mod clock;
mod eigen_shells;
mod error;
mod fine_tuning;
mod on_threads;
mod progress;
mod settings;
mod soft_flow;
mod trained;
mod training;
pub mod view;

use std::collections::VecDeque;

pub use analysing::Analysed;
pub use clock::{Clock, EigenSeconds, Seconds};
pub use error::WorkbenchError;
pub use on_threads::{run_on_threads, LeadClock};
pub use progress::{EpochRecord, JobKind, Progress, Stage, TrainingStatus};
pub use settings::Settings;
pub use trained::{ModelRecord, ModelSource, TrainedModel};

use crate::data::manifest::Split;
use crate::data::run_data::{DataSummary, RunData};
use crate::data::shard::ShardError;
use crate::eigen::{EigenShells, EigenSummary, SymmetricEigen};
use crate::finetune::FineTuneSummary;
use crate::network::Network;
use crate::network_weights::network_from_safetensors;
use crate::pool::Share;
use crate::softflow::SoftFlowSummary;
use analysing::AnalysisJob;
use clock::{Slot, Stopwatch};
use eigen_shells::EigenJob;
use fine_tuning::FineTuneJob;
use soft_flow::SoftFlowJob;
use training::TrainJob;

/// The job running.
enum Job {
    Train(Box<TrainJob>),
    Analyse(Box<AnalysisJob>),
    Eigen(Box<EigenJob>),
    FineTune(Box<FineTuneJob>),
    SoftFlow(Box<SoftFlowJob>),
}

pub struct Workbench {
    settings: Settings,
    data: RunData,
    trained: Option<TrainedModel>,
    job: Option<Job>,
    queue: VecDeque<JobKind>,
    analysed: Option<Analysed>,
    eigen: Option<(EigenSummary, EigenShells)>,
    fine_tune: Option<FineTuneSummary>,
    soft_flow: Option<SoftFlowSummary>,
    watch: Stopwatch,
    /// Training runs started: a helper keeps a run's images under its number.
    runs: u64,
    solver: SymmetricEigen,
    /// Seconds spent decoding shards.
    decode_seconds: f64,
    /// The end of the chunk a step that did not report was in.
    chunk_deadline: Option<f64>,
}

impl Workbench {
    /// A workbench on `data`, timed by `clock`, decomposing the eigen-shells' blocks with `solver`.
    pub fn new(data: RunData, clock: Clock, solver: SymmetricEigen) -> Self {
        Workbench {
            settings: Settings::default(),
            data,
            trained: None,
            job: None,
            queue: VecDeque::new(),
            analysed: None,
            eigen: None,
            fine_tune: None,
            soft_flow: None,
            watch: Stopwatch::new(clock),
            runs: 0,
            solver,
            decode_seconds: 0.0,
            chunk_deadline: None,
        }
    }

    pub fn data(&self) -> &RunData {
        &self.data
    }

    /// Validates one downloaded shard and files it (`RunData::add_shard`), timing the work.
    pub fn add_shard(
        &mut self,
        split: Split,
        file: &str,
        bytes: &[u8],
    ) -> Result<usize, ShardError> {
        let started = self.watch.now();
        let added = self.data.add_shard(split, file, bytes);
        self.decode_seconds += self.watch.now() - started;
        added
    }

    /// What has arrived, and the seconds its decoding took.
    pub fn data_summary(&self) -> DataSummary {
        DataSummary {
            decode_seconds: self.decode_seconds,
            ..self.data.summary()
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Runs `jobs` in order with `settings`, replacing whatever was running (the last finished
    /// results stay until a job replaces them).
    pub fn start(&mut self, jobs: &[JobKind], settings: Settings) -> Result<(), WorkbenchError> {
        settings.check().map_err(WorkbenchError::Settings)?;
        // Jobs on the model held (imported weights, say) follow that model.
        let settings = match &self.trained {
            Some(trained) if !jobs.contains(&JobKind::Train) => {
                settings.fitted_to(trained.model.kind())
            }
            _ => settings,
        };
        if jobs.contains(&JobKind::Eigen) && jobs.contains(&JobKind::Analyse) {
            // Said now, not after training and the analysis the eigen-shells would refuse.
            eigen_shells::check_fisher(settings.model, settings.fisher_variant)?;
        }
        self.cancel();
        self.settings = settings;
        self.queue = jobs.iter().copied().collect();
        Ok(())
    }

    /// Works for about `budget` seconds, stopping early where `Progress` says. An error stops
    /// every job asked for; the results of earlier jobs stay.
    pub fn step(&mut self, budget: f64) -> Result<Progress, WorkbenchError> {
        let now = self.lap();
        // A step that did not report goes on with the same chunk.
        let deadline = self.chunk_deadline.take().unwrap_or(now + budget);
        let progress = self.step_until(deadline);
        match &progress {
            Ok(progress) if !progress.report => self.chunk_deadline = Some(deadline),
            Ok(_) => {}
            Err(_) => self.cancel(),
        }
        progress
    }

    fn step_until(&mut self, deadline: f64) -> Result<Progress, WorkbenchError> {
        if let Some(progress) = self.next_job()? {
            return Ok(progress);
        }
        let (data, watch) = (&self.data, &mut self.watch);
        let mut progress = match self.job.as_mut().expect("a job was just set") {
            Job::Train(job) => job.step(data, watch, deadline)?,
            Job::Analyse(job) => job.step(data, watch, deadline)?,
            Job::Eigen(job) => job.step(data, watch, deadline),
            Job::FineTune(job) => job.step(data, watch, deadline)?,
            Job::SoftFlow(job) => job.step(watch, deadline),
        };
        if progress.finished.is_some() {
            let job = self.job.take().expect("the job just stepped");
            self.finish(job);
        }
        progress.idle = !self.is_busy();
        Ok(progress)
    }

    /// Begins the next job asked for when none runs. `Some` when none can: every job has
    /// finished, or the next waits for data.
    fn next_job(&mut self) -> Result<Option<Progress>, WorkbenchError> {
        if self.job.is_some() {
            return Ok(None);
        }
        let Some(&kind) = self.queue.front() else {
            self.watch.stop();
            let mut progress = Progress::new(None, Stage::Idle, 0, 0);
            progress.idle = true;
            return Ok(Some(progress));
        };
        if let Some((needed, ready)) = self.missing_data(kind)? {
            // Waiting for data is not the job's time.
            self.watch.stop();
            return Ok(Some(Progress::new(
                Some(kind),
                Stage::Waiting,
                ready,
                needed,
            )));
        }
        self.job = Some(self.begin(kind)?);
        self.queue.pop_front();
        // Setting the job up is its time.
        self.lap();
        Ok(None)
    }

    /// The job `kind` set up on the current model and data.
    fn begin(&mut self, kind: JobKind) -> Result<Job, WorkbenchError> {
        let (settings, data, watch) = (&self.settings, &self.data, &mut self.watch);
        if kind == JobKind::Train {
            self.runs += 1;
            return Ok(Job::Train(Box::new(TrainJob::begin(
                settings, data, watch, self.runs,
            )?)));
        }
        let trained = self.trained.as_mut().ok_or(WorkbenchError::NoModel)?;
        if kind == JobKind::Analyse {
            if trained.record.test.is_none() {
                // Loaded weights are scored now that the test split is here.
                trained.record.test = Some(trained.model.score(data.test()));
            }
            let job = AnalysisJob::begin(settings, trained, watch)?;
            // Whatever was computed with the last analysis goes with it.
            (self.analysed, self.eigen, self.fine_tune, self.soft_flow) = (None, None, None, None);
            return Ok(Job::Analyse(Box::new(job)));
        }
        let examples = trained.record.training_examples();
        let autoencoder = || {
            (trained.model.autoencoder()).ok_or(WorkbenchError::Settings(format!(
                "{} is not available for the classifier yet: it runs on the autoencoder",
                job_name(Some(kind))
            )))
        };
        let analysed =
            (self.analysed.as_ref()).ok_or(WorkbenchError::NoAnalysis(job_name(Some(kind))))?;
        Ok(match kind {
            JobKind::Eigen => {
                let job = EigenJob::begin(&trained.model, analysed, data, self.solver, watch)?;
                self.eigen = None;
                Job::Eigen(Box::new(job))
            }
            JobKind::FineTune => {
                let examples = examples.unwrap_or(data.train_expected());
                self.fine_tune = None;
                let model = &trained.model;
                let job = FineTuneJob::begin(settings, model, analysed, data, examples, watch);
                Job::FineTune(Box::new(job))
            }
            JobKind::SoftFlow => {
                self.soft_flow = None;
                Job::SoftFlow(Box::new(SoftFlowJob::begin(
                    settings,
                    autoencoder()?,
                    analysed,
                    data,
                    watch,
                )))
            }
            JobKind::Train | JobKind::Analyse => unreachable!("begun above"),
        })
    }

    /// A finished job's results become the workbench's.
    fn finish(&mut self, job: Job) {
        match job {
            Job::Train(job) => self.set_model(job.finish(&self.data, &self.watch)),
            Job::Analyse(job) => self.analysed = Some(job.finish()),
            Job::Eigen(job) => self.eigen = job.finish(),
            Job::FineTune(job) => self.fine_tune = Some(job.finish()),
            Job::SoftFlow(job) => self.soft_flow = Some(job.finish()),
        }
    }

    /// What `kind` waits for, (needed, ready) training images: it reads the first `needed`
    /// training images and the whole test split.
    fn missing_data(&self, kind: JobKind) -> Result<Option<(usize, usize)>, WorkbenchError> {
        let of_model = || -> Result<usize, WorkbenchError> {
            let record = &(self.trained.as_ref().ok_or(WorkbenchError::NoModel))?.record;
            Ok(record
                .training_examples()
                .unwrap_or(self.data.train_expected()))
        };
        let fisher_split = match kind {
            JobKind::Eigen => self.analysed.as_ref().map(|a| a.config.fisher_split),
            _ => Some(self.settings.fisher_split),
        };
        let needed = match kind {
            JobKind::Train => training::training_subset(&self.settings, &self.data)?,
            JobKind::FineTune => of_model()?,
            JobKind::Analyse | JobKind::Eigen if fisher_split == Some(Split::Train) => of_model()?,
            _ => 0,
        };
        let ready = self.data.train().len();
        Ok((ready < needed || !self.data.test_complete()).then_some((needed, ready)))
    }

    /// The helpers' tasks for what the current job does next, one per helper; none when it has
    /// nothing to share now (or while the last tasks are out).
    pub fn shares(&mut self, helpers: usize) -> Result<Vec<Share<'_>>, WorkbenchError> {
        self.lap();
        // A job that is next begins here, so a pool shares its very first batch.
        match self.next_job() {
            Ok(None) => {}
            Ok(Some(_)) => return Ok(Vec::new()),
            Err(error) => {
                self.cancel();
                return Err(error);
            }
        }
        let (train, test) = (self.data.train(), self.data.test());
        let shared = match self.job.as_mut() {
            Some(Job::Train(job)) if helpers > 0 => job.share_next_batch(helpers)?,
            Some(Job::Analyse(job)) if helpers > 0 => job.share_next(helpers, train, test),
            _ => false,
        };
        // Setting a share up (the sweep's, say) is the job's time.
        self.lap();
        Ok(match self.job.as_ref() {
            Some(Job::Train(job)) if shared => job.tasks(),
            Some(Job::Analyse(job)) if shared => job.tasks(self.data.train(), self.data.test()),
            _ => Vec::new(),
        })
    }

    /// Helper `helper`'s result for the tasks of the last `shares`.
    pub fn accept(&mut self, helper: usize, result: &[u8]) -> Result<(), WorkbenchError> {
        self.lap();
        let (train, test) = (self.data.train(), self.data.test());
        let accepted = match self.job.as_mut() {
            Some(Job::Train(job)) => job.accept(helper, result),
            Some(Job::Analyse(job)) => job.accept(helper, result, train, test),
            _ => Err(WorkbenchError::Pool(
                "a helper's result arrived with no job waiting for it".into(),
            )),
        };
        self.lap();
        if accepted.is_err() {
            self.cancel();
        }
        accepted
    }

    /// Stops the clock until the next step.
    pub fn pause(&mut self) {
        self.lap();
        self.chunk_deadline = None;
        self.watch.stop();
    }

    /// Drops the running job and those after it; the last finished results stay.
    pub fn cancel(&mut self) {
        self.lap();
        self.job = None;
        self.chunk_deadline = None;
        self.queue.clear();
        self.watch.stop();
    }

    /// True while a job runs or waits to.
    pub fn is_busy(&self) -> bool {
        self.job.is_some() || !self.queue.is_empty()
    }

    /// Steps until every job asked for has finished, handing each step's progress to `report`.
    pub fn run_to_end(&mut self, mut report: impl FnMut(&Progress)) -> Result<(), WorkbenchError> {
        loop {
            let progress = self.step(f64::INFINITY)?;
            report(&progress);
            if progress.idle {
                return Ok(());
            }
            if progress.stage == Stage::Waiting {
                self.cancel();
                return Err(WorkbenchError::Data(format!(
                    "{} needs {} training images and the whole test split; {} training images are here",
                    job_name(progress.job),
                    progress.total,
                    progress.done
                )));
            }
        }
    }

    /// Makes the model in a safetensors file (named `name` in errors) the workbench's, as
    /// loaded weights. On any error nothing changes.
    pub fn import_weights(&mut self, name: &str, bytes: &[u8]) -> Result<(), WorkbenchError> {
        let model = self.checked_model(name, bytes)?;
        let record = ModelRecord {
            source: ModelSource::Loaded {
                weights: name.to_string(),
            },
            test: None,
            seconds: 0.0,
            examples_per_second: 0.0,
            parts: 1,
        };
        self.set_model(TrainedModel { model, record });
        Ok(())
    }

    /// Takes over another workbench's model from its weights file and record (a page whose
    /// worker died): the analysis and report are then what that one's would have been.
    pub fn restore(&mut self, bytes: &[u8], record: ModelRecord) -> Result<(), WorkbenchError> {
        let model = self.checked_model("the kept weights", bytes)?;
        self.set_model(TrainedModel { model, record });
        Ok(())
    }

    fn checked_model(&self, name: &str, bytes: &[u8]) -> Result<Network, WorkbenchError> {
        let model = network_from_safetensors(bytes)
            .map_err(|e| WorkbenchError::Weights(format!("{name}: {e}")))?;
        let pixels = self.data.input_dim();
        if model.input_dim() != pixels {
            return Err(WorkbenchError::Weights(format!(
                "{name}: the model takes {} pixels but the {} images have {pixels}",
                model.input_dim(),
                self.data.name()
            )));
        }
        let classes = self.data.classes();
        if let Some(outputs) = model.classifier().map(|c| c.classes()) {
            if outputs != classes {
                return Err(WorkbenchError::Weights(format!(
                    "{name}: the classifier tells {outputs} classes apart but the {} images have {classes}",
                    self.data.name()
                )));
            }
        }
        Ok(model)
    }

    /// A new model: everything computed on the last one is stale.
    fn set_model(&mut self, trained: TrainedModel) {
        self.trained = Some(trained);
        (self.analysed, self.eigen, self.fine_tune, self.soft_flow) = (None, None, None, None);
    }

    pub fn trained(&self) -> Option<&TrainedModel> {
        self.trained.as_ref()
    }

    pub fn analysed(&self) -> Option<&Analysed> {
        self.analysed.as_ref()
    }

    pub fn eigen(&self) -> Option<&(EigenSummary, EigenShells)> {
        self.eigen.as_ref()
    }

    pub fn fine_tune(&self) -> Option<&FineTuneSummary> {
        self.fine_tune.as_ref()
    }

    pub fn soft_flow(&self) -> Option<&SoftFlowSummary> {
        self.soft_flow.as_ref()
    }

    /// Each job's seconds; training's are the model's.
    pub fn seconds(&self) -> Seconds {
        Seconds {
            train: self.trained.as_ref().map_or(0.0, |t| t.record.seconds),
            ..self.watch.seconds
        }
    }

    /// The eigen-shells' seconds by stage.
    pub fn eigen_seconds(&self) -> EigenSeconds {
        self.watch.eigen
    }

    /// The analysed model for the main thread's `view::AnalysisView`.
    pub fn view_bytes(&self) -> Result<Vec<u8>, WorkbenchError> {
        let model = &self.trained.as_ref().ok_or(WorkbenchError::NoModel)?.model;
        let analysed = (self.analysed.as_ref()).ok_or(WorkbenchError::NoAnalysis("the charts"))?;
        Ok(view::view_bytes(model, analysed, self.data.test()))
    }

    /// The finished eigen-shells for `view::AnalysisView::set_eigen`.
    pub fn eigen_bytes(&self) -> Result<Vec<u8>, WorkbenchError> {
        let (summary, shells) =
            (self.eigen.as_ref()).ok_or(WorkbenchError::NoAnalysis("the eigen-shells' charts"))?;
        Ok(view::eigen_bytes(summary, shells))
    }

    /// Charges the time since the last lap to what the running job does; returns the time.
    fn lap(&mut self) -> f64 {
        let slot = self.job.as_ref().map(|job| match job {
            Job::Train(_) => Slot::Train,
            Job::Analyse(job) => job.slot(),
            Job::Eigen(job) => job.slot(),
            Job::FineTune(_) => Slot::FineTune,
            Job::SoftFlow(_) => Slot::SoftFlow,
        });
        self.watch.lap(slot)
    }
}

/// How the page and `reproduce` name a job in messages.
pub fn job_name(job: Option<JobKind>) -> &'static str {
    match job {
        Some(JobKind::Train) => "training",
        Some(JobKind::Analyse) => "the analysis",
        Some(JobKind::Eigen) => "the eigen-shells",
        Some(JobKind::FineTune) => "fine-tuning",
        Some(JobKind::SoftFlow) => "the soft flow",
        None => "nothing",
    }
}

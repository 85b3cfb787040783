//! The workbench both doors drive, against the core's pieces called directly: its results are
//! theirs bit for bit whether it runs in one call or in chunks, on one thread or with helpers
//! (computed here by the core's own `pool::Helper`, as the page's helper workers do); its clock
//! counts what it should; bad settings, missing data and broken helpers each give an error that
//! says what, and lose nothing already computed.
use bayes_renorm::network::Network;
use bayes_renorm::network_weights::network_to_safetensors;

use std::cell::Cell;
use std::rc::Rc;

use bayes_renorm::analysis::Analysis;
use bayes_renorm::data::files::read_manifest;
use bayes_renorm::data::manifest::Split;
use bayes_renorm::data::run_data::RunData;
use bayes_renorm::data::Dataset;
use bayes_renorm::eigen::faer_symmetric_eigen;
use bayes_renorm::model::Autoencoder;
use bayes_renorm::pool::Helper;
use bayes_renorm::report::Report;
use bayes_renorm::train::Trainer;
use bayes_renorm::weights::to_safetensors;
use bayes_renorm::workbench::{JobKind, ModelSource, Progress, Settings, Stage, Workbench};

use crate::common::synthetic_dataset;

/// A clock the test moves: each reading advances it by `tick` seconds.
#[derive(Clone)]
pub(crate) struct TestClock {
    now: Rc<Cell<f64>>,
    tick: f64,
}

impl TestClock {
    pub(crate) fn new(tick: f64) -> Self {
        TestClock {
            now: Rc::new(Cell::new(0.0)),
            tick,
        }
    }

    fn boxed(&self) -> Box<dyn Fn() -> f64> {
        let (now, tick) = (self.now.clone(), self.tick);
        Box::new(move || {
            now.set(now.get() + tick);
            now.get()
        })
    }

    fn advance(&self, seconds: f64) {
        self.now.set(self.now.get() + seconds);
    }
}

fn data() -> (Dataset, Dataset) {
    (
        synthetic_dataset(41, 2300, 5, 5),
        synthetic_dataset(42, 300, 5, 5),
    )
}

pub(crate) fn bench(clock: &TestClock) -> Workbench {
    let (train, test) = data();
    Workbench::new(
        RunData::whole("synthetic".into(), train, test, 10),
        clock.boxed(),
        faer_symmetric_eigen,
    )
}

pub(crate) fn settings() -> Settings {
    Settings {
        latent: 4,
        biases: true,
        epochs: 2,
        batch: 200,
        // A setting whose small model keeps live units (its Fisher is not all zero).
        lr: 1e-2,
        seed: 3,
        subset: Some(2100),
        grid_points: 12,
        random_seeds: 2,
        eval: Some(250),
        fine_tune_epochs: 1,
        fine_tune_at: vec![0.5],
        soft_samples: 2,
        ..Settings::default()
    }
}

/// Steps to the end with `budget` as the page's worker does (www/run-in-chunks.js): tasks are
/// shared when none are out, computed by in-process helpers, and accepted when the step awaits
/// them.
pub(crate) fn run(bench: &mut Workbench, budget: f64, helpers: usize) -> Vec<Progress> {
    let mut pool: Vec<Helper> = (0..helpers).map(|_| Helper::new()).collect();
    let mut out: Option<Vec<Vec<u8>>> = None;
    let mut seen = Vec::new();
    for _ in 0..1_000_000 {
        if out.is_none() {
            let tasks: Vec<Vec<u8>> = (bench.shares(helpers).unwrap().iter())
                .map(|share| share.to_vec())
                .collect();
            if !tasks.is_empty() {
                let results = (tasks.into_iter().zip(&mut pool))
                    .map(|(task, helper)| helper.run(task).unwrap())
                    .collect();
                out = Some(results);
            }
        }
        let progress = bench.step(budget).unwrap();
        if progress.awaiting_helpers {
            let results = out.take().expect("the step awaits tasks that were shared");
            for (i, result) in results.iter().enumerate() {
                bench.accept(i, result).unwrap();
            }
        }
        let idle = progress.idle;
        if progress.report {
            seen.push(progress);
        }
        if idle {
            assert!(out.is_none(), "every shared task was awaited");
            return seen;
        }
    }
    panic!("the workbench never became idle");
}

pub(crate) fn weights(bench: &Workbench) -> Vec<u8> {
    network_to_safetensors(&bench.trained().unwrap().model).unwrap()
}

/// Training and analysis straight from the core's pieces, on one thread.
fn reference(s: &Settings) -> (Network, bayes_renorm::analysis::AnalysisResult) {
    let (train, test) = data();
    let examples = train.first(s.subset.unwrap());
    let mut trainer = Trainer::from_seed(examples, s.latent, s.biases, s.train_config()).unwrap();
    trainer.step(usize::MAX).unwrap();
    let (model, examples) = trainer.into_parts();
    let config = s.analysis_config(Some(examples.len()));
    let result = Analysis::new(&model, config).run(&examples, &test);
    (model, result)
}

#[test]
fn one_call_or_many_chunks_give_the_core_pieces_numbers_bit_for_bit() {
    let s = settings();
    let (model, result) = reference(&s);
    for budget in [f64::INFINITY, 0.0] {
        let clock = TestClock::new(1e-3);
        let mut bench = bench(&clock);
        bench
            .start(&[JobKind::Train, JobKind::Analyse], s.clone())
            .unwrap();
        let steps = run(&mut bench, budget, 0);
        assert_eq!(bench.trained().unwrap().model, model, "budget {budget}");
        let analysed = &bench.analysed().unwrap().result;
        assert_eq!(analysed.rows, result.rows);
        assert_eq!(analysed.fisher, result.fisher);
        assert_eq!(analysed.knee, result.knee);
        // In chunks, the step stops after every unit: each batch, Fisher batch and cutoff.
        if budget == 0.0 {
            let batches = 2 * 2100usize.div_ceil(200);
            assert!(steps.len() > batches + 3 + 12, "{} steps", steps.len());
        }
        let epochs: Vec<usize> = steps
            .iter()
            .filter_map(|p| p.epoch.as_ref())
            .map(|e| e.epoch)
            .collect();
        assert_eq!(epochs, vec![0, 1], "each epoch reported once, in order");
        let rows: usize = steps.iter().map(|p| p.rows.len()).sum();
        assert_eq!(rows, result.rows.len(), "each sweep row reported once");
        let finished: Vec<JobKind> = steps.iter().filter_map(|p| p.finished).collect();
        assert_eq!(finished, vec![JobKind::Train, JobKind::Analyse]);
    }
}

#[test]
fn with_helpers_the_fisher_and_the_sweep_are_the_single_threads_bit_for_bit() {
    let s = settings();
    let (model, _) = reference(&s);
    let bytes = network_to_safetensors(&model).unwrap();
    for helpers in [1, 2, 3] {
        let clock = TestClock::new(1e-3);
        let mut bench = bench(&clock);
        bench.import_weights("reference", &bytes).unwrap();
        let settings = Settings {
            // The imported model averages its Fisher over every training image.
            subset: None,
            ..s.clone()
        };
        bench.start(&[JobKind::Analyse], settings.clone()).unwrap();
        run(&mut bench, 0.0, helpers);
        let pooled = &bench.analysed().unwrap().result;
        let (train, test) = data();
        let config = settings.analysis_config(None);
        let alone = Analysis::new(&model, config).run(&train, &test);
        assert_eq!(pooled.fisher, alone.fisher, "{helpers} helpers");
        assert_eq!(pooled.rows, alone.rows, "{helpers} helpers");
        assert_eq!(pooled.knee, alone.knee, "{helpers} helpers");
        assert_eq!(
            pooled.fisher.examples(),
            2300,
            "an imported model's Fisher: every image"
        );
    }
}

#[test]
fn with_helpers_training_is_the_parts_summed_in_order_and_reproducible() {
    let s = settings();
    for helpers in [1, 2] {
        // The core's pieces: every batch in helpers + 1 parts, computed and summed in order.
        let (train, _) = data();
        let examples = train.first(2100);
        let mut trainer = Trainer::from_seed(examples.clone(), 4, true, s.train_config()).unwrap();
        while !trainer.is_finished() {
            let rows = trainer.next_batch_parts(helpers + 1);
            let batch_rows = rows.iter().map(|r| r.len()).sum();
            let parts = (rows.iter())
                .map(|r| trainer.model().gradient_part(&examples, r, batch_rows))
                .collect();
            trainer.train_batch_from_parts(parts).unwrap();
        }
        let mut digests = Vec::new();
        for _ in 0..2 {
            let clock = TestClock::new(1e-3);
            let mut bench = bench(&clock);
            bench.start(&[JobKind::Train], s.clone()).unwrap();
            run(&mut bench, 1.0, helpers);
            assert_eq!(
                &bench.trained().unwrap().model,
                trainer.model(),
                "{helpers} helpers"
            );
            assert_eq!(bench.trained().unwrap().record.parts, helpers + 1);
            digests.push(weights(&bench));
        }
        assert_eq!(digests[0], digests[1], "{helpers} helpers twice");
    }
}

#[test]
fn the_clock_counts_the_time_between_steps_but_not_a_pause() {
    let s = Settings {
        epochs: 4,
        ..settings()
    };
    let clock = TestClock::new(0.0);
    let mut bench = bench(&clock);
    bench.start(&[JobKind::Train], s.clone()).unwrap();
    let mut steps = 0;
    loop {
        clock.advance(0.5); // the time a chunk takes, between two readings
        let progress = bench.step(0.1).unwrap();
        steps += 1;
        if steps == 3 {
            bench.pause();
            clock.advance(1000.0); // paused: not the run's time
        }
        if progress.idle {
            break;
        }
    }
    // This clock stands still while the workbench works, so a step with an unreached budget
    // runs to the epoch's end: one step per epoch.
    assert_eq!(steps, 4);
    let seconds = bench.trained().unwrap().record.seconds;
    // The 0.5 s before steps 2 and 3; not before step 1 (the clock starts there) nor step 4
    // (the pause's).
    assert!((seconds - 1.0).abs() < 1e-9, "{seconds} s");
    assert_eq!(bench.seconds().train, seconds);
}

#[test]
fn the_later_jobs_run_after_the_analysis_and_the_report_holds_them() {
    let clock = TestClock::new(1e-3);
    let mut bench = bench(&clock);
    let jobs = [
        JobKind::Train,
        JobKind::Analyse,
        JobKind::Eigen,
        JobKind::FineTune,
        JobKind::SoftFlow,
    ];
    bench.start(&jobs, settings()).unwrap();
    let steps = run(&mut bench, 0.0, 0);
    let finished: Vec<JobKind> = steps.iter().filter_map(|p| p.finished).collect();
    assert_eq!(finished, jobs);
    let stages: Vec<Stage> = steps.iter().map(|p| p.stage).collect();
    for stage in [
        Stage::Blocks,
        Stage::Decompose,
        Stage::EigenSweep,
        Stage::FineTune,
        Stage::SoftFlow,
    ] {
        assert!(stages.contains(&stage), "{stage:?}");
    }
    let report: serde_json::Value =
        serde_json::from_str(&Report::of(&bench).unwrap().to_json()).unwrap();
    assert_eq!(report["fine_tune"]["points"].as_array().unwrap().len(), 1);
    assert_eq!(report["soft_flow"]["seed"], 3);
    assert_eq!(report["soft_flow"]["samples"], 2);
    // α defaults to the initialisation's precision, 3 · n.
    assert_eq!(report["soft_flow"]["alpha"], 75.0);
    assert!(report["eigen"]["rows"].as_array().unwrap().len() > 3);
    let seconds = bench.seconds();
    assert!(seconds.train > 0.0 && seconds.fisher > 0.0 && seconds.sweep > 0.0);
    assert!(seconds.eigen > 0.0 && seconds.fine_tune > 0.0 && seconds.soft_flow > 0.0);
    let stages = bench.eigen_seconds();
    let sum = stages.blocks + stages.decompose + stages.sweep + stages.refine;
    assert!(
        (sum - seconds.eigen).abs() < 1e-9,
        "{sum} vs {}",
        seconds.eigen
    );
}

#[test]
fn a_job_without_what_it_needs_says_so_and_a_new_model_drops_the_old_analysis() {
    let clock = TestClock::new(1e-3);
    let mut bench = bench(&clock);
    bench.start(&[JobKind::Analyse], settings()).unwrap();
    let error = bench.step(1.0).unwrap_err().to_string();
    assert_eq!(error, "no model has been trained or imported yet");
    assert!(!bench.is_busy(), "an error stops the jobs");

    bench
        .start(&[JobKind::Train, JobKind::Eigen], settings())
        .unwrap();
    let error = loop {
        match bench.step(f64::INFINITY) {
            Ok(progress) => assert!(!progress.idle),
            Err(error) => break error.to_string(),
        }
    };
    assert_eq!(
        error,
        "the eigen-shells cannot run before the Fisher and the sweep"
    );
    assert!(bench.trained().is_some(), "the trained model is kept");

    bench.start(&[JobKind::Analyse], settings()).unwrap();
    run(&mut bench, f64::INFINITY, 0);
    assert!(bench.analysed().is_some());
    let other = to_safetensors(&Autoencoder::<f32>::init(25, 3, false, 1)).unwrap();
    bench.import_weights("other.safetensors", &other).unwrap();
    assert!(
        bench.analysed().is_none(),
        "the analysis was of the last model"
    );
}

#[test]
fn bad_settings_are_refused_by_name_before_anything_changes() {
    let clock = TestClock::new(1e-3);
    let mut bench = bench(&clock);
    for (settings, says) in [
        (
            Settings {
                batch: 0,
                ..settings()
            },
            "batch must be at least 1",
        ),
        (
            Settings {
                lr: f32::NAN,
                ..settings()
            },
            "lr must be at least",
        ),
        (
            Settings {
                fine_tune_at: vec![1.5],
                ..settings()
            },
            "fine-tune-at must be fractions",
        ),
        (
            Settings {
                schemes: vec![],
                ..settings()
            },
            "schemes must include fisher",
        ),
        (
            Settings {
                subset: Some(0),
                ..settings()
            },
            "subset must be at least 1",
        ),
    ] {
        let error = bench
            .start(&[JobKind::Train], settings)
            .unwrap_err()
            .to_string();
        assert!(error.contains(says), "{error}");
    }
    // A subset larger than the split means all of it, as the sweep's eval does (the page's
    // default of 60,000 on a smaller data set).
    bench
        .start(
            &[JobKind::Train],
            Settings {
                subset: Some(99_999),
                ..settings()
            },
        )
        .unwrap();
    bench.run_to_end(|_| {}).unwrap();
    let source = &bench.trained().unwrap().record.source;
    assert!(
        matches!(source, ModelSource::Trained { examples: 2300, .. }),
        "{source:?}"
    );

    // The page's settings object: an unknown key is an error, never silently dropped.
    let page = serde_json::json!({"latent": 20, "workers": 2});
    let error = serde_json::from_value::<Settings>(page)
        .unwrap_err()
        .to_string();
    assert!(error.contains("unknown field `workers`"), "{error}");
    let page = serde_json::json!({"soft-alpha": "init", "fisher-split": "test", "eval": 10});
    let parsed: Settings = serde_json::from_value(page).unwrap();
    assert_eq!(
        (parsed.soft_alpha, parsed.fisher_split, parsed.eval),
        (None, Split::Test, Some(10))
    );
    let page = serde_json::json!({"soft-alpha": "big"});
    let error = serde_json::from_value::<Settings>(page)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("soft-alpha is a number or 'init'"),
        "{error}"
    );
}

#[test]
fn weights_for_other_images_are_refused_by_name_and_change_nothing() {
    let clock = TestClock::new(1e-3);
    let mut bench = bench(&clock);
    bench.start(&[JobKind::Train], settings()).unwrap();
    run(&mut bench, f64::INFINITY, 0);
    let before = weights(&bench);
    let mnist = to_safetensors(&Autoencoder::<f32>::init(784, 20, false, 1)).unwrap();
    let error = bench
        .import_weights("mnist.safetensors", &mnist)
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "mnist.safetensors: the model takes 784 pixels but the synthetic images have 25"
    );
    let error = bench
        .import_weights("junk.safetensors", b"not weights")
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("junk.safetensors: "), "{error}");
    assert_eq!(weights(&bench), before);
}

#[test]
fn a_kept_model_restored_elsewhere_gives_the_same_report() {
    let clock = TestClock::new(1e-3);
    let mut first = bench(&clock);
    first
        .start(&[JobKind::Train, JobKind::Analyse], settings())
        .unwrap();
    run(&mut first, f64::INFINITY, 0);
    let record = first.trained().unwrap().record.clone();
    let mut second = bench(&clock);
    second.restore(&weights(&first), record).unwrap();
    second.start(&[JobKind::Analyse], settings()).unwrap();
    run(&mut second, f64::INFINITY, 0);
    let without_seconds = |bench: &Workbench| {
        let mut report: serde_json::Value =
            serde_json::from_str(&Report::of(bench).unwrap().to_json()).unwrap();
        report["seconds"] = serde_json::Value::Null;
        report
    };
    assert_eq!(without_seconds(&first), without_seconds(&second));
}

#[test]
fn a_broken_helper_result_stops_the_job_and_keeps_the_last_model() {
    let clock = TestClock::new(1e-3);
    let mut bench = bench(&clock);
    bench.start(&[JobKind::Train], settings()).unwrap();
    run(&mut bench, f64::INFINITY, 0);
    let before = weights(&bench);
    bench
        .start(
            &[JobKind::Train],
            Settings {
                seed: 4,
                ..settings()
            },
        )
        .unwrap();
    assert_eq!(bench.shares(1).unwrap().len(), 1);
    let progress = bench.step(1.0).unwrap();
    assert!(progress.awaiting_helpers);
    let error = bench.accept(0, &[1, 2, 3]).unwrap_err().to_string();
    assert!(error.starts_with("a helper's result: "), "{error}");
    assert!(!bench.is_busy());
    assert_eq!(weights(&bench), before, "the last finished model stays");
    // A helper asked for a run whose images it never got says so.
    let model = Autoencoder::<f32>::init(25, 4, true, 1);
    let task = bayes_renorm::pool::gradient_task(7, &model, &[0, 1], 2, None).to_vec();
    let error = Helper::new().run(task).unwrap_err().to_string();
    assert_eq!(
        error,
        "a gradient task: this helper does not hold run 7's images"
    );
}

#[test]
fn a_job_waits_for_its_shards_and_goes_on_when_they_arrive() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data/mnist");
    let manifest = read_manifest(&dir).unwrap();
    let shard = |split: Split, index: usize| {
        let entry = &manifest.shards(split)[index];
        (
            entry.file.clone(),
            std::fs::read(dir.join(&entry.file)).unwrap(),
        )
    };
    let clock = TestClock::new(1e-3);
    let mut bench = Workbench::new(
        RunData::from_manifest(manifest.clone()),
        clock.boxed(),
        faer_symmetric_eigen,
    );
    let s = Settings {
        subset: Some(6000),
        epochs: 1,
        ..Settings::default()
    };
    bench.start(&[JobKind::Train], s).unwrap();
    let progress = bench.step(1.0).unwrap();
    assert_eq!(
        (progress.stage, progress.done, progress.total),
        (Stage::Waiting, 0, 6000)
    );
    for (split, index) in [(Split::Train, 1), (Split::Test, 0), (Split::Test, 1)] {
        let (file, bytes) = shard(split, index);
        bench.add_shard(split, &file, &bytes).unwrap();
        let progress = bench.step(1.0).unwrap();
        assert_eq!(progress.stage, Stage::Waiting, "train-00 is still missing");
    }
    let (file, bytes) = shard(Split::Train, 0);
    bench.add_shard(Split::Train, &file, &bytes).unwrap();
    let progress = bench.step(1.0).unwrap();
    assert_eq!(progress.stage, Stage::Training);
    let error = bench
        .add_shard(Split::Train, "nonsense.shard", &bytes)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "shard nonsense.shard is not in the manifest"
    );
}

#[test]
fn the_pages_parameter_table_has_the_workbenchs_defaults_and_keys() {
    // www/state.js's defaults, and its authors' preset, as the page sends them.
    let script = r#"
        import('./www/state.js').then(({ PRESETS, settingsOf }) => console.log(JSON.stringify(
          { paper: settingsOf(PRESETS.paper), authors: settingsOf(PRESETS.authors) })));
    "#;
    let output = std::process::Command::new("node")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["--input-type=module", "-e", script])
        .output()
        .expect("node runs (scripts/setup.sh installs it)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let page: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    // Every key the page sends is a setting (unknown keys are refused) ...
    let paper: Settings = serde_json::from_value(page["paper"].clone()).unwrap();
    let authors: Settings = serde_json::from_value(page["authors"].clone()).unwrap();
    // ... and the page's defaults are the workbench's, but for the data's size, which the page
    // spells out (MNIST's 60,000 training and 10,000 test images) and the CLI leaves open.
    let spelled = |s: Settings| Settings {
        subset: Some(60_000),
        eval: s.eval.or(Some(10_000)),
        ..s
    };
    assert_eq!(paper, spelled(Settings::default()));
    assert_eq!(authors, spelled(Settings::authors()));
}

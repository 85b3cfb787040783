//! `reproduce`: the paper end to end, natively. Trains the autoencoder (or loads `--weights`),
//! computes the diagonal Fisher, sweeps the cutoff Λ for Fisher, random and magnitude pruning, and
//! prints one JSON report on stdout (schema in README.md). Progress goes to stderr.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use bayes_renorm::adam::AdamConfig;
use bayes_renorm::analysis::{Analysis, AnalysisConfig, AnalysisProgress, AnalysisResult, Grid};
use bayes_renorm::data::files::{load_split, read_file};
use bayes_renorm::data::manifest::Split;
use bayes_renorm::data::Dataset;
use bayes_renorm::eigen::EigenRun;
use bayes_renorm::finetune::{FineTuneConfig, FineTuning};
use bayes_renorm::fisher::FisherVariant;
use bayes_renorm::model::Autoencoder;
use bayes_renorm::prune::dataset_mse;
use bayes_renorm::prune::Shells;
use bayes_renorm::report::{
    fisher_npy, fisher_safetensors, FineTuneSummary, ModelSource, Report, Seconds, SoftFlowSummary,
};
use bayes_renorm::softflow::{evidence_grid, SoftFlow, SoftFlowConfig, SoftFlowPoint};
use bayes_renorm::sweep::Baselines;
use bayes_renorm::train::{TrainConfig, Trainer};
use bayes_renorm::weights::{from_safetensors, to_safetensors};

const USAGE: &str = "\
usage: reproduce [options] > report.json

data and model
  --data DIR              shard directory (with manifest.json) or IDX directory [www/data/mnist]
  --weights FILE          load trained weights (safetensors) instead of training
  --latent M              latent width m [20]
  --subset N              train (and take the training-split Fisher) on the first N training
                          images, as the page's #subset control does [all]
  --biases                give both layers biases (the authors' released code)
training (paper defaults)
  --epochs N [10]  --batch N [1000]  --lr F [0.001]  --seed S [42]
Fisher
  --fisher-split train|test        examples the Fisher averages over [train]
  --fisher-variant regression|empirical                              [regression]
sweep
  --grid log|paper        40 log-spaced cutoffs over the Fisher range, or 0, 0.125, ..., 2.375 [log]
  --grid-points N         points of the log grid [40]
  --random-seeds K        random-pruning repetitions [3]
  --schemes LIST          removal orders to sweep, from fisher,random,magnitude,saliency;
                          fisher always runs (it defines Λ) [all four]
  --eval-examples N       score on the first N test images [all]
  --tolerance F           relative MSE tolerance that defines the knee Λ* [0.01]
  --authors-setup         the authors' released configuration: --biases --fisher-split test
                          --grid paper --eval-examples 10
outputs
  --write-fisher FILE     the full Fisher diagonal: .npy (flat: E, D, b_E, b_D, row-major) or
                          .safetensors (one tensor per parameter, weight key names)
  --write-weights FILE    the trained weights (safetensors)
beyond the paper (README)
  --eigen                 Fisher eigen-shells: each encoder row's 784 x 784 Fisher block, its
                          eigendecomposition, and the test MSE with the fewest-information
                          directions removed, at the sweep's counts
  --fine-tune K           retrain the kept weights for K epochs after pruning, every scheme
  --fine-tune-at LIST     at these fractions of the encoder removed [0.6,0.75,0.9]
  --soft-flow             the posterior flow of eq. 38-39 from all the Fisher's evidence to none
  --soft-flow-alpha A     prior precision α [3·input_dim]; 0 is eq. 38 as written
  --soft-flow-samples K   posterior draws per evidence level [16]
";

struct Options {
    data: PathBuf,
    weights: Option<PathBuf>,
    latent: usize,
    subset: Option<usize>,
    biases: bool,
    train: TrainConfig,
    fisher_split: Split,
    fisher_variant: FisherVariant,
    grid: Grid,
    grid_points: usize,
    random_seeds: u64,
    /// Baselines to sweep beside Fisher: random, magnitude, saliency.
    schemes: [bool; 3],
    eval_examples: Option<usize>,
    tolerance: f64,
    write_fisher: Option<PathBuf>,
    write_weights: Option<PathBuf>,
    /// Beyond the paper: retrain for this many epochs after pruning, at these fractions removed.
    fine_tune: Option<usize>,
    fine_tune_at: Vec<f64>,
    soft_flow: bool,
    eigen: bool,
    soft_flow_alpha: Option<f64>,
    soft_flow_samples: usize,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        data: PathBuf::from("www/data/mnist"),
        weights: None,
        latent: 20,
        subset: None,
        biases: false,
        train: TrainConfig::default(),
        fisher_split: Split::Train,
        fisher_variant: FisherVariant::Regression,
        grid: Grid::Log,
        grid_points: 40,
        random_seeds: 3,
        schemes: [true; 3],
        eval_examples: None,
        tolerance: 0.01,
        write_fisher: None,
        write_weights: None,
        fine_tune: None,
        fine_tune_at: vec![0.6, 0.75, 0.9],
        soft_flow: false,
        eigen: false,
        soft_flow_alpha: None,
        soft_flow_samples: 16,
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{flag} needs a value"))
                .map(String::as_str)
        };
        match flag.as_str() {
            "--data" => o.data = value()?.into(),
            "--weights" => o.weights = Some(value()?.into()),
            "--latent" => o.latent = number(flag, value()?, 1.0)?,
            "--subset" => o.subset = Some(number(flag, value()?, 1.0)?),
            "--biases" => o.biases = true,
            "--epochs" => o.train.epochs = number(flag, value()?, 0.0)?,
            "--batch" => o.train.batch_size = number(flag, value()?, 1.0)?,
            "--lr" => {
                o.train.adam = AdamConfig {
                    lr: number(flag, value()?, f32::MIN_POSITIVE as f64)?,
                    ..o.train.adam
                }
            }
            "--seed" => o.train.seed = number(flag, value()?, 0.0)?,
            "--fisher-split" => {
                o.fisher_split = match value()? {
                    "train" => Split::Train,
                    "test" => Split::Test,
                    other => return Err(format!("--fisher-split: train or test, not '{other}'")),
                }
            }
            "--fisher-variant" => {
                o.fisher_variant = match value()? {
                    "regression" => FisherVariant::Regression,
                    "empirical" => FisherVariant::Empirical,
                    other => {
                        return Err(format!(
                            "--fisher-variant: regression or empirical, not '{other}'"
                        ))
                    }
                }
            }
            "--grid" => {
                o.grid = match value()? {
                    "paper" => Grid::Paper,
                    "log" => Grid::Log,
                    other => return Err(format!("--grid: log or paper, not '{other}'")),
                }
            }
            "--grid-points" => o.grid_points = number(flag, value()?, 2.0)?,
            "--random-seeds" => o.random_seeds = number(flag, value()?, 1.0)?,
            "--schemes" => o.schemes = schemes(value()?)?,
            "--eval-examples" => o.eval_examples = Some(number(flag, value()?, 1.0)?),
            "--tolerance" => o.tolerance = number(flag, value()?, 0.0)?,
            "--authors-setup" => {
                let authors = AnalysisConfig::authors(0, 0);
                o.biases = true;
                o.fisher_split = authors.fisher_split;
                o.grid = authors.grid;
                o.eval_examples = authors.eval_examples;
            }
            "--write-fisher" => o.write_fisher = Some(value()?.into()),
            "--write-weights" => o.write_weights = Some(value()?.into()),
            "--fine-tune" => o.fine_tune = Some(number(flag, value()?, 1.0)?),
            "--fine-tune-at" => o.fine_tune_at = fractions(flag, value()?)?,
            "--soft-flow" => o.soft_flow = true,
            "--eigen" => o.eigen = true,
            "--soft-flow-alpha" => o.soft_flow_alpha = Some(number(flag, value()?, 0.0)?),
            "--soft-flow-samples" => o.soft_flow_samples = number(flag, value()?, 1.0)?,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown option '{other}'")),
        }
    }
    Ok(o)
}

/// `--schemes`: which of random, magnitude and saliency to sweep (Fisher always runs).
fn schemes(list: &str) -> Result<[bool; 3], String> {
    let names: Vec<&str> = list.split(',').map(str::trim).collect();
    if let Some(unknown) = names
        .iter()
        .find(|n| !["fisher", "random", "magnitude", "saliency"].contains(n))
    {
        return Err(format!(
            "--schemes: '{unknown}' is not one of fisher, random, magnitude, saliency"
        ));
    }
    if !names.contains(&"fisher") {
        return Err("--schemes must include fisher: its order defines the cutoff Λ".into());
    }
    Ok(["random", "magnitude", "saliency"].map(|n| names.contains(&n)))
}

/// A comma-separated list of fractions in [0, 1].
fn fractions(flag: &str, list: &str) -> Result<Vec<f64>, String> {
    list.split(',')
        .map(|text| {
            let value: f64 = number(flag, text.trim(), 0.0)?;
            if value > 1.0 {
                return Err(format!("{flag}: {text} is not a fraction in [0, 1]"));
            }
            Ok(value)
        })
        .collect()
}

/// Parses a number of type T that is finite and at least `min`.
fn number<T: std::str::FromStr>(flag: &str, text: &str, min: f64) -> Result<T, String> {
    let invalid = || format!("{flag}: '{text}' is not a valid value");
    let as_f64: f64 = text.parse().map_err(|_| invalid())?;
    if !(as_f64.is_finite() && as_f64 >= min) {
        return Err(format!("{flag}: {text} is out of range (at least {min})"));
    }
    text.parse().map_err(|_| invalid())
}

fn progress(message: &str) {
    eprintln!("reproduce: {message}");
}

fn run(o: Options) -> Result<Report, String> {
    let load = |split: Split| {
        load_split(&o.data, split).map_err(|e| format!("loading the {} split: {e}", split.name()))
    };
    let test = load(Split::Test)?;
    let needs_train =
        o.weights.is_none() || o.fisher_split == Split::Train || o.fine_tune.is_some();
    let mut train = if needs_train {
        let all = load(Split::Train)?;
        match o.subset {
            Some(count) if count < all.len() => all.first(count),
            _ => all,
        }
    } else {
        Dataset::default()
    };
    let n = test.pixels_per_example();

    // 1. Train, or load weights.
    let started = Instant::now();
    let (model, epoch_losses) = match &o.weights {
        Some(path) => {
            let bytes = read_file(path).map_err(|e| e.to_string())?;
            let model = from_safetensors(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
            if model.input_dim() != n {
                return Err(format!(
                    "{}: the model takes {} pixels but the data has {n}",
                    path.display(),
                    model.input_dim()
                ));
            }
            (model, Vec::new())
        }
        None => {
            // The trainer owns the training set while it runs and hands it back for the Fisher.
            let data = std::mem::take(&mut train);
            let mut trainer =
                Trainer::from_seed(data, o.latent, o.biases, o.train).map_err(|e| e.to_string())?;
            while !trainer.is_finished() {
                let p = trainer
                    .step(trainer.batches_per_epoch())
                    .map_err(|e| e.to_string())?;
                progress(&format!(
                    "epoch {}/{}: train loss {:.6}",
                    p.epoch,
                    p.epochs,
                    p.epoch_losses.last().copied().unwrap_or(f64::NAN)
                ));
            }
            let losses = trainer.progress().epoch_losses;
            let (model, data) = trainer.into_parts();
            train = data;
            (model, losses)
        }
    };
    let train_seconds = started.elapsed().as_secs_f64();
    let test_mse = dataset_mse(&model, &test, 1000);
    progress(&format!("test MSE {test_mse:.6}"));

    // 2. Fisher diagonal, then 3. the sweep, as the page's worker runs them.
    let config = AnalysisConfig {
        fisher_split: o.fisher_split,
        fisher_examples: None,
        fisher_variant: o.fisher_variant,
        grid: o.grid,
        grid_points: o.grid_points,
        baselines: Baselines {
            random_seeds: match o.schemes[0] {
                true => (0..o.random_seeds).map(|i| o.train.seed + i).collect(),
                false => Vec::new(),
            },
            magnitude: o.schemes[1],
            saliency: o.schemes[2],
        },
        eval_examples: o.eval_examples,
        tolerance: o.tolerance,
    };
    let mut analysis = Analysis::new(&model, config.clone());
    let mut seconds = Seconds {
        train: train_seconds,
        ..Seconds::default()
    };
    let mut started = Instant::now();
    loop {
        match analysis.step(&train, &test) {
            AnalysisProgress::Fisher { done, total } if done == total => {
                seconds.fisher = started.elapsed().as_secs_f64();
                started = Instant::now();
                progress(&format!(
                    "Fisher over {total} {} examples; sweep:",
                    o.fisher_split.name()
                ));
                progress(&format!(
                    "{:>12} {:>8} {:>7} {:>11} {:>21} {:>11} {:>11}",
                    "cutoff Λ",
                    "removed",
                    "%",
                    "Fisher MSE",
                    "random MSE (± std)",
                    "magnitude",
                    "saliency"
                ));
            }
            AnalysisProgress::Fisher { .. } => {}
            AnalysisProgress::Sweep { row, .. } => {
                // A baseline the sweep did not run prints as a dash.
                let cell = |v: Option<f64>, width: usize| {
                    v.map_or(format!("{:>width$}", "-"), |v| format!("{v:>width$.6}"))
                };
                let random = match (row.random_mse_mean, row.random_mse_std) {
                    (Some(mean), Some(std)) => format!("{mean:>11.6} ± {std:>8.6}"),
                    _ => format!("{:>21}", "-"),
                };
                progress(&format!(
                    "{:>12.4e} {:>8} {:>7.2} {:>11.6} {random} {} {}",
                    row.cutoff,
                    row.removed,
                    100.0 * row.fraction,
                    row.fisher_mse,
                    cell(row.magnitude_mse, 11),
                    cell(row.saliency_mse, 11),
                ))
            }
            AnalysisProgress::Done => break,
        }
        if analysis.is_done() {
            break;
        }
    }
    seconds.sweep = started.elapsed().as_secs_f64();
    let result = analysis
        .into_result()
        .expect("the loop ran the analysis to the end");
    progress(&format!(
        "on {} test images: unpruned MSE {:.6}; Fisher encoder mean {:.4}, all-parameter mean {:.4}",
        result.eval_examples,
        result.unpruned_mse,
        result.stats.encoder.mean,
        result.stats.all_parameters.mean
    ));
    progress(&match &result.knee {
        Some(k) => format!(
            "information scale Λ* = {:.4e}: {} weights ({:.1} %) removed within {} % of the unpruned MSE",
            k.cutoff,
            k.removed,
            100.0 * k.fraction,
            100.0 * o.tolerance
        ),
        None => "no grid cutoff keeps the MSE within tolerance".to_string(),
    });

    // 4. Files.
    if let Some(path) = &o.write_weights {
        let bytes = to_safetensors(&model).map_err(|e| e.to_string())?;
        write(path, &bytes)?;
    }
    if let Some(path) = &o.write_fisher {
        let bytes = if path.extension().is_some_and(|e| e == "npy") {
            fisher_npy(&result.fisher)
        } else {
            fisher_safetensors(&result.fisher).map_err(|e| e.to_string())?
        };
        write(path, &bytes)?;
    }

    let source = match &o.weights {
        Some(path) => ModelSource::Loaded {
            weights: path.display().to_string(),
        },
        None => ModelSource::Trained {
            config: o.train,
            examples: train.len(),
            epoch_losses,
        },
    };
    let data = o.data.display().to_string();
    let mut report = Report::new(data, &model, &source, test_mse, &config, &result, seconds);
    beyond_the_paper(&o, &model, &result, train, &test, &mut report)?;
    Ok(report)
}

/// Fine-tuning after pruning and the soft flow, when asked for (README, "Beyond the paper").
fn beyond_the_paper(
    o: &Options,
    model: &Autoencoder<f32>,
    result: &AnalysisResult,
    train: Dataset,
    test: &Dataset,
    report: &mut Report,
) -> Result<(), String> {
    if o.eigen {
        let started = Instant::now();
        let split = match report.config.fisher_split {
            Split::Train => &train,
            Split::Test => test,
        };
        let run = EigenRun::new(
            model,
            &result.fisher.encoder,
            result.fisher.examples,
            &result.rows,
            result.unpruned_mse,
            result.tolerance,
        );
        let (summary, _) = run.run(split, &test.first(result.eval_examples));
        progress(&format!(
            "eigen-shells over {} examples: diag(K) against the diagonal Fisher within {:.1e} (relative)",
            summary.examples, summary.diagonal_max_relative_error
        ));
        for row in &summary.rows {
            progress(&format!(
                "eigen-shells {:>6} removed ({:5.1} %): eigenvalue ≤ {:.4e}, test MSE {:.6} (diagonal shells {:.6})",
                row.removed,
                100.0 * row.fraction,
                row.eigen_cutoff.unwrap_or(f64::NAN),
                row.eigen_mse,
                row.fisher_mse
            ));
        }
        match &summary.within_tolerance {
            Some(row) => progress(&format!(
                "eigen-shells within {} % of the unpruned MSE up to {} directions ({:.1} %)",
                100.0 * summary.tolerance,
                row.removed,
                100.0 * row.fraction
            )),
            None => progress("eigen-shells: no count stays within the tolerance"),
        }
        report.eigen = Some(summary);
        report.seconds.eigen = started.elapsed().as_secs_f64();
    }
    if let Some(epochs) = o.fine_tune {
        let started = Instant::now();
        let seed = report
            .config
            .random_seeds
            .first()
            .copied()
            .unwrap_or(o.train.seed);
        let shells = Shells::new(model, &result.fisher.encoder, seed);
        let config = FineTuneConfig {
            fractions: o.fine_tune_at.clone(),
            train: TrainConfig { epochs, ..o.train },
        };
        let (points, continued) = FineTuning::new(shells, config, train)
            .run(test)
            .map_err(|e| format!("fine-tuning: {e}"))?;
        progress(&format!(
            "fine-tuned {epochs} epoch(s) with nothing removed: {:.6} → {:.6}",
            continued.before, continued.after
        ));
        for point in &points {
            let schemes: Vec<String> = (point.schemes.iter())
                .map(|s| format!("{} {:.6} → {:.6}", s.scheme, s.before, s.after))
                .collect();
            progress(&format!(
                "fine-tuned {epochs} epoch(s) at {:.0} % removed: {}",
                100.0 * point.fraction,
                schemes.join(", ")
            ));
        }
        report.fine_tune = Some(FineTuneSummary {
            epochs,
            continued,
            points,
        });
        report.seconds.fine_tune = started.elapsed().as_secs_f64();
    }
    if o.soft_flow {
        let started = Instant::now();
        let config = SoftFlowConfig {
            alpha: (o.soft_flow_alpha).unwrap_or(3.0 * model.input_dim() as f64),
            samples: o.soft_flow_samples,
            seed: o.train.seed,
        };
        let flow = SoftFlow::new(model, &result.fisher.encoder, config);
        let eval = test.first(result.eval_examples);
        let points: Vec<SoftFlowPoint> = (evidence_grid(result.fisher.examples).into_iter())
            .map(|n| flow.point(n, &eval))
            .collect();
        for p in &points {
            progress(&format!(
                "soft flow n = {:>6}: predictive MSE {:.6}, mean sample MSE {:.6}, washed out {} ({:.1} %)",
                p.evidence,
                p.predictive_mse,
                p.mean_sample_mse,
                p.washed_out,
                100.0 * p.washed_out_fraction
            ));
        }
        report.soft_flow = Some(SoftFlowSummary {
            alpha: config.alpha,
            samples: config.samples,
            points,
        });
        report.seconds.soft_flow = started.elapsed().as_secs_f64();
    }
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse_args(&args) {
        Ok(options) => options,
        Err(message) if message.is_empty() => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("reproduce: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(options) {
        Ok(report) => {
            println!("{}", report.to_json());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("reproduce: error: {message}");
            ExitCode::FAILURE
        }
    }
}

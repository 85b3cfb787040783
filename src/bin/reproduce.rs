//! `reproduce`: the paper end to end, natively (see `Args`, which is also `--help`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};

use bayes_renorm::analysis::{Analysis, AnalysisConfig, AnalysisProgress, AnalysisResult, Grid};
use bayes_renorm::data::files::{load_split, read_file};
use bayes_renorm::data::manifest::Split;
use bayes_renorm::data::Dataset;
use bayes_renorm::eigen::{faer_symmetric_eigen, EigenRun};
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

/// The paper end to end: trains the autoencoder (or loads --weights), computes the diagonal
/// Fisher, sweeps the cutoff Λ for Fisher, random, magnitude and saliency pruning, and prints one
/// JSON report on stdout (schema in README.md). Progress goes to stderr.
#[derive(Parser, Debug)]
#[command(
    name = "reproduce",
    override_usage = "reproduce [OPTIONS] > report.json",
    allow_negative_numbers = true
)]
struct Args {
    /// Shard directory (with manifest.json) or IDX directory
    #[arg(long, value_name = "DIR", default_value = "www/data/mnist", help_heading = DATA)]
    data: PathBuf,
    /// Load trained weights (safetensors) instead of training
    #[arg(long, value_name = "FILE", help_heading = DATA)]
    weights: Option<PathBuf>,
    /// Latent width m
    #[arg(long, value_name = "M", default_value_t = 20, value_parser = at_least::<usize>(1.0), help_heading = DATA)]
    latent: usize,
    /// Train (and take the training-split Fisher) on the first N training images, as the
    /// page's #subset control does [default: all]
    #[arg(long, value_name = "N", value_parser = at_least::<usize>(1.0), help_heading = DATA)]
    subset: Option<usize>,
    /// Give both layers biases (the authors' released code)
    #[arg(long, help_heading = DATA)]
    biases: bool,

    /// Epochs
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = at_least::<usize>(0.0), help_heading = TRAINING)]
    epochs: usize,
    /// Batch size
    #[arg(long, value_name = "N", default_value_t = 1000, value_parser = at_least::<usize>(1.0), help_heading = TRAINING)]
    batch: usize,
    /// Adam's learning rate
    #[arg(long, value_name = "F", default_value_t = 0.001, value_parser = at_least::<f32>(f32::MIN_POSITIVE as f64), help_heading = TRAINING)]
    lr: f32,
    /// Seed of the initialisation, the shuffles and the random pruning
    #[arg(long, value_name = "S", default_value_t = 42, value_parser = at_least::<u64>(0.0), help_heading = TRAINING)]
    seed: u64,

    /// Examples the Fisher averages over [default: train]
    #[arg(long, value_enum, value_name = "SPLIT", help_heading = FISHER)]
    fisher_split: Option<SplitArg>,
    /// NNGeometry's regression Fisher (the paper's), or the empirical Fisher
    #[arg(long, value_enum, value_name = "VARIANT", default_value = "regression", help_heading = FISHER)]
    fisher_variant: VariantArg,

    /// 40 log-spaced cutoffs over the Fisher range, or 0, 0.125, ..., 2.375 [default: log]
    #[arg(long, value_enum, help_heading = SWEEP)]
    grid: Option<GridArg>,
    /// Points of the log grid
    #[arg(long, value_name = "N", default_value_t = 40, value_parser = at_least::<usize>(2.0), help_heading = SWEEP)]
    grid_points: usize,
    /// Random-pruning repetitions
    #[arg(long, value_name = "K", default_value_t = 3, value_parser = at_least::<u64>(1.0), help_heading = SWEEP)]
    random_seeds: u64,
    /// Removal orders to sweep; fisher always runs (it defines Λ)
    #[arg(long, value_enum, value_name = "LIST", value_delimiter = ',', default_value = "fisher,random,magnitude,saliency", help_heading = SWEEP)]
    schemes: Vec<SchemeArg>,
    /// Score on the first N test images [default: all]
    #[arg(long, value_name = "N", value_parser = at_least::<usize>(1.0), help_heading = SWEEP)]
    eval_examples: Option<usize>,
    /// Relative MSE tolerance that defines the knee Λ*
    #[arg(long, value_name = "F", default_value_t = 0.01, value_parser = at_least::<f64>(0.0), help_heading = SWEEP)]
    tolerance: f64,
    /// The authors' released configuration: --biases --fisher-split test --grid paper
    /// --eval-examples 10 (a flag given explicitly still wins)
    #[arg(long, help_heading = SWEEP)]
    authors_setup: bool,

    /// The full Fisher diagonal: .npy (flat: E, D, b_E, b_D, row-major) or .safetensors (one
    /// tensor per parameter, weight key names)
    #[arg(long, value_name = "FILE", help_heading = OUTPUTS)]
    write_fisher: Option<PathBuf>,
    /// The trained weights (safetensors)
    #[arg(long, value_name = "FILE", help_heading = OUTPUTS)]
    write_weights: Option<PathBuf>,

    /// Fisher eigen-shells: each encoder row's 784 x 784 Fisher block, its eigendecomposition,
    /// and the test MSE with the least-informative directions removed, at the sweep's counts
    #[arg(long, help_heading = BEYOND)]
    eigen: bool,
    /// Retrain the kept weights for K epochs after pruning, every scheme
    #[arg(long, value_name = "K", value_parser = at_least::<usize>(1.0), help_heading = BEYOND)]
    fine_tune: Option<usize>,
    /// At these fractions of the encoder removed
    #[arg(long, value_name = "LIST", value_delimiter = ',', default_value = "0.6,0.75,0.9", value_parser = fraction, help_heading = BEYOND)]
    fine_tune_at: Vec<f64>,
    /// The posterior flow of eq. 38-39 from all the Fisher's evidence to none
    #[arg(long, help_heading = BEYOND)]
    soft_flow: bool,
    /// Prior precision α; 0 is eq. 38 as written [default: 3·input_dim]
    #[arg(long, value_name = "A", value_parser = at_least::<f64>(0.0), help_heading = BEYOND)]
    soft_flow_alpha: Option<f64>,
    /// Posterior draws per evidence level
    #[arg(long, value_name = "K", default_value_t = 16, value_parser = at_least::<usize>(1.0), help_heading = BEYOND)]
    soft_flow_samples: usize,
}

const DATA: &str = "Data and model";
const TRAINING: &str = "Training (the paper's defaults)";
const FISHER: &str = "Fisher";
const SWEEP: &str = "Sweep";
const OUTPUTS: &str = "Outputs";
const BEYOND: &str = "Beyond the paper (README)";

#[derive(Clone, Copy, Debug, ValueEnum)]
enum SplitArg {
    Train,
    Test,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum VariantArg {
    Regression,
    Empirical,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum GridArg {
    Log,
    Paper,
}

#[derive(Clone, Copy, Debug, PartialEq, ValueEnum)]
enum SchemeArg {
    Fisher,
    Random,
    Magnitude,
    Saliency,
}

/// What `run` needs, once the arguments are checked against each other.
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
    eigen: bool,
    /// Beyond the paper: retrain for this many epochs after pruning, at these fractions removed.
    fine_tune: Option<usize>,
    fine_tune_at: Vec<f64>,
    soft_flow: bool,
    soft_flow_alpha: Option<f64>,
    soft_flow_samples: usize,
}

impl TryFrom<Args> for Options {
    type Error = String;

    fn try_from(a: Args) -> Result<Options, String> {
        if !a.schemes.contains(&SchemeArg::Fisher) {
            return Err("--schemes must include fisher: its order defines the cutoff Λ".into());
        }
        // --authors-setup fills in what was not given explicitly.
        let authors = a.authors_setup.then(|| AnalysisConfig::authors(0, 0));
        Ok(Options {
            data: a.data,
            weights: a.weights,
            latent: a.latent,
            subset: a.subset,
            biases: a.biases || a.authors_setup,
            train: TrainConfig::with_lr(a.epochs, a.batch, a.lr, a.seed),
            fisher_split: match (a.fisher_split, &authors) {
                (Some(SplitArg::Train), _) => Split::Train,
                (Some(SplitArg::Test), _) => Split::Test,
                (None, Some(authors)) => authors.fisher_split,
                (None, None) => Split::Train,
            },
            fisher_variant: match a.fisher_variant {
                VariantArg::Regression => FisherVariant::Regression,
                VariantArg::Empirical => FisherVariant::Empirical,
            },
            grid: match (a.grid, &authors) {
                (Some(GridArg::Log), _) => Grid::Log,
                (Some(GridArg::Paper), _) => Grid::Paper,
                (None, Some(authors)) => authors.grid,
                (None, None) => Grid::Log,
            },
            grid_points: a.grid_points,
            random_seeds: a.random_seeds,
            schemes: [SchemeArg::Random, SchemeArg::Magnitude, SchemeArg::Saliency]
                .map(|s| a.schemes.contains(&s)),
            eval_examples: a
                .eval_examples
                .or(authors.and_then(|authors| authors.eval_examples)),
            tolerance: a.tolerance,
            write_fisher: a.write_fisher,
            write_weights: a.write_weights,
            eigen: a.eigen,
            fine_tune: a.fine_tune,
            fine_tune_at: a.fine_tune_at,
            soft_flow: a.soft_flow,
            soft_flow_alpha: a.soft_flow_alpha,
            soft_flow_samples: a.soft_flow_samples,
        })
    }
}

/// A parser for numbers of type T that are finite and at least `min`.
fn at_least<T: std::str::FromStr>(
    min: f64,
) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static {
    move |text| {
        let invalid = || format!("'{text}' is not a number");
        let value: f64 = text.parse().map_err(|_| invalid())?;
        if !(value.is_finite() && value >= min) {
            return Err(format!("{text} is out of range (at least {min})"));
        }
        text.parse()
            .map_err(|_| format!("'{text}' is not a valid value"))
    }
}

/// A fraction in [0, 1].
fn fraction(text: &str) -> Result<f64, String> {
    let value: f64 = at_least::<f64>(0.0)(text.trim())?;
    if value > 1.0 {
        return Err(format!("{text} is not a fraction in [0, 1]"));
    }
    Ok(value)
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
        let (summary, _) = EigenRun::after(model, result, faer_symmetric_eigen)
            .run(split, &test.first(result.eval_examples));
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
    let options = match Options::try_from(Args::parse()) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("reproduce: {message}");
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

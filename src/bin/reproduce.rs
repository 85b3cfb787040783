//! `reproduce`: the paper end to end, natively (see `Args`, which is also `--help`).
//!
//! Native only: the page's build (Trunk builds every target) compiles this to nothing.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};

use bayes_renorm::analysis::Grid;
use bayes_renorm::data::files::{load_data, read_file};
use bayes_renorm::data::manifest::Split;
use bayes_renorm::eigen::faer_symmetric_eigen;
use bayes_renorm::fisher::FisherVariant;
use bayes_renorm::network::ModelKind;
use bayes_renorm::network_weights::{network_from_safetensors, network_to_safetensors};
use bayes_renorm::prune::Scheme;
use bayes_renorm::report::{fisher_npy, fisher_safetensors, Report};
use bayes_renorm::study::grid::failure_file;
use bayes_renorm::workbench::{JobKind, Progress, Settings, Workbench};

/// The paper end to end: trains the autoencoder or the classifier (or loads --weights), computes
/// the diagonal Fisher, sweeps the cutoff Λ for Fisher, random, magnitude and saliency pruning of
/// the first layer, and prints one JSON report on stdout (schema in README.md). Progress goes to
/// stderr.
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
    /// Load trained weights (safetensors) instead of training: the autoencoder's keys, or the
    /// classifier's layers.{k}.weight / layers.{k}.bias
    #[arg(long, value_name = "FILE", help_heading = DATA)]
    weights: Option<PathBuf>,
    /// The model: the paper's autoencoder, or the MLP classifier [default: autoencoder, or what
    /// --weights holds]
    #[arg(long, value_enum, value_name = "MODEL", help_heading = DATA)]
    model: Option<ModelArg>,
    /// The classifier's hidden widths, e.g. 32 or 64,32
    #[arg(long, value_name = "LIST", value_delimiter = ',', default_value = "32", value_parser = at_least::<usize>(1.0), help_heading = DATA)]
    hidden: Vec<usize>,
    /// The autoencoder's latent width m
    #[arg(long, value_name = "M", default_value_t = Settings::default().latent, value_parser = at_least::<usize>(1.0), help_heading = DATA)]
    latent: usize,
    /// Train (and take the training-split Fisher) on the first N training images, as the
    /// page's #subset control does [default: all]
    #[arg(long, value_name = "N", value_parser = at_least::<usize>(1.0), help_heading = DATA)]
    subset: Option<usize>,
    /// Give the autoencoder's layers biases (the authors' released code)
    #[arg(long, help_heading = DATA)]
    biases: bool,

    /// Epochs
    #[arg(long, value_name = "N", default_value_t = Settings::default().epochs, value_parser = at_least::<usize>(0.0), help_heading = TRAINING)]
    epochs: usize,
    /// Batch size
    #[arg(long, value_name = "N", default_value_t = Settings::default().batch, value_parser = at_least::<usize>(1.0), help_heading = TRAINING)]
    batch: usize,
    /// Adam's learning rate
    #[arg(long, value_name = "F", default_value_t = Settings::default().lr, value_parser = at_least::<f32>(f32::MIN_POSITIVE as f64), help_heading = TRAINING)]
    lr: f32,
    /// Seed of the initialisation, the shuffles and the random pruning
    #[arg(long, value_name = "S", default_value_t = Settings::default().seed, value_parser = at_least::<u64>(0.0), help_heading = TRAINING)]
    seed: u64,

    /// Examples the Fisher averages over [default: train]
    #[arg(long, value_enum, value_name = "SPLIT", help_heading = FISHER)]
    fisher_split: Option<SplitArg>,
    /// The model's own Fisher (NNGeometry's regression for the autoencoder, the paper's;
    /// classif_logits for the classifier), or the empirical Fisher [default: the model's own]
    #[arg(long, value_enum, value_name = "VARIANT", help_heading = FISHER)]
    fisher_variant: Option<VariantArg>,

    /// 40 log-spaced cutoffs over the Fisher range, or 0, 0.125, ..., 2.375 [default: log]
    #[arg(long, value_enum, help_heading = SWEEP)]
    grid: Option<GridArg>,
    /// Points of the log grid
    #[arg(long, value_name = "N", default_value_t = Settings::default().grid_points, value_parser = at_least::<usize>(2.0), help_heading = SWEEP)]
    grid_points: usize,
    /// Random-pruning repetitions
    #[arg(long, value_name = "K", default_value_t = Settings::default().random_seeds, value_parser = at_least::<u64>(1.0), help_heading = SWEEP)]
    random_seeds: u64,
    /// Removal orders to sweep; fisher always runs (it defines Λ)
    #[arg(long, value_enum, value_name = "LIST", value_delimiter = ',', default_value = "fisher,random,magnitude,saliency", help_heading = SWEEP)]
    schemes: Vec<SchemeArg>,
    /// Score on the first N test images [default: all]
    #[arg(long, value_name = "N", value_parser = at_least::<usize>(1.0), help_heading = SWEEP)]
    eval_examples: Option<usize>,
    /// Relative test-loss tolerance (MSE, or cross-entropy) that defines the knee Λ*
    #[arg(long, value_name = "F", default_value_t = Settings::default().tolerance, value_parser = at_least::<f64>(0.0), help_heading = SWEEP)]
    tolerance: f64,
    /// The authors' released configuration: --biases --fisher-split test --grid paper
    /// --eval-examples 10 (a flag given explicitly still wins)
    #[arg(long, help_heading = SWEEP)]
    authors_setup: bool,

    /// The full Fisher diagonal: .npy (flat, in the parameters' order, row-major) or
    /// .safetensors (one tensor per parameter, under the weights' key names)
    #[arg(long, value_name = "FILE", help_heading = OUTPUTS)]
    write_fisher: Option<PathBuf>,
    /// The trained weights (safetensors)
    #[arg(long, value_name = "FILE", help_heading = OUTPUTS)]
    write_weights: Option<PathBuf>,
    /// Write the report to FILE.json instead of stdout, whole or not at all (through a
    /// temporary file); on an error write FILE.failed.json with it instead: a study's job
    #[arg(long, value_name = "FILE.json", help_heading = OUTPUTS)]
    report: Option<PathBuf>,

    /// Fisher eigen-shells: each first-layer row's 784 x 784 Fisher block, its
    /// eigendecomposition, and the test loss with the least-informative directions removed, at
    /// the sweep's counts
    #[arg(long, help_heading = BEYOND)]
    eigen: bool,
    /// Retrain the kept weights for K epochs after pruning, every scheme
    #[arg(long, value_name = "K", value_parser = at_least::<usize>(1.0), help_heading = BEYOND)]
    fine_tune: Option<usize>,
    /// At these fractions of the encoder removed
    // The default is Settings::default().fine_tune_at, spelled out for --help.
    #[arg(long, value_name = "LIST", value_delimiter = ',', default_value = "0.6,0.75,0.9", value_parser = fraction, help_heading = BEYOND)]
    fine_tune_at: Vec<f64>,
    /// The posterior flow of eq. 38-39 from all the Fisher's evidence to none
    #[arg(long, help_heading = BEYOND)]
    soft_flow: bool,
    /// Prior precision α; 0 is eq. 38 as written [default: 3·input_dim]
    #[arg(long, value_name = "A", value_parser = at_least::<f64>(0.0), help_heading = BEYOND)]
    soft_flow_alpha: Option<f64>,
    /// Posterior draws per evidence level
    #[arg(long, value_name = "K", default_value_t = Settings::default().soft_samples, value_parser = at_least::<usize>(1.0), help_heading = BEYOND)]
    soft_flow_samples: usize,
}

const DATA: &str = "Data and model";
const TRAINING: &str = "Training (the paper's defaults)";
const FISHER: &str = "Fisher";
const SWEEP: &str = "Sweep";
const OUTPUTS: &str = "Outputs";
const BEYOND: &str = "After the analysis (docs/studies.md)";

#[derive(Clone, Copy, Debug, ValueEnum)]
enum SplitArg {
    Train,
    Test,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum VariantArg {
    Regression,
    #[value(name = "classif_logits")]
    ClassifLogits,
    Empirical,
}

#[derive(Clone, Copy, Debug, PartialEq, ValueEnum)]
enum ModelArg {
    Autoencoder,
    Classifier,
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

/// The settings a run of `model` takes from the arguments; `--authors-setup` fills in what was
/// not given.
fn settings(a: &Args, model: ModelKind) -> Settings {
    let base = match a.authors_setup {
        true => Settings::authors(),
        false => Settings::default(),
    };
    Settings {
        model,
        hidden: a.hidden.clone(),
        latent: a.latent,
        biases: a.biases || base.biases,
        epochs: a.epochs,
        batch: a.batch,
        lr: a.lr,
        seed: a.seed,
        subset: a.subset,
        fisher_variant: match a.fisher_variant {
            Some(VariantArg::Regression) => FisherVariant::Regression,
            Some(VariantArg::ClassifLogits) => FisherVariant::ClassifLogits,
            Some(VariantArg::Empirical) => FisherVariant::Empirical,
            None => model.model_fisher(),
        },
        fisher_split: match a.fisher_split {
            Some(SplitArg::Train) => Split::Train,
            Some(SplitArg::Test) => Split::Test,
            None => base.fisher_split,
        },
        grid: match a.grid {
            Some(GridArg::Log) => Grid::Log,
            Some(GridArg::Paper) => Grid::Paper,
            None => base.grid,
        },
        grid_points: a.grid_points,
        random_seeds: a.random_seeds,
        schemes: (a.schemes.iter())
            .map(|scheme| match scheme {
                SchemeArg::Fisher => Scheme::Fisher,
                SchemeArg::Random => Scheme::Random,
                SchemeArg::Magnitude => Scheme::Magnitude,
                SchemeArg::Saliency => Scheme::Saliency,
            })
            .collect(),
        eval: a.eval_examples.or(base.eval),
        tolerance: a.tolerance,
        fine_tune_epochs: a.fine_tune.unwrap_or(base.fine_tune_epochs),
        fine_tune_at: a.fine_tune_at.clone(),
        soft_alpha: a.soft_flow_alpha,
        soft_samples: a.soft_flow_samples,
    }
}

/// The jobs the arguments ask for, in order.
fn jobs(a: &Args) -> Vec<JobKind> {
    let mut jobs = Vec::new();
    if a.weights.is_none() {
        jobs.push(JobKind::Train);
    }
    jobs.push(JobKind::Analyse);
    for (asked, job) in [
        (a.eigen, JobKind::Eigen),
        (a.fine_tune.is_some(), JobKind::FineTune),
        (a.soft_flow, JobKind::SoftFlow),
    ] {
        if asked {
            jobs.push(job);
        }
    }
    jobs
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

/// The run the arguments ask for, to the end.
fn run(a: &Args) -> Result<Report, String> {
    let asked = a.model.map(|model| match model {
        ModelArg::Autoencoder => ModelKind::Autoencoder,
        ModelArg::Classifier => ModelKind::Classifier,
    });
    let weights = match &a.weights {
        Some(path) => Some((
            path.display().to_string(),
            read_file(path).map_err(|e| e.to_string())?,
        )),
        None => None,
    };
    let weights_model = match &weights {
        Some((name, bytes)) => {
            Some((network_from_safetensors(bytes).map_err(|e| format!("{name}: {e}"))?).kind())
        }
        None => None,
    };
    if let (Some(asked), Some(found)) = (asked, weights_model) {
        if asked != found {
            return Err(format!(
                "--model {} but the weights are a {}'s",
                asked.name(),
                found.name()
            ));
        }
    }
    let settings = settings(a, weights_model.or(asked).unwrap_or_default());
    settings.check()?;
    let jobs = jobs(a);
    // The training split only when a job reads it.
    let needs_train = a.weights.is_none()
        || settings.fisher_split == Split::Train
        || jobs.contains(&JobKind::FineTune);
    let data = load_data(&a.data, needs_train).map_err(|e| format!("loading the data: {e}"))?;
    let started = Instant::now();
    let clock = Box::new(move || started.elapsed().as_secs_f64());
    let mut bench = Workbench::new(data, clock, faer_symmetric_eigen);
    if let Some((name, bytes)) = &weights {
        bench
            .import_weights(name, bytes)
            .map_err(|e| e.to_string())?;
    }
    bench.start(&jobs, settings).map_err(|e| e.to_string())?;
    let mut printer = Printer::default();
    bench
        .run_to_end(|p| printer.print(p))
        .map_err(|e| e.to_string())?;
    print_results(&bench);

    if let Some(path) = &a.write_weights {
        let model = &bench.trained().expect("the run has a model").model;
        write(
            path,
            &network_to_safetensors(model).map_err(|e| e.to_string())?,
        )?;
    }
    let report = Report::of(&bench).expect("the run analysed its model");
    if let Some(path) = &a.write_fisher {
        let fisher = &bench
            .analysed()
            .expect("the run analysed its model")
            .result
            .fisher;
        let bytes = if path.extension().is_some_and(|e| e == "npy") {
            fisher_npy(fisher)
        } else {
            fisher_safetensors(fisher).map_err(|e| e.to_string())?
        };
        write(path, &bytes)?;
    }
    Ok(report)
}

/// Prints the workbench's progress on stderr: each epoch, the test MSE, the sweep's table.
#[derive(Default)]
struct Printer {
    sweep_started: bool,
}

impl Printer {
    fn print(&mut self, p: &Progress) {
        if let (Some(epoch), Some(training)) = (&p.epoch, &p.training) {
            progress(&format!(
                "epoch {}/{}: train loss {:.6}",
                epoch.epoch + 1,
                training.epochs,
                epoch.train_loss
            ));
        }
        if p.finished == Some(JobKind::Train) {
            if let Some(epoch) = &p.epoch {
                progress(&format!(
                    "test {}",
                    describe_score(epoch.test_loss, epoch.test_accuracy)
                ));
            }
        }
        if !p.rows.is_empty() && !self.sweep_started {
            self.sweep_started = true;
            progress(&format!(
                "{:>12} {:>8} {:>7} {:>11} {:>21} {:>11} {:>11}",
                "cutoff Λ",
                "removed",
                "%",
                "Fisher loss",
                "random (± std)",
                "magnitude",
                "saliency"
            ));
        }
        for row in &p.rows {
            // A baseline the sweep did not run prints as a dash.
            let cell = |v: Option<f64>, width: usize| {
                v.map_or(format!("{:>width$}", "-"), |v| format!("{v:>width$.6}"))
            };
            let random = match (row.random_loss_mean, row.random_loss_std) {
                (Some(mean), Some(std)) => format!("{mean:>11.6} ± {std:>8.6}"),
                _ => format!("{:>21}", "-"),
            };
            progress(&format!(
                "{:>12.4e} {:>8} {:>7.2} {:>11.6} {random} {} {}",
                row.cutoff,
                row.removed,
                100.0 * row.fraction,
                row.fisher_loss,
                cell(row.magnitude_loss, 11),
                cell(row.saliency_loss, 11),
            ));
            if let Some(fisher) = row.fisher_accuracy {
                let percent = |v: Option<f64>| cell(v.map(|v| 100.0 * v), 11);
                let random = match (row.random_accuracy_mean, row.random_accuracy_std) {
                    (Some(mean), Some(std)) => {
                        format!("{:>11.6} ± {:>8.6}", 100.0 * mean, 100.0 * std)
                    }
                    _ => format!("{:>21}", "-"),
                };
                progress(&format!(
                    "{:>12} {:>8} {:>7} {:>11.6} {random} {} {}",
                    "accuracy %",
                    "",
                    "",
                    100.0 * fisher,
                    percent(row.magnitude_accuracy),
                    percent(row.saliency_accuracy),
                ));
            }
        }
    }
}

/// What the analysis and the later jobs found, on stderr.
fn print_results(bench: &Workbench) {
    let Some(analysed) = bench.analysed() else {
        return;
    };
    let (config, result) = (&analysed.config, &analysed.result);
    let model = &bench.trained().expect("an analysed run has a model").model;
    progress(&format!(
        "{} Fisher of the {} over {} {} examples; on {} test images: unpruned {}; Fisher first-layer mean {:.4}, all-parameter mean {:.4}",
        (serde_json::to_value(config.fisher_variant).expect("a variant serialises"))
            .as_str()
            .unwrap_or_default(),
        model.describe(),
        result.fisher.examples(),
        config.fisher_split.name(),
        result.eval_examples,
        describe_score(result.unpruned.loss, result.unpruned.accuracy),
        result.stats.encoder.mean,
        result.stats.all_parameters.mean
    ));
    progress(&match &result.knee {
        Some(k) => format!(
            "information scale Λ* = {:.4e}: {} weights ({:.1} %) removed within {} % of the unpruned loss; there {}",
            k.cutoff,
            k.removed,
            100.0 * k.fraction,
            100.0 * result.tolerance,
            describe_score(k.loss, k.accuracy)
        ),
        None => "no grid cutoff keeps the loss within tolerance".to_string(),
    });
    if let Some((summary, _)) = bench.eigen() {
        progress(&format!(
            "eigen-shells over {} examples: diag(K) against the diagonal Fisher within {:.1e} (relative)",
            summary.examples, summary.diagonal_max_relative_error
        ));
        for row in &summary.rows {
            progress(&format!(
                "eigen-shells {:>6} removed ({:5.1} %): eigenvalue ≤ {:.4e}, test {} (diagonal shells {})",
                row.removed,
                100.0 * row.fraction,
                row.eigen_cutoff.unwrap_or(f64::NAN),
                describe_score(row.eigen_mse, row.eigen_accuracy),
                describe_score(row.fisher_mse, row.fisher_accuracy)
            ));
        }
        match &summary.within_tolerance {
            Some(row) => progress(&format!(
                "eigen-shells within {} % of the unpruned {} up to {} directions ({:.1} %)",
                100.0 * summary.tolerance,
                model.kind().loss_label(),
                row.removed,
                100.0 * row.fraction
            )),
            None => progress("eigen-shells: no count stays within the tolerance"),
        }
    }
    if let Some(summary) = bench.fine_tune() {
        let (epochs, continued) = (summary.epochs, &summary.continued);
        progress(&format!(
            "fine-tuned {epochs} epoch(s) with nothing removed: {:.6} → {:.6}",
            continued.before, continued.after
        ));
        for point in &summary.points {
            let schemes: Vec<String> = (point.schemes.iter())
                .map(|s| format!("{} {:.6} → {:.6}", s.scheme, s.before, s.after))
                .collect();
            progress(&format!(
                "fine-tuned {epochs} epoch(s) at {:.0} % removed: {}",
                100.0 * point.fraction,
                schemes.join(", ")
            ));
        }
    }
    if let Some(summary) = bench.soft_flow() {
        for p in &summary.points {
            progress(&format!(
                "soft flow n = {:>6}: predictive MSE {:.6}, mean sample MSE {:.6}, washed out {} ({:.1} %)",
                p.evidence,
                p.predictive_mse,
                p.mean_sample_mse,
                p.washed_out,
                100.0 * p.washed_out_fraction
            ));
        }
    }
}

/// "MSE 0.012345", or "cross-entropy 0.1234, accuracy 96.54 %".
fn describe_score(loss: f64, accuracy: Option<f64>) -> String {
    match accuracy {
        None => format!("MSE {loss:.6}"),
        Some(accuracy) => format!(
            "cross-entropy {loss:.6}, accuracy {:.2} %",
            100.0 * accuracy
        ),
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|e| format!("{}: {e}", path.display()))
}

fn main() -> ExitCode {
    let args = Args::parse();
    if !args.schemes.contains(&SchemeArg::Fisher) {
        eprintln!("reproduce: --schemes must include fisher: its order defines the cutoff Λ");
        return ExitCode::from(2);
    }
    let outcome = run(&args).and_then(|report| match &args.report {
        Some(path) => write_report(path, &report.to_json()),
        None => {
            println!("{}", report.to_json());
            Ok(())
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("reproduce: error: {message}");
            if let Some(path) = &args.report {
                if let Err(e) = write_failure(path, &message) {
                    eprintln!("reproduce: error: {e}");
                }
            }
            ExitCode::FAILURE
        }
    }
}

/// The report at `path`, renamed into place whole, so that a killed run leaves no half report
/// for a study to take as finished; a failure recorded there before is removed.
fn write_report(path: &Path, json: &str) -> Result<(), String> {
    // Its own name: a study resumed while a killed one's run still finishes may write it too.
    let temporary = path.with_extension(format!("json.partial-{}", std::process::id()));
    write(&temporary, json.as_bytes())?;
    std::fs::rename(&temporary, path).map_err(|e| format!("{}: {e}", path.display()))?;
    let failure = failure_file(&path.to_string_lossy());
    match std::fs::remove_file(&failure) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("{failure}: {e}")),
        _ => Ok(()),
    }
}

/// `{"id": the report's name, "error": message}` beside where the report would have been.
fn write_failure(path: &Path, message: &str) -> Result<(), String> {
    let id = (path.file_stem()).map_or(String::new(), |s| s.to_string_lossy().into_owned());
    let json = serde_json::json!({ "id": id, "error": message });
    let failure = failure_file(&path.to_string_lossy());
    write(Path::new(&failure), json.to_string().as_bytes())
}

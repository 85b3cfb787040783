//! `reproduce`: the paper end to end, natively. Trains the autoencoder (or loads `--weights`),
//! computes the diagonal Fisher, sweeps the cutoff Λ for Fisher, random and magnitude pruning, and
//! prints one JSON report on stdout (schema in README.md). Progress goes to stderr.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use bayes_renorm::adam::AdamConfig;
use bayes_renorm::data::files::{load_split, read_file};
use bayes_renorm::data::manifest::Split;
use bayes_renorm::data::Dataset;
use bayes_renorm::fisher::{fisher_diag, FisherVariant};
use bayes_renorm::model::Autoencoder;
use bayes_renorm::npy::npy_f32;
use bayes_renorm::prune::dataset_mse;
use bayes_renorm::summary::FisherStats;
use bayes_renorm::sweep::{information_scale, log_grid, paper_grid, Sweep};
use bayes_renorm::train::{TrainConfig, Trainer};
use bayes_renorm::weights::{from_safetensors, to_safetensors};
use serde_json::json;

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
  --eval-examples N       score on the first N test images [all]
  --tolerance F           relative MSE tolerance that defines the knee Λ* [0.01]
  --authors-setup         the authors' released configuration: --biases --fisher-split test
                          --grid paper --eval-examples 10
outputs
  --write-fisher FILE     the full Fisher diagonal: .npy (flat: E, D, b_E, b_D, row-major) or
                          .safetensors (one tensor per parameter, weight key names)
  --write-weights FILE    the trained weights (safetensors)
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
    paper_grid: bool,
    grid_points: usize,
    random_seeds: u64,
    eval_examples: Option<usize>,
    tolerance: f64,
    write_fisher: Option<PathBuf>,
    write_weights: Option<PathBuf>,
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
        paper_grid: false,
        grid_points: 40,
        random_seeds: 3,
        eval_examples: None,
        tolerance: 0.01,
        write_fisher: None,
        write_weights: None,
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
                o.paper_grid = match value()? {
                    "paper" => true,
                    "log" => false,
                    other => return Err(format!("--grid: log or paper, not '{other}'")),
                }
            }
            "--grid-points" => o.grid_points = number(flag, value()?, 2.0)?,
            "--random-seeds" => o.random_seeds = number(flag, value()?, 1.0)?,
            "--eval-examples" => o.eval_examples = Some(number(flag, value()?, 1.0)?),
            "--tolerance" => o.tolerance = number(flag, value()?, 0.0)?,
            "--authors-setup" => {
                o.biases = true;
                o.fisher_split = Split::Test;
                o.paper_grid = true;
                o.eval_examples = Some(10);
            }
            "--write-fisher" => o.write_fisher = Some(value()?.into()),
            "--write-weights" => o.write_weights = Some(value()?.into()),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown option '{other}'")),
        }
    }
    Ok(o)
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

fn run(o: Options) -> Result<serde_json::Value, String> {
    let load = |split: Split| {
        load_split(&o.data, split).map_err(|e| format!("loading the {} split: {e}", split.name()))
    };
    let test = load(Split::Test)?;
    let needs_train = o.weights.is_none() || o.fisher_split == Split::Train;
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
    let first_test_images;
    let eval = match o.eval_examples {
        Some(count) if count < test.len() => {
            first_test_images = test.first(count);
            &first_test_images
        }
        _ => &test,
    };
    let test_mse = dataset_mse(&model, &test, 1000);
    progress(&format!("test MSE {test_mse:.6}"));

    // 2. Fisher diagonal.
    let started = Instant::now();
    let fisher_data = match o.fisher_split {
        Split::Train => &train,
        Split::Test => &test,
    };
    let fisher = fisher_diag(&model, fisher_data, o.fisher_variant, 1000);
    let fisher_seconds = started.elapsed().as_secs_f64();
    let stats = FisherStats::of(&fisher);
    progress(&format!(
        "Fisher over {} {} examples: encoder mean {:.4}, all-parameter mean {:.4}",
        fisher.examples,
        o.fisher_split.name(),
        stats.encoder.mean,
        stats.all_parameters.mean
    ));

    // 3. Sweep.
    let started = Instant::now();
    let grid = if o.paper_grid {
        paper_grid()
    } else {
        log_grid(fisher.encoder.as_slice().unwrap_or(&[]), o.grid_points)
    };
    let seeds: Vec<u64> = (0..o.random_seeds).map(|i| o.train.seed + i).collect();
    let mut sweep = Sweep::new(&model, &fisher.encoder, grid, &seeds, eval);
    let unpruned_mse = sweep.unpruned_mse();
    progress(&format!(
        "sweep on {} test images, unpruned MSE {unpruned_mse:.6}",
        eval.len()
    ));
    progress(&format!(
        "{:>12} {:>8} {:>7} {:>11} {:>21} {:>11}",
        "cutoff Λ", "removed", "%", "Fisher MSE", "random MSE (± std)", "magnitude"
    ));
    while let Some(row) = sweep.step() {
        progress(&format!(
            "{:>12.4e} {:>8} {:>7.2} {:>11.6} {:>11.6} ± {:>8.6} {:>11.6}",
            row.cutoff,
            row.removed,
            100.0 * row.fraction,
            row.fisher_mse,
            row.random_mse_mean,
            row.random_mse_std,
            row.magnitude_mse
        ));
    }
    let sweep_seconds = started.elapsed().as_secs_f64();
    let rows = sweep.rows().to_vec();
    let knee = information_scale(&rows, unpruned_mse, o.tolerance);
    progress(&match &knee {
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
            let values: Vec<f32> = fisher.all_values().collect();
            npy_f32(&[values.len()], &values)
        } else {
            // Same tensor names and shapes as the weights.
            let as_tensors = Autoencoder {
                encoder: fisher.encoder.clone(),
                decoder: fisher.decoder.clone(),
                encoder_bias: fisher.encoder_bias.clone(),
                decoder_bias: fisher.decoder_bias.clone(),
            };
            to_safetensors(&as_tensors).map_err(|e| e.to_string())?
        };
        write(path, &bytes)?;
    }

    Ok(json!({
        "config": {
            "data": o.data,
            "weights": o.weights,
            "input_dim": model.input_dim(),
            "latent_dim": model.latent_dim(),
            "train_examples": if o.weights.is_none() { Some(train.len()) } else { None },
            "biases": model.has_biases(),
            "train": if o.weights.is_none() { Some(o.train) } else { None },
            "fisher_split": o.fisher_split.name(),
            "fisher_variant": o.fisher_variant,
            "grid": if o.paper_grid { "paper" } else { "log" },
            "random_seeds": seeds,
            "eval_examples": eval.len(),
        },
        "train": { "epoch_losses": epoch_losses, "test_mse": test_mse },
        "fisher": { "examples": fisher.examples, "stats": stats },
        "sweep": { "unpruned_mse": unpruned_mse, "rows": rows, "knee": knee, "tolerance": o.tolerance },
        "seconds": { "train": train_seconds, "fisher": fisher_seconds, "sweep": sweep_seconds },
    }))
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
            println!(
                "{}",
                serde_json::to_string_pretty(&report).expect("report serialises")
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("reproduce: error: {message}");
            ExitCode::FAILURE
        }
    }
}

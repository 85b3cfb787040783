//! A study's grid and summary, against the obvious versions: the grid against nested loops over
//! its axes, the statistics against two-pass formulas, each order's removable fraction against
//! a brute-force scan, and the charts' marks against the summary's counts.

use std::collections::BTreeSet;
use std::process::Command;

use bayes_renorm::fisher::FisherVariant;
use bayes_renorm::network::ModelKind;
use bayes_renorm::study::grid::{
    data_label, failure_file, job_line, parse_seeds, GridError, StudyGrid, StudyRun,
};
use bayes_renorm::study::summary::{RunResult, Stats, StudySummary};
use serde_json::{json, Value};

use crate::common::recording_backend::RecordingBackend;

fn grid() -> StudyGrid {
    StudyGrid {
        seeds: vec![1, 2, 7],
        data: vec!["www/data/mnist".into(), "/elsewhere/fashion-mnist/".into()],
        models: vec![ModelKind::Autoencoder, ModelKind::Classifier],
        latents: vec![5, 80],
        hiddens: vec![vec![16], vec![64, 32]],
        fisher_variants: vec![None, Some(FisherVariant::Empirical)],
        extra_args: vec!["--epochs".into(), "1".into()],
    }
}

/// The value after `flag` in `args`.
fn after<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    let at = args.iter().position(|a| a == flag)?;
    args.get(at + 1).map(String::as_str)
}

#[test]
fn the_grid_is_every_combination_once() {
    let g = grid();
    let runs = g.runs().unwrap();
    let mut expected = BTreeSet::new();
    for seed in &g.seeds {
        for data in &g.data {
            for model in ["autoencoder", "classifier"] {
                let widths: Vec<(&str, String)> = match model {
                    "autoencoder" => g
                        .latents
                        .iter()
                        .map(|m| ("--latent", m.to_string()))
                        .collect(),
                    _ => vec![("--hidden", "16".into()), ("--hidden", "64,32".into())],
                };
                for (flag, width) in widths {
                    for variant in [None, Some("empirical")] {
                        expected.insert((
                            seed.to_string(),
                            data.clone(),
                            model,
                            flag,
                            width.clone(),
                            variant,
                        ));
                    }
                }
            }
        }
    }
    let found: BTreeSet<_> = (runs.iter())
        .map(|r| {
            let a = &r.args;
            let (flag, width) = match after(a, "--latent") {
                Some(m) => ("--latent", m.to_string()),
                None => ("--hidden", after(a, "--hidden").unwrap().to_string()),
            };
            let model = match after(a, "--model").unwrap() {
                "autoencoder" => "autoencoder",
                _ => "classifier",
            };
            let variant = after(a, "--fisher-variant").map(|_| "empirical");
            (
                after(a, "--seed").unwrap().to_string(),
                after(a, "--data").unwrap().to_string(),
                model,
                flag,
                width,
                variant,
            )
        })
        .collect();
    assert_eq!(runs.len(), 3 * 2 * 2 * 2 * 2);
    assert_eq!(found, expected);
    let ids: BTreeSet<&str> = runs.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), runs.len(), "ids are unique");
    assert!(runs
        .iter()
        .all(|r| r.args.ends_with(&["--epochs".into(), "1".into()])));
    assert!(ids.contains("fashion-mnist-classifier-h64x32-empirical-seed7"));
    // Seed last: the first runs cover every cell once.
    let first_seed: Vec<&StudyRun> = runs.iter().take(runs.len() / 3).collect();
    assert!(first_seed
        .iter()
        .all(|r| after(&r.args, "--seed") == Some("1")));
}

#[test]
fn a_grid_that_cannot_run_says_why() {
    let mut g = grid();
    g.seeds.clear();
    assert_eq!(g.runs(), Err(GridError::Empty("seeds")));
    let mut g = grid();
    g.data = vec!["a/mnist".into(), "b/mnist".into()];
    assert!(matches!(g.runs(), Err(GridError::SameName(..))));
    let mut g = grid();
    g.fisher_variants = vec![Some(FisherVariant::Regression)];
    assert!(matches!(
        g.runs(),
        Err(GridError::Variant {
            model: "classifier",
            ..
        })
    ));
    let mut g = grid();
    g.models = vec![ModelKind::Autoencoder];
    g.latents.clear();
    assert_eq!(g.runs(), Err(GridError::Empty("latent widths")));
}

#[test]
fn seeds_read_as_ranges_and_lists() {
    assert_eq!(parse_seeds("1-3,10"), Ok(vec![1, 2, 3, 10]));
    assert_eq!(parse_seeds(" 4 "), Ok(vec![4]));
    for bad in ["", "3-1", "a", "1-b", "-1"] {
        assert!(parse_seeds(bad).is_err(), "{bad}");
    }
    assert_eq!(data_label("/x/y/fashion-mnist/"), "fashion-mnist");
    assert_eq!(data_label("my data"), "my_data");
    assert_eq!(failure_file("runs/a.json"), "runs/a.failed.json");
}

#[test]
fn a_job_line_is_the_same_words_to_a_shell() {
    let run = StudyRun {
        id: "x".into(),
        args: vec![
            "--data".into(),
            "my data/it's".into(),
            "--seed".into(),
            "3".into(),
        ],
    };
    let line = job_line("printf '%s\\n'", &run, "out dir/runs");
    // The command itself is one quoted word; printf is the shell's.
    let line = line.replacen("'printf '\\''%s\\n'\\'''", "printf '%s\\n'", 1);
    let output = Command::new("sh").args(["-c", &line]).output().unwrap();
    let words: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(
        words,
        [
            "--data",
            "my data/it's",
            "--seed",
            "3",
            "--report",
            "out dir/runs/x.json"
        ]
    );
}

/// A report as `reproduce` writes it (the keys a summary reads), with `losses` the Fisher order's
/// test MSE at `fractions`, and the other orders' made from them.
fn report(
    seed: u64,
    latent: usize,
    fractions: &[f64],
    losses: &[f64],
    knee: Option<usize>,
) -> Value {
    let rows: Vec<Value> = (fractions.iter().zip(losses).enumerate())
        .map(|(i, (f, l))| {
            json!({
                "cutoff": 0.01 * 2f64.powi(i as i32), "removed": (f * 1000.0) as usize, "fraction": f,
                "fisher_mse": l, "random_mse_mean": l * 1.5, "random_mse_std": 0.0,
                "random_mse": [l * 1.5], "magnitude_mse": l * (1.0 + f / 10.0), "saliency_mse": null,
            })
        })
        .collect();
    let knee = knee.map(|i| json!({"cutoff": rows[i]["cutoff"], "removed": rows[i]["removed"], "fraction": fractions[i], "mse": losses[i], "unpruned_mse": 1.0, "tolerance": 0.01}));
    json!({
        "config": {"data": "www/data/mnist", "weights": null, "model": "autoencoder", "latent_dim": latent,
                   "train": {"epochs": 10, "seed": seed}, "fisher_variant": "regression", "random_seeds": [seed]},
        "train": {"epoch_losses": [], "test_mse": 0.02 + seed as f64 * 1e-3},
        "fisher": {"examples": 100, "stats": {"encoder": {"mean": 0.5 * seed as f64}}},
        "sweep": {"unpruned_mse": 1.0, "tolerance": 0.01, "rows": rows, "knee": knee},
        "eigen": {"within_tolerance": {"fraction": 0.1 * seed as f64}},
    })
}

/// The most of `fractions` removable with every loss up to it at most `limit`, by scanning.
fn brute_removable(fractions: &[f64], losses: &[f64], limit: f64) -> f64 {
    let mut best = 0.0;
    for (i, f) in fractions.iter().enumerate() {
        if losses[..=i].iter().all(|l| *l <= limit) {
            best = *f;
        }
    }
    best
}

fn two_pass(values: &[f64]) -> (f64, f64) {
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let var =
        values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (values.len() - 1) as f64;
    (mean, var.sqrt())
}

#[test]
fn a_summary_groups_seeds_into_cells_with_their_statistics() {
    let fractions = [0.1, 0.3, 0.5, 0.7, 0.9];
    let curves = [
        [1.0, 1.005, 1.009, 1.02, 1.5],
        [1.0, 1.001, 1.011, 1.002, 1.2], // dips back under: not within past 0.3
        [1.02, 1.0, 1.0, 1.0, 1.0],      // over at once: nothing removable
    ];
    let knees = [Some(2), Some(1), None];
    let mut runs = Vec::new();
    for (k, curve) in curves.iter().enumerate() {
        let text = report(k as u64 + 1, 20, &fractions, curve, knees[k]).to_string();
        runs.push(RunResult::of_report(&format!("r{k}.json"), &text).unwrap());
    }
    // Another width, and a duplicate of seed 1 which is left out.
    let other = report(1, 40, &fractions, &curves[0], Some(2)).to_string();
    runs.push(RunResult::of_report("w40.json", &other).unwrap());
    runs.push(
        RunResult::of_report(
            "again.json",
            &report(1, 20, &fractions, &curves[1], None).to_string(),
        )
        .unwrap(),
    );
    let summary = StudySummary::of(runs);
    assert_eq!(summary.duplicates, ["again.json"]);
    assert_eq!(summary.cells.len(), 2);
    let cell = &summary.cells[0];
    assert_eq!(cell.label, "mnist · autoencoder m = 20 · regression");
    assert_eq!(cell.seeds, [Some(1), Some(2), Some(3)]);
    assert_eq!(cell.no_knee, 1);

    let limit = 1.01;
    let fisher: Vec<f64> = curves
        .iter()
        .map(|c| brute_removable(&fractions, c, limit))
        .collect();
    assert_eq!(fisher, [0.5, 0.3, 0.0]);
    let (mean, std) = two_pass(&fisher);
    let stats = cell.removable["fisher"];
    assert!((stats.mean - mean).abs() < 1e-12 && (stats.std - std).abs() < 1e-12);
    assert_eq!((stats.min, stats.max, stats.n), (0.0, 0.5, 3));
    let magnitude: Vec<f64> = (curves.iter())
        .map(|c| {
            let losses: Vec<f64> = c
                .iter()
                .zip(&fractions)
                .map(|(l, f)| l * (1.0 + f / 10.0))
                .collect();
            brute_removable(&fractions, &losses, limit)
        })
        .collect();
    assert_eq!(
        cell.removable["magnitude"].mean,
        magnitude.iter().sum::<f64>() / 3.0
    );
    assert!(
        !cell.removable.contains_key("saliency"),
        "not swept in any run"
    );
    let eigen = two_pass(&[0.1, 0.2, 0.30000000000000004]);
    assert!((cell.removable["eigen"].mean - eigen.0).abs() < 1e-12);

    // Λ* and the knee's fraction over the runs that have one.
    let knee = cell.knee_cutoff.unwrap();
    assert_eq!(knee.n, 2);
    assert!((knee.mean - (0.04 + 0.02) / 2.0).abs() < 1e-12);
    assert_eq!(cell.knee_fraction.unwrap().max, 0.5);
    // Λ* over each run's mean Fisher (0.5 · seed): 0.04 / 0.5 and 0.02 / 1.
    let relative = cell.relative_knee.unwrap();
    assert_eq!(relative.n, 2);
    assert!((relative.mean - (0.08 + 0.02) / 2.0).abs() < 1e-12);
    let test = two_pass(&[0.021, 0.022, 0.023]);
    assert!((cell.test_loss.unwrap().std - test.1).abs() < 1e-12);
    assert_eq!(summary.cells[1].key.width, 40);
    assert_eq!(Stats::of(&[]), None);
    assert_eq!(Stats::of(&[2.0]).unwrap().std, 0.0);
    // The median: the middle value, or the mean of the middle two.
    assert_eq!(Stats::of(&[5.0, 1.0, 3.0]).unwrap().median, 3.0);
    assert_eq!(Stats::of(&[4.0, 1.0, 3.0, 100.0]).unwrap().median, 3.5);

    // The CSV: a header and a line per cell, with every statistic's five columns.
    let csv = summary.to_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3);
    let columns = lines[0].split(',').count();
    assert_eq!(columns, 7 + 6 * (4 + 5));
    assert_eq!(
        lines[1].matches(',').count() - 1,
        columns - 2,
        "{}",
        lines[1]
    );

    // Different settings are different cells, labelled apart.
    let mut epochs5 = report(1, 20, &fractions, &curves[0], Some(2));
    epochs5["config"]["train"]["epochs"] = json!(5);
    let runs = vec![
        RunResult::of_report(
            "a.json",
            &report(1, 20, &fractions, &curves[0], Some(2)).to_string(),
        )
        .unwrap(),
        RunResult::of_report("b.json", &epochs5.to_string()).unwrap(),
    ];
    let labels: Vec<String> = StudySummary::of(runs)
        .cells
        .into_iter()
        .map(|c| c.label)
        .collect();
    assert_eq!(labels.len(), 2);
    assert!(labels[1].ends_with(" · settings 2"), "{labels:?}");
}

#[test]
fn a_report_that_is_not_one_is_named_with_what_is_wrong() {
    let error = RunResult::of_report("x.json", "{").unwrap_err();
    assert!(error.to_string().starts_with("x.json: not JSON"), "{error}");
    let error = RunResult::of_report("s.json", r#"{"seeds": [1]}"#).unwrap_err();
    assert!(
        error.to_string().contains("not a reproduce report"),
        "{error}"
    );
    let mut bad = report(1, 20, &[0.5], &[1.0], None);
    bad["sweep"]["rows"][0]["fisher_mse"] = json!("NaN");
    let error = RunResult::of_report("n.json", &bad.to_string()).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("sweep.rows[0]: fisher_mse is not a finite number"),
        "{error}"
    );
}

#[test]
fn the_study_charts_mark_every_seed() {
    let fractions = [0.1, 0.3, 0.5, 0.7, 0.9];
    let curve = [1.0, 1.005, 1.009, 1.02, 1.5];
    let runs: Vec<RunResult> = [(1, 5), (2, 5), (3, 5), (1, 10), (2, 10)]
        .iter()
        .map(|&(seed, m)| {
            RunResult::of_report(
                "r",
                &report(seed, m, &fractions, &curve, Some(2)).to_string(),
            )
            .unwrap()
        })
        .collect();
    let summary = StudySummary::of(runs);
    let mut backend = RecordingBackend::new(900, 560);
    bayes_renorm::plot::study_knees::draw(&mut backend, &summary).unwrap();
    assert!(
        backend
            .texts
            .iter()
            .any(|t| t == "mnist · autoencoder · regression"),
        "{:?}",
        backend.texts
    );
    for width in ["5", "10"] {
        assert!(
            backend.texts.iter().any(|t| t == width),
            "the width {width} is a tick"
        );
    }
    let mut backend = RecordingBackend::new(900, 300);
    bayes_renorm::plot::study_spread::draw(&mut backend, &summary).unwrap();
    for cell in &summary.cells {
        assert!(backend.texts.contains(&cell.label), "{}", cell.label);
    }
    // On a phone the rows are named by data set and width, and no two labels overlap.
    let mut backend = RecordingBackend::new(360, 300);
    bayes_renorm::plot::study_spread::draw(&mut backend, &summary).unwrap();
    assert!(
        backend.texts.iter().any(|t| t == "mnist m = 5"),
        "{:?}",
        backend.texts
    );
    for (i, a) in backend.boxes.iter().enumerate() {
        for b in &backend.boxes[i + 1..] {
            assert!(!a.overlaps(b), "{} overlaps {}", a.text, b.text);
        }
    }
    let mut backend = RecordingBackend::new(900, 560);
    bayes_renorm::plot::study_hockeys::draw(&mut backend, &summary.cells[0]).unwrap();
    assert!(
        backend.texts.iter().any(|t| t == "each of 3 seeds"),
        "{:?}",
        backend.texts
    );
    assert!(
        backend.texts.iter().any(|t| t == "+1 % tolerance"),
        "{:?}",
        backend.texts
    );
}

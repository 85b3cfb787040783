//! A study's reports merged: runs grouped into grid cells (everything but the seed), and per
//! cell the mean, std, min and max of the test loss, the knee Λ*, the fraction removed at the
//! knee and, for each removal order, the fraction it removes within the tolerance.
//!
//! Reports are read as JSON, not as this build's structs, so that reports gathered from other
//! machines (or older builds with the same schema) merge too.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::network::ModelKind;
use crate::study::grid::data_label;
use crate::sweep::mean_and_sample_std;

/// The removal orders a summary compares, in this order; `eigen` is the eigen-shells'.
pub const ORDERS: [&str; 5] = ["fisher", "random", "magnitude", "saliency", "eigen"];

/// One report, reduced to what a summary needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// Where it was read from.
    pub source: String,
    pub cell: CellKey,
    /// `None` for a run of loaded weights.
    pub seed: Option<u64>,
    pub test_loss: f64,
    pub unpruned_loss: f64,
    pub tolerance: f64,
    pub knee_cutoff: Option<f64>,
    pub knee_fraction: Option<f64>,
    /// The first layer's mean Fisher value (`fisher.stats.encoder.mean`), the Fisher's own scale.
    pub fisher_mean: Option<f64>,
    /// Per order in `ORDERS` that the run has: the largest fraction of the first layer its
    /// sweep removes with every count up to it within the tolerance (0 if even its first count
    /// is not). The diagonal orders read the sweep's grid; the eigen-shells' crossing is
    /// refined to one direction.
    pub removable: BTreeMap<String, f64>,
    /// The Fisher order's hockey stick: (Λ, fraction removed, test loss / unpruned loss), in
    /// single precision: it is drawn, not computed with, and a study has hundreds.
    pub curve: Vec<[f32; 3]>,
}

/// What a run was, but for its seed: runs with equal keys are one cell of the grid.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CellKey {
    /// The data directory's last name (`grid::data_label`).
    pub data: String,
    pub model: ModelKind,
    /// The autoencoder's m, or the classifier's first hidden width: the charts' x axis.
    pub width: usize,
    /// "m = 20" or "h = 64, 32".
    pub width_label: String,
    pub fisher_variant: String,
    /// Every other setting of the report's config, as canonical JSON: runs that differ in
    /// anything else (epochs, subset, grid…) are different cells.
    pub settings: String,
}

#[derive(Debug, PartialEq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ReportError {
    pub file: String,
    pub message: String,
}

impl RunResult {
    /// The report `text`, read from `source`.
    pub fn of_report(source: &str, text: &str) -> Result<RunResult, ReportError> {
        let fail = |message: String| ReportError {
            file: source.to_string(),
            message,
        };
        let report: Value =
            serde_json::from_str(text).map_err(|e| fail(format!("not JSON: {e}")))?;
        read_report(source, &report).map_err(fail)
    }
}

fn read_report(source: &str, report: &Value) -> Result<RunResult, String> {
    let config = report
        .get("config")
        .ok_or("not a reproduce report (no config)")?;
    let model: ModelKind = serde_json::from_value(config["model"].clone())
        .map_err(|_| "config.model is not autoencoder or classifier".to_string())?;
    let loss = model.loss_name();
    let number = |value: &Value, path: &str| -> Result<f64, String> {
        let v = path.split('.').fold(value, |v, key| &v[key]);
        v.as_f64()
            .filter(|v| v.is_finite())
            .ok_or(format!("{path} is not a finite number"))
    };
    let (width, width_label) = match model {
        ModelKind::Autoencoder => {
            let m = number(config, "latent_dim")? as usize;
            (m, format!("m = {m}"))
        }
        ModelKind::Classifier => {
            let hidden: Vec<usize> = serde_json::from_value(config["hidden"].clone())
                .map_err(|_| "config.hidden is not a list of widths".to_string())?;
            let list: Vec<String> = hidden.iter().map(usize::to_string).collect();
            (
                hidden.first().copied().unwrap_or(0),
                format!("h = {}", list.join(", ")),
            )
        }
    };
    let mut settings = config.clone();
    let map = settings.as_object_mut().ok_or("config is not an object")?;
    for key in [
        "data",
        "weights",
        "model",
        "latent_dim",
        "hidden",
        "fisher_variant",
        "random_seeds",
    ] {
        map.remove(key);
    }
    let seed = config["train"]["seed"].as_u64();
    // The tolerance defines the knee, so runs with different ones are different cells.
    map.insert("tolerance".into(), report["sweep"]["tolerance"].clone());
    if let Some(train) = map.get_mut("train").and_then(Value::as_object_mut) {
        train.remove("seed");
    }
    let cell = CellKey {
        data: data_label(
            config["data"]
                .as_str()
                .ok_or("config.data is not a string")?,
        ),
        model,
        width,
        width_label,
        fisher_variant: (config["fisher_variant"].as_str())
            .ok_or("config.fisher_variant is not a string")?
            .to_string(),
        settings: settings.to_string(),
    };
    let sweep = &report["sweep"];
    let unpruned_loss = number(sweep, &format!("unpruned_{loss}"))?;
    let tolerance = number(sweep, "tolerance")?;
    let limit = unpruned_loss * (1.0 + tolerance);
    let rows = sweep["rows"].as_array().ok_or("sweep.rows is not a list")?;
    let mut curve = Vec::with_capacity(rows.len());
    // Per diagonal order, its (fraction, loss) in the rows' order (ascending counts).
    let mut losses: BTreeMap<&str, Vec<(f64, f64)>> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        let at = |key: &str| number(row, key).map_err(|e| format!("sweep.rows[{i}]: {e}"));
        let fraction = at("fraction")?;
        let fisher = at(&format!("fisher_{loss}"))?;
        curve.push([
            at("cutoff")? as f32,
            fraction as f32,
            (fisher / unpruned_loss) as f32,
        ]);
        for (order, key) in [
            ("fisher", format!("fisher_{loss}")),
            ("random", format!("random_{loss}_mean")),
            ("magnitude", format!("magnitude_{loss}")),
            ("saliency", format!("saliency_{loss}")),
        ] {
            // A baseline the sweep did not run is null in every row.
            if let Some(value) = row[&key].as_f64() {
                losses.entry(order).or_default().push((fraction, value));
            }
        }
    }
    let mut removable: BTreeMap<String, f64> = (losses.iter())
        .map(|(order, points)| (order.to_string(), within(points, limit)))
        .collect();
    let eigen = &report["eigen"];
    if eigen.is_object() {
        let fraction = match &eigen["within_tolerance"] {
            Value::Null => 0.0,
            crossing => number(crossing, "fraction").map_err(|e| format!("eigen: {e}"))?,
        };
        removable.insert("eigen".into(), fraction);
    }
    let knee = &sweep["knee"];
    let (knee_cutoff, knee_fraction) = match knee {
        Value::Null => (None, None),
        _ => (
            Some(number(knee, "cutoff")?),
            Some(number(knee, "fraction")?),
        ),
    };
    let fisher_mean = report["fisher"]["stats"]["encoder"]["mean"].as_f64();
    Ok(RunResult {
        source: source.to_string(),
        fisher_mean: fisher_mean.filter(|m| m.is_finite() && *m > 0.0),
        cell,
        seed,
        test_loss: number(&report["train"], &format!("test_{loss}"))?,
        unpruned_loss,
        tolerance,
        knee_cutoff,
        knee_fraction,
        removable,
        curve,
    })
}

/// At least three significant digits and three decimals (a knee can be 3e-4, or 4.6).
fn significant(value: f64) -> String {
    if value == 0.0 || !value.is_finite() {
        return format!("{value}");
    }
    let decimals = (2 - value.abs().log10().floor() as i32).max(3) as usize;
    match decimals {
        0..=6 => format!("{value:.decimals$}"),
        _ => format!("{value:.2e}"),
    }
}

/// The largest fraction with every point up to it within `limit`; 0 if the first is not.
fn within(points: &[(f64, f64)], limit: f64) -> f64 {
    (points.iter())
        .take_while(|(_, loss)| *loss <= limit)
        .last()
        .map_or(0.0, |(fraction, _)| *fraction)
}

/// Mean, sample standard deviation, minimum, median and maximum of `n` values (the median
/// because a cell's knees can fall in two groups, whose mean lies in neither).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub n: usize,
    pub mean: f64,
    pub std: f64,
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

impl Stats {
    /// `None` for no values.
    pub fn of(values: &[f64]) -> Option<Stats> {
        let (mean, std) = mean_and_sample_std(values)?;
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let half = sorted.len() / 2;
        let median = match sorted.len() % 2 {
            1 => sorted[half],
            _ => (sorted[half - 1] + sorted[half]) / 2.0,
        };
        Some(Stats {
            n: values.len(),
            mean,
            std,
            min: sorted[0],
            median,
            max: sorted[sorted.len() - 1],
        })
    }
}

/// One cell of the grid, over its seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellSummary {
    /// "mnist · autoencoder m = 20 · regression" (with " · settings k" where one grid point
    /// was run with several settings).
    pub label: String,
    pub key: CellKey,
    /// The relative loss increase that defines the knee (the same in every run of a cell).
    pub tolerance: f64,
    pub seeds: Vec<Option<u64>>,
    pub test_loss: Option<Stats>,
    pub knee_cutoff: Option<Stats>,
    pub knee_fraction: Option<Stats>,
    /// Λ* over the run's mean first-layer Fisher value: the knee in units of the Fisher's own
    /// scale, which moves with the width.
    pub relative_knee: Option<Stats>,
    /// Runs none of whose cutoffs kept the loss within the tolerance.
    pub no_knee: usize,
    pub removable: BTreeMap<String, Stats>,
    /// Each run's Λ* (none where it had no knee), in `seeds`' order.
    pub knees: Vec<Option<f64>>,
    /// Each run's hockey stick, in `seeds`' order.
    pub curves: Vec<Vec<[f32; 3]>>,
}

/// A run that did not produce a report, as its `.failed.json` says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FailedRun {
    pub id: String,
    pub error: String,
}

/// A summary's table: its header, and a row of text per cell.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SummaryTable {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A statistic's name in the CSV, and where a cell keeps it.
type CellStatistic = (String, Box<dyn Fn(&CellSummary) -> Option<Stats>>);

/// Every cell of a study, and what did not make it in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudySummary {
    /// The schema's version (README.md, "study").
    pub version: u32,
    pub cells: Vec<CellSummary>,
    pub failed: Vec<FailedRun>,
    /// Runs the study's grid names that have neither a report nor a failure.
    pub missing: Vec<String>,
    /// Files that are neither a report nor a failure record, with why.
    pub unreadable: Vec<String>,
    /// Reports of a cell and seed already read from another file, which are left out.
    pub duplicates: Vec<String>,
}

impl StudySummary {
    pub const VERSION: u32 = 1;

    /// The cells of `runs`, ordered by data set, model, Fisher variant and width.
    pub fn of(runs: Vec<RunResult>) -> StudySummary {
        let mut by_cell: BTreeMap<(String, ModelKind, String, usize, String), Vec<RunResult>> =
            BTreeMap::new();
        let mut duplicates = Vec::new();
        for run in runs {
            let k = &run.cell;
            let key = (
                k.data.clone(),
                k.model,
                k.fisher_variant.clone(),
                k.width,
                k.width_label.clone() + "\u{0}" + &k.settings,
            );
            let cell = by_cell.entry(key).or_default();
            if run.seed.is_some() && cell.iter().any(|r| r.seed == run.seed) {
                duplicates.push(run.source);
                continue;
            }
            cell.push(run);
        }
        // Grid points (all but the settings) run with more than one set of settings.
        let mut settings_of: BTreeMap<(String, ModelKind, String, String), usize> = BTreeMap::new();
        let mut cells = Vec::new();
        for ((data, model, variant, _, _), mut runs) in by_cell {
            runs.sort_by_key(|r| r.seed);
            let key = runs[0].cell.clone();
            let k = settings_of
                .entry((data, model, variant, key.width_label.clone()))
                .or_default();
            *k += 1;
            let mut label = format!(
                "{} · {} {} · {}",
                key.data,
                key.model.name(),
                key.width_label,
                key.fisher_variant
            );
            if *k > 1 {
                label.push_str(&format!(" · settings {k}"));
            }
            cells.push(CellSummary::of(label, key, &runs));
        }
        StudySummary {
            version: Self::VERSION,
            cells,
            failed: Vec::new(),
            missing: Vec::new(),
            unreadable: Vec::new(),
            duplicates,
        }
    }

    /// Compact: a study's curves are most of it (summary.csv is the one to read).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a summary of numbers and strings serialises")
    }

    /// A summary `study` wrote (`summary.json`), read back: the page's import.
    pub fn from_json(text: &str) -> Result<StudySummary, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        match value.get("version").and_then(Value::as_u64) {
            Some(v) if v == Self::VERSION as u64 => {}
            Some(v) => {
                return Err(format!(
                    "a study summary of version {v}; this page reads version {}",
                    Self::VERSION
                ))
            }
            None if value.get("config").is_some() => return Err(
                "a reproduce report, not a study summary: give `study --merge` the folder it is in"
                    .into(),
            ),
            None => {
                return Err(
                    "not a study summary (no version): the summary.json `study` writes".into(),
                )
            }
        }
        serde_json::from_value(value).map_err(|e| format!("not a study summary: {e}"))
    }

    /// The summary as a table, one row per cell: what `study` prints and the page shows.
    pub fn table(&self) -> SummaryTable {
        let spread = |s: Option<&Stats>, percent: bool| match s {
            Some(s) if percent => format!("{:.1} ± {:.1}", 100.0 * s.mean, 100.0 * s.std),
            Some(s) => format!(
                "{} ± {} [{}, {}, {}]",
                significant(s.mean),
                significant(s.std),
                significant(s.min),
                significant(s.median),
                significant(s.max)
            ),
            None => "–".into(),
        };
        let mut header = vec![
            "cell".to_string(),
            "runs".into(),
            "test loss".into(),
            "Λ* mean ± std [min, median, max]".into(),
            "Λ* / mean F, the same".into(),
            "% removed at the knee".into(),
        ];
        header.extend(ORDERS.map(|o| format!("{o} % within tolerance")));
        let rows = (self.cells.iter())
            .map(|cell| {
                let mut row = vec![
                    cell.label.clone(),
                    match cell.no_knee {
                        0 => cell.seeds.len().to_string(),
                        n => format!("{} ({n} without a knee)", cell.seeds.len()),
                    },
                    cell.test_loss
                        .map_or("–".into(), |s| format!("{:.5} ± {:.5}", s.mean, s.std)),
                    spread(cell.knee_cutoff.as_ref(), false),
                    spread(cell.relative_knee.as_ref(), false),
                    spread(cell.knee_fraction.as_ref(), true),
                ];
                row.extend(ORDERS.map(|o| spread(cell.removable.get(o), true)));
                row
            })
            .collect();
        SummaryTable { header, rows }
    }

    /// One line per cell: its runs, and each statistic's n, mean, std, min, median and max.
    pub fn to_csv(&self) -> String {
        let mut header = vec![
            "cell".to_string(),
            "data".into(),
            "model".into(),
            "width".into(),
            "fisher_variant".into(),
            "runs".into(),
            "no_knee".into(),
        ];
        let mut stats: Vec<CellStatistic> = vec![
            ("test_loss".into(), Box::new(|c| c.test_loss)),
            ("knee_cutoff".into(), Box::new(|c| c.knee_cutoff)),
            ("knee_fraction".into(), Box::new(|c| c.knee_fraction)),
            ("relative_knee".into(), Box::new(|c| c.relative_knee)),
        ];
        for order in ORDERS {
            stats.push((
                format!("removable_{order}"),
                Box::new(move |c| c.removable.get(order).copied()),
            ));
        }
        for (name, _) in &stats {
            for part in ["n", "mean", "std", "min", "median", "max"] {
                header.push(format!("{name}_{part}"));
            }
        }
        let mut csv = header.join(",") + "\n";
        for cell in &self.cells {
            let mut fields = vec![
                format!("\"{}\"", cell.label),
                cell.key.data.clone(),
                cell.key.model.name().into(),
                cell.key.width.to_string(),
                cell.key.fisher_variant.clone(),
                cell.seeds.len().to_string(),
                cell.no_knee.to_string(),
            ];
            for (_, of) in &stats {
                match of(cell) {
                    Some(s) => fields.extend([
                        s.n.to_string(),
                        s.mean.to_string(),
                        s.std.to_string(),
                        s.min.to_string(),
                        s.median.to_string(),
                        s.max.to_string(),
                    ]),
                    None => fields.extend(std::iter::repeat_n(String::new(), 6)),
                }
            }
            csv.push_str(&(fields.join(",") + "\n"));
        }
        csv
    }
}

impl CellSummary {
    fn of(label: String, key: CellKey, runs: &[RunResult]) -> CellSummary {
        let values = |f: &dyn Fn(&RunResult) -> Option<f64>| -> Vec<f64> {
            runs.iter().filter_map(f).collect()
        };
        let mut removable = BTreeMap::new();
        for order in ORDERS {
            if let Some(stats) = Stats::of(&values(&|r| r.removable.get(order).copied())) {
                removable.insert(order.to_string(), stats);
            }
        }
        CellSummary {
            label,
            key,
            tolerance: runs[0].tolerance,
            seeds: runs.iter().map(|r| r.seed).collect(),
            test_loss: Stats::of(&values(&|r| Some(r.test_loss))),
            knee_cutoff: Stats::of(&values(&|r| r.knee_cutoff)),
            knee_fraction: Stats::of(&values(&|r| r.knee_fraction)),
            relative_knee: Stats::of(&values(&|r| Some(r.knee_cutoff? / r.fisher_mean?))),
            no_knee: runs.iter().filter(|r| r.knee_cutoff.is_none()).count(),
            removable,
            knees: runs.iter().map(|r| r.knee_cutoff).collect(),
            curves: runs.iter().map(|r| r.curve.clone()).collect(),
        }
    }
}

//! `study`: the knee across a grid of seeds, data sets, models, widths and Fisher variants (see
//! `Args`, which is also `--help`, and docs/studies.md).
//!
//! Native only: the page's build (Trunk builds every target) compiles this to nothing.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeSet, VecDeque};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use clap::{Parser, ValueEnum};
use plotters::prelude::SVGBackend;

use bayes_renorm::fisher::FisherVariant;
use bayes_renorm::network::ModelKind;
use bayes_renorm::plot::{study_hockeys, study_knees, study_spread};
use bayes_renorm::study::grid::{failure_file, job_line, parse_seeds, StudyGrid, StudyRun};
use bayes_renorm::study::summary::{FailedRun, RunResult, StudySummary};

/// Runs a grid of `reproduce` runs on every core, one single-threaded run per core, so each
/// run's report equals `reproduce`'s for the same settings. Writes each report to
/// OUT/runs/ID.json, a failure to OUT/runs/ID.failed.json, and merges them into
/// OUT/summary.json, OUT/summary.csv and the charts OUT/*.svg. Run it again to resume: finished
/// runs are skipped, failed ones tried again.
#[derive(Parser, Debug)]
#[command(
    name = "study",
    override_usage = "study --out DIR [GRID] [-- REPRODUCE ARGS]\n       study --out DIR [GRID] --emit-jobs > jobs.txt\n       study --out DIR --merge DIR...",
    allow_negative_numbers = true
)]
struct Args {
    /// The study's folder: study.json (the grid), runs/, the summary and its charts
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Seeds, e.g. 1-20 or 1,2,5 [default: 1-3]
    #[arg(long, value_name = "LIST", help_heading = GRID)]
    seeds: Option<String>,
    /// Data directories (shards with manifest.json, or IDX), comma-separated [default: www/data/mnist]
    #[arg(long, value_name = "DIRS", value_delimiter = ',', help_heading = GRID)]
    data: Option<Vec<String>>,
    /// Models [default: autoencoder]
    #[arg(long, value_enum, value_name = "LIST", value_delimiter = ',', help_heading = GRID)]
    model: Option<Vec<ModelArg>>,
    /// The autoencoder's latent widths m, e.g. 5,10,20,40,80 [default: 20]
    #[arg(long, value_name = "LIST", value_delimiter = ',', help_heading = GRID)]
    latent: Option<Vec<usize>>,
    /// The classifier's hidden widths, networks separated by commas and layers by x, e.g.
    /// 16,32,64x32 [default: 32]
    #[arg(long, value_name = "LIST", value_delimiter = ',', value_parser = hidden_widths, help_heading = GRID)]
    hidden: Option<Vec<Vec<usize>>>,
    /// Fisher variants: the model's own (model) and/or empirical [default: model]
    #[arg(long, value_enum, value_name = "LIST", value_delimiter = ',', help_heading = GRID)]
    fisher_variant: Option<Vec<VariantArg>>,
    /// Given to every run as they are, after `--`: e.g. -- --eigen --epochs 5
    #[arg(last = true, value_name = "REPRODUCE ARGS", help_heading = GRID)]
    extra: Vec<String>,

    /// Runs at once [default: the machine's cores]
    #[arg(long, value_name = "N", help_heading = RUNNING)]
    jobs: Option<usize>,
    /// The reproduce command the runs and job lines call [default: the one beside study]
    #[arg(long, value_name = "PATH", help_heading = RUNNING)]
    reproduce: Option<String>,
    /// Print one reproduce command per line (for GNU parallel, a Slurm array…) instead of
    /// running them; each writes its report under OUT/runs
    #[arg(long, help_heading = RUNNING)]
    emit_jobs: bool,
    /// Merge the reports (and failures) found under these folders, gathered from anywhere, into
    /// OUT's summary instead of running anything
    #[arg(long, value_name = "DIR", num_args = 1.., help_heading = RUNNING)]
    merge: Option<Vec<PathBuf>>,
}

const GRID: &str = "The grid (stored in OUT/study.json; a resumed study may leave it out)";
const RUNNING: &str = "Running";

#[derive(Clone, Copy, Debug, PartialEq, ValueEnum)]
enum ModelArg {
    Autoencoder,
    Classifier,
}

#[derive(Clone, Copy, Debug, PartialEq, ValueEnum)]
enum VariantArg {
    Model,
    Empirical,
}

/// `64x32` → [64, 32].
fn hidden_widths(text: &str) -> Result<Vec<usize>, String> {
    (text.split('x'))
        .map(|w| match w.trim().parse::<usize>() {
            Ok(w) if w >= 1 => Ok(w),
            _ => Err(format!("'{w}' in '{text}' is not a width of at least 1")),
        })
        .collect()
}

fn say(message: &str) {
    eprintln!("study: {message}");
}

impl Args {
    fn gives_grid(&self) -> bool {
        self.seeds.is_some()
            || self.data.is_some()
            || self.model.is_some()
            || self.latent.is_some()
            || self.hidden.is_some()
            || self.fisher_variant.is_some()
            || !self.extra.is_empty()
    }

    /// The grid the arguments name, defaults filled in.
    fn grid(&self) -> Result<StudyGrid, String> {
        Ok(StudyGrid {
            seeds: parse_seeds(self.seeds.as_deref().unwrap_or("1-3"))?,
            data: (self.data.clone()).unwrap_or_else(|| vec!["www/data/mnist".into()]),
            models: (self
                .model
                .clone()
                .unwrap_or(vec![ModelArg::Autoencoder])
                .iter())
            .map(|m| match m {
                ModelArg::Autoencoder => ModelKind::Autoencoder,
                ModelArg::Classifier => ModelKind::Classifier,
            })
            .collect(),
            latents: self.latent.clone().unwrap_or(vec![20]),
            hiddens: self.hidden.clone().unwrap_or(vec![vec![32]]),
            fisher_variants: (self
                .fisher_variant
                .clone()
                .unwrap_or(vec![VariantArg::Model]))
            .iter()
            .map(|v| match v {
                VariantArg::Model => None,
                VariantArg::Empirical => Some(FisherVariant::Empirical),
            })
            .collect(),
            extra_args: self.extra.clone(),
        })
    }
}

/// The study's grid: the one in OUT/study.json when there is one (the arguments may name it
/// again, but not another), else the arguments', which is then written there.
fn study_grid(a: &Args) -> Result<StudyGrid, String> {
    let file = a.out.join("study.json");
    let stored = match std::fs::read_to_string(&file) {
        Ok(text) => Some(
            serde_json::from_str::<StudyGrid>(&text)
                .map_err(|e| format!("{}: not a study's grid: {e}", file.display()))?,
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("{}: {e}", file.display())),
    };
    match stored {
        Some(stored) if !a.gives_grid() => Ok(stored),
        Some(stored) => {
            let asked = a.grid()?;
            if asked != stored {
                return Err(format!(
                    "{} holds another grid than the arguments name: give --out another folder, \
                     or leave the grid out to resume this one",
                    file.display()
                ));
            }
            Ok(stored)
        }
        None => {
            let grid = a.grid()?;
            std::fs::create_dir_all(a.out.join("runs"))
                .map_err(|e| format!("{}: {e}", a.out.display()))?;
            let json = serde_json::to_string_pretty(&grid).expect("a grid serialises");
            std::fs::write(&file, json).map_err(|e| format!("{}: {e}", file.display()))?;
            Ok(grid)
        }
    }
}

/// The `reproduce` beside this executable, unless `--reproduce` names one.
fn reproduce_command(a: &Args) -> String {
    if let Some(command) = &a.reproduce {
        return command.clone();
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join("reproduce")));
    match beside {
        Some(path) if path.exists() => path.display().to_string(),
        _ => "reproduce".into(),
    }
}

fn report_path(out: &Path, run: &StudyRun) -> PathBuf {
    out.join("runs").join(format!("{}.json", run.id))
}

/// A run is finished when its report is there and reads as one.
fn finished(out: &Path, run: &StudyRun) -> bool {
    let path = report_path(out, run);
    (std::fs::read_to_string(&path).ok())
        .is_some_and(|text| RunResult::of_report(&path.display().to_string(), &text).is_ok())
}

/// Runs `runs` on `jobs` threads, each starting one `reproduce` at a time. Returns how many
/// failed.
fn run_all(out: &Path, reproduce: &str, runs: Vec<StudyRun>, jobs: usize) -> usize {
    let total = runs.len();
    let queue = Arc::new(Mutex::new(VecDeque::from(runs)));
    let done = Arc::new(Mutex::new((0usize, 0usize)));
    let started = Instant::now();
    let workers: Vec<_> = (0..jobs.max(1))
        .map(|_| {
            let (queue, done) = (queue.clone(), done.clone());
            let (out, reproduce) = (out.to_path_buf(), reproduce.to_string());
            std::thread::spawn(move || loop {
                let Some(run) = queue.lock().unwrap().pop_front() else {
                    return;
                };
                let run_started = Instant::now();
                let outcome = run_one(&out, &reproduce, &run);
                let mut done = done.lock().unwrap();
                done.0 += 1;
                let left =
                    started.elapsed().as_secs_f64() / done.0 as f64 * (total - done.0) as f64;
                let what = match &outcome {
                    Ok(line) => line.clone(),
                    Err(error) => {
                        done.1 += 1;
                        format!("FAILED: {error}")
                    }
                };
                say(&format!(
                    "[{}/{total}] {} in {:.1} s: {what}; about {:.0} min left",
                    done.0,
                    run.id,
                    run_started.elapsed().as_secs_f64(),
                    left / 60.0
                ));
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("a study thread does not panic");
    }
    let failed = done.lock().unwrap().1;
    failed
}

/// One run, its stderr in runs/ID.log: a line on what it found, or why it failed (also in
/// runs/ID.failed.json, which `reproduce --report` writes itself unless it crashed).
fn run_one(out: &Path, reproduce: &str, run: &StudyRun) -> Result<String, String> {
    let report = report_path(out, run);
    let log_path = report.with_extension("log");
    let log = File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    let status = Command::new(reproduce)
        .args(&run.args)
        .arg("--report")
        .arg(&report)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .status()
        .map_err(|e| format!("cannot start {reproduce}: {e}"))?;
    let failure = failure_file(&report.to_string_lossy());
    if !status.success() {
        let recorded = (std::fs::read_to_string(&failure).ok())
            .and_then(|text| serde_json::from_str::<FailedRun>(&text).ok());
        let error = match recorded {
            Some(failed) => failed.error,
            None => {
                // It crashed or was killed: its log's end says the most.
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(3).collect();
                let error = format!(
                    "{status}; {}: {}",
                    log_path.display(),
                    tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
                );
                let json = serde_json::json!({ "id": run.id, "error": error });
                std::fs::write(&failure, json.to_string())
                    .map_err(|e| format!("{failure}: {e}"))?;
                error
            }
        };
        return Err(error);
    }
    let text =
        std::fs::read_to_string(&report).map_err(|e| format!("{}: {e}", report.display()))?;
    let result =
        RunResult::of_report(&report.display().to_string(), &text).map_err(|e| e.to_string())?;
    Ok(match (result.knee_cutoff, result.knee_fraction) {
        (Some(cutoff), Some(fraction)) => format!(
            "test loss {:.6}, Λ* = {cutoff:.4e}, {:.1} % removed at the knee",
            result.test_loss,
            100.0 * fraction
        ),
        _ => format!("test loss {:.6}, no knee", result.test_loss),
    })
}

/// Every report and failure record under `dirs`, merged; with the runs a study.json there
/// names that have neither.
fn merge(dirs: &[PathBuf]) -> Result<StudySummary, String> {
    let mut files = Vec::new();
    let mut expected = BTreeSet::new();
    for dir in dirs {
        if !dir.is_dir() {
            return Err(format!("{}: not a folder", dir.display()));
        }
        json_files(dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
        if let Ok(text) = std::fs::read_to_string(dir.join("study.json")) {
            if let Ok(grid) = serde_json::from_str::<StudyGrid>(&text) {
                let runs = grid.runs().map_err(|e| e.to_string())?;
                expected.extend(runs.into_iter().map(|r| r.id));
            }
        }
    }
    let (mut results, mut failed, mut unreadable) = (Vec::new(), Vec::new(), Vec::new());
    let mut seen = BTreeSet::new();
    for file in files {
        let name = file.display().to_string();
        let stem = file.file_name().unwrap_or_default().to_string_lossy();
        if ["study.json", "summary.json"].contains(&stem.as_ref()) {
            continue;
        }
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) => {
                unreadable.push(format!("{name}: {e}"));
                continue;
            }
        };
        if let Some(id) = stem.strip_suffix(".failed.json") {
            match serde_json::from_str::<FailedRun>(&text) {
                Ok(run) => {
                    seen.insert(id.to_string());
                    failed.push(run);
                }
                Err(e) => unreadable.push(format!("{name}: not a failure record: {e}")),
            }
            continue;
        }
        match RunResult::of_report(&name, &text) {
            Ok(result) => {
                seen.insert(stem.trim_end_matches(".json").to_string());
                results.push(result);
            }
            Err(e) => unreadable.push(e.to_string()),
        }
    }
    // A failure recorded before a later success is history, not a failure.
    let reported: BTreeSet<String> = (results.iter())
        .filter_map(|r| Path::new(&r.source).file_stem())
        .map(|s| s.to_string_lossy().into_owned())
        .collect();
    failed.retain(|f| !reported.contains(&f.id));
    let mut summary = StudySummary::of(results);
    summary.failed = failed;
    summary.missing = expected.difference(&seen).cloned().collect();
    summary.unreadable = unreadable;
    Ok(summary)
}

/// The .json files under `dir`, at any depth, sorted.
fn json_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = (std::fs::read_dir(dir)?)
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            json_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// summary.json, summary.csv and the charts in `out`, and the table on stderr.
fn write_summary(out: &Path, summary: &StudySummary) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let write = |name: &str, text: &str| {
        let path = out.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
    };
    write("summary.json", &summary.to_json())?;
    write("summary.csv", &summary.to_csv())?;
    let charts = write_charts(out, summary)?;
    print_table(summary);
    say(&format!(
        "wrote {}, summary.csv and {} chart(s)",
        out.join("summary.json").display(),
        charts
    ));
    Ok(())
}

fn print_table(summary: &StudySummary) {
    let table = summary.table();
    // Each column as wide as its widest cell.
    let widths: Vec<usize> = (0..table.header.len())
        .map(|c| {
            (std::iter::once(&table.header).chain(&table.rows))
                .map(|row| row[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in std::iter::once(&table.header).chain(&table.rows) {
        let cells: Vec<String> = (row.iter().zip(&widths))
            .map(|(text, width)| format!("{text:<width$}"))
            .collect();
        say(cells.join("  ").trim_end());
    }
    for failed in &summary.failed {
        say(&format!("failed: {}: {}", failed.id, failed.error));
    }
    if !summary.missing.is_empty() {
        let first: Vec<&str> = summary.missing.iter().take(5).map(String::as_str).collect();
        let more = match summary.missing.len() {
            n if n > 5 => format!(" and {} more (summary.json lists them)", n - 5),
            _ => String::new(),
        };
        say(&format!(
            "{} run(s) of the grid have no report yet: {}{more}",
            summary.missing.len(),
            first.join(", ")
        ));
    }
    for text in summary.unreadable.iter().chain(&summary.duplicates) {
        say(&format!("left out: {text}"));
    }
}

fn run(a: &Args) -> Result<bool, String> {
    if let Some(dirs) = &a.merge {
        if a.gives_grid() || a.emit_jobs {
            return Err("--merge takes folders of reports, not a grid nor --emit-jobs".into());
        }
        let summary = merge(dirs)?;
        write_summary(&a.out, &summary)?;
        return Ok(summary.failed.is_empty());
    }
    let grid = study_grid(a)?;
    let runs = grid.runs().map_err(|e| e.to_string())?;
    let reproduce = reproduce_command(a);
    if a.emit_jobs {
        let runs_dir = a.out.join("runs").display().to_string();
        for run in &runs {
            println!("{}", job_line(&reproduce, run, &runs_dir));
        }
        return Ok(true);
    }
    let total = runs.len();
    let left: Vec<StudyRun> = runs.into_iter().filter(|r| !finished(&a.out, r)).collect();
    let jobs = a
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    say(&format!(
        "{total} run(s) in the grid, {} finished before, {} to run, {} at a time ({reproduce})",
        total - left.len(),
        left.len(),
        jobs.min(left.len().max(1))
    ));
    let started = Instant::now();
    let failed = run_all(&a.out, &reproduce, left, jobs);
    say(&format!(
        "ran in {:.1} min, {failed} failed",
        started.elapsed().as_secs_f64() / 60.0
    ));
    let summary = merge(std::slice::from_ref(&a.out))?;
    write_summary(&a.out, &summary)?;
    Ok(failed == 0 && summary.failed.is_empty())
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            say(&format!("error: {message}"));
            ExitCode::from(2)
        }
    }
}

/// The summary's charts as SVG files in `out`, drawn by the page's chart code: Λ* against the
/// width, the knee's spread, and each cell's hockey sticks in hockeys/. Returns how many.
fn write_charts(out: &Path, summary: &StudySummary) -> Result<usize, String> {
    let failed = |path: &Path, e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let path = out.join("knee-by-width.svg");
    study_knees::draw(SVGBackend::new(&path, (900, 560)), summary)
        .map_err(|e| failed(&path, &e))?;
    let path = out.join("knee-spread.svg");
    let height = 140 + 30 * summary.cells.len() as u32;
    study_spread::draw(SVGBackend::new(&path, (900, height)), summary)
        .map_err(|e| failed(&path, &e))?;
    let folder = out.join("hockeys");
    // A summary of other cells leaves no charts of its own behind.
    if folder.is_dir() {
        std::fs::remove_dir_all(&folder).map_err(|e| failed(&folder, &e))?;
    }
    std::fs::create_dir_all(&folder).map_err(|e| failed(&folder, &e))?;
    for (i, cell) in summary.cells.iter().enumerate() {
        let path = folder.join(format!("{:02}-{}.svg", i + 1, slug(&cell.label)));
        study_hockeys::draw(SVGBackend::new(&path, (900, 560)), cell)
            .map_err(|e| failed(&path, &e))?;
    }
    Ok(2 + summary.cells.len())
}

/// "mnist · autoencoder m = 20 · regression" → "mnist-autoencoder-m-20-regression".
fn slug(label: &str) -> String {
    let words: Vec<String> = (label.split(|c: char| !c.is_ascii_alphanumeric() && c != '-'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.join("-")
}

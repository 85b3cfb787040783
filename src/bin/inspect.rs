//! Validates a data directory and prints its statistics as JSON.
//!
//! Usage: `cargo run --release --bin inspect DIR`, where DIR holds either `manifest.json` and
//! shards (`www/data/mnist`) or IDX files (`../shared/data/mnist`). Exits 1 when any file fails
//! validation, 2 on bad usage.
//!
//! Native only: the page's build (Trunk builds every target) compiles this to nothing.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use bayes_renorm::data::files::{idx_paths, load_idx, read_file, read_manifest, MANIFEST_FILE};
use bayes_renorm::data::idx::idx_images_sha256;
use bayes_renorm::data::manifest::{Split, TEN_CLASSES};
use bayes_renorm::data::stats::{SplitStats, SplitSummary};
use bayes_renorm::data::Dataset;
use clap::Parser;
use serde::Serialize;

#[derive(Serialize)]
struct Report {
    dir: String,
    /// "shards" or "idx".
    format: &'static str,
    /// The manifest's dataset id; absent for IDX directories.
    #[serde(skip_serializing_if = "Option::is_none")]
    dataset: Option<String>,
    /// The manifest's image size, classes (with their names) and how it was split; for IDX
    /// directories, what the images file says and ten classes.
    #[serde(skip_serializing_if = "Option::is_none")]
    rows: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cols: Option<usize>,
    classes: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    class_names: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    split: Option<String>,
    ok: bool,
    /// Problems not tied to one split (an unreadable manifest).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    splits: Vec<SplitReport>,
}

#[derive(Serialize)]
struct SplitReport {
    split: &'static str,
    /// Over the examples that decoded; files that failed contribute nothing.
    #[serde(flatten)]
    summary: SplitSummary,
    /// SHA-256 of the uncompressed IDX images file rebuilt from the decoded examples.
    idx_images_sha256: String,
    files: Vec<FileReport>,
}

#[derive(Serialize)]
struct FileReport {
    file: String,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl FileReport {
    fn new(file: String, result: Result<(), String>) -> Self {
        let ok = result.is_ok();
        FileReport {
            file,
            ok,
            error: result.err(),
        }
    }
}

fn split_report(
    split: Split,
    data: &Dataset,
    classes: usize,
    files: Vec<FileReport>,
) -> SplitReport {
    SplitReport {
        split: split.name(),
        summary: SplitStats::of(data, classes).summary(),
        idx_images_sha256: idx_images_sha256(data),
        files,
    }
}

/// Every shard is decoded on its own, so one bad shard does not hide the state of the others.
fn inspect_shards(dir: &Path, report: &mut Report) {
    let manifest = match read_manifest(dir) {
        Ok(manifest) => manifest,
        Err(err) => {
            report.error = Some(err.to_string());
            return;
        }
    };
    report.dataset = Some(manifest.dataset.clone());
    (report.rows, report.cols) = (Some(manifest.rows), Some(manifest.cols));
    report.classes = manifest.classes;
    report.class_names = manifest.class_names.clone();
    report.split = Some(manifest.split.clone());
    for split in Split::ALL {
        let mut data = Dataset::default();
        let files = manifest
            .shards(split)
            .iter()
            .map(|entry| {
                let result = read_file(&dir.join(&entry.file))
                    .map_err(|e| e.to_string())
                    .and_then(|bytes| manifest.decode(entry, &bytes).map_err(|e| e.to_string()))
                    .map(|shard| data.append(&shard));
                FileReport::new(entry.file.clone(), result)
            })
            .collect();
        report
            .splits
            .push(split_report(split, &data, manifest.classes, files));
    }
}

/// An IDX split is one images file and one labels file, validated together.
fn inspect_idx(dir: &Path, report: &mut Report) {
    for split in Split::ALL {
        let names = idx_paths(dir, split).map(|p| p.display().to_string());
        let (data, result) = match load_idx(dir, split) {
            Ok(data) => (data, Ok(())),
            Err(err) => (Dataset::default(), Err(err.to_string())),
        };
        let files = names
            .into_iter()
            .map(|name| FileReport::new(name, result.clone()))
            .collect();
        if !data.is_empty() {
            (report.rows, report.cols) = (Some(data.rows), Some(data.cols));
        }
        report
            .splits
            .push(split_report(split, &data, TEN_CLASSES, files));
    }
}

/// Validates a data directory and prints its statistics as JSON. Exits 1 when any file fails
/// validation, 2 on bad usage.
#[derive(Parser)]
#[command(name = "inspect")]
struct Args {
    /// A shard directory with manifest.json (www/data/mnist), or IDX files (../shared/data/mnist)
    dir: PathBuf,
}

fn main() -> ExitCode {
    let Args { dir } = Args::parse();
    let dir = dir.as_path();
    let shards = dir.join(MANIFEST_FILE).exists();
    let mut report = Report {
        dir: dir.display().to_string(),
        format: if shards { "shards" } else { "idx" },
        dataset: None,
        rows: None,
        cols: None,
        classes: TEN_CLASSES,
        class_names: Vec::new(),
        split: None,
        ok: true,
        error: None,
        splits: Vec::new(),
    };
    if shards {
        inspect_shards(dir, &mut report);
    } else {
        inspect_idx(dir, &mut report);
    }
    report.ok = report.error.is_none() && report.splits.iter().flat_map(|s| &s.files).all(|f| f.ok);
    match serde_json::to_string_pretty(&report) {
        Ok(json) => println!("{json}"),
        Err(err) => {
            eprintln!("inspect: {err}");
            return ExitCode::FAILURE;
        }
    }
    if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

//! Converts data sets into the shards the page downloads and `reproduce --data` reads.
//!
//! - `convert [IDX_ROOT [OUT_ROOT]]`: MNIST and Fashion-MNIST from `IDX_ROOT/<dataset>/*-ubyte.gz`
//!   (default `../shared/data`) into `OUT_ROOT/<dataset>/` (default `www/data`).
//! - `convert INPUT… --out DIR [--name NAME]`: your own data. INPUT is one file, a pair (images
//!   and labels, or train and test), a folder, or a .zip: IDX, CSV, NPY, or PNG/JPEG pictures in
//!   class folders. DIR receives `manifest.json` and the shards, whole or not at all.
//!
//! Native only: the page's build (Trunk builds every target) compiles this to nothing.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use bayes_renorm::data::files::{convert, read_inputs, write_data_set};
use bayes_renorm::data::import::{import, ImportOptions};
use bayes_renorm::data::manifest::{Manifest, DATASETS};
use clap::Parser;

/// Converts MNIST and Fashion-MNIST (no --out), or your own data (--out), into shards.
#[derive(Parser)]
#[command(name = "convert")]
struct Args {
    /// With --out: files, folders or zips of your data. Without: IDX_ROOT [OUT_ROOT] for MNIST
    /// and Fashion-MNIST (defaults ../shared/data and www/data)
    inputs: Vec<PathBuf>,
    /// The folder to write your data set into (manifest.json and shards)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// The data set's name, as the page lists it (default: the folder's name)
    #[arg(long)]
    name: Option<String>,
    /// Image width, for CSV rows and NPY arrays whose pixel count is not a square
    #[arg(long)]
    width: Option<usize>,
    /// Resize pictures of another size to the first picture's size instead of refusing them
    #[arg(long)]
    resize: bool,
    /// Seed of the held-out test split (a 1/7 of each class) when the files give no split
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match &args.out {
        Some(out) => convert_own(&args, out),
        None => convert_builtin(&args.inputs),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("convert: {err}");
            ExitCode::FAILURE
        }
    }
}

fn convert_builtin(inputs: &[PathBuf]) -> Result<(), String> {
    if inputs.len() > 2 {
        return Err("without --out, give at most IDX_ROOT and OUT_ROOT".to_string());
    }
    let idx_root = inputs
        .first()
        .cloned()
        .unwrap_or_else(|| "../shared/data".into());
    let out_root = inputs.get(1).cloned().unwrap_or_else(|| "www/data".into());
    for info in &DATASETS {
        let out_dir = out_root.join(info.id);
        let manifest = convert(&idx_root.join(info.id), &out_dir, info)
            .map_err(|err| format!("{}: {err}", info.id))?;
        print_written(&out_dir, &manifest);
    }
    Ok(())
}

fn convert_own(args: &Args, out: &Path) -> Result<(), String> {
    if args.inputs.is_empty() {
        return Err("--out needs the files, folders or zips to convert".to_string());
    }
    let started = Instant::now();
    let files = read_inputs(&args.inputs).map_err(|e| e.to_string())?;
    let id = out
        .file_name()
        .map_or("data".into(), |n| n.to_string_lossy().into_owned());
    let options = ImportOptions {
        name: args.name.clone().unwrap_or_else(|| id.clone()),
        id,
        width: args.width,
        resize: args.resize,
        seed: args.seed,
    };
    let imported = import(files, options).map_err(|e| e.to_string())?;
    let converted = started.elapsed().as_secs_f64();
    let (train, test) = (&imported.train, &imported.test);
    let manifest = write_data_set(out, &imported.meta, train, test).map_err(|e| e.to_string())?;
    let images = train.len() + test.len();
    eprintln!(
        "{}: {images} images ({} train, {} test), {} x {}, {} classes, from {}; split {}",
        manifest.name,
        train.len(),
        test.len(),
        manifest.rows,
        manifest.cols,
        manifest.classes,
        imported.format,
        manifest.split
    );
    eprintln!(
        "read and checked in {converted:.2} s ({:.0} images/s)",
        images as f64 / converted.max(1e-9)
    );
    if !imported.skipped.is_empty() {
        eprintln!(
            "left out, neither data nor pictures: {}",
            imported.skipped.join(", ")
        );
    }
    print_written(out, &manifest);
    Ok(())
}

fn print_written(out_dir: &Path, manifest: &Manifest) {
    let shards = manifest.splits.train.iter().chain(&manifest.splits.test);
    let (files, bytes) = shards.fold((0, 0), |(n, b), s| (n + 1, b + s.bytes));
    println!("{}: {files} shards, {bytes} bytes", out_dir.display());
}

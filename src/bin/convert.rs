//! Converts the MNIST and Fashion-MNIST IDX files into the shards the page downloads.
//!
//! Usage, from the crate root: `cargo run --release --bin convert [IDX_ROOT] [OUT_ROOT]`
//! (defaults `../shared/data` and `www/data`). Reads `IDX_ROOT/<dataset>/*-idx?-ubyte[.gz]`,
//! writes `OUT_ROOT/<dataset>/{manifest.json, train-NN.v1.shard, test-NN.v1.shard}`.
//!
//! Native only: the page's build (Trunk builds every target) compiles this to nothing.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::ExitCode;

use bayes_renorm::data::files::convert;
use bayes_renorm::data::manifest::DATASETS;
use clap::Parser;

/// Converts the MNIST and Fashion-MNIST IDX files into the shards the page downloads.
#[derive(Parser)]
#[command(name = "convert")]
struct Args {
    /// Holds <dataset>/*-idx?-ubyte[.gz] for mnist and fashion-mnist
    #[arg(default_value = "../shared/data")]
    idx_root: PathBuf,
    /// Receives <dataset>/{manifest.json, train-NN.v1.shard, test-NN.v1.shard}
    #[arg(default_value = "www/data")]
    out_root: PathBuf,
}

fn main() -> ExitCode {
    let Args { idx_root, out_root } = Args::parse();
    for info in &DATASETS {
        let out_dir = out_root.join(info.id);
        match convert(&idx_root.join(info.id), &out_dir, info) {
            Ok(manifest) => {
                let shards = manifest.splits.train.iter().chain(&manifest.splits.test);
                let (files, bytes) = shards.fold((0, 0), |(n, b), s| (n + 1, b + s.bytes));
                println!("{}: {files} shards, {bytes} bytes", out_dir.display());
            }
            Err(err) => {
                eprintln!("convert {}: {err}", info.id);
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}

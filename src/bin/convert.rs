//! Converts the MNIST and Fashion-MNIST IDX files into the shards the page downloads.
//!
//! Usage, from the crate root: `cargo run --release --bin convert [IDX_ROOT] [OUT_ROOT]`
//! (defaults `../shared/data` and `www/data`). Reads `IDX_ROOT/<dataset>/*-idx?-ubyte[.gz]`,
//! writes `OUT_ROOT/<dataset>/{manifest.json, train-NN.v1.shard, test-NN.v1.shard}`.

use std::path::PathBuf;
use std::process::ExitCode;

use bayes_renorm::data::files::convert;
use bayes_renorm::data::manifest::DATASETS;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let idx_root = PathBuf::from(args.next().unwrap_or("../shared/data".into()));
    let out_root = PathBuf::from(args.next().unwrap_or("www/data".into()));
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

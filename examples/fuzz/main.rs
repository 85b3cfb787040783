//! Time-boxed fuzzing of the parsers that read untrusted bytes (shards, the manifest,
//! safetensors weights, IDX, CSV, NPY, ZIP, pictures) and of the whole import of a visitor's
//! files. Each gets an equal share of the time, random and mutated inputs seeded from real
//! files, and a consistency check on whatever it accepts (targets/*.rs). A panic, in the parser
//! or in a check, is counted, its input saved under target/fuzz/, and the exit code is non-zero.
//!
//! Run: cargo run --release --example fuzz -- SECONDS [--seed N]
//! With overflow checks (the test profile keeps them; release wraps): --profile test for --release.
//! Replay a saved input: cargo run --release --example fuzz -- --replay target/fuzz/crash-shard-1.bin

// The mutations, shared with the property tests.
#[path = "../../tests/common/fuzz/mod.rs"]
mod fuzz;
// The seeds' file writers, shared with the native tests (which use the rest of them).
mod runner;
mod targets;
#[allow(dead_code)]
#[path = "../../tests/common/writers.rs"]
mod writers;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Parser;

#[derive(Parser)]
#[command(name = "fuzz")]
struct Args {
    /// Seconds in total, split evenly over the parsers
    #[arg(default_value_t = 60.0)]
    seconds: f64,
    /// Seed of the inputs; the same seed draws the same inputs in the same order
    #[arg(long)]
    seed: Option<u64>,
    /// Runs one saved input (crash-<target>-<n>.bin) once and reports the panic in full
    #[arg(long)]
    replay: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let targets = targets::all();
    if let Some(path) = args.replay {
        return runner::replay(&targets, &path);
    }
    let seed = args.seed.unwrap_or_else(clock_seed);
    println!("seed {seed}");
    let share = Duration::from_secs_f64(args.seconds.max(0.0) / targets.len() as f64);
    let panics: usize = targets
        .iter()
        .enumerate()
        .map(|(index, target)| runner::fuzz(target.as_ref(), seed, index as u64, share))
        .sum();
    if panics == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Nanoseconds since 1970: a different seed each run unless one is given.
fn clock_seed() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

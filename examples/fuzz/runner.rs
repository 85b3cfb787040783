//! Runs one target for its share of the time under `catch_unwind`, prints its line of figures,
//! and saves the inputs that panicked.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bayes_renorm::rng::Rng;

use crate::targets::Target;

/// The generator's streams for the targets, clear of the ones the library uses (rng::stream).
const FIRST_STREAM: u64 = 1000;
/// Inputs saved per target; later panics are only counted.
const SAVED_CRASHES: usize = 5;

thread_local! {
    /// The last panic's message and location, kept by the quiet hook for the report.
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

#[derive(Default)]
struct Tally {
    executions: u64,
    accepted: u64,
    rejected: u64,
    panics: usize,
}

/// Fuzzes `target` for `share` with the stream of `seed` numbered `index`; returns the panics.
pub fn fuzz(target: &dyn Target, seed: u64, index: u64, share: Duration) -> usize {
    let mut rng = Rng::new(seed, FIRST_STREAM + index, 0);
    let mut tally = Tally::default();
    let default_hook = panic::take_hook();
    // Caught panics would otherwise each print a message; the first is reported below instead.
    panic::set_hook(Box::new(|info| {
        LAST_PANIC.with(|last| *last.borrow_mut() = info.to_string())
    }));
    let deadline = Instant::now() + share;
    while Instant::now() < deadline {
        let input = target.input(&mut rng);
        tally.executions += 1;
        // Targets only read their seeds, so a panic cannot leave them half-updated.
        match panic::catch_unwind(AssertUnwindSafe(|| target.run(&input))) {
            Ok(true) => tally.accepted += 1,
            Ok(false) => tally.rejected += 1,
            Err(_) => {
                tally.panics += 1;
                report_panic(target.name(), seed, tally.panics, &input);
            }
        }
    }
    panic::set_hook(default_hook);
    let Tally {
        executions,
        accepted,
        rejected,
        panics,
    } = tally;
    println!(
        "{:<12} executions {executions:>10}  accepted {accepted:>8}  rejected {rejected:>10}  panics {panics}",
        target.name()
    );
    panics
}

fn report_panic(name: &str, seed: u64, ordinal: usize, input: &[u8]) {
    if ordinal > SAVED_CRASHES {
        return;
    }
    let path = crash_dir().join(format!("crash-{name}-{ordinal}.bin"));
    let saved = std::fs::create_dir_all(crash_dir()).and_then(|()| std::fs::write(&path, input));
    if ordinal == 1 {
        let head: String = input.iter().take(32).map(|b| format!("{b:02x}")).collect();
        let message = LAST_PANIC.with(|last| last.borrow().clone());
        println!(
            "{name}: panic (seed {seed}) on an input of {} bytes starting {head}: {message}",
            input.len()
        );
    }
    match saved {
        Ok(()) => println!("{name}: input saved to {}", path.display()),
        Err(e) => println!(
            "{name}: could not save the input to {}: {e}",
            path.display()
        ),
    }
}

fn crash_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz")
}

/// Runs a saved `crash-<target>-<n>.bin` once with the default panic hook, so a panic prints in
/// full (with RUST_BACKTRACE=1, its backtrace).
pub fn replay(targets: &[Box<dyn Target>], path: &Path) -> ExitCode {
    let name = path
        .file_stem()
        .and_then(|stem| stem.to_str())
        .and_then(|stem| stem.strip_prefix("crash-"))
        .and_then(|rest| rest.rsplit_once('-'))
        .map(|(name, _)| name);
    let Some(target) = targets.iter().find(|t| Some(t.name()) == name) else {
        eprintln!("{}: not named crash-<target>-<n>.bin", path.display());
        return ExitCode::FAILURE;
    };
    let input = match std::fs::read(path) {
        Ok(input) => input,
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let accepted = target.run(&input);
    println!(
        "{}: {}",
        target.name(),
        if accepted { "accepted" } else { "rejected" }
    );
    ExitCode::SUCCESS
}

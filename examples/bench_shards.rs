//! Times decoding and validating (SHA-256, inflate, checks) the 12 MNIST training shards.
//! Run from the crate root: `cargo run --release --example bench_shards`.

use std::path::Path;
use std::time::Instant;

use bayes_renorm::data::files::{read_file, read_manifest};
use bayes_renorm::data::manifest::Split;

const REPETITIONS: usize = 5;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data/mnist");
    let manifest = read_manifest(&dir)?;
    let entries = manifest.shards(Split::Train);
    let shards = entries
        .iter()
        .map(|entry| read_file(&dir.join(&entry.file)))
        .collect::<Result<Vec<_>, _>>()?;
    let compressed: usize = shards.iter().map(Vec::len).sum();

    let mut times = Vec::new();
    let mut examples = 0;
    for _ in 0..REPETITIONS {
        let start = Instant::now();
        examples = 0;
        for (entry, bytes) in entries.iter().zip(&shards) {
            examples += manifest.decode(entry, bytes)?.len();
        }
        times.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let best = times.iter().copied().fold(f64::INFINITY, f64::min);
    let decoded = examples * (1 + 28 * 28);
    println!(
        "native: decode+validate {} MNIST train shards ({examples} examples, {:.1} MB compressed, \
         {:.1} MB decoded)",
        shards.len(),
        compressed as f64 / 1e6,
        decoded as f64 / 1e6
    );
    let runs: Vec<String> = times.iter().map(|t| format!("{t:.1}")).collect();
    println!("runs (ms): {}", runs.join(" "));
    println!(
        "best {best:.1} ms: {:.0} MB/s compressed, {:.0} MB/s decoded",
        compressed as f64 / 1e3 / best,
        decoded as f64 / 1e3 / best
    );
    Ok(())
}

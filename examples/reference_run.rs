//! Prints, as JSON, the native runs that the browser tests repeat through the page's facade
//! (`BAYES_NATIVE_REFERENCE`, set by scripts/test.sh):
//! - `training`: the paper's settings (seed 42, m = 20, batch 1000, Adam 1e-3) for one epoch on
//!   the first 5,000 committed MNIST training images, scored on the committed test split;
//! - `renorm`: the analysis of the authors' weights fixture over the committed test split
//!   (regression Fisher over the test images, 40 log-spaced cutoffs, seeds 42-44), with the
//!   number of weights each grid cutoff removes.

use std::path::Path;

use bayes_renorm::analysis::{Analysis, AnalysisConfig};
use bayes_renorm::data::files::load_split;
use bayes_renorm::data::manifest::Split;
use bayes_renorm::prune::{dataset_mse, removed_count, sorted_values};
use bayes_renorm::train::{TrainConfig, Trainer};
use bayes_renorm::weights::from_safetensors;

fn main() -> Result<(), String> {
    let dir = Path::new("www/data/mnist");
    let train = load_split(dir, Split::Train).map_err(|e| e.to_string())?;
    let test = load_split(dir, Split::Test).map_err(|e| e.to_string())?;

    let config = TrainConfig {
        epochs: 1,
        ..TrainConfig::default()
    };
    let mut trainer =
        Trainer::from_seed(train.first(5000), 20, false, config).map_err(|e| e.to_string())?;
    let progress = trainer.step(usize::MAX).map_err(|e| e.to_string())?;

    let fixture = std::fs::read("tests/fixtures/authors_weights.safetensors")
        .map_err(|e| format!("tests/fixtures/authors_weights.safetensors: {e}"))?;
    let model = from_safetensors(&fixture).map_err(|e| e.to_string())?;
    let analysis = AnalysisConfig {
        fisher_split: Split::Test,
        ..AnalysisConfig::paper(42, 3)
    };
    let result = Analysis::new(&model, analysis).run(&train, &test);
    let sorted = sorted_values(&result.fisher.encoder);
    let counts: Vec<(f32, usize)> = (result.rows.iter())
        .map(|row| (row.cutoff, removed_count(&sorted, row.cutoff)))
        .collect();

    let report = serde_json::json!({
        "training": {
            "batch_losses": trainer.batch_losses(),
            "epoch_losses": progress.epoch_losses,
            "test_mse": dataset_mse(trainer.model(), &test, 1000),
        },
        "renorm": {
            "encoder_mean": result.stats.encoder.mean,
            "zero_fraction": result.stats.encoder.zero_fraction,
            "unpruned_mse": result.unpruned_mse,
            "rows": result.rows,
            "knee": result.knee,
            "counts": counts,
        },
    });
    println!("{report}");
    Ok(())
}

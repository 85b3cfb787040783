//! Prints, as JSON, the native runs that the browser tests repeat through the page's facade
//! (`BAYES_NATIVE_REFERENCE`, set by scripts/test.sh), so wasm's numbers are checked against
//! native ones:
//! - `training`: the paper's settings (seed 42, m = 20, batch 1000, Adam 1e-3) for one epoch on
//!   the first 5,000 committed MNIST training images, scored on the committed test split;
//! - `analysis`: the analysis of the authors' weights fixture over the committed test split
//!   (regression Fisher over the test images, 40 log-spaced cutoffs, seeds 42-44), with the
//!   number of weights each grid cutoff removes.

use std::path::Path;

use bayes_renorm::data::files::load_data;
use bayes_renorm::data::manifest::Split;
use bayes_renorm::eigen::faer_symmetric_eigen;
use bayes_renorm::prune::{removed_count, sorted_values};
use bayes_renorm::workbench::{JobKind, Settings, Workbench};

fn main() -> Result<(), String> {
    let dir = Path::new("www/data/mnist");
    let data = load_data(dir, true).map_err(|e| e.to_string())?;
    let bench = || Workbench::new(data.clone(), Box::new(|| 0.0), faer_symmetric_eigen);

    let mut training = bench();
    let settings = Settings {
        epochs: 1,
        subset: Some(5000),
        ..Settings::default()
    };
    training
        .start(&[JobKind::Train], settings)
        .map_err(|e| e.to_string())?;
    let mut batch_losses = Vec::new();
    training
        .run_to_end(|p| batch_losses.extend(p.training.iter().flat_map(|t| t.batch_losses.clone())))
        .map_err(|e| e.to_string())?;
    let record = &training.trained().expect("trained").record;

    let fixture = std::fs::read("tests/fixtures/authors_weights.safetensors")
        .map_err(|e| format!("tests/fixtures/authors_weights.safetensors: {e}"))?;
    let mut analysis = bench();
    analysis
        .import_weights("authors_weights.safetensors", &fixture)
        .map_err(|e| e.to_string())?;
    let settings = Settings {
        fisher_split: Split::Test,
        ..Settings::default()
    };
    analysis
        .start(&[JobKind::Analyse], settings)
        .map_err(|e| e.to_string())?;
    analysis.run_to_end(|_| {}).map_err(|e| e.to_string())?;
    let result = &analysis.analysed().expect("analysed").result;
    let sorted = sorted_values(result.fisher.first_layer());
    let counts: Vec<(f32, usize)> = (result.rows.iter())
        .map(|row| (row.cutoff, removed_count(&sorted, row.cutoff)))
        .collect();

    let report = serde_json::json!({
        "training": {
            "batch_losses": batch_losses,
            "epoch_losses": match &record.source {
                bayes_renorm::workbench::ModelSource::Trained { epoch_losses, .. } => epoch_losses.clone(),
                bayes_renorm::workbench::ModelSource::Loaded { .. } => Vec::new(),
            },
            "test_mse": record.test.map(|t| t.loss),
        },
        "analysis": {
            "encoder_mean": result.stats.encoder.mean,
            "zero_fraction": result.stats.encoder.zero_fraction,
            "unpruned_mse": result.unpruned.loss,
            "rows": result.rows,
            "knee": result.knee,
            "counts": counts,
        },
    });
    println!("{report}");
    Ok(())
}

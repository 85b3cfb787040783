//! Prints, as JSON, the native run that the browser test repeats through the page's `Session`:
//! the paper's settings (seed 42, m = 20, batch 1000, Adam 1e-3) for one epoch on the first
//! 5,000 committed MNIST training images, scored on the committed test split.

use std::path::Path;

use bayes_renorm::data::files::load_split;
use bayes_renorm::data::manifest::Split;
use bayes_renorm::prune::dataset_mse;
use bayes_renorm::train::{TrainConfig, Trainer};

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
    let report = serde_json::json!({
        "batch_losses": trainer.batch_losses(),
        "epoch_losses": progress.epoch_losses,
        "test_mse": dataset_mse(trainer.model(), &test, 1000),
    });
    println!("{report}");
    Ok(())
}

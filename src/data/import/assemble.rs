//! The whole checked and split: one image size, 2 to 256 classes with none empty, both splits
//! non-empty; a set given whole gets its held-out test split, and the manifest says which.

use super::error::ImportError;
use super::sources::ImportOptions;
use crate::data::holdout::{held_out, held_out_rule};
use crate::data::manifest::{DatasetMeta, Split, GIVEN_SPLIT};
use crate::data::{Dataset, MAX_CLASSES, MIN_CLASSES};

/// A converted data set: both splits and what its manifest says.
#[derive(Clone, Debug)]
pub struct Imported {
    pub meta: DatasetMeta,
    pub train: Dataset,
    pub test: Dataset,
    /// The format read, for the report.
    pub format: &'static str,
    /// Files that were neither data nor pictures (a README, `.DS_Store`), left out.
    pub skipped: Vec<String>,
}

pub(super) fn check_class_count(names: &[String]) -> Result<(), ImportError> {
    if (MIN_CLASSES..=MAX_CLASSES).contains(&names.len()) {
        return Ok(());
    }
    let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
    let more = if names.len() > 5 { ", …" } else { "" };
    Err(ImportError::ClassCount {
        classes: names.len(),
        names: format!("{}{more}", shown.join(", ")),
    })
}

/// Checks the whole (one size, 2-256 classes, none empty, no empty split), splits it if no split
/// was given, and states the split.
pub(super) fn assemble(
    options: ImportOptions,
    format: &'static str,
    sets: Vec<(Option<Split>, Dataset)>,
    class_names: Vec<String>,
    skipped: Vec<String>,
) -> Result<Imported, ImportError> {
    let mut sets = sets
        .into_iter()
        .map(|(split, data)| (split.is_none(), data));
    let (train, test, split) = match (sets.next(), sets.next()) {
        (Some((true, whole)), None) => {
            let (train, test) = held_out(&whole, options.seed);
            (train, test, held_out_rule(options.seed))
        }
        (train, test) => {
            let data = |set: Option<(bool, Dataset)>| set.map(|(_, d)| d).unwrap_or_default();
            (data(train), data(test), GIVEN_SPLIT.to_string())
        }
    };
    for (name, data) in [("train", &train), ("test", &test)] {
        if data.is_empty() {
            return Err(ImportError::EmptySplit { split: name });
        }
    }
    if (train.rows, train.cols) != (test.rows, test.cols) {
        return Err(ImportError::SplitSizes {
            train_rows: train.rows,
            train_cols: train.cols,
            test_rows: test.rows,
            test_cols: test.cols,
        });
    }
    let classes = match class_names.len() {
        0 => train.label_classes().max(test.label_classes()),
        named => named,
    };
    let names: Vec<String> = match class_names.is_empty() {
        true => (0..classes).map(|c| c.to_string()).collect(),
        false => class_names.clone(),
    };
    check_class_count(&names)?;
    let mut seen = vec![false; classes];
    for &label in train.labels.iter().chain(&test.labels) {
        seen[label as usize] = true;
    }
    if let Some(empty) = seen.iter().position(|&s| !s) {
        return Err(ImportError::EmptyClass {
            class: names[empty].clone(),
            place: format!("the labels run 0-{} but none is {empty}", classes - 1),
        });
    }
    let meta = DatasetMeta {
        id: options.id,
        name: options.name,
        credit: String::new(),
        licence: String::new(),
        classes,
        class_names,
        split,
    };
    Ok(Imported {
        meta,
        train,
        test,
        format,
        skipped,
    })
}

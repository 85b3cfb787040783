//! Labelled files (IDX pairs, CSV, NPY pairs): which is images and which labels, which is train
//! and which test, read into the parts of a conversion.

use super::error::ImportError;
use super::sources::{ImportOptions, InputFile, Part, Work};
use crate::data::csv::CsvReader;
use crate::data::idx::read_idx;
use crate::data::manifest::Split;
use crate::data::npy::{npy_dataset, read_npy, NpyError};
use crate::data::sniff::FileKind;

/// A test file says so in its name (`test.csv`, `t10k-images-idx3-ubyte`); otherwise the order
/// the files were given in is train, then test.
fn names_test(path: &str) -> bool {
    let name = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .to_ascii_lowercase();
    name.contains("test") || name.contains("t10k")
}

/// (train, test) of two files, by name, else in the order given.
fn train_then_test<T>(mut two: Vec<(String, T)>) -> Vec<(Split, (String, T))> {
    if names_test(&two[0].0) && !names_test(&two[1].0) {
        two.swap(0, 1);
    }
    two.into_iter()
        .zip([Split::Train, Split::Test])
        .map(|(f, s)| (s, f))
        .collect()
}

pub(super) fn labelled_work(
    files: Vec<InputFile>,
    kinds: &[FileKind],
    options: &ImportOptions,
) -> Result<Work, ImportError> {
    // One format for all: IDX images and labels count as one.
    let family = |k: FileKind| match k {
        FileKind::IdxLabels => FileKind::IdxImages,
        k => k,
    };
    if let Some(i) = kinds.iter().position(|&k| k == FileKind::Unknown) {
        return Err(ImportError::Unknown {
            file: files[i].path.clone(),
            kind: FileKind::Unknown.name(),
        });
    }
    if let Some(i) = kinds.iter().position(|&k| family(k) != family(kinds[0])) {
        return Err(ImportError::MixedFormats {
            first: files[0].path.clone(),
            first_kind: kinds[0].name(),
            other: files[i].path.clone(),
            other_kind: kinds[i].name(),
        });
    }
    let width = options.width;
    let (format, sets): (&'static str, Vec<(String, Part)>) = match family(kinds[0]) {
        FileKind::Csv => {
            let parts = files.into_iter().map(|f| {
                let reader = CsvReader::new(&f.path, f.bytes, width);
                (f.path, Part::Csv(reader))
            });
            ("CSV", parts.collect())
        }
        FileKind::Npy => {
            let mut arrays = Vec::new();
            for file in &files {
                arrays.push((file.path.clone(), read_npy(&file.path, &file.bytes)?));
            }
            let (images, labels): (Vec<_>, Vec<_>) =
                arrays.into_iter().partition(|(_, a)| a.shape.len() >= 2);
            let sets = pairs(images, labels, "NumPy images arrays and labels arrays")?
                .into_iter()
                .map(|((image_file, images), (label_file, labels))| {
                    let data = npy_dataset(&image_file, images, &label_file, labels, width)?;
                    Ok((image_file, Part::Ready(data)))
                })
                .collect::<Result<_, NpyError>>()?;
            ("NPY", sets)
        }
        _ => {
            let (mut images, mut labels) = (Vec::new(), Vec::new());
            for (file, &kind) in files.into_iter().zip(kinds) {
                let side = match kind {
                    FileKind::IdxImages => &mut images,
                    _ => &mut labels,
                };
                side.push((file.path, file.bytes));
            }
            let sets = pairs(images, labels, "IDX images files and labels files")?
                .into_iter()
                .map(|((image_file, images), (label_file, labels))| {
                    let data = read_idx(&images, &labels).map_err(|source| ImportError::Idx {
                        images: image_file.clone(),
                        labels: label_file,
                        source,
                    })?;
                    Ok((image_file, Part::Ready(data)))
                })
                .collect::<Result<_, ImportError>>()?;
            ("IDX", sets)
        }
    };
    let parts = match sets.len() {
        1 => sets.into_iter().map(|(_, part)| (None, part)).collect(),
        2 => train_then_test(sets)
            .into_iter()
            .map(|(split, (_, part))| (Some(split), part))
            .collect(),
        count => {
            return Err(ImportError::FileCount {
                count,
                what: "data files",
            })
        }
    };
    Ok(Work::Labelled { format, parts })
}

/// Images matched with labels: one of each, or a train pair and a test pair (by name, else order).
#[allow(clippy::type_complexity)]
fn pairs<I, L>(
    images: Vec<(String, I)>,
    labels: Vec<(String, L)>,
    what: &'static str,
) -> Result<Vec<((String, I), (String, L))>, ImportError> {
    if images.len() != labels.len() || !(1..=2).contains(&images.len()) {
        return Err(ImportError::FileCount {
            count: images.len() + labels.len(),
            what,
        });
    }
    if images.len() == 1 {
        return Ok(images.into_iter().zip(labels).collect());
    }
    let images = train_then_test(images);
    let labels = train_then_test(labels);
    Ok(images
        .into_iter()
        .zip(labels)
        .map(|((_, image), (_, label))| (image, label))
        .collect())
}

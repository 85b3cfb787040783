//! Why a visitor's files could not be converted: one enum, each variant naming the file and the
//! row, byte offset or entry.

use thiserror::Error;

use crate::data::csv::CsvError;
use crate::data::idx::IdxError;
use crate::data::npy::NpyError;
use crate::data::picture::PictureError;
use crate::data::zip::ZipError;
use crate::data::{MAX_CLASSES, MAX_SIDE, MIN_CLASSES};

/// Why the files could not be converted. Each names the file, and the row, offset or entry.
#[derive(Debug, Error)]
pub enum ImportError {
    #[error("nothing to convert: no files were given")]
    NoFiles,
    #[error(
        "{file}: {kind}; give IDX, CSV or NPY files, a zip, or a folder of PNG or JPEG pictures"
    )]
    Unknown { file: String, kind: &'static str },
    #[error("{first} is {first_kind} but {other} is {other_kind}: give one format at a time")]
    MixedFormats {
        first: String,
        first_kind: &'static str,
        other: String,
        other_kind: &'static str,
    },
    #[error("{count} {what}: give one for the whole data set, or two (train and test)")]
    FileCount { count: usize, what: &'static str },
    #[error("{images}, {labels}: {source}")]
    Idx {
        images: String,
        labels: String,
        source: IdxError,
    },
    #[error(transparent)]
    Csv(#[from] CsvError),
    #[error(transparent)]
    Npy(#[from] NpyError),
    #[error(transparent)]
    Zip(#[from] ZipError),
    #[error(transparent)]
    Picture(#[from] PictureError),
    #[error("{path}: not in a class folder; put each picture in a folder named after its class (cats/1.png)")]
    NoClassFolder { path: String },
    #[error("{path}: class {class} is in test/ but not in train/")]
    UnknownTestClass { path: String, class: String },
    #[error("no pictures found among the {files} files")]
    NoPictures { files: usize },
    #[error("picture {file} is {rows}x{cols}, but {first} is {first_rows}x{first_cols}: pictures must be one size (or ask to resize them to the first's size)")]
    PictureSize {
        file: String,
        rows: usize,
        cols: usize,
        first: String,
        first_rows: usize,
        first_cols: usize,
    },
    #[error("picture {file} is {rows}x{cols}, but images may be at most {MAX_SIDE}x{MAX_SIDE}")]
    TooLarge {
        file: String,
        rows: usize,
        cols: usize,
    },
    #[error(
        "train images are {train_rows}x{train_cols} but test images are {test_rows}x{test_cols}"
    )]
    SplitSizes {
        train_rows: usize,
        train_cols: usize,
        test_rows: usize,
        test_cols: usize,
    },
    #[error("{classes} classes ({names}), but a data set has {MIN_CLASSES} to {MAX_CLASSES}")]
    ClassCount { classes: usize, names: String },
    #[error("class {class} has no examples ({place})")]
    EmptyClass { class: String, place: String },
    #[error("the {split} split has no examples")]
    EmptySplit { split: &'static str },
}

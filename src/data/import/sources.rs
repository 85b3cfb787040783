//! What a conversion reads: the visitor's files, the options, and the work left to do on them
//! (CSV rows still to parse, pictures still to decode).

use crate::data::csv::CsvReader;
use crate::data::folder::FolderLayout;
use crate::data::manifest::Split;
use crate::data::picture::GreyImage;
use crate::data::Dataset;

/// One file the visitor gave: its path (within a dropped folder or a zip), and its bytes.
#[derive(Clone, Debug)]
pub struct InputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// What the converter is told besides the files (the page sends it as JSON).
#[derive(Clone, Debug, serde::Deserialize)]
pub struct ImportOptions {
    /// The manifest's `dataset` (an id; the page's is `LOCAL_PREFIX` + the content's SHA-256)
    /// and `name` (what the page lists).
    #[serde(default)]
    pub id: String,
    pub name: String,
    /// Image width for CSV rows and NPY arrays whose pixel count is not a square.
    #[serde(default)]
    pub width: Option<usize>,
    /// Resize pictures of another size to the first picture's, instead of refusing them.
    #[serde(default)]
    pub resize: bool,
    /// Seeds the held-out test split when the files give none.
    #[serde(default)]
    pub seed: u64,
}

/// One split's source among labelled files; `split` is None for a set to hold out from.
pub(super) enum Part {
    Ready(Dataset),
    Csv(CsvReader<'static>),
}

pub(super) enum Work {
    Labelled {
        format: &'static str,
        parts: Vec<(Option<Split>, Part)>,
    },
    Pictures {
        files: Vec<InputFile>,
        layout: FolderLayout,
        decoded: Vec<GreyImage>,
    },
}

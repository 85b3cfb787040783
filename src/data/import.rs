//! A visitor's own data set, from the files they give: IDX pairs, CSV, NPY pairs, or a folder
//! (or zip) of pictures in class folders. Both doors convert through here: `convert` natively,
//! the page in its worker, a few rows or pictures per `step` so it can show progress and cancel.
//! Nothing is kept until `finish` has checked the whole: no half-converted data set exists.

use std::collections::VecDeque;

use thiserror::Error;

use super::csv::{CsvError, CsvReader};
use super::folder::{is_hidden, layout, FolderLayout, LayoutError};
use super::holdout::{held_out, held_out_rule};
use super::idx::{read_idx, IdxError};
use super::manifest::{DatasetMeta, EncodedShard, Manifest, Split, GIVEN_SPLIT};
use super::npy::{npy_dataset, read_npy, NpyError};
use super::picture::{decode_picture, resized, GreyImage, PictureError};
use super::shard::ShardError;
use super::sniff::{sniff, FileKind};
use super::zip::{read_zip, ZipError};
use super::{Dataset, MAX_CLASSES, MAX_SIDE, MIN_CLASSES};

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

/// The id of a data set a visitor added in the page: this, then the first 12 hex digits of its
/// content's SHA-256 (`Manifest::content_sha256`).
pub const LOCAL_PREFIX: &str = "local-";

/// A converted data set as the page keeps it: shards checked by the loaders' own validator.
pub struct Packed {
    pub id: String,
    pub sha256: String,
    pub manifest: Manifest,
    pub shards: Vec<EncodedShard>,
}

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

/// How far a conversion has got: `done` of `total` `unit`s ("bytes" of CSV, "pictures").
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ImportProgress {
    pub unit: &'static str,
    pub done: usize,
    pub total: usize,
}

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

impl Imported {
    /// Shards and manifest, each shard decoded back by `Manifest::decode`, under the id the
    /// content gives.
    pub fn packed(&self) -> Result<Packed, ShardError> {
        let (mut manifest, shards) = Manifest::build_checked(&self.meta, &self.train, &self.test)?;
        let sha256 = manifest.content_sha256();
        let id = format!("{LOCAL_PREFIX}{}", &sha256[..12]);
        manifest.dataset = id.clone();
        Ok(Packed {
            id,
            sha256,
            manifest,
            shards,
        })
    }
}

/// One split's source among labelled files; `split` is None for a set to hold out from.
enum Part {
    Ready(Dataset),
    Csv(CsvReader<'static>),
}

enum Work {
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

/// A conversion in progress: `new`, then `step` until it returns true, then `finish`.
pub struct Import {
    options: ImportOptions,
    work: Work,
    skipped: Vec<String>,
}

impl Import {
    /// Unpacks zips, tells the format from the files' content, and reads what is quick to read
    /// (IDX and NPY arrays); CSV rows and pictures are left for `step`.
    pub fn new(files: Vec<InputFile>, options: ImportOptions) -> Result<Import, ImportError> {
        let files = unpacked(files)?;
        if files.is_empty() {
            return Err(ImportError::NoFiles);
        }
        let (mut data, mut skipped) = (Vec::new(), Vec::new());
        let mut kinds = Vec::new();
        for file in files {
            let kind = if file.path.ends_with('/') {
                FileKind::Unknown
            } else {
                sniff(&file.bytes)
            };
            if is_hidden(&file.path) {
                skipped.push(file.path);
                continue;
            }
            kinds.push(kind);
            data.push(file);
        }
        let pictures = kinds.iter().filter(|&&k| k == FileKind::Picture).count();
        let work = if pictures > 0 || data.iter().all(|f| f.path.ends_with('/')) {
            picture_work(data, &kinds, &mut skipped)?
        } else {
            // Folders only matter to a picture folder's classes.
            let (files, kinds): (Vec<_>, Vec<_>) = data
                .into_iter()
                .zip(kinds)
                .filter(|(f, _)| !f.path.ends_with('/'))
                .unzip();
            labelled_work(files, &kinds, &options)?
        };
        Ok(Import {
            options,
            work,
            skipped,
        })
    }

    /// Reads up to `budget` more CSV rows or pictures; true when everything is read.
    pub fn step(&mut self, budget: usize) -> Result<bool, ImportError> {
        match &mut self.work {
            Work::Labelled { parts, .. } => {
                let Some(reader) = parts.iter_mut().find_map(|(_, part)| match part {
                    Part::Csv(reader) if reader.bytes_read() < reader.total_bytes() => Some(reader),
                    _ => None,
                }) else {
                    return Ok(true);
                };
                reader.step(budget.max(1))?;
                Ok(false)
            }
            Work::Pictures {
                files,
                layout,
                decoded,
            } => {
                let start = decoded.len();
                let end = (start + budget.max(1)).min(layout.pictures.len());
                for picture in &layout.pictures[start..end] {
                    let file = &files[picture.index];
                    decoded.push(decode_picture(&file.path, &file.bytes)?);
                }
                Ok(end == layout.pictures.len())
            }
        }
    }

    pub fn progress(&self) -> ImportProgress {
        match &self.work {
            Work::Labelled { parts, .. } => {
                let (done, total) = parts.iter().fold((0, 0), |(d, t), (_, part)| match part {
                    Part::Csv(reader) => (d + reader.bytes_read(), t + reader.total_bytes()),
                    Part::Ready(_) => (d, t),
                });
                ImportProgress {
                    unit: "bytes",
                    done,
                    total,
                }
            }
            Work::Pictures {
                layout, decoded, ..
            } => ImportProgress {
                unit: "pictures",
                done: decoded.len(),
                total: layout.pictures.len(),
            },
        }
    }

    /// Reads whatever `step` has not, then checks and splits the whole.
    pub fn finish(mut self) -> Result<Imported, ImportError> {
        while !self.step(usize::MAX / 2)? {}
        let Import {
            options,
            work,
            skipped,
        } = self;
        let (format, sets, class_names) = match work {
            Work::Labelled { format, parts } => {
                let mut sets = Vec::new();
                for (split, part) in parts {
                    let data = match part {
                        Part::Ready(data) => data,
                        Part::Csv(reader) => reader.finish()?,
                    };
                    sets.push((split, data));
                }
                (format, sets, Vec::new())
            }
            Work::Pictures {
                files,
                layout,
                decoded,
            } => {
                let sets = picture_sets(&files, &layout, decoded, options.resize)?;
                (PICTURES, sets, layout.classes)
            }
        };
        assemble(options, format, sets, class_names, skipped)
    }
}

const PICTURES: &str = "pictures";

/// The whole conversion at once: what `convert` does.
pub fn import(files: Vec<InputFile>, options: ImportOptions) -> Result<Imported, ImportError> {
    Import::new(files, options)?.finish()
}

/// The files, with every zip replaced by its entries (`archive.zip/cats/1.png`).
fn unpacked(files: Vec<InputFile>) -> Result<Vec<InputFile>, ImportError> {
    let mut out = Vec::new();
    for file in files {
        if sniff(&file.bytes) != FileKind::Zip {
            out.push(file);
            continue;
        }
        for entry in read_zip(&file.path, &file.bytes)? {
            out.push(InputFile {
                path: format!("{}/{}", file.path, entry.path),
                bytes: entry.bytes,
            });
        }
    }
    Ok(out)
}

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

fn labelled_work(
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
            let (images, labels): (Vec<_>, Vec<_>) = files
                .into_iter()
                .zip(kinds)
                .map(|(f, &k)| (f.path, (k, f.bytes)))
                .partition(|(_, (k, _))| *k == FileKind::IdxImages);
            let strip = |v: Vec<(String, (FileKind, Vec<u8>))>| -> Vec<(String, Vec<u8>)> {
                v.into_iter().map(|(p, (_, b))| (p, b)).collect()
            };
            let sets = pairs(
                strip(images),
                strip(labels),
                "IDX images files and labels files",
            )?
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

fn picture_work(
    files: Vec<InputFile>,
    kinds: &[FileKind],
    skipped: &mut Vec<String>,
) -> Result<Work, ImportError> {
    // A file named as a picture is decoded, so a damaged one is an error, not silently left out.
    let named_picture = |path: &str| {
        let lower = path.to_ascii_lowercase();
        [".png", ".jpg", ".jpeg"].iter().any(|e| lower.ends_with(e))
    };
    let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    let picture: Vec<bool> = (0..files.len())
        .map(|i| kinds[i] == FileKind::Picture || named_picture(&paths[i]))
        .collect();
    for (path, &is) in paths.iter().zip(&picture) {
        if !is && !path.ends_with('/') {
            skipped.push(path.clone());
        }
    }
    if !picture.contains(&true) {
        return Err(ImportError::NoPictures { files: files.len() });
    }
    let layout = layout(&paths, &picture).map_err(|e| match e {
        LayoutError::NoClassFolder { path } => ImportError::NoClassFolder { path },
        LayoutError::UnknownTestClass { path, class } => {
            ImportError::UnknownTestClass { path, class }
        }
    })?;
    if let Some(class) = &layout.empty_class {
        return Err(ImportError::EmptyClass {
            class: class.clone(),
            place: "its folder holds no pictures".to_string(),
        });
    }
    check_class_count(&layout.classes)?;
    Ok(Work::Pictures {
        files,
        layout,
        decoded: Vec::new(),
    })
}

/// The decoded pictures as data sets (one, or train and test), all at the first's size.
fn picture_sets(
    files: &[InputFile],
    layout: &FolderLayout,
    decoded: Vec<GreyImage>,
    resize: bool,
) -> Result<Vec<(Option<Split>, Dataset)>, ImportError> {
    let first = &decoded[0];
    let first_file = &files[layout.pictures[0].index].path;
    let (rows, cols) = (first.rows, first.cols);
    if rows > MAX_SIDE || cols > MAX_SIDE {
        return Err(ImportError::TooLarge {
            file: first_file.clone(),
            rows,
            cols,
        });
    }
    let mut sets: Vec<(Option<Split>, Dataset)> = Vec::new();
    for (picture, image) in layout.pictures.iter().zip(decoded) {
        let image = if (image.rows, image.cols) == (rows, cols) {
            image
        } else if resize {
            resized(&image, rows, cols)
        } else {
            return Err(ImportError::PictureSize {
                file: files[picture.index].path.clone(),
                rows: image.rows,
                cols: image.cols,
                first: first_file.clone(),
                first_rows: rows,
                first_cols: cols,
            });
        };
        let set = match sets.iter_mut().find(|(s, _)| *s == picture.split) {
            Some((_, set)) => set,
            None => {
                sets.push((
                    picture.split,
                    Dataset::new(rows, cols, Vec::new(), Vec::new()),
                ));
                &mut sets.last_mut().expect("just pushed").1
            }
        };
        set.labels.push(picture.label as u8);
        set.pixels.extend_from_slice(&image.pixels);
    }
    // Train first, whatever order the folders came in.
    sets.sort_by_key(|(split, _)| *split != Some(Split::Train));
    Ok(sets)
}

fn check_class_count(names: &[String]) -> Result<(), ImportError> {
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
fn assemble(
    options: ImportOptions,
    format: &'static str,
    sets: Vec<(Option<Split>, Dataset)>,
    class_names: Vec<String>,
    skipped: Vec<String>,
) -> Result<Imported, ImportError> {
    let mut sets: VecDeque<_> = sets.into();
    let (train, test, split) = match (sets.pop_front(), sets.pop_front()) {
        (Some((None, whole)), None) => {
            let (train, test) = held_out(&whole, options.seed);
            (train, test, held_out_rule(options.seed))
        }
        (Some((_, train)), Some((_, test))) => (train, test, GIVEN_SPLIT.to_string()),
        (Some((_, train)), None) => (train, Dataset::default(), GIVEN_SPLIT.to_string()),
        (None, _) => (
            Dataset::default(),
            Dataset::default(),
            GIVEN_SPLIT.to_string(),
        ),
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

//! A visitor's own data set, from the files they give: IDX pairs, CSV, NPY pairs, or a folder
//! (or zip) of pictures in class folders. Both doors convert through here: `convert` natively,
//! the page in its worker, a few rows or pictures per `step` so it can show progress and cancel.
//! Nothing is kept until `finish` has checked the whole: no half-converted data set exists.

mod assemble;
mod error;
mod labelled;
mod pictures;
mod sources;

pub use assemble::Imported;
pub use error::ImportError;
pub use sources::{ImportOptions, InputFile};

use super::folder::{is_folder, is_hidden};
use super::manifest::{EncodedShard, Manifest};
use super::picture::decode_picture;
use super::shard::ShardError;
use super::sniff::{sniff, FileKind};
use super::zip::read_zip;
use assemble::assemble;
use labelled::labelled_work;
use pictures::{picture_sets, picture_work, PICTURES};
use sources::{Part, Work};

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

/// How far a conversion has got: `done` of `total` `unit`s ("bytes" of CSV, "pictures").
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ImportProgress {
    pub unit: &'static str,
    pub done: usize,
    pub total: usize,
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
        let (mut data, mut kinds, mut skipped) = (Vec::new(), Vec::new(), Vec::new());
        for (file, kind) in files {
            if is_hidden(&file.path) {
                skipped.push(file.path);
            } else {
                data.push(file);
                kinds.push(kind);
            }
        }
        let work = if kinds.contains(&FileKind::Picture) || data.iter().all(|f| is_folder(&f.path))
        {
            picture_work(data, &kinds, &mut skipped)?
        } else {
            // Folders only matter to a picture folder's classes.
            let (files, kinds): (Vec<_>, Vec<_>) = data
                .into_iter()
                .zip(kinds)
                .filter(|(f, _)| !is_folder(&f.path))
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

/// The whole conversion at once: what `convert` does.
pub fn import(files: Vec<InputFile>, options: ImportOptions) -> Result<Imported, ImportError> {
    Import::new(files, options)?.finish()
}

/// The files, with every zip replaced by its entries (`archive.zip/cats/1.png`), each with its
/// kind, told once (a folder's is `Unknown`).
fn unpacked(files: Vec<InputFile>) -> Result<Vec<(InputFile, FileKind)>, ImportError> {
    let kind_of = |file: &InputFile| match is_folder(&file.path) {
        true => FileKind::Unknown,
        false => sniff(&file.bytes),
    };
    let mut out = Vec::new();
    for file in files {
        let kind = kind_of(&file);
        if kind != FileKind::Zip {
            out.push((file, kind));
            continue;
        }
        for entry in read_zip(&file.path, &file.bytes)? {
            let entry = InputFile {
                path: format!("{}/{}", file.path, entry.path),
                bytes: entry.bytes,
            };
            let kind = kind_of(&entry);
            out.push((entry, kind));
        }
    }
    Ok(out)
}

//! A picture folder: its layout from the paths, then the decoded pictures as data sets of one
//! size (resized to the first picture's only when asked).

use super::assemble::check_class_count;
use super::error::ImportError;
use super::sources::{InputFile, Work};
use crate::data::folder::{is_folder, layout, FolderLayout, LayoutError};
use crate::data::manifest::Split;
use crate::data::picture::{resized, GreyImage};
use crate::data::sniff::FileKind;
use crate::data::{Dataset, MAX_SIDE};

pub(super) const PICTURES: &str = "pictures";

pub(super) fn picture_work(
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
        if !is && !is_folder(path) {
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
pub(super) fn picture_sets(
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
    // Train then test when the folder gave them, else one set to hold a test split out of.
    let splits = match layout.split_given {
        true => vec![Some(Split::Train), Some(Split::Test)],
        false => vec![None],
    };
    let empty = |split| (split, Dataset::new(rows, cols, Vec::new(), Vec::new()));
    let mut sets: Vec<(Option<Split>, Dataset)> = splits.into_iter().map(empty).collect();
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
        // `layout` gives a picture a split exactly when the folder gave them.
        let set = match picture.split {
            Some(Split::Test) => &mut sets[1].1,
            _ => &mut sets[0].1,
        };
        set.labels.push(picture.label as u8);
        set.pixels.extend_from_slice(&image.pixels);
    }
    Ok(sets)
}

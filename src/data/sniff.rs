//! What a file holds, told from its first bytes, never from its name: a visitor's `digits.dat`
//! may be IDX, and `train.csv.gz` may be anything.

use std::io::Read;

use flate2::read::GzDecoder;

use super::idx::{GZIP_MAGIC, IMAGES_MAGIC, LABELS_MAGIC};
use super::picture::is_picture;
use super::zip::is_zip;
use crate::npy::NPY_MAGIC;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    IdxImages,
    IdxLabels,
    Npy,
    Csv,
    Zip,
    Picture,
    Unknown,
}

impl FileKind {
    /// The format's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::IdxImages => "an IDX images file",
            FileKind::IdxLabels => "an IDX labels file",
            FileKind::Npy => "a NumPy .npy array",
            FileKind::Csv => "a CSV file",
            FileKind::Zip => "a zip archive",
            FileKind::Picture => "a PNG or JPEG picture",
            FileKind::Unknown => "not a format the converter reads",
        }
    }
}

/// The kind of `bytes`. An IDX file may be gzipped; the others are read as they are.
pub fn sniff(bytes: &[u8]) -> FileKind {
    if bytes.starts_with(&GZIP_MAGIC) {
        // Only the magic is needed: four bytes of the stream, not the whole file.
        let mut head = [0; 4];
        return match GzDecoder::new(bytes).read_exact(&mut head) {
            Ok(()) => idx_kind(head),
            Err(_) => FileKind::Unknown,
        };
    }
    if let Some(head) = bytes.first_chunk::<4>() {
        let kind = idx_kind(*head);
        if kind != FileKind::Unknown {
            return kind;
        }
    }
    if bytes.starts_with(NPY_MAGIC) {
        FileKind::Npy
    } else if is_zip(bytes) {
        FileKind::Zip
    } else if is_picture(bytes) {
        FileKind::Picture
    } else if looks_like_csv(bytes) {
        FileKind::Csv
    } else {
        FileKind::Unknown
    }
}

fn idx_kind(head: [u8; 4]) -> FileKind {
    match u32::from_be_bytes(head) {
        IMAGES_MAGIC => FileKind::IdxImages,
        LABELS_MAGIC => FileKind::IdxLabels,
        _ => FileKind::Unknown,
    }
}

/// Text whose first line holds a comma: the CSV parser then says exactly what is wrong with it.
fn looks_like_csv(bytes: &[u8]) -> bool {
    // Spreadsheets often save UTF-8 with a byte order mark.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let head = &bytes[..bytes.len().min(4096)];
    let first_line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let text = |b: &u8| b.is_ascii_graphic() || b" \t\r\n".contains(b);
    !head.is_empty() && head.iter().all(text) && first_line.contains(&b',')
}

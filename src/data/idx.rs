//! The IDX files MNIST and Fashion-MNIST are distributed as (gzipped or raw), and the digest of
//! the uncompressed images file rebuilt from a `Dataset`, which SPEC.md gives for MNIST.
//!
//! IDX is big-endian: magic 0x00000803 (images) or 0x00000801 (labels), then a u32 count, then
//! for images u32 rows and u32 cols, then the u8 data.

use std::borrow::Cow;
use std::io::Read;

use flate2::read::GzDecoder;
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::{shard::hex, Dataset, MAX_SIDE};

pub const IMAGES_MAGIC: u32 = 0x0000_0803;
pub const LABELS_MAGIC: u32 = 0x0000_0801;
/// A gzipped file, such as the IDX files as distributed.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Why an IDX pair was rejected. `file` is "images" or "labels"; offsets are bytes into the
/// uncompressed file.
#[derive(Debug, Error)]
pub enum IdxError {
    #[error("IDX {file} file: corrupt gzip data: {reason}")]
    Gzip { file: &'static str, reason: String },
    #[error(
        "IDX {file} file: truncated, ends at byte offset {offset} but {needed} bytes are needed"
    )]
    Truncated {
        file: &'static str,
        offset: usize,
        needed: u128,
    },
    #[error("IDX {file} file: magic {found:#010x} at byte offset 0, expected {expected:#010x}")]
    WrongMagic {
        file: &'static str,
        found: u32,
        expected: u32,
    },
    #[error("IDX {file} file: {extra} unexpected bytes after the data, from byte offset {offset}")]
    TrailingBytes {
        file: &'static str,
        offset: usize,
        extra: usize,
    },
    #[error("IDX files disagree: {images} images but {labels} labels")]
    CountMismatch { images: u32, labels: u32 },
    #[error(
        "IDX images file: images of {rows}x{cols}, but they must be 1x1 to {MAX_SIDE}x{MAX_SIDE}"
    )]
    BadDims { rows: u32, cols: u32 },
}

/// Reads an images file and its labels file, each gzipped or raw.
pub fn read_idx(images: &[u8], labels: &[u8]) -> Result<Dataset, IdxError> {
    let images = gunzip_if_needed("images", images)?;
    let labels = gunzip_if_needed("labels", labels)?;
    let (image_dims, pixels) = idx_body("images", &images, IMAGES_MAGIC, 3)?;
    let (label_dims, label_bytes) = idx_body("labels", &labels, LABELS_MAGIC, 1)?;
    if image_dims[0] != label_dims[0] {
        return Err(IdxError::CountMismatch {
            images: image_dims[0],
            labels: label_dims[0],
        });
    }
    let (rows, cols) = (image_dims[1], image_dims[2]);
    let side = 1..=MAX_SIDE as u32;
    if !side.contains(&rows) || !side.contains(&cols) {
        return Err(IdxError::BadDims { rows, cols });
    }
    Ok(Dataset {
        rows: image_dims[1] as usize,
        cols: image_dims[2] as usize,
        labels: label_bytes.to_vec(),
        pixels: pixels.to_vec(),
    })
}

fn gunzip_if_needed<'a>(file: &'static str, bytes: &'a [u8]) -> Result<Cow<'a, [u8]>, IdxError> {
    if !bytes.starts_with(&GZIP_MAGIC) {
        return Ok(Cow::Borrowed(bytes));
    }
    let mut out = Vec::new();
    GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| IdxError::Gzip {
            file,
            reason: e.to_string(),
        })?;
    Ok(Cow::Owned(out))
}

/// Checks magic and length; returns the `rank` dimensions (count first) and the data bytes.
fn idx_body<'a>(
    file: &'static str,
    bytes: &'a [u8],
    magic: u32,
    rank: usize,
) -> Result<(Vec<u32>, &'a [u8]), IdxError> {
    let header_len = 4 + 4 * rank;
    let truncated = |needed: u128| IdxError::Truncated {
        file,
        offset: bytes.len(),
        needed,
    };
    let Some(header) = bytes.get(..header_len) else {
        return Err(truncated(header_len as u128));
    };
    let words: Vec<u32> = header
        .chunks_exact(4)
        .map(|w| u32::from_be_bytes([w[0], w[1], w[2], w[3]]))
        .collect();
    if words[0] != magic {
        return Err(IdxError::WrongMagic {
            file,
            found: words[0],
            expected: magic,
        });
    }
    let dims = words[1..].to_vec();
    // u128: a product of three u32 cannot overflow it.
    let data_len: u128 = dims.iter().map(|&d| u128::from(d)).product();
    let needed = header_len as u128 + data_len;
    let actual = bytes.len() as u128;
    if actual < needed {
        return Err(truncated(needed));
    }
    if actual > needed {
        return Err(IdxError::TrailingBytes {
            file,
            offset: needed as usize,
            extra: (actual - needed) as usize,
        });
    }
    Ok((dims, &bytes[header_len..]))
}

/// The uncompressed IDX images file for `data` (what `gunzip train-images-idx3-ubyte.gz` gives).
pub fn idx_images_bytes(data: &Dataset) -> Vec<u8> {
    let mut out = idx_images_header(data).to_vec();
    out.extend_from_slice(&data.pixels);
    out
}

/// SHA-256 (lowercase hex) of `idx_images_bytes(data)`, without building the copy.
pub fn idx_images_sha256(data: &Dataset) -> String {
    let mut hasher = Sha256::new();
    hasher.update(idx_images_header(data));
    hasher.update(&data.pixels);
    hex(&hasher.finalize())
}

/// The uncompressed IDX labels file for `data`.
pub fn idx_labels_bytes(data: &Dataset) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + data.len());
    out.extend_from_slice(&LABELS_MAGIC.to_be_bytes());
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(&data.labels);
    out
}

fn idx_images_header(data: &Dataset) -> [u8; 16] {
    let mut header = [0; 16];
    let words = [
        IMAGES_MAGIC,
        data.len() as u32,
        data.rows as u32,
        data.cols as u32,
    ];
    for (chunk, word) in header.chunks_exact_mut(4).zip(words) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    header
}

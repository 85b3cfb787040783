//! The shard format served to the page: a small uncompressed header, then one zlib stream.
//!
//! ```text
//! offset  size  field (little-endian)
//!      0     4  magic b"BRSH"
//!      4     4  format version (FORMAT_VERSION)
//!      8     4  count: examples in this shard
//!     12     4  rows (28 for MNIST; 1 to MAX_SIDE)
//!     16     4  cols
//!     20     4  payload length: bytes of the zlib stream that follows
//!     24     …  zlib( count labels, then count * rows * cols pixels, row-major u8 )
//! ```

use std::io::{self, Read, Write};

use flate2::{bufread::ZlibDecoder, write::ZlibEncoder, Compression};
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::{Dataset, MAX_SIDE};

pub const MAGIC: [u8; 4] = *b"BRSH";
pub const FORMAT_VERSION: u32 = 1;
pub const HEADER_LEN: usize = 24;
/// Examples per shard written by the converter (60,000 train -> 12 shards, 10,000 test -> 2).
pub const SHARD_EXAMPLES: usize = 5000;
/// Fixed so the converter's output is byte-identical from run to run.
const COMPRESSION_LEVEL: u32 = 9;
/// A header may lie about its count; never reserve more than this up front.
const MAX_RESERVE: usize = 16 << 20;

// Byte offsets of the header fields, reported in errors.
const VERSION_AT: usize = 4;
const COUNT_AT: usize = 8;
const DIMS_AT: usize = 12;
const PAYLOAD_LEN_AT: usize = 20;

/// Why a shard was rejected. Every variant names the shard; offsets are bytes into the file.
#[derive(Debug, Error)]
pub enum ShardError {
    #[error("shard {shard}: empty file")]
    Empty { shard: String },
    #[error(
        "shard {shard}: truncated, file ends at byte offset {offset} but {needed} bytes are needed"
    )]
    Truncated {
        shard: String,
        offset: usize,
        needed: u64,
    },
    #[error("shard {shard}: wrong magic b\"{}\" at byte offset 0, expected b\"BRSH\"", found.escape_ascii())]
    WrongMagic { shard: String, found: [u8; 4] },
    #[error("shard {shard}: unsupported format version {version} at byte offset {VERSION_AT}, this build reads {FORMAT_VERSION}")]
    UnsupportedVersion { shard: String, version: u32 },
    #[error(
        "shard {shard}: images are {rows}x{cols} (byte offset {DIMS_AT}), expected {expected}"
    )]
    BadDims {
        shard: String,
        rows: u32,
        cols: u32,
        /// "1x1 to 64x64", or the manifest's size.
        expected: String,
    },
    #[error(
        "shard {shard}: {extra} unexpected bytes after the payload, from byte offset {offset}"
    )]
    TrailingBytes {
        shard: String,
        offset: usize,
        extra: usize,
    },
    #[error("shard {shard}: header count {declared} (byte offset {COUNT_AT}) needs {expected} payload bytes, but the payload decompresses to {found}")]
    CountMismatch {
        shard: String,
        declared: u32,
        expected: u64,
        found: u64,
    },
    #[error("shard {shard}: SHA-256 {found} does not match the manifest's {expected}")]
    ChecksumMismatch {
        shard: String,
        expected: String,
        found: String,
    },
    #[error(
        "shard {shard}: corrupt compressed payload, detected at byte offset {offset}: {reason}"
    )]
    CorruptPayload {
        shard: String,
        offset: usize,
        reason: String,
    },
    #[error("shard {shard}: holds {found} examples but the manifest lists {listed}")]
    ManifestCount {
        shard: String,
        listed: usize,
        found: usize,
    },
    #[error("shard {shard} is not in the manifest")]
    NotInManifest { shard: String },
    #[error("shard {shard}: label {value} of example {index} is not a class 0-{}", classes - 1)]
    LabelOutOfRange {
        shard: String,
        index: usize,
        value: u8,
        classes: usize,
    },
}

/// Lowercase hex SHA-256, the form the manifest lists.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub(crate) fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `data` as one shard.
///
/// Panics if labels and pixels disagree on the count or a size does not fit the u32 header
/// fields (the converter only writes 5,000-example shards of images at most 64x64).
pub fn encode_shard(data: &Dataset) -> Vec<u8> {
    assert_eq!(
        data.labels.len() * data.input_dim(),
        data.pixels.len(),
        "one label per image"
    );
    let field = |n: usize| u32::try_from(n).expect("shard sizes fit in u32");
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::new(COMPRESSION_LEVEL));
    // Writing into a Vec cannot fail.
    encoder.write_all(&data.labels).expect("write to Vec");
    encoder.write_all(&data.pixels).expect("write to Vec");
    let payload = encoder.finish().expect("write to Vec");

    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&MAGIC);
    for value in [
        FORMAT_VERSION,
        field(data.len()),
        field(data.rows),
        field(data.cols),
        field(payload.len()),
    ] {
        out.extend_from_slice(&value.to_le_bytes());
    }
    out.extend_from_slice(&payload);
    out
}

/// Validates and decodes one shard of images up to MAX_SIDE a side. `name` only labels errors;
/// `expected_sha256` (lowercase hex, from the manifest) is checked when given. The labels are
/// checked against the manifest's classes by `Manifest::decode`. Never panics, whatever the bytes.
pub fn decode_shard(
    name: &str,
    bytes: &[u8],
    expected_sha256: Option<&str>,
) -> Result<Dataset, ShardError> {
    let shard = || name.to_string();
    if bytes.is_empty() {
        return Err(ShardError::Empty { shard: shard() });
    }
    let Some((header, body)) = bytes.split_first_chunk::<HEADER_LEN>() else {
        return Err(ShardError::Truncated {
            shard: shard(),
            offset: bytes.len(),
            needed: HEADER_LEN as u64,
        });
    };
    let field = |at: usize| {
        u32::from_le_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };

    let found = [header[0], header[1], header[2], header[3]];
    if found != MAGIC {
        return Err(ShardError::WrongMagic {
            shard: shard(),
            found,
        });
    }
    let version = field(VERSION_AT);
    if version != FORMAT_VERSION {
        return Err(ShardError::UnsupportedVersion {
            shard: shard(),
            version,
        });
    }
    let (count, rows, cols) = (field(COUNT_AT), field(DIMS_AT), field(DIMS_AT + 4));
    let side = 1..=MAX_SIDE as u32;
    if !side.contains(&rows) || !side.contains(&cols) {
        return Err(ShardError::BadDims {
            shard: shard(),
            rows,
            cols,
            expected: format!("1x1 to {MAX_SIDE}x{MAX_SIDE}"),
        });
    }
    let payload_len = field(PAYLOAD_LEN_AT) as usize;
    if body.len() < payload_len {
        return Err(ShardError::Truncated {
            shard: shard(),
            offset: bytes.len(),
            // In u64: on wasm32 a usize sum could overflow.
            needed: HEADER_LEN as u64 + payload_len as u64,
        });
    }
    if body.len() > payload_len {
        return Err(ShardError::TrailingBytes {
            shard: shard(),
            offset: HEADER_LEN + payload_len,
            extra: body.len() - payload_len,
        });
    }
    if let Some(expected) = expected_sha256 {
        let found = sha256_hex(bytes);
        if !found.eq_ignore_ascii_case(expected.trim()) {
            return Err(ShardError::ChecksumMismatch {
                shard: shard(),
                expected: expected.to_string(),
                found,
            });
        }
    }

    let (rows, cols) = (rows as usize, cols as usize);
    let (labels, pixels) = inflate(name, body, count, rows * cols)?;
    Ok(Dataset {
        rows,
        cols,
        labels,
        pixels,
    })
}

/// Decompresses the payload into labels and pixels, reading at most what `count` declares.
/// Memory grows with the data actually present, so a lying header cannot force a huge allocation.
fn inflate(
    name: &str,
    payload: &[u8],
    count: u32,
    input_dim: usize,
) -> Result<(Vec<u8>, Vec<u8>), ShardError> {
    let label_bytes = u64::from(count);
    let pixel_bytes = label_bytes * input_dim as u64;
    let mut decoder = ZlibDecoder::new(payload);
    let corrupt = |decoder: &ZlibDecoder<&[u8]>, err: io::Error| ShardError::CorruptPayload {
        shard: name.to_string(),
        offset: HEADER_LEN + decoder.total_in() as usize,
        reason: err.to_string(),
    };

    let mut labels = Vec::new();
    let mut pixels = Vec::new();
    let mut found = 0;
    for (buf, len) in [(&mut labels, label_bytes), (&mut pixels, pixel_bytes)] {
        buf.reserve(len.min(MAX_RESERVE as u64) as usize);
        found += (&mut decoder)
            .take(len)
            .read_to_end(buf)
            .map_err(|e| corrupt(&decoder, e))? as u64;
    }
    // Anything left in the stream is more data than the header declared; count it, keep none.
    found += io::copy(&mut decoder, &mut io::sink()).map_err(|e| corrupt(&decoder, e))?;
    let expected = label_bytes + pixel_bytes;
    if found != expected {
        return Err(ShardError::CountMismatch {
            shard: name.to_string(),
            declared: count,
            expected,
            found,
        });
    }
    let unread = decoder.get_ref().len();
    if unread > 0 {
        return Err(ShardError::CorruptPayload {
            shard: name.to_string(),
            offset: HEADER_LEN + payload.len() - unread,
            reason: format!("{unread} bytes after the end of the zlib stream"),
        });
    }
    Ok((labels, pixels))
}

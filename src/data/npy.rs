//! NumPy `.npy` files (`np.save`), for visitors whose data set is a pair of arrays: images
//! `[N, H, W]` or `[N, H·W]` and labels `[N]`.
//!
//! ```text
//! offset  size  field
//!      0     6  magic b"\x93NUMPY"
//!      6     2  format version: 1.0, or 2.0 and 3.0 (which widen the header length)
//!      8   2|4  header length, little-endian (u16 in 1.0, u32 in 2.0 and 3.0)
//!  10|12     …  header: a Python dict literal, space-padded, ending in '\n', e.g.
//!               {'descr': '|u1', 'fortran_order': False, 'shape': (60000, 28, 28), }
//!      …     …  the values, C order
//! ```
//!
//! The header is parsed here by hand, as the rest of the format is (src/npy.rs says why). Values
//! must be integers 0-255: uint8, or any integer type holding only 0-255, since NumPy saves
//! labels as int64 by default. Nothing is allocated beyond the data actually in the file.

use thiserror::Error;

use super::{Dataset, MAX_SIDE};
use crate::npy::NPY_MAGIC as MAGIC;

const VERSION_AT: usize = 6;
const HEADER_LEN_AT: usize = 8;

/// An array of values 0-255 in C order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NpyArray {
    pub shape: Vec<usize>,
    pub values: Vec<u8>,
}

/// Why an .npy file was rejected. Every variant names the file; those about the bytes give the
/// byte offset, those about the array give its shape.
#[derive(Debug, Error)]
pub enum NpyError {
    #[error("npy {file}: wrong magic b\"{}\" at byte offset 0, expected b\"\\x93NUMPY\" (is it an .npy file saved by np.save?)", found.escape_ascii())]
    WrongMagic { file: String, found: Vec<u8> },
    #[error("npy {file}: unsupported format version {major}.{minor} at byte offset {VERSION_AT}, this reads 1.0, 2.0 and 3.0")]
    UnsupportedVersion { file: String, major: u8, minor: u8 },
    #[error("npy {file}: truncated, ends at byte offset {offset} but {needed} bytes are needed")]
    Truncated {
        file: String,
        offset: usize,
        needed: u128,
    },
    #[error("npy {file}: malformed header at byte offset {offset}: {reason}")]
    Malformed {
        file: String,
        offset: usize,
        reason: String,
    },
    #[error("npy {file}: dtype '{descr}' (header at byte offset {offset}) is not supported: pixels must be uint8 0-255 and labels integers 0-255 (np.save(f, a.astype(np.uint8)))")]
    UnsupportedDtype {
        file: String,
        offset: usize,
        descr: String,
    },
    #[error("npy {file}: the array is in Fortran order (header at byte offset {offset}); save it with np.save(f, np.ascontiguousarray(a))")]
    FortranOrder { file: String, offset: usize },
    #[error("npy {file}: {extra} unexpected bytes after the data, from byte offset {offset}")]
    TrailingBytes {
        file: String,
        offset: usize,
        extra: usize,
    },
    #[error("npy {file}: value {value} of element {index} (byte offset {offset}) is out of the range 0-255")]
    OutOfRange {
        file: String,
        index: usize,
        offset: usize,
        value: i128,
    },
    #[error("npy {file}: images of shape {shape:?}: {reason}")]
    ImageShape {
        file: String,
        shape: Vec<usize>,
        reason: String,
    },
    #[error("npy {file}: labels of shape {shape:?}, expected one dimension [N]")]
    LabelShape { file: String, shape: Vec<usize> },
    #[error("npy files disagree: {images_file} holds {images} images but {labels_file} holds {labels} labels")]
    CountMismatch {
        images_file: String,
        images: usize,
        labels_file: String,
        labels: usize,
    },
}

/// The header's three entries.
struct Header {
    descr: String,
    fortran_order: bool,
    shape: Vec<u64>,
}

/// Reads one .npy array of integers 0-255 (module doc). `file` only labels errors. Never panics,
/// whatever the bytes.
pub fn read_npy(file: &str, bytes: &[u8]) -> Result<NpyArray, NpyError> {
    let truncated = |needed: u128| NpyError::Truncated {
        file: file.to_string(),
        offset: bytes.len(),
        needed,
    };
    let Some(prefix) = bytes.get(..HEADER_LEN_AT) else {
        return Err(if MAGIC.starts_with(bytes) {
            truncated(HEADER_LEN_AT as u128)
        } else {
            wrong_magic(file, bytes)
        });
    };
    if !prefix.starts_with(MAGIC) {
        return Err(wrong_magic(file, bytes));
    }
    let (major, minor) = (prefix[VERSION_AT], prefix[VERSION_AT + 1]);
    let width = match (major, minor) {
        (1, 0) => 2,
        (2, 0) | (3, 0) => 4,
        _ => {
            return Err(NpyError::UnsupportedVersion {
                file: file.to_string(),
                major,
                minor,
            })
        }
    };
    let header_start = HEADER_LEN_AT + width;
    let Some(len_bytes) = bytes.get(HEADER_LEN_AT..header_start) else {
        return Err(truncated(header_start as u128));
    };
    let header_len = len_bytes
        .iter()
        .rev()
        .fold(0u64, |len, &b| len << 8 | u64::from(b));
    let data_start = header_start as u128 + u128::from(header_len);
    if (bytes.len() as u128) < data_start {
        return Err(truncated(data_start));
    }
    let data_start = data_start as usize;
    let header = parse_header(file, &bytes[header_start..data_start], header_start)?;

    let (little_endian, signed, size) =
        dtype(&header.descr).ok_or_else(|| NpyError::UnsupportedDtype {
            file: file.to_string(),
            offset: header_start,
            descr: header.descr.clone(),
        })?;
    if header.fortran_order && header.shape.len() > 1 {
        return Err(NpyError::FortranOrder {
            file: file.to_string(),
            offset: header_start,
        });
    }
    // In u128 and saturating: a lying shape gives a huge need, which the file cannot meet.
    let count = header
        .shape
        .iter()
        .fold(1u128, |count, &d| count.saturating_mul(u128::from(d)));
    let needed = (data_start as u128).saturating_add(count.saturating_mul(size as u128));
    let actual = bytes.len() as u128;
    if actual < needed {
        return Err(truncated(needed));
    }
    if actual > needed {
        return Err(NpyError::TrailingBytes {
            file: file.to_string(),
            offset: needed as usize,
            extra: (actual - needed) as usize,
        });
    }
    // The data is all there, so its length fits in usize; a dimension may not (beside a 0).
    let data = &bytes[data_start..];
    let shape = header
        .shape
        .iter()
        .map(|&d| usize::try_from(d))
        .collect::<Result<_, _>>()
        .map_err(|_| NpyError::Malformed {
            file: file.to_string(),
            offset: header_start,
            reason: format!("a dimension of {:?} is too large", header.shape),
        })?;
    let values = if size == 1 && !signed {
        data.to_vec()
    } else {
        let mut values = Vec::with_capacity(data.len() / size);
        for (index, item) in data.chunks_exact(size).enumerate() {
            let value = integer(item, little_endian, signed);
            match u8::try_from(value) {
                Ok(value) => values.push(value),
                Err(_) => {
                    return Err(NpyError::OutOfRange {
                        file: file.to_string(),
                        index,
                        offset: data_start + index * size,
                        value,
                    })
                }
            }
        }
        values
    };
    Ok(NpyArray { shape, values })
}

/// (rows, cols) of each image in an images array of `shape` [N, H, W], or [N, H·W] with H = W
/// or `width` given.
pub fn image_size(
    file: &str,
    shape: &[usize],
    width: Option<usize>,
) -> Result<(usize, usize), NpyError> {
    let error = |reason: String| NpyError::ImageShape {
        file: file.to_string(),
        shape: shape.to_vec(),
        reason,
    };
    let (rows, cols) = match (shape, width) {
        (&[_, rows, cols], None) => (rows, cols),
        (&[_, rows, cols], Some(width)) if width == cols => (rows, cols),
        (&[_, _, cols], Some(width)) => {
            return Err(error(format!(
                "width {width} given but the images are {cols} wide"
            )))
        }
        (&[_, pixels], Some(width)) => {
            if width == 0 || pixels % width != 0 {
                return Err(error(format!(
                    "{pixels} pixels per image are not a whole number of rows of width {width}"
                )));
            }
            (pixels / width, width)
        }
        (&[_, pixels], None) => {
            let side = (1..=MAX_SIDE).find(|s| s * s >= pixels).unwrap_or(0);
            if side * side != pixels {
                return Err(error(format!(
                    "{pixels} pixels per image are not a square s x s with s at most {MAX_SIDE}; give the image width"
                )));
            }
            (side, side)
        }
        _ => {
            return Err(error(
                "expected [N, height, width] or [N, height·width]".to_string(),
            ))
        }
    };
    if !(1..=MAX_SIDE).contains(&rows) || !(1..=MAX_SIDE).contains(&cols) {
        return Err(error(format!(
            "images of {rows}x{cols} pixels, but sides must be 1 to {MAX_SIDE}"
        )));
    }
    Ok((rows, cols))
}

/// The data set of an images array and a labels array (`image_size` for the images, one
/// dimension for the labels, one label per image).
pub fn npy_dataset(
    images_file: &str,
    images: NpyArray,
    labels_file: &str,
    labels: NpyArray,
    width: Option<usize>,
) -> Result<Dataset, NpyError> {
    let (rows, cols) = image_size(images_file, &images.shape, width)?;
    if labels.shape.len() != 1 {
        return Err(NpyError::LabelShape {
            file: labels_file.to_string(),
            shape: labels.shape,
        });
    }
    if images.shape[0] != labels.shape[0] {
        return Err(NpyError::CountMismatch {
            images_file: images_file.to_string(),
            images: images.shape[0],
            labels_file: labels_file.to_string(),
            labels: labels.shape[0],
        });
    }
    Ok(Dataset::new(rows, cols, labels.values, images.values))
}

fn wrong_magic(file: &str, bytes: &[u8]) -> NpyError {
    NpyError::WrongMagic {
        file: file.to_string(),
        found: bytes[..bytes.len().min(MAGIC.len())].to_vec(),
    }
}

/// (little-endian, signed, item size) of an integer descr such as '<i8', '|u1' or '>u2'.
fn dtype(descr: &str) -> Option<(bool, bool, usize)> {
    let bytes = descr.as_bytes();
    let [order, kind, size @ ..] = bytes else {
        return None;
    };
    let size = match size {
        b"1" => 1,
        b"2" => 2,
        b"4" => 4,
        b"8" => 8,
        _ => return None,
    };
    let little_endian = match order {
        b'<' | b'=' => true,
        b'>' => false,
        // "Not applicable": only for single bytes.
        b'|' if size == 1 => true,
        _ => return None,
    };
    let signed = match kind {
        b'i' => true,
        b'u' => false,
        _ => return None,
    };
    Some((little_endian, signed, size))
}

/// One integer of 1 to 8 bytes.
fn integer(item: &[u8], little_endian: bool, signed: bool) -> i128 {
    let mut raw: u64 = 0;
    let mut push = |b: &u8| raw = raw << 8 | u64::from(*b);
    if little_endian {
        item.iter().rev().for_each(&mut push);
    } else {
        item.iter().for_each(&mut push);
    }
    let bits = 8 * item.len() as u32;
    if signed && bits < 64 && raw >> (bits - 1) & 1 == 1 {
        // Sign-extend from `bits`.
        i128::from(raw) - (1i128 << bits)
    } else if signed {
        i128::from(raw as i64)
    } else {
        i128::from(raw)
    }
}

/// Parses the header dict: `{'descr': str, 'fortran_order': bool, 'shape': (int, ...)}`, in any
/// order, other keys ignored, a trailing comma allowed, then only spaces and newlines.
fn parse_header(file: &str, header: &[u8], start: usize) -> Result<Header, NpyError> {
    let mut parser = Parser {
        text: header,
        at: 0,
    };
    let malformed = |at: usize, reason: String| NpyError::Malformed {
        file: file.to_string(),
        offset: start + at,
        reason,
    };
    let (mut descr, mut fortran_order, mut shape) = (None, None, None);
    parser
        .expect(b'{')
        .map_err(|at| malformed(at, "expected '{' opening the dict".to_string()))?;
    loop {
        if parser.peek() == Some(b'}') {
            parser.at += 1;
            break;
        }
        let key_at = parser.skip_spaces();
        let key = match parser.value() {
            Ok(Value::Str(key)) => key,
            _ => {
                return Err(malformed(
                    key_at,
                    "expected a quoted key or '}'".to_string(),
                ))
            }
        };
        parser
            .expect(b':')
            .map_err(|at| malformed(at, format!("expected ':' after '{key}'")))?;
        let value_at = parser.skip_spaces();
        let value = parser
            .value()
            .map_err(|(at, reason)| malformed(at, format!("value of '{key}': {reason}")))?;
        let wrong = |what: &str| malformed(value_at, format!("'{key}' should be {what}"));
        match (key.as_str(), value) {
            ("descr", Value::Str(s)) => descr = Some(s),
            ("descr", Value::List) => {
                return Err(NpyError::UnsupportedDtype {
                    file: file.to_string(),
                    offset: start,
                    descr: "a structured dtype".to_string(),
                })
            }
            ("descr", _) => return Err(wrong("a string such as '|u1'")),
            ("fortran_order", Value::Bool(b)) => fortran_order = Some(b),
            ("fortran_order", _) => return Err(wrong("True or False")),
            ("shape", Value::Tuple(dims)) => shape = Some(dims),
            ("shape", _) => return Err(wrong("a tuple of integers")),
            _ => {}
        }
        match parser.peek() {
            Some(b',') => parser.at += 1,
            Some(b'}') => {}
            _ => {
                return Err(malformed(
                    parser.at,
                    "expected ',' or '}' after a value".to_string(),
                ))
            }
        }
    }
    if let Some(i) = header[parser.at..]
        .iter()
        .position(|b| !b.is_ascii_whitespace() && *b != 0)
    {
        return Err(malformed(
            parser.at + i,
            "unexpected text after the dict".to_string(),
        ));
    }
    let missing = |key: &str| malformed(0, format!("no '{key}' entry"));
    Ok(Header {
        descr: descr.ok_or_else(|| missing("descr"))?,
        fortran_order: fortran_order.ok_or_else(|| missing("fortran_order"))?,
        shape: shape.ok_or_else(|| missing("shape"))?,
    })
}

enum Value {
    Str(String),
    Bool(bool),
    Int(u64),
    Tuple(Vec<u64>),
    /// A list, as structured dtypes give; only recognised, not parsed.
    List,
}

const TOO_LARGE: &str = "integer too large";

/// A cursor over the header's bytes. Errors are (position, reason).
struct Parser<'a> {
    text: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    /// Skips spaces; returns the position reached.
    fn skip_spaces(&mut self) -> usize {
        while self.text.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
        self.at
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_spaces();
        self.text.get(self.at).copied()
    }

    fn expect(&mut self, byte: u8) -> Result<(), usize> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.at)
        }
    }

    fn value(&mut self) -> Result<Value, (usize, String)> {
        let at = self.skip_spaces();
        match self.text.get(at) {
            Some(&quote @ (b'\'' | b'"')) => {
                let rest = &self.text[at + 1..];
                let Some(len) = rest.iter().position(|&b| b == quote) else {
                    return Err((at, "unterminated string".to_string()));
                };
                self.at = at + 2 + len;
                Ok(Value::Str(
                    String::from_utf8_lossy(&rest[..len]).into_owned(),
                ))
            }
            Some(b'(') => {
                self.at += 1;
                let mut dims = Vec::new();
                loop {
                    if self.peek() == Some(b')') {
                        self.at += 1;
                        return Ok(Value::Tuple(dims));
                    }
                    let dim_at = self.at;
                    match self.value() {
                        Ok(Value::Int(dim)) => dims.push(dim),
                        Err(error) if error.1 == TOO_LARGE => return Err(error),
                        _ => return Err((dim_at, "expected an integer dimension".to_string())),
                    }
                    match self.peek() {
                        Some(b',') => self.at += 1,
                        Some(b')') => {}
                        _ => return Err((self.at, "expected ',' or ')' in the tuple".to_string())),
                    }
                }
            }
            Some(b'[') => Ok(Value::List),
            Some(b) if b.is_ascii_digit() => {
                let len = self.text[at..]
                    .iter()
                    .take_while(|b| b.is_ascii_digit())
                    .count();
                let text = &self.text[at..at + len];
                self.at = at + len;
                // Python 2 wrote longs as `60000L`.
                if matches!(self.text.get(self.at), Some(b'L')) {
                    self.at += 1;
                }
                let mut value: u64 = 0;
                for &d in text {
                    value = value
                        .checked_mul(10)
                        .and_then(|v| v.checked_add(u64::from(d - b'0')))
                        .ok_or((at, TOO_LARGE.to_string()))?;
                }
                Ok(Value::Int(value))
            }
            _ => {
                for (word, value) in [("True", true), ("False", false)] {
                    if self.text[at..].starts_with(word.as_bytes()) {
                        self.at = at + word.len();
                        return Ok(Value::Bool(value));
                    }
                }
                Err((
                    at,
                    "expected a string, True, False, an integer or a tuple".to_string(),
                ))
            }
        }
    }
}

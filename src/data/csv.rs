//! MNIST as Kaggle's CSV gives it: one image per line, its label then its pixels row-major, all
//! integers 0-255 separated by commas, with or without a header line (`label,pixel0,...`).
//!
//! The image side comes from the column count (label + s² pixels, 1 ≤ s ≤ 64), or from a given
//! width when the images are not square. Lines may end in `\n` or `\r\n`, fields may have spaces
//! around them, and blank lines may only close the file. The train set is 110 MB, so the reader
//! parses the bytes in place (no string per field) and goes in steps: the page shows the bytes
//! read so far and can stop between steps.

use std::borrow::Cow;
use thiserror::Error;

use super::{Dataset, MAX_SIDE};

/// A label column and at most 64 x 64 pixels.
const MAX_COLUMNS: usize = 1 + MAX_SIDE * MAX_SIDE;
/// Longest field quoted back in an error.
const QUOTED_FIELD: usize = 24;
/// Excel starts its UTF-8 CSVs with a byte-order mark.
const BOM: &[u8] = b"\xef\xbb\xbf";

/// Why a CSV file was rejected. Every variant names the file and the 1-based line (and column,
/// the label being column 1) where it went wrong.
#[derive(Debug, Error)]
pub enum CsvError {
    #[error("CSV {file}: not text: byte {byte:#04x} at line {line}, column {column} (byte offset {offset})")]
    NotText {
        file: String,
        line: usize,
        column: usize,
        offset: usize,
        byte: u8,
    },
    #[error(
        "CSV {file}: line {line}, column {column}: {} is not an integer 0-255",
        quoted(field)
    )]
    NotInteger {
        file: String,
        line: usize,
        column: usize,
        field: String,
    },
    #[error("CSV {file}: line {line}, column {column}: {} {field} is out of the range 0-255", if *column == 1 { "label" } else { "pixel" })]
    OutOfRange {
        file: String,
        line: usize,
        column: usize,
        field: String,
    },
    #[error("CSV {file}: line {line} has {found} columns, but line {first_line}, the first data row, has {expected}")]
    ColumnCount {
        file: String,
        line: usize,
        found: usize,
        expected: usize,
        first_line: usize,
    },
    #[error("CSV {file}: line {line} has more than {MAX_COLUMNS} columns: images are at most {MAX_SIDE}x{MAX_SIDE} pixels after the label column")]
    TooManyColumns { file: String, line: usize },
    #[error("CSV {file}: line {line} has a single column: expected a label, then the pixels")]
    NoPixels { file: String, line: usize },
    #[error("CSV {file}: line {line} has {pixels} pixels after the label, not a square s x s with s at most {MAX_SIDE}; give the image width")]
    NotSquare {
        file: String,
        line: usize,
        pixels: usize,
    },
    #[error("CSV {file}: line {line} has {pixels} pixels after the label, not a whole number of rows of width {width}")]
    NotDivisible {
        file: String,
        line: usize,
        pixels: usize,
        width: usize,
    },
    #[error("CSV {file}: line {line} holds {rows}x{cols} images (rows x cols), but sides must be 1 to {MAX_SIDE}")]
    BadSize {
        file: String,
        line: usize,
        rows: usize,
        cols: usize,
    },
    #[error("CSV {file}: line {line} is blank but line {next} holds data: blank lines may only end the file")]
    BlankLine {
        file: String,
        line: usize,
        next: usize,
    },
    #[error("CSV {file}: no data rows in its {lines} lines")]
    NoData { file: String, lines: usize },
    #[error("CSV {file}: read to byte offset {offset} of {total} only, at line {line}")]
    Unfinished {
        file: String,
        line: usize,
        offset: usize,
        total: usize,
    },
}

fn quoted(field: &str) -> String {
    if field.is_empty() {
        "an empty field".to_string()
    } else {
        format!("`{field}`")
    }
}

/// Reads a CSV file a few lines at a time (`step`), then gives the data set (`finish`).
pub struct CsvReader<'a> {
    file: String,
    /// Borrowed (`read_csv`) or owned (a conversion kept between the page's steps).
    bytes: Cow<'a, [u8]>,
    width: Option<usize>,
    /// Byte offset of the next line.
    pos: usize,
    /// 1-based number of the next line.
    line: usize,
    /// The first blank line seen: an error if data follows it.
    blank_since: Option<usize>,
    /// Columns and line of the first data row.
    first_row: Option<(usize, usize)>,
    /// (rows, cols) of the images, from the first data row.
    size: (usize, usize),
    labels: Vec<u8>,
    pixels: Vec<u8>,
}

impl<'a> CsvReader<'a> {
    /// A reader of `bytes`; `file` only labels errors. With `width`, images are `width` pixels
    /// wide and as many rows as the columns give; without, they are square.
    pub fn new(file: &str, bytes: impl Into<Cow<'a, [u8]>>, width: Option<usize>) -> Self {
        let bytes: Cow<'a, [u8]> = bytes.into();
        CsvReader {
            file: file.to_string(),
            pos: if bytes.starts_with(BOM) { BOM.len() } else { 0 },
            bytes,
            width,
            line: 1,
            blank_since: None,
            first_row: None,
            size: (0, 0),
            labels: Vec::new(),
            pixels: Vec::new(),
        }
    }

    /// Parses up to `max_rows` more lines (data rows, the header or blank lines); Ok(true) when
    /// the whole file is read. After an error, stepping again gives the same error.
    pub fn step(&mut self, max_rows: usize) -> Result<bool, CsvError> {
        for _ in 0..max_rows {
            if self.pos >= self.bytes.len() {
                break;
            }
            let start = self.pos;
            if self.is_blank_line(start) {
                self.blank_since.get_or_insert(self.line);
                self.pos = self.line_end(start).saturating_add(1);
            } else if let Some(line) = self.blank_since {
                return Err(CsvError::BlankLine {
                    file: self.file.clone(),
                    line,
                    next: self.line,
                });
            } else if self.line == 1 && !self.starts_with_integer(start) {
                self.check_header(start)?;
                self.pos = self.line_end(start).saturating_add(1);
            } else {
                self.pos = self.data_row(start)?;
            }
            self.line += 1;
        }
        Ok(self.pos >= self.bytes.len())
    }

    /// Bytes parsed so far, for a progress bar.
    pub fn bytes_read(&self) -> usize {
        self.pos.min(self.bytes.len())
    }

    pub fn total_bytes(&self) -> usize {
        self.bytes.len()
    }

    /// The data set, once `step` has read the whole file.
    pub fn finish(self) -> Result<Dataset, CsvError> {
        if self.pos < self.bytes.len() {
            return Err(CsvError::Unfinished {
                file: self.file,
                line: self.line,
                offset: self.pos,
                total: self.bytes.len(),
            });
        }
        if self.labels.is_empty() {
            return Err(CsvError::NoData {
                file: self.file,
                lines: self.line - 1,
            });
        }
        let (rows, cols) = self.size;
        Ok(Dataset::new(rows, cols, self.labels, self.pixels))
    }

    /// Offset of the `\n` ending the line at `start`, or the file's length.
    fn line_end(&self, start: usize) -> usize {
        self.bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.bytes.len(), |i| start + i)
    }

    /// Only spaces before the line's end: looks no further than the first other byte, so data
    /// rows are not scanned twice.
    fn is_blank_line(&self, start: usize) -> bool {
        let rest = &self.bytes[start..];
        match rest
            .iter()
            .position(|&b| !matches!(b, b' ' | b'\t' | b'\r'))
        {
            Some(i) => rest[i] == b'\n',
            None => true,
        }
    }

    /// Whether the line's first field is an integer, possibly negative (then out of range, not
    /// a header).
    fn starts_with_integer(&self, start: usize) -> bool {
        let end = self.line_end(start);
        let first = self.bytes[start..end].split(|&b| b == b',').next();
        let field = trim(first.unwrap_or_default());
        let digits = field.strip_prefix(b"-").unwrap_or(field);
        !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
    }

    /// A header is only skipped, but it must be text: a binary file fails here, on line 1.
    fn check_header(&self, start: usize) -> Result<(), CsvError> {
        let line = &self.bytes[start..self.line_end(start)];
        let bad = match std::str::from_utf8(line) {
            Ok(text) => text
                .bytes()
                .position(|b| b.is_ascii_control() && !matches!(b, b'\t' | b'\r')),
            Err(e) => Some(e.valid_up_to()),
        };
        match bad {
            Some(i) => Err(self.not_text(start, start + i)),
            None => Ok(()),
        }
    }

    /// Parses the data row at `start` into labels and pixels; returns the offset of the next
    /// line. On error nothing of the row is kept.
    fn data_row(&mut self, start: usize) -> Result<usize, CsvError> {
        let bytes: &[u8] = &self.bytes;
        let len = bytes.len();
        let row_pixels = self.pixels.len();
        let max_columns = self.first_row.map_or(MAX_COLUMNS, |(columns, _)| columns);
        let mut label = 0;
        let mut column = 0;
        let mut i = start;
        loop {
            let field_start = i;
            while i < len && matches!(bytes[i], b' ' | b'\t') {
                i += 1;
            }
            let digits_start = i;
            let mut value: u32 = 0;
            while i < len {
                let digit = bytes[i].wrapping_sub(b'0');
                if digit > 9 {
                    break;
                }
                // Saturates: 1000 is as out of range as any longer number.
                value = (value * 10 + u32::from(digit)).min(1000);
                i += 1;
            }
            let has_digits = i > digits_start;
            while i < len && matches!(bytes[i], b' ' | b'\t' | b'\r') {
                i += 1;
            }
            let ends_field = i == len || bytes[i] == b',' || bytes[i] == b'\n';
            column += 1;
            if !has_digits || !ends_field || value > 255 {
                self.pixels.truncate(row_pixels);
                return Err(self.bad_field(field_start, column, has_digits && ends_field));
            }
            if column > max_columns {
                self.pixels.truncate(row_pixels);
                return Err(self.column_count(start, max_columns));
            }
            if column == 1 {
                label = value as u8;
            } else {
                self.pixels.push(value as u8);
            }
            if i == len || bytes[i] == b'\n' {
                break;
            }
            i += 1;
        }
        match self.first_row {
            Some((columns, _)) if column != columns => {
                self.pixels.truncate(row_pixels);
                return Err(self.column_count(start, columns));
            }
            Some(_) => {}
            None => {
                let size = match self.image_size(column) {
                    Ok(size) => size,
                    Err(error) => {
                        self.pixels.clear();
                        return Err(error);
                    }
                };
                self.first_row = Some((column, self.line));
                self.size = size;
                // Each further field takes at least two bytes: this bounds the rows still to come.
                let rest = len - i;
                self.pixels.reserve(rest / 2 + 1);
                self.labels.reserve(rest / (2 * column) + 1);
            }
        }
        self.labels.push(label);
        Ok(i.saturating_add(1))
    }

    /// (rows, cols) of the images from the first data row's column count.
    fn image_size(&self, columns: usize) -> Result<(usize, usize), CsvError> {
        let (file, line) = (self.file.clone(), self.line);
        let pixels = columns - 1;
        if pixels == 0 {
            return Err(CsvError::NoPixels { file, line });
        }
        let (rows, cols) = match self.width {
            Some(width) => {
                if width == 0 || pixels % width != 0 {
                    return Err(CsvError::NotDivisible {
                        file,
                        line,
                        pixels,
                        width,
                    });
                }
                (pixels / width, width)
            }
            None => {
                let side = (1..=MAX_SIDE).find(|s| s * s >= pixels).unwrap_or(0);
                if side * side != pixels {
                    return Err(CsvError::NotSquare { file, line, pixels });
                }
                (side, side)
            }
        };
        if rows > MAX_SIDE || cols > MAX_SIDE {
            return Err(CsvError::BadSize {
                file,
                line,
                rows,
                cols,
            });
        }
        Ok((rows, cols))
    }

    /// The error for the field at `field_start`, column `column`: out of range if it is a
    /// number, not text if it holds a binary byte, else not an integer.
    fn bad_field(&self, field_start: usize, column: usize, is_number: bool) -> CsvError {
        let end = self.line_end(field_start);
        let line = &self.bytes[field_start..end];
        let field = line.split(|&b| b == b',').next().unwrap_or_default();
        if let Some(i) = field
            .iter()
            .position(|&b| !b.is_ascii() || (b.is_ascii_control() && !matches!(b, b'\t' | b'\r')))
        {
            let mut error = self.not_text(field_start, field_start + i);
            if let CsvError::NotText { column: c, .. } = &mut error {
                *c = column;
            }
            return error;
        }
        let text = String::from_utf8_lossy(trim(field));
        let field: String = text.chars().take(QUOTED_FIELD).collect();
        let field = if text.chars().count() > QUOTED_FIELD {
            field + "…"
        } else {
            field
        };
        let (file, line) = (self.file.clone(), self.line);
        let negative = text
            .strip_prefix('-')
            .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()));
        if is_number || negative {
            CsvError::OutOfRange {
                file,
                line,
                column,
                field,
            }
        } else {
            CsvError::NotInteger {
                file,
                line,
                column,
                field,
            }
        }
    }

    fn not_text(&self, line_start: usize, offset: usize) -> CsvError {
        let column = 1 + self.bytes[line_start..offset]
            .iter()
            .filter(|&&b| b == b',')
            .count();
        CsvError::NotText {
            file: self.file.clone(),
            line: self.line,
            column,
            offset,
            byte: self.bytes[offset],
        }
    }

    fn column_count(&self, start: usize, expected: usize) -> CsvError {
        match self.first_row {
            Some((_, first_line)) => CsvError::ColumnCount {
                file: self.file.clone(),
                line: self.line,
                found: 1 + self.bytes[start..self.line_end(start)]
                    .iter()
                    .filter(|&&b| b == b',')
                    .count(),
                expected,
                first_line,
            },
            None => CsvError::TooManyColumns {
                file: self.file.clone(),
                line: self.line,
            },
        }
    }
}

/// Reads a whole CSV file (`CsvReader` in one step).
pub fn read_csv(file: &str, bytes: &[u8], width: Option<usize>) -> Result<Dataset, CsvError> {
    let mut reader = CsvReader::new(file, bytes, width);
    reader.step(usize::MAX)?;
    reader.finish()
}

fn trim(field: &[u8]) -> &[u8] {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r');
    let start = field
        .iter()
        .position(|b| !is_space(b))
        .unwrap_or(field.len());
    let end = field
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |i| i + 1);
    &field[start..end]
}

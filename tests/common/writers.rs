//! Files in the formats a visitor brings, written here by hand (independently of the readers
//! under test): Kaggle-style CSV, NumPy .npy, ZIP and gzip archives, and PNG pictures. The one place for
//! them: the native tests use these, and the fuzzer (examples/fuzz) includes this file for its
//! seeds. Each format has its full writer and the short form most callers want.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;

use bayes_renorm::data::Dataset;
use flate2::write::{DeflateEncoder, GzEncoder};
use flate2::{Compression, Crc};

// ---------------------------------------------------------------- CSV

/// Kaggle's layout: `label,p0,p1,…` per image, after a `label,pixel0,…` header row if `header`;
/// `crlf` ends lines in \r\n, `spaces` pads every field with a space each side.
pub fn csv_text(data: &Dataset, header: bool, crlf: bool, spaces: bool) -> String {
    let eol = if crlf { "\r\n" } else { "\n" };
    let pad = if spaces { " " } else { "" };
    let mut out = String::new();
    if header {
        out.push_str("label");
        for i in 0..data.input_dim() {
            out.push_str(&format!(",pixel{i}"));
        }
        out.push_str(eol);
    }
    for (k, &label) in data.labels.iter().enumerate() {
        let fields: Vec<String> = std::iter::once(label)
            .chain(data.image(k).iter().copied())
            .map(|v| format!("{pad}{v}{pad}"))
            .collect();
        out.push_str(&fields.join(","));
        out.push_str(eol);
    }
    out
}

/// `csv_text` with `\n` and no padding, as bytes.
pub fn csv(data: &Dataset, header: bool) -> Vec<u8> {
    csv_text(data, header, false, false).into_bytes()
}

// ---------------------------------------------------------------- NPY

/// An .npy file as `np.save` writes it: the header dict padded with spaces and a '\n' so the
/// data starts at a multiple of 64; format `major` 1 has a u16 header length, 2 and 3 a u32.
/// `data` is the raw bytes of `descr` (`|u1`, `<i8` …), in Fortran order if `fortran`.
pub fn npy_bytes(descr: &str, fortran: bool, shape: &[usize], data: &[u8], major: u8) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let tuple = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let order = if fortran { "True" } else { "False" };
    let mut header =
        format!("{{'descr': '{descr}', 'fortran_order': {order}, 'shape': {tuple}, }}");
    let prefix = if major == 1 { 10 } else { 12 };
    while (prefix + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY".to_vec();
    out.extend_from_slice(&[major, 0]);
    if major == 1 {
        out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    }
    out.extend_from_slice(header.as_bytes());
    assert_eq!(out.len() % 64, 0, "the data starts at a multiple of 64");
    out.extend_from_slice(data);
    out
}

/// A version 1.0, C-order .npy file of `descr` with `shape`.
pub fn npy(descr: &str, shape: &[usize], data: &[u8]) -> Vec<u8> {
    npy_bytes(descr, false, shape, data, 1)
}

/// Values as int64 little-endian, numpy's default integer (`<i8`).
pub fn int64_le(values: &[i64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The images [N, H, W] as uint8 and the labels as int64.
pub fn npy_pair(data: &Dataset) -> (Vec<u8>, Vec<u8>) {
    let images = npy("|u1", &[data.len(), data.rows, data.cols], &data.pixels);
    let labels: Vec<i64> = data.labels.iter().map(|&l| i64::from(l)).collect();
    (images, npy("<i8", &[data.len()], &int64_le(&labels)))
}

// ---------------------------------------------------------------- ZIP

/// General purpose flag bit 11: the entry's name is UTF-8.
pub const ZIP_UTF8: u16 = 1 << 11;

/// One entry of `zip_archive`. A path ending in `/` is a folder entry (with no bytes).
#[derive(Clone, Debug)]
pub struct ZipItem {
    pub path: String,
    pub bytes: Vec<u8>,
    /// 8 deflates; any other method (0 stores) keeps the bytes as they are under that number.
    pub method: u16,
    /// General purpose flags, besides bit 3 (which `descriptor` sets).
    pub flags: u16,
    /// Sizes and CRC-32 in a data descriptor after the data (flag bit 3), not the local header.
    pub descriptor: bool,
}

impl ZipItem {
    /// `bytes` under `method`, no flags, no data descriptor.
    pub fn new(path: &str, bytes: &[u8], method: u16) -> Self {
        ZipItem {
            path: path.to_string(),
            bytes: bytes.to_vec(),
            method,
            flags: 0,
            descriptor: false,
        }
    }
}

/// A ZIP archive as PKWARE's APPNOTE lays it out: local headers and data, then the central
/// directory, then the end record with `comment`.
pub fn zip_archive(items: &[ZipItem], comment: &[u8]) -> Vec<u8> {
    let put16 = |buf: &mut Vec<u8>, v: usize| buf.extend_from_slice(&(v as u16).to_le_bytes());
    let put32 = |buf: &mut Vec<u8>, v: u32| buf.extend_from_slice(&v.to_le_bytes());
    let mut out = Vec::new();
    let mut central = Vec::new();
    for item in items {
        let mut crc = Crc::new();
        crc.update(&item.bytes);
        let packed = if item.method == 8 {
            let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
            encoder.write_all(&item.bytes).expect("write to Vec");
            encoder.finish().expect("write to Vec")
        } else {
            item.bytes.clone()
        };
        let flags = usize::from(item.flags | if item.descriptor { 1 << 3 } else { 0 });
        let method = usize::from(item.method);
        let sizes = [crc.sum(), packed.len() as u32, item.bytes.len() as u32];
        let offset = out.len() as u32;
        // Version needed, flags, method, time, date (1980-01-01).
        put32(&mut out, 0x0403_4b50);
        for v in [20, flags, method, 0, 0x21] {
            put16(&mut out, v);
        }
        for v in if item.descriptor { [0; 3] } else { sizes } {
            put32(&mut out, v);
        }
        put16(&mut out, item.path.len());
        put16(&mut out, 0); // extra
        out.extend_from_slice(item.path.as_bytes());
        out.extend_from_slice(&packed);
        if item.descriptor {
            put32(&mut out, 0x0807_4b50);
            sizes.iter().for_each(|&v| put32(&mut out, v));
        }
        // Made by, then as the local header.
        put32(&mut central, 0x0201_4b50);
        for v in [20, 20, flags, method, 0, 0x21] {
            put16(&mut central, v);
        }
        sizes.iter().for_each(|&v| put32(&mut central, v));
        // Name, extra and comment lengths, disk, internal attributes; external attributes.
        for v in [item.path.len(), 0, 0, 0, 0] {
            put16(&mut central, v);
        }
        put32(&mut central, 0);
        put32(&mut central, offset);
        central.extend_from_slice(item.path.as_bytes());
    }
    let central_offset = out.len() as u32;
    out.extend_from_slice(&central);
    put32(&mut out, 0x0605_4b50);
    for v in [0, 0, items.len(), items.len()] {
        put16(&mut out, v);
    }
    put32(&mut out, central.len() as u32);
    put32(&mut out, central_offset);
    put16(&mut out, comment.len());
    out.extend_from_slice(comment);
    out
}

/// A zip of `(path, bytes)` entries, stored, with UTF-8 names; a path ending in `/` is a folder.
pub fn zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let items: Vec<ZipItem> = entries
        .iter()
        .map(|(path, bytes)| ZipItem {
            flags: ZIP_UTF8,
            ..ZipItem::new(path, bytes, 0)
        })
        .collect();
    zip_archive(&items, b"")
}

/// `file` gzipped, as MNIST's own downloads are.
pub fn gzip(file: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(file).expect("write to Vec");
    encoder.finish().expect("write to Vec")
}

// ---------------------------------------------------------------- PNG

/// `data`, `width` x `height` samples of `color` at `depth` (rows packed to whole bytes below
/// 8 bits), as a PNG from the png crate's encoder; `palette` (RGB triples) for indexed colour.
pub fn encode_png(
    width: u32,
    height: u32,
    color: png::ColorType,
    depth: png::BitDepth,
    data: &[u8],
    palette: Option<&[u8]>,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(color);
    encoder.set_depth(depth);
    if let Some(palette) = palette {
        encoder.set_palette(palette.to_vec());
    }
    let mut writer = encoder.write_header().expect("a valid header");
    writer
        .write_image_data(data)
        .expect("width x height samples");
    writer.finish().expect("write to Vec");
    out
}

/// An 8-bit PNG of `pixels` (rows x cols), grey or, with `colour`, RGB with R = G = B.
pub fn png(rows: usize, cols: usize, pixels: &[u8], colour: bool) -> Vec<u8> {
    let (color, data) = match colour {
        false => (png::ColorType::Grayscale, pixels.to_vec()),
        true => (
            png::ColorType::Rgb,
            pixels.iter().flat_map(|&p| [p, p, p]).collect(),
        ),
    };
    let eight = png::BitDepth::Eight;
    encode_png(cols as u32, rows as u32, color, eight, &data, None)
}

/// The pictures of `data` as `prefix<class>/<index>.png` entries (index zero-padded, so sorted
/// paths keep the data's order within a class), class folders named by `class_name`.
pub fn picture_entries(
    data: &Dataset,
    prefix: &str,
    class_name: impl Fn(u8) -> String,
    colour: bool,
) -> Vec<(String, Vec<u8>)> {
    (0..data.len())
        .map(|k| {
            let path = format!("{prefix}{}/{k:05}.png", class_name(data.labels[k]));
            (path, png(data.rows, data.cols, data.image(k), colour))
        })
        .collect()
}

//! Files in the formats a visitor brings, written here by hand from a `Dataset` (independently of
//! the readers under test): Kaggle-style CSV, NumPy .npy, PNG pictures and a stored zip.
#![cfg(not(target_arch = "wasm32"))]

use bayes_renorm::data::Dataset;

/// `label,p0,p1,…` per image, with a `label,pixel0,…` header row if `header`.
pub fn csv(data: &Dataset, header: bool) -> Vec<u8> {
    let mut out = String::new();
    if header {
        out.push_str("label");
        for i in 0..data.input_dim() {
            out.push_str(&format!(",pixel{i}"));
        }
        out.push('\n');
    }
    for (k, &label) in data.labels.iter().enumerate() {
        out.push_str(&label.to_string());
        for p in data.image(k) {
            out.push_str(&format!(",{p}"));
        }
        out.push('\n');
    }
    out.into_bytes()
}

/// A version 1.0 .npy file of `descr` (`|u1`, `<i8` …) with `shape`, from raw little-endian bytes.
pub fn npy(descr: &str, shape: &[usize], data: &[u8]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let tuple = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {tuple}, }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

/// The images [N, H, W] as uint8 and the labels as int64, numpy's default for integers.
pub fn npy_pair(data: &Dataset) -> (Vec<u8>, Vec<u8>) {
    let images = npy("|u1", &[data.len(), data.rows, data.cols], &data.pixels);
    let labels: Vec<u8> = data
        .labels
        .iter()
        .flat_map(|&l| (l as i64).to_le_bytes())
        .collect();
    (images, npy("<i8", &[data.len()], &labels))
}

/// An 8-bit PNG of `pixels` (rows x cols), grey or, with `colour`, RGB with R = G = B.
pub fn png(rows: usize, cols: usize, pixels: &[u8], colour: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, cols as u32, rows as u32);
    let (kind, data) = match colour {
        false => (png::ColorType::Grayscale, pixels.to_vec()),
        true => (
            png::ColorType::Rgb,
            pixels.iter().flat_map(|&p| [p, p, p]).collect(),
        ),
    };
    encoder.set_color(kind);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&data).unwrap();
    writer.finish().unwrap();
    out
}

/// A zip of `(path, bytes)` entries, stored (no compression), with a directory entry for each
/// path that ends in `/`.
pub fn zip(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (path, bytes) in entries {
        let offset = out.len() as u32;
        let mut crc = flate2::Crc::new();
        crc.update(bytes);
        let fields = |sig: u32| {
            let mut h = sig.to_le_bytes().to_vec();
            if sig == 0x0201_4b50 {
                h.extend_from_slice(&20u16.to_le_bytes()); // made by
            }
            h.extend_from_slice(&20u16.to_le_bytes()); // version needed
            h.extend_from_slice(&0x0800u16.to_le_bytes()); // UTF-8 names
            h.extend_from_slice(&0u16.to_le_bytes()); // stored
            h.extend_from_slice(&[0; 4]); // time, date
            h.extend_from_slice(&crc.sum().to_le_bytes());
            h.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            h.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            h.extend_from_slice(&(path.len() as u16).to_le_bytes());
            h.extend_from_slice(&0u16.to_le_bytes()); // extra
            h
        };
        out.extend(fields(0x0403_4b50));
        out.extend_from_slice(path.as_bytes());
        out.extend_from_slice(bytes);
        central.extend(fields(0x0201_4b50));
        central.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        central.extend_from_slice(&[0; 4]); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(path.as_bytes());
    }
    let at = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]); // disks
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
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

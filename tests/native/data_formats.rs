//! The visitors' formats (src/data/{csv,npy,zip,picture}.rs) read back what the small
//! independent writers of tests/common/writers.rs made: CSV text, .npy files padded as NumPy pads
//! them, ZIP archives, PNGs from the png crate's encoder, and the JPEG fixtures of
//! tests/fixtures/pictures (flat blocks whose values the tests know, not the decoded bytes).
//! Each error names the file and its place.

use std::path::Path;

use bayes_renorm::data::csv::{read_csv, CsvError, CsvReader};
use bayes_renorm::data::npy::{image_size, npy_dataset, read_npy, NpyArray, NpyError};
use bayes_renorm::data::picture::{
    decode_picture, is_picture, luma, resized, GreyImage, PictureError,
};
use bayes_renorm::data::zip::{is_zip, read_zip, ZipEntry};
use bayes_renorm::data::Dataset;
use bayes_renorm::rng::Rng;
use flate2::Crc;

use crate::common::writers::{csv_text, encode_png, int64_le, npy_bytes, zip_archive, ZipItem};

fn random_bytes(rng: &mut Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.next_u64() as u8).collect()
}

fn random_dataset(rng: &mut Rng, count: usize, rows: usize, cols: usize) -> Dataset {
    let labels = random_bytes(rng, count);
    let mut pixels = random_bytes(rng, count * rows * cols);
    // The edges of the range, always.
    pixels[0] = 0;
    pixels[1] = 255;
    Dataset::new(rows, cols, labels, pixels)
}

/// Asserts that `message` holds each of `parts`.
fn assert_says(message: &str, parts: &[&str]) {
    for part in parts {
        assert!(message.contains(part), "{message:?} lacks {part:?}");
    }
}

// ---------------------------------------------------------------- CSV

const CSV: &str = "train.csv";

#[test]
fn csv_reads_back_what_was_written() {
    let mut rng = Rng::new(1, 40, 0);
    let data = random_dataset(&mut rng, 5, 3, 3);
    for header in [false, true] {
        for crlf in [false, true] {
            for spaces in [false, true] {
                let text = csv_text(&data, header, crlf, spaces);
                let read = read_csv(CSV, text.as_bytes(), None).unwrap();
                assert_eq!(read, data, "header {header}, crlf {crlf}, spaces {spaces}");
                // Without the final newline, and with blank lines after it.
                let trimmed = text.trim_end();
                assert_eq!(read_csv(CSV, trimmed.as_bytes(), None).unwrap(), data);
                let padded = format!("{text}\n  \r\n\n");
                assert_eq!(read_csv(CSV, padded.as_bytes(), None).unwrap(), data);
            }
        }
    }
    // Excel's byte-order mark before the header.
    let bom = format!("\u{feff}{}", csv_text(&data, true, true, false));
    assert_eq!(read_csv(CSV, bom.as_bytes(), None).unwrap(), data);
}

#[test]
fn csv_width_gives_non_square_images() {
    let mut rng = Rng::new(2, 40, 0);
    for (rows, cols) in [(3, 2), (2, 3), (1, 6), (6, 1)] {
        let data = random_dataset(&mut rng, 4, rows, cols);
        let text = csv_text(&data, false, false, false);
        assert_eq!(read_csv(CSV, text.as_bytes(), Some(cols)).unwrap(), data);
    }
    let data = random_dataset(&mut rng, 4, 2, 3);
    let text = csv_text(&data, false, false, false);
    let message = read_csv(CSV, text.as_bytes(), Some(4))
        .unwrap_err()
        .to_string();
    assert_says(&message, &[CSV, "line 1", "6 pixels", "width 4"]);
    let message = read_csv(CSV, text.as_bytes(), None)
        .unwrap_err()
        .to_string();
    assert_says(&message, &[CSV, "line 1", "6 pixels", "not a square"]);
}

#[test]
fn csv_steps_give_the_whole_file() {
    let mut rng = Rng::new(3, 40, 0);
    let data = random_dataset(&mut rng, 7, 4, 4);
    let text = csv_text(&data, true, true, false) + "\n";
    let bytes = text.as_bytes();
    let mut reader = CsvReader::new(CSV, bytes, None);
    assert_eq!(reader.total_bytes(), bytes.len());
    let mut progress = vec![reader.bytes_read()];
    while !reader.step(1).unwrap() {
        progress.push(reader.bytes_read());
    }
    progress.push(reader.bytes_read());
    // A header, seven rows and a blank line: nine steps, each moving on.
    assert_eq!(progress.len(), 10, "{progress:?}");
    assert!(progress.windows(2).all(|w| w[0] < w[1]), "{progress:?}");
    assert_eq!(*progress.last().unwrap(), bytes.len());
    assert_eq!(reader.finish().unwrap(), data);

    let mut reader = CsvReader::new(CSV, bytes, None);
    assert!(!reader.step(3).unwrap());
    let message = reader.finish().unwrap_err().to_string();
    assert_says(&message, &[CSV, "line 4"]);
}

/// Each malformed file gives its error at the line and column where the fault is.
#[test]
fn csv_errors_name_line_and_column() {
    let cases: &[(&str, Option<usize>, &[&str])] = &[
        (
            "1,2,x,4,5\n",
            None,
            &["line 1, column 3", "`x` is not an integer"],
        ),
        (
            "label,a,b,c,d\n1,2,3,4,5\n1,2,3,4.5,6\n",
            None,
            &["line 3, column 4", "`4.5` is not an integer"],
        ),
        ("1,2,,4,5\n", None, &["line 1, column 3", "an empty field"]),
        (
            "1,2,3,256,5\n",
            None,
            &["line 1, column 4", "pixel 256 is out of the range 0-255"],
        ),
        (
            "300,2,3,4,5\n",
            None,
            &["line 1, column 1", "label 300 is out of the range"],
        ),
        (
            "1,2,3,4,5\n-1,2,3,4,5\n",
            None,
            &["line 2, column 1", "label -1 is out"],
        ),
        (
            "1,2,3,4,5\n1,2,-3,4,5\n",
            None,
            &["line 2, column 3", "pixel -3 is out"],
        ),
        (
            "1,2,3,4,5\n1,2,3,4,5\r\n1,2,3,4\n",
            None,
            &["line 3 has 4 columns", "line 1, the first data row, has 5"],
        ),
        (
            "h,a,b,c,d\n1,2,3,4,5\n1,2,3,4,5,6\n",
            None,
            &["line 3 has 6 columns", "line 2, the first data row, has 5"],
        ),
        (
            "1,2,3,4,5,6\n",
            None,
            &["line 1 has 5 pixels", "not a square"],
        ),
        ("7\n7\n", None, &["line 1 has a single column"]),
        (
            "1,2,3,4,5\n\n1,2,3,4,5\n",
            None,
            &["line 2 is blank but line 3 holds data"],
        ),
        (
            "\n1,2,3,4,5\n",
            None,
            &["line 1 is blank but line 2 holds data"],
        ),
        ("label,a,b,c,d\n", None, &["no data rows in its 1 lines"]),
        ("", None, &["no data rows in its 0 lines"]),
        (
            "1,2,\u{1},4,5\n",
            None,
            &["not text: byte 0x01 at line 1, column 3 (byte offset 4)"],
        ),
        (
            "1,2,3,4,5\n1,2,3,4,\u{e9}\n",
            None,
            &["byte 0xc3 at line 2, column 5 (byte offset 18)"],
        ),
    ];
    for (text, width, parts) in cases {
        let error = read_csv(CSV, text.as_bytes(), *width).unwrap_err();
        let message = error.to_string();
        assert_says(&message, &[&format!("CSV {CSV}:")]);
        assert_says(&message, parts);
    }

    // Images above 64 x 64: by the column count, and by a given width.
    let row = |pixels: usize| format!("1{}\n", ",0".repeat(pixels));
    let error = read_csv(CSV, row(65 * 65).as_bytes(), None).unwrap_err();
    assert!(
        matches!(error, CsvError::TooManyColumns { line: 1, .. }),
        "{error}"
    );
    let error = read_csv(CSV, row(65 * 2).as_bytes(), Some(2)).unwrap_err();
    assert!(
        matches!(
            error,
            CsvError::BadSize {
                line: 1,
                rows: 65,
                cols: 2,
                ..
            }
        ),
        "{error}"
    );
    let error = read_csv(CSV, row(64 * 64).as_bytes(), None).unwrap();
    assert_eq!((error.rows, error.cols), (64, 64));

    // A binary file fails on its first line, as not text.
    let png = encode_png(
        2,
        2,
        png::ColorType::Grayscale,
        png::BitDepth::Eight,
        &[0; 4],
        None,
    );
    let error = read_csv(CSV, &png, None).unwrap_err();
    assert!(
        matches!(
            error,
            CsvError::NotText {
                line: 1,
                offset: 0,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn csv_reads_a_big_file() {
    let mut rng = Rng::new(4, 40, 0);
    let data = random_dataset(&mut rng, 2000, 28, 28);
    let text = csv_text(&data, true, false, false);
    let mut reader = CsvReader::new(CSV, text.as_bytes(), None);
    let mut steps = 0;
    while !reader.step(500).unwrap() {
        steps += 1;
    }
    assert_eq!(steps, 4, "2,001 lines in steps of 500");
    assert_eq!(reader.finish().unwrap(), data);
}

// ---------------------------------------------------------------- NPY

const NPY: &str = "images.npy";

#[test]
fn npy_reads_images_and_labels() {
    let mut rng = Rng::new(5, 40, 0);
    let data = random_dataset(&mut rng, 6, 5, 4);
    let labels: Vec<i64> = data.labels.iter().map(|&l| i64::from(l)).collect();
    let labels_file = npy_bytes("<i8", false, &[6], &int64_le(&labels), 1);
    for major in [1, 2, 3] {
        let images_file = npy_bytes("|u1", false, &[6, 5, 4], &data.pixels, major);
        let images = read_npy(NPY, &images_file).unwrap();
        assert_eq!(images.shape, [6, 5, 4]);
        assert_eq!(images.values, data.pixels);
        let labels = read_npy("labels.npy", &labels_file).unwrap();
        assert_eq!(labels.shape, [6]);
        let read = npy_dataset(NPY, images, "labels.npy", labels, None).unwrap();
        assert_eq!(read, data);
    }
    // Flat images: square without a width, any shape with one.
    let flat = npy_bytes("|u1", false, &[6, 20], &data.pixels, 1);
    let images = read_npy(NPY, &flat).unwrap();
    assert_eq!(image_size(NPY, &images.shape, Some(4)).unwrap(), (5, 4));
    let message = image_size(NPY, &images.shape, None)
        .unwrap_err()
        .to_string();
    assert_says(
        &message,
        &[NPY, "[6, 20]", "20 pixels per image are not a square"],
    );
    assert_eq!(image_size(NPY, &[3, 49], None).unwrap(), (7, 7));
    assert_eq!(image_size(NPY, &[3, 64, 64], None).unwrap(), (64, 64));
}

#[test]
fn npy_reads_every_integer_type() {
    let values: Vec<u8> = vec![0, 1, 127, 128, 255];
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("|u1", values.clone()),
        ("<u1", values.clone()),
        (">u1", values.clone()),
        ("|i1", vec![0, 1, 127]),
        (
            "<i2",
            values
                .iter()
                .flat_map(|&v| i16::from(v).to_le_bytes())
                .collect(),
        ),
        (
            ">i2",
            values
                .iter()
                .flat_map(|&v| i16::from(v).to_be_bytes())
                .collect(),
        ),
        (
            "<u2",
            values
                .iter()
                .flat_map(|&v| u16::from(v).to_le_bytes())
                .collect(),
        ),
        (
            "<i4",
            values
                .iter()
                .flat_map(|&v| i32::from(v).to_le_bytes())
                .collect(),
        ),
        (
            ">u4",
            values
                .iter()
                .flat_map(|&v| u32::from(v).to_be_bytes())
                .collect(),
        ),
        (
            "<i8",
            values
                .iter()
                .flat_map(|&v| i64::from(v).to_le_bytes())
                .collect(),
        ),
        (
            ">i8",
            values
                .iter()
                .flat_map(|&v| i64::from(v).to_be_bytes())
                .collect(),
        ),
        (
            "<u8",
            values
                .iter()
                .flat_map(|&v| u64::from(v).to_le_bytes())
                .collect(),
        ),
    ];
    for (descr, data) in cases {
        let count = if descr == "|i1" { 3 } else { 5 };
        let array = read_npy(NPY, &npy_bytes(descr, false, &[count], &data, 1)).unwrap();
        assert_eq!(array.values, values[..count], "{descr}");
    }
    // Written by hand as Python 2 did: double quotes, a long, keys in another order, no padding.
    let header = b"{\"shape\": (2L,), \"fortran_order\": False, \"descr\": \"|u1\"}\n";
    let mut file = b"\x93NUMPY\x01\x00".to_vec();
    file.extend_from_slice(&(header.len() as u16).to_le_bytes());
    file.extend_from_slice(header);
    file.extend_from_slice(&[9, 8]);
    assert_eq!(read_npy(NPY, &file).unwrap().values, [9, 8]);
    // A 1-D array is the same in either order.
    let array = read_npy(NPY, &npy_bytes("|u1", true, &[2], &[3, 4], 1)).unwrap();
    assert_eq!(array.values, [3, 4]);
}

#[test]
fn npy_errors_name_the_place() {
    let good = npy_bytes("|u1", false, &[2, 2, 2], &[1; 8], 1);
    let data_start = good.len() - 8;
    let say = |bytes: &[u8], parts: &[&str]| {
        let message = read_npy(NPY, bytes).unwrap_err().to_string();
        assert_says(&message, &[&format!("npy {NPY}:")]);
        assert_says(&message, parts);
    };
    say(b"PK\x03\x04 not npy", &["wrong magic", "byte offset 0"]);
    say(
        b"\x93NU",
        &["truncated, ends at byte offset 3 but 8 bytes are needed"],
    );
    let mut version = good.clone();
    version[6] = 4;
    say(
        &version,
        &["unsupported format version 4.0 at byte offset 6"],
    );
    let end = data_start + 8;
    say(
        &good[..40],
        &[&format!(
            "truncated, ends at byte offset 40 but {data_start} bytes are needed"
        )],
    );
    say(
        &good[..end - 1],
        &[&format!(
            "ends at byte offset {} but {end} bytes are needed",
            end - 1
        )],
    );
    say(
        &[good.as_slice(), &[0, 0, 0]].concat(),
        &[&format!(
            "3 unexpected bytes after the data, from byte offset {end}"
        )],
    );
    say(
        &npy_bytes("<f4", false, &[2], &[0; 8], 1),
        &["dtype '<f4'", "pixels must be uint8 0-255"],
    );
    say(
        &npy_bytes("|u1", true, &[2, 2], &[0; 4], 1),
        &["Fortran order", "np.ascontiguousarray"],
    );
    let labels = npy_bytes("<i8", false, &[5], &int64_le(&[3, 0, 9, 256, 1]), 1);
    let labels_start = labels.len() - 40;
    say(
        &labels,
        &[
            &format!("value 256 of element 3 (byte offset {})", labels_start + 24),
            "0-255",
        ],
    );
    say(
        &npy_bytes("<i8", false, &[2], &int64_le(&[1, -1]), 1),
        &["value -1 of element 1"],
    );
    say(
        &npy_bytes("|i1", false, &[2], &[5, 0xff], 1),
        &["value -1 of element 1"],
    );

    // Malformed headers, each at the offset of the fault (the header starts at byte 10).
    let malformed = |header: &str| {
        let mut file = b"\x93NUMPY\x01\x00".to_vec();
        file.extend_from_slice(&(header.len() as u16).to_le_bytes());
        file.extend_from_slice(header.as_bytes());
        read_npy(NPY, &file).unwrap_err().to_string()
    };
    assert_says(
        &malformed("{'descr': '|u1', 'fortran_order': False}\n"),
        &["malformed header at byte offset 10", "no 'shape' entry"],
    );
    assert_says(
        &malformed("{'descr': '|u1', 'fortran_order': False, 'shape': (2, x)}\n"),
        &["byte offset 64", "expected an integer dimension"],
    );
    assert_says(
        &malformed("not a dict"),
        &["byte offset 10", "expected '{'"],
    );
    assert_says(
        &malformed("{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999999999999,)}"),
        &["byte offset 61", "integer too large"],
    );
    assert_says(
        &malformed("{'descr': '|u1', 'fortran_order': False, 'shape': (2,)} junk"),
        &["byte offset 66", "unexpected text after the dict"],
    );
    assert_says(
        &malformed("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (2,)}"),
        &["a structured dtype"],
    );

    // A shape that lies: the need is computed without overflow and nothing is allocated for it.
    let lying = npy_bytes("<i8", false, &[1 << 40, 1 << 40, 1 << 40], &[0; 8], 1);
    let error = read_npy(NPY, &lying).unwrap_err();
    match error {
        NpyError::Truncated { offset, needed, .. } => {
            assert_eq!(offset, lying.len());
            assert_eq!(needed, (lying.len() - 8) as u128 + 8 * (1u128 << 120));
        }
        other => panic!("{other}"),
    }
}

#[test]
fn npy_dataset_checks_shapes() {
    let array = |shape: &[usize]| NpyArray {
        shape: shape.to_vec(),
        values: vec![0; shape.iter().product()],
    };
    let message = npy_dataset(NPY, array(&[2, 3, 3]), "labels.npy", array(&[2, 1]), None)
        .unwrap_err()
        .to_string();
    assert_says(
        &message,
        &["labels.npy", "[2, 1]", "expected one dimension"],
    );
    let message = npy_dataset(NPY, array(&[2, 3, 3]), "labels.npy", array(&[3]), None)
        .unwrap_err()
        .to_string();
    assert_says(
        &message,
        &[NPY, "holds 2 images", "labels.npy holds 3 labels"],
    );
    for (shape, width, part) in [
        (&[2, 65, 3][..], None, "sides must be 1 to 64"),
        (&[2, 3, 3, 1], None, "expected [N, height, width]"),
        (&[2], None, "expected [N, height, width]"),
        (&[2, 0, 3], None, "sides must be 1 to 64"),
        (
            &[2, 3, 4],
            Some(3),
            "width 3 given but the images are 4 wide",
        ),
        (&[2, 130], Some(2), "sides must be 1 to 64"),
        (&[2, 7], Some(2), "not a whole number of rows of width 2"),
    ] {
        let message = image_size(NPY, shape, width).unwrap_err().to_string();
        assert_says(&message, &[NPY, &format!("{shape:?}"), part]);
    }
}

// ---------------------------------------------------------------- ZIP

const ZIP: &str = "digits.zip";

/// Byte offset of the `index`th central directory header.
fn central_at(zip: &[u8], index: usize) -> usize {
    let eocd = zip.len() - 22;
    let mut at = u32::from_le_bytes(zip[eocd + 16..eocd + 20].try_into().unwrap()) as usize;
    for _ in 0..index {
        let len = |k: usize| u16::from_le_bytes([zip[at + k], zip[at + k + 1]]) as usize;
        at += 46 + len(28) + len(30) + len(32);
    }
    at
}

fn zip_error(zip: &[u8]) -> String {
    let message = read_zip(ZIP, zip).unwrap_err().to_string();
    assert_says(&message, &[&format!("zip {ZIP}:")]);
    message
}

#[test]
fn zip_reads_back_its_entries() {
    let mut rng = Rng::new(6, 40, 0);
    let noise = random_bytes(&mut rng, 3000);
    let text = b"label,pixel0\n1,2\n".repeat(200);
    let mut with_descriptor = ZipItem::new("x/y/deep.bin", &noise, 8);
    with_descriptor.descriptor = true;
    let mut utf8 = ZipItem::new("ch\u{e9}vre/1.png", b"\x89PNG", 0);
    utf8.flags = 1 << 11;
    let items = [
        ZipItem::new("readme.txt", b"stored bytes", 0),
        ZipItem::new("digits/", b"", 0),
        ZipItem::new("digits/3/train.csv", &text, 8),
        with_descriptor,
        ZipItem::new("empty.bin", b"", 0),
        ZipItem::new("empty-deflated.bin", b"", 8),
        utf8,
        ZipItem::new("digits\\9\\", b"", 0),
    ];
    let zip = zip_archive(&items, b"a comment PK");
    assert!(is_zip(&zip));
    let entries = read_zip(ZIP, &zip).unwrap();
    // The files in directory order, then the folders (with `/` for a Windows `\`), no bytes.
    let entry = |path: &str, bytes: &[u8]| ZipEntry {
        path: path.to_string(),
        bytes: bytes.to_vec(),
    };
    let files = items
        .iter()
        .filter(|item| !item.path.ends_with(['/', '\\']));
    let mut expected: Vec<ZipEntry> = files.map(|item| entry(&item.path, &item.bytes)).collect();
    expected.extend([entry("digits/", b""), entry("digits/9/", b"")]);
    assert_eq!(entries, expected);

    let empty = zip_archive(&[], b"");
    assert_eq!(empty.len(), 22);
    assert!(is_zip(&empty));
    assert!(read_zip(ZIP, &empty).unwrap().is_empty());
    assert!(!is_zip(b"label,pixel0\n"));
}

#[test]
fn zip_errors_name_the_entry() {
    let stored = zip_archive(&[ZipItem::new("a/one.txt", b"0123456789", 0)], b"");
    // Local header (30) + name (9): the data starts at 39.
    let mut flipped = stored.clone();
    flipped[39 + 4] ^= 1;
    assert_says(
        &zip_error(&flipped),
        &["entry `a/one.txt` has CRC-32", "directory declares"],
    );

    assert_says(
        &zip_error(&stored[..stored.len() / 2]),
        &["not a ZIP archive"],
    );
    assert_says(
        &zip_error(b"\x89PNG\r\n\x1a\n not a zip at all"),
        &["not a ZIP archive"],
    );
    assert_says(&zip_error(b""), &["not a ZIP archive"]);

    let mut encrypted = ZipItem::new("secret.txt", b"hidden", 0);
    encrypted.flags = 1;
    assert_says(
        &zip_error(&zip_archive(&[encrypted], b"")),
        &["entry `secret.txt` is encrypted"],
    );
    assert_says(
        &zip_error(&zip_archive(&[ZipItem::new("b.bz2", b"BZh", 12)], b"")),
        &["entry `b.bz2` is compressed with bzip2 (method 12)"],
    );
    for name in [
        "../evil.txt",
        "a/../../evil.txt",
        "/etc/passwd",
        "C:\\x.txt",
        "a\\..\\b",
    ] {
        let zip = zip_archive(&[ZipItem::new(name, b"x", 0)], b"");
        assert_says(
            &zip_error(&zip),
            &[&format!("entry `{name}`"), "a `..` component"],
        );
    }

    // The central directory lies about an entry's sizes.
    let data = vec![7u8; 5000];
    let deflated = zip_archive(&[ZipItem::new("seven.bin", &data, 8)], b"");
    let size_at = central_at(&deflated, 0) + 24;
    let with_size = |size: u32| {
        let mut zip = deflated.clone();
        zip[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
        zip
    };
    assert_says(
        &zip_error(&with_size(4000)),
        &["entry `seven.bin` unpacks to more than the 4000 bytes"],
    );
    assert_says(
        &zip_error(&with_size(100 << 20)),
        &["entry `seven.bin` unpacks to 5000 bytes, but the directory declares 104857600"],
    );
    assert_says(
        &zip_error(&with_size(u32::MAX)),
        &["entry `seven.bin` uses ZIP64"],
    );
    let compressed_at = central_at(&deflated, 0) + 20;
    let mut long = deflated.clone();
    long[compressed_at..compressed_at + 4].copy_from_slice(&1_000_000u32.to_le_bytes());
    assert_says(
        &zip_error(&long),
        &["truncated: the data of `seven.bin` at byte offset 39 needs 1000039 bytes"],
    );
    let offset_at = central_at(&deflated, 0) + 42;
    let mut moved = deflated.clone();
    moved[offset_at..offset_at + 4].copy_from_slice(&5u32.to_le_bytes());
    assert_says(
        &zip_error(&moved),
        &["the local header of `seven.bin` at byte offset 5 does not start with its signature"],
    );
    // The end record: ZIP64 and split archives.
    let eocd = stored.len() - 22;
    let mut zip64 = stored.clone();
    zip64[eocd + 10..eocd + 12].copy_from_slice(&[0xff, 0xff]);
    assert_says(
        &zip_error(&zip64),
        &[&format!("ZIP64 archive (byte offset {eocd})")],
    );
    let mut split = stored.clone();
    split[eocd + 4] = 1;
    assert_says(&zip_error(&split), &["split (multi-disk)"]);
}

// ---------------------------------------------------------------- pictures

const PICTURE: &str = "digit.png";

/// Pillow's `L24(rgb) >> 16` (libImaging/Convert.c), the reference for colour to grey.
fn pillow_l(r: u8, g: u8, b: u8) -> u8 {
    ((u32::from(r) * 19595 + u32::from(g) * 38470 + u32::from(b) * 7471 + 0x8000) >> 16) as u8
}

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/pictures")
        .join(name);
    std::fs::read(path).unwrap()
}

#[test]
fn luma_is_bt601_rounded() {
    // Every colour: within rounding of the exact BT.601 weights (the 16-bit weights are off by
    // at most 0.0015 in all), and grey stays grey.
    let mut agree = 0u64;
    for r in 0..=255u8 {
        for g in 0..=255u8 {
            for b in 0..=255u8 {
                let exact = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
                let l = luma(r, g, b);
                assert!((f64::from(l) - exact).abs() <= 0.5 + 0.002, "{r} {g} {b}");
                agree += u64::from(f64::from(l) == exact.round());
            }
        }
        assert_eq!(luma(r, r, r), r);
    }
    assert!(agree as f64 > 0.99 * (1u64 << 24) as f64, "{agree}");
}

#[test]
fn png_decodes_to_grey() {
    use png::{BitDepth, ColorType};
    let mut rng = Rng::new(7, 40, 0);
    let (w, h) = (5usize, 3usize);
    let grey = random_bytes(&mut rng, w * h);
    let decode = |bytes: &[u8]| decode_picture(PICTURE, bytes).unwrap();
    let image = decode(&encode_png(
        5,
        3,
        ColorType::Grayscale,
        BitDepth::Eight,
        &grey,
        None,
    ));
    assert_eq!(
        image,
        GreyImage {
            rows: 3,
            cols: 5,
            pixels: grey.clone()
        }
    );

    // Grey with alpha, and 16-bit grey (its high byte).
    let grey_alpha: Vec<u8> = grey.iter().flat_map(|&g| [g, g ^ 0x55]).collect();
    let image = decode(&encode_png(
        5,
        3,
        ColorType::GrayscaleAlpha,
        BitDepth::Eight,
        &grey_alpha,
        None,
    ));
    assert_eq!(image.pixels, grey);
    let grey16: Vec<u8> = grey.iter().flat_map(|&g| [g, 255 - g]).collect();
    let image = decode(&encode_png(
        5,
        3,
        ColorType::Grayscale,
        BitDepth::Sixteen,
        &grey16,
        None,
    ));
    assert_eq!(image.pixels, grey);

    // RGB, and RGBA whose alpha is ignored.
    let rgb = random_bytes(&mut rng, 3 * w * h);
    let expected: Vec<u8> = rgb.chunks(3).map(|c| pillow_l(c[0], c[1], c[2])).collect();
    let image = decode(&encode_png(
        5,
        3,
        ColorType::Rgb,
        BitDepth::Eight,
        &rgb,
        None,
    ));
    assert_eq!(image.pixels, expected);
    let rgba: Vec<u8> = rgb
        .chunks(3)
        .flat_map(|c| [c[0], c[1], c[2], c[0] ^ 0xf0])
        .collect();
    let image = decode(&encode_png(
        5,
        3,
        ColorType::Rgba,
        BitDepth::Eight,
        &rgba,
        None,
    ));
    assert_eq!(image.pixels, expected);
    let rgb16: Vec<u8> = rgb.iter().flat_map(|&v| [v, 0x80]).collect();
    let image = decode(&encode_png(
        5,
        3,
        ColorType::Rgb,
        BitDepth::Sixteen,
        &rgb16,
        None,
    ));
    assert_eq!(image.pixels, expected);

    // A palette of four colours, as 8-bit and as packed 2-bit indices (rows padded to a byte).
    let palette = [0, 0, 0, 255, 255, 255, 200, 30, 30, 10, 120, 250];
    let colour = |i: usize| pillow_l(palette[3 * i], palette[3 * i + 1], palette[3 * i + 2]);
    let indices: Vec<u8> = (0..w * h).map(|_| rng.below(4) as u8).collect();
    let expected: Vec<u8> = indices.iter().map(|&i| colour(i as usize)).collect();
    let image = decode(&encode_png(
        5,
        3,
        ColorType::Indexed,
        BitDepth::Eight,
        &indices,
        Some(&palette),
    ));
    assert_eq!(image.pixels, expected);
    let packed: Vec<u8> = indices
        .chunks(w)
        .flat_map(|row| {
            row.chunks(4).map(|four| {
                four.iter()
                    .enumerate()
                    .fold(0u8, |byte, (k, &i)| byte | i << (6 - 2 * k))
            })
        })
        .collect();
    let image = decode(&encode_png(
        5,
        3,
        ColorType::Indexed,
        BitDepth::Two,
        &packed,
        Some(&palette),
    ));
    assert_eq!(image.pixels, expected);
    // 1-bit grey: black and white.
    let image = decode(&encode_png(
        3,
        1,
        ColorType::Grayscale,
        BitDepth::One,
        &[0b1010_0000],
        None,
    ));
    assert_eq!(image.pixels, [255, 0, 255]);

    // Larger than 64 x 64 is the caller's to resize; larger than 4096 is refused.
    let wide = encode_png(
        100,
        2,
        ColorType::Grayscale,
        BitDepth::Eight,
        &[9; 200],
        None,
    );
    assert_eq!(
        decode(&wide),
        GreyImage {
            rows: 2,
            cols: 100,
            pixels: vec![9; 200]
        }
    );
    let huge = encode_png(
        4097,
        1,
        ColorType::Grayscale,
        BitDepth::Eight,
        &[0; 4097],
        None,
    );
    let error = decode_picture(PICTURE, &huge).unwrap_err();
    assert!(
        matches!(
            error,
            PictureError::TooLarge {
                width: 4097,
                height: 1,
                ..
            }
        ),
        "{error}"
    );
    assert_says(&error.to_string(), &[PICTURE, "4097x1", "4096x4096"]);
}

#[test]
fn jpeg_decodes_flat_blocks() {
    // The blocks make_pictures.py drew: top-left, top-right, bottom-left, bottom-right.
    let block = |image: &GreyImage, index: usize| -> Vec<u8> {
        let (top, left) = (8 * (index / 2), 8 * (index % 2));
        (top..top + 8)
            .flat_map(|r| (left..left + 8).map(move |c| (r, c)))
            .map(|(r, c)| image.pixels[r * image.cols + c])
            .collect()
    };
    let grey = decode_picture("grey.jpg", &fixture("grey_blocks.jpg")).unwrap();
    assert_eq!((grey.rows, grey.cols), (16, 16));
    for (index, value) in [16u8, 96, 160, 240].into_iter().enumerate() {
        for pixel in block(&grey, index) {
            assert!(
                pixel.abs_diff(value) <= 2,
                "block {index}: {pixel} vs {value}"
            );
        }
    }
    // Colour: JPEG's YCbCr round trip and quantisation move the grey by a few levels.
    let colour = decode_picture("colour.jpg", &fixture("colour_blocks.jpg")).unwrap();
    let colours = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (128, 128, 128)];
    for (index, (r, g, b)) in colours.into_iter().enumerate() {
        let exact = 0.299 * f64::from(r) + 0.587 * f64::from(g) + 0.114 * f64::from(b);
        for pixel in block(&colour, index) {
            assert!(
                (f64::from(pixel) - exact).abs() <= 4.0,
                "block {index}: {pixel} vs {exact}"
            );
        }
    }
    let error = decode_picture("cmyk.jpg", &fixture("cmyk.jpg")).unwrap_err();
    assert_says(
        &error.to_string(),
        &["picture cmyk.jpg", "CMYK JPEG is not supported"],
    );

    // A frame header that claims 5000 x 5000 is refused before decoding.
    let mut huge = fixture("grey_blocks.jpg");
    let sof = huge.windows(2).position(|w| w == [0xff, 0xc0]).unwrap();
    huge[sof + 5..sof + 9].copy_from_slice(&[0x13, 0x88, 0x13, 0x88]);
    let error = decode_picture("huge.jpg", &huge).unwrap_err();
    assert!(
        matches!(
            error,
            PictureError::TooLarge {
                width: 5000,
                height: 5000,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn picture_errors_name_the_file() {
    let png = encode_png(
        4,
        4,
        png::ColorType::Rgb,
        png::BitDepth::Eight,
        &[90; 48],
        None,
    );
    assert!(is_picture(&png));
    assert!(is_picture(&fixture("grey_blocks.jpg")));
    assert!(!is_picture(b"1,2,3\n"));
    let message = |bytes: &[u8]| decode_picture(PICTURE, bytes).unwrap_err().to_string();
    assert_says(
        &message(&png[..png.len() - 20]),
        &["picture digit.png: corrupt PNG"],
    );
    assert_says(&message(&png[..20]), &["picture digit.png: corrupt PNG"]);
    let jpeg = fixture("grey_blocks.jpg");
    assert_says(&message(&jpeg[..100]), &["picture digit.png: corrupt JPEG"]);
    let mut rng = Rng::new(8, 40, 0);
    let random = random_bytes(&mut rng, 100);
    assert_says(&message(&random), &["picture digit.png: not a PNG or JPEG"]);
    assert_says(&message(b""), &["not a PNG or JPEG"]);

    // A palette that is not whole RGB entries, with right CRCs (png 0.18 would panic on it).
    let palette: Vec<u8> = (0..15).map(|i| i * 17).collect();
    let indexed = encode_png(
        4,
        4,
        png::ColorType::Indexed,
        png::BitDepth::Eight,
        &[0, 1, 2, 3, 4, 3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1],
        Some(&palette),
    );
    assert!(decode_picture(PICTURE, &indexed).is_ok());
    let broken = with_chunk(&indexed, b"PLTE", &palette[..14]);
    assert_says(
        &message(&broken),
        &[
            "corrupt PNG",
            "a palette of 14 bytes, not whole RGB entries",
        ],
    );
}

/// `png` with the data of its `kind` chunk replaced, every chunk's CRC-32 made right.
fn with_chunk(png: &[u8], kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = png[..8].to_vec();
    let mut at = 8;
    while at < png.len() {
        let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        let this = &png[at + 4..at + 8];
        let body = if this == kind {
            data
        } else {
            &png[at + 8..at + 8 + len]
        };
        let mut crc = Crc::new();
        crc.update(this);
        crc.update(body);
        out.extend_from_slice(&(body.len() as u32).to_be_bytes());
        out.extend_from_slice(this);
        out.extend_from_slice(body);
        out.extend_from_slice(&crc.sum().to_be_bytes());
        at += 12 + len;
    }
    out
}

#[test]
fn resize_follows_the_documented_filter() {
    let mut rng = Rng::new(9, 40, 0);
    let image = GreyImage {
        rows: 5,
        cols: 7,
        pixels: random_bytes(&mut rng, 35),
    };
    assert_eq!(resized(&image, 5, 7), image);

    for (rows, cols) in [(3, 5), (40, 40), (1, 1), (9, 2)] {
        let flat = GreyImage {
            rows,
            cols,
            pixels: vec![173; rows * cols],
        };
        for (to_rows, to_cols) in [(28, 28), (2, 3), (64, 1)] {
            let out = resized(&flat, to_rows, to_cols);
            assert_eq!(
                out.pixels,
                vec![173; to_rows * to_cols],
                "{rows}x{cols} to {to_rows}x{to_cols}"
            );
        }
    }

    // 2 x 2 to 4 x 4: output centres at 0.25, 0.75, 1.25, 1.75 input pixels, so each axis
    // takes the two inputs with weights (1, 0), (3/4, 1/4), (1/4, 3/4), (0, 1). Columns first,
    // rounded (halves up), then rows.
    let source = [[10.0, 200.0], [60.0, 90.0]];
    let weights = [[1.0, 0.0], [0.75, 0.25], [0.25, 0.75], [0.0, 1.0]];
    let round = |v: f64| (v + 0.5).floor();
    let wide: Vec<[f64; 4]> = source
        .iter()
        .map(|row| weights.map(|w| round(w[0] * row[0] + w[1] * row[1])))
        .collect();
    let mut expected = Vec::new();
    for w in weights {
        for (top, bottom) in wide[0].iter().zip(&wide[1]) {
            expected.push(round(w[0] * top + w[1] * bottom) as u8);
        }
    }
    let small = GreyImage {
        rows: 2,
        cols: 2,
        pixels: vec![10, 200, 60, 90],
    };
    assert_eq!(resized(&small, 4, 4).pixels, expected);

    // 2 x 2 to 1 x 3: the rows shrink (by 1) more than twice what the columns do (they grow),
    // so rows first: each column's mean, rounded, then the columns at centres 1/3, 1, 5/3
    // with weights (1, 0), (1/2, 1/2), (0, 1).
    let small = GreyImage {
        rows: 2,
        cols: 2,
        pixels: vec![178, 178, 91, 165],
    };
    let means = [round((178.0 + 91.0) / 2.0), round((178.0 + 165.0) / 2.0)];
    let expected = [means[0], round((means[0] + means[1]) / 2.0), means[1]].map(|v| v as u8);
    assert_eq!(resized(&small, 1, 3).pixels, expected);

    // 4 to 2 along a row: the triangle is twice as wide, centres at 1 and 3 weigh the inputs
    // (at 0.5, 1.5, 2.5, 3.5) 3/4, 3/4, 1/4, 0 and 0, 1/4, 3/4, 3/4, normalised.
    let row = GreyImage {
        rows: 1,
        cols: 4,
        pixels: vec![0, 70, 140, 210],
    };
    let left = (3.0 * 0.0 + 3.0 * 70.0 + 140.0) / 7.0;
    let right = (70.0 + 3.0 * 140.0 + 3.0 * 210.0) / 7.0;
    assert_eq!(
        resized(&row, 1, 2).pixels,
        [f64::round(left) as u8, f64::round(right) as u8]
    );
    assert_eq!(resized(&GreyImage::default(), 2, 2).pixels, [0; 4]);
    assert!(resized(&image, 0, 3).pixels.is_empty());
}

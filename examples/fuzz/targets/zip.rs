//! `read_zip`. Seeds: archives written here of a folder, a stored and a deflated MNIST image
//! (one with a data descriptor), a CSV and an archive comment. Property: reading is
//! deterministic, no accepted path is empty, absolute or climbs out with `..`, folders have no
//! bytes, and the entries zipped again (with their CRC-32) read back the same.

use std::io::Write;

use bayes_renorm::data::zip::{read_zip, ZipEntry};
use bayes_renorm::data::Dataset;
use bayes_renorm::rng::Rng;
use flate2::{write::DeflateEncoder, Compression, Crc};

use super::{random_or_mutated, Target};

pub struct ZipTarget {
    seeds: Vec<Vec<u8>>,
}

impl ZipTarget {
    pub fn new(images: &Dataset) -> Self {
        let (first, second) = (images.image(0).to_vec(), images.image(1).to_vec());
        let folder = ZipEntry {
            path: "digits/".to_string(),
            bytes: Vec::new(),
        };
        let entry = |path: &str, bytes: &[u8]| ZipEntry {
            path: path.to_string(),
            bytes: bytes.to_vec(),
        };
        ZipTarget {
            seeds: vec![
                zip(
                    &[
                        (folder, false),
                        (entry("digits/7/a.raw", &first), false),
                        (entry("digits/2/b.raw", &second), true),
                    ],
                    true,
                    b"",
                ),
                zip(
                    &[(entry("train.csv", b"label,p0\n7,0\n2,255\n"), true)],
                    false,
                    b"seed",
                ),
                zip(&[(entry("a.raw", &first), false)], false, b""),
            ],
        }
    }
}

impl Target for ZipTarget {
    fn name(&self) -> &'static str {
        "zip"
    }

    fn input(&self, rng: &mut Rng) -> Vec<u8> {
        random_or_mutated(&self.seeds[rng.below(self.seeds.len())], rng)
    }

    fn run(&self, input: &[u8]) -> bool {
        let Ok(entries) = read_zip("fuzz.zip", input) else {
            return false;
        };
        let again = read_zip("fuzz.zip", input).expect("deterministic");
        assert_eq!(again, entries);
        for entry in &entries {
            let path = &entry.path;
            assert!(!path.is_empty(), "an empty path");
            if path.ends_with('/') {
                assert!(entry.bytes.is_empty(), "folder {path:?} has bytes");
            }
            assert!(
                !path.starts_with('/') && !path.starts_with('\\'),
                "{path:?}"
            );
            assert!(
                !path.split(['/', '\\']).any(|part| part == ".."),
                "{path:?}"
            );
        }
        let pairs: Vec<(ZipEntry, bool)> = entries.iter().map(|e| (e.clone(), true)).collect();
        let rezipped = read_zip("again.zip", &zip(&pairs, false, b""));
        assert_eq!(rezipped.expect("a rewritten archive reads"), entries);
        true
    }
}

/// An archive of `(entry, deflated)` pairs, the deflated ones with a data descriptor if
/// `descriptors`, then `comment`.
fn zip(entries: &[(ZipEntry, bool)], descriptors: bool, comment: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let put16 = |buf: &mut Vec<u8>, v: usize| buf.extend_from_slice(&(v as u16).to_le_bytes());
    let put32 = |buf: &mut Vec<u8>, v: u32| buf.extend_from_slice(&v.to_le_bytes());
    for (entry, deflated) in entries {
        let mut crc = Crc::new();
        crc.update(&entry.bytes);
        let (method, packed) = if *deflated {
            let mut encoder = DeflateEncoder::new(Vec::new(), Compression::fast());
            encoder.write_all(&entry.bytes).expect("write to Vec");
            (8, encoder.finish().expect("write to Vec"))
        } else {
            (0, entry.bytes.clone())
        };
        let descriptor = descriptors && *deflated;
        // Bit 3: sizes in a data descriptor; bit 11: the name is UTF-8.
        let flags = (if descriptor { 1 << 3 } else { 0 }) | 1 << 11;
        let sizes = [crc.sum(), packed.len() as u32, entry.bytes.len() as u32];
        let offset = out.len() as u32;
        put32(&mut out, 0x0403_4b50);
        for v in [20, flags, method, 0, 0x21] {
            put16(&mut out, v);
        }
        for v in if descriptor { [0; 3] } else { sizes } {
            put32(&mut out, v);
        }
        put16(&mut out, entry.path.len());
        put16(&mut out, 0);
        out.extend_from_slice(entry.path.as_bytes());
        out.extend_from_slice(&packed);
        if descriptor {
            put32(&mut out, 0x0807_4b50);
            sizes.iter().for_each(|&v| put32(&mut out, v));
        }
        put32(&mut central, 0x0201_4b50);
        for v in [20, 20, flags, method, 0, 0x21] {
            put16(&mut central, v);
        }
        sizes.iter().for_each(|&v| put32(&mut central, v));
        for v in [entry.path.len(), 0, 0, 0, 0] {
            put16(&mut central, v);
        }
        put32(&mut central, 0);
        put32(&mut central, offset);
        central.extend_from_slice(entry.path.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    put32(&mut out, 0x0605_4b50);
    for v in [0, 0, entries.len(), entries.len()] {
        put16(&mut out, v);
    }
    put32(&mut out, central.len() as u32);
    put32(&mut out, cd_offset);
    put16(&mut out, comment.len());
    out.extend_from_slice(comment);
    out
}

//! `read_zip`. Seeds: archives written here of a folder, a stored and a deflated MNIST image
//! (one with a data descriptor), a CSV and an archive comment. Property: reading is
//! deterministic, no accepted path is empty, absolute or climbs out with `..`, folders have no
//! bytes, and the entries zipped again (with their CRC-32) read back the same.

use bayes_renorm::data::zip::read_zip;
use bayes_renorm::data::Dataset;
use bayes_renorm::rng::Rng;

use super::{random_or_mutated, Target};
use crate::writers::{zip_archive, ZipItem, ZIP_UTF8};

pub struct ZipTarget {
    seeds: Vec<Vec<u8>>,
}

impl ZipTarget {
    pub fn new(images: &Dataset) -> Self {
        let (first, second) = (images.image(0), images.image(1));
        ZipTarget {
            seeds: vec![
                zip_archive(
                    &[
                        item("digits/", b"", STORED),
                        item("digits/7/a.raw", first, STORED),
                        ZipItem {
                            descriptor: true,
                            ..item("digits/2/b.raw", second, DEFLATED)
                        },
                    ],
                    b"",
                ),
                zip_archive(
                    &[item("train.csv", b"label,p0\n7,0\n2,255\n", DEFLATED)],
                    b"seed",
                ),
                zip_archive(&[item("a.raw", first, STORED)], b""),
            ],
        }
    }
}

const STORED: u16 = 0;
const DEFLATED: u16 = 8;

/// An entry with a UTF-8 name.
fn item(path: &str, bytes: &[u8], method: u16) -> ZipItem {
    ZipItem {
        flags: ZIP_UTF8,
        ..ZipItem::new(path, bytes, method)
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
        let items: Vec<ZipItem> = entries
            .iter()
            .map(|e| item(&e.path, &e.bytes, DEFLATED))
            .collect();
        let rezipped = read_zip("again.zip", &zip_archive(&items, b""));
        assert_eq!(rezipped.expect("a rewritten archive reads"), entries);
        true
    }
}

//! `import`, the whole conversion of a visitor's files, at once and in steps. An input is two
//! option bytes (resize, width, seed) and up to eight files, each a u32 little-endian length then
//! `path\0bytes` (a length past the end takes the rest). Seeds (tests/common/writers.rs): tiny
//! PNGs zipped in three class folders (with folder entries), the same split into train/ and
//! test/, loose PNGs beside a README, pictures of two sizes to resize, MNIST 0s and 1s as a CSV
//! pair, an NPY pair and IDX train and test files (one gzipped), and a CSV of 2x3 images with a
//! width. A zip's entries are mutated before it is zipped, so a mutation can reach a picture
//! inside and the archive still reads.
//! Property: in steps (the progress moving on) the result or the error is the same as at once.
//! An accepted set has non-empty train and test of one image size, 1x1 to 64x64, rows x cols
//! pixels an image; 2 to 256 classes, each label one of them and each class in train or test; it
//! packs into shards; and a picture folder gives the same data with its files, or its zip's
//! entries given as files, in reverse order (pictures are sorted by path).

use bayes_renorm::data::idx::{idx_images_bytes, idx_labels_bytes};
use bayes_renorm::data::import::{import, Import, ImportError, ImportOptions, Imported, InputFile};
use bayes_renorm::data::sniff::{sniff, FileKind};
use bayes_renorm::data::zip::read_zip;
use bayes_renorm::data::{Dataset, MAX_CLASSES, MAX_SIDE, MIN_CLASSES};
use bayes_renorm::rng::Rng;

use super::picture::{fix_png_crcs, PNG_MAGIC};
use super::Target;
use crate::fuzz::randomly_mutated;
use crate::writers::{csv, csv_text, gzip, npy_pair, picture_entries, png, zip};

/// Files an input holds at the most; the rest of it is ignored.
const MAX_FILES: usize = 8;
/// Option bits: resize pictures, take the width byte.
const RESIZE: u8 = 1;
const WIDTH: u8 = 2;

/// A seed's file. A zip keeps its entries, zipped when an input is drawn.
#[derive(Clone)]
enum SeedFile {
    Plain(String, Vec<u8>),
    Zip(String, Vec<(String, Vec<u8>)>),
}

struct Seed {
    /// `[flags, width]`, as an input starts.
    options: [u8; 2],
    files: Vec<SeedFile>,
}

pub struct ImportTarget {
    seeds: Vec<Seed>,
}

impl ImportTarget {
    pub fn new(images: &Dataset) -> Self {
        let plain = |path: &str, bytes: Vec<u8>| SeedFile::Plain(path.to_string(), bytes);
        let class = |label: u8| ["circle", "square", "triangle"][label as usize].to_string();
        // Three classes of three 5x4 pictures, and the first of each as a test split.
        let labels = vec![0, 0, 0, 1, 1, 1, 2, 2, 2];
        let pixels = (0..9 * 20).map(|i| (i * 37 % 251) as u8).collect();
        let tiny = Dataset::new(5, 4, labels, pixels);
        let folder = |path: &str| (path.to_string(), Vec::new());

        let mut whole = vec![folder("shapes/"), folder("shapes/square/")];
        whole.extend(picture_entries(&tiny, "shapes/", class, false));
        let mut split = picture_entries(&tiny, "set/train/", class, false);
        split.extend(picture_entries(
            &tiny.select(&[0, 3, 6]),
            "set/test/",
            class,
            true,
        ));
        split.push(folder("set/test/"));
        let mut loose: Vec<SeedFile> =
            picture_entries(&tiny.select(&[0, 1, 3, 4]), "mine/", class, false)
                .into_iter()
                .map(|(path, bytes)| SeedFile::Plain(path, bytes))
                .collect();
        loose.push(plain("mine/README.txt", b"my shapes, by hand".to_vec()));
        let mut sizes = picture_entries(&tiny.first(6), "", class, false);
        sizes.push(("square/big.png".to_string(), png(10, 8, &[200; 80], true)));

        // MNIST's first four 0s and 1s: three of each to train on, one of each to test.
        let of = |digit: u8| (0..images.len()).filter(move |&k| images.labels[k] == digit);
        let train: Vec<usize> = of(0).take(3).chain(of(1).take(3)).collect();
        let test: Vec<usize> = of(0).nth(3).into_iter().chain(of(1).nth(3)).collect();
        let (train, test) = (images.select(&train), images.select(&test));
        let mut both = train.clone();
        both.append(&test);
        let (x, y) = npy_pair(&both);
        let wide = Dataset::new(
            2,
            3,
            vec![0, 1, 0, 1, 0, 1],
            (0..36).map(|p| p * 7).collect(),
        );

        let seed = |options, files| Seed { options, files };
        let target = ImportTarget {
            seeds: vec![
                seed([0, 0], vec![SeedFile::Zip("shapes.zip".into(), whole)]),
                seed([0, 0], vec![SeedFile::Zip("set.zip".into(), split)]),
                seed([0, 0], loose),
                seed([RESIZE, 0], vec![SeedFile::Zip("sizes.zip".into(), sizes)]),
                seed(
                    [0, 0],
                    vec![
                        plain(
                            "mnist_train.csv",
                            csv_text(&train, true, true, false).into_bytes(),
                        ),
                        plain("mnist_test.csv", csv(&test, false)),
                    ],
                ),
                seed([4, 0], vec![plain("x.npy", x), plain("y.npy", y)]),
                seed(
                    [0, 0],
                    vec![
                        plain("train-images-idx3-ubyte", idx_images_bytes(&train)),
                        plain("t10k-images-idx3-ubyte.gz", gzip(&idx_images_bytes(&test))),
                        plain("train-labels-idx1-ubyte", idx_labels_bytes(&train)),
                        plain("t10k-labels-idx1-ubyte", idx_labels_bytes(&test)),
                    ],
                ),
                seed([WIDTH, 3], vec![plain("wide.csv", csv(&wide, true))]),
            ],
        };
        // A seed the converter refused would only ever fuzz its error paths.
        for (k, seed) in target.seeds.iter().enumerate() {
            let files: Vec<_> = seed.files.iter().map(as_given).collect();
            assert!(
                target.run(&encoded(seed.options, &files)),
                "seed {k} is refused"
            );
        }
        target
    }
}

impl Target for ImportTarget {
    fn name(&self) -> &'static str {
        "import"
    }

    fn input(&self, rng: &mut Rng) -> Vec<u8> {
        let seed = &self.seeds[rng.below(self.seeds.len())];
        let options = match rng.below(8) {
            0 => [rng.next_u64() as u8, rng.next_u64() as u8],
            _ => seed.options,
        };
        // One file mutated (inside a zip, an entry or the archive), the others as they are.
        let chosen = rng.below(seed.files.len());
        let mut files: Vec<(String, Vec<u8>)> = seed
            .files
            .iter()
            .enumerate()
            .map(|(k, file)| drawn(file, k == chosen, rng))
            .collect();
        // Now and then a file left out, or given twice.
        match rng.below(16) {
            0 if files.len() > 1 => {
                files.remove(rng.below(files.len()));
            }
            1 => files.push(files[rng.below(files.len())].clone()),
            _ => {}
        }
        let input = encoded(options, &files);
        match rng.below(10) {
            0 => randomly_mutated(&input, rng),
            _ => input,
        }
    }

    fn run(&self, input: &[u8]) -> bool {
        let (options, files) = decoded(input);
        let at_once = import(files.clone(), options.clone());
        let imported = match (stepped(files.clone(), options.clone()), at_once) {
            (Ok(stepped), Ok(imported)) => {
                assert_same(&stepped, &imported, "in steps and at once");
                imported
            }
            (Err(stepped), Err(at_once)) => {
                assert_eq!(stepped.to_string(), at_once.to_string(), "the same error");
                return false;
            }
            (stepped, at_once) => panic!(
                "in steps {:?}, at once {:?}",
                stepped.map(|i| i.format),
                at_once.map(|i| i.format)
            ),
        };
        check(&imported);
        if imported.format == "pictures" {
            for (files, how) in reorderings(&files) {
                let again = import(files, options.clone())
                    .unwrap_or_else(|e| panic!("{how}: refused: {e}"));
                assert_same_data(&again, &imported, how);
            }
        }
        true
    }
}

/// A seed file as an input holds it, `mutate`d if chosen.
fn drawn(file: &SeedFile, mutate: bool, rng: &mut Rng) -> (String, Vec<u8>) {
    if !mutate {
        return as_given(file);
    }
    match file {
        SeedFile::Plain(path, bytes) => match rng.below(8) {
            0 => (mutated_path(path, rng), bytes.clone()),
            _ => (path.clone(), mutated_file(bytes, rng)),
        },
        SeedFile::Zip(path, entries) if rng.below(4) != 0 => {
            let mut entries = entries.clone();
            let at = rng.below(entries.len());
            let entry = &mut entries[at];
            match rng.below(4) {
                0 => entry.0 = mutated_path(&entry.0, rng),
                _ => entry.1 = mutated_file(&entry.1, rng),
            }
            (path.clone(), zip(&entries))
        }
        SeedFile::Zip(path, entries) => (path.clone(), randomly_mutated(&zip(entries), rng)),
    }
}

fn as_given(file: &SeedFile) -> (String, Vec<u8>) {
    match file {
        SeedFile::Plain(path, bytes) => (path.clone(), bytes.clone()),
        SeedFile::Zip(path, entries) => (path.clone(), zip(entries)),
    }
}

/// `bytes` mutated; a PNG half the time with its chunks' CRC-32 made right again.
fn mutated_file(bytes: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = randomly_mutated(bytes, rng);
    if out.starts_with(PNG_MAGIC) && rng.below(2) == 0 {
        fix_png_crcs(&mut out);
    }
    out
}

fn mutated_path(path: &str, rng: &mut Rng) -> String {
    String::from_utf8_lossy(&randomly_mutated(path.as_bytes(), rng)).into_owned()
}

fn encoded(options: [u8; 2], files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = options.to_vec();
    for (path, bytes) in files {
        out.extend_from_slice(&((path.len() + 1 + bytes.len()) as u32).to_le_bytes());
        out.extend_from_slice(path.as_bytes());
        out.push(0);
        out.extend_from_slice(bytes);
    }
    out
}

/// The options and files of an input. A file with no NUL is all bytes, named `unnamed`.
fn decoded(input: &[u8]) -> (ImportOptions, Vec<InputFile>) {
    let (&flags, rest) = input.split_first().unwrap_or((&0, &[]));
    let (&width, mut rest) = rest.split_first().unwrap_or((&0, &[]));
    let options = ImportOptions {
        id: "fuzz".into(),
        name: "Fuzz".into(),
        width: (flags & WIDTH != 0).then_some(usize::from(width)),
        resize: flags & RESIZE != 0,
        seed: u64::from(flags >> 2),
    };
    let mut files = Vec::new();
    while files.len() < MAX_FILES {
        let Some((len, after)) = rest.split_first_chunk::<4>() else {
            break;
        };
        let (record, after) = after.split_at((u32::from_le_bytes(*len) as usize).min(after.len()));
        let (path, bytes) = match record.iter().position(|&b| b == 0) {
            Some(nul) => (
                String::from_utf8_lossy(&record[..nul]).into_owned(),
                &record[nul + 1..],
            ),
            None => ("unnamed".to_string(), record),
        };
        files.push(InputFile {
            path,
            bytes: bytes.to_vec(),
        });
        rest = after;
    }
    (options, files)
}

/// The conversion a row or picture at a time, as the page runs it; the progress moves on at
/// each step that is not the last.
fn stepped(files: Vec<InputFile>, options: ImportOptions) -> Result<Imported, ImportError> {
    let mut import = Import::new(files, options)?;
    let mut last = import.progress();
    assert!(last.done <= last.total, "{last:?}");
    while !import.step(1)? {
        let now = import.progress();
        assert!(
            now.unit == last.unit && now.total == last.total,
            "{last:?} then {now:?}"
        );
        assert!(
            last.done < now.done && now.done <= now.total,
            "{last:?} then {now:?}"
        );
        last = now;
    }
    import.finish()
}

/// The property every accepted data set has.
fn check(imported: &Imported) {
    let Imported {
        meta, train, test, ..
    } = imported;
    let (rows, cols) = (train.rows, train.cols);
    assert!(!train.is_empty() && !test.is_empty(), "an empty split");
    assert_eq!((test.rows, test.cols), (rows, cols), "train and test sizes");
    assert!(
        (1..=MAX_SIDE).contains(&rows) && (1..=MAX_SIDE).contains(&cols),
        "{rows}x{cols}"
    );
    let classes = meta.classes;
    assert!(
        (MIN_CLASSES..=MAX_CLASSES).contains(&classes),
        "{classes} classes"
    );
    if !meta.class_names.is_empty() || imported.format == "pictures" {
        assert_eq!(meta.class_names.len(), classes, "a name for each class");
    }
    let mut seen = vec![false; classes];
    for data in [train, test] {
        assert_eq!(data.pixels.len(), data.len() * rows * cols);
        for &label in &data.labels {
            assert!(
                (label as usize) < classes,
                "label {label} of {classes} classes"
            );
            seen[label as usize] = true;
        }
    }
    assert!(seen.iter().all(|&s| s), "a class with no examples");
    if let Err(e) = imported.packed() {
        panic!("an accepted data set does not pack: {e}");
    }
}

/// The files in reverse order, and any zips' entries given as files (as `unpacked` names them),
/// in reverse order: the same picture folder. Only where no two pictures share a path, the one
/// case where the given order still decides (a sort by path keeps ties as they came).
fn reorderings(files: &[InputFile]) -> Vec<(Vec<InputFile>, &'static str)> {
    let mut loose = Vec::new();
    let mut nested = false;
    for file in files {
        if sniff(&file.bytes) != FileKind::Zip {
            loose.push(file.clone());
            continue;
        }
        for entry in read_zip(&file.path, &file.bytes).expect("it read when imported") {
            nested |= sniff(&entry.bytes) == FileKind::Zip;
            loose.push(InputFile {
                path: format!("{}/{}", file.path, entry.path),
                bytes: entry.bytes,
            });
        }
    }
    let mut paths: Vec<&str> = loose.iter().map(|f| f.path.as_str()).collect();
    paths.sort_unstable();
    if paths.windows(2).any(|w| w[0] == w[1]) {
        return Vec::new();
    }
    let mut out = vec![(files.iter().rev().cloned().collect(), "files reversed")];
    if !nested {
        loose.reverse();
        out.push((loose, "zip entries as files, reversed"));
    }
    out
}

fn assert_same(a: &Imported, b: &Imported, how: &str) {
    assert_same_data(a, b, how);
    assert_eq!(a.skipped, b.skipped, "{how}: skipped");
}

/// The same data set, and the same files left out, in whichever order.
fn assert_same_data(a: &Imported, b: &Imported, how: &str) {
    assert_eq!(a.format, b.format, "{how}: format");
    assert_eq!(a.meta, b.meta, "{how}: meta");
    assert!(a.train == b.train, "{how}: train differs");
    assert!(a.test == b.test, "{how}: test differs");
    let sorted = |i: &Imported| {
        let mut skipped = i.skipped.clone();
        skipped.sort();
        skipped
    };
    assert_eq!(sorted(a), sorted(b), "{how}: skipped");
}

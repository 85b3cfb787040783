//! A visitor's own data: every format converts to the same pixels and labels as IDX, a set given
//! whole is split 1/7 per class, and each malformed input gets an error naming where it is.

use crate::common;
use crate::common::writers::{csv, encode_png, npy, npy_pair, picture_entries, png, zip};

use bayes_renorm::data::holdout::held_out;
use bayes_renorm::data::idx::{idx_images_bytes, idx_labels_bytes};
use bayes_renorm::data::import::{import, ImportError, ImportOptions, Imported, InputFile};
use bayes_renorm::data::manifest::GIVEN_SPLIT;
use bayes_renorm::data::Dataset;

fn options() -> ImportOptions {
    ImportOptions {
        id: "mine".into(),
        name: "Mine".into(),
        width: None,
        resize: false,
        seed: 0,
    }
}

fn file(path: &str, bytes: Vec<u8>) -> InputFile {
    InputFile {
        path: path.into(),
        bytes,
    }
}

fn convert(files: Vec<InputFile>) -> Result<Imported, ImportError> {
    import(files, options())
}

fn error(files: Vec<InputFile>) -> String {
    match convert(files) {
        Ok(_) => panic!("converted, but should have been refused"),
        Err(err) => err.to_string(),
    }
}

/// 700 MNIST test images: the first 600 as train, the last 100 as test.
fn mnist_pair() -> (Dataset, Dataset) {
    let all = common::mnist_test(700);
    (all.first(600), all.select(&(600..700).collect::<Vec<_>>()))
}

/// `data` with its examples stably sorted by label: the order of a picture folder's classes.
fn by_label(data: &Dataset) -> Dataset {
    let mut order: Vec<usize> = (0..data.len()).collect();
    order.sort_by_key(|&k| data.labels[k]);
    data.select(&order)
}

fn digit_name(label: u8) -> String {
    label.to_string()
}

#[test]
fn every_format_gives_the_idx_pixels_and_labels() {
    let (train, test) = mnist_pair();
    let idx = convert(vec![
        file("t10k-images-idx3-ubyte", idx_images_bytes(&test)),
        file("train-images-idx3-ubyte", idx_images_bytes(&train)),
        file("t10k-labels-idx1-ubyte", idx_labels_bytes(&test)),
        file("train-labels-idx1-ubyte", idx_labels_bytes(&train)),
    ])
    .unwrap();
    assert_eq!(
        (idx.train.clone(), idx.test.clone()),
        (train.clone(), test.clone())
    );
    assert_eq!(idx.meta.classes, 10);
    assert_eq!(idx.meta.split, GIVEN_SPLIT);
    assert_eq!(idx.format, "IDX");

    let csv = convert(vec![
        file("mnist_train.csv", csv(&train, true)),
        file("mnist_test.csv", csv(&test, false)),
    ])
    .unwrap();
    assert_eq!((csv.train, csv.test), (train.clone(), test.clone()));

    let (train_images, train_labels) = npy_pair(&train);
    let (test_images, test_labels) = npy_pair(&test);
    let npy = convert(vec![
        file("x_train.npy", train_images),
        file("y_train.npy", train_labels),
        file("x_test.npy", test_images),
        file("y_test.npy", test_labels),
    ])
    .unwrap();
    assert_eq!((npy.train, npy.test), (train.clone(), test.clone()));

    // Pictures, in RGB with R = G = B: grey comes back exactly. A folder sorts by class.
    let mut entries = picture_entries(&train, "digits/train/", digit_name, true);
    entries.extend(picture_entries(&test, "digits/test/", digit_name, false));
    let pictures = convert(vec![file("digits.zip", zip(&entries))]).unwrap();
    assert_eq!(pictures.train, by_label(&train));
    assert_eq!(pictures.test, by_label(&test));
    let names: Vec<String> = (0..10).map(|d| d.to_string()).collect();
    assert_eq!(pictures.meta.class_names, names);
    assert_eq!(pictures.format, "pictures");
}

#[test]
fn a_set_given_whole_is_split_a_seventh_of_each_class_the_same_in_every_format() {
    let all = common::mnist_test(700);
    let from_csv = convert(vec![file("all.csv", csv(&all, false))]).unwrap();
    let (images, labels) = npy_pair(&all);
    let from_npy = convert(vec![file("x.npy", images), file("y.npy", labels)]).unwrap();
    let from_idx = convert(vec![
        file("a", idx_images_bytes(&all)),
        file("b", idx_labels_bytes(&all)),
    ])
    .unwrap();
    for other in [&from_npy, &from_idx] {
        assert_eq!(
            (&other.train, &other.test),
            (&from_csv.train, &from_csv.test)
        );
    }
    assert!(from_csv.meta.split.contains("1/7") && from_csv.meta.split.contains("seed 0"));
    // Per class: round(n / 7) held out, the rest trained on, nothing lost or repeated.
    for class in 0..10u8 {
        let count = |d: &Dataset| d.labels.iter().filter(|&&l| l == class).count();
        let n = count(&all);
        assert_eq!(
            count(&from_csv.test),
            (n as f64 / 7.0).round() as usize,
            "class {class}"
        );
        assert_eq!(count(&from_csv.train) + count(&from_csv.test), n);
    }
    let mut images: Vec<&[u8]> = (0..700).map(|k| all.image(k)).collect();
    let mut split: Vec<&[u8]> = (0..from_csv.train.len())
        .map(|k| from_csv.train.image(k))
        .collect();
    split.extend((0..from_csv.test.len()).map(|k| from_csv.test.image(k)));
    images.sort();
    split.sort();
    assert_eq!(images, split);
    // The seed chooses which; the same seed, the same split.
    let (train_1, _) = held_out(&all, 1);
    assert_ne!(train_1, from_csv.train);
    assert_eq!(held_out(&all, 0).0, from_csv.train);
}

#[test]
fn pictures_resize_to_the_first_only_when_asked_and_colour_becomes_luma() {
    // Two classes of 6x4 pictures, one picture 12x8 of a constant.
    let small = |value: u8| png(6, 4, &[value; 24], false);
    let mut entries = vec![
        ("set/a/1.png".to_string(), small(10)),
        ("set/a/2.png".to_string(), small(20)),
        ("set/b/1.png".to_string(), small(30)),
        ("set/b/big.png".to_string(), png(12, 8, &[200; 96], false)),
    ];
    for i in 0..10 {
        entries.push((format!("set/b/{i}x.png"), small(i)));
    }
    let message = error(vec![file("set.zip", zip(&entries))]);
    assert!(
        message.contains("set/b/big.png") && message.contains("12x8"),
        "{message}"
    );
    assert!(message.contains("6x4"), "{message}");
    let resized = import(
        vec![file("set.zip", zip(&entries))],
        ImportOptions {
            resize: true,
            ..options()
        },
    )
    .unwrap();
    let all = [&resized.train, &resized.test];
    assert!(all.iter().all(|d| (d.rows, d.cols) == (6, 4)));
    // A constant picture resizes to the same constant.
    let found = all
        .iter()
        .any(|d| (0..d.len()).any(|k| d.image(k).iter().all(|&p| p == 200)));
    assert!(found, "the resized picture keeps its value");

    // RGB (255, 0, 0) is grey round(0.299 * 255) = 76, PIL's convert("L").
    let (rgb, eight) = (png::ColorType::Rgb, png::BitDepth::Eight);
    let red = encode_png(1, 1, rgb, eight, &[255, 0, 0], None);
    let pictures = vec![
        file("r/red/1.png", red.clone()),
        file("r/red/2.png", red),
        file("r/black/1.png", png(1, 1, &[0], false)),
        file("r/black/2.png", png(1, 1, &[0], false)),
    ];
    let converted = convert(pictures).unwrap();
    let reds: Vec<u8> = [&converted.train, &converted.test]
        .iter()
        .flat_map(|d| {
            d.labels
                .iter()
                .zip(&d.pixels)
                .filter(|(&l, _)| l == 1)
                .map(|(_, &p)| p)
        })
        .collect();
    assert_eq!(converted.meta.class_names, ["black", "red"]);
    assert_eq!(reds, [76, 76]);
}

#[test]
fn a_dropped_folder_in_any_order_gives_the_same_data_set() {
    let (train, _) = mnist_pair();
    let entries = picture_entries(&train.first(60), "mine/", digit_name, false);
    let files = |order: &[usize]| {
        order
            .iter()
            .map(|&i| file(&entries[i].0, entries[i].1.clone()))
            .collect()
    };
    let forwards: Vec<usize> = (0..entries.len()).collect();
    let backwards: Vec<usize> = forwards.iter().rev().copied().collect();
    let a = convert(files(&forwards)).unwrap();
    let b = convert(files(&backwards)).unwrap();
    assert_eq!((a.train, a.test), (b.train, b.test));
}

#[test]
fn malformed_inputs_get_errors_naming_the_file_and_place() {
    let (train, test) = mnist_pair();
    let some = train.first(20);
    // CSV: a pixel of 300 on the third data line (the fourth with the header).
    let mut bad_csv = String::from_utf8(csv(&some, true)).unwrap();
    let line_start = bad_csv.match_indices('\n').nth(2).unwrap().0 + 1;
    let comma = line_start + bad_csv[line_start..].find(',').unwrap();
    bad_csv.insert_str(comma + 1, "300");
    let message = error(vec![file("digits.csv", bad_csv.into_bytes())]);
    assert!(
        message.contains("digits.csv") && message.contains("line 4"),
        "{message}"
    );

    // IDX: wrong magic in the images file, and a truncated labels file.
    let mut images = idx_images_bytes(&some);
    images[3] = 0x02;
    let message = error(vec![
        file("imgs", images),
        file("lbls", idx_labels_bytes(&some)),
    ]);
    assert!(message.contains("imgs"), "{message}");
    let mut labels = idx_labels_bytes(&some);
    labels.truncate(labels.len() - 3);
    let message = error(vec![
        file("imgs", idx_images_bytes(&some)),
        file("lbls", labels),
    ]);
    assert!(
        message.contains("truncated") && message.contains("lbls"),
        "{message}"
    );

    // NPY: a truncated array names the file and where it ends.
    let (npy_images, npy_labels) = npy_pair(&some);
    let cut = npy_images[..npy_images.len() - 10].to_vec();
    let message = error(vec![file("x.npy", cut), file("y.npy", npy_labels.clone())]);
    assert!(message.contains("x.npy"), "{message}");
    // Float pixels are refused, not rounded.
    let floats = npy("<f4", &[20, 28, 28], &vec![0; 20 * 784 * 4]);
    let message = error(vec![file("x.npy", floats), file("y.npy", npy_labels)]);
    assert!(message.contains("x.npy"), "{message}");

    // A label gap: classes 0-9 are present but the labels reach 12, so classes 10 and 11 are empty.
    let mut gappy = some.clone();
    gappy.labels[0] = 12;
    let mut whole = gappy.clone();
    whole.append(&test.first(100));
    let message = error(vec![file("gap.csv", csv(&whole, false))]);
    assert!(message.contains("class 10 has no examples"), "{message}");

    // One class only.
    let mut one = some.clone();
    one.labels.fill(3);
    let message = error(vec![file("one.csv", csv(&one, false))]);
    assert!(
        message.contains("4 classes") || message.contains("no examples"),
        "{message}"
    );

    // Pictures: an undecodable one, one outside a class folder, an empty class folder, a test
    // class that train lacks, one class only.
    let good = |name: &str| (name.to_string(), png(4, 4, &[9; 16], false));
    type Entries = Vec<(String, Vec<u8>)>;
    let cases: Vec<(Entries, &str)> = vec![
        (
            vec![
                good("p/a/1.png"),
                good("p/b/1.png"),
                ("p/b/2.png".into(), b"\x89PNG\r\n\x1a\nbroken".to_vec()),
            ],
            "p/b/2.png",
        ),
        (
            vec![good("p/a/1.png"), good("p/b/1.png"), good("p/loose.png")],
            "p/loose.png",
        ),
        (
            vec![
                good("p/a/1.png"),
                good("p/b/1.png"),
                ("p/c/".into(), Vec::new()),
            ],
            "class c has no examples",
        ),
        (
            vec![
                good("p/train/a/1.png"),
                good("p/train/b/1.png"),
                good("p/test/z/1.png"),
            ],
            "p/test/z/1.png",
        ),
        (vec![good("p/a/1.png"), good("p/a/2.png")], "1 classes (a)"),
    ];
    for (entries, expected) in cases {
        let message = error(vec![file("p.zip", zip(&entries))]);
        assert!(
            message.contains(expected),
            "expected {expected:?} in: {message}"
        );
    }
    // A damaged zip names itself and the entry: a byte of p/a/1.png's data (after its 30-byte
    // local header and 9-byte name) flipped.
    let mut damaged = zip(&[good("p/a/1.png"), good("p/b/1.png")]);
    damaged[30 + 9 + 20] ^= 0xff;
    let message = error(vec![file("p.zip", damaged)]);
    assert!(
        message.contains("p.zip") && message.contains("p/a/1.png"),
        "{message}"
    );

    // Not a format, mixed formats, too many files.
    let message = error(vec![file("notes.bin", vec![0xde, 0xad, 0xbe, 0xef, 0, 1])]);
    assert!(message.contains("notes.bin"), "{message}");
    let message = error(vec![
        file("a.csv", csv(&some, false)),
        file("b.npy", npy_pair(&some).0),
    ]);
    assert!(
        message.contains("a.csv") && message.contains("b.npy"),
        "{message}"
    );
    let three = (0..3)
        .map(|i| file(&format!("{i}.csv"), csv(&some, false)))
        .collect();
    assert!(error(three).contains("3 data files"));
    assert!(matches!(convert(Vec::new()), Err(ImportError::NoFiles)));
}

#[test]
fn sixty_four_square_images_train_and_analyse_and_the_eigen_shells_say_why_they_do_not_fit() {
    use bayes_renorm::data::run_data::RunData;
    use bayes_renorm::workbench::view::AnalysisView;
    use bayes_renorm::workbench::{JobKind, Settings, Workbench};
    // Three classes (the synthetic images' patterns 0-2 of four) at the largest size.
    let keep = |d: Dataset| {
        let rows: Vec<usize> = (0..d.len()).filter(|&k| d.labels[k] < 3).collect();
        d.select(&rows)
    };
    let train = keep(common::synthetic_dataset(1, 160, 64, 64));
    let test = keep(common::synthetic_dataset(2, 60, 64, 64));
    let data = RunData::whole("big".into(), train, test, 3);
    let mut bench = Workbench::new(
        data,
        Box::new(|| 0.0),
        bayes_renorm::eigen::faer_symmetric_eigen,
    );
    let settings = Settings {
        epochs: 1,
        batch: 40,
        random_seeds: 1,
        grid_points: 6,
        ..Settings::default()
    };
    bench
        .start(&[JobKind::Train, JobKind::Analyse], settings.clone())
        .unwrap();
    bench.run_to_end(|_| {}).unwrap();
    let analysed = bench.analysed().unwrap();
    assert_eq!(analysed.result.fisher.first_layer().dim(), (20, 4096));
    let view = AnalysisView::from_bytes(&bench.view_bytes().unwrap()).unwrap();
    assert_eq!(view.image_shape(), (64, 64));
    bench.start(&[JobKind::Eigen], settings).unwrap();
    let error = bench.run_to_end(|_| {}).unwrap_err().to_string();
    assert!(
        error.contains("671 MB") && error.contains("4096 pixels"),
        "{error}"
    );
}

/// Found by fuzzing (examples/fuzz/targets/import.rs, with overflow checks): a picture whose
/// path has no parts ("" or "\\") once made `folder::layout` take 1 from a length of 0.
#[test]
fn a_picture_with_an_empty_path_is_refused_not_a_panic() {
    for path in ["", "\\"] {
        let picture = png(2, 2, &[1; 4], false);
        assert!(
            convert(vec![file(path, picture.clone())]).is_err(),
            "{path:?}"
        );
        let with_classes = vec![
            file(path, picture.clone()),
            file("p/a/1.png", picture.clone()),
            file("p/b/1.png", picture),
        ];
        assert!(convert(with_classes).is_err(), "{path:?}");
    }
}

//! `convert INPUT… --out DIR` on files on disk, then `inspect` and `reproduce --data` on the
//! result: the shards hold what the in-memory conversion gives, a failure leaves nothing behind,
//! and the run takes the data's size and classes.

use crate::common::writers::{csv, png};

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use bayes_renorm::data::files::{load_data, read_inputs};
use bayes_renorm::data::import::{import, ImportOptions};
use bayes_renorm::data::Dataset;
use serde_json::Value;

fn run(binary: &str, args: &[&str]) -> Output {
    Command::new(binary)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "bayes-renorm-convert-{name}-{}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Three classes of 9x7 pictures: a bright stripe in a class's own third of the rows, plus noise.
fn write_picture_folder(root: &Path, per_class: usize) {
    for (label, class) in ["circle", "square", "triangle"].iter().enumerate() {
        let dir = root.join(class);
        fs::create_dir_all(&dir).unwrap();
        for k in 0..per_class {
            let pixels: Vec<u8> = (0..63)
                .map(|i| {
                    let in_stripe = (i / 7) / 3 == label;
                    let noise = ((i * 31 + k * 17) % 40) as u8;
                    if in_stripe {
                        200 + noise / 2
                    } else {
                        noise
                    }
                })
                .collect();
            fs::write(
                dir.join(format!("{k:03}.png")),
                png(9, 7, &pixels, k % 2 == 0),
            )
            .unwrap();
        }
    }
    fs::write(root.join("README.txt"), "my shapes").unwrap();
    fs::write(root.join(".DS_Store"), [0, 0, 0, 1, 66, 117, 100, 49]).unwrap();
}

fn str_of(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn a_picture_folder_converts_inspects_and_trains_at_its_own_size() {
    let dir = scratch("pictures");
    let shapes = dir.join("shapes");
    write_picture_folder(&shapes, 70);
    let out = dir.join("out");
    let converted = run(
        env!("CARGO_BIN_EXE_convert"),
        &[str_of(&shapes), "--out", str_of(&out), "--name", "Shapes"],
    );
    let stderr = String::from_utf8_lossy(&converted.stderr);
    assert!(converted.status.success(), "{stderr}");
    assert!(
        stderr.contains("210 images") && stderr.contains("9 x 7"),
        "{stderr}"
    );
    assert!(
        stderr.contains("README.txt"),
        "the left-out file is named: {stderr}"
    );

    // The shards hold exactly what converting the same files in memory gives.
    let options = ImportOptions {
        id: "out".into(),
        name: "Shapes".into(),
        width: None,
        resize: false,
        seed: 0,
    };
    let expected = import(read_inputs(std::slice::from_ref(&shapes)).unwrap(), options).unwrap();
    let data = load_data(&out, true).unwrap();
    assert_eq!(
        (data.train(), data.test()),
        (&expected.train, &expected.test)
    );
    assert_eq!((data.image_shape(), data.classes()), ((9, 7), 3));
    let summary = data.summary();
    assert_eq!(summary.class_names, ["circle", "square", "triangle"]);
    assert_eq!(summary.test.label_counts, [10, 10, 10]);

    let inspected = run(env!("CARGO_BIN_EXE_inspect"), &[str_of(&out)]);
    assert!(inspected.status.success());
    let report: Value = serde_json::from_slice(&inspected.stdout).unwrap();
    assert_eq!(
        (report["rows"].as_u64(), report["cols"].as_u64()),
        (Some(9), Some(7))
    );
    assert_eq!(report["classes"], 3);

    for model in ["autoencoder", "classifier"] {
        let output = run(
            env!("CARGO_BIN_EXE_reproduce"),
            &[
                "--data",
                str_of(&out),
                "--model",
                model,
                "--epochs",
                "3",
                "--batch",
                "30",
                "--latent",
                "4",
                "--hidden",
                "8",
                "--random-seeds",
                "1",
            ],
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{model}: {stderr}");
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let config = &report["config"];
        assert_eq!(config["input_dim"], 63, "{model}");
        assert_eq!(
            (config["image_rows"].as_u64(), config["image_cols"].as_u64()),
            (Some(9), Some(7))
        );
        assert_eq!(config["classes"], 3);
        // The first layer has 63 inputs for each of its 4 (m) or 8 (h_1) units.
        let width = if model == "autoencoder" { 4 } else { 8 };
        let rows = report["sweep"]["rows"].as_array().unwrap();
        let most = rows
            .iter()
            .map(|r| r["removed"].as_u64().unwrap())
            .max()
            .unwrap();
        assert_eq!(
            most,
            63 * width,
            "{model}: the sweep ends with the first layer removed"
        );
    }
    // Three classes of stripes are easy: the classifier learns them.
    let output = run(
        env!("CARGO_BIN_EXE_reproduce"),
        &[
            "--data",
            str_of(&out),
            "--model",
            "classifier",
            "--epochs",
            "40",
            "--batch",
            "30",
            "--hidden",
            "8",
            "--lr",
            "0.01",
            "--random-seeds",
            "1",
        ],
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let accuracy = report["train"]["test_accuracy"].as_f64().unwrap();
    assert!(accuracy > 0.9, "test accuracy {accuracy}");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_failed_conversion_leaves_nothing_and_a_foreign_folder_is_not_touched() {
    let dir = scratch("failure");
    let shapes = dir.join("shapes");
    write_picture_folder(&shapes, 3);
    fs::write(
        shapes.join("square").join("bad.png"),
        b"\x89PNG\r\n\x1a\nnot really",
    )
    .unwrap();
    let out = dir.join("out");
    let output = run(
        env!("CARGO_BIN_EXE_convert"),
        &[str_of(&shapes), "--out", str_of(&out)],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(stderr.contains("square/bad.png"), "{stderr}");
    let left: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["shapes"], "no output and no partial folder");

    // A CSV into a folder that holds something else: refused, and the folder is as it was.
    let data = Dataset::new(2, 2, vec![0, 1, 0, 1, 0, 1, 0, 1], (0..32).collect());
    fs::write(dir.join("small.csv"), csv(&data, false)).unwrap();
    let foreign = dir.join("foreign");
    fs::create_dir_all(&foreign).unwrap();
    fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let output = run(
        env!("CARGO_BIN_EXE_convert"),
        &[str_of(&dir.join("small.csv")), "--out", str_of(&foreign)],
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a converted data set"));
    let kept: Vec<_> = fs::read_dir(&foreign)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(kept, ["notes.txt"]);
    // Into a new folder it works, and again over its own earlier result.
    let out = dir.join("small");
    for _ in 0..2 {
        let output = run(
            env!("CARGO_BIN_EXE_convert"),
            &[str_of(&dir.join("small.csv")), "--out", str_of(&out)],
        );
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let loaded = load_data(&out, true).unwrap();
    assert_eq!(loaded.train().len() + loaded.test().len(), 8);
    let _ = fs::remove_dir_all(&dir);
}

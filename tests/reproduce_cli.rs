#![cfg(not(target_arch = "wasm32"))]
//! The `reproduce` command on the committed MNIST test shards with weights written by Python's
//! safetensors under the authors' key names; its numbers are checked against a loop computation of
//! the fixture's closed-form weights.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use bayes_renorm::data::files::{load_shards, read_manifest};
use bayes_renorm::data::manifest::Split;
use ndarray::Array1;
use serde_json::Value;

fn reproduce(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reproduce"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("the reproduce binary runs")
}

#[test]
fn authors_weights_load_and_the_report_matches_a_loop_computation() {
    let fisher_path = std::env::temp_dir().join("bayes-renorm-reproduce-test-fisher.npy");
    let eval_examples = 200;
    let output = reproduce(&[
        "--weights",
        "tests/fixtures/authors_weights.safetensors",
        "--fisher-split",
        "test",
        "--grid",
        "paper",
        "--random-seeds",
        "2",
        "--eval-examples",
        &eval_examples.to_string(),
        "--write-fisher",
        fisher_path.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "reproduce failed: {stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");

    assert_eq!(report["config"]["biases"], true);
    assert_eq!(report["config"]["latent_dim"], 20);
    assert_eq!(report["config"]["eval_examples"], eval_examples);
    assert_eq!(report["fisher"]["examples"], 10_000);

    // The unpruned MSE on the first 200 test images, recomputed with plain loops in f64.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("www/data/mnist");
    let test = load_shards(&dir, &read_manifest(&dir).unwrap(), Split::Test).unwrap();
    let model = common::authors_fixture_formula();
    let mut total = 0.0;
    for k in 0..eval_examples {
        let x = Array1::from_iter(test.image(k).iter().map(|&p| p as f64 / 255.0));
        total += common::loop_example_loss(&model, x.view());
    }
    let expected = total / eval_examples as f64;
    let unpruned = report["sweep"]["unpruned_mse"].as_f64().unwrap();
    common::assert_close(unpruned, expected, 1e-5, 0.0, "unpruned MSE");

    let rows = report["sweep"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 20, "the paper's grid");
    let removed: Vec<u64> = rows
        .iter()
        .map(|r| r["removed"].as_u64().unwrap())
        .collect();
    assert!(removed.windows(2).all(|w| w[0] <= w[1]), "{removed:?}");
    assert_eq!(rows[0]["random_mse"].as_array().unwrap().len(), 2);

    // Every parameter: E and D (15,680 each) and both biases (20 + 784).
    let parameters = 2 * 15_680 + 20 + 784;
    let stats = &report["fisher"]["stats"];
    assert_eq!(stats["all_parameters"]["count"], parameters);
    assert_eq!(stats["encoder"]["count"], 15_680);
    let npy = std::fs::read(&fisher_path).unwrap();
    assert_eq!(
        npy.len(),
        128 + 4 * parameters,
        "64-aligned header + f32 values"
    );
    std::fs::remove_file(&fisher_path).ok();
}

#[test]
fn bad_arguments_and_files_are_reported_by_name() {
    let output = reproduce(&["--epochs", "ten"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--epochs: 'ten'"));

    let output = reproduce(&["--lr", "-1"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--lr"));

    let output = reproduce(&["--grid", "fine"]);
    assert_eq!(output.status.code(), Some(2));

    let output = reproduce(&["--weights", "tests/fixtures/no-such-file.safetensors"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no-such-file.safetensors"));

    // A file that is not safetensors at all.
    let output = reproduce(&["--weights", "README.md"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("README.md") && stderr.contains("safetensors"),
        "{stderr}"
    );
}

#[test]
fn beyond_the_paper_options_add_their_sections() {
    let output = reproduce(&[
        "--weights",
        "tests/fixtures/authors_weights.safetensors",
        "--fisher-split",
        "test",
        "--grid",
        "paper",
        "--schemes",
        "fisher,saliency",
        "--eval-examples",
        "300",
        "--fine-tune",
        "1",
        "--fine-tune-at",
        "0.5",
        "--soft-flow",
        "--soft-flow-samples",
        "2",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "reproduce failed: {stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(
        report["config"]["schemes"],
        serde_json::json!(["fisher", "saliency"])
    );
    let row = &report["sweep"]["rows"][3];
    assert!(
        row["saliency_mse"].is_f64()
            && row["magnitude_mse"].is_null()
            && row["random_mse_mean"].is_null()
    );

    let fine = &report["fine_tune"];
    assert_eq!(fine["epochs"], 1);
    assert_eq!(fine["continued"]["scheme"], "unpruned");
    let point = &fine["points"][0];
    assert_eq!(point["removed"], 7840);
    let schemes: Vec<&str> = point["schemes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["scheme"].as_str().unwrap())
        .collect();
    assert_eq!(schemes, ["fisher", "random", "magnitude", "saliency"]);

    let flow = &report["soft_flow"];
    assert_eq!(flow["alpha"], 2352.0, "3·fan_in");
    let points = flow["points"].as_array().unwrap();
    assert_eq!(points[0]["evidence"], 10_000.0, "all the Fisher's examples");
    assert_eq!(points.last().unwrap()["evidence"], 0.0);
    assert!(
        stderr.contains("soft flow n =")
            && stderr.contains("fine-tuned 1 epoch(s) at 50 % removed")
    );

    let no_fisher = reproduce(&["--schemes", "random,magnitude"]);
    assert!(!no_fisher.status.success());
    assert!(String::from_utf8_lossy(&no_fisher.stderr).contains("--schemes must include fisher"));
}

//! The `reproduce` command on the committed MNIST test shards with weights written by Python's
//! safetensors under the authors' key names; its numbers are checked against a loop computation of
//! the fixture's closed-form weights.

use crate::common;

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
    // Each bad value is named with its flag and why (exit code 2, as for any usage error).
    for (args, says) in [
        (
            &["--epochs", "ten"][..],
            &["--epochs", "'ten' is not a number"][..],
        ),
        (&["--lr", "-1"], &["--lr", "-1 is out of range"]),
        (&["--grid", "fine"], &["--grid", "'fine'", "log, paper"]),
        (
            &["--fine-tune-at", "0.5,2"],
            &["--fine-tune-at", "2 is not a fraction"],
        ),
        (
            &["--schemes", "fisher,best"],
            &["--schemes", "'best'", "saliency"],
        ),
        (&["--bogus"], &["--bogus"]),
    ] {
        let output = reproduce(args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        for text in says {
            assert!(
                stderr.contains(text),
                "{args:?} should say {text}: {stderr}"
            );
        }
    }

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
        "--eigen",
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

    // The eigen-shells: at the sweep's counts, over the Fisher's 10,000 examples, with a crossing
    // between the last sweep count within 1 % and the next.
    let eigen = &report["eigen"];
    assert_eq!(eigen["examples"], 10_000);
    assert!(eigen["diagonal_max_relative_error"].as_f64().unwrap() < 1e-4);
    let counts = |rows: &Value| -> Vec<u64> {
        let mut counts: Vec<u64> = (rows.as_array().unwrap().iter())
            .map(|r| r["removed"].as_u64().unwrap())
            .collect();
        counts.dedup();
        counts
    };
    assert_eq!(counts(&eigen["rows"]), counts(&report["sweep"]["rows"]));
    let limit = report["sweep"]["unpruned_mse"].as_f64().unwrap() * 1.01;
    let crossing = &eigen["within_tolerance"];
    assert!(crossing["mse"].as_f64().unwrap() <= limit);
    assert!(crossing["mse_after"].as_f64().is_none_or(|mse| mse > limit));
    assert!(report["seconds"]["eigen"].as_f64().unwrap() > 0.0);
    assert!(stderr.contains("eigen-shells within 1 % of the unpruned MSE up to"));

    let no_fisher = reproduce(&["--schemes", "random,magnitude"]);
    assert_eq!(no_fisher.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_fisher.stderr).contains("--schemes must include fisher"));
}

#[test]
fn help_lists_every_flag_by_group() {
    let output = reproduce(&["--help"]);
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--data",
        "--weights",
        "--latent",
        "--subset",
        "--biases",
        "--epochs",
        "--batch",
        "--lr",
        "--seed",
        "--fisher-split",
        "--fisher-variant",
        "--grid",
        "--grid-points",
        "--random-seeds",
        "--schemes",
        "--eval-examples",
        "--tolerance",
        "--authors-setup",
        "--write-fisher",
        "--write-weights",
        "--eigen",
        "--fine-tune",
        "--fine-tune-at",
        "--soft-flow",
        "--soft-flow-alpha",
        "--soft-flow-samples",
    ] {
        assert!(
            help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
            "{flag} missing from --help"
        );
    }
    for heading in [
        "Data and model:",
        "Training (the paper's defaults):",
        "Fisher:",
        "Sweep:",
        "Outputs:",
        "After the analysis (docs/studies.md):",
    ] {
        assert!(help.contains(heading), "{heading} missing from --help");
    }
    assert!(
        help.contains("[default: 0.6,0.75,0.9]") && help.contains("[possible values: train, test]")
    );
}

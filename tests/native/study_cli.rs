//! The `study` command on a tiny grid: its runs equal `reproduce`'s, it resumes where it was
//! stopped (and after being killed), records a failed run without stopping the rest, and merges
//! reports gathered from elsewhere: from a job list run by GNU parallel, and by the Slurm array
//! script's line selection, into the same summary as the local run.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A grid small enough for a test: 300 training images, one epoch, 8 cutoffs on 200 test images.
const TINY: [&str; 12] = [
    "--",
    "--subset",
    "300",
    "--epochs",
    "1",
    "--eval-examples",
    "200",
    "--random-seeds",
    "1",
    "--grid-points",
    "8",
    "--batch",
];
/// The rest of `TINY` (the batch size).
const TINY_BATCH: &str = "100";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fresh(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bayes-renorm-study-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn study(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_study"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("the study binary runs")
}

/// `study --out DIR` over `grid` and the tiny settings.
fn tiny_study(out: &Path, grid: &[&str], extra: &[&str]) -> Output {
    let mut args = vec!["--out", out.to_str().unwrap()];
    args.extend(extra);
    args.extend(grid);
    args.extend(TINY);
    args.push(TINY_BATCH);
    study(&args)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn reports(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.to_string_lossy().ends_with(".json") && !p.to_string_lossy().ends_with(".failed.json")
        })
        .collect();
    files.sort();
    files
}

const GRID: [&str; 4] = ["--seeds", "1-2", "--latent", "3,6"];

#[test]
fn a_study_runs_each_cell_as_reproduce_does_and_resumes_where_it_stopped() {
    let out = fresh("local");
    let output = tiny_study(&out, &GRID, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let files = reports(&out);
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into())
        .collect();
    assert_eq!(
        names,
        [
            "mnist-autoencoder-m3-seed1.json",
            "mnist-autoencoder-m3-seed2.json",
            "mnist-autoencoder-m6-seed1.json",
            "mnist-autoencoder-m6-seed2.json"
        ]
    );

    // A run of the study is `reproduce` with the same settings, to the bit (the seconds aside).
    let direct = Command::new(env!("CARGO_BIN_EXE_reproduce"))
        .current_dir(root())
        .args([
            "--data",
            "www/data/mnist",
            "--model",
            "autoencoder",
            "--latent",
            "6",
            "--seed",
            "2",
        ])
        .args(&TINY[1..])
        .arg(TINY_BATCH)
        .output()
        .unwrap();
    assert!(direct.status.success(), "{}", stderr(&direct));
    let mut direct: Value = serde_json::from_slice(&direct.stdout).unwrap();
    let mut from_study = json(&out.join("runs/mnist-autoencoder-m6-seed2.json"));
    direct.as_object_mut().unwrap().remove("seconds");
    from_study.as_object_mut().unwrap().remove("seconds");
    assert_eq!(direct, from_study);

    // The summary, its table and its charts.
    let summary = json(&out.join("summary.json"));
    let cells = summary["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 2);
    assert_eq!(cells[0]["label"], "mnist · autoencoder m = 3 · regression");
    assert_eq!(cells[0]["seeds"], serde_json::json!([1, 2]));
    for name in [
        "knee-by-width.svg",
        "knee-spread.svg",
        "hockeys/01-mnist-autoencoder-m-3-regression.svg",
    ] {
        let svg = std::fs::read_to_string(out.join(name)).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("Λ*"), "{name}");
    }
    let csv = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");

    // Resumed: only the run whose report is gone runs again; the others are left as they were.
    let before: Vec<_> = files
        .iter()
        .map(|f| std::fs::metadata(f).unwrap().modified().unwrap())
        .collect();
    std::fs::remove_file(&files[1]).unwrap();
    let output = study(&["--out", out.to_str().unwrap()]);
    let log = stderr(&output);
    assert!(output.status.success(), "{log}");
    assert!(
        log.contains("4 run(s) in the grid, 3 finished before, 1 to run"),
        "{log}"
    );
    for (i, file) in files.iter().enumerate() {
        let modified = std::fs::metadata(file).unwrap().modified().unwrap();
        assert_eq!(i == 1, modified != before[i], "{}", file.display());
    }
    assert_eq!(json(&out.join("summary.json")), summary);

    // The folder holds its grid: another one is refused, with what to do.
    let output = tiny_study(&out, &["--seeds", "1-5"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("holds another grid"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_killed_study_continues_where_it_stopped() {
    let out = fresh("killed");
    let mut args: Vec<&str> = vec![
        "--out",
        out.to_str().unwrap(),
        "--jobs",
        "1",
        "--seeds",
        "1-4",
        "--latent",
        "4",
    ];
    args.extend(TINY);
    args.push(TINY_BATCH);
    let mut child = Command::new(env!("CARGO_BIN_EXE_study"))
        .current_dir(root())
        .args(&args)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !out.join("runs/mnist-autoencoder-m4-seed1.json").exists() {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "no first report"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let first = std::fs::read(out.join("runs/mnist-autoencoder-m4-seed1.json")).unwrap();
    let output = study(&["--out", out.to_str().unwrap()]);
    let log = stderr(&output);
    assert!(output.status.success(), "{log}");
    let finished: usize = log
        .split("4 run(s) in the grid, ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{log}"));
    assert!((1..4).contains(&finished), "{log}");
    assert_eq!(reports(&out).len(), 4);
    assert_eq!(
        std::fs::read(out.join("runs/mnist-autoencoder-m4-seed1.json")).unwrap(),
        first
    );
    // No half-written report is left behind to be taken for a finished one.
    let partial = std::fs::read_dir(out.join("runs")).unwrap().filter(|e| {
        e.as_ref()
            .unwrap()
            .path()
            .to_string_lossy()
            .contains(".partial")
    });
    assert_eq!(partial.count(), 0);
}

#[test]
fn a_failed_run_is_recorded_and_stops_nothing_else() {
    let out = fresh("failed");
    let output = tiny_study(
        &out,
        &[
            "--seeds",
            "1",
            "--latent",
            "4",
            "--data",
            "www/data/mnist,tests/fixtures/no-such-data",
        ],
        &[],
    );
    let log = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{log}");
    assert!(
        out.join("runs/mnist-autoencoder-m4-seed1.json").exists(),
        "{log}"
    );
    let failed = json(&out.join("runs/no-such-data-autoencoder-m4-seed1.failed.json"));
    assert_eq!(failed["id"], "no-such-data-autoencoder-m4-seed1");
    assert!(
        failed["error"].as_str().unwrap().contains("no-such-data"),
        "{failed}"
    );
    let summary = json(&out.join("summary.json"));
    assert_eq!(summary["cells"].as_array().unwrap().len(), 1);
    assert_eq!(
        summary["failed"][0]["id"],
        "no-such-data-autoencoder-m4-seed1"
    );
    assert!(
        log.contains("failed: no-such-data-autoencoder-m4-seed1"),
        "{log}"
    );
}

/// The job list of `GRID` for `out`, one shell command per line.
fn job_lines(out: &Path) -> Vec<String> {
    let output = tiny_study(out, &GRID, &["--emit-jobs"]);
    assert!(output.status.success(), "{}", stderr(&output));
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn reports_from_gnu_parallel_and_a_slurm_array_merge_into_the_local_summary() {
    let local = fresh("merge-local");
    assert!(tiny_study(&local, &GRID, &[]).status.success());
    let local_cells = json(&local.join("summary.json"))["cells"].clone();

    // GNU parallel, through an ssh login file naming this machine (":"), as for remote hosts.
    let by_parallel = fresh("merge-parallel");
    let lines = job_lines(&by_parallel);
    assert_eq!(lines.len(), 4);
    let jobs = by_parallel.join("jobs.txt");
    std::fs::write(&jobs, lines.join("\n") + "\n").unwrap();
    let logins = by_parallel.join("hosts.txt");
    std::fs::write(&logins, ":\n").unwrap();
    let parallel = Command::new("parallel")
        .current_dir(root())
        .args([
            "--will-cite",
            "--sshloginfile",
            logins.to_str().unwrap(),
            "-j",
            "2",
            "--arg-file",
            jobs.to_str().unwrap(),
        ])
        .output()
        .expect("GNU parallel is installed (scripts/setup.sh)");
    assert!(parallel.status.success(), "{}", stderr(&parallel));

    // The Slurm array script, each task taking its line by SLURM_ARRAY_TASK_ID (1-based), into
    // a second folder: half the lines each.
    let by_array = fresh("merge-array");
    let array_lines = job_lines(&by_array);
    std::fs::write(by_array.join("jobs.txt"), array_lines.join("\n") + "\n").unwrap();
    for task in [2, 4] {
        let output = Command::new("bash")
            .current_dir(root())
            .args([
                "scripts/study.sbatch",
                by_array.join("jobs.txt").to_str().unwrap(),
            ])
            .env("SLURM_ARRAY_TASK_ID", task.to_string())
            .output()
            .unwrap();
        assert!(output.status.success(), "task {task}: {}", stderr(&output));
    }
    assert_eq!(reports(&by_array).len(), 2);

    // Merging both folders: the runs parallel made for lines 2 and 4 are duplicates.
    let merged = fresh("merge-merged");
    let output = study(&[
        "--out",
        merged.to_str().unwrap(),
        "--merge",
        by_parallel.to_str().unwrap(),
        by_array.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = json(&merged.join("summary.json"));
    assert_eq!(summary["cells"], local_cells);
    assert_eq!(
        summary["duplicates"].as_array().unwrap().len(),
        2,
        "{summary}"
    );
    assert_eq!(summary["missing"], serde_json::json!([]));

    // The array's folder alone lacks the odd lines, which its study.json names: with the seed
    // the outer loop, lines 1 and 3 are the m = 3 runs.
    let alone = fresh("merge-alone");
    let output = study(&[
        "--out",
        alone.to_str().unwrap(),
        "--merge",
        by_array.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let missing = json(&alone.join("summary.json"))["missing"].clone();
    assert_eq!(
        missing,
        serde_json::json!(["mnist-autoencoder-m3-seed1", "mnist-autoencoder-m3-seed2"])
    );
}

#[test]
fn the_slurm_array_script_runs_exactly_its_own_line() {
    let dir = fresh("sbatch-lines");
    std::fs::create_dir_all(&dir).unwrap();
    let jobs = dir.join("jobs.txt");
    let lines: Vec<String> = (1..=3)
        .map(|k| format!("echo {k} > '{}/ran-{k}'", dir.display()))
        .collect();
    std::fs::write(&jobs, lines.join("\n") + "\n").unwrap();
    let task = |id: Option<&str>| {
        let mut command = Command::new("bash");
        command
            .current_dir(root())
            .args(["scripts/study.sbatch", jobs.to_str().unwrap()]);
        command.env_remove("SLURM_ARRAY_TASK_ID");
        if let Some(id) = id {
            command.env("SLURM_ARRAY_TASK_ID", id);
        }
        command.output().unwrap()
    };
    assert!(task(Some("2")).status.success());
    let ran: Vec<bool> = (1..=3)
        .map(|k| dir.join(format!("ran-{k}")).exists())
        .collect();
    assert_eq!(ran, [false, true, false]);
    assert_eq!(std::fs::read_to_string(dir.join("ran-2")).unwrap(), "2\n");
    let beyond = task(Some("4"));
    assert_eq!(beyond.status.code(), Some(2));
    assert!(stderr(&beyond).contains("no line 4"), "{}", stderr(&beyond));
    let outside = task(None);
    assert!(!outside.status.success());
    assert!(
        stderr(&outside).contains("SLURM_ARRAY_TASK_ID"),
        "{}",
        stderr(&outside)
    );
}

#[test]
fn a_grid_of_models_widths_and_fisher_variants_has_a_cell_each() {
    let out = fresh("models");
    let grid = [
        "--seeds",
        "1-2",
        "--model",
        "autoencoder,classifier",
        "--latent",
        "4",
        "--hidden",
        "8,8x4",
        "--fisher-variant",
        "model,empirical",
    ];
    let output = tiny_study(&out, &grid, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let summary = json(&out.join("summary.json"));
    let labels: Vec<&str> = (summary["cells"].as_array().unwrap().iter())
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "mnist · autoencoder m = 4 · empirical",
            "mnist · autoencoder m = 4 · regression",
            "mnist · classifier h = 8 · classif_logits",
            "mnist · classifier h = 8, 4 · classif_logits",
            "mnist · classifier h = 8 · empirical",
            "mnist · classifier h = 8, 4 · empirical",
        ]
    );
    // The classifier's reports name their loss cross_entropy: each cell read both seeds' test loss
    // and sweep, and the classifier's test loss is the report's.
    let report = json(&out.join("runs/mnist-classifier-h8x4-empirical-seed2.json"));
    let cell = &summary["cells"][5];
    assert_eq!(cell["test_loss"]["n"], 2);
    assert!(cell["removable"]["magnitude"]["n"] == 2, "{cell}");
    let seed2 = report["train"]["test_cross_entropy"].as_f64().unwrap();
    assert!(
        (cell["test_loss"]["max"].as_f64().unwrap() - seed2).abs() < 1e-12
            || (cell["test_loss"]["min"].as_f64().unwrap() - seed2).abs() < 1e-12
    );
    // On the chart, depth is not width: one line per model, variant and depth.
    let svg = std::fs::read_to_string(out.join("knee-by-width.svg")).unwrap();
    assert!(
        svg.contains("mnist · classifier (2 hidden layers) · empirical"),
        "the key names the depth"
    );
}

//! The stepwise analysis (what the page's worker and `reproduce` run) against the same pipeline
//! done in one go with the lower-level functions, and the report it fills.
use bayes_renorm::network::{Fisher, ModelKind};

use crate::common::{authors_analysis, paper_analysis, synthetic_dataset};
use bayes_renorm::analysis::{Analysis, AnalysisConfig, AnalysisProgress, Grid};
use bayes_renorm::data::manifest::Split;
use bayes_renorm::data::run_data::RunData;
use bayes_renorm::eigen::faer_symmetric_eigen;
use bayes_renorm::fisher::{fisher_diag, FisherVariant};
use bayes_renorm::model::Autoencoder;
use bayes_renorm::report::{sweep_csv, Report};
use bayes_renorm::summary::FisherStats;
use bayes_renorm::sweep::{information_scale, log_grid, paper_grid, run_sweep};
use bayes_renorm::workbench::{JobKind, Settings, Workbench};

#[test]
fn stepping_the_analysis_equals_the_pipeline_in_one_go() {
    // 2,500 training images: the Fisher takes three steps of FISHER_BATCH.
    let train = synthetic_dataset(21, 2500, 5, 5);
    let test = synthetic_dataset(22, 300, 5, 5);
    let model = Autoencoder::<f32>::init(25, 4, true, 3);
    let cases = [
        paper_analysis(7, 3),
        AnalysisConfig {
            fisher_variant: FisherVariant::Empirical,
            grid_points: 12,
            ..paper_analysis(9, 2)
        },
        authors_analysis(5, 1),
        AnalysisConfig {
            fisher_examples: Some(1200),
            ..paper_analysis(2, 1)
        },
    ];
    for config in cases {
        let mut analysis = Analysis::new(&model, config.clone());
        let mut fisher_steps = 0;
        let mut rows = Vec::new();
        while !analysis.is_done() {
            match analysis.step(&train, &test) {
                AnalysisProgress::Fisher { done, total } => {
                    fisher_steps += 1;
                    assert!(done <= total);
                }
                AnalysisProgress::Sweep { row, .. } => rows.push(*row),
                AnalysisProgress::Done => unreachable!("is_done is checked first"),
            }
        }
        let result = analysis.result().unwrap();

        let split = if config.fisher_split == Split::Train {
            &train
        } else {
            &test
        };
        let fisher_data = split.first(config.fisher_examples.unwrap_or(split.len()));
        assert_eq!(fisher_steps, fisher_data.len().div_ceil(1000));
        let fisher = fisher_diag(&model, &fisher_data, config.fisher_variant, 1000);
        let fisher = Fisher::Autoencoder(fisher);
        assert_eq!(result.fisher, fisher, "{config:?}");
        assert_eq!(result.stats, FisherStats::of(&fisher));
        let fisher = fisher.first_layer();
        let grid = match config.grid {
            Grid::Paper => paper_grid(),
            Grid::Log => log_grid(fisher.as_slice().unwrap(), config.grid_points),
        };
        let eval = match config.eval_examples {
            Some(count) => test.first(count),
            None => test.clone(),
        };
        assert_eq!(result.eval_examples, eval.len());
        let direct = run_sweep(&model, fisher, grid, &config.baselines, &eval);
        assert_eq!(result.rows, direct, "{config:?}");
        assert_eq!(rows, direct, "each step reports its row");
        let unpruned = bayes_renorm::prune::EvalSet::new(&eval, 1000).mse(&model);
        assert_eq!(result.unpruned.loss, unpruned);
        assert_eq!(
            result.knee,
            information_scale(&direct, unpruned, config.tolerance)
        );
        assert_eq!(analysis.step(&train, &test), AnalysisProgress::Done);
    }
}

#[test]
fn the_report_has_the_readme_schema_and_the_csv_one_line_per_cutoff() {
    let train = synthetic_dataset(31, 400, 4, 4);
    let test = synthetic_dataset(32, 100, 4, 4);
    let data = RunData::whole("mnist".into(), train.clone(), test, 10);
    let mut bench = Workbench::new(data, Box::new(|| 0.0), faer_symmetric_eigen);
    let settings = Settings {
        latent: 3,
        epochs: 2,
        batch: 100,
        seed: 1,
        random_seeds: 2,
        ..Settings::default()
    };
    bench
        .start(&[JobKind::Train, JobKind::Analyse], settings)
        .unwrap();
    bench.run_to_end(|_| {}).unwrap();
    let report = Report::of(&bench).expect("an analysed run");
    let analysed = bench.analysed().unwrap();
    let (config, result) = (&analysed.config, &analysed.result);
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    for path in [
        "/config/data",
        "/config/weights",
        "/config/input_dim",
        "/config/latent_dim",
        "/config/train_examples",
        "/config/biases",
        "/config/train/epochs",
        "/config/train_parts",
        "/config/fisher_split",
        "/config/fisher_variant",
        "/config/grid",
        "/config/random_seeds",
        "/config/eval_examples",
        "/train/epoch_losses",
        "/train/test_mse",
        "/fisher/examples",
        "/fisher/stats/encoder/mean",
        "/fisher/stats/all_parameters/zero_fraction",
        "/fisher/stats/log_histogram/zero_count",
        "/fisher/stats/linear_histogram/edges",
        "/sweep/unpruned_mse",
        "/sweep/tolerance",
        "/sweep/rows/0/random_mse",
        "/sweep/knee",
        "/seconds/train",
        "/seconds/fisher",
        "/seconds/sweep",
    ] {
        assert!(json.pointer(path).is_some(), "{path} missing");
    }
    assert_eq!(json["config"]["fisher_split"], "train");
    assert_eq!(json["config"]["grid"], "log");
    assert_eq!(json["config"]["train_examples"], train.len());
    assert_eq!(json["config"]["train_parts"], 1);
    assert_eq!(json["train"]["epoch_losses"].as_array().unwrap().len(), 2);
    assert_eq!(
        json["sweep"]["rows"].as_array().unwrap().len(),
        result.rows.len()
    );

    let csv = sweep_csv(
        &result.rows,
        &config.baselines.random_seeds,
        ModelKind::Autoencoder,
    );
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "cutoff,removed,fraction,fisher_mse,random_mse_mean,random_mse_std,magnitude_mse,saliency_mse,random_mse_seed_1,random_mse_seed_2"
    );
    assert_eq!(lines.len(), 1 + result.rows.len());
    for (line, row) in lines[1..].iter().zip(&result.rows) {
        let fields: Vec<f64> = line.split(',').map(|f| f.parse().unwrap()).collect();
        assert_eq!(fields.len(), 10);
        assert_eq!(fields[0] as f32, row.cutoff);
        assert_eq!(fields[1] as usize, row.removed);
        assert_eq!(fields[3], row.fisher_loss);
        assert_eq!(Some(fields[7]), row.saliency_loss);
        assert_eq!(&fields[8..], &row.random_loss[..]);
    }
}

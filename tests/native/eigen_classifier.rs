//! The classifier's eigen-shells (SPEC.md "Beyond the autoencoder: a classifier"): its blocks
//! K_j against a brute-force sum over each example of Σ_c p_c (g_c − ḡ)(g_c − ḡ)ᵀ, g_c the
//! finite-difference Jacobian of logit c by W_0 row j through a loop forward pass; their diagonal
//! against the classif_logits Fisher; and the workbench's eigen job on a trained classifier
//! against the model pruned and scored directly.

use crate::common::{assert_close, synthetic_dataset, synthetic_workbench};

use bayes_renorm::classifier::Classifier;
use bayes_renorm::classifier_fisher::{classifier_fisher, ClassifierFisherAccumulator};
use bayes_renorm::eigen::{BlockAccumulator, EigenRow, EigenShells};
use bayes_renorm::fisher::{FisherVariant, SumOverExamples};
use bayes_renorm::network::{ModelKind, Network};
use bayes_renorm::network_weights::network_to_safetensors;
use bayes_renorm::report::Report;
use bayes_renorm::rng::Rng;
use bayes_renorm::workbench::{JobKind, Settings, Workbench};
use ndarray::Array2;

/// Every layer's pre-activation of one example, by plain loops (not the crate's forward).
fn loop_pre_activations(model: &Classifier<f64>, x: &[f64]) -> Vec<Vec<f64>> {
    let mut input = x.to_vec();
    let mut all = Vec::new();
    for layer in &model.layers {
        let a: Vec<f64> = (0..layer.weight.nrows())
            .map(|r| {
                let dot: f64 = (input.iter().enumerate())
                    .map(|(s, u)| layer.weight[[r, s]] * u)
                    .sum();
                dot + layer.bias[r]
            })
            .collect();
        input = a.iter().map(|&v| v.max(0.0)).collect();
        all.push(a);
    }
    all
}

fn loop_logits(model: &Classifier<f64>, x: &[f64]) -> Vec<f64> {
    loop_pre_activations(model, x).pop().unwrap()
}

fn probabilities(z: &[f64]) -> Vec<f64> {
    let max = z.iter().fold(f64::NEG_INFINITY, |m, &v| m.max(v));
    let e: Vec<f64> = z.iter().map(|v| (v - max).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.iter().map(|v| v / sum).collect()
}

/// (1/N) Σ_x Σ_c p_c (g_c − ḡ)(g_c − ḡ)ᵀ over W_0 row j's weights, g_c[i] = dz_c/dW_0[j,i] by
/// central differences: the classif_logits Fisher's block, from its definition.
fn brute_force_block(model: &Classifier<f64>, xs: &[Vec<f64>], j: usize) -> Array2<f64> {
    let n = model.input_dim();
    let mut block = Array2::zeros((n, n));
    for x in xs {
        let p = probabilities(&loop_logits(model, x));
        // The logits are piecewise linear in one weight: away from kinks this is exact.
        let step = 1e-5;
        let columns: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                let (mut plus, mut minus) = (model.clone(), model.clone());
                plus.layers[0].weight[[j, i]] += step;
                minus.layers[0].weight[[j, i]] -= step;
                let (zp, zm) = (loop_logits(&plus, x), loop_logits(&minus, x));
                zp.iter()
                    .zip(&zm)
                    .map(|(a, b)| (a - b) / (2.0 * step))
                    .collect()
            })
            .collect();
        let g = |c: usize, i: usize| columns[i][c];
        let mean: Vec<f64> = (0..n)
            .map(|i| (0..p.len()).map(|c| p[c] * g(c, i)).sum())
            .collect();
        for a in 0..n {
            for b in 0..n {
                block[[a, b]] += (0..p.len())
                    .map(|c| p[c] * (g(c, a) - mean[a]) * (g(c, b) - mean[b]))
                    .sum::<f64>();
            }
        }
    }
    block / xs.len() as f64
}

/// A seeded f64 classifier on 6 inputs and a batch with about 40 % zero pixels, every hidden
/// pre-activation at least 1e-3 from the kink so finite differences hold. First-layer unit 0 is
/// dead (its bias far below what the inputs can reach), so a zero block occurs too.
fn case(hidden: &[usize]) -> (Classifier<f64>, Array2<f64>) {
    let (n, batch) = (6, 12);
    (0..500)
        .map(|seed| {
            let mut model = Classifier::<f64>::init(n, hidden, 10, seed);
            model.layers[0].bias[0] = -10.0;
            let mut rng = Rng::new(seed, 5, 0);
            let x = Array2::from_shape_simple_fn((batch, n), || {
                let value = rng.next_f64();
                if rng.next_f64() < 0.4 {
                    0.0
                } else {
                    value
                }
            });
            (model, x)
        })
        .find(|(model, x)| {
            let hidden_layers = model.layers.len() - 1;
            let passes: Vec<Vec<Vec<f64>>> = (x.rows().into_iter())
                .map(|row| loop_pre_activations(model, row.as_slice().unwrap()))
                .collect();
            let away = (passes.iter()).all(|pass| {
                pass[..hidden_layers]
                    .iter()
                    .flatten()
                    .all(|a| a.abs() >= 1e-3)
            });
            // Every unit but the dead one fires on some example, so the blocks are not all 0.
            let fires = |k: usize, r: usize| passes.iter().any(|pass| pass[k][r] > 0.0);
            let live =
                (0..hidden_layers).all(|k| (usize::from(k == 0)..hidden[k]).all(|r| fires(k, r)));
            away && live
        })
        .expect("a seed away from kinks")
}

#[test]
fn the_classifiers_blocks_equal_the_brute_force_definition() {
    for hidden in [vec![3], vec![3, 2]] {
        let (model, x) = case(&hidden);
        let mut accumulator = BlockAccumulator::new(&model);
        // Two uneven batches: the sums must not depend on where batches split.
        accumulator.add_batch(x.slice(ndarray::s![..5, ..]));
        accumulator.add_batch(x.slice(ndarray::s![5.., ..]));
        let blocks = accumulator.finish();
        assert_eq!((blocks.rows(), blocks.input_dim()), (3, 6));
        let xs: Vec<Vec<f64>> = x.rows().into_iter().map(|r| r.to_vec()).collect();
        let mut nonzero = 0;
        for j in 0..3 {
            let brute = brute_force_block(&model, &xs, j);
            for ((p, q), &expected) in brute.indexed_iter() {
                nonzero += usize::from(expected.abs() > 1e-6);
                let what = format!("{hidden:?}: K_{j}[{p},{q}]");
                assert_close(blocks.get(j, p, q), expected, 1e-6, 1e-10, &what);
            }
        }
        assert!(blocks.is_zero(0), "{hidden:?}: the dead unit's block");
        assert!(
            nonzero > 2 * 6 * 6 / 2,
            "{hidden:?}: too few non-zero entries: {nonzero}"
        );

        // The diagonal is the classif_logits Fisher of W_0.
        let mut fisher = ClassifierFisherAccumulator::new(&model, FisherVariant::ClassifLogits);
        fisher.add_batch(x.view(), &[0; 12]);
        let fisher = fisher.finish();
        for (&k, &f) in blocks.diagonal().iter().zip(fisher.first_layer()) {
            assert_close(k, f, 1e-12, 1e-300, "diag(K_j) against F(W_0[j,·])");
        }
    }
}

#[test]
fn the_classifiers_blocks_diagonal_is_its_fisher_on_mnist() {
    let data = crate::common::mnist_test(300);
    for hidden in [vec![16], vec![16, 8]] {
        let model = Classifier::<f64>::init(784, &hidden, 10, 7);
        let mut accumulator = BlockAccumulator::new(&model);
        for range in [0..37, 37..300] {
            accumulator.add_examples(&data, range);
        }
        let blocks = accumulator.finish();
        let fisher = classifier_fisher(&model, &data, FisherVariant::ClassifLogits, 100);
        let positive = fisher.first_layer().iter().filter(|&&f| f > 0.0).count();
        assert!(
            positive > 5000,
            "{hidden:?}: too few active weights: {positive}"
        );
        for (&k, &f) in blocks.diagonal().iter().zip(fisher.first_layer()) {
            assert_close(k, f, 1e-9, 1e-300, "diag(K_j) against F(W_0[j,·])");
        }
    }
}

fn classifier_bench() -> Workbench {
    let train = synthetic_dataset(31, 400, 6, 6);
    let test = synthetic_dataset(32, 150, 6, 6);
    synthetic_workbench(train, test)
}

fn classifier_settings(hidden: &[usize]) -> Settings {
    Settings {
        hidden: hidden.to_vec(),
        epochs: 3,
        batch: 50,
        lr: 1e-2,
        grid_points: 8,
        random_seeds: 1,
        ..Settings::for_model(ModelKind::Classifier)
    }
}

/// `model` with row `j` of its first layer zeroed.
fn zero_row(model: &Network, j: usize) -> Network {
    let mut first = model.first_layer().clone();
    first.row_mut(j).fill(0.0);
    model.with_first_layer(first)
}

/// The finished eigen job of `bench` against its model pruned and scored directly.
fn check_eigen_job(bench: &Workbench, what: &str) {
    let model = &bench.trained().unwrap().model;
    let result = &bench.analysed().unwrap().result;
    let eval = bench.data().test().first(result.eval_examples);
    let (summary, shells) = bench.eigen().expect("the eigen job finished");
    // The blocks' diagonal is the analysis' Fisher, summed another way.
    assert!(
        summary.diagonal_max_relative_error < 1e-4,
        "{what}: {}",
        summary.diagonal_max_relative_error
    );
    assert_eq!(summary.unpruned_mse, result.unpruned.loss);
    // Every count is the model pruned and scored directly, beside the sweep's row.
    let counts: Vec<usize> = summary.rows.iter().map(|r| r.removed).collect();
    let mut sweep: Vec<usize> = result.rows.iter().map(|r| r.removed).collect();
    sweep.dedup();
    assert_eq!(counts, sweep, "{what}");
    for row in &summary.rows {
        let direct = shells.pruned(row.removed).score(&eval);
        assert_eq!(row.eigen_mse, direct.loss, "{what}: at {}", row.removed);
        assert_eq!(
            row.eigen_accuracy, direct.accuracy,
            "{what}: at {}",
            row.removed
        );
        let diagonal = result
            .rows
            .iter()
            .find(|r| r.removed == row.removed)
            .unwrap();
        assert_eq!(row.fisher_mse, diagonal.fisher_loss);
        assert_eq!(row.fisher_accuracy, diagonal.fisher_accuracy);
    }

    // Every direction of row j removed, and nothing else, is the row zeroed. The other rows'
    // directions are put last (eigenvalue +∞).
    let (values, vectors, coefficients) = shells.flat();
    let (rows, n) = model.first_layer().dim();
    let unpruned = model.score(&eval);
    let mut changed = 0;
    for j in 0..rows {
        let only_j: Vec<f64> = (values.iter().enumerate())
            .map(|(at, &v)| if at / n == j { v } else { f64::INFINITY })
            .collect();
        let row_first =
            EigenShells::from_flat(model, only_j, vectors.clone(), coefficients.clone()).unwrap();
        assert_eq!(row_first.removed_per_row(n)[j], n);
        let (pruned, zeroed) = (row_first.pruned(n), zero_row(model, j));
        assert_eq!(
            pruned.first_layer(),
            zeroed.first_layer(),
            "{what}: row {j}"
        );
        assert_eq!(pruned.score(&eval), zeroed.score(&eval), "{what}: row {j}");
        changed += usize::from(zeroed.score(&eval).loss != unpruned.loss);
    }
    assert!(changed > 0, "{what}: zeroing some row must change the loss");
}

#[test]
fn the_eigen_job_on_a_trained_classifier_is_the_model_pruned_and_scored_directly() {
    for hidden in [vec![8], vec![8, 6]] {
        let mut bench = classifier_bench();
        let jobs = [JobKind::Train, JobKind::Analyse, JobKind::Eigen];
        bench.start(&jobs, classifier_settings(&hidden)).unwrap();
        bench.run_to_end(|_| {}).unwrap();
        check_eigen_job(&bench, &format!("{hidden:?}"));
        // The report keeps the autoencoder's keys and adds the accuracies.
        let json: serde_json::Value =
            serde_json::from_str(&Report::of(&bench).unwrap().to_json()).unwrap();
        let row = &json["eigen"]["rows"][1];
        for key in [
            "eigen_mse",
            "fisher_mse",
            "eigen_accuracy",
            "fisher_accuracy",
        ] {
            assert!(row[key].is_number(), "{hidden:?}: {key} in {row}");
        }
    }
}

/// A classifier of `hidden` on 36 pixels whose every unit fires on some of `data`: no first-layer
/// weight has a zero Fisher, so the sweep's first count removes nothing. (Trained on the
/// synthetic patterns, about half the units are dead.) Layer by layer, a unit's bias is raised
/// until its largest pre-activation over `data` is 0.1.
fn live_classifier(hidden: &[usize], data: &bayes_renorm::data::Dataset) -> Network {
    let x = data.batch::<f32>(0..data.len());
    let mut model = Classifier::<f32>::init(36, hidden, 10, 5);
    for k in 0..hidden.len() {
        let pass = model.forward(x.view());
        let input = if k == 0 { &x } else { &pass.hidden[k - 1] };
        let layer = &mut model.layers[k];
        let a = input.dot(&layer.weight.t()) + &layer.bias;
        for (b, column) in layer.bias.iter_mut().zip(a.columns()) {
            let max = column.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
            *b += (0.1 - max).max(0.0);
        }
    }
    model.into()
}

#[test]
fn with_nothing_removed_the_eigen_job_scores_the_unpruned_classifier() {
    for hidden in [vec![8], vec![8, 6]] {
        let mut bench = classifier_bench();
        let model = live_classifier(&hidden, bench.data().train());
        let bytes = network_to_safetensors(&model).unwrap();
        bench.import_weights("live.safetensors", &bytes).unwrap();
        let jobs = [JobKind::Analyse, JobKind::Eigen];
        bench.start(&jobs, classifier_settings(&hidden)).unwrap();
        bench.run_to_end(|_| {}).unwrap();
        let what = format!("{hidden:?}");
        check_eigen_job(&bench, &what);
        let result = &bench.analysed().unwrap().result;
        let first = &bench.eigen().unwrap().0.rows[0];
        assert_eq!(first.removed, 0, "{what}: every weight has some Fisher");
        let unpruned = model.score(&bench.data().test().first(result.eval_examples));
        assert_eq!(first.eigen_mse, unpruned.loss, "{what}");
        assert_eq!(first.eigen_accuracy, unpruned.accuracy, "{what}");
        assert_close(
            first.eigen_mse,
            result.unpruned.loss,
            1e-6,
            0.0,
            "the sweep's unpruned",
        );
    }
}

#[test]
fn the_autoencoders_eigen_rows_have_no_accuracy_keys() {
    let row = EigenRow {
        removed: 3,
        fraction: 0.5,
        eigen_cutoff: None,
        eigen_mse: 0.25,
        fisher_mse: 0.5,
        eigen_accuracy: None,
        fisher_accuracy: None,
    };
    let json = serde_json::to_value(&row).unwrap();
    let mut keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "eigen_cutoff",
            "eigen_mse",
            "fisher_mse",
            "fraction",
            "removed"
        ]
    );
    assert_eq!(serde_json::from_value::<EigenRow>(json).unwrap(), row);
}

#[test]
fn an_empirical_analysis_of_the_classifier_has_no_eigen_shells() {
    let mut bench = classifier_bench();
    let settings = Settings {
        fisher_variant: FisherVariant::Empirical,
        ..classifier_settings(&[8])
    };
    // Refused before training when the eigen-shells would follow this analysis…
    let jobs = [JobKind::Train, JobKind::Analyse, JobKind::Eigen];
    let error = bench
        .start(&jobs, settings.clone())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("settings") && error.contains("classif_logits"),
        "{error}"
    );
    assert!(bench.trained().is_none());
    // …and when the eigen job begins after one.
    bench.start(&jobs[..2], settings.clone()).unwrap();
    bench.run_to_end(|_| {}).unwrap();
    bench.start(&[JobKind::Eigen], settings).unwrap();
    let error = bench.run_to_end(|_| {}).unwrap_err().to_string();
    assert!(error.contains("classif_logits"), "{error}");
    assert!(bench.eigen().is_none() && bench.analysed().is_some());
}

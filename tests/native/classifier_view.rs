//! What the page shows of a classifier: its answers on the fixed digits and its confusion matrix
//! at a cutoff (checked against a softmax written out here and against the sweep's own scores),
//! the sweep CSV's columns, and the charts' accuracy panels and pictures.

use bayes_renorm::classifier::Classifier;
use bayes_renorm::data::Dataset;
use bayes_renorm::network::{classifier_init, ModelKind};
use bayes_renorm::plot::{confusion, hockey, loss, predictions as prediction_chart};
use bayes_renorm::predictions::{predictions, Confusion, Prediction};
use bayes_renorm::report::sweep_csv;
use bayes_renorm::sweep::SweepRow;
use bayes_renorm::workbench::view::AnalysisView;
use bayes_renorm::workbench::{JobKind, Settings, Workbench};

use crate::common::recording_backend::RecordingBackend;
use crate::common::{synthetic_dataset, synthetic_workbench};

/// A classifier trained and analysed on the synthetic patterns by the workbench, and the view
/// the page would hold of it.
fn analysed_classifier() -> (Workbench, AnalysisView) {
    let train = synthetic_dataset(31, 300, 6, 6);
    let test = synthetic_dataset(32, 120, 6, 6);
    let mut bench = synthetic_workbench(train, test);
    let settings = Settings {
        hidden: vec![8],
        epochs: 3,
        batch: 50,
        lr: 1e-2,
        grid_points: 8,
        ..Settings::for_model(ModelKind::Classifier)
    };
    bench
        .start(&[JobKind::Train, JobKind::Analyse], settings)
        .unwrap();
    bench.run_to_end(|_| {}).unwrap();
    let view = AnalysisView::from_bytes(&bench.view_bytes().unwrap()).unwrap();
    (bench, view)
}

/// p = softmax(z) in f64 from the logits, one example at a time.
fn softmax_by_hand(model: &Classifier<f32>, data: &Dataset, i: usize) -> Vec<f64> {
    let x = data.batch::<f32>(i..i + 1);
    let z: Vec<f64> = model
        .forward(x.view())
        .logits
        .iter()
        .map(|&v| v as f64)
        .collect();
    let max = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = z.iter().map(|v| (v - max).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.iter().map(|v| v / sum).collect()
}

#[test]
fn predictions_are_the_most_probable_class_and_its_probability() {
    let data = synthetic_dataset(33, 70, 6, 6);
    let Some(model) = classifier_init(36, &[5], 10, 9).classifier().cloned() else {
        unreachable!()
    };
    let answers = predictions(&model, &data);
    assert_eq!(answers.len(), data.len());
    for (i, answer) in answers.iter().enumerate() {
        let p = softmax_by_hand(&model, &data, i);
        let best = (0..p.len())
            .max_by(|&a, &b| p[a].total_cmp(&p[b]).then(b.cmp(&a)))
            .unwrap();
        assert_eq!(answer.predicted as usize, best, "example {i}: {p:?}");
        assert!(
            (answer.probability - p[best]).abs() < 1e-6,
            "{answer:?} vs {p:?}"
        );
        assert_eq!(answer.label, data.labels[i]);
    }
}

#[test]
fn the_confusion_matrix_counts_each_true_class_by_its_answer() {
    let answers =
        [(0, 0), (0, 2), (1, 1), (2, 2), (2, 2), (2, 0)].map(|(label, predicted)| Prediction {
            label,
            predicted,
            probability: 0.5,
        });
    let confusion = Confusion::of(&answers, 3);
    assert_eq!(
        confusion.counts,
        vec![vec![1, 0, 1], vec![0, 1, 0], vec![1, 0, 2]]
    );
    assert_eq!(confusion.total(), 6);
    assert!((confusion.accuracy() - 4.0 / 6.0).abs() < 1e-12);
}

#[test]
fn the_views_confusion_at_each_cutoff_is_the_sweeps_accuracy_there() {
    let (bench, view) = analysed_classifier();
    let summary = view.summary();
    assert_eq!(summary.model, ModelKind::Classifier);
    let test_len = bench.data().test().len();
    for row in &summary.rows {
        // The sweep scores from kept pre-activations; the view runs the pruned model itself.
        let confusion = view.confusion(row.cutoff).unwrap();
        assert_eq!(confusion.total(), test_len);
        let accuracy = row.fisher_accuracy.unwrap();
        assert!((confusion.accuracy() - accuracy).abs() < 1e-9, "{row:?}");
        // Each row of the matrix holds one true class: its examples in the test set.
        for (class, counts) in confusion.counts.iter().enumerate() {
            let in_test = bench
                .data()
                .test()
                .labels
                .iter()
                .filter(|&&l| l as usize == class)
                .count();
            assert_eq!(counts.iter().sum::<usize>(), in_test, "class {class}");
        }
    }
    // One row per model, one answer per fixed digit, the digits' true labels in place.
    let rows = view.predictions(summary.rows[2].cutoff).unwrap();
    let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(
        labels,
        ["unpruned", "Fisher", "random", "magnitude", "saliency"]
    );
    for row in &rows {
        let truth: Vec<u8> = row.predictions.iter().map(|p| p.label).collect();
        assert_eq!(truth, view.digit_labels());
    }
    assert_eq!(view.digit_labels(), [0, 1, 2, 3]);
    // With every first-layer weight removed the answer no longer depends on the image.
    let last = summary.rows.iter().max_by_key(|r| r.removed).unwrap();
    if last.removed == view.total() {
        let fisher = &view.predictions(last.cutoff).unwrap()[1];
        assert!(fisher
            .predictions
            .windows(2)
            .all(|w| w[0].predicted == w[1].predicted));
    }
}

#[test]
fn the_autoencoders_view_has_no_predictions() {
    let train = synthetic_dataset(34, 200, 6, 6);
    let test = synthetic_dataset(35, 60, 6, 6);
    let mut bench = synthetic_workbench(train, test);
    let settings = Settings {
        latent: 4,
        epochs: 1,
        batch: 50,
        grid_points: 5,
        ..Settings::default()
    };
    bench
        .start(&[JobKind::Train, JobKind::Analyse], settings)
        .unwrap();
    bench.run_to_end(|_| {}).unwrap();
    let view = AnalysisView::from_bytes(&bench.view_bytes().unwrap()).unwrap();
    assert_eq!(view.summary().model, ModelKind::Autoencoder);
    assert!(view.predictions(0.0).is_none() && view.confusion(0.0).is_none());
    assert_eq!(view.reconstructions(0.0).rows[0].mse.len(), 4);
}

#[test]
fn the_classifiers_csv_has_its_loss_and_accuracy_columns() {
    let rows = [SweepRow {
        cutoff: 0.5,
        removed: 7,
        fraction: 0.25,
        fisher_loss: 0.3,
        random_loss_mean: Some(0.4),
        random_loss_std: Some(0.01),
        random_loss: vec![0.39, 0.41],
        magnitude_loss: Some(0.35),
        saliency_loss: None,
        fisher_accuracy: Some(0.9),
        random_accuracy_mean: Some(0.8),
        random_accuracy_std: Some(0.02),
        random_accuracy: vec![0.78, 0.82],
        magnitude_accuracy: Some(0.85),
        saliency_accuracy: None,
    }];
    let csv = sweep_csv(&rows, &[4, 5], ModelKind::Classifier);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines,
        [
            "cutoff,removed,fraction,fisher_cross_entropy,random_cross_entropy_mean,\
             random_cross_entropy_std,magnitude_cross_entropy,saliency_cross_entropy,\
             random_cross_entropy_seed_4,random_cross_entropy_seed_5,fisher_accuracy,\
             random_accuracy_mean,random_accuracy_std,magnitude_accuracy,saliency_accuracy,\
             random_accuracy_seed_4,random_accuracy_seed_5",
            "0.5,7,0.25,0.3,0.4,0.01,0.35,,0.39,0.41,0.9,0.8,0.02,0.85,,0.78,0.82",
        ]
    );
}

#[test]
fn the_classifiers_charts_add_an_accuracy_panel() {
    let (_, view) = analysed_classifier();
    let summary = view.summary();
    let draw = |accuracy: Option<f64>| {
        let mut backend = RecordingBackend::new(800, 680);
        let chart = hockey::HockeyStick {
            rows: &summary.rows,
            total: view.total(),
            loss_name: "cross-entropy",
            layer_name: "first-layer",
            unpruned_loss: summary.unpruned.loss,
            unpruned_accuracy: accuracy,
            knee: summary.knee.as_ref(),
            tolerance: summary.tolerance,
            current_removed: 0,
            fine_tuned: &[],
            eigen: &[],
            eigen_crossing: None,
        };
        hockey::draw(&mut backend, &chart).unwrap();
        backend
    };
    let with = draw(summary.unpruned.accuracy);
    let without = draw(None);
    let has = |b: &RecordingBackend, text: &str| b.texts.iter().any(|t| t.contains(text));
    assert!(has(&with, "test accuracy (%)") && !has(&without, "test accuracy (%)"));
    assert!(has(&with, "test cross-entropy") && has(&with, "first-layer weights removed"));

    let render = |accuracy: &[f64]| {
        let mut backend = RecordingBackend::new(800, 500);
        let history = loss::LossHistory {
            batch_losses: &[2.0, 1.5, 1.0, 0.8],
            batches_per_epoch: 2,
            epochs: 2,
            loss_name: "cross-entropy",
            test_loss: &[1.2, 0.9],
            test_accuracy: accuracy,
        };
        loss::draw(&mut backend, &history).unwrap();
        backend
    };
    let with = render(&[0.7, 0.8]);
    assert!(has(&with, "test accuracy (%)") && has(&with, "train cross-entropy, each batch"));
    assert!(!has(&render(&[]), "test accuracy (%)"));
    assert_eq!(loss::percent_range(&[97.0, 98.0]), (96.0, 99.0));
}

#[test]
fn wrong_answers_are_marked_and_the_diagonal_is_blue() {
    let answers = [(3, 3, 0.9), (4, 1, 0.6)].map(|(label, predicted, probability)| Prediction {
        label,
        predicted,
        probability,
    });
    let images = vec![0.5f32; 2 * 4];
    let rows = [prediction_chart::PredictionRow {
        label: "Fisher",
        predictions: &answers,
    }];
    let layout = prediction_chart::Layout::new(2, (2, 2), rows.len(), 2);
    let picture = prediction_chart::render(&images, &[3, 4], &rows, &layout);
    let texts: Vec<&str> = picture.labels.iter().map(|l| l.text.as_str()).collect();
    assert!(
        texts.contains(&"3 · 90%") && texts.contains(&"✗ 1 · 60%"),
        "{texts:?}"
    );
    assert!(texts.contains(&"label 3") && texts.contains(&"label 4"));
    // Only the wrong answer's cell is red.
    let red = |p: &bayes_renorm::plot::picture::Picture| {
        (0..p.height)
            .flat_map(|y| (0..p.width).map(move |x| (x, y)))
            .filter(|&(x, y)| p.pixel(x, y) == [250, 205, 200])
            .map(|(x, _)| x)
            .collect::<Vec<_>>()
    };
    let red_columns = red(&picture);
    assert!(!red_columns.is_empty());
    let split = (picture
        .labels
        .iter()
        .find(|l| l.text == "3 · 90%")
        .unwrap()
        .x
        + picture
            .labels
            .iter()
            .find(|l| l.text == "✗ 1 · 60%")
            .unwrap()
            .x)
        / 2.0;
    assert!(red_columns.iter().all(|&x| x as f64 > split));

    let confusion = Confusion::of(&answers, 5);
    let picture = confusion::render(&confusion);
    // The two counts (the class headers also read "1", above and left of the grid).
    let mut counts: Vec<_> = (picture.labels.iter())
        .filter(|l| l.text == "1" && l.x > 70.0 && l.y > 50.0)
        .collect();
    assert_eq!(counts.len(), 2);
    counts.sort_by(|a, b| a.x.total_cmp(&b.x));
    let colour = |l: &&bayes_renorm::plot::picture::Label| {
        picture.pixel(l.x as usize - 12, l.y as usize - 12)
    };
    // Column 1 holds row 4's wrong answer (red); column 3 row 3's right one (blue).
    let [r, g, b] = colour(&counts[0]);
    assert!(r > g && r > b, "an error is red: {:?}", [r, g, b]);
    let [r, g, b] = colour(&counts[1]);
    assert!(b > r && b > g, "a right answer is blue: {:?}", [r, g, b]);
    assert!(counts[0].y > counts[1].y, "row 4 is below row 3");
}

#[test]
fn imported_classifier_weights_are_analysed_as_a_classifier_whatever_the_settings_say() {
    let train = synthetic_dataset(36, 200, 6, 6);
    let test = synthetic_dataset(37, 80, 6, 6);
    let mut bench = synthetic_workbench(train, test.clone());
    let model = classifier_init(36, &[7], 10, 3);
    let file = bayes_renorm::network_weights::network_to_safetensors(&model).unwrap();
    bench.import_weights("mlp.safetensors", &file).unwrap();
    // The page's settings still say autoencoder, with the regression Fisher.
    let settings = Settings {
        grid_points: 5,
        ..Settings::default()
    };
    bench.start(&[JobKind::Analyse], settings).unwrap();
    bench.run_to_end(|_| {}).unwrap();
    assert_eq!(bench.settings().model, ModelKind::Classifier);
    let view = AnalysisView::from_bytes(&bench.view_bytes().unwrap()).unwrap();
    assert_eq!(view.summary().model, ModelKind::Classifier);
    assert_eq!(view.summary().unpruned, model.score(&test));
}

#[test]
fn the_slider_reads_the_sweep_exactly_at_its_counts_and_between_them_linearly() {
    let (_, view) = analysed_classifier();
    let rows = &view.summary().rows;
    for row in rows {
        let reading = view.reading(row.cutoff);
        assert_eq!(reading.removed, row.removed);
        assert!(reading.swept);
        assert_eq!(reading.loss, row.fisher_loss);
        assert_eq!(reading.accuracy, row.fisher_accuracy);
    }
    // A cutoff between two swept counts: the loss lies between theirs, at the count's share.
    let sorted = {
        let mut v = view.fisher_values().to_vec();
        v.sort_by(f32::total_cmp);
        v
    };
    let (below, above) = (rows.windows(2))
        .map(|w| (&w[0], &w[1]))
        .find(|(a, b)| b.removed > a.removed + 1)
        .expect("two swept counts with a count between");
    let removed = below.removed + (above.removed - below.removed) / 2;
    let reading = view.reading(sorted[removed - 1]);
    assert_eq!(reading.removed, removed);
    assert!(!reading.swept);
    let share = (removed - below.removed) as f64 / (above.removed - below.removed) as f64;
    let by_hand = below.fisher_loss + share * (above.fisher_loss - below.fisher_loss);
    assert!((reading.loss - by_hand).abs() <= 1e-12 * by_hand.abs().max(1.0));
    assert_eq!(reading.total, view.total());
    assert_eq!(reading.zeros, view.removed(0.0));
    assert_eq!(reading.unpruned, view.summary().unpruned);
    // The hockey stick under the pointer reads the same, and every scheme the same way.
    let at = view.hockey_at(removed);
    assert_eq!(at.schemes.fisher, Some(reading.loss));
    assert_eq!(at.schemes.fisher_accuracy, reading.accuracy);
    let random = |r: &bayes_renorm::sweep::SweepRow| r.random_accuracy_mean.unwrap();
    let by_hand = random(below) + share * (random(above) - random(below));
    assert!((at.schemes.random_accuracy.unwrap() - by_hand).abs() <= 1e-12);
    assert_eq!(at.eigen, None, "the eigen-shells have not run");
}

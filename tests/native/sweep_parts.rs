//! A sweep split by removal order, as the page's pool of workers runs it: the orders scored by
//! other, identical sweeps and handed over give the rows of a sweep that scored everything
//! itself, bit for bit.
use bayes_renorm::network::Score;

use crate::common::{authors_analysis, paper_analysis, synthetic_dataset};
use bayes_renorm::analysis::Analysis;
use bayes_renorm::model::Autoencoder;
use bayes_renorm::sweep::{run_sweep, Baselines, Sweep};
use ndarray::Array2;

fn setup() -> (Autoencoder<f32>, Array2<f32>, bayes_renorm::data::Dataset) {
    let model = Autoencoder::init(25, 4, false, 8);
    // Any non-negative values order the weights; these are distinct and vary by row and column.
    let fisher = Array2::from_shape_fn((4, 25), |(i, j)| ((i * 25 + j) * 37 % 100) as f32 / 7.0);
    (model, fisher, synthetic_dataset(9, 120, 5, 5))
}

#[test]
fn orders_scored_elsewhere_give_the_same_rows_bit_for_bit() {
    let (model, fisher, test) = setup();
    let baselines = Baselines::all(vec![3, 4, 5]);
    // Ascending, with repeats and one step back down (the slider can ask for that).
    let cutoffs = vec![0.0, 0.5, 0.5, 2.0, 5.0, 1.0, 9.0, 14.2, 20.0];
    let whole = run_sweep(&model, &fisher, cutoffs.clone(), &baselines, &test);

    let new_sweep = || Sweep::new(&model, &fisher, cutoffs.clone(), &baselines, &test);
    let mut lead = new_sweep();
    let orders = lead.order_count();
    assert_eq!(
        orders, 6,
        "Fisher, magnitude, saliency and three random orders"
    );
    for split in [1, 3, 5] {
        let mut lead = new_sweep();
        for order in 0..split {
            lead.score_order(order, 0..4);
            lead.score_order(order, 4..cutoffs.len());
        }
        let mut helper = new_sweep();
        for order in split..orders {
            let scores = helper.score_order(order, 0..cutoffs.len());
            lead.take_scores(order, &scores);
        }
        while lead.step().is_some() {}
        assert_eq!(lead.rows(), &whole[..], "lead scored orders 0..{split}");
    }
    // Scores taken for every order leave nothing to compute, and still give the same rows.
    let mut helper = new_sweep();
    for order in 0..orders {
        lead.take_scores(order, &helper.score_order(order, 0..cutoffs.len()));
    }
    while lead.step().is_some() {}
    assert_eq!(lead.rows(), &whole[..]);
}

#[test]
fn handed_over_scores_are_the_ones_used() {
    // take_scores must reach step: a marked value shows up in the row.
    let (model, fisher, test) = setup();
    let baselines = Baselines::all(vec![3]);
    let cutoffs = vec![0.0, 3.0, 8.0];
    let mut sweep = Sweep::new(&model, &fisher, cutoffs, &baselines, &test);
    let marked = [f64::NAN, 123.0, 456.0].map(|loss| Score {
        loss,
        accuracy: None,
    });
    sweep.take_scores(1, &marked); // magnitude
    while sweep.step().is_some() {}
    let magnitude: Vec<Option<f64>> = sweep.rows().iter().map(|r| r.magnitude_loss).collect();
    assert_eq!(magnitude[1..], [Some(123.0), Some(456.0)]);
}

#[test]
fn an_analysis_whose_sweep_is_split_gives_the_same_result() {
    let train = synthetic_dataset(21, 2500, 5, 5);
    let test = synthetic_dataset(22, 300, 5, 5);
    let model = Autoencoder::<f32>::init(25, 4, true, 3);
    let cases = [paper_analysis(7, 3), authors_analysis(5, 1)];
    for config in cases {
        let whole = Analysis::new(&model, config.clone()).run(&train, &test);
        let mut split = Analysis::new(&model, config.clone());
        while split.sweep(&test).is_none() {
            split.step(&train, &test);
        }
        let (sweep, fisher, eval) = split.sweep(&test).expect("the sweep stage");
        let cutoffs = sweep.cutoffs().to_vec();
        let baselines = &config.baselines;
        let mut helper = Sweep::new(
            &model,
            fisher,
            cutoffs.clone(),
            baselines,
            &test.first(eval),
        );
        for order in 1..sweep.order_count() {
            sweep.take_scores(order, &helper.score_order(order, 0..cutoffs.len()));
        }
        let result = split.run(&train, &test);
        assert_eq!(result.rows, whole.rows);
        assert_eq!(result.knee, whole.knee);
        assert_eq!(result.unpruned.loss, whole.unpruned.loss);
    }
}

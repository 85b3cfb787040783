//! The Fisher's batches split, as the page's pool of workers computes them: batches whose terms
//! an identical accumulator computed elsewhere, added in order, give the analysis of the lead
//! alone bit for bit.

use crate::common::{paper_analysis, synthetic_dataset};
use bayes_renorm::analysis::{Analysis, AnalysisConfig, AnalysisProgress};
use bayes_renorm::fisher::FISHER_BATCH;
use bayes_renorm::fisher::{FisherAccumulator, FisherTerms, FisherVariant};
use bayes_renorm::model::Autoencoder;

#[test]
fn fisher_batches_computed_elsewhere_give_the_same_analysis() {
    // 3,500 training images: four Fisher batches, the last one short.
    let train = synthetic_dataset(21, 3500, 5, 5);
    let test = synthetic_dataset(22, 300, 5, 5);
    let model = Autoencoder::<f32>::init(25, 4, true, 3);
    let cases = [
        paper_analysis(7, 2),
        AnalysisConfig {
            fisher_variant: FisherVariant::Empirical,
            ..paper_analysis(9, 1)
        },
    ];
    for config in cases {
        let whole = Analysis::new(&model, config.clone()).run(&train, &test);
        for lead_batches in [0, 1, 2, 3] {
            let mut split = Analysis::new(&model, config.clone());
            for _ in 0..lead_batches {
                split.step(&train, &test);
            }
            // The helper holds only its examples: batch k of the Fisher is its rows k·B.. .
            let from = lead_batches * FISHER_BATCH;
            let helper_data = train.select(&(from..train.len()).collect::<Vec<_>>());
            let mut helper = FisherAccumulator::new(&model, config.fisher_variant);
            let mut last = None;
            for start in (0..helper_data.len()).step_by(FISHER_BATCH) {
                let end = (start + FISHER_BATCH).min(helper_data.len());
                let x = helper_data.batch::<f32>(start..end);
                let terms = helper.batch_terms(x.view());
                // What the pool sends: the flat terms.
                let sent = FisherTerms::from_flat(&model, &terms.to_flat(), end - start);
                assert_eq!(sent.as_ref(), Some(&terms));
                last = split.add_fisher_terms(&terms, &train, &test);
            }
            assert_eq!(
                last,
                Some(AnalysisProgress::Fisher {
                    done: train.len(),
                    total: train.len()
                })
            );
            let result = split.run(&train, &test);
            assert_eq!(
                result.fisher, whole.fisher,
                "lead did {lead_batches} batches"
            );
            assert_eq!(result.rows, whole.rows);
        }
    }
}

#[test]
fn fisher_terms_are_refused_outside_the_fisher_stage_and_in_the_wrong_shape() {
    let train = synthetic_dataset(21, 500, 5, 5);
    let test = synthetic_dataset(22, 100, 5, 5);
    let model = Autoencoder::<f32>::init(25, 4, false, 3);
    let mut accumulator = FisherAccumulator::new(&model, FisherVariant::Regression);
    let terms = accumulator.batch_terms(train.batch::<f32>(0..500).view());
    assert_eq!(
        FisherTerms::from_flat(&model, &terms.to_flat()[1..], 500),
        None
    );
    let mut analysis = Analysis::new(&model, paper_analysis(1, 1));
    analysis.step(&train, &test); // the whole Fisher: one batch
    assert_eq!(analysis.add_fisher_terms(&terms, &train, &test), None);
    let result = analysis.run(&train, &test);
    assert_eq!(
        result.fisher.examples(),
        500,
        "the refused terms were not added"
    );
}

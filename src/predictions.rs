//! What a classifier answers, example by example: the predicted class with its probability, and
//! the confusion matrix over a set. The page shows both for the pruned model at the cutoff Λ.

use serde::{Deserialize, Serialize};

use crate::classifier::{argmax, softmax, Classifier};
use crate::data::Dataset;
use crate::network::EVAL_BATCH;

/// One example's answer.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// The true class.
    pub label: u8,
    /// The most probable class (the first, on a tie, as `score_logits` counts it).
    pub predicted: u8,
    /// The model's probability of `predicted`.
    pub probability: f64,
}

impl Prediction {
    pub fn is_right(&self) -> bool {
        self.label == self.predicted
    }
}

/// The model's answers on every example of `data`, in order.
pub fn predictions(model: &Classifier<f32>, data: &Dataset) -> Vec<Prediction> {
    let mut out = Vec::with_capacity(data.len());
    for range in data.ranges(EVAL_BATCH) {
        let x = data.batch::<f32>(range.clone());
        let p = softmax(model.forward(x.view()).logits);
        for (row, &label) in p.rows().into_iter().zip(&data.labels[range]) {
            let predicted = argmax(row.iter().copied());
            out.push(Prediction {
                label,
                predicted: predicted as u8,
                probability: row[predicted] as f64,
            });
        }
    }
    out
}

/// counts[t][p]: examples of true class t predicted as p.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Confusion {
    pub counts: Vec<Vec<usize>>,
}

impl Confusion {
    pub fn of(predictions: &[Prediction], classes: usize) -> Confusion {
        let mut counts = vec![vec![0; classes]; classes];
        for p in predictions {
            counts[p.label as usize][p.predicted as usize] += 1;
        }
        Confusion { counts }
    }

    pub fn classes(&self) -> usize {
        self.counts.len()
    }

    pub fn total(&self) -> usize {
        self.counts.iter().flatten().sum()
    }

    /// The diagonal's share of all examples.
    pub fn accuracy(&self) -> f64 {
        let right: usize = (0..self.classes()).map(|c| self.counts[c][c]).sum();
        right as f64 / self.total().max(1) as f64
    }
}

//! The test split of data given as one set: a seeded 1/7 of each class, as MNIST's 10,000 of
//! 70,000. Per class, so a rare class is in both splits; seeded, so the same files and seed
//! always give the same split.

use crate::rng::{stream, Rng};

use super::Dataset;

/// The share of each class that becomes the test split.
pub const HELD_OUT: (usize, usize) = (1, 7);

/// How `held_out` split a data set, as the manifest states it.
pub fn held_out_rule(seed: u64) -> String {
    let (part, whole) = HELD_OUT;
    format!("held out: a seeded {part}/{whole} of each class is the test split (seed {seed})")
}

/// Splits `data` into (train, test): of each class's n examples, round(n / 7) chosen by `seed`
/// are test, and at least one when n ≥ 2 (so a small set still has a test of every class).
/// Both splits keep the examples' order in `data`.
pub fn held_out(data: &Dataset, seed: u64) -> (Dataset, Dataset) {
    let (part, whole) = HELD_OUT;
    let mut classes = vec![Vec::new(); 256];
    for (index, &label) in data.labels.iter().enumerate() {
        classes[label as usize].push(index);
    }
    let mut is_test = vec![false; data.len()];
    for (label, members) in classes.iter_mut().enumerate() {
        let n = members.len();
        let count = ((n * part + whole / 2) / whole).max(usize::from(n >= 2));
        Rng::new(seed, stream::HOLD_OUT, label as u64).shuffle(members);
        for &i in &members[..count] {
            is_test[i] = true;
        }
    }
    let pick =
        |test: bool| -> Vec<usize> { (0..data.len()).filter(|&i| is_test[i] == test).collect() };
    (data.select(&pick(false)), data.select(&pick(true)))
}

//! Shards arriving in any order give the same split, and the ready prefix grows only when every
//! shard before it is here.

use crate::common::synthetic_dataset;
use bayes_renorm::data::assembly::ShardedSplit;
use bayes_renorm::data::Dataset;

/// A 23-example split cut into shards of 5, 5, 5, 5 and 3 examples.
fn shards() -> (Dataset, Vec<Dataset>) {
    let whole = synthetic_dataset(3, 23, 3, 3);
    let n = whole.input_dim();
    let parts = (0..23)
        .step_by(5)
        .map(|start| {
            let end = (start + 5).min(23);
            Dataset::new(
                3,
                3,
                whole.labels[start..end].to_vec(),
                whole.pixels[start * n..end * n].to_vec(),
            )
        })
        .collect();
    (whole, parts)
}

fn assembled(order: &[usize]) -> (ShardedSplit, Vec<usize>) {
    let (_, parts) = shards();
    let mut split = ShardedSplit::new(parts.iter().map(Dataset::len).collect());
    let mut ready_after_each = Vec::new();
    for &index in order {
        split.insert(index, parts[index].clone());
        ready_after_each.push(split.ready().len());
    }
    (split, ready_after_each)
}

#[test]
fn every_arrival_order_gives_the_whole_split_in_manifest_order() {
    let (whole, _) = shards();
    for order in [
        [0, 1, 2, 3, 4],
        [4, 3, 2, 1, 0],
        [2, 0, 4, 1, 3],
        [1, 0, 3, 2, 4],
    ] {
        let (split, _) = assembled(&order);
        assert!(split.is_complete(), "{order:?}");
        assert_eq!(split.ready(), &whole, "{order:?}");
        assert_eq!(split.expected_len(), 23);
    }
}

#[test]
fn the_ready_prefix_waits_for_missing_shards() {
    let (_, ready) = assembled(&[2, 0, 4, 1, 3]);
    assert_eq!(ready, [0, 5, 5, 15, 23]);
    let (split, _) = assembled(&[1, 2]);
    assert!(!split.is_complete());
    assert_eq!(split.ready().len(), 0);
}

#[test]
fn a_prefix_is_the_same_whatever_the_order() {
    let (whole, _) = shards();
    let (forward, _) = assembled(&[0, 1, 2]);
    let (shuffled, _) = assembled(&[2, 1, 4, 0]);
    for count in [1, 7, 15] {
        assert_eq!(forward.ready().first(count), whole.first(count));
        assert_eq!(shuffled.ready().first(count), whole.first(count));
    }
}

#[test]
fn statistics_count_every_arrived_shard_and_a_repeat_is_ignored() {
    let (_, parts) = shards();
    let (mut split, _) = assembled(&[3, 1]);
    assert_eq!(split.stats(10).count(), 10);
    split.insert(1, parts[1].clone());
    split.insert(0, parts[0].clone());
    split.insert(0, parts[0].clone());
    assert_eq!(split.stats(10).count(), 15);
    assert_eq!(split.ready().len(), 10);
}

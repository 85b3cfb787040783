//! A split put together from shards that arrive one at a time, in any order (the page downloads
//! them). Training uses "the first k examples" of a split; that prefix exists as soon as every
//! shard before it has arrived, and it holds the same examples whatever order they came in.

use super::stats::SplitStats;
use super::Dataset;

#[derive(Clone, Debug, Default)]
pub struct ShardedSplit {
    /// Example count of each shard, in manifest order.
    counts: Vec<usize>,
    /// The leading shards that have all arrived, appended in manifest order.
    ready: Dataset,
    /// How many leading shards `ready` holds.
    ready_shards: usize,
    /// Shards that arrived before one of their predecessors, by manifest index.
    waiting: Vec<Option<Dataset>>,
}

impl ShardedSplit {
    /// An empty split expecting shards of these example counts, in manifest order.
    pub fn new(counts: Vec<usize>) -> Self {
        ShardedSplit {
            waiting: vec![None; counts.len()],
            counts,
            ..ShardedSplit::default()
        }
    }

    /// Adds the shard at manifest position `index` (its count was checked against the manifest
    /// when it was decoded). A shard that is already present is ignored.
    pub fn insert(&mut self, index: usize, shard: Dataset) {
        assert!(
            index < self.counts.len(),
            "shard index {index} out of range"
        );
        if index < self.ready_shards {
            return;
        }
        self.waiting[index] = Some(shard);
        while let Some(next) = self
            .waiting
            .get_mut(self.ready_shards)
            .and_then(Option::take)
        {
            self.ready.append(&next);
            self.ready_shards += 1;
        }
    }

    /// Examples in the whole split, once every shard has arrived.
    pub fn expected_len(&self) -> usize {
        self.counts.iter().sum()
    }

    /// The examples available as an unbroken prefix of the split.
    pub fn ready(&self) -> &Dataset {
        &self.ready
    }

    pub fn is_complete(&self) -> bool {
        self.ready_shards == self.counts.len()
    }

    /// Label and pixel statistics of every shard that has arrived, over `classes` classes.
    pub fn stats(&self, classes: usize) -> SplitStats {
        let mut stats = SplitStats::of(&self.ready, classes);
        for shard in self.waiting.iter().flatten() {
            stats.add(shard);
        }
        stats
    }
}

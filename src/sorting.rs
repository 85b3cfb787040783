//! Ascending orders by a float key, in one place. Every call site of the standard library's
//! sort compiles its own copy of the sort (about 6 KB of wasm each); one sort over (key, index)
//! pairs serves them all.

/// The indices of `keys`, ascending in `f64::total_cmp`'s order, ties by index: what a stable
/// sort of `0..len` by key gives.
pub fn ascending_indices(keys: impl IntoIterator<Item = f64>) -> Vec<usize> {
    let mut pairs: Vec<(f64, usize)> = keys.into_iter().zip(0..).collect();
    sort_pairs(&mut pairs);
    pairs.into_iter().map(|(_, index)| index).collect()
}

/// `items` in ascending order of `key`, equal keys in their order in `items`.
pub fn sorted_by_key<T>(items: &[T], key: impl Fn(&T) -> f64) -> Vec<&T> {
    ascending_indices(items.iter().map(key))
        .into_iter()
        .map(|index| &items[index])
        .collect()
}

/// `sorted_by_key`, copied out.
pub fn sorted_copies<T: Copy>(items: &[T], key: impl Fn(&T) -> f64) -> Vec<T> {
    sorted_by_key(items, key).into_iter().copied().collect()
}

fn sort_pairs(pairs: &mut [(f64, usize)]) {
    // The index makes every pair distinct, so an unstable sort gives the stable order.
    pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
}

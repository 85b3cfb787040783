//! The one sort (src/order.rs) against the standard library's stable sort, on keys with many
//! ties, both zeros, infinities and NaNs of either sign.

use bayes_renorm::sorting::{ascending_indices, sorted_copies};
use proptest::prelude::*;

const AWKWARD: [f64; 8] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
    -f64::NAN,
];

fn keys() -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(AWKWARD.to_vec()),
            (-3i32..3).prop_map(f64::from)
        ],
        0..200,
    )
}

proptest! {
    #[test]
    fn ascending_indices_is_the_stable_sort(keys in keys()) {
        let mut expected: Vec<usize> = (0..keys.len()).collect();
        expected.sort_by(|&a, &b| keys[a].total_cmp(&keys[b]));
        prop_assert_eq!(ascending_indices(keys.iter().copied()), expected);
    }

    #[test]
    fn sorted_copies_keeps_equal_keys_in_order(keys in keys()) {
        let items: Vec<(f64, usize)> = keys.iter().copied().zip(0..).collect();
        let mut expected = items.clone();
        expected.sort_by(|a, b| a.0.total_cmp(&b.0));
        let sorted = sorted_copies(&items, |&(key, _)| key);
        prop_assert_eq!(
            sorted.iter().map(|&(k, i)| (k.to_bits(), i)).collect::<Vec<_>>(),
            expected.iter().map(|&(k, i)| (k.to_bits(), i)).collect::<Vec<_>>()
        );
    }
}

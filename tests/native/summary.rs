//! Fisher summaries and histograms against direct counts, and the .npy writer against the
//! format's published layout.

use bayes_renorm::npy::npy_f32;
use bayes_renorm::summary::{Histogram, Summary};

#[test]
fn summary_of_known_values() {
    let s = Summary::of(&[0.0, 4.0, 1.0, 0.0, 5.0, 2.0]);
    assert_eq!(s.count, 6);
    assert_eq!(s.mean, 2.0);
    assert_eq!(s.median, 1.5);
    assert_eq!((s.min, s.max), (0.0, 5.0));
    assert!((s.zero_fraction - 1.0 / 3.0).abs() < 1e-15);
    assert_eq!(Summary::of(&[3.0, 1.0, 2.0]).median, 2.0);
}

#[test]
fn linear_histogram_counts_every_value_once_like_numpy() {
    let values: Vec<f32> = (0..=100).map(|i| i as f32 / 10.0).collect(); // 0.0 ..= 10.0
    let h = Histogram::linear(&values, 22);
    assert_eq!(h.counts.len(), 22);
    assert_eq!(h.edges.len(), 23);
    assert_eq!(h.counts.iter().sum::<u64>(), 101);
    assert_eq!((h.edges[0], h.edges[22]), (0.0, 10.0));
    // Brute force: a value belongs to bin i when edges[i] <= v < edges[i+1] (last bin closed).
    for (i, &count) in h.counts.iter().enumerate() {
        let expected = values
            .iter()
            .map(|&v| v as f64)
            .filter(|&v| v >= h.edges[i] && (v < h.edges[i + 1] || (i == 21 && v <= h.edges[22])))
            .count() as u64;
        assert_eq!(count, expected, "bin {i}");
    }
}

#[test]
fn log_histogram_keeps_zeros_apart_and_spans_the_positive_range() {
    let values = [0.0f32, 0.0, 1e-8, 1e-4, 3e-4, 0.1, 2.0, 0.0];
    let h = Histogram::log(&values, 8);
    assert_eq!(h.zero_count, 3);
    assert_eq!(h.counts.iter().sum::<u64>(), 5);
    assert_eq!(h.edges[0], 1e-8f32 as f64);
    assert_eq!(*h.edges.last().unwrap(), 2.0);
    let ratios: Vec<f64> = h.edges.windows(2).map(|w| w[1] / w[0]).collect();
    for r in &ratios {
        assert!(
            (r / ratios[1] - 1.0).abs() < 1e-6,
            "log-spaced edges: {ratios:?}"
        );
    }
}

#[test]
fn npy_layout_follows_the_format_spec() {
    let values = [1.5f32, -2.0, 0.25, 8.0, 0.0, 3.0];
    let bytes = npy_f32(&[2, 3], &values);
    assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    assert_eq!((10 + header_len) % 64, 0, "data starts 64-byte aligned");
    let header = std::str::from_utf8(&bytes[10..10 + header_len]).unwrap();
    assert!(header.starts_with("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"));
    assert!(header.ends_with('\n'));
    let data: Vec<f32> = bytes[10 + header_len..]
        .chunks(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    assert_eq!(data, values);
    let flat = npy_f32(&[6], &values);
    let len = u16::from_le_bytes([flat[8], flat[9]]) as usize;
    let flat_header = std::str::from_utf8(&flat[10..10 + len]).unwrap();
    assert!(
        flat_header.contains("'shape': (6,)"),
        "a 1-tuple: {flat_header}"
    );
}

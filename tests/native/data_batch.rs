//! A batch's values against x = p / 255 pixel by pixel (torchvision's ToTensor), in any order of
//! examples, into a row-major buffer and into one whose rows are not contiguous.

use crate::common;

use ndarray::{Array2, ShapeBuilder};

#[test]
fn batches_hold_each_pixel_over_255() {
    let data = common::mnist_test(300);
    let n = data.input_dim();
    let indices: Vec<usize> = (0..300).rev().step_by(7).chain([5, 5, 0]).collect();
    let expected = Array2::from_shape_fn((indices.len(), n), |(r, i)| {
        data.image(indices[r])[i] as f32 / 255.0
    });
    assert_eq!(data.batch::<f32>(indices.iter().copied()), expected);
    let mut column_major = Array2::<f32>::from_elem((indices.len(), n).f(), f32::NAN);
    data.fill_batch(indices.iter().copied(), column_major.view_mut());
    assert_eq!(column_major, expected);
    // A reused buffer loses the previous batch's values, zeros included.
    let mut reused = Array2::<f32>::from_elem((indices.len(), n), 7.0);
    data.fill_batch(indices.iter().copied(), reused.view_mut());
    assert_eq!(reused, expected);
    let expected_f64 = Array2::from_shape_fn((indices.len(), n), |(r, i)| {
        data.image(indices[r])[i] as f64 / 255.0
    });
    assert_eq!(data.batch::<f64>(indices.iter().copied()), expected_f64);
}

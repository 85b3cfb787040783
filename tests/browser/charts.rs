//! Each chart's wasm entry point draws on a real canvas: its pixels change from the blank canvas
//! and are not all one colour.

use crate::common;

use bayes_renorm::web::charts::draw_loss_chart;
use common::browser::{canvas, distinct_colours, pixels};
use wasm_bindgen_test::*;

#[wasm_bindgen_test]
fn the_loss_chart_draws() {
    let canvas = canvas(800, 360);
    let blank = pixels(&canvas);
    let losses: Vec<f64> = (0..120)
        .map(|i| 0.03 + 0.08 * (-(i as f64) / 20.0).exp())
        .collect();
    draw_loss_chart(canvas.clone(), &losses, 60, 10, "MSE", &[0.05, 0.04], &[]).unwrap();
    let drawn = pixels(&canvas);
    let changed = blank.iter().zip(&drawn).filter(|(a, b)| a != b).count();
    assert!(
        changed > drawn.len() / 2,
        "the chart fills the canvas: {changed} bytes changed"
    );
    assert!(
        distinct_colours(&drawn) > 10,
        "lines, markers and text, not one colour"
    );
}

#![cfg(target_arch = "wasm32")]
//! Each chart's wasm entry point draws on a real canvas: its pixels change from the blank canvas
//! and are not all one colour.

use bayes_renorm::web::charts::draw_loss_chart;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

wasm_bindgen_test_configure!(run_in_browser);

fn canvas(width: u32, height: u32) -> HtmlCanvasElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let canvas: HtmlCanvasElement = document
        .create_element("canvas")
        .unwrap()
        .dyn_into()
        .unwrap();
    canvas.set_width(width);
    canvas.set_height(height);
    canvas
}

/// RGBA bytes of the whole canvas.
fn pixels(canvas: &HtmlCanvasElement) -> Vec<u8> {
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let (w, h) = (canvas.width() as f64, canvas.height() as f64);
    context.get_image_data(0.0, 0.0, w, h).unwrap().data().0
}

fn distinct_colours(rgba: &[u8]) -> usize {
    let mut colours: Vec<&[u8]> = rgba.chunks(4).collect();
    colours.sort();
    colours.dedup();
    colours.len()
}

#[wasm_bindgen_test]
fn the_loss_chart_draws() {
    let canvas = canvas(800, 360);
    let blank = pixels(&canvas);
    let losses: Vec<f64> = (0..120)
        .map(|i| 0.03 + 0.08 * (-(i as f64) / 20.0).exp())
        .collect();
    draw_loss_chart(canvas.clone(), &losses, 60, 10, &[0.05, 0.04]).unwrap();
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

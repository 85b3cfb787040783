//! Helpers of the browser tests: the committed MNIST test shards, settings as the page sends
//! them, and canvases to draw on.

use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

pub const MNIST_MANIFEST: &str = include_str!("../../www/data/mnist/manifest.json");
/// The committed MNIST test split: (file, bytes) in manifest order.
pub const MNIST_TEST_SHARDS: [(&str, &[u8]); 2] = [
    (
        "test-00.v1.shard",
        include_bytes!("../../www/data/mnist/test-00.v1.shard"),
    ),
    (
        "test-01.v1.shard",
        include_bytes!("../../www/data/mnist/test-01.v1.shard"),
    ),
];

/// `value` as a plain JS object, as the page's settings arrive from JavaScript.
pub fn js<T: Serialize>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap()
}

pub fn canvas(width: u32, height: u32) -> HtmlCanvasElement {
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
pub fn pixels(canvas: &HtmlCanvasElement) -> Vec<u8> {
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let (w, h) = (canvas.width() as f64, canvas.height() as f64);
    context.get_image_data(0.0, 0.0, w, h).unwrap().data().0
}

pub fn distinct_colours(rgba: &[u8]) -> usize {
    let mut colours: Vec<&[u8]> = rgba.chunks(4).collect();
    colours.sort();
    colours.dedup();
    colours.len()
}

//! The only place that touches wasm-bindgen: a thin facade over the core for `www/`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// Crate version, shown in the page footer.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Per-epoch losses of the small synthetic training run (shows the module works in this browser).
#[wasm_bindgen(js_name = syntheticDemoLosses)]
pub fn synthetic_demo_losses() -> Vec<f64> {
    crate::train::synthetic_demo_losses(crate::train::DEMO_SEED)
}

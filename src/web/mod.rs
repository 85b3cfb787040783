//! The only place that touches wasm-bindgen: a thin facade over the core for `www/`, split by
//! side. `session` is what the worker drives (one `Workbench`), `helper` what its pool's helper
//! workers compute; `charts` is what the main thread draws. None computes anything itself: they
//! convert and delegate.

pub mod charts;
#[cfg(feature = "converter")]
pub mod converter;
pub mod eigensolver;
pub mod helper;
pub mod session;
pub mod study;
#[cfg(target_feature = "atomics")]
pub mod threads;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        report_panic(&info.to_string());
    }));
}

/// A panic leaves the module unusable, and its message would otherwise reach only the console:
/// hand it to `globalThis.onWasmPanic` (the worker forwards it to the page) when that is set.
fn report_panic(message: &str) {
    let callback = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("onWasmPanic"));
    if let Some(callback) = callback
        .ok()
        .and_then(|c| c.dyn_into::<js_sys::Function>().ok())
    {
        let _ = callback.call1(&JsValue::NULL, &JsValue::from_str(message));
    }
}

/// Crate version, shown in the page footer.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// Which code computes the matrix products in this build (`dense::KERNEL`), shown in the footer.
#[wasm_bindgen]
pub fn kernel() -> String {
    crate::dense::KERNEL.to_string()
}

/// Panics on purpose: the end-to-end test uses it to check that a panic reaches the page and
/// that training works again afterwards.
#[wasm_bindgen(js_name = panicForTest)]
pub fn panic_for_test() {
    panic!("deliberate panic requested by the end-to-end test");
}

/// The core's side of `scripts/bench.sh` in the browser: `crate::bench::core_figures` on shards
/// the caller fetched (`train`, `test`: arrays of `Uint8Array` in the manifest's order), as
/// `examples/bench.rs` runs it natively. `plan` is a `BenchPlan`; returns `CoreFigures`.
#[wasm_bindgen(js_name = benchCore)]
pub fn bench_core(
    plan: JsValue,
    manifest: &str,
    train: js_sys::Array,
    test: js_sys::Array,
) -> Result<JsValue, JsError> {
    use crate::data::manifest::{Manifest, Split};
    use crate::data::Dataset;
    let plan: crate::bench::BenchPlan = from_js(plan)?;
    let manifest = Manifest::from_json(manifest).map_err(|e| JsError::new(&e.to_string()))?;
    let decode = |split: Split, shards: js_sys::Array| -> Result<Dataset, JsError> {
        let mut data = Dataset::default();
        for (entry, bytes) in manifest.shards(split).iter().zip(shards.iter()) {
            let bytes = js_sys::Uint8Array::new(&bytes).to_vec();
            data.append(
                &manifest
                    .decode(entry, &bytes)
                    .map_err(|e| JsError::new(&e.to_string()))?,
            );
        }
        Ok(data)
    };
    let (train, test) = (decode(Split::Train, train)?, decode(Split::Test, test)?);
    let figures = crate::bench::core_figures(&plan, &train, &test, &performance_now);
    to_js(&figures)
}

/// `performance.now()` of the window or worker: sub-millisecond, where `Date.now()` is not.
pub(crate) fn performance_now() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
        .and_then(|performance| {
            let now = js_sys::Reflect::get(&performance, &JsValue::from_str("now"))?;
            now.dyn_into::<js_sys::Function>()?.call0(&performance)
        })
        .ok()
        .and_then(|ms| ms.as_f64())
        .unwrap_or_else(js_sys::Date::now)
}

/// A JS value from any serialisable core type.
fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsError> {
    serde_wasm_bindgen::to_value(value).map_err(|e| JsError::new(&e.to_string()))
}

/// A core type from a JS value (the page's settings and results objects).
fn from_js<T: serde::de::DeserializeOwned>(value: JsValue) -> Result<T, JsError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("settings: {e}")))
}

/// A JS `Error` with the core's message.
fn js_error(error: impl std::fmt::Display) -> JsError {
    JsError::new(&error.to_string())
}

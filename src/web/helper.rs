//! `PoolHelper`: what a helper worker of the page's pool (www/helper.js) runs. It wraps the
//! core's `pool::Helper`: a task's bytes in, the result's bytes out.

use wasm_bindgen::prelude::*;

use super::js_error;
use crate::pool::Helper;

#[wasm_bindgen]
pub struct PoolHelper {
    helper: Helper,
}

#[wasm_bindgen]
impl PoolHelper {
    #[wasm_bindgen(constructor)]
    pub fn new() -> PoolHelper {
        PoolHelper {
            helper: Helper::new(),
        }
    }

    /// Computes one task from `Session.shares`; the result goes to `Session.accept`.
    pub fn run(&mut self, task: Vec<u8>) -> Result<Vec<u8>, JsError> {
        self.helper.run(task).map_err(js_error)
    }
}

impl Default for PoolHelper {
    fn default() -> Self {
        PoolHelper::new()
    }
}

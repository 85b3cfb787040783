//! A study's summary (`study`'s summary.json) opened in the page: its table and its three
//! charts, drawn by the same `plot::study_*` code as `study`'s SVG files.

use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use super::charts::sized_backend;
use super::{js_error, to_js};
use crate::plot;
use crate::study::summary::StudySummary;

/// The charts' CSS sizes where their canvas has no box (a hidden tab).
const KNEES_SIZE: (u32, u32) = (800, 420);
const HOCKEYS_SIZE: (u32, u32) = (800, 420);

#[wasm_bindgen]
pub struct StudyView {
    summary: StudySummary,
}

#[wasm_bindgen]
impl StudyView {
    /// The summary in `text`, or why it is not one.
    #[wasm_bindgen(constructor)]
    pub fn new(text: &str) -> Result<StudyView, JsError> {
        let summary = StudySummary::from_json(text).map_err(js_error)?;
        Ok(StudyView { summary })
    }

    /// `{header, rows}`: a row of text per cell, as `study` prints it.
    pub fn table(&self) -> Result<JsValue, JsError> {
        to_js(&self.summary.table())
    }

    /// The cells' labels, in the table's order.
    pub fn labels(&self) -> Vec<String> {
        self.summary.cells.iter().map(|c| c.label.clone()).collect()
    }

    /// Runs that failed, or that the study's grid names but no report was found for.
    pub fn unfinished(&self) -> usize {
        self.summary.failed.len() + self.summary.missing.len()
    }

    #[wasm_bindgen(js_name = drawKnees)]
    pub fn draw_knees(&self, canvas: HtmlCanvasElement) -> Result<(), JsError> {
        plot::study_knees::draw(sized_backend(canvas, KNEES_SIZE)?, &self.summary)
            .map_err(|e| JsError::new(&format!("drawing Λ* against the width: {e}")))
    }

    /// The spread chart; its canvas is as tall as its rows need (30 CSS px each).
    #[wasm_bindgen(js_name = drawSpread)]
    pub fn draw_spread(&self, canvas: HtmlCanvasElement) -> Result<(), JsError> {
        let height = 140 + 30 * self.summary.cells.len() as u32;
        let _ = canvas
            .style()
            .set_property("height", &format!("{height}px"));
        plot::study_spread::draw(sized_backend(canvas, (800, height))?, &self.summary)
            .map_err(|e| JsError::new(&format!("drawing the knee's spread: {e}")))
    }

    /// Cell `cell`'s hockey sticks.
    #[wasm_bindgen(js_name = drawHockeys)]
    pub fn draw_hockeys(&self, canvas: HtmlCanvasElement, cell: usize) -> Result<(), JsError> {
        let cell = (self.summary.cells.get(cell))
            .ok_or_else(|| JsError::new(&format!("the study has no cell {cell}")))?;
        plot::study_hockeys::draw(sized_backend(canvas, HOCKEYS_SIZE)?, cell)
            .map_err(|e| JsError::new(&format!("drawing the hockey sticks: {e}")))
    }
}

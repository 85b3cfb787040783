//! A plotters backend for native chart tests: it rasterises shapes into an RGB buffer (with the
//! colour's alpha blended over what is there) and records text instead of rendering a font, so a
//! test can check both the pixels and the labels a chart drew, and where each label's box lies.
//! Text is measured generously (0.6 em a character, 1.2 em a line; a browser's sans-serif is
//! narrower), so a layout that fits here fits on the page.

use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendTextStyle, DrawingBackend, DrawingErrorKind, FontTransform,
};

/// A drawn label and its box [x0, x1] × [y0, y1] in backend pixels.
#[derive(Clone, Debug)]
pub struct TextBox {
    pub text: String,
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl TextBox {
    /// Whether the boxes share more than a pixel each way (a line box of 1.2 em is taller than
    /// its glyphs, so a pixel's touch is no collision).
    pub fn overlaps(&self, other: &TextBox) -> bool {
        self.x0 + 1.0 < other.x1
            && other.x0 + 1.0 < self.x1
            && self.y0 + 1.0 < other.y1
            && other.y0 + 1.0 < self.y1
    }
}

/// The width and height this backend gives `text` at `size` px.
pub fn text_extent(text: &str, size: f64) -> (f64, f64) {
    (0.6 * size * text.chars().count() as f64, 1.2 * size)
}

pub struct RecordingBackend {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<[u8; 3]>,
    pub texts: Vec<String>,
    pub boxes: Vec<TextBox>,
}

#[derive(Debug)]
pub struct Never;
impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "never")
    }
}
impl std::error::Error for Never {}

impl RecordingBackend {
    pub fn new(width: u32, height: u32) -> Self {
        RecordingBackend {
            width,
            height,
            pixels: vec![[0, 0, 0]; (width * height) as usize],
            texts: Vec::new(),
            boxes: Vec::new(),
        }
    }

    pub fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        self.pixels[(y * self.width + x) as usize]
    }

    /// How many pixels have exactly this colour.
    pub fn count(&self, rgb: [u8; 3]) -> usize {
        self.pixels.iter().filter(|&&p| p == rgb).count()
    }

    pub fn has_text(&self, text: &str) -> bool {
        self.texts.iter().any(|t| t == text)
    }
}

impl DrawingBackend for &mut RecordingBackend {
    type ErrorType = Never;

    fn get_size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Never>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Never>> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        (x, y): BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Never>> {
        if x < 0 || y < 0 || x >= self.width as i32 || y >= self.height as i32 {
            return Ok(());
        }
        let alpha = color.alpha.clamp(0.0, 1.0);
        let target = &mut self.pixels[(y as u32 * self.width + x as u32) as usize];
        let source = [color.rgb.0, color.rgb.1, color.rgb.2];
        for (t, s) in target.iter_mut().zip(source) {
            *t = (alpha * s as f64 + (1.0 - alpha) * *t as f64).round() as u8;
        }
        Ok(())
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        (x, y): BackendCoord,
    ) -> Result<(), DrawingErrorKind<Never>> {
        self.texts.push(text.to_string());
        let (w, h) = text_extent(text, style.size());
        let anchor = style.anchor();
        let (left, top) = (
            match anchor.h_pos {
                HPos::Left => 0.0,
                HPos::Center => -w / 2.0,
                HPos::Right => -w,
            },
            match anchor.v_pos {
                VPos::Top => 0.0,
                VPos::Center => -h / 2.0,
                VPos::Bottom => -h,
            },
        );
        // The box's corners, turned as the text is (the canvas rotates about the anchor).
        let turn = |dx: f64, dy: f64| match style.transform() {
            FontTransform::None => (dx, dy),
            FontTransform::Rotate90 => (-dy, dx),
            FontTransform::Rotate180 => (-dx, -dy),
            FontTransform::Rotate270 => (dy, -dx),
        };
        let corners = [
            turn(left, top),
            turn(left + w, top),
            turn(left, top + h),
            turn(left + w, top + h),
        ];
        let xs = corners.map(|c| x as f64 + c.0);
        let ys = corners.map(|c| y as f64 + c.1);
        self.boxes.push(TextBox {
            text: text.to_string(),
            x0: xs.iter().cloned().fold(f64::INFINITY, f64::min),
            x1: xs.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
            y0: ys.iter().cloned().fold(f64::INFINITY, f64::min),
            y1: ys.iter().cloned().fold(f64::NEG_INFINITY, f64::max),
        });
        Ok(())
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<Never>> {
        let (w, h) = text_extent(text, style.size());
        Ok((w.ceil() as u32, h.ceil() as u32))
    }
}

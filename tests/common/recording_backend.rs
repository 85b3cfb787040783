//! A plotters backend for native chart tests: it rasterises shapes into an RGB buffer (with the
//! colour's alpha blended over what is there) and records text instead of rendering a font, so a
//! test can check both the pixels and the labels a chart drew.

use plotters_backend::{
    BackendColor, BackendCoord, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

pub struct RecordingBackend {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<[u8; 3]>,
    pub texts: Vec<String>,
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
        _style: &S,
        _pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Never>> {
        self.texts.push(text.to_string());
        Ok(())
    }
}

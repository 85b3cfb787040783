//! A backend that presents CSS pixels over a denser one: the page's canvas holds css·dpr device
//! pixels (sharp on a 2× screen), while the charts lay out, and size their text, in CSS px.
//! `Scaled` multiplies coordinates, stroke widths, circle radii and font sizes by `scale` and
//! hands them to the inner backend, whose own text rendering draws the text.

use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontFamily, FontStyle, FontTransform,
};

pub struct Scaled<DB> {
    pub inner: DB,
    /// Device pixels per CSS pixel (the window's `devicePixelRatio`).
    pub scale: f64,
}

impl<DB: DrawingBackend> Scaled<DB> {
    pub fn new(inner: DB, scale: f64) -> Self {
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        Scaled { inner, scale }
    }

    fn at(&self, (x, y): BackendCoord) -> BackendCoord {
        (self.length(x), self.length(y))
    }

    fn length(&self, v: i32) -> i32 {
        (v as f64 * self.scale).round() as i32
    }
}

/// A stroke `scale` times as wide (at least one device pixel).
struct Stroke {
    color: BackendColor,
    width: u32,
}

impl BackendStyle for Stroke {
    fn color(&self) -> BackendColor {
        self.color
    }
    fn stroke_width(&self) -> u32 {
        self.width
    }
}

fn stroke<S: BackendStyle>(style: &S, scale: f64) -> Stroke {
    Stroke {
        color: style.color(),
        width: ((style.stroke_width() as f64 * scale).round() as u32).max(1),
    }
}

/// A text style `scale` times as large. Its layout box is the inner style's, scaled; a backend
/// that rasterises text itself through `draw` gets each of the inner style's pixels as a block.
struct Text<'a, S> {
    style: &'a S,
    scale: f64,
}

impl<S: BackendTextStyle> BackendTextStyle for Text<'_, S> {
    type FontError = S::FontError;

    fn color(&self) -> BackendColor {
        self.style.color()
    }
    fn size(&self) -> f64 {
        self.style.size() * self.scale
    }
    fn transform(&self) -> FontTransform {
        self.style.transform()
    }
    fn style(&self) -> FontStyle {
        self.style.style()
    }
    fn anchor(&self) -> plotters_backend::text_anchor::Pos {
        self.style.anchor()
    }
    fn family(&self) -> FontFamily<'_> {
        self.style.family()
    }
    fn layout_box(&self, text: &str) -> Result<((i32, i32), (i32, i32)), Self::FontError> {
        let ((x0, y0), (x1, y1)) = self.style.layout_box(text)?;
        let s = |v: i32| (v as f64 * self.scale).round() as i32;
        Ok(((s(x0), s(y0)), (s(x1), s(y1))))
    }
    fn draw<E, F: FnMut(i32, i32, BackendColor) -> Result<(), E>>(
        &self,
        text: &str,
        (x, y): BackendCoord,
        mut draw: F,
    ) -> Result<Result<(), E>, Self::FontError> {
        let block = self.scale.round().max(1.0) as i32;
        self.style.draw(text, (0, 0), |dx, dy, colour| {
            for by in 0..block {
                for bx in 0..block {
                    draw(x + dx * block + bx, y + dy * block + by, colour)?;
                }
            }
            Ok(())
        })
    }
}

impl<DB: DrawingBackend> DrawingBackend for Scaled<DB> {
    type ErrorType = DB::ErrorType;

    /// The inner size in CSS pixels.
    fn get_size(&self) -> (u32, u32) {
        let (w, h) = self.inner.get_size();
        let css = |v: u32| (v as f64 / self.scale).round() as u32;
        (css(w), css(h))
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    /// A CSS pixel is a block of device pixels.
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let (x0, y0) = self.at(point);
        let (x1, y1) = self.at((point.0 + 1, point.1 + 1));
        if x1 - x0 <= 1 && y1 - y0 <= 1 {
            return self.inner.draw_pixel((x0, y0), color);
        }
        self.inner
            .draw_rect((x0, y0), (x1 - 1, y1 - 1), &color, true)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let (from, to) = (self.at(from), self.at(to));
        self.inner.draw_line(from, to, &stroke(style, self.scale))
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let (a, b) = (self.at(upper_left), self.at(bottom_right));
        self.inner.draw_rect(a, b, &stroke(style, self.scale), fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let path: Vec<BackendCoord> = path.into_iter().map(|p| self.at(p)).collect();
        self.inner.draw_path(path, &stroke(style, self.scale))
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let radius = (radius as f64 * self.scale).round() as u32;
        let center = self.at(center);
        self.inner
            .draw_circle(center, radius, &stroke(style, self.scale), fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let vert: Vec<BackendCoord> = vert.into_iter().map(|p| self.at(p)).collect();
        self.inner.fill_polygon(vert, &stroke(style, self.scale))
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let scaled = Text {
            style,
            scale: self.scale,
        };
        let pos = self.at(pos);
        self.inner.draw_text(text, &scaled, pos)
    }

    /// In CSS px: the inner backend measures the text at its CSS size (a font's size does not
    /// depend on the pixel density), so the layout is the same at any scale.
    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        self.inner.estimate_text_size(text, style)
    }

    /// Each source pixel becomes a block of device pixels (nearest neighbour).
    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        (iw, ih): (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let (ow, oh) = (
            (iw as f64 * self.scale).round() as u32,
            (ih as f64 * self.scale).round() as u32,
        );
        let mut scaled = Vec::with_capacity((ow * oh * 3) as usize);
        for y in 0..oh {
            let sy = ((y as f64 / self.scale) as u32).min(ih.saturating_sub(1));
            for x in 0..ow {
                let sx = ((x as f64 / self.scale) as u32).min(iw.saturating_sub(1));
                let at = 3 * (sy * iw + sx) as usize;
                scaled.extend_from_slice(&src[at..at + 3]);
            }
        }
        let pos = self.at(pos);
        self.inner.blit_bitmap(pos, (ow, oh), &scaled)
    }
}

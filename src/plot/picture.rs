//! Pictures made of image tiles (digits, Fisher maps): an RGBA buffer that a canvas takes in one
//! bulk pixel write, and text labels placed on top. A rectangle per pixel would cost thousands of
//! canvas calls per redraw.

#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// Centre of the text.
    pub x: f64,
    /// Baseline of the text.
    pub y: f64,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Picture {
    pub width: usize,
    pub height: usize,
    /// Row-major RGBA, 4 bytes a pixel, opaque.
    pub rgba: Vec<u8>,
    pub labels: Vec<Label>,
}

pub const WHITE: [u8; 3] = [255, 255, 255];

impl Picture {
    pub fn new(width: usize, height: usize) -> Self {
        Picture {
            width,
            height,
            rgba: [255].repeat(width * height * 4),
            labels: Vec::new(),
        }
    }

    pub fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        let at = 4 * (y * self.width + x);
        [self.rgba[at], self.rgba[at + 1], self.rgba[at + 2]]
    }

    pub fn set(&mut self, x: usize, y: usize, rgb: [u8; 3]) {
        if x < self.width && y < self.height {
            let at = 4 * (y * self.width + x);
            self.rgba[at..at + 3].copy_from_slice(&rgb);
        }
    }

    /// A `rows × cols` tile with its top-left corner at (`left`, `top`), each source pixel
    /// drawn as a `scale × scale` block: `colour(r, c)` is the colour of source pixel (r, c).
    pub fn tile(
        &mut self,
        (left, top): (usize, usize),
        (rows, cols): (usize, usize),
        scale: usize,
        colour: impl Fn(usize, usize) -> [u8; 3],
    ) {
        for r in 0..rows {
            for c in 0..cols {
                let rgb = colour(r, c);
                for dy in 0..scale {
                    for dx in 0..scale {
                        self.set(left + c * scale + dx, top + r * scale + dy, rgb);
                    }
                }
            }
        }
    }

    /// A `width × height` block of `rgb` with its top-left corner at (`left`, `top`).
    pub fn fill(
        &mut self,
        (left, top): (usize, usize),
        (width, height): (usize, usize),
        rgb: [u8; 3],
    ) {
        for y in top..top + height {
            for x in left..left + width {
                self.set(x, y, rgb);
            }
        }
    }

    pub fn label(&mut self, x: f64, y: f64, text: impl Into<String>) {
        self.labels.push(Label {
            x,
            y,
            text: text.into(),
        });
    }
}

/// A pixel value x in [0, 1] as ink on paper: 0 white, 1 black.
pub fn ink(x: f32) -> [u8; 3] {
    let level = (255.0 * (1.0 - x.clamp(0.0, 1.0))).round() as u8;
    [level; 3]
}

/// Viridis, from dark purple (t = 0) to yellow (t = 1), by linear interpolation between nine
/// of its stops.
pub fn viridis(t: f64) -> [u8; 3] {
    const STOPS: [[f64; 3]; 9] = [
        [68.0, 1.0, 84.0],
        [71.0, 44.0, 122.0],
        [59.0, 81.0, 139.0],
        [44.0, 113.0, 142.0],
        [33.0, 144.0, 141.0],
        [39.0, 173.0, 129.0],
        [92.0, 200.0, 99.0],
        [170.0, 220.0, 50.0],
        [253.0, 231.0, 37.0],
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let position = t * (STOPS.len() - 1) as f64;
    let i = (position.floor() as usize).min(STOPS.len() - 2);
    let f = position - i as f64;
    let mix = |k: usize| (STOPS[i][k] + f * (STOPS[i + 1][k] - STOPS[i][k])).round() as u8;
    [mix(0), mix(1), mix(2)]
}

/// `rgb` washed towards light grey: how the maps show removed weights.
pub fn shaded(rgb: [u8; 3]) -> [u8; 3] {
    rgb.map(|v| (0.25 * v as f64 + 0.75 * 225.0).round() as u8)
}

/// The largest scale (screen pixels per image pixel) from `largest` down to 1 at which a picture
/// `width_at(scale)` px wide fits `room` CSS px; `largest` where the room is unknown (0: its box
/// is hidden).
pub fn scale_to_fit(largest: usize, room: f64, width_at: impl Fn(usize) -> usize) -> usize {
    if room.is_nan() || room <= 0.0 {
        return largest.max(1);
    }
    (1..=largest.max(1))
        .rev()
        .find(|&scale| width_at(scale) as f64 <= room)
        .unwrap_or(1)
}

/// Whether `v` lies in [start, start + len).
pub fn within(v: f64, start: usize, len: usize) -> bool {
    start as f64 <= v && v < (start + len) as f64
}

//! One visitor's picture, PNG or JPEG, decoded to 8-bit grey, and the bilinear resize that
//! brings it to the data set's image size. The format is told by the first bytes, not the file
//! name, since names in a visitor's ZIP often lie (`.jpg` files that are PNGs).
//!
//! Grey is what `PIL.Image.convert("L")` gives (and so torchvision's `Grayscale`), in the same
//! integers: ITU-R BT.601 luma with weights 0.299, 0.587, 0.114 scaled by 2^16,
//!
//! ```text
//! L = (19595 R + 38470 G + 7471 B + 0x8000) >> 16     (19595 + 38470 + 7471 = 65536)
//! ```
//!
//! Grey pictures keep their values, alpha is ignored (as `convert("L")` ignores it), palettes
//! and 1-, 2- and 4-bit PNGs are expanded to 8 bits, and of 16-bit samples only the high byte is
//! kept (there PIL differs: it clips a 16-bit grey value to 255, so most such pictures turn
//! white). CMYK and 16-bit (lossless) JPEGs are refused. Pictures larger than 64 x 64 decode
//! (the caller resizes them), but not beyond `MAX_DECODED_SIDE`, checked in the header before
//! any pixel is decoded, so a small file cannot make the page allocate gigabytes.

use std::io::Cursor;

use jpeg_decoder::PixelFormat;
use png::{ColorType, Transformations};
use thiserror::Error;

/// The largest image side of a data set (defined once, in data/mod.rs).
pub use super::MAX_SIDE;
/// The largest picture side decoded at all: 4096 x 4096 RGBA is 64 MiB.
pub const MAX_DECODED_SIDE: usize = 4096;

const PNG_MAGIC: [u8; 8] = *b"\x89PNG\r\n\x1a\n";
const JPEG_MAGIC: [u8; 3] = [0xff, 0xd8, 0xff];

/// A grey picture: `pixels` holds `rows * cols` bytes, row-major.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GreyImage {
    pub rows: usize,
    pub cols: usize,
    pub pixels: Vec<u8>,
}

/// Why a picture was rejected. Every variant names the file.
#[derive(Debug, Error)]
pub enum PictureError {
    #[error("picture {file}: not a PNG or JPEG (it starts with b\"{}\")", start.escape_ascii())]
    NotPicture { file: String, start: Vec<u8> },
    #[error("picture {file}: corrupt {format}: {reason}")]
    Corrupt {
        file: String,
        format: &'static str,
        reason: String,
    },
    #[error("picture {file}: the {format} header gives {width}x{height} pixels, more than the {MAX_DECODED_SIDE}x{MAX_DECODED_SIDE} this page decodes")]
    TooLarge {
        file: String,
        format: &'static str,
        width: usize,
        height: usize,
    },
    #[error(
        "picture {file}: {what} is not supported; save it as an 8-bit greyscale or RGB picture"
    )]
    Unsupported { file: String, what: &'static str },
}

/// True if `bytes` start as a PNG or a JPEG does.
pub fn is_picture(bytes: &[u8]) -> bool {
    bytes.starts_with(&PNG_MAGIC) || bytes.starts_with(&JPEG_MAGIC)
}

/// Decodes a PNG or JPEG to grey (see the module doc). `file` only labels errors. Never panics,
/// whatever the bytes.
pub fn decode_picture(file: &str, bytes: &[u8]) -> Result<GreyImage, PictureError> {
    if bytes.starts_with(&PNG_MAGIC) {
        decode_png(file, bytes)
    } else if bytes.starts_with(&JPEG_MAGIC) {
        decode_jpeg(file, bytes)
    } else {
        Err(PictureError::NotPicture {
            file: file.to_string(),
            start: bytes[..bytes.len().min(8)].to_vec(),
        })
    }
}

/// BT.601 luma in PIL's integers (module doc).
pub fn luma(r: u8, g: u8, b: u8) -> u8 {
    // At most (255 * 65536 + 0x8000) >> 16 = 255.
    ((19595 * u32::from(r) + 38470 * u32::from(g) + 7471 * u32::from(b) + 0x8000) >> 16) as u8
}

fn check_size(
    file: &str,
    format: &'static str,
    width: usize,
    height: usize,
) -> Result<(), PictureError> {
    if width > MAX_DECODED_SIDE || height > MAX_DECODED_SIDE {
        return Err(PictureError::TooLarge {
            file: file.to_string(),
            format,
            width,
            height,
        });
    }
    Ok(())
}

fn decode_png(file: &str, bytes: &[u8]) -> Result<GreyImage, PictureError> {
    let corrupt = |reason: String| PictureError::Corrupt {
        file: file.to_string(),
        format: "PNG",
        reason,
    };
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    // Palettes and low bit depths to 8 bits per sample, 16-bit samples to their high byte.
    decoder.set_transformations(Transformations::EXPAND | Transformations::STRIP_16);
    let header = decoder
        .read_header_info()
        .map_err(|e| corrupt(e.to_string()))?;
    check_size(file, "PNG", header.width as usize, header.height as usize)?;
    let mut reader = decoder.read_info().map_err(|e| corrupt(e.to_string()))?;
    // png 0.18 panics expanding a palette that is not whole RGB entries (it checks only that
    // PLTE holds 3 to 768 bytes): found by the fuzzer, refused here.
    if let Some(palette) = reader.info().palette.as_deref() {
        if palette.len() % 3 != 0 {
            return Err(corrupt(format!(
                "a palette of {} bytes, not whole RGB entries",
                palette.len()
            )));
        }
    }
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| corrupt("image size overflows".to_string()))?;
    let mut buffer = vec![0; size];
    // The first frame: a plain PNG's image, an animated PNG's default image.
    let frame = reader
        .next_frame(&mut buffer)
        .map_err(|e| corrupt(e.to_string()))?;
    let (rows, cols) = (frame.height as usize, frame.width as usize);
    let samples = match frame.color_type {
        ColorType::Grayscale => 1,
        ColorType::GrayscaleAlpha => 2,
        ColorType::Rgb => 3,
        ColorType::Rgba => 4,
        // EXPAND turns palettes into RGB(A); a palette left here is the decoder's bug, not ours.
        ColorType::Indexed => return Err(corrupt("palette not expanded".to_string())),
    };
    if frame.bit_depth != png::BitDepth::Eight || frame.line_size < cols * samples {
        return Err(corrupt(format!(
            "decoded to {:?} bits per sample, {} bytes per line",
            frame.bit_depth, frame.line_size
        )));
    }
    let mut pixels = Vec::with_capacity(rows * cols);
    for line in buffer.chunks(frame.line_size).take(rows) {
        let line = &line[..cols * samples];
        if samples <= 2 {
            pixels.extend(line.chunks_exact(samples).map(|px| px[0]));
        } else {
            pixels.extend(
                line.chunks_exact(samples)
                    .map(|px| luma(px[0], px[1], px[2])),
            );
        }
    }
    if pixels.len() != rows * cols {
        return Err(corrupt(format!(
            "decoded {} of {} pixels",
            pixels.len(),
            rows * cols
        )));
    }
    Ok(GreyImage { rows, cols, pixels })
}

fn decode_jpeg(file: &str, bytes: &[u8]) -> Result<GreyImage, PictureError> {
    let corrupt = |reason: String| PictureError::Corrupt {
        file: file.to_string(),
        format: "JPEG",
        reason,
    };
    let unsupported = |what| PictureError::Unsupported {
        file: file.to_string(),
        what,
    };
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    // The frame header only, so the size is checked before any pixel is decoded.
    decoder.read_info().map_err(|e| corrupt(e.to_string()))?;
    let Some(info) = decoder.info() else {
        return Err(corrupt("no frame header".to_string()));
    };
    let (rows, cols) = (usize::from(info.height), usize::from(info.width));
    check_size(file, "JPEG", cols, rows)?;
    match info.pixel_format {
        PixelFormat::L8 | PixelFormat::RGB24 => {}
        PixelFormat::CMYK32 => return Err(unsupported("a CMYK JPEG")),
        // Lossless JPEGs of 9 to 16 bits; their precision is not reported, so no high byte.
        PixelFormat::L16 => return Err(unsupported("a JPEG of more than 8 bits per sample")),
    }
    let samples = info.pixel_format.pixel_bytes();
    decoder.set_max_decoding_buffer_size(rows * cols * samples);
    let decoded = decoder.decode().map_err(|e| corrupt(e.to_string()))?;
    if decoded.len() != rows * cols * samples {
        return Err(corrupt(format!(
            "decoded {} bytes for {cols}x{rows} pixels of {samples} bytes",
            decoded.len()
        )));
    }
    let pixels = if samples == 1 {
        decoded
    } else {
        decoded
            .chunks_exact(3)
            .map(|px| luma(px[0], px[1], px[2]))
            .collect()
    };
    Ok(GreyImage { rows, cols, pixels })
}

/// `image` resized to `rows x cols` exactly as PIL resizes a grey picture with
/// `Image.resize((cols, rows), Image.BILINEAR)` (which torchvision's `Resize` calls on PIL
/// images), Pillow's libImaging/Resample.c step by step. Along each axis, with
/// scale = in / out and support = max(scale, 1):
///
/// ```text
/// centre(o)  = (o + 0.5) * scale                 output pixel o's centre, in input pixels
/// weight(i)  = max(0, 1 - |(i - centre(o) + 0.5) / support|)
///              for the input pixels i from (int)(centre - support + 0.5) (at least 0) to
///              before (int)(centre + support + 0.5) (at most in), normalised to sum to 1, so
///              the edges repeat rather than fade to black
/// ```
///
/// The weights are rounded to fixed point with 22 fractional bits; each output is the weighted
/// sum plus one half, shifted down and clamped to 0-255 (rounding to nearest, halves up). One
/// axis is resized, rounded to bytes, then the other: rows first when they shrink by more than
/// twice as many pixels as the columns do, else columns first (the order Pillow 13 takes, found
/// by comparing with it: 3,500 random resizes agree to the byte; Pillows before it always went
/// columns first, which can differ by 1 where both axes change). An axis whose size does not
/// change is left alone. So upsampling is bilinear interpolation between the two nearest pixel
/// centres with centres aligned (PyTorch's `align_corners=False`), and downsampling averages
/// every input pixel under the widened triangle, so thin strokes do not vanish. An empty image
/// resizes to zeros.
///
/// Panics if `image.pixels.len() != image.rows * image.cols`.
pub fn resized(image: &GreyImage, rows: usize, cols: usize) -> GreyImage {
    assert_eq!(
        image.pixels.len(),
        image.rows * image.cols,
        "rows x cols pixels"
    );
    if image.pixels.is_empty() || rows == 0 || cols == 0 {
        return GreyImage {
            rows,
            cols,
            pixels: vec![0; rows * cols],
        };
    }
    let rows_first = rows < image.rows && image.rows - rows > 2 * image.cols.saturating_sub(cols);
    if rows_first {
        resize_cols(&resize_rows(image, rows), cols)
    } else {
        resize_rows(&resize_cols(image, cols), rows)
    }
}

/// `image` with `cols` columns, rows unchanged.
fn resize_cols(image: &GreyImage, cols: usize) -> GreyImage {
    if cols == image.cols {
        return image.clone();
    }
    // [rows, cols] = image: [rows, image.cols] · weightsᵀ: [image.cols, cols]
    let across = axis_weights(image.cols, cols);
    let pixels = image
        .pixels
        .chunks_exact(image.cols)
        .flat_map(|line| {
            across
                .iter()
                .map(|(first, weights)| weighted(weights, line[*first..].iter().copied()))
        })
        .collect();
    GreyImage {
        rows: image.rows,
        cols,
        pixels,
    }
}

/// `image` with `rows` rows, columns unchanged.
fn resize_rows(image: &GreyImage, rows: usize) -> GreyImage {
    if rows == image.rows {
        return image.clone();
    }
    // [rows, cols] = weights: [rows, image.rows] · image: [image.rows, cols]
    let cols = image.cols;
    let down = axis_weights(image.rows, rows);
    let pixels = down
        .iter()
        .flat_map(|(first, weights)| {
            (0..cols).map(move |col| {
                let column = image.pixels[first * cols + col..].iter().step_by(cols);
                weighted(weights, column.copied())
            })
        })
        .collect();
    GreyImage { rows, cols, pixels }
}

/// Fractional bits of the weights: a sum of 255 * 2^22 still fits in an i32, as in Pillow.
const PRECISION_BITS: u32 = 32 - 8 - 2;

/// Pillow's `clip8(ss)` of the weighted sum of `pixels`, rounded.
fn weighted(weights: &[i32], pixels: impl Iterator<Item = u8>) -> u8 {
    let sum: i64 = weights
        .iter()
        .zip(pixels)
        .map(|(&w, p)| i64::from(w) * i64::from(p))
        .sum::<i64>()
        + (1 << (PRECISION_BITS - 1));
    (sum >> PRECISION_BITS).clamp(0, 255) as u8
}

/// For each output pixel along an axis: the first input pixel it reads and the fixed-point
/// weights of the consecutive input pixels from there (`resized`'s formula, in Pillow's order
/// of floating-point operations so that the rounding agrees).
fn axis_weights(input: usize, output: usize) -> Vec<(usize, Vec<i32>)> {
    let scale = input as f64 / output as f64;
    let filter_scale = scale.max(1.0);
    let support = filter_scale;
    let inverse = 1.0 / filter_scale;
    let one = f64::from(1u32 << PRECISION_BITS);
    (0..output)
        .map(|o| {
            let centre = (o as f64 + 0.5) * scale;
            // `as` truncates toward zero, as C's (int) does.
            let first = ((centre - support + 0.5) as i64).clamp(0, input as i64 - 1) as usize;
            let end = ((centre + support + 0.5) as i64).clamp(first as i64 + 1, input as i64);
            let weights: Vec<f64> = (first as i64..end)
                .map(|i| {
                    let x = ((i as f64 - centre + 0.5) * inverse).abs();
                    if x < 1.0 {
                        1.0 - x
                    } else {
                        0.0
                    }
                })
                .collect();
            let total: f64 = weights.iter().sum();
            let fixed = weights
                .iter()
                .map(|&w| {
                    let w = if total != 0.0 { w / total } else { w };
                    // Weights are never negative for this triangle: round half up.
                    (0.5 + w * one) as i32
                })
                .collect();
            (first, fixed)
        })
        .collect()
}

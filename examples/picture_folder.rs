//! Writes a folder of PNG pictures in class folders, the way a visitor brings their own data:
//! the first COUNT committed MNIST test digits, cropped to their central 20 x 20 pixels, in
//! folders named `zero` … `nine`. The end-to-end test adds this folder in the page and compares
//! with `convert` and `reproduce --data` on the same folder (scripts/test.sh).
//!
//! Run: cargo run --release --example picture_folder -- OUT_DIR [COUNT]

use std::path::PathBuf;

use bayes_renorm::data::files::load_data;

const NAMES: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];
const SIDE: usize = 20;
const MARGIN: usize = (28 - SIDE) / 2;

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().ok_or("usage: picture_folder OUT_DIR [COUNT]")?);
    let count: usize = args
        .next()
        .map_or(Ok(1000), |c| c.parse())
        .map_err(|e| format!("COUNT: {e}"))?;
    let data = load_data("www/data/mnist".as_ref(), false).map_err(|e| e.to_string())?;
    let test = data.test();
    for k in 0..count.min(test.len()) {
        let image = test.image(k);
        let crop: Vec<u8> = (MARGIN..MARGIN + SIDE)
            .flat_map(|r| {
                image[r * 28 + MARGIN..r * 28 + MARGIN + SIDE]
                    .iter()
                    .copied()
            })
            .collect();
        let dir = out.join(NAMES[test.labels[k] as usize]);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = dir.join(format!("{k:05}.png"));
        let file = std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut encoder =
            png::Encoder::new(std::io::BufWriter::new(file), SIDE as u32, SIDE as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
        writer.write_image_data(&crop).map_err(|e| e.to_string())?;
        writer.finish().map_err(|e| e.to_string())?;
    }
    Ok(())
}

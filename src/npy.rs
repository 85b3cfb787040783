//! A minimal NumPy `.npy` (format 1.0) writer for f32 arrays, so Python can load our Fisher
//! values with `numpy.load` and compare them with NNGeometry's.
//!
//! Written by hand on purpose: we only ever write one fixed header, and the crate for it (npyz)
//! brings a Python-literal parser (py_literal, pest) and num-bigint into the wasm module that
//! the page downloads, to replace these twenty lines.

/// How every `.npy` file starts (data::npy reads them back; data::sniff recognises them).
pub const NPY_MAGIC: &[u8] = b"\x93NUMPY";

/// `.npy` bytes of a little-endian f32 array of `shape`, C order.
pub fn npy_f32(shape: &[usize], values: &[f32]) -> Vec<u8> {
    assert_eq!(
        shape.iter().product::<usize>(),
        values.len(),
        "shape matches data"
    );
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    // A 1-D shape needs the trailing comma of a Python tuple.
    let tuple = match dims.len() {
        1 => format!("({},)", dims[0]),
        _ => format!("({})", dims.join(", ")),
    };
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {tuple}, }}");
    // Magic (6) + version (2) + header length (2) + header + '\n' is padded to a multiple of 64.
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + 4 * values.len());
    out.extend_from_slice(NPY_MAGIC);
    out.extend_from_slice(&[1, 0]); // version 1.0
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

//! Bytes that cross between threads: the pool's tasks and results, and the analysed model the
//! worker hands the main thread. A JS `postMessage` moves one `Uint8Array` without looking inside,
//! so no JavaScript knows the layout: both ends are this file. Numbers are little-endian; every
//! array is preceded by its length.

use thiserror::Error;

/// A message that does not decode: cut short, or not what the reader expected.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{what}: {problem}")]
pub struct WireError {
    /// What was being read, e.g. "a gradient task".
    pub what: &'static str,
    pub problem: String,
}

/// Builds one message.
#[derive(Default)]
pub struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    pub fn new() -> Self {
        Writer::default()
    }

    pub fn u8(&mut self, value: u8) -> &mut Self {
        self.bytes.push(value);
        self
    }

    pub fn bool(&mut self, value: bool) -> &mut Self {
        self.u8(u8::from(value))
    }

    pub fn u64(&mut self, value: u64) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_le_bytes());
        self
    }

    pub fn usize(&mut self, value: usize) -> &mut Self {
        self.u64(value as u64)
    }

    pub fn f64(&mut self, value: f64) -> &mut Self {
        self.bytes.extend_from_slice(&value.to_le_bytes());
        self
    }

    pub fn bytes(&mut self, values: &[u8]) -> &mut Self {
        self.usize(values.len());
        self.bytes.extend_from_slice(values);
        self
    }

    pub fn str(&mut self, value: &str) -> &mut Self {
        self.bytes(value.as_bytes())
    }

    pub fn f32s(&mut self, values: &[f32]) -> &mut Self {
        self.usize(values.len());
        self.bytes.reserve(4 * values.len());
        values
            .iter()
            .for_each(|v| self.bytes.extend_from_slice(&v.to_le_bytes()));
        self
    }

    pub fn f64s(&mut self, values: &[f64]) -> &mut Self {
        self.usize(values.len());
        self.bytes.reserve(8 * values.len());
        values
            .iter()
            .for_each(|v| self.bytes.extend_from_slice(&v.to_le_bytes()));
        self
    }

    pub fn usizes(&mut self, values: &[usize]) -> &mut Self {
        self.usize(values.len());
        values.iter().for_each(|&v| {
            self.usize(v);
        });
        self
    }

    /// Any serialisable value as JSON: for small structured parts (settings, summaries).
    pub fn json<T: serde::Serialize>(&mut self, value: &T) -> &mut Self {
        let text = serde_json::to_string(value).expect("plain data serialises");
        self.str(&text)
    }

    pub fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.bytes)
    }
}

/// Reads one message in the order it was written.
pub struct Reader<'a> {
    bytes: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// `what` names the message in errors.
    pub fn new(bytes: &'a [u8], what: &'static str) -> Self {
        Reader { bytes, what }
    }

    fn error(&self, problem: impl Into<String>) -> WireError {
        WireError {
            what: self.what,
            problem: problem.into(),
        }
    }

    fn take(&mut self, count: usize) -> Result<&'a [u8], WireError> {
        if count > self.bytes.len() {
            return Err(self.error(format!(
                "cut short: {count} more bytes expected, {} left",
                self.bytes.len()
            )));
        }
        let (head, tail) = self.bytes.split_at(count);
        self.bytes = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], WireError> {
        Ok(self.take(N)?.try_into().expect("took N bytes"))
    }

    pub fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.array::<1>()?[0])
    }

    pub fn bool(&mut self) -> Result<bool, WireError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(self.error(format!("{other} is not a boolean"))),
        }
    }

    pub fn u64(&mut self) -> Result<u64, WireError> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    pub fn usize(&mut self) -> Result<usize, WireError> {
        let value = self.u64()?;
        usize::try_from(value).map_err(|_| self.error(format!("{value} is too large")))
    }

    pub fn f64(&mut self) -> Result<f64, WireError> {
        Ok(f64::from_le_bytes(self.array()?))
    }

    /// A length of `size`-byte items, checked against what is left before anything is allocated.
    fn length(&mut self, size: usize) -> Result<usize, WireError> {
        let len = self.usize()?;
        if len
            .checked_mul(size)
            .is_none_or(|bytes| bytes > self.bytes.len())
        {
            return Err(self.error(format!(
                "an array of {len} items does not fit in the {} bytes left",
                self.bytes.len()
            )));
        }
        Ok(len)
    }

    pub fn bytes(&mut self) -> Result<&'a [u8], WireError> {
        let len = self.length(1)?;
        self.take(len)
    }

    pub fn str(&mut self) -> Result<&'a str, WireError> {
        let bytes = self.bytes()?;
        std::str::from_utf8(bytes).map_err(|_| self.error("a string is not UTF-8"))
    }

    pub fn f32s(&mut self) -> Result<Vec<f32>, WireError> {
        let len = self.length(4)?;
        let bytes = self.take(4 * len)?;
        Ok(bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
            .collect())
    }

    pub fn f64s(&mut self) -> Result<Vec<f64>, WireError> {
        let len = self.length(8)?;
        let bytes = self.take(8 * len)?;
        Ok(bytes
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
            .collect())
    }

    pub fn usizes(&mut self) -> Result<Vec<usize>, WireError> {
        let len = self.length(8)?;
        (0..len).map(|_| self.usize()).collect()
    }

    pub fn json<T: serde::de::DeserializeOwned>(&mut self) -> Result<T, WireError> {
        let text = self.str()?;
        serde_json::from_str(text).map_err(|e| self.error(format!("{e}")))
    }

    /// Fails unless every byte has been read: a message longer than expected is not the one
    /// the reader thinks it is.
    pub fn finish(self) -> Result<(), WireError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(self.error(format!("{} bytes left over", self.bytes.len())))
        }
    }
}

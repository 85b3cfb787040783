//! ZIP archives of a visitor's data set (a folder of pictures per class, or a CSV or NPY files),
//! read by hand: a ZIP crate would bring its own inflate and other codecs into the page's wasm
//! module, where flate2 is already in.
//!
//! The End Of Central Directory record (the last 22 bytes before a comment of up to 65,535)
//! locates the central directory; each of its entries gives the sizes, CRC-32 and the offset
//! of a local header, after which the entry's data starts. Only what `zip` and the file
//! managers write by default is read: stored (method 0) or deflated (method 8) entries, not
//! ZIP64, not encrypted, on one disk. All little-endian:
//!
//! ```text
//! EOCD     0 sig 50 4b 05 06 | 4 disk | 6 cd disk | 8 entries here | 10 entries | 12 cd size
//!          16 cd offset | 20 comment length | 22 comment
//! central  0 sig 50 4b 01 02 | 8 flags | 10 method | 16 crc-32 | 20 compressed size
//!          24 size | 28 name length | 30 extra length | 32 comment length | 42 local offset
//!          46 name, extra, comment
//! local    0 sig 50 4b 03 04 | 26 name length | 28 extra length | 30 name, extra, data
//! ```
//!
//! Sizes come from the central directory (a local header may leave them to a data descriptor).
//! Memory is bounded by the data present: an entry inflates to at most its declared size plus
//! one byte (to see that it is longer), and the declared sizes together are capped.

use std::io::Read;

use flate2::bufread::DeflateDecoder;
use flate2::Crc;
use thiserror::Error;

/// The most the entries may unpack to together: a visitor's data set, not a ZIP bomb.
pub const MAX_UNPACKED: u64 = 1 << 30;
/// Entries announce their uncompressed size; never reserve more than this up front.
const MAX_RESERVE: usize = 16 << 20;

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const EOCD_LEN: usize = 22;
const CENTRAL_LEN: usize = 46;
const LOCAL_LEN: usize = 30;
const ZIP64_LOCATOR_LEN: usize = 20;
const MAX_COMMENT: usize = 0xffff;

// General purpose flag bits.
const ENCRYPTED: u16 = 1 << 0;
const STRONG_ENCRYPTION: u16 = 1 << 6;

const STORED: u16 = 0;
const DEFLATED: u16 = 8;

/// One file of the archive: its path inside it and its uncompressed bytes. A folder's path ends
/// in `/` and it has no bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZipEntry {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Why a ZIP archive was rejected. Every variant names the archive, and the entry or, before
/// one is known, the byte offset.
#[derive(Debug, Error)]
pub enum ZipError {
    #[error("zip {file}: not a ZIP archive: no end of central directory record in its last {} bytes", EOCD_LEN + MAX_COMMENT)]
    NotZip { file: String },
    #[error("zip {file}: a ZIP64 archive (byte offset {offset}); only archives under 4 GiB without ZIP64 records are read")]
    Zip64 { file: String, offset: usize },
    #[error(
        "zip {file}: a split (multi-disk) archive (byte offset {offset}); zip it again as one file"
    )]
    MultiDisk { file: String, offset: usize },
    #[error("zip {file}: truncated: {part} at byte offset {offset} needs {needed} bytes but the archive has {len}")]
    Truncated {
        file: String,
        part: String,
        offset: usize,
        needed: u64,
        len: usize,
    },
    #[error(
        "zip {file}: corrupt: {part} at byte offset {offset} does not start with its signature"
    )]
    BadSignature {
        file: String,
        part: String,
        offset: usize,
    },
    #[error("zip {file}: entry {entry} uses ZIP64 sizes; only archives under 4 GiB without ZIP64 records are read")]
    EntryZip64 { file: String, entry: String },
    #[error("zip {file}: entry {entry} is encrypted; zip the files again without a password")]
    Encrypted { file: String, entry: String },
    #[error("zip {file}: entry {entry} is compressed with {method} (method {code}); only stored and deflated entries are read")]
    UnsupportedMethod {
        file: String,
        entry: String,
        code: u16,
        method: &'static str,
    },
    #[error("zip {file}: entry {entry} has an empty or absolute path, or a `..` component")]
    UnsafePath { file: String, entry: String },
    #[error("zip {file}: entry {entry}: corrupt compressed data: {reason}")]
    Corrupt {
        file: String,
        entry: String,
        reason: String,
    },
    #[error(
        "zip {file}: entry {entry} unpacks to {found} bytes, but the directory declares {declared}"
    )]
    SizeMismatch {
        file: String,
        entry: String,
        declared: u64,
        found: u64,
    },
    #[error("zip {file}: entry {entry} unpacks to more than the {declared} bytes the directory declares")]
    TooLong {
        file: String,
        entry: String,
        declared: u64,
    },
    #[error("zip {file}: entry {entry} has CRC-32 {found:#010x}, but the directory declares {expected:#010x}")]
    CrcMismatch {
        file: String,
        entry: String,
        expected: u32,
        found: u32,
    },
    #[error("zip {file}: its entries unpack to {total} bytes, more than the {MAX_UNPACKED} read (byte offset {offset}, the central directory)")]
    TooLarge {
        file: String,
        offset: usize,
        total: u64,
    },
}

/// True if `bytes` start as a ZIP archive does (or an empty one, which is all EOCD).
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06")
}

/// One central directory entry: what is needed to find, unpack and check its data.
struct Central {
    path: String,
    method: u16,
    crc: u32,
    compressed: u64,
    size: u64,
    local_offset: usize,
}

/// The files of a ZIP archive in central directory order, then its folders (paths ending in
/// `/`, no bytes). `file` only labels errors. Never panics, whatever the bytes.
pub fn read_zip(file: &str, bytes: &[u8]) -> Result<Vec<ZipEntry>, ZipError> {
    let reader = Reader { file, bytes };
    let (centrals, folders) = reader.central_directory()?;
    let mut entries = centrals
        .into_iter()
        .map(|central| reader.entry(central))
        .collect::<Result<Vec<_>, _>>()?;
    entries.extend(folders.into_iter().map(|path| ZipEntry {
        path,
        bytes: Vec::new(),
    }));
    Ok(entries)
}

struct Reader<'a> {
    file: &'a str,
    bytes: &'a [u8],
}

impl Reader<'_> {
    fn u16_at(&self, at: usize) -> u16 {
        u16::from_le_bytes([self.bytes[at], self.bytes[at + 1]])
    }

    fn u32_at(&self, at: usize) -> u32 {
        let b = &self.bytes[at..at + 4];
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    /// `len` bytes of `part` from `offset`, or a truncation error.
    fn get(&self, part: &dyn Fn() -> String, offset: usize, len: usize) -> Result<&[u8], ZipError> {
        match offset.checked_add(len) {
            Some(end) if end <= self.bytes.len() => Ok(&self.bytes[offset..end]),
            _ => Err(ZipError::Truncated {
                file: self.file.to_string(),
                part: part(),
                offset,
                needed: offset as u64 + len as u64,
                len: self.bytes.len(),
            }),
        }
    }

    fn signature(
        &self,
        part: &dyn Fn() -> String,
        offset: usize,
        sig: u32,
    ) -> Result<(), ZipError> {
        self.get(part, offset, 4)?;
        if self.u32_at(offset) != sig {
            return Err(ZipError::BadSignature {
                file: self.file.to_string(),
                part: part(),
                offset,
            });
        }
        Ok(())
    }

    /// The last EOCD signature whose comment ends within the file.
    fn find_eocd(&self) -> Result<usize, ZipError> {
        let len = self.bytes.len();
        let lowest = len.saturating_sub(EOCD_LEN + MAX_COMMENT);
        (lowest..=len.saturating_sub(EOCD_LEN))
            .rev()
            .filter(|&at| at + EOCD_LEN <= len)
            .find(|&at| {
                self.u32_at(at) == EOCD_SIG
                    && at + EOCD_LEN + usize::from(self.u16_at(at + 20)) <= len
            })
            .ok_or_else(|| ZipError::NotZip {
                file: self.file.to_string(),
            })
    }

    fn central_directory(&self) -> Result<(Vec<Central>, Vec<String>), ZipError> {
        let eocd = self.find_eocd()?;
        let file = || self.file.to_string();
        let (disk, cd_disk) = (self.u16_at(eocd + 4), self.u16_at(eocd + 6));
        let (here, count) = (self.u16_at(eocd + 8), self.u16_at(eocd + 10));
        let (cd_size, cd_offset) = (self.u32_at(eocd + 12), self.u32_at(eocd + 16));
        let zip64_locator =
            eocd >= ZIP64_LOCATOR_LEN && self.u32_at(eocd - ZIP64_LOCATOR_LEN) == ZIP64_LOCATOR_SIG;
        if zip64_locator || count == 0xffff || cd_size == u32::MAX || cd_offset == u32::MAX {
            return Err(ZipError::Zip64 {
                file: file(),
                offset: eocd,
            });
        }
        if disk != 0 || cd_disk != 0 || here != count {
            return Err(ZipError::MultiDisk {
                file: file(),
                offset: eocd,
            });
        }
        let directory = || "the central directory".to_string();
        let (cd_offset, cd_size) = (cd_offset as usize, cd_size as usize);
        if cd_offset.checked_add(cd_size).is_none_or(|end| end > eocd) {
            return Err(ZipError::Truncated {
                file: file(),
                part: directory(),
                offset: cd_offset,
                needed: cd_offset as u64 + cd_size as u64,
                len: eocd,
            });
        }

        let mut centrals = Vec::with_capacity(usize::from(count));
        let mut folders = Vec::new();
        let mut total: u64 = 0;
        let mut at = cd_offset;
        for index in 0..count {
            let part = || format!("central directory entry {index}");
            self.signature(&part, at, CENTRAL_SIG)?;
            self.get(&part, at, CENTRAL_LEN)?;
            let flags = self.u16_at(at + 8);
            let method = self.u16_at(at + 10);
            let crc = self.u32_at(at + 16);
            let compressed = self.u32_at(at + 20);
            let size = self.u32_at(at + 24);
            let name_len = usize::from(self.u16_at(at + 28));
            let extra_len = usize::from(self.u16_at(at + 30));
            let comment_len = usize::from(self.u16_at(at + 32));
            let local_offset = self.u32_at(at + 42);
            let name = self.get(&part, at + CENTRAL_LEN, name_len)?;
            self.get(&part, at + CENTRAL_LEN, name_len + extra_len + comment_len)?;
            at += CENTRAL_LEN + name_len + extra_len + comment_len;

            // UTF-8 when flag bit 11 is set, else CP437, whose bytes from 0x80 (accents, box
            // drawing) are rare in file names: both are read as UTF-8, lossily.
            let path = String::from_utf8_lossy(name).into_owned();
            let entry = || format!("`{path}`");
            if !is_safe_path(&path) {
                return Err(ZipError::UnsafePath {
                    file: file(),
                    entry: entry(),
                });
            }
            // A folder is listed with no bytes: an empty class folder must still be seen.
            if path.ends_with('/') || path.ends_with('\\') {
                folders.push(path.replace('\\', "/"));
                continue;
            }
            if compressed == u32::MAX || size == u32::MAX || local_offset == u32::MAX {
                return Err(ZipError::EntryZip64 {
                    file: file(),
                    entry: entry(),
                });
            }
            if flags & (ENCRYPTED | STRONG_ENCRYPTION) != 0 || method == 99 {
                return Err(ZipError::Encrypted {
                    file: file(),
                    entry: entry(),
                });
            }
            if method != STORED && method != DEFLATED {
                return Err(ZipError::UnsupportedMethod {
                    file: file(),
                    entry: entry(),
                    code: method,
                    method: method_name(method),
                });
            }
            total += u64::from(size);
            if total > MAX_UNPACKED {
                return Err(ZipError::TooLarge {
                    file: file(),
                    offset: cd_offset,
                    total,
                });
            }
            centrals.push(Central {
                path,
                method,
                crc,
                compressed: u64::from(compressed),
                size: u64::from(size),
                local_offset: local_offset as usize,
            });
        }
        Ok((centrals, folders))
    }

    /// Reads, unpacks and checks one entry's data.
    fn entry(&self, central: Central) -> Result<ZipEntry, ZipError> {
        let file = || self.file.to_string();
        let entry = || format!("`{}`", central.path);
        let part = || format!("the local header of {}", entry());
        let at = central.local_offset;
        self.signature(&part, at, LOCAL_SIG)?;
        self.get(&part, at, LOCAL_LEN)?;
        let name_len = usize::from(self.u16_at(at + 26));
        let extra_len = usize::from(self.u16_at(at + 28));
        let data_at = at + LOCAL_LEN + name_len + extra_len;
        let data_part = || format!("the data of {}", entry());
        // `compressed` came from a u32: it fits in usize on every target this builds for.
        let data = self.get(&data_part, data_at, central.compressed as usize)?;

        let bytes = match central.method {
            STORED => data.to_vec(),
            _ => {
                let mut out = Vec::with_capacity((central.size as usize).min(MAX_RESERVE));
                // One byte more than declared shows an entry that is longer than it says.
                DeflateDecoder::new(data)
                    .take(central.size + 1)
                    .read_to_end(&mut out)
                    .map_err(|e| ZipError::Corrupt {
                        file: file(),
                        entry: entry(),
                        reason: e.to_string(),
                    })?;
                out
            }
        };
        let found = bytes.len() as u64;
        if found > central.size {
            return Err(ZipError::TooLong {
                file: file(),
                entry: entry(),
                declared: central.size,
            });
        }
        if found != central.size {
            return Err(ZipError::SizeMismatch {
                file: file(),
                entry: entry(),
                declared: central.size,
                found,
            });
        }
        let mut crc = Crc::new();
        crc.update(&bytes);
        if crc.sum() != central.crc {
            return Err(ZipError::CrcMismatch {
                file: file(),
                entry: entry(),
                expected: central.crc,
                found: crc.sum(),
            });
        }
        Ok(ZipEntry {
            path: central.path,
            bytes,
        })
    }
}

/// Not empty, relative, and never climbing out with `..`; either slash counts, as Windows tools
/// write `\`.
fn is_safe_path(path: &str) -> bool {
    let absolute = match path.as_bytes() {
        [b'/' | b'\\', ..] => true,
        [drive, b':', ..] => drive.is_ascii_alphabetic(),
        _ => false,
    };
    !path.is_empty() && !absolute && !path.split(['/', '\\']).any(|part| part == "..")
}

fn method_name(method: u16) -> &'static str {
    match method {
        1..=6 => "a pre-1993 PKZIP method",
        9 => "Deflate64",
        12 => "bzip2",
        14 => "LZMA",
        93 => "Zstandard",
        95 => "XZ",
        98 => "PPMd",
        _ => "an unknown method",
    }
}

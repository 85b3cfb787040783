//! Random and mutated parser inputs, shared by the property tests (tests/native/data_fuzz.rs) and
//! the time-boxed fuzzer (examples/fuzz/, which includes this file): byte-level mutations here, JSON-aware ones in `json`.
//! Pure Rust and deterministic from a seed, like everything drawn from `Rng`.

pub mod json;

use bayes_renorm::data::shard::HEADER_LEN;
use bayes_renorm::rng::Rng;

/// One edit of a byte string. Positions are taken modulo the current length when applied, so
/// any `usize` is valid and a mutation can be drawn before the input is known.
#[derive(Clone, Debug)]
pub enum Mutation {
    FlipBit {
        at: usize,
        bit: u8,
    },
    Truncate {
        at: usize,
    },
    Insert {
        at: usize,
        bytes: Vec<u8>,
    },
    /// Writes over existing bytes (a length or count field, say), stopping at the end.
    Overwrite {
        at: usize,
        bytes: Vec<u8>,
    },
}

/// Little-endian integers that sit on the edges of length and count checks.
const EDGE_VALUES: [u64; 12] = [
    0,
    1,
    2,
    0x7f,
    0xff,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0x1_0000_0000,
    0x7fff_ffff_ffff_ffff,
    0x8000_0000_0000_0000,
    u64::MAX,
];

impl Mutation {
    /// A mutation drawn from `rng`: inserted bytes are random, overwritten ones are half the time
    /// an edge value as a little-endian u32 or u64.
    pub fn random(rng: &mut Rng) -> Mutation {
        let at = rng.next_u64() as usize;
        match rng.below(4) {
            0 => Mutation::FlipBit {
                at,
                bit: rng.below(8) as u8,
            },
            1 => Mutation::Truncate { at },
            2 => {
                let len = 1 + rng.below(16);
                let bytes = random_bytes(rng, len);
                Mutation::Insert { at, bytes }
            }
            _ => {
                let bytes = if rng.below(2) == 0 {
                    let value = EDGE_VALUES[rng.below(EDGE_VALUES.len())];
                    value.to_le_bytes()[..[4, 8][rng.below(2)]].to_vec()
                } else {
                    let len = 1 + rng.below(8);
                    random_bytes(rng, len)
                };
                Mutation::Overwrite { at, bytes }
            }
        }
    }
}

/// `len` uniformly random bytes.
pub fn random_bytes(rng: &mut Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| rng.next_u64() as u8).collect()
}

/// Applies `mutation` in place. Headers are hit often enough because half the positions fall
/// in the first 64 bytes.
pub fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let pick = |at: usize, len: usize| {
        if len == 0 {
            0
        } else if at % 2 == 0 {
            (at / 2) % len.min(64)
        } else {
            (at / 2) % len
        }
    };
    match mutation {
        Mutation::FlipBit { at, bit } => {
            if !bytes.is_empty() {
                let i = pick(*at, bytes.len());
                bytes[i] ^= 1 << (bit % 8);
            }
        }
        Mutation::Truncate { at } => bytes.truncate(pick(*at, bytes.len())),
        Mutation::Insert { at, bytes: new } => {
            let i = pick(*at, bytes.len() + 1);
            bytes.splice(i..i, new.iter().copied());
        }
        Mutation::Overwrite { at, bytes: new } => {
            if !bytes.is_empty() {
                let i = pick(*at, bytes.len());
                let end = (i + new.len()).min(bytes.len());
                bytes[i..end].copy_from_slice(&new[..end - i]);
            }
        }
    }
}

/// `original` with `mutations` applied in order.
pub fn mutated(original: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = original.to_vec();
    mutations.iter().for_each(|m| apply(&mut bytes, m));
    bytes
}

/// `original` with one to four mutations drawn from `rng`.
pub fn randomly_mutated(original: &[u8], rng: &mut Rng) -> Vec<u8> {
    let count = 1 + rng.below(4);
    let mutations: Vec<Mutation> = (0..count).map(|_| Mutation::random(rng)).collect();
    mutated(original, &mutations)
}

/// Makes a shard header's payload length agree with the file again, so truncations and
/// insertions reach the decompressor instead of stopping at the length check.
pub fn fix_shard_payload_len(bytes: &mut [u8]) {
    if bytes.len() >= HEADER_LEN {
        let payload_len = (bytes.len() - HEADER_LEN) as u32;
        bytes[HEADER_LEN - 4..HEADER_LEN].copy_from_slice(&payload_len.to_le_bytes());
    }
}

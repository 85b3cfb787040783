//! A small seeded generator (xoshiro256**, seeded through SplitMix64).
//!
//! Our own rather than `rand`: the sequence must be bit-identical natively and in wasm and across
//! dependency upgrades, because "same seed, same weights" is a promise the page makes in its URL.

/// Deterministic pseudo-random stream. `stream` separates independent uses of one user seed
/// (initialisation, shuffling, random pruning) so that changing one does not shift the others.
#[derive(Clone, Debug)]
pub struct Rng {
    state: [u64; 4],
}

/// Independent streams derived from one user seed.
pub mod stream {
    pub const INIT: u64 = 1;
    pub const SHUFFLE: u64 = 2;
    pub const RANDOM_PRUNE: u64 = 3;
    pub const SYNTHETIC_DATA: u64 = 4;
    pub const SOFT_FLOW: u64 = 5;
    pub const HOLD_OUT: u64 = 6;
}

fn splitmix64(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator for `(seed, stream, index)`; `index` is e.g. the epoch for shuffling.
    pub fn new(seed: u64, stream: u64, index: u64) -> Self {
        let mut x = seed
            ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03)
            ^ index.wrapping_mul(0x8CB9_2BA7_2F3D_8DD7);
        let state = [
            splitmix64(&mut x),
            splitmix64(&mut x),
            splitmix64(&mut x),
            splitmix64(&mut x),
        ];
        Rng { state }
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.state;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal draw (Box-Muller, the cosine branch; two uniforms per draw).
    pub fn standard_normal(&mut self) -> f64 {
        let radius = (-2.0 * (1.0 - self.next_f64()).ln()).sqrt(); // 1 - u lies in (0, 1]
        radius * (std::f64::consts::TAU * self.next_f64()).cos()
    }

    /// Uniform in [-bound, bound], the PyTorch `nn.Linear` initialisation range.
    pub fn uniform_symmetric(&mut self, bound: f64) -> f64 {
        (2.0 * self.next_f64() - 1.0) * bound
    }

    /// Uniform integer in [0, n), without modulo bias (Lemire's method).
    pub fn below(&mut self, n: usize) -> usize {
        assert!(n > 0, "below(0) has no valid result");
        let n = n as u64;
        let threshold = n.wrapping_neg() % n;
        loop {
            let product = (self.next_u64() as u128) * (n as u128);
            if (product as u64) >= threshold {
                return (product >> 64) as usize;
            }
        }
    }

    /// Fisher-Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }

    /// `k` distinct indices of `0..n`, uniformly: the first `k` steps of a Fisher-Yates shuffle.
    pub fn choose_distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        assert!(k <= n, "cannot choose {k} of {n}");
        let mut indices: Vec<usize> = (0..n).collect();
        for i in 0..k {
            let j = i + self.below(n - i);
            indices.swap(i, j);
        }
        indices.truncate(k);
        indices
    }
}

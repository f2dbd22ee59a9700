//! A quick, seeded hasher for kvet's in-memory tables (objects by kind,
//! label and name, folders, memo entries, cache entries).
//!
//! The standard library's SipHash cost the corpus's runs 30–45 M
//! instructions over a few hundred thousand short keys. This one folds 8
//! bytes at a time into the state with a 64×64→128-bit multiply (the two
//! halves xored), starting from a per-process random state and multiplier:
//! keys come from the user's files, so a table's layout must not be
//! something a file can aim at. Nothing kvet writes or prints depends on
//! these hashes (tables whose order matters are sorted or kept in
//! insertion order elsewhere).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

pub type Map<K, V> = HashMap<K, V, Seeded>;
pub type Set<K> = HashSet<K, Seeded>;

/// The process's seeds, shared by every table.
#[derive(Clone, Copy, Debug)]
pub struct Seeded {
    start: u64,
    multiplier: u64,
}

impl Default for Seeded {
    fn default() -> Self {
        static SEEDS: OnceLock<Seeded> = OnceLock::new();
        *SEEDS.get_or_init(|| {
            let random = std::collections::hash_map::RandomState::new();
            Seeded {
                start: random.hash_one(1u64),
                // Odd, so that no multiply loses the low bits.
                multiplier: random.hash_one(2u64) | 1,
            }
        })
    }
}

impl BuildHasher for Seeded {
    type Hasher = Quick;

    fn build_hasher(&self) -> Quick {
        Quick {
            state: self.start,
            multiplier: self.multiplier,
        }
    }
}

/// A table's hasher ([`Seeded`] makes them).
pub struct Quick {
    state: u64,
    multiplier: u64,
}

/// The 128-bit product of `a` and `b`, its halves xored.
#[inline]
pub(crate) fn fold(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

impl Quick {
    fn mix(&mut self, word: u64) {
        self.state = fold(self.state ^ word, self.multiplier);
    }
}

impl Hasher for Quick {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.mix(<[u8; 8]>::try_from(c).map_or(0, u64::from_le_bytes));
        }
        let r = chunks.remainder();
        let n = r.len();
        let word = match n {
            0 => return,
            1..=3 => u64::from(r[0]) | u64::from(r[n / 2]) << 8 | u64::from(r[n - 1]) << 16,
            _ => {
                let lo = <[u8; 4]>::try_from(&r[..4]).map_or(0, u32::from_le_bytes);
                let hi = <[u8; 4]>::try_from(&r[n - 4..]).map_or(0, u32::from_le_bytes);
                u64::from(lo) | u64::from(hi) << 32
            }
        };
        // The length tells apart tails that read the same bytes.
        self.mix(word ^ (n as u64) << 59);
    }

    fn write_u8(&mut self, n: u8) {
        self.mix(u64::from(n));
    }

    fn write_u16(&mut self, n: u16) {
        self.mix(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.mix(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }

    fn finish(&self) -> u64 {
        fold(self.state, self.multiplier.rotate_left(29) | 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Short keys that differ in one byte, in their length or only in
    /// where a tail ends all hash apart.
    #[test]
    fn short_keys_hash_apart() {
        let seeds = Seeded::default();
        let mut keys: Vec<Vec<u8>> = vec![Vec::new()];
        for n in 1..=24 {
            keys.push(vec![0; n]);
            keys.push(vec![b'a'; n]);
            for i in 0..n {
                let mut k = vec![b'a'; n];
                k[i] = b'b';
                keys.push(k);
            }
        }
        let hashes: Set<u64> = keys.iter().map(|k| seeds.hash_one(k)).collect();
        assert_eq!(hashes.len(), keys.len());
        assert_eq!(
            seeds.hash_one("kind"),
            Seeded::default().hash_one("kind"),
            "one process, one seed"
        );
        let strs: Set<u64> = ["a", "a\0", "ab", "b", ""].iter().map(|s| seeds.hash_one(s)).collect();
        assert_eq!(strs.len(), 5);
    }
}

//! [`SchemaCache`]: the CRD schemas a compact load compiled, shared by
//! content (see [`crate::compact`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::CrdSchema;
use crate::yaml::{Node, Value};

/// The schemas a run compiled, by their content: the same CRD in several
/// files (a chart's copy, a vendored copy) is compiled once. The corpus's
/// 75 CRDs hold 111 schemas, 52 of them distinct.
#[derive(Default)]
pub struct SchemaCache {
    compiled: Mutex<HashMap<(u64, u64, bool), Arc<CrdSchema>>>,
    /// Random starting states of the two hash lanes (a run's own).
    seeds: Seeds,
}

struct Seeds(u64, u64);

impl Default for Seeds {
    fn default() -> Self {
        use std::hash::BuildHasher;
        let r = std::hash::RandomState::new();
        Seeds(r.hash_one(1u8), r.hash_one(2u8))
    }
}

impl SchemaCache {
    pub(super) fn compile(&self, schema: &Node, prune: bool) -> Arc<CrdSchema> {
        use std::hash::Hasher;
        let mut h = TreeHasher {
            a: self.seeds.0,
            b: self.seeds.1,
        };
        hash_tree(schema, &mut h);
        // Two 64-bit hashes of the whole tree from random starting states:
        // equal keys mean equal trees, short of a 128-bit collision.
        let key = (h.finish(), fmix(h.b), prune);
        if let Some(done) = self.map().get(&key) {
            return Arc::clone(done);
        }
        let fresh = Arc::new(CrdSchema::compile(schema, prune));
        Arc::clone(self.map().entry(key).or_insert(fresh))
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<(u64, u64, bool), Arc<CrdSchema>>> {
        // A panic elsewhere while holding the lock leaves the map whole.
        self.compiled.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A fast two-lane hash of a tree's bytes: on the corpus, std's keyed
/// SipHash took 155 M instructions, more than compiling the schemas (25 M);
/// this takes 27 M.
struct TreeHasher {
    a: u64,
    b: u64,
}

impl TreeHasher {
    fn word(&mut self, w: u64) {
        self.a = (self.a.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
        self.b = (self.b ^ w).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29);
    }
}

impl std::hash::Hasher for TreeHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.word(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        // The length tells `ab` + `c` from `a` + `bc`.
        self.word(u64::from_le_bytes(w) ^ ((bytes.len() as u64) << 56));
    }

    fn write_u8(&mut self, i: u8) {
        self.word(u64::from(i) | 0x100);
    }

    fn write_u64(&mut self, i: u64) {
        self.word(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.word(i as u64);
    }

    fn finish(&self) -> u64 {
        fmix(self.a)
    }
}

/// MurmurHash3's finalizer: every input bit moves every output bit.
fn fmix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Hashes what a schema's compile reads: every key and value, and how each
/// scalar was written; not where.
fn hash_tree(node: &Node, h: &mut impl std::hash::Hasher) {
    use std::hash::Hash;
    h.write_u8(node.style as u8);
    match &node.value {
        Value::Null => h.write_u8(0),
        Value::Bool(b) => {
            h.write_u8(1);
            b.hash(h);
        }
        Value::Int(i) => {
            h.write_u8(2);
            i.hash(h);
        }
        Value::Float(f) => {
            h.write_u8(3);
            f.to_bits().hash(h);
        }
        Value::Str(s) => {
            h.write_u8(4);
            h.write(s.as_bytes());
        }
        Value::Seq(items) => {
            h.write_u8(5);
            h.write_usize(items.len());
            for i in items {
                hash_tree(i, h);
            }
        }
        Value::Map(entries) => {
            h.write_u8(6);
            h.write_usize(entries.len());
            for e in entries {
                h.write(e.key.as_bytes());
                hash_tree(&e.value, h);
            }
        }
    }
}

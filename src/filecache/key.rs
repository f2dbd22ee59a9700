//! The identities in the cache of unchanged files: a file's text digest
//! and an entry's key.

use std::hash::{Hash, Hasher};

use crate::hash::fold;
use crate::source::SourceFile;

/// A file's text, digested: the identity of its content for the caches.
///
/// Two 64-bit lanes over alternate 16-byte blocks (the first lane takes
/// bytes 0..16 of every 32, the second 16..32), each block folded into its
/// lane through a 64x64-bit multiplication (the high and low halves
/// xored), with each lane's own constants; the last, partial 32 bytes are
/// padded with zeros (the length was mixed in first). Then each lane is
/// folded with the other. About 0.5 instructions per byte, a sixth of
/// SipHash's (the digest of every input is taken on every run). Each
/// constant has a byte 0xff, which valid UTF-8 never has, so no text can
/// zero a factor (other bytes, [`TextDigest::of_bytes`], can: a lane is
/// then reset, as likely by accident as any 64-bit collision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TextDigest(pub u64, pub u64);

const P: [u64; 6] = [
    0xa076_1dff_78bd_642f,
    0xe703_7ed1_a0ff_28db,
    0x8ebc_ff0f_9c88_c6e3,
    0x58ff_65cc_7537_4cc3,
    0x1d8e_4e27_c47d_12ff,
    0xff23_9b96_1f7d_4a53,
];

impl TextDigest {
    pub fn of(text: &str) -> Self {
        Self::of_bytes(text.as_bytes())
    }

    /// The digest of any bytes (the same as [`TextDigest::of`] of a text's).
    pub fn of_bytes(bytes: &[u8]) -> Self {
        let n = bytes.len() as u64;
        let (mut h1, mut h2) = (P[0] ^ n, P[1] ^ n.rotate_left(29));
        let word = |c: &[u8], at: usize| {
            c.get(at..at + 8)
                .and_then(|w| w.try_into().ok())
                .map_or(0, u64::from_le_bytes)
        };
        let mut block = |c: &[u8]| {
            h1 = fold(word(c, 0) ^ h1 ^ P[2], word(c, 8) ^ P[3]);
            h2 = fold(word(c, 16) ^ h2 ^ P[4], word(c, 24) ^ P[5]);
        };
        let mut chunks = bytes.chunks_exact(32);
        for c in &mut chunks {
            block(c);
        }
        let mut tail = [0u8; 32];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        block(&tail);
        TextDigest(fold(h1 ^ P[0], h2 ^ P[3]), fold(h2 ^ P[1], h1 ^ P[5]))
    }
}

/// An entry's identity: its file's content, name and configuration
/// digested twice, and its place (the same without the content: another
/// version of the same input has the same place).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key(pub(super) u64, pub(super) u64, pub(super) u64);

impl Key {
    /// Writes the key's three parts.
    pub fn put(&self, buf: &mut Vec<u8>) {
        for part in [self.0, self.1, self.2] {
            buf.extend_from_slice(&part.to_le_bytes());
        }
    }

    /// The entry of `source` (whose text digests to `text`) linted with the
    /// configuration digested as `config`. Every part is written out
    /// unambiguously (lengths before bytes) and digested with
    /// [`TextDigest::of_bytes`], the same in every process.
    pub fn of(config: u64, source: &SourceFile, text: TextDigest) -> Self {
        let mut place = Vec::with_capacity(64 + source.name.len());
        place.extend_from_slice(&config.to_le_bytes());
        put_source(&mut place, source);
        place.push(u8::from(source.looks_like_json()));
        let TextDigest(p0, _) = TextDigest::of_bytes(&place);
        place.extend_from_slice(&text.0.to_le_bytes());
        place.extend_from_slice(&text.1.to_le_bytes());
        let TextDigest(k0, k1) = TextDigest::of_bytes(&place);
        Key(k0, k1, p0)
    }
}

/// Writes `bytes` after their length, so that parts written one after
/// another are told apart (`ab` + `c` from `a` + `bc`).
pub fn put_framed(buf: &mut Vec<u8>, bytes: &[u8]) {
    buf.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    buf.extend_from_slice(bytes);
}

/// Writes what names an input, framed: its name, and its path or that it
/// has none.
pub fn put_source(buf: &mut Vec<u8>, source: &SourceFile) {
    put_framed(buf, source.name.as_bytes());
    match &source.path {
        Some(p) => {
            put_framed(buf, &[1]);
            put_framed(buf, p.as_os_str().as_encoded_bytes());
        }
        None => put_framed(buf, &[0]),
    }
}

/// A configuration's digest, for [`Key::of`].
pub fn config_digest(config: &crate::config::Config) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{config:?}").hash(&mut h);
    h.finish()
}

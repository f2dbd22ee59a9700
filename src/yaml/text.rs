//! [`Text`]: the string of a mapping key or a string scalar, kept inline
//! when short.
//!
//! Most keys and many values of a manifest are short (`name`, `image`,
//! `TCP`, `IfNotPresent`): on the corpus 97% of keys and 78% of string
//! values fit in 22 bytes. Kept inline they cost no allocation of their own,
//! which on the corpus is about 330,000 allocations fewer, each of which the
//! allocator rounds up to at least 32 bytes, and as many fewer frees.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// Longest text kept inline.
const INLINE: usize = 22;

/// An immutable string, inline up to 22 bytes, on the heap beyond.
/// It reads as a `str` (`Deref`).
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    /// Invariant: `bytes[..len]` is a whole UTF-8 string.
    Inline {
        len: u8,
        bytes: [u8; INLINE],
    },
    Heap(Box<str>),
}

// A `Text` is no larger than the `Vec` next to it in a node's value.
const _: () = assert!(std::mem::size_of::<Text>() == 24);

impl Text {
    pub fn new(s: &str) -> Self {
        if s.len() <= INLINE {
            let mut bytes = [0u8; INLINE];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            Text(Repr::Inline {
                len: s.len() as u8,
                bytes,
            })
        } else {
            Text(Repr::Heap(s.into()))
        }
    }

    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes } => {
                let bytes = &bytes[..*len as usize];
                // SAFETY: `Text::new` copied these bytes from a whole `&str`
                // (valid UTF-8), and nothing changes them afterwards.
                unsafe { std::str::from_utf8_unchecked(bytes) }
            }
            Repr::Heap(s) => s,
        }
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl Default for Text {
    fn default() -> Self {
        Text::new("")
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text::new(s)
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Self {
        Text::new(s)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        if s.len() <= INLINE {
            Text::new(&s)
        } else {
            Text(Repr::Heap(s.into_boxed_str()))
        }
    }
}

impl From<Box<str>> for Text {
    fn from(s: Box<str>) -> Self {
        if s.len() <= INLINE {
            Text::new(&s)
        } else {
            Text(Repr::Heap(s))
        }
    }
}

impl From<std::borrow::Cow<'_, str>> for Text {
    fn from(s: std::borrow::Cow<'_, str>) -> Self {
        match s {
            std::borrow::Cow::Borrowed(s) => Text::new(s),
            std::borrow::Cow::Owned(s) => s.into(),
        }
    }
}

impl From<Text> for String {
    fn from(t: Text) -> Self {
        t.as_str().to_string()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_text_read_back_whole() {
        for s in [
            "",
            "a",
            "name",
            "ünïcödé",
            "exactly-22-bytes-long!",
            "twenty-three bytes long",
            "a much longer value that lives on the heap",
            "héllo wörld, ✓ 22 b",
        ] {
            let t = Text::new(s);
            assert_eq!(t.as_str(), s);
            assert_eq!(Text::from(s.to_string()).as_str(), s);
            assert_eq!(Text::from(Box::<str>::from(s)).as_str(), s);
            assert_eq!(t, Text::new(s));
            assert_eq!(format!("{t:?}"), format!("{s:?}"));
        }
        assert!(matches!(Text::new("exactly-22-bytes-long!").0, Repr::Inline { .. }));
        assert!(matches!(Text::new("twenty-three bytes long").0, Repr::Heap(_)));
    }

    #[test]
    fn orders_and_hashes_as_its_str() {
        use std::collections::HashSet;
        let mut v = vec![
            Text::new("b"),
            Text::new("a long key that is not inline"),
            Text::new("a"),
        ];
        v.sort();
        let got: Vec<&str> = v.iter().map(|t| t.as_str()).collect();
        assert_eq!(got, ["a", "a long key that is not inline", "b"]);
        let set: HashSet<Text> = v.into_iter().collect();
        assert!(set.contains("a"));
        assert!(set.contains("a long key that is not inline"));
    }
}

//! The byte format of kvet's caches: findings ([`Diagnostic`]) and loaded
//! YAML ([`Stream`]: spanned trees and load problems).
//!
//! Numbers are LEB128 varints (spans as zigzag deltas from the previous
//! span's start, so most take one or two bytes), strings are a length and
//! UTF-8 bytes. A [`Reader`] never trusts what it reads: every length is
//! checked against the bytes left, every string is validated, trees are
//! read no deeper than [`MAX_DEPTH`], and anything unexpected is `None`
//! (a cache miss), never a panic.

use std::sync::Arc;

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, ObjectMeta, Severity};
use crate::yaml::{Document, Entry, LoadDiagnostic, Node, ScalarStyle, Span, Stream, Text, Value};

/// Deepest tree a [`Reader`] reads back (the loaders stop well before).
pub const MAX_DEPTH: usize = 4 * crate::yaml::MAX_DEPTH_CEILING;

/// Appends values to a byte buffer.
#[derive(Default)]
pub struct Writer {
    pub buf: Vec<u8>,
    /// The start of the last span written ([`Writer::span`] writes deltas).
    at: u32,
}

impl Writer {
    pub fn new() -> Self {
        Writer::default()
    }

    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    pub fn u64(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }

    pub fn u32(&mut self, v: u32) {
        self.u64(u64::from(v));
    }

    pub fn i64(&mut self, v: i64) {
        self.u64(((v << 1) ^ (v >> 63)) as u64);
    }

    /// A fixed-width 64-bit value (digests: a varint would be longer).
    pub fn fixed64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    pub fn bytes(&mut self, b: &[u8]) {
        self.u64(b.len() as u64);
        self.buf.extend_from_slice(b);
    }

    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    pub fn span(&mut self, s: Span) {
        self.i64(i64::from(s.start) - i64::from(self.at));
        self.i64(i64::from(s.end) - i64::from(s.start));
        self.at = s.start;
    }

    pub fn opt<T>(&mut self, v: Option<T>, f: impl FnOnce(&mut Self, T)) {
        match v {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                f(self, v);
            }
        }
    }

    pub fn seq<T>(&mut self, items: &[T], mut f: impl FnMut(&mut Self, &T)) {
        self.u64(items.len() as u64);
        for i in items {
            f(self, i);
        }
    }

    /// A finding; `meta` writes its object's identity.
    pub fn diagnostic(&mut self, d: &Diagnostic, meta: &impl Fn(&mut Self, &Arc<ObjectMeta>)) {
        self.str(&d.rule);
        self.u8(match d.severity {
            Severity::Info => 0,
            Severity::Warning => 1,
            Severity::Error => 2,
        });
        self.u32(d.file);
        self.span(d.span);
        self.str(&d.message);
        self.seq(&d.labels, |w, l| {
            w.u32(l.file);
            w.span(l.span);
            w.str(&l.message);
        });
        self.opt(d.help.as_deref(), Self::str);
        self.opt(d.fix.as_ref(), |w, f| {
            w.str(&f.title);
            w.u8(u8::from(f.applicability == Applicability::Unsafe));
            w.seq(&f.edits, |w, e| {
                w.u32(e.file);
                w.span(e.span);
                w.str(&e.replacement);
            });
        });
        self.opt(d.object.as_ref(), |w, m| meta(w, m));
    }

    /// An object's identity, written out.
    pub fn meta(&mut self, m: &ObjectMeta) {
        self.str(&m.api_version);
        self.str(&m.kind);
        self.opt(m.name.as_deref(), Writer::str);
        self.opt(m.namespace.as_deref(), Writer::str);
    }

    /// A file's loaded documents and load problems.
    pub fn stream(&mut self, s: &Stream) {
        self.seq(&s.documents, |w, d| {
            w.u64(d.index as u64);
            w.span(d.span);
            w.opt(d.root.as_ref(), Writer::node);
        });
        self.seq(&s.diagnostics, |w, d| {
            w.str(d.rule);
            w.span(d.span);
            w.str(&d.message);
            w.seq(&d.labels, |w, (span, m)| {
                w.span(*span);
                w.str(m);
            });
            w.opt(d.help.as_deref(), Writer::str);
            w.opt(d.shadowed, |w, (key, end)| {
                w.span(key);
                w.u32(end);
            });
        });
    }

    fn node(&mut self, n: &Node) {
        let style = match n.style {
            ScalarStyle::Plain => 0,
            ScalarStyle::SingleQuoted => 1,
            ScalarStyle::DoubleQuoted => 2,
            ScalarStyle::Literal => 3,
            ScalarStyle::Folded => 4,
            ScalarStyle::Json => 5,
        };
        let tag = match &n.value {
            Value::Null => 0,
            Value::Bool(false) => 1,
            Value::Bool(true) => 2,
            Value::Int(_) => 3,
            Value::Float(_) => 4,
            Value::Str(_) => 5,
            Value::Seq(_) => 6,
            Value::Map(_) => 7,
        };
        self.u8(tag | style << 3);
        self.span(n.span);
        match &n.value {
            Value::Null | Value::Bool(_) => {}
            Value::Int(i) => self.i64(*i),
            Value::Float(f) => self.fixed64(f.to_bits()),
            Value::Str(s) => self.str(s),
            Value::Seq(items) => {
                self.u64(items.len() as u64);
                for i in items {
                    self.node(i);
                }
            }
            Value::Map(entries) => {
                self.u64(entries.len() as u64);
                for e in entries {
                    self.str(&e.key);
                    self.span(e.key_span);
                    self.node(&e.value);
                }
            }
        }
    }
}

/// Reads what a [`Writer`] wrote; `None` on anything else.
pub struct Reader<'a> {
    pub data: &'a [u8],
    at: u32,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data, at: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.data.len() {
            return None;
        }
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        Some(head)
    }

    pub fn u8(&mut self) -> Option<u8> {
        let (&b, rest) = self.data.split_first()?;
        self.data = rest;
        Some(b)
    }

    #[inline]
    pub fn u64(&mut self) -> Option<u64> {
        // Most numbers (lengths, span deltas) take one byte.
        if let Some((&b, rest)) = self.data.split_first()
            && b < 0x80
        {
            self.data = rest;
            return Some(u64::from(b));
        }
        self.u64_long()
    }

    fn u64_long(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    pub fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.u64()?).ok()
    }

    pub fn i64(&mut self) -> Option<i64> {
        let v = self.u64()?;
        Some(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    pub fn fixed64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    /// A length, no more than the bytes left (a damaged entry cannot ask
    /// for a huge allocation).
    pub fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n <= self.data.len()).then_some(n)
    }

    pub fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.len()?;
        self.take(n)
    }

    pub fn str(&mut self) -> Option<&'a str> {
        let bytes = self.bytes()?;
        if bytes.is_ascii() {
            // SAFETY: ASCII bytes are valid UTF-8.
            Some(unsafe { std::str::from_utf8_unchecked(bytes) })
        } else {
            std::str::from_utf8(bytes).ok()
        }
    }

    pub fn string(&mut self) -> Option<String> {
        self.str().map(str::to_string)
    }

    pub fn span(&mut self) -> Option<Span> {
        let start = u32::try_from(i64::from(self.at).checked_add(self.i64()?)?).ok()?;
        let end = u32::try_from(i64::from(start).checked_add(self.i64()?)?).ok()?;
        self.at = start;
        Some(Span::new(start, end))
    }

    pub fn opt<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        match self.u8()? {
            0 => Some(None),
            1 => f(self).map(Some),
            _ => None,
        }
    }

    pub fn seq<T>(&mut self, mut f: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let n = self.len()?;
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(f(self)?);
        }
        Some(out)
    }

    pub fn diagnostic(&mut self, meta: &impl Fn(&mut Self) -> Option<Arc<ObjectMeta>>) -> Option<Diagnostic> {
        let rule = self.string()?;
        let severity = match self.u8()? {
            0 => Severity::Info,
            1 => Severity::Warning,
            2 => Severity::Error,
            _ => return None,
        };
        let file = self.u32()?;
        let span = self.span()?;
        let mut d = Diagnostic::new(rule, severity, file, span, self.string()?);
        d.labels = self.seq(|r| {
            Some(Label {
                file: r.u32()?,
                span: r.span()?,
                message: r.string()?,
            })
        })?;
        d.help = self.opt(Self::string)?;
        d.fix = self.opt(|r| {
            Some(Fix {
                title: r.string()?,
                applicability: match r.u8()? {
                    0 => Applicability::Safe,
                    1 => Applicability::Unsafe,
                    _ => return None,
                },
                edits: r.seq(|r| {
                    Some(Edit {
                        file: r.u32()?,
                        span: r.span()?,
                        replacement: r.string()?,
                    })
                })?,
            })
        })?;
        d.object = self.opt(meta)?;
        Some(d)
    }

    /// An object's identity, as [`Writer::meta`] wrote it.
    pub fn meta(&mut self) -> Option<ObjectMeta> {
        Some(ObjectMeta {
            api_version: self.string()?,
            kind: self.string()?,
            name: self.opt(Self::string)?,
            namespace: self.opt(Self::string)?,
        })
    }

    pub fn stream(&mut self) -> Option<Stream> {
        let documents = self.seq(|r| {
            let index = usize::try_from(r.u64()?).ok()?;
            let span = r.span()?;
            let root = r.opt(|r| r.node(0))?;
            Some(Document { root, index, span })
        })?;
        let diagnostics = self.seq(|r| {
            let rule = load_rule(r.str()?)?;
            let span = r.span()?;
            let message = r.string()?;
            let labels = r.seq(|r| Some((r.span()?, r.string()?)))?;
            let help = r.opt(Self::string)?;
            let shadowed = r.opt(|r| Some((r.span()?, r.u32()?)))?;
            Some(LoadDiagnostic {
                rule,
                span,
                message,
                labels,
                help,
                shadowed,
            })
        })?;
        Some(Stream { documents, diagnostics })
    }

    fn node(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        let tag = self.u8()?;
        let style = match tag >> 3 {
            0 => ScalarStyle::Plain,
            1 => ScalarStyle::SingleQuoted,
            2 => ScalarStyle::DoubleQuoted,
            3 => ScalarStyle::Literal,
            4 => ScalarStyle::Folded,
            5 => ScalarStyle::Json,
            _ => return None,
        };
        let span = self.span()?;
        let value = match tag & 7 {
            0 => Value::Null,
            1 => Value::Bool(false),
            2 => Value::Bool(true),
            3 => Value::Int(self.i64()?),
            4 => Value::Float(f64::from_bits(self.fixed64()?)),
            5 => Value::Str(Text::new(self.str()?)),
            6 => Value::Seq(self.seq(|r| r.node(depth + 1))?),
            _ => Value::Map(self.seq(|r| {
                let key = Text::new(r.str()?);
                let key_span = r.span()?;
                let value = r.node(depth + 1)?;
                Some(Entry { key, key_span, value })
            })?),
        };
        Some(Node { span, value, style })
    }
}

/// The rule of a load problem read back (load problems carry `'static`
/// rule ids; an unknown one makes the entry a miss).
fn load_rule(id: &str) -> Option<&'static str> {
    ["yaml-syntax", "yaml-duplicate-key", "yaml-limits"]
        .into_iter()
        .find(|r| *r == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse_source};

    fn round_trip(text: &str, json: bool) {
        let stream = parse_source(text, json, Limits::default());
        let mut w = Writer::new();
        w.stream(&stream);
        let mut r = Reader::new(&w.buf);
        let back = r.stream();
        assert!(r.is_empty(), "{text:?}: bytes left");
        assert_eq!(back.as_ref(), Some(&stream), "{text:?}");
        // Every cut of the bytes is a miss, never a panic.
        let step = (w.buf.len() / 64).max(1);
        for cut in (0..w.buf.len()).step_by(step).chain(w.buf.len().checked_sub(1)) {
            assert!(Reader::new(&w.buf[..cut]).stream().is_none(), "{text:?}: cut at {cut}");
        }
    }

    #[test]
    fn streams_read_back_as_written() {
        round_trip("", false);
        round_trip(
            "# c\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  mode: 0644\n  on: yes\n  f: 1.5e3\n  n: -42\n  s: 'x'\n  t: \"y\"\n  l: |\n    text\n  g: >\n    folded\n  e: ~\n",
            false,
        );
        round_trip("a: &x {b: [1, 2, {c: d}]}\nb: *x\n---\n- x\n- - y\n", false);
        round_trip("a: 1\na: 2\n", false);
        round_trip("a: [\n", false);
        round_trip("{\"kind\": \"Pod\", \"n\": [1.25, null, true]}", true);
        round_trip("a: \"\u{e9}\u{1F600}\"\nbig: 123456789012345678901234\n", false);
        let fixtures = crate::rules::testing::fixture_texts();
        for (text, json) in &fixtures {
            round_trip(text, *json);
        }
        assert!(fixtures.len() > 200, "the fixtures were read ({})", fixtures.len());
    }

    #[test]
    fn damaged_bytes_are_a_miss() {
        let stream = parse_source("a:\n  b: [1, 2]\n  c: x\n", false, Limits::default());
        let mut w = Writer::new();
        w.stream(&stream);
        for i in 0..w.buf.len() {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut bytes = w.buf.clone();
                bytes[i] ^= flip;
                // Either another valid stream or a miss; never a panic.
                let _ = Reader::new(&bytes).stream();
            }
        }
        assert!(Reader::new(&[0xff; 16]).stream().is_none());
    }

    #[test]
    fn findings_read_back_as_written() {
        let meta = Arc::new(ObjectMeta {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            name: Some("web".into()),
            namespace: None,
        });
        let mut d = Diagnostic::new(
            "requests-missing",
            Severity::Warning,
            1,
            Span::new(30, 9),
            "no requests",
        )
        .with_help("set them")
        .with_label(Span::new(0, 2), "here");
        d.object = Some(Arc::clone(&meta));
        d.fix = Some(Fix {
            title: "t".into(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                file: 1,
                span: Span::new(3, 4),
                replacement: "\u{e9}".into(),
            }],
        });
        let mut w = Writer::new();
        w.diagnostic(&d, &|w, m| w.meta(m));
        let mut r = Reader::new(&w.buf);
        let back = r.diagnostic(&|r| r.meta().map(Arc::new));
        assert!(r.is_empty());
        assert_eq!(back, Some(d));
    }
}

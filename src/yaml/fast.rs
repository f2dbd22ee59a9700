//! A fast path for the block-style YAML most manifests are written in:
//! block mappings and sequences, plain and simple quoted scalars, literal
//! block scalars (`|`, `|-`, `|+`), one-line flat flow collections
//! (`[a, "b"]`, `{k: v}`, `{}`), comments and `---`.
//!
//! It emits the very events `saphyr-parser` emits for such text (same
//! values, styles and marks, as byte offsets), and its tree builder
//! ([`super::direct`]) makes the full parser's tree, spans and findings
//! from them, sharing its mapping-key steps ([`super::builder`]). On
//! anything else it declines (returns `false`) and the caller parses the
//! text again with the full parser: tabs, carriage returns, control
//! characters and Unicode line breaks, anchors, aliases, tags, directives, `...`, complex
//! keys, folded or indented block scalars, scalars that start on the line
//! after their key, escapes beyond the common ones, nested or multi-line flow
//! collections, and everything the full parser would report as an error.
//! `tests/yaml_fast_path.rs` checks the equivalence on every fixture and
//! corpus file and on mutated copies of them.

use std::borrow::Cow;

use saphyr_parser::{Event, Marker, ScalarStyle as PStyle, Span as PSpan};

/// Deeper nesting is left to the full parser (and its limit findings).
const MAX_DEPTH: usize = 128;
/// Longer plain keys are left to the full parser (it limits simple keys).
const MAX_KEY: usize = 512;

/// A mapping key as read: its value, style and end, and where its `:` is.
type Key<'a> = (Cow<'a, str>, PStyle, usize, usize);

/// Where the fast path's events go: `false` asks it to stop.
pub(super) trait Sink<'a> {
    fn event(&mut self, ev: Event<'a>, sp: PSpan) -> bool;
}

impl<'a, F: FnMut(Event<'a>, PSpan) -> bool> Sink<'a> for F {
    fn event(&mut self, ev: Event<'a>, sp: PSpan) -> bool {
        self(ev, sp)
    }
}

/// Emits the events of `text` into `sink`; `false` when the fast path
/// declines the text or `sink` asks to stop (by returning `false`).
pub(super) fn run<'a, F: Sink<'a>>(text: &'a str, sink: &mut F) -> bool {
    let b = text.as_bytes();
    if !printable(b) {
        return false;
    }
    let mut fast = Fast {
        t: text,
        b,
        sink,
        depth: 0,
        last: 0,
        lines: Vec::new(),
    };
    fast.stream().is_some()
}

/// Whether every character of a text is one the fast path reads: `\n`,
/// printable ASCII, or a non-ASCII character from U+00A0 on other than
/// U+2028, U+2029, U+FEFF, U+FFFE and U+FFFF. 32 bytes at a time: a block of
/// printable ASCII (most of a manifest) costs a few instructions (a byte at a
/// time, this check was 8% of a corpus run). `bytes` is a whole `str`.
fn printable(bytes: &[u8]) -> bool {
    let plain = |x: u8| ((0x20..0x7f).contains(&x)) | (x == b'\n');
    for (k, block) in bytes.chunks(32).enumerate() {
        if block.iter().fold(true, |ok, &x| ok & plain(x)) {
            continue;
        }
        for (j, &x) in block.iter().enumerate() {
            let i = k * 32 + j;
            let next = |n: usize| bytes.get(i + n).copied().unwrap_or(0);
            let refused = match x {
                // Control characters and DEL.
                0..=0x7f => !plain(x),
                // U+0080..U+009F (C1 controls).
                0xc2 => (0x80..=0x9f).contains(&next(1)),
                // U+2028, U+2029.
                0xe2 => next(1) == 0x80 && matches!(next(2), 0xa8 | 0xa9),
                // U+FEFF, U+FFFE, U+FFFF.
                0xef => (next(1) == 0xbb && next(2) == 0xbf) || (next(1) == 0xbf && matches!(next(2), 0xbe | 0xbf)),
                // Other lead bytes and continuation bytes: allowed characters.
                _ => false,
            };
            if refused {
                return false;
            }
        }
    }
    true
}

/// Where the fast path gave up on `text` (the start of the last event it
/// emitted), or `None` when it takes the text: for finding what to support.
#[doc(hidden)]
pub fn declined_at(text: &str) -> Option<usize> {
    let mut last = 0;
    let taken = run(text, &mut |_, sp: PSpan| {
        last = sp.start.index();
        true
    });
    (!taken).then_some(last)
}

struct Fast<'a, 'f, F> {
    t: &'a str,
    b: &'a [u8],
    sink: &'f mut F,
    depth: usize,
    last: usize,
    /// A literal block's lines (blank lines before, start, end), reused.
    lines: Vec<(usize, usize, usize)>,
}

/// Eight copies of the byte 1, and of the byte 0x80.
const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The eight bytes of `b` from `i` as one little-endian word.
fn word(b: &[u8], i: usize) -> Option<u64> {
    let bytes = b.get(i..i.checked_add(8)?)?;
    let mut w = [0u8; 8];
    w.copy_from_slice(bytes);
    Some(u64::from_le_bytes(w))
}

/// The bytes of `x` equal to `c`, each marked by its high bit. The lowest
/// mark is exact (a byte above a match may be marked falsely), which is all
/// the first-match searches here read.
fn eq_bytes(x: u64, c: u8) -> u64 {
    let y = x ^ (LO * u64::from(c));
    y.wrapping_sub(LO) & !y & HI
}

fn span(s: usize, e: usize) -> PSpan {
    PSpan::new(Marker::new(s, 0, 0), Marker::new(e, 0, 0))
}

/// Characters that cannot start a plain scalar.
fn indicator(c: u8) -> bool {
    matches!(
        c,
        b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`'
    )
}

enum Chomp {
    Clip,
    Strip,
    Keep,
}

impl<'a, F: Sink<'a>> Fast<'a, '_, F> {
    fn emit(&mut self, ev: Event<'a>, s: usize, e: usize) -> Option<()> {
        self.last = s;
        self.sink.event(ev, span(s, e)).then_some(())
    }

    fn scalar(&mut self, value: Cow<'a, str>, style: PStyle, s: usize, e: usize) -> Option<()> {
        self.emit(Event::Scalar(value, style, 0, None), s, e)
    }

    /// The byte at `i`, or 0 past the end.
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    fn len(&self) -> usize {
        self.b.len()
    }

    fn skip_spaces(&self, mut i: usize) -> usize {
        while let Some(x) = word(self.b, i) {
            let other = x ^ (LO * u64::from(b' '));
            if other != 0 {
                return i + (other.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
        while self.at(i) == b' ' {
            i += 1;
        }
        i
    }

    /// The first of the bytes `a`, `b` and `c` at or after `i`, or the end
    /// of the text; eight bytes at a time (plain keys and values, the bulk
    /// of a manifest, were scanned a byte at a time).
    fn find3(&self, mut i: usize, a: u8, b: u8, c: u8) -> usize {
        while let Some(x) = word(self.b, i) {
            let m = eq_bytes(x, a) | eq_bytes(x, b) | eq_bytes(x, c);
            if m != 0 {
                return i + (m.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
        while i < self.len() && !matches!(self.b[i], x if x == a || x == b || x == c) {
            i += 1;
        }
        i.min(self.len())
    }

    /// The `\n` ending the line holding `i`, or the end of the text.
    fn line_end(&self, i: usize) -> usize {
        match self.b.get(i..) {
            Some(rest) => memchr::memchr(b'\n', rest).map_or(self.len(), |n| i + n),
            None => self.len(),
        }
    }

    /// The line after the one holding `i`.
    fn next_line(&self, i: usize) -> usize {
        (self.line_end(i) + 1).min(self.len())
    }

    /// The next line from line start `p` that holds a node: `(start, first
    /// non-space)`, skipping blank and comment lines.
    fn next_content(&self, p: usize) -> Option<(usize, usize)> {
        self.next_line_with(p, true)
    }

    /// The next line from line start `p` that is not blank (comments count).
    fn next_nonblank(&self, p: usize) -> Option<(usize, usize)> {
        self.next_line_with(p, false)
    }

    /// The next line from line start `p` that is not blank (nor, with
    /// `skip_comments`, a comment line): `(start, first non-space)`.
    fn next_line_with(&self, mut p: usize, skip_comments: bool) -> Option<(usize, usize)> {
        loop {
            if p >= self.len() {
                return None;
            }
            let f = self.skip_spaces(p);
            match self.at(f) {
                0 => return None,
                b'\n' => p = f + 1,
                b'#' if skip_comments => p = self.next_line(f),
                _ => return Some((p, f)),
            }
        }
    }

    fn marker_at(&self, ls: usize, m: &[u8]) -> bool {
        self.b.get(ls..ls + 3) == Some(m) && matches!(self.at(ls + 3), 0 | b' ' | b'\n')
    }

    fn is_doc_start(&self, ls: usize) -> bool {
        self.marker_at(ls, b"---")
    }

    /// A `---` or `...` line: it ends any block collection open above it
    /// (the full parser reads either marker in column 0 wherever it is, and
    /// rejects content after a `...`; [`Self::stream`] declines the `...`).
    fn is_doc_marker(&self, ls: usize) -> bool {
        self.is_doc_start(ls) || self.marker_at(ls, b"...")
    }

    /// A `-` entry indicator at `f`.
    fn is_dash(&self, f: usize) -> bool {
        self.at(f) == b'-' && matches!(self.at(f + 1), 0 | b' ' | b'\n')
    }

    fn plain_start_ok(&self, f: usize) -> bool {
        let c = self.at(f);
        match c {
            0 | b'\n' | b' ' => false,
            // Followed by a flow indicator, the full parser rejects it in
            // flow context; the fast path declines it everywhere.
            b'-' | b'?' | b':' => !matches!(self.at(f + 1), 0 | b' ' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'),
            c => !indicator(c),
        }
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    fn stream(&mut self) -> Option<()> {
        self.emit(Event::StreamStart, 0, 0)?;
        let mut pos = 0;
        let mut first = true;
        while let Some((ls, f)) = self.next_content(pos) {
            if self.marker_at(ls, b"...") || self.at(ls) == b'%' {
                return None;
            }
            if self.is_doc_start(ls) {
                // Only a comment may follow the marker on its line.
                let rest = self.skip_spaces(ls + 3);
                match self.at(rest) {
                    0 | b'\n' => {}
                    b'#' if rest > ls + 3 => {}
                    _ => return None,
                }
                self.emit(Event::DocumentStart(true), ls, ls + 3)?;
                pos = self.next_line(ls);
                match self.next_content(pos) {
                    None => {
                        let end = self.len();
                        self.scalar(Cow::Borrowed(""), PStyle::Plain, end, end)?;
                        self.emit(Event::DocumentEnd, end, end)?;
                        continue;
                    }
                    Some((l, _)) if self.is_doc_start(l) => {
                        self.scalar(Cow::Borrowed(""), PStyle::Plain, l, l + 3)?;
                        self.emit(Event::DocumentEnd, l, l + 3)?;
                        continue;
                    }
                    Some(_) => {}
                }
            } else {
                // A second document needs its `---`.
                if !first {
                    return None;
                }
                self.emit(Event::DocumentStart(false), f, f)?;
            }
            first = false;
            let (ls, f) = self.next_content(pos)?;
            if self.marker_at(ls, b"...") || self.at(ls) == b'%' {
                return None;
            }
            pos = self.block_node(ls, f, -1, None)?;
            match self.next_content(pos) {
                None => {}
                Some((l, _)) if self.is_doc_start(l) => {}
                Some(_) => return None,
            }
            self.emit(Event::DocumentEnd, pos, pos)?;
        }
        let end = self.len();
        self.emit(Event::StreamEnd, end, end)
    }

    /// A block node whose first line starts at `ls` with content at `f`,
    /// inside a parent indented `parent`; returns where the next line starts.
    /// `key` is the mapping's first key when the caller has read it.
    fn block_node(&mut self, ls: usize, f: usize, parent: isize, key: Option<Key<'a>>) -> Option<usize> {
        let col = f - ls;
        if col as isize <= parent {
            return None;
        }
        if self.is_dash(f) {
            self.block_seq(ls, f, false)
        } else {
            self.block_map(f, col, key)
        }
    }

    /// A value on the lines after its key or `-` (at `f`, on the line
    /// starting at `ls`): a collection, or a scalar or flow collection.
    fn nested(&mut self, ls: usize, f: usize, parent: isize) -> Option<usize> {
        if self.is_dash(f) {
            return self.block_node(ls, f, parent, None);
        }
        if let Some(key) = self.key_at(f) {
            return self.block_node(ls, f, parent, Some(key));
        }
        if self.at(f) == b'|' {
            return None;
        }
        self.inline_value(f, parent)
    }

    /// A mapping key at `f`: the key's value, style and end, and the `:`.
    fn key_at(&self, f: usize) -> Option<Key<'a>> {
        let c = self.at(f);
        if c == b'"' || c == b'\'' {
            let (value, style, end) = self.quoted(f, None)?;
            let k = self.skip_spaces(end);
            if self.at(k) != b':' || !matches!(self.at(k + 1), 0 | b' ' | b'\n') {
                return None;
            }
            // An implicit key stays on one line and within YAML's length
            // limit for simple keys; the full parser judges the rest.
            if k - f > MAX_KEY || self.t.as_bytes()[f..k].contains(&b'\n') {
                return None;
            }
            return Some((value, style, end, k));
        }
        if !self.plain_start_ok(f) {
            return None;
        }
        let mut i = f;
        loop {
            i = self.find3(i, b':', b'#', b'\n');
            match self.at(i) {
                0 | b'\n' => return None,
                b':' if matches!(self.at(i + 1), 0 | b' ' | b'\n') => break,
                b'#' if self.at(i - 1) == b' ' => return None,
                _ => i += 1,
            }
        }
        // The limit counts up to the `:` (spaces before it too).
        if i - f > MAX_KEY {
            return None;
        }
        let mut end = i;
        while end > f && self.at(end - 1) == b' ' {
            end -= 1;
        }
        Some((Cow::Borrowed(&self.t[f..end]), PStyle::Plain, end, i))
    }

    /// A block mapping whose first key is at `f0`, in column `col`;
    /// `first` is that key when the caller has read it.
    fn block_map(&mut self, f0: usize, col: usize, mut first: Option<Key<'a>>) -> Option<usize> {
        self.enter()?;
        self.emit(Event::MappingStart(0, None), f0, f0)?;
        let mut f = f0;
        loop {
            let (key, style, key_end, colon) = match first.take() {
                Some(k) => k,
                None => self.key_at(f)?,
            };
            self.scalar(key, style, f, key_end)?;
            let v = self.skip_spaces(colon + 1);
            let next = if matches!(self.at(v), 0 | b'\n' | b'#') {
                let nl = self.next_line(colon);
                match self.next_content(nl) {
                    Some((l, f2)) if !self.is_doc_marker(l) && f2 - l > col => self.nested(l, f2, col as isize)?,
                    Some((l, f2)) if !self.is_doc_marker(l) && f2 - l == col && self.is_dash(f2) => {
                        self.block_seq(l, f2, true)?
                    }
                    _ => {
                        self.scalar(Cow::Borrowed(""), PStyle::Plain, colon, colon)?;
                        nl
                    }
                }
            } else {
                self.inline_value(v, col as isize)?
            };
            match self.next_content(next) {
                Some((l, f2)) if !self.is_doc_marker(l) && f2 - l >= col => {
                    if f2 - l > col || self.is_dash(f2) {
                        return None;
                    }
                    f = f2;
                }
                _ => {
                    self.emit(Event::MappingEnd, next, next)?;
                    self.depth -= 1;
                    return Some(next);
                }
            }
        }
    }

    /// A block sequence whose first `-` is at `f0` on the line starting at
    /// `ls`. An indentless one (a mapping value in the key's column) ends at
    /// the first line of that column without a `-`.
    fn block_seq(&mut self, ls: usize, f0: usize, indentless: bool) -> Option<usize> {
        self.enter()?;
        let col = f0 - ls;
        if indentless {
            // The full parser marks it at the first item's first token.
            let t = self.skip_spaces(f0 + 1);
            if matches!(self.at(t), 0 | b'\n' | b'#') {
                return None;
            }
            self.emit(Event::SequenceStart(0, None), t, t)?;
        } else {
            self.emit(Event::SequenceStart(0, None), f0, f0)?;
        }
        let mut f = f0;
        loop {
            let line_start = f - col;
            let v = self.skip_spaces(f + 1);
            let next = if matches!(self.at(v), 0 | b'\n' | b'#') {
                let le = self.line_end(f);
                let nl = self.next_line(f);
                match self.next_content(nl) {
                    Some((l, f2)) if !self.is_doc_marker(l) && f2 - l > col => self.nested(l, f2, col as isize)?,
                    _ => {
                        self.scalar(Cow::Borrowed(""), PStyle::Plain, le, le)?;
                        nl
                    }
                }
            } else if self.is_dash(v) {
                return None;
            } else if let Some(key) = self.key_at(v) {
                self.block_map(v, v - line_start, Some(key))?
            } else {
                self.inline_value(v, col as isize)?
            };
            match self.next_content(next) {
                Some((l, f2)) if !self.is_doc_marker(l) && f2 - l >= col => {
                    if f2 - l == col && self.is_dash(f2) {
                        f = f2;
                        continue;
                    }
                    if !(indentless && f2 - l == col) {
                        return None;
                    }
                }
                _ => {}
            }
            self.emit(Event::SequenceEnd, next, next)?;
            self.depth -= 1;
            return Some(next);
        }
    }

    /// A node that starts on its parent's line at `v` (after `key: ` or
    /// `- `); returns where the next line starts.
    fn inline_value(&mut self, v: usize, parent: isize) -> Option<usize> {
        let end = match self.at(v) {
            b'"' | b'\'' => {
                let (value, style, end) = self.quoted(v, Some(parent))?;
                self.scalar(value, style, v, end)?;
                end
            }
            b'|' => return self.literal(v, parent),
            b'[' | b'{' => self.flow(v)?,
            _ => return self.plain(v, parent),
        };
        self.finish_line(end, parent)
    }
}

/// The events the fast path emits for `text` (with byte spans), and
/// whether it took the text: for comparing with the full parser's events
/// when the two disagree.
#[doc(hidden)]
pub fn fast_path_events(text: &str) -> (bool, Vec<String>) {
    let mut events = Vec::new();
    let taken = run(text, &mut |e, sp: PSpan| {
        events.push(format!("{e:?} {}..{}", sp.start.index(), sp.end.index()));
        true
    });
    (taken, events)
}

mod scalars;

#[cfg(test)]
mod tests {
    use super::printable;

    /// The character-by-character definition the block check replaces.
    fn by_chars(text: &str) -> bool {
        text.chars().all(|c| {
            c == '\n'
                || (' '..='~').contains(&c)
                || (c >= '\u{a0}' && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'))
        })
    }

    #[test]
    fn printable_agrees_with_the_definition_for_every_character_at_every_offset() {
        let chars = (0u32..0x1_0000)
            .chain([0x1_0000, 0x1_f600, 0x10_fffd, 0x10_ffff])
            .filter_map(char::from_u32);
        for c in chars {
            // Before, inside and across the 32-byte blocks.
            for pad in [0usize, 1, 29, 30, 31, 32, 33] {
                let text = format!("{}{c}ab", "x".repeat(pad));
                assert_eq!(printable(text.as_bytes()), by_chars(&text), "{c:?} after {pad} bytes");
            }
        }
        assert!(printable(b""));
        assert!(printable("key: v\u{e9}lue\n".repeat(40).as_bytes()));
    }
}

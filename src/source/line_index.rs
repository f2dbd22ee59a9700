//! Byte offset ⇄ line/column conversion.
//!
//! Offsets are bytes into the file's text. Lines and columns handed to users
//! are 1-based, columns counted in characters; the LSP asks for 0-based UTF-16
//! columns, computed from the same index.

/// A 1-based line and column (column in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// Start offsets of every line of a text, and (for non-ASCII text) a
/// checkpoint every `BLOCK` (256) bytes with the characters and UTF-16 units
/// before it, so every conversion scans at most one block: no conversion
/// reads the text from its start or from the start of a (long) line.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    /// Byte offset of the first byte of each line; `line_starts[0] == 0`.
    line_starts: Vec<u32>,
    /// Total length of the text in bytes.
    len: u32,
    /// The text is pure ASCII: columns in bytes, chars and UTF-16 agree.
    ascii: bool,
    /// The text starts with a UTF-8 byte-order mark, which editors do not
    /// show: columns on the first line do not count it.
    bom: bool,
    /// Empty for ASCII text; else a checkpoint at the first char boundary at
    /// or after every multiple of [`BLOCK`].
    checkpoints: Vec<Checkpoint>,
}

/// Characters and UTF-16 code units before a byte offset.
#[derive(Debug, Clone, Copy, Default)]
struct Checkpoint {
    byte: u32,
    chars: u32,
    utf16: u32,
}

/// Bytes between checkpoints: the most any conversion scans.
const BLOCK: usize = 256;

fn is_char_start(b: u8) -> bool {
    b & 0xC0 != 0x80
}

/// The characters and UTF-16 units that start in `bytes`, 8 bytes at a
/// time: a byte starts a character unless it is `10xxxxxx`, and a lead
/// byte of `11110xxx` (or above) starts two UTF-16 units.
fn count_chars(bytes: &[u8]) -> (u32, u32) {
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let (mut chars, mut utf16) = (0u32, 0u32);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = <[u8; 8]>::try_from(c).map_or(0, u64::from_le_bytes);
        // Bit 7 of a byte set where its bits 7 and 6 are 1 and 0; where
        // its bits 7 to 4 are all 1. (A left shift moves a byte's bit 6, 5
        // or 4 into its own bit 7.)
        let continuation = (w & !(w << 1) & HIGHS).count_ones();
        let four = (w & (w << 1) & (w << 2) & (w << 3) & HIGHS).count_ones();
        chars += 8 - continuation;
        utf16 += 8 - continuation + four;
    }
    for &b in chunks.remainder() {
        if is_char_start(b) {
            chars += 1;
            utf16 += utf16_units(b);
        }
    }
    (chars, utf16)
}

/// UTF-16 units of the character a lead byte starts.
fn utf16_units(lead: u8) -> u32 {
    if lead >= 0xF0 { 2 } else { 1 }
}

/// What [`newlines`] found besides the line starts.
enum Scan {
    /// No `\r`; whether every byte is ASCII.
    NoCr { ascii: bool },
    /// A `\r`: the line starts pushed (if any) are to be thrown away.
    Cr,
}

/// Pushes the offset after each `\n` of `bytes`, 64 bytes at a time with
/// SSE2 (part of every x86-64 CPU), telling whether a `\r` or a byte
/// above 0x7F was seen on the way. One pass instead of three (a search for
/// `\r`, one for each `\n`, `is_ascii`): memchr's search returns at
/// each of a manifest's short lines, about 70 instructions a line.
#[cfg(target_arch = "x86_64")]
fn newlines(bytes: &[u8], starts: &mut Vec<u32>) -> Scan {
    // SAFETY: every x86-64 CPU has SSE2.
    unsafe { newlines_sse2(bytes, starts) }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn newlines_sse2(bytes: &[u8], starts: &mut Vec<u32>) -> Scan {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_setzero_si128,
    };
    /// Chunks of 64 bytes whose masks are found before their line starts
    /// are pushed: no call (a push that grows) among the vector work.
    const GROUP: usize = 16;
    let nl = _mm_set1_epi8(b'\n' as i8);
    let cr = _mm_set1_epi8(b'\r' as i8);
    let (mut high, mut crs) = (_mm_setzero_si128(), _mm_setzero_si128());
    let mut chunks = bytes.chunks_exact(64);
    let mut base = 0u32;
    loop {
        let mut masks = [0u64; GROUP];
        let mut n = 0;
        // The masks first: `zip` takes no chunk once they are all used.
        for (m, c) in masks.iter_mut().zip(chunks.by_ref()) {
            let p = c.as_ptr().cast::<__m128i>();
            // SAFETY: `c` is 64 bytes long, and unaligned loads are allowed.
            let v = unsafe { [0, 1, 2, 3].map(|i| _mm_loadu_si128(p.add(i))) };
            let mut found = 0u64;
            for (i, v) in v.into_iter().enumerate() {
                found |= u64::from(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)) as u16) << (16 * i);
                crs = _mm_or_si128(crs, _mm_cmpeq_epi8(v, cr));
                high = _mm_or_si128(high, v);
            }
            *m = found;
            n += 1;
        }
        if n == 0 {
            break;
        }
        // Room for exactly these line starts (growing by doubling when
        // it must, as pushes would).
        starts.reserve(masks[..n].iter().map(|m| m.count_ones() as usize).sum());
        for m in &masks[..n] {
            let mut m = *m;
            while m != 0 {
                starts.push(base + m.trailing_zeros() + 1);
                m &= m - 1;
            }
            base += 64;
        }
    }
    let rest = chunks.remainder();
    starts.extend(memchr::memchr_iter(b'\n', rest).map(|i| base + i as u32 + 1));
    if _mm_movemask_epi8(crs) != 0 || rest.contains(&b'\r') {
        Scan::Cr
    } else {
        Scan::NoCr {
            ascii: _mm_movemask_epi8(high) == 0 && rest.is_ascii(),
        }
    }
}

/// [`newlines`] where SSE2 is not known to be there.
#[cfg(not(target_arch = "x86_64"))]
fn newlines(bytes: &[u8], starts: &mut Vec<u32>) -> Scan {
    newlines_portable(bytes, starts)
}

/// [`newlines`] without SSE2 (the tests compare the two).
#[cfg(any(test, not(target_arch = "x86_64")))]
fn newlines_portable(bytes: &[u8], starts: &mut Vec<u32>) -> Scan {
    if memchr::memchr(b'\r', bytes).is_some() {
        return Scan::Cr;
    }
    starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i as u32 + 1));
    Scan::NoCr {
        ascii: bytes.is_ascii(),
    }
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = Vec::with_capacity(bytes.len() / 32 + 1);
        line_starts.push(0);
        // Line breaks: `\n`, `\r\n` (ends at the `\n`) and a lone `\r` (old
        // Mac files), as YAML 1.2 reads them. Most texts have no `\r`: one
        // pass finds their `\n`s and whether they are ASCII.
        let ascii = match newlines(bytes, &mut line_starts) {
            Scan::NoCr { ascii } => ascii,
            Scan::Cr => {
                line_starts.truncate(1);
                for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
                    if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                        continue;
                    }
                    line_starts.push(i as u32 + 1);
                }
                text.is_ascii()
            }
        };
        let mut checkpoints = Vec::new();
        if !ascii {
            checkpoints.reserve(bytes.len() / BLOCK + 1);
            let (mut chars, mut utf16) = (0u32, 0u32);
            let mut at = 0usize;
            while at < bytes.len() {
                checkpoints.push(Checkpoint {
                    byte: at as u32,
                    chars,
                    utf16,
                });
                let mut end = (at + BLOCK).min(bytes.len());
                while end < bytes.len() && !is_char_start(bytes[end]) {
                    end += 1;
                }
                let (c, u) = count_chars(&bytes[at..end]);
                chars += c;
                utf16 += u;
                at = end;
            }
        }
        LineIndex {
            line_starts,
            len: bytes.len() as u32,
            ascii,
            bom: text.starts_with('\u{feff}'),
            checkpoints,
        }
    }

    pub fn is_ascii(&self) -> bool {
        self.ascii
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line number containing `offset`.
    pub fn line_of(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Byte range of a 0-based line, excluding the line terminator.
    pub fn line_range(&self, text: &str, line: usize) -> (u32, u32) {
        let start = self.line_starts.get(line).copied().unwrap_or(self.len);
        let mut end = self.line_starts.get(line + 1).map(|s| s - 1).unwrap_or(self.len);
        let bytes = text.as_bytes();
        if end > start && bytes.get(end as usize) == Some(&b'\n') && bytes.get(end as usize - 1) == Some(&b'\r') {
            end -= 1;
        }
        (start, end)
    }

    /// Byte offset of the start of a 0-based line (or the end of text).
    pub fn line_start(&self, line: usize) -> u32 {
        self.line_starts.get(line).copied().unwrap_or(self.len)
    }

    /// The last checkpoint at or before `offset`.
    fn checkpoint_before(&self, offset: u32) -> Checkpoint {
        let i = self.checkpoints.partition_point(|c| c.byte <= offset);
        self.checkpoints.get(i.wrapping_sub(1)).copied().unwrap_or_default()
    }

    /// Characters and UTF-16 units that start before `offset` (a character
    /// that `offset` falls inside counts).
    fn units_before(&self, text: &str, offset: u32) -> (u32, u32) {
        let offset = offset.min(self.len);
        if self.ascii {
            return (offset, offset);
        }
        let cp = self.checkpoint_before(offset);
        let (mut chars, mut utf16) = (cp.chars, cp.utf16);
        for &b in text.as_bytes().get(cp.byte as usize..offset as usize).unwrap_or(&[]) {
            if is_char_start(b) {
                chars += 1;
                utf16 += utf16_units(b);
            }
        }
        (chars, utf16)
    }

    /// 1-based line and character column of a byte offset.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let column = self.units_before(text, offset).0 - self.units_before(text, start).0;
        let column = if self.bom && line == 0 && offset >= 3 {
            column - 1
        } else {
            column
        };
        LineCol {
            line: line as u32 + 1,
            column: column + 1,
        }
    }

    /// 0-based line and UTF-16 column of a byte offset (LSP positions).
    pub fn utf16_position(&self, text: &str, offset: u32) -> (u32, u32) {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let col = self.units_before(text, offset).1 - self.units_before(text, start).1;
        (line as u32, col)
    }

    /// 0-based line and UTF-8 (byte) column of a byte offset.
    pub fn utf8_position(&self, offset: u32) -> (u32, u32) {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        (line as u32, offset - self.line_starts[line])
    }

    /// Byte offset of a 0-based line and UTF-8 column, clamped to the line.
    pub fn offset_of_utf8(&self, text: &str, line: u32, col: u32) -> u32 {
        if line as usize >= self.line_starts.len() {
            return self.len;
        }
        let (start, end) = self.line_range(text, line as usize);
        let mut at = start.saturating_add(col).min(end);
        while at > start && !text.is_char_boundary(at as usize) {
            at -= 1;
        }
        at
    }

    /// Byte offset of a 0-based line and UTF-16 column (LSP positions).
    /// Positions past the end of a line clamp to the line's end; a column
    /// inside a surrogate pair moves past the character.
    pub fn offset_of_utf16(&self, text: &str, line: u32, col: u32) -> u32 {
        if line as usize >= self.line_starts.len() {
            return self.len;
        }
        let (start, end) = self.line_range(text, line as usize);
        if self.ascii {
            return start.saturating_add(col).min(end);
        }
        let line_units = self.units_before(text, start).1;
        let target = line_units.saturating_add(col);
        // The last checkpoint inside the line whose count is at or below
        // the target, else the line start.
        let i = self.checkpoints.partition_point(|c| c.byte <= end && c.utf16 <= target);
        let (mut at, mut units) = match self.checkpoints.get(i.wrapping_sub(1)) {
            Some(c) if c.byte > start => (c.byte, c.utf16),
            _ => (start, line_units),
        };
        let bytes = text.as_bytes();
        while at < end && units < target {
            units += utf16_units(bytes[at as usize]);
            at += 1;
            while at < end && !is_char_start(bytes[at as usize]) {
                at += 1;
            }
        }
        at
    }
}

/// Converts the character indices reported by the YAML parser into byte
/// offsets. For ASCII text the two agree; otherwise a checkpoint every
/// `STEP` characters bounds each conversion to a short scan.
pub struct CharToByte<'a> {
    text: &'a str,
    checkpoints: Vec<u32>,
}

const STEP: usize = 64;

impl<'a> CharToByte<'a> {
    pub fn new(text: &'a str) -> Self {
        let checkpoints = if text.is_ascii() {
            Vec::new()
        } else {
            let mut cps = Vec::with_capacity(text.len() / STEP + 1);
            for (n, (i, _)) in text.char_indices().enumerate() {
                if n % STEP == 0 {
                    cps.push(i as u32);
                }
            }
            cps
        };
        CharToByte { text, checkpoints }
    }

    pub fn byte(&self, char_index: usize) -> u32 {
        if self.checkpoints.is_empty() {
            return (char_index.min(self.text.len())) as u32;
        }
        let cp = char_index / STEP;
        let Some(&base) = self.checkpoints.get(cp) else {
            return self.text.len() as u32;
        };
        let rest = char_index % STEP;
        let tail = &self.text[base as usize..];
        match tail.char_indices().nth(rest) {
            Some((i, _)) => base + i as u32,
            None => self.text.len() as u32,
        }
    }

    /// The character index of a byte offset (the character it falls in).
    pub fn char_index(&self, byte: u32) -> usize {
        let byte = (byte as usize).min(self.text.len());
        if self.checkpoints.is_empty() {
            return byte;
        }
        let k = self
            .checkpoints
            .partition_point(|&c| c as usize <= byte)
            .saturating_sub(1);
        let base = self.checkpoints.get(k).copied().unwrap_or(0) as usize;
        let tail = self.text.as_bytes().get(base..byte).unwrap_or(&[]);
        k * STEP + tail.iter().filter(|b| is_char_start(**b)).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counting 8 bytes at a time agrees with counting `char`s, for
    /// characters of every UTF-8 length at every place in a word.
    #[test]
    fn chars_and_utf16_units_are_counted_as_str_counts_them() {
        for c in ['a', '\u{7f}', 'é', '\u{7ff}', '€', '\u{ffff}', '😀', '\u{10ffff}'] {
            for pad in 0..9 {
                let s = format!("{}{c}{}{c}{c}", "x".repeat(pad), "é".repeat(pad));
                let want = (s.chars().count() as u32, s.encode_utf16().count() as u32);
                assert_eq!(count_chars(s.as_bytes()), want, "{s:?}");
            }
        }
    }

    #[test]
    fn lines_and_columns() {
        let text = "a: 1\nbé: 2\r\nc: 3";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(text, 5), LineCol { line: 2, column: 1 });
        // 'é' is two bytes: the ':' after it is at byte 8, char column 3.
        assert_eq!(idx.line_col(text, 8), LineCol { line: 2, column: 3 });
        assert_eq!(idx.line_col(text, 13), LineCol { line: 3, column: 1 });
        assert_eq!(idx.line_range(text, 1), (5, 11));
    }

    #[test]
    fn bom_is_not_a_column() {
        let text = "\u{feff}a: 1\nb: 2";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 3), LineCol { line: 1, column: 1 });
        assert_eq!(idx.line_col(text, 6), LineCol { line: 1, column: 4 });
    }

    #[test]
    fn utf16_round_trip() {
        let text = "x: \"😀\"\ny: 1\n";
        let idx = LineIndex::new(text);
        let quote_after = text.rfind('"').unwrap_or(0) as u32;
        let (l, c) = idx.utf16_position(text, quote_after);
        assert_eq!((l, c), (0, 6));
        assert_eq!(idx.offset_of_utf16(text, l, c), quote_after);
        assert_eq!(idx.offset_of_utf16(text, 1, 99), 14);
    }

    #[test]
    fn char_to_byte() {
        let text: String = "é".repeat(200) + "x";
        let m = CharToByte::new(&text);
        assert_eq!(m.byte(0), 0);
        assert_eq!(m.byte(1), 2);
        assert_eq!(m.byte(200), 400);
        assert_eq!(m.byte(65), 130);
        let ascii = CharToByte::new("abc");
        assert_eq!(ascii.byte(2), 2);
    }

    #[test]
    fn lone_cr_breaks_lines() {
        let text = "a: 1\rb: 2\rc: 3";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 3);
        assert_eq!(idx.line_col(text, 5), LineCol { line: 2, column: 1 });
        assert_eq!(idx.line_col(text, 12), LineCol { line: 3, column: 3 });
        assert_eq!(idx.line_range(text, 1), (5, 9));
        assert_eq!(idx.offset_of_utf16(text, 2, 1), 11);
    }

    /// The conversions as defined, by scanning from the line start.
    fn naive(text: &str, idx: &LineIndex, offset: u32) -> (u32, u32, u32) {
        let line = idx.line_of(offset);
        let start = idx.line_start(line) as usize;
        let before = text.get(start..).unwrap_or("");
        let chars: Vec<(usize, char)> = before
            .char_indices()
            .take_while(|(i, _)| start + i < offset as usize)
            .collect();
        let mut col = chars.len() as u32;
        if idx.bom && line == 0 && offset >= 3 {
            col -= 1;
        }
        let utf16 = chars.iter().map(|(_, c)| c.len_utf16() as u32).sum();
        (line as u32, col + 1, utf16)
    }

    #[test]
    fn conversions_agree_with_a_scan() {
        let pieces = ["a", "é", "😀", "\n", "\r\n", "\r", "xyz", "\u{feff}", "中文"];
        let mut seed = 0x1234_5678_9abc_def1u64;
        for round in 0..200 {
            let mut text = String::new();
            let n = 1 + round * 7;
            for _ in 0..n {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            let idx = LineIndex::new(&text);
            for offset in 0..=text.len() as u32 {
                let (line, col, utf16) = naive(&text, &idx, offset);
                let lc = idx.line_col(&text, offset);
                assert_eq!((lc.line, lc.column), (line + 1, col), "{text:?} at {offset}");
                assert_eq!(idx.utf16_position(&text, offset), (line, utf16), "{text:?} at {offset}");
                if text.is_char_boundary(offset as usize) {
                    let (start, end) = idx.line_range(&text, line as usize);
                    if offset <= end {
                        assert_eq!(idx.offset_of_utf16(&text, line, utf16), offset, "{text:?} at {offset}");
                    } else {
                        assert!(offset > start);
                    }
                }
            }
        }
    }

    /// Line starts as defined, a byte at a time.
    fn naive_starts(text: &str) -> Vec<u32> {
        let b = text.as_bytes();
        let mut starts = vec![0];
        for (i, &c) in b.iter().enumerate() {
            if c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
                starts.push(i as u32 + 1);
            }
        }
        starts
    }

    #[test]
    fn line_starts_agree_with_a_byte_scan_across_chunk_edges() {
        // Texts of every length around the 64-byte chunks (and groups of
        // 16 chunks) the scan reads, with and without `\r` and bytes above
        // 0x7F, each before, on and after a chunk's edge.
        for special in ["", "\r", "\r\n", "é", "😀"] {
            for len in (0..140).chain([1023, 1024, 1025, 1087, 1088, 1089, 3000]) {
                for at in [0, 15, 16, 31, 32, 33, 63, 64, 65, 98, 1023, 1024, 1025, 1088, 2999] {
                    let mut text: String = (0..len).map(|i| if i % 7 == 3 { '\n' } else { 'a' }).collect();
                    if at <= text.len() {
                        text.insert_str(at, special);
                    }
                    let idx = LineIndex::new(&text);
                    assert_eq!(idx.line_starts, naive_starts(&text), "{text:?}");
                    assert_eq!(idx.is_ascii(), text.is_ascii(), "{text:?}");
                    // The scan without SSE2 finds what the SSE2 one finds.
                    let (mut fast, mut portable) = (Vec::new(), Vec::new());
                    let scans = (
                        newlines(text.as_bytes(), &mut fast),
                        newlines_portable(text.as_bytes(), &mut portable),
                    );
                    match scans {
                        (Scan::NoCr { ascii: a }, Scan::NoCr { ascii: b }) => {
                            assert_eq!((a, &fast), (b, &portable), "{text:?}");
                        }
                        (Scan::Cr, Scan::Cr) => {}
                        _ => panic!("the scans disagree on {text:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn char_index_inverts_byte() {
        let text: String = "aé😀\n".repeat(100);
        let m = CharToByte::new(&text);
        for (n, (i, _)) in text.char_indices().enumerate() {
            assert_eq!(m.byte(n), i as u32);
            assert_eq!(m.char_index(i as u32), n);
        }
    }
}

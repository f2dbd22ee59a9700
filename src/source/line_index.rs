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

/// Start offsets of every line of a text.
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
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = Vec::with_capacity(bytes.len() / 32 + 1);
        line_starts.push(0);
        // A lone '\r' (old Mac) is not a line break for YAML 1.2 readers in
        // practice; '\r\n' ends at '\n'.
        line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i as u32 + 1));
        LineIndex {
            line_starts,
            len: bytes.len() as u32,
            ascii: text.is_ascii(),
            bom: text.starts_with('\u{feff}'),
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
        if end > start && bytes.get(end as usize - 1) == Some(&b'\r') {
            end -= 1;
        }
        (start, end)
    }

    /// Byte offset of the start of a 0-based line (or the end of text).
    pub fn line_start(&self, line: usize) -> u32 {
        self.line_starts.get(line).copied().unwrap_or(self.len)
    }

    /// 1-based line and character column of a byte offset.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = offset.min(self.len);
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let column = if self.ascii {
            offset - start
        } else {
            let slice = text.get(start as usize..offset as usize);
            match slice {
                Some(s) => s.chars().count() as u32,
                // Offset inside a multi-byte char: count up to the char boundary.
                None => text
                    .get(start as usize..)
                    .map(|s| {
                        s.char_indices()
                            .take_while(|(i, _)| (*i as u32) < offset - start)
                            .count() as u32
                    })
                    .unwrap_or(0),
            }
        };
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
        let col = if self.ascii {
            offset - start
        } else {
            text.get(start as usize..)
                .map(|s| {
                    s.char_indices()
                        .take_while(|(i, _)| (*i as u32) < offset - start)
                        .map(|(_, c)| c.len_utf16() as u32)
                        .sum()
                })
                .unwrap_or(0)
        };
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
        let mut at = (start + col).min(end);
        while at > start && !text.is_char_boundary(at as usize) {
            at -= 1;
        }
        at
    }

    /// Byte offset of a 0-based line and UTF-16 column (LSP positions).
    /// Positions past the end of a line clamp to the line's end.
    pub fn offset_of_utf16(&self, text: &str, line: u32, col: u32) -> u32 {
        let (start, end) = self.line_range(text, line as usize);
        if line as usize >= self.line_starts.len() {
            return self.len;
        }
        let Some(s) = text.get(start as usize..end as usize) else {
            return start;
        };
        let mut units = 0u32;
        for (i, c) in s.char_indices() {
            if units >= col {
                return start + i as u32;
            }
            units += c.len_utf16() as u32;
        }
        end
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

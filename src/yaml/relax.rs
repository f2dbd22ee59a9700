//! Compatibility with the YAML reader Kubernetes uses.
//!
//! go-yaml (libyaml) accepts multi-line flow collections and quoted scalars
//! whose continuation lines are indented no deeper than their parent key:
//!
//! ```yaml
//!   args: [
//!       "--flag",
//!   ]
//! ```
//!
//! `saphyr-parser` follows the YAML 1.2 indentation rule and rejects them.
//! Inside a flow collection or a quoted scalar, leading white space on a
//! continuation line carries no meaning, so when a document fails with an
//! indentation error we indent those lines a little further and parse
//! again. [`Shift`] maps offsets in the re-indented text back to the
//! original bytes, so every span still points at the user's file.

/// Inserted runs of spaces: `(offset in the new text, total inserted so far)`.
#[derive(Debug, Default, Clone)]
pub struct Shift {
    runs: Vec<(u32, u32)>,
}

impl Shift {
    /// The original offset of an offset in the re-indented text. Offsets
    /// inside an inserted run map to where it was inserted.
    pub fn original(&self, new_offset: u32) -> u32 {
        let i = self.runs.partition_point(|(at, _)| *at <= new_offset);
        let before = if i > 0 { self.runs[i - 1].1 } else { 0 };
        if let Some(&(at, total)) = self.runs.get(i) {
            let added = total - before;
            if new_offset + added >= at {
                return at - total;
            }
        }
        new_offset - before
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quote {
    Single,
    Double,
}

/// Whether a scanner message is one of the indentation rules go-yaml does
/// not enforce.
pub fn is_indentation_error(info: &str) -> bool {
    info.contains("invalid indentation")
}

/// Re-indents continuation lines of multi-line flow collections and quoted
/// scalars. Returns `None` when no line needed it.
pub fn relax_indentation(src: &str) -> Option<(String, Shift)> {
    let mut out = String::with_capacity(src.len() + 256);
    let mut shift = Shift::default();
    let mut inserted_total = 0u32;
    let mut depth = 0usize;
    let mut quote: Option<Quote> = None;
    let mut open_indent = 0usize;
    let mut block_scalar: Option<usize> = None;

    for line in src.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = line.trim();
        let inside = depth > 0 || quote.is_some();

        if let Some(parent) = block_scalar {
            if content.is_empty() || indent > parent {
                out.push_str(line);
                continue;
            }
            block_scalar = None;
        }

        if inside {
            if !content.is_empty() && indent <= open_indent {
                let add = open_indent + 2 - indent;
                out.push_str(&" ".repeat(add));
                inserted_total += add as u32;
                shift.runs.push((out.len() as u32, inserted_total));
            }
        } else {
            open_indent = indent;
        }
        out.push_str(line);

        // Scan the line to follow quotes and brackets.
        let bytes = line.as_bytes();
        let mut i = indent;
        let mut value_start = !inside;
        while i < bytes.len() {
            let c = bytes[i];
            match quote {
                Some(Quote::Single) => {
                    if c == b'\'' {
                        if bytes.get(i + 1) == Some(&b'\'') {
                            i += 1;
                        } else {
                            quote = None;
                        }
                    }
                }
                Some(Quote::Double) => {
                    if c == b'\\' {
                        i += 1;
                    } else if c == b'"' {
                        quote = None;
                    }
                }
                None => match c {
                    b'#' if i == 0 || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t' => break,
                    b'\'' if value_start => quote = Some(Quote::Single),
                    b'"' if value_start => quote = Some(Quote::Double),
                    b'[' | b'{' if value_start || depth > 0 => {
                        depth += 1;
                        value_start = true;
                        i += 1;
                        continue;
                    }
                    b']' | b'}' if depth > 0 => depth -= 1,
                    b',' if depth > 0 => {
                        value_start = true;
                        i += 1;
                        continue;
                    }
                    b'|' | b'>' if value_start && depth == 0 => {
                        block_scalar = Some(indent);
                        break;
                    }
                    b' ' | b'\t' | b'\r' | b'\n' => {
                        i += 1;
                        continue;
                    }
                    b':' | b'-' | b'?' if matches!(bytes.get(i + 1), Some(b' ' | b'\t' | b'\r' | b'\n') | None) => {
                        value_start = true;
                        i += 1;
                        continue;
                    }
                    _ => {}
                },
            }
            value_start = false;
            i += 1;
        }
    }
    if shift.runs.is_empty() {
        None
    } else {
        Some((out, shift))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reindents_flow_and_quoted_continuations() {
        let src = "a:\n  args: [\n    \"x\",\n  ]\n  ann: '[\n    {}\n  ]'\n  b: 1\n";
        let (text, shift) = relax_indentation(src).unwrap_or_else(|| panic!("expected changes"));
        assert_eq!(
            text,
            "a:\n  args: [\n    \"x\",\n    ]\n  ann: '[\n    {}\n    ]'\n  b: 1\n"
        );
        // `]` of args: new offset 27 → original 25.
        let new_close = text.find("    ]").map_or(0, |i| i + 4) as u32;
        assert_eq!(shift.original(new_close), src.find("  ]").map_or(0, |i| i + 2) as u32);
        // Before any insertion offsets are unchanged.
        assert_eq!(shift.original(3), 3);
        // `b` after two insertions of 2 spaces each.
        let b_new = text.find("b: 1").unwrap_or(0) as u32;
        assert_eq!(shift.original(b_new), src.find("b: 1").unwrap_or(0) as u32);
    }

    #[test]
    fn leaves_block_scalars_and_plain_text_alone() {
        let src = "a: |\n  it's [not\nb: don't [stop]\n";
        assert!(relax_indentation(src).is_none());
    }
}

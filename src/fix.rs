//! Text edits that fix or suppress findings, shared by `--fix` and the
//! language server's code actions.

use crate::diagnostic::Edit;
use crate::source::{FileId, SourceFile};
use crate::yaml::Span;

/// An edit that silences `rule` on the line where `offset` is: appends
/// `# kvet: ignore[rule]`, or adds the rule to a suppression already there.
/// `None` for JSON files (no comments) or when the line already silences
/// every rule.
pub fn suppress_line(file: &SourceFile, fid: FileId, offset: u32, rule: &str) -> Option<Edit> {
    if file.looks_like_json() {
        return None;
    }
    let line = file.line_index.line_of(offset);
    let (start, end) = file.line_index.line_range(&file.text, line);
    let text = file.slice(start, end);
    if let Some(k) = text.find("kvet: ignore") {
        let after = &text[k + "kvet: ignore".len()..];
        if after.starts_with('[') {
            let close = after.find(']')?;
            let list = &after[1..close];
            if list.split(',').any(|r| r.trim() == rule) {
                return None;
            }
            let at = start + (k + "kvet: ignore".len() + close) as u32;
            return Some(Edit {
                file: fid,
                span: Span::new(at, at),
                replacement: format!(", {rule}"),
            });
        }
        if after.is_empty() || after.starts_with(' ') {
            // A bare `kvet: ignore` already silences every rule.
            return None;
        }
    }
    let trimmed_end = start + text.trim_end().len() as u32;
    Some(Edit {
        file: fid,
        span: Span::new(trimmed_end, end),
        replacement: format!(" # kvet: ignore[{rule}]"),
    })
}

/// An edit that silences `rule` in the whole file: a `# kvet:
/// ignore-file[...]` line at the top, or the rule added to one there.
pub fn suppress_file(file: &SourceFile, fid: FileId, rule: &str) -> Option<Edit> {
    if file.looks_like_json() {
        return None;
    }
    let text = &file.text;
    for (i, line) in text.split('\n').enumerate().take(64) {
        if let Some(k) = line.find("kvet: ignore-file[") {
            let list_at = k + "kvet: ignore-file[".len();
            let close = line[list_at..].find(']')?;
            if line[list_at..list_at + close].split(',').any(|r| r.trim() == rule) {
                return None;
            }
            let at = file.line_index.line_start(i) + (list_at + close) as u32;
            return Some(Edit {
                file: fid,
                span: Span::new(at, at),
                replacement: format!(", {rule}"),
            });
        }
    }
    let at = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    Some(Edit {
        file: fid,
        span: Span::new(at, at),
        replacement: format!("# kvet: ignore-file[{rule}]{newline}"),
    })
}

/// Applies non-overlapping edits to a text (later edits first).
pub fn apply_edits(text: &str, edits: &[&Edit]) -> String {
    let mut sorted: Vec<&&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0usize;
    for e in sorted {
        let (s, t) = (e.span.start as usize, e.span.end as usize);
        if s < at || t > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(t) {
            continue;
        }
        out.push_str(&text[at..s]);
        out.push_str(&e.replacement);
        at = t;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::from_text("x.yaml", None, text.to_string())
    }

    #[test]
    fn line_suppressions() {
        let f = file("a: 1\nb: 2   \nc: 3 # kvet: ignore[x]\n");
        let e = suppress_line(&f, 0, 6, "rule-a").unwrap_or_else(|| panic!("edit"));
        assert_eq!(
            apply_edits(&f.text, &[&e]),
            "a: 1\nb: 2 # kvet: ignore[rule-a]\nc: 3 # kvet: ignore[x]\n"
        );
        let e = suppress_line(&f, 0, 15, "rule-a").unwrap_or_else(|| panic!("edit"));
        assert_eq!(
            apply_edits(&f.text, &[&e]),
            "a: 1\nb: 2   \nc: 3 # kvet: ignore[x, rule-a]\n"
        );
        assert!(suppress_line(&f, 0, 15, "x").is_none());
        let json = SourceFile::from_text("x.json", None, "{}".into());
        assert!(suppress_line(&json, 0, 0, "x").is_none());
    }

    #[test]
    fn file_suppressions() {
        let f = file("\u{feff}a: 1\r\n");
        let e = suppress_file(&f, 0, "r").unwrap_or_else(|| panic!("edit"));
        assert_eq!(
            apply_edits(&f.text, &[&e]),
            "\u{feff}# kvet: ignore-file[r]\r\na: 1\r\n"
        );
        let f = file("# kvet: ignore-file[a]\nb: 1\n");
        let e = suppress_file(&f, 0, "r").unwrap_or_else(|| panic!("edit"));
        assert_eq!(apply_edits(&f.text, &[&e]), "# kvet: ignore-file[a, r]\nb: 1\n");
    }
}

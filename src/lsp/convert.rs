//! Positions and findings in LSP terms.

use lsp_types as lsp;

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceFile;
use crate::yaml::Span;

/// How the client counts columns (negotiated at initialisation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

pub fn position(file: &SourceFile, offset: u32, enc: Encoding) -> lsp::Position {
    let (line, character) = match enc {
        Encoding::Utf8 => file.line_index.utf8_position(offset),
        Encoding::Utf16 => file.line_index.utf16_position(&file.text, offset),
    };
    lsp::Position { line, character }
}

pub fn range(file: &SourceFile, span: Span, enc: Encoding) -> lsp::Range {
    lsp::Range {
        start: position(file, span.start, enc),
        end: position(file, span.end.max(span.start), enc),
    }
}

pub fn offset(file: &SourceFile, pos: lsp::Position, enc: Encoding) -> u32 {
    match enc {
        Encoding::Utf8 => file.line_index.offset_of_utf8(&file.text, pos.line, pos.character),
        Encoding::Utf16 => file.line_index.offset_of_utf16(&file.text, pos.line, pos.character),
    }
}

/// A finding as an LSP diagnostic (labels become related information).
pub fn diagnostic(
    d: &Diagnostic,
    sources: &[SourceFile],
    uri_of: impl Fn(usize) -> Option<lsp::Uri>,
    enc: Encoding,
) -> Option<lsp::Diagnostic> {
    let file = sources.get(d.file as usize)?;
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .filter_map(|l| {
            let lf = sources.get(l.file as usize)?;
            Some(lsp::DiagnosticRelatedInformation {
                location: lsp::Location {
                    uri: uri_of(l.file as usize)?,
                    range: range(lf, l.span, enc),
                },
                message: l.message.clone(),
            })
        })
        .collect();
    let mut message = d.message.clone();
    if let Some(h) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    Some(lsp::Diagnostic {
        range: range(file, d.span, enc),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        }),
        code: Some(lsp::NumberOrString::String(d.rule.to_string())),
        // No docs link: the hover carries the rule's documentation.
        code_description: None,
        source: Some("kvet".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    })
}

/// `file:///a/b%20c.yaml` → `/a/b c.yaml`.
pub fn uri_to_path(uri: &lsp::Uri) -> Option<std::path::PathBuf> {
    let s = uri.as_str();
    let rest = s.strip_prefix("file://")?;
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(rest.get(i + 1..i + 3)?, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok().map(std::path::PathBuf::from)
}

/// `/a/b c.yaml` → `file:///a/b%20c.yaml`.
pub fn path_to_uri(path: &std::path::Path) -> Option<lsp::Uri> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let mut s = String::from("file://");
    for b in abs.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => s.push(b as char),
            _ => s.push_str(&format!("%{b:02X}")),
        }
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip() {
        let p = std::path::Path::new("/tmp/dir with space/ä.yaml");
        let uri = path_to_uri(p).unwrap_or_else(|| panic!("uri"));
        assert_eq!(uri.as_str(), "file:///tmp/dir%20with%20space/%C3%A4.yaml");
        assert_eq!(uri_to_path(&uri).as_deref(), Some(p));
    }

    #[test]
    fn positions_in_both_encodings() {
        let f = SourceFile::from_text("x", None, "a: \"é😀\"\nb: 1\n".into());
        let at = f.text.rfind('"').unwrap_or(0) as u32;
        assert_eq!(
            position(&f, at, Encoding::Utf16),
            // a : space " é 😀(two units) → the quote is unit 7.
            lsp::Position { line: 0, character: 7 }
        );
        assert_eq!(
            position(&f, at, Encoding::Utf8),
            lsp::Position { line: 0, character: 10 }
        );
        assert_eq!(offset(&f, lsp::Position { line: 0, character: 7 }, Encoding::Utf16), at);
        assert_eq!(offset(&f, lsp::Position { line: 0, character: 10 }, Encoding::Utf8), at);
    }
}

//! Positions and findings in LSP terms.

use std::collections::HashMap;

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
        Encoding::Utf8 => file.line_index().utf8_position(offset),
        Encoding::Utf16 => file.line_index().utf16_position(&file.text, offset),
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
        Encoding::Utf8 => file.line_index().offset_of_utf8(&file.text, pos.line, pos.character),
        Encoding::Utf16 => file.line_index().offset_of_utf16(&file.text, pos.line, pos.character),
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

/// The publishDiagnostics notification of `diags` as JSON text, and how
/// many findings it holds: the same text as serializing the notification
/// of the `lsp_types` values [`diagnostic`] builds (`tests` compare them),
/// written straight from the findings (a document with 20,000 findings
/// spent half of each edit building, writing and dropping those values).
pub fn publish_json(
    uri: &lsp::Uri,
    version: Option<i32>,
    diags: &[Diagnostic],
    sources: &[SourceFile],
    uri_of: impl Fn(usize) -> Option<lsp::Uri>,
    enc: Encoding,
) -> (String, usize) {
    let mut out = String::with_capacity(128 + diags.len() * 320);
    out.push_str(r#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"#);
    json_str(&mut out, &[uri.as_str()]);
    out.push_str(r#","diagnostics":["#);
    let mut count = 0;
    // Each label file's URI, written as JSON once (a finding's labels
    // mostly point into its own file: on the 5 MB document, 34,000 labels).
    let mut label_uris: HashMap<u32, Option<String>> = HashMap::new();
    for d in diags {
        let Some(file) = sources.get(d.file as usize) else {
            continue;
        };
        if count > 0 {
            out.push(',');
        }
        count += 1;
        out.push_str(r#"{"range":"#);
        json_range(&mut out, range(file, d.span, enc));
        out.push_str(r#","severity":"#);
        out.push(match d.severity {
            Severity::Error => '1',
            Severity::Warning => '2',
            Severity::Info => '3',
        });
        out.push_str(r#","code":"#);
        json_str(&mut out, &[&d.rule]);
        out.push_str(r#","source":"kvet","message":"#);
        match &d.help {
            Some(h) => json_str(&mut out, &[&d.message, "\nhelp: ", h]),
            None => json_str(&mut out, &[&d.message]),
        }
        let mut related = 0;
        for l in &d.labels {
            let Some(lf) = sources.get(l.file as usize) else {
                continue;
            };
            let luri = label_uris.entry(l.file).or_insert_with(|| {
                uri_of(l.file as usize).map(|u| {
                    let mut text = String::new();
                    json_str(&mut text, &[u.as_str()]);
                    text
                })
            });
            let Some(luri) = luri.as_deref() else {
                continue;
            };
            out.push_str(if related == 0 {
                r#","relatedInformation":["#
            } else {
                ","
            });
            related += 1;
            out.push_str(r#"{"location":{"uri":"#);
            out.push_str(luri);
            out.push_str(r#","range":"#);
            json_range(&mut out, range(lf, l.span, enc));
            out.push_str(r#"},"message":"#);
            json_str(&mut out, &[&l.message]);
            out.push('}');
        }
        if related > 0 {
            out.push(']');
        }
        out.push('}');
    }
    out.push(']');
    if let Some(v) = version {
        out.push_str(r#","version":"#);
        out.push_str(&v.to_string());
    }
    out.push_str("}}");
    (out, count)
}

fn json_range(out: &mut String, r: lsp::Range) {
    for (i, p) in [r.start, r.end].into_iter().enumerate() {
        out.push_str(if i == 0 {
            r#"{"start":{"line":"#
        } else {
            r#","end":{"line":"#
        });
        json_u32(out, p.line);
        out.push_str(r#","character":"#);
        json_u32(out, p.character);
        out.push('}');
    }
    out.push('}');
}

fn json_u32(out: &mut String, n: u32) {
    let mut digits = [0; 10];
    out.push_str(std::str::from_utf8(crate::report::json::decimal(n, &mut digits)).unwrap_or("0"));
}

/// The concatenation of `parts` as one JSON string, escaped as serde_json
/// escapes ([`crate::report::json::escaped`]).
fn json_str(out: &mut String, parts: &[&str]) {
    out.push('"');
    for s in parts {
        crate::report::json::escaped(s, |piece| out.push_str(piece));
    }
    out.push('"');
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
    /// What `serde_json` writes for the notification of the `lsp_types`
    /// values of the findings.
    fn by_serde(uri: &lsp::Uri, version: Option<i32>, diags: &[Diagnostic], sources: &[SourceFile]) -> String {
        #[derive(serde::Serialize)]
        struct Frame {
            jsonrpc: &'static str,
            method: &'static str,
            params: lsp::PublishDiagnosticsParams,
        }
        let uri_of = |i: usize| sources.get(i).and_then(|s| s.path.as_deref()).and_then(path_to_uri);
        let frame = Frame {
            jsonrpc: "2.0",
            method: "textDocument/publishDiagnostics",
            params: lsp::PublishDiagnosticsParams {
                uri: uri.clone(),
                diagnostics: diags
                    .iter()
                    .filter_map(|d| diagnostic(d, sources, uri_of, Encoding::Utf16))
                    .collect(),
                version,
            },
        };
        serde_json::to_string(&frame).unwrap_or_default()
    }

    #[test]
    fn findings_written_directly_equal_serde_s_text() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut paths = Vec::new();
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml" || x == "json") {
                    paths.push(p);
                }
            }
        }
        paths.sort();
        let mut sources: Vec<SourceFile> = paths
            .iter()
            .map(|p| SourceFile::read(p, p.display().to_string()))
            .collect();
        // Text that needs every kind of escape, in a message, a help and a
        // label, with a position past a non-ASCII character.
        let odd = "a: \"é\\\u{1}\u{1f}\t\u{7f}😀\"\nb: 1\n";
        sources.push(SourceFile::from_text(
            "odd",
            Some("/tmp/odd file.yaml".into()),
            odd.into(),
        ));
        let config = crate::config::Config {
            select: vec!["all".into()],
            ..Default::default()
        };
        let mut out = crate::lint::lint(&sources, &config);
        let odd_id = (sources.len() - 1) as u32;
        out.diagnostics.push(
            Diagnostic::new(
                "x",
                Severity::Info,
                odd_id,
                Span::new(12, 14),
                "q\"\\\n\r\t\u{8}\u{c}\u{0}é😀",
            )
            .with_help("h\u{1b}\"")
            .with_label(Span::new(3, 5), "l\\\"\u{2028}")
            .with_label(Span::new(0, 1), ""),
        );
        let uri_of = |i: usize| sources.get(i).and_then(|s| s.path.as_deref()).and_then(path_to_uri);
        let mut compared = 0;
        for (i, s) in sources.iter().enumerate() {
            let diags: Vec<Diagnostic> = out
                .diagnostics
                .iter()
                .filter(|d| d.file as usize == i)
                .cloned()
                .collect();
            let Some(uri) = s.path.as_deref().and_then(path_to_uri) else {
                continue;
            };
            for version in [None, Some(7)] {
                let (text, n) = publish_json(&uri, version, &diags, &sources, uri_of, Encoding::Utf16);
                assert_eq!(text, by_serde(&uri, version, &diags, &sources), "{}", s.name);
                assert_eq!(n, diags.len());
            }
            compared += diags.len();
        }
        assert!(compared > 100, "only {compared} findings compared");
    }
}

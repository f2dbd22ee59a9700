//! YAML syntax errors: the parser's message as a diagnostic, with help
//! that says what to do.

use crate::yaml::{LoadDiagnostic, Span};

/// The help of a template's YAML errors: render it first.
pub(in crate::yaml) const RENDER_FIRST: &str =
    "this looks like a template (`{{ }}`): render it first, e.g. `helm template ... | kvet check -`";

pub(in crate::yaml) fn line_end(text: &str, from: usize) -> usize {
    let from = from.min(text.len());
    text[from..].find(['\n', '\r']).map_or(text.len(), |i| from + i)
}

pub(in crate::yaml) fn syntax_error(text: &str, at: u32, info: &str) -> LoadDiagnostic {
    let (message, help) = explain_scan_error(text, at as usize, info);
    let end = (at as usize + 1).min(line_end(text, at as usize)).max(at as usize);
    LoadDiagnostic {
        rule: "yaml-syntax",
        span: Span::new(at, end as u32),
        message,
        labels: vec![],
        help,
        shadowed: None,
    }
}

/// Turns the parser's terse messages into ones that say what to do.
fn explain_scan_error(text: &str, at: usize, info: &str) -> (String, Option<String>) {
    let line_start = text[..at.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..line_end(text, line_start)];
    let has_tab_indent = line.starts_with('\t') || line.trim_start_matches(' ').starts_with('\t');
    let help = if has_tab_indent {
        Some("YAML does not allow tabs for indentation; indent with spaces".to_string())
    } else if info.contains("mapping values are not allowed") {
        Some("a `:` followed by a space inside a plain value starts a new key; quote the value".into())
    } else if info.contains("did not find expected key") || info.contains("block mapping") {
        Some("check the indentation of this line against the lines above".into())
    } else if line.contains("{{") {
        Some(RENDER_FIRST.into())
    } else {
        None
    };
    (format!("YAML syntax error: {info}"), help)
}

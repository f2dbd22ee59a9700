//! The backends of an `extensions/v1beta1` or `networking.k8s.io/v1beta1`
//! Ingress rewritten for `networking.k8s.io/v1`: `serviceName` and
//! `servicePort` become `service.name` and `service.port.number` (or
//! `service.port.name` for a named port), `spec.backend` becomes
//! `spec.defaultBackend`, and every path gets the `pathType` v1 requires
//! (`ImplementationSpecific`, the behaviour v1beta1 gave a path without
//! one).

use crate::diagnostic::Edit;
use crate::fix::{content_end, insert_entry, newline_of, rename_key, replace_value_inline, yaml_string};
use crate::source::{FileId, SourceFile};
use crate::yaml::{Entry, Node, Span, Value};

/// The apiVersion whose Ingress these edits produce.
pub const TARGET: &str = "networking.k8s.io/v1";

/// The edits, or `None` when a backend is not of the mechanical shape
/// (another key beside `serviceName`/`servicePort`, a comment inside it,
/// a value that is not a scalar).
pub fn edits(file: &SourceFile, fid: FileId, root: &Node) -> Option<Vec<Edit>> {
    let mut out = Vec::new();
    let Some(spec) = root.get("spec") else {
        return Some(out);
    };
    if let Some(entry) = spec.entry("backend") {
        if spec.get("defaultBackend").is_some() {
            return None;
        }
        let quote = match file.text.as_bytes().get(entry.key_span.start as usize) {
            Some(b'"') => "\"",
            Some(b'\'') => "'",
            _ => "",
        };
        out.push(rename_key(fid, entry, &format!("{quote}defaultBackend{quote}")));
        if let Some(e) = backend(file, fid, entry)? {
            out.push(e);
        }
    }
    for rule in spec.get("rules").map(Node::items).unwrap_or(&[]) {
        for path in rule.path(&["http", "paths"]).map(Node::items).unwrap_or(&[]) {
            if !path.is_map() {
                return None;
            }
            if let Some(entry) = path.entry("backend")
                && let Some(e) = backend(file, fid, entry)?
            {
                out.push(e);
            }
            if path.get("pathType").is_none() {
                out.push(insert_entry(file, fid, path, "pathType", "ImplementationSpecific")?);
            }
        }
    }
    Some(out)
}

/// The port of a v1beta1 backend as the v1 `port` mapping's entry.
fn port(node: &Node) -> Option<(&'static str, String)> {
    match &node.value {
        Value::Int(n) if (1..=65535).contains(n) => Some(("number", n.to_string())),
        // A quoted number is a string in the old IntOrString; it can only
        // have meant the number (a port name needs a letter).
        Value::Str(s) => match s.parse::<u16>() {
            Ok(n) if n > 0 && s.bytes().all(|b| b.is_ascii_digit()) => Some(("number", n.to_string())),
            _ => Some(("name", yaml_string(s))),
        },
        _ => None,
    }
}

/// The edit rewriting one backend's value; `Ok(None)` for a backend that
/// already reads as v1 (`service:` or `resource:`), `None` for one that
/// cannot be rewritten mechanically.
fn backend(file: &SourceFile, fid: FileId, entry: &Entry) -> Option<Option<Edit>> {
    let map = entry.value.as_map()?;
    if map.iter().all(|e| matches!(&*e.key, "service" | "resource")) {
        return Some(None);
    }
    if map.iter().any(|e| !matches!(&*e.key, "serviceName" | "servicePort")) {
        return None;
    }
    let name = entry.value.get("serviceName")?;
    if !matches!(name.value, Value::Str(_) | Value::Int(_)) {
        return None;
    }
    let name = yaml_string(&name.scalar_text()?);
    let port = match entry.value.get("servicePort") {
        Some(p) => Some(port(p)?),
        None => None,
    };
    let flow_start = matches!(file.text.as_bytes().get(entry.value.span.start as usize), Some(b'{'));
    if flow_start || file.looks_like_json() {
        let port = port.map(|(k, v)| format!(", port: {{{k}: {v}}}")).unwrap_or_default();
        let flow = format!("{{service: {{name: {name}{port}}}}}");
        return replace_value_inline(file, fid, entry, &flow).map(Some);
    }
    // A block mapping: written back as a block at the same indentation.
    let first = map.first()?;
    let line_start = crate::fix::line_start_at(&file.text, first.key_span.start);
    let pad = " ".repeat((first.key_span.start - line_start) as usize);
    let end = content_end(&file.text, entry.value.span.start, entry.value.span.end);
    let old = file.slice(entry.key_span.end, end);
    if old.contains('#') || !file.slice(line_start, first.key_span.start).trim().is_empty() {
        return None;
    }
    let nl = newline_of(&file.text);
    let mut text = format!(":{nl}{pad}service:{nl}{pad}  name: {name}");
    if let Some((k, v)) = port {
        text.push_str(&format!("{nl}{pad}  port:{nl}{pad}    {k}: {v}"));
    }
    Some(Some(Edit {
        file: fid,
        span: Span::new(entry.key_span.end, end),
        replacement: text,
    }))
}

//! `--format sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure
//! DevOps). The driver lists every rule with its docs; each result has a
//! physical location with a region, related locations for labels, and the
//! fix when there is one.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Registry, RuleDoc};
use crate::source::SourceFile;
use crate::yaml::Span;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A file name as a relative URI (forward slashes, no `./`, percent-encoded).
pub fn artifact_uri(name: &str) -> String {
    let name = name.replace('\\', "/");
    let name = name.trim_start_matches("./");
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn region(file: &SourceFile, span: Span) -> Value {
    let s = file.line_col(span.start);
    let e = file.line_col(span.end.max(span.start));
    let mut r = json!({
        "startLine": s.line,
        "startColumn": s.column,
        "endLine": e.line,
        "endColumn": e.column,
        "charOffset": span.start,
        "charLength": span.len(),
    });
    if let (Some(obj), Some(text)) = (r.as_object_mut(), file.text.get(span.start as usize..span.end as usize)) {
        obj.insert("snippet".into(), json!({ "text": text }));
    }
    r
}

fn location(file: &SourceFile, span: Span) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": artifact_uri(&file.name), "uriBaseId": "%SRCROOT%" },
            "region": region(file, span),
        }
    })
}

fn rule_descriptor(d: &RuleDoc) -> Value {
    let markdown = d.markdown();
    let text = format!(
        "{}\n\n{}\n\nHow to fix: {}",
        d.summary.trim(),
        d.why.trim(),
        d.fix.trim()
    );
    let mut tags = vec![d.category.clone()];
    if d.category == "rbac" {
        tags.push("security".into());
    }
    json!({
        "id": d.id,
        "name": d.id.split('-').map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        }).collect::<String>(),
        "shortDescription": { "text": d.summary.trim() },
        "fullDescription": { "text": d.why.trim() },
        "help": { "text": text, "markdown": markdown },
        "defaultConfiguration": { "level": level(d.severity), "enabled": d.enabled_by_default },
        "properties": { "category": d.category, "tags": tags },
    })
}

pub fn render(
    out: &mut dyn Write,
    diags: &[Diagnostic],
    sources: &[SourceFile],
    registry: &Registry,
) -> io::Result<()> {
    let docs: Vec<&RuleDoc> = registry.entries().map(|e| &e.doc).collect();
    let index_of = |id: &str| docs.iter().position(|d| d.id == id);
    let empty = SourceFile::from_text("", None, String::new());
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let file = sources.get(d.file as usize).unwrap_or(&empty);
            let related: Vec<Value> = d
                .labels
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let lf = sources.get(l.file as usize).unwrap_or(file);
                    let mut loc = location(lf, l.span);
                    if let Some(o) = loc.as_object_mut() {
                        o.insert("id".into(), json!(i + 1));
                        o.insert("message".into(), json!({ "text": l.message }));
                    }
                    loc
                })
                .collect();
            let mut text = d.message.clone();
            if let Some(h) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(h);
            }
            let mut r = json!({
                "ruleId": d.rule,
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [location(file, d.span)],
            });
            let obj = r.as_object_mut();
            if let Some(obj) = obj {
                if let Some(i) = index_of(&d.rule) {
                    obj.insert("ruleIndex".into(), json!(i));
                }
                if !related.is_empty() {
                    obj.insert("relatedLocations".into(), Value::Array(related));
                }
                if let Some(o) = &d.object {
                    obj.insert("properties".into(), json!({ "object": o.as_ref() }));
                }
                if let Some(fix) = &d.fix {
                    let changes: Vec<Value> = fix
                        .edits
                        .iter()
                        .map(|e| {
                            let ef = sources.get(e.file as usize).unwrap_or(file);
                            json!({
                                "artifactLocation": { "uri": artifact_uri(&ef.name), "uriBaseId": "%SRCROOT%" },
                                "replacements": [{
                                    "deletedRegion": { "charOffset": e.span.start, "charLength": e.span.len() },
                                    "insertedContent": { "text": e.replacement },
                                }],
                            })
                        })
                        .collect();
                    obj.insert(
                        "fixes".into(),
                        json!([{ "description": { "text": fix.title }, "artifactChanges": changes }]),
                    );
                }
            }
            r
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "kvet",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": docs.iter().map(|d| rule_descriptor(d)).collect::<Vec<_>>(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The folder kvet was run from." } } },
            "results": results,
        }]
    });
    super::json::write_json(out, &doc)
}

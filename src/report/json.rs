//! `--format json`: one stable, versioned JSON document.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::diagnostic::{Diagnostic, Summary};
use crate::source::SourceFile;
use crate::yaml::Span;

/// Format version of the JSON report.
pub const JSON_VERSION: u32 = 1;

fn position(file: &SourceFile, offset: u32) -> Value {
    let p = file.line_col(offset);
    json!({"line": p.line, "column": p.column, "offset": offset})
}

fn range(file: &SourceFile, span: Span) -> (Value, Value) {
    (position(file, span.start), position(file, span.end))
}

pub fn diagnostic_json(d: &Diagnostic, sources: &[SourceFile]) -> Value {
    let empty = SourceFile::from_text("", None, String::new());
    let file = sources.get(d.file as usize).unwrap_or(&empty);
    let (start, end) = range(file, d.span);
    let labels: Vec<Value> = d
        .labels
        .iter()
        .map(|l| {
            let lf = sources.get(l.file as usize).unwrap_or(file);
            let (s, e) = range(lf, l.span);
            json!({"message": l.message, "file": lf.name, "start": s, "end": e})
        })
        .collect();
    let fix = d.fix.as_ref().map(|f| {
        json!({
            "title": f.title,
            "applicability": f.applicability,
            "edits": f.edits.iter().map(|e| {
                let ef = sources.get(e.file as usize).unwrap_or(file);
                let (s, en) = range(ef, e.span);
                json!({"file": ef.name, "start": s, "end": en, "replacement": e.replacement})
            }).collect::<Vec<_>>(),
        })
    });
    json!({
        "rule": d.rule,
        "severity": d.severity,
        "message": d.message,
        "help": d.help,
        "file": file.name,
        "start": start,
        "end": end,
        "object": d.object.as_deref(),
        "labels": labels,
        "fix": fix,
    })
}

pub fn render(out: &mut dyn Write, diags: &[Diagnostic], sources: &[SourceFile], summary: &Summary) -> io::Result<()> {
    render_with(out, diags, None, sources, summary)
}

/// The report, with a `suppressed` list when asked (`--show-suppressed`).
pub fn render_with(
    out: &mut dyn Write,
    diags: &[Diagnostic],
    suppressed: Option<&[Diagnostic]>,
    sources: &[SourceFile],
    summary: &Summary,
) -> io::Result<()> {
    let mut doc = json!({
        "version": JSON_VERSION,
        "diagnostics": diags.iter().map(|d| diagnostic_json(d, sources)).collect::<Vec<_>>(),
        "summary": summary,
    });
    if let (Some(list), Some(obj)) = (suppressed, doc.as_object_mut()) {
        obj.insert(
            "suppressed".into(),
            list.iter()
                .map(|d| diagnostic_json(d, sources))
                .collect::<Vec<_>>()
                .into(),
        );
    }
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

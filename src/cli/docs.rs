//! `kvet rules`, `kvet explain`, `kvet init`.

use std::io::{self, Write};

use kvet::config::{CONFIG_NAMES, STARTER};
use kvet::rules::{Registry, RuleDoc};

use super::{ListFormat, suggest};

pub fn rules(format: ListFormat) -> Result<u8, String> {
    let registry = Registry::builtin();
    let mut out = io::stdout().lock();
    let res = match format {
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = registry
                .entries()
                .map(|e| {
                    serde_json::json!({
                        "id": e.doc.id,
                        "category": e.doc.category,
                        "severity": e.doc.severity,
                        "summary": e.doc.summary,
                        "enabled_by_default": e.doc.enabled_by_default,
                        "source": e.doc.source,
                        "declarative": e.doc.template.is_some(),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &list)
                .map_err(io::Error::from)
                .and_then(|_| writeln!(out))
        }
        ListFormat::Human => {
            let w = registry.entries().map(|e| e.doc.id.len()).max().unwrap_or(10);
            let mut r = Ok(());
            for e in registry.entries() {
                let d = &e.doc;
                let off = if d.enabled_by_default { "" } else { " (opt-in)" };
                r = writeln!(
                    out,
                    "{:<w$}  {:<12} {:<8} {}{off}",
                    d.id,
                    d.category,
                    d.severity.as_str(),
                    d.summary
                );
                if r.is_err() {
                    break;
                }
            }
            r
        }
    };
    match res {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(0),
    }
}

fn indent(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("    {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text of `kvet explain` (also the LSP hover).
pub fn explain_text(d: &RuleDoc) -> String {
    let mut s = format!("{} ({}, {})\n\n{}\n", d.id, d.category, d.severity, d.summary.trim());
    s.push_str(&format!("\nWhy it matters\n{}\n", indent(&d.why)));
    s.push_str(&format!("\nHow to fix\n{}\n", indent(&d.fix)));
    s.push_str(&format!("\nExample that triggers it\n{}\n", indent(&d.bad)));
    s.push_str(&format!("\nFixed\n{}\n", indent(&d.good)));
    if !d.options.is_empty() {
        s.push_str("\nOptions\n");
        for o in &d.options {
            s.push_str(&format!(
                "    {} (default {}): {}\n",
                o.name,
                o.default,
                o.description.trim()
            ));
        }
    }
    if let Some(src) = &d.source {
        s.push_str(&format!("\nSource: domain fact {src}\n"));
    }
    if !d.enabled_by_default {
        s.push_str(&format!("\nOff by default: enable with `--select {}`\n", d.id));
    }
    s
}

pub fn explain(rule: &str) -> Result<u8, String> {
    let registry = Registry::builtin();
    let Some(doc) = registry.doc(rule) else {
        let hint = suggest(rule, registry)
            .map(|h| format!(" (did you mean `{h}`?)"))
            .unwrap_or_default();
        return Err(format!("unknown rule `{rule}`{hint}; `kvet rules` lists them"));
    };
    let mut out = io::stdout().lock();
    let _ = out.write_all(explain_text(doc).as_bytes());
    Ok(0)
}

pub fn init(force: bool) -> Result<u8, String> {
    let path = std::path::Path::new(CONFIG_NAMES[0]);
    if path.exists() && !force {
        return Err(format!(
            "{} already exists (use --force to overwrite it)",
            path.display()
        ));
    }
    std::fs::write(path, STARTER).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(0)
}

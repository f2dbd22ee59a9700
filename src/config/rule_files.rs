//! Reading custom rule files (declarative rules with a `template:`):
//! [`load_rule_files`].

use std::path::Path;

use crate::rules::RuleDoc;
use crate::source::{LineIndex, io_message};
use crate::yaml::{Limits, parse_yaml};

/// Reads user rule files: a file (every document one rule) or a folder of
/// `.yaml`/`.yml` files. Errors carry `file:line:col`.
pub fn load_rule_files(path: &Path) -> Result<Vec<RuleDoc>, String> {
    let mut files = Vec::new();
    if path.is_dir() {
        let rd = std::fs::read_dir(path).map_err(|e| io_message(&e))?;
        for e in rd.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                files.push(p);
            }
        }
        files.sort();
    } else {
        files.push(path.to_path_buf());
    }
    let mut docs = Vec::new();
    for f in files {
        let name = f.display().to_string();
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{name}: {}", io_message(&e)))?;
        let index = LineIndex::new(&text);
        let at = |off: u32| {
            let p = index.line_col(&text, off);
            format!("{name}:{}:{}", p.line, p.column)
        };
        let stream = parse_yaml(&text, Limits::default());
        if let Some(d) = stream.diagnostics.first() {
            return Err(format!("{}: {}", at(d.span.start), d.message));
        }
        for root in stream.documents.iter().filter_map(|d| d.root.as_ref()) {
            let doc = RuleDoc::from_node(&name, root).map_err(|e| format!("{}: {}", at(e.offset), e.message))?;
            if doc.compiled.is_none() {
                return Err(format!(
                    "{}: rule `{}` has no `template:`; custom rules are declarative",
                    at(root.span.start),
                    doc.id
                ));
            }
            docs.push(doc);
        }
    }
    Ok(docs)
}

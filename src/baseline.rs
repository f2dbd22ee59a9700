//! Baselines: adopting kvet on a repository with many existing findings.
//! `--write-baseline FILE` records every current finding; `--baseline
//! FILE` then reports only findings that are not in it. A finding is
//! matched by its file, its object (apiVersion, kind, namespace, name), its
//! rule and the field path it points at, so lines added above it do not
//! make it new; a key found twice in the baseline matches two findings.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;
use crate::yaml::{Limits, Node, Value, parse_source};

/// What identifies a finding across edits of its file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
pub struct Key {
    pub file: String,
    /// `apiVersion/kind namespace/name` of the object, or empty.
    pub object: String,
    pub rule: String,
    /// The field the finding points at, e.g. `spec.template.spec.containers[0].image`.
    pub path: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct BaselineFile {
    version: u32,
    findings: Vec<Key>,
}

/// The field path of the deepest node at `offset` in a tree.
pub fn field_path(root: &Node, offset: u32) -> String {
    let mut path = String::new();
    let mut node = root;
    loop {
        let next = match &node.value {
            Value::Map(entries) => entries
                .iter()
                .rev()
                .find(|e| {
                    e.key_span.start <= offset
                        && offset < e.value.span.end.max(e.key_span.end).max(e.key_span.start + 1)
                })
                .map(|e| {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&e.key);
                    &e.value
                }),
            Value::Seq(items) => items
                .iter()
                .position(|i| i.span.start <= offset && offset < i.span.end.max(i.span.start + 1))
                .map(|i| {
                    path.push_str(&format!("[{i}]"));
                    &items[i]
                }),
            _ => None,
        };
        match next {
            Some(n) if !std::ptr::eq(n, node) => node = n,
            _ => return path,
        }
    }
}

/// The keys of findings (parsing each file with findings once more).
pub fn keys(diags: &[Diagnostic], sources: &[SourceFile]) -> Vec<Key> {
    let mut trees: HashMap<u32, crate::yaml::Stream> = HashMap::new();
    diags
        .iter()
        .map(|d| {
            let Some(file) = sources.get(d.file as usize) else {
                return Key {
                    file: String::new(),
                    object: String::new(),
                    rule: d.rule.to_string(),
                    path: String::new(),
                };
            };
            let stream = trees
                .entry(d.file)
                .or_insert_with(|| parse_source(&file.text, file.looks_like_json(), Limits::default()));
            let path = stream
                .documents
                .iter()
                .filter_map(|doc| doc.root.as_ref())
                .find(|r| r.span.start <= d.span.start && d.span.start <= r.span.end)
                .map(|r| field_path(r, d.span.start))
                .unwrap_or_default();
            let object = d.object.as_ref().map_or(String::new(), |o| {
                format!(
                    "{}/{} {}/{}",
                    o.api_version,
                    o.kind,
                    o.namespace.as_deref().unwrap_or(""),
                    o.name.as_deref().unwrap_or("")
                )
            });
            Key {
                file: file.name.clone(),
                object,
                rule: d.rule.to_string(),
                path,
            }
        })
        .collect()
}

/// Writes the baseline of these findings.
pub fn write(path: &std::path::Path, diags: &[Diagnostic], sources: &[SourceFile]) -> Result<usize, String> {
    let mut findings = keys(diags, sources);
    findings.sort();
    let n = findings.len();
    let text = serde_json::to_string_pretty(&BaselineFile { version: 1, findings }).map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| format!("{}: {}", path.display(), crate::source::io_message(&e)))?;
    Ok(n)
}

/// A baseline read from a file: how many findings each key covers.
pub struct Baseline {
    counts: HashMap<Key, usize>,
}

impl Baseline {
    pub fn read(path: &std::path::Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--baseline {}: {}", path.display(), crate::source::io_message(&e)))?;
        let file: BaselineFile = serde_json::from_str(&text).map_err(|e| {
            format!(
                "--baseline {}:{}:{}: not a kvet baseline: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        })?;
        if file.version != 1 {
            return Err(format!(
                "--baseline {}: unknown version {}",
                path.display(),
                file.version
            ));
        }
        let mut counts = HashMap::new();
        for k in file.findings {
            *counts.entry(k).or_insert(0) += 1;
        }
        Ok(Baseline { counts })
    }

    /// Splits findings into new ones and those the baseline covers.
    pub fn split(&self, diags: Vec<Diagnostic>, sources: &[SourceFile]) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
        let keys = keys(&diags, sources);
        let mut left = self.counts.clone();
        let mut new = Vec::new();
        let mut known = Vec::new();
        for (d, k) in diags.into_iter().zip(keys) {
            match left.get_mut(&k) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    known.push(d);
                }
                _ => new.push(d),
            }
        }
        (new, known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths() {
        let text = "spec:\n  containers:\n  - name: a\n    image: x\n";
        let st = parse_source(text, false, Limits::default());
        let root = st.documents[0].root.as_ref().unwrap_or_else(|| panic!("root"));
        let at = text.find("x\n").unwrap_or(0) as u32;
        assert_eq!(field_path(root, at), "spec.containers[0].image");
        assert_eq!(field_path(root, 0), "spec");
    }
}

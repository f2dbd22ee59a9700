//! Rule metadata and documentation, read from `rules/*.yaml` (embedded at
//! build time). One source feeds `kvet rules`, `kvet explain`, the README
//! table, SARIF rule descriptors and the LSP hover.

use serde::{Deserialize, Serialize};

use std::sync::Arc;

use super::template::Template;
use crate::diagnostic::Severity;
use crate::yaml::{Limits, Node, parse_yaml};

/// Categories a rule can belong to (stable, used by `--select`/`--ignore`).
pub const CATEGORIES: &[&str] = &[
    "yaml",
    "schema",
    "api",
    "resources",
    "probes",
    "scheduling",
    "selectors",
    "security",
    "images",
    "networking",
    "metadata",
    "jobs",
    "rbac",
    "availability",
    "kubeadm",
];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RuleOption {
    pub name: String,
    pub default: serde_json::Value,
    pub description: String,
    /// The accepted values, when the option is one of a fixed set of words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDoc {
    /// Stable kebab-case id.
    pub id: String,
    pub category: String,
    pub severity: Severity,
    /// One line: what the rule reports.
    pub summary: String,
    /// Why it matters.
    pub why: String,
    /// How to fix it.
    pub fix: String,
    /// A manifest that triggers the rule.
    pub bad: String,
    /// The same manifest, fixed.
    pub good: String,
    /// The fact of the project's domain notes the rule implements (e.g.
    /// `C4`): an internal reference for maintainers, never shown to users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Off unless selected (noisy or opinionated rules).
    #[serde(default = "default_true")]
    pub enabled_by_default: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<RuleOption>,
    /// For declarative rules: which generic template checks it, and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<serde_json::Value>,
    /// The compiled `template`.
    #[serde(skip)]
    pub compiled: Option<Arc<Template>>,
}

fn default_true() -> bool {
    true
}

/// A rule file that could not be read, with where and why.
#[derive(Debug, Clone, PartialEq)]
pub struct DocError {
    pub file: String,
    pub offset: u32,
    pub message: String,
}

impl RuleDoc {
    /// Parses one rule file. `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<RuleDoc, DocError> {
        let stream = parse_yaml(text, Limits::default());
        if let Some(d) = stream.diagnostics.first() {
            return Err(DocError {
                file: file.into(),
                offset: d.span.start,
                message: d.message.clone(),
            });
        }
        let root = stream
            .documents
            .iter()
            .find_map(|d| d.root.as_ref())
            .ok_or_else(|| DocError {
                file: file.into(),
                offset: 0,
                message: "the rule file is empty".into(),
            })?;
        Self::from_node(file, root)
    }

    /// Reads a rule from its parsed YAML (one document of a rule file).
    pub fn from_node(file: &str, root: &Node) -> Result<RuleDoc, DocError> {
        let mut doc: RuleDoc = serde_json::from_value(root.to_json()).map_err(|e| DocError {
            file: file.into(),
            offset: locate_serde_error(root, &e.to_string()),
            message: e.to_string(),
        })?;
        if let Some(t) = root.get("template") {
            let compiled = Template::compile(t).map_err(|e| DocError {
                file: file.into(),
                offset: e.offset,
                message: format!("template: {}", e.message),
            })?;
            doc.compiled = Some(Arc::new(compiled));
        }
        if !CATEGORIES.contains(&doc.category.as_str()) {
            return Err(DocError {
                file: file.into(),
                offset: root.get("category").map_or(0, |n| n.span.start),
                message: format!("unknown category `{}`; one of: {}", doc.category, CATEGORIES.join(", ")),
            });
        }
        if !is_kebab_id(&doc.id) {
            return Err(DocError {
                file: file.into(),
                offset: root.get("id").map_or(0, |n| n.span.start),
                message: format!("rule id `{}` must be lowercase kebab-case", doc.id),
            });
        }
        Ok(doc)
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

impl RuleDoc {
    /// Plain-text documentation (`kvet explain`).
    pub fn explain_text(&self) -> String {
        let mut s = format!(
            "{} ({}, {})\n\n{}\n",
            self.id,
            self.category,
            self.severity,
            self.summary.trim()
        );
        s.push_str(&format!("\nWhy it matters\n{}\n", indent(&self.why)));
        s.push_str(&format!("\nHow to fix\n{}\n", indent(&self.fix)));
        s.push_str(&format!("\nExample that triggers it\n{}\n", indent(&self.bad)));
        s.push_str(&format!("\nFixed\n{}\n", indent(&self.good)));
        if !self.options.is_empty() {
            s.push_str("\nOptions\n");
            for o in &self.options {
                let values = if o.values.is_empty() {
                    String::new()
                } else {
                    format!("; one of {}", o.values.join(", "))
                };
                s.push_str(&format!(
                    "    {} (default {}{values}): {}\n",
                    o.name,
                    o.default,
                    o.description.trim()
                ));
            }
        }
        if !self.enabled_by_default {
            s.push_str(&format!("\nOff by default: enable with `--select {}`\n", self.id));
        }
        s
    }

    /// Markdown documentation (SARIF rule help, LSP hover).
    pub fn markdown(&self) -> String {
        let mut s = format!(
            "**{}** ({}, {})\n\n{}\n\n**Why it matters**\n\n{}\n\n**How to fix**\n\n{}\n\n**Example that triggers it**\n\n```yaml\n{}\n```\n\n**Fixed**\n\n```yaml\n{}\n```\n",
            self.id,
            self.category,
            self.severity,
            self.summary.trim(),
            self.why.trim(),
            self.fix.trim(),
            self.bad.trim_end(),
            self.good.trim_end()
        );
        if !self.options.is_empty() {
            s.push_str("\n**Options**\n\n");
            for o in &self.options {
                s.push_str(&format!(
                    "- `{}` (default `{}`): {}\n",
                    o.name,
                    o.default,
                    o.description.trim()
                ));
            }
        }
        s
    }
}

impl RuleDoc {
    /// The rule's documentation page, `docs/rules/<id>.md` (generated from
    /// its `rules/<id>.yaml`; a test keeps the pages current).
    pub fn doc_page(&self) -> String {
        let on = if self.enabled_by_default {
            "on by default".to_string()
        } else {
            format!("off by default (enable with `--select {}`)", self.id)
        };
        let mut s = format!(
            "<!-- generated from rules/{id}.yaml by `KVET_BLESS=1 cargo test --test rule_docs`; edit that file, not this one -->\n\n# `{id}`\n\nCategory `{cat}` · severity `{sev}` · {on}\n\n{summary}\n\n## Why it matters\n\n{why}\n\n## How to fix\n\n{fix}\n\n## Example that triggers it\n\n```yaml\n{bad}\n```\n\n## Fixed\n\n```yaml\n{good}\n```\n",
            id = self.id,
            cat = self.category,
            sev = self.severity,
            summary = self.summary.trim(),
            why = self.why.trim(),
            fix = self.fix.trim(),
            bad = self.bad.trim_end(),
            good = self.good.trim_end(),
        );
        if !self.options.is_empty() {
            s.push_str("\n## Options\n\nSet in `.kvet.yaml` under `options:`:\n\n| Option | Default | Description |\n|---|---|---|\n");
            for o in &self.options {
                let values = if o.values.is_empty() {
                    String::new()
                } else {
                    format!(
                        " One of {}.",
                        o.values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
                    )
                };
                let default = match &o.default {
                    serde_json::Value::String(d) => d.clone(),
                    d => d.to_string(),
                };
                s.push_str(&format!(
                    "| `{}` | `{default}` | {}{values} |\n",
                    o.name,
                    o.description.trim().replace('|', "\\|").replace('\n', " ")
                ));
            }
        }
        s.push_str(&format!(
            "\n`kvet explain {}` prints this page in the terminal. Silence it on one line with `# kvet: ignore[{}]`.\n",
            self.id, self.id
        ));
        s
    }
}

/// Rule ids are lowercase kebab-case, no numeric codes.
pub fn is_kebab_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|p| !p.is_empty())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && id.as_bytes()[0].is_ascii_lowercase()
}

/// serde names the offending field (`unknown field `foo``); point at that key.
fn locate_serde_error(root: &Node, message: &str) -> u32 {
    let field = message.split('`').nth(1);
    field
        .and_then(|f| root.entry(f))
        .map_or(root.span.start, |e| e.key_span.start)
}

/// The README's rule table, generated from the rule docs so it cannot go
/// stale (a test compares it with README.md).
pub fn markdown_table<'a>(docs: impl Iterator<Item = &'a RuleDoc>) -> String {
    let mut docs: Vec<&RuleDoc> = docs.collect();
    docs.sort_by(|a, b| (&a.category, &a.id).cmp(&(&b.category, &b.id)));
    let mut s = String::from("| Rule | Category | Severity | What it reports |\n|---|---|---|---|\n");
    for d in docs {
        let opt_in = if d.enabled_by_default { "" } else { " *(opt-in)*" };
        s.push_str(&format!(
            "| [`{}`](docs/rules/{}.md) | {} | {} | {}{opt_in} |\n",
            d.id,
            d.id,
            d.category,
            d.severity,
            d.summary.trim().replace('|', "\\|").replace('\n', " ")
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let ok = "id: a-rule\ncategory: probes\nseverity: warning\nsummary: s\nwhy: w\nfix: f\nbad: b\ngood: g\nsource: C4\n";
        let d = RuleDoc::parse("a.yaml", ok).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(d.severity, Severity::Warning);
        assert!(d.enabled_by_default);

        let bad = format!("{ok}colour: red\n");
        let e = RuleDoc::parse("a.yaml", &bad).err();
        assert!(
            e.as_ref()
                .is_some_and(|e| e.message.contains("colour") && e.offset as usize == ok.len()),
            "{e:?}"
        );

        let bad = ok.replace("probes", "nope");
        assert!(RuleDoc::parse("a.yaml", &bad).is_err());
        assert!(is_kebab_id("probes-identical"));
        assert!(!is_kebab_id("Probes"));
        assert!(!is_kebab_id_helper());
    }

    fn is_kebab_id_helper() -> bool {
        is_kebab_id("a--b") || is_kebab_id("-a") || is_kebab_id("1a")
    }
}

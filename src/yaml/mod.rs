//! YAML and JSON loading into the spanned tree.
//!
//! `saphyr-parser` events (YAML) or our own JSON reader build [`Node`] trees,
//! one per document. Scalars follow YAML 1.1 as Kubernetes reads them,
//! duplicate keys are reported, and limits keep alias bombs and very deep
//! nesting from hanging the run or overflowing the stack.

mod builder;
mod fast;
#[doc(hidden)]
pub use fast::declined_at;
mod json;
mod load;
mod node;
mod relax;
pub mod scalar;

pub use load::{parse_yaml, parse_yaml_fast, parse_yaml_full};
pub use node::{Entry, Node, ScalarStyle, Span, Value, format_float};

pub use json::parse_json;

/// A problem found while loading: a syntax error, a duplicate key or a
/// limit. `rule` is the rule id it is reported under.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadDiagnostic {
    pub rule: &'static str,
    pub span: Span,
    pub message: String,
    pub labels: Vec<(Span, String)>,
    pub help: Option<String>,
    /// For a duplicate key: the key span and value end of the entry that
    /// Kubernetes ignores (the earlier one), so a fix can remove it.
    pub shadowed: Option<(Span, u32)>,
}

/// One document of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// `None` for an empty or comment-only document, or one that failed to load.
    pub root: Option<Node>,
    /// 0-based position in the file.
    pub index: usize,
    /// From the document's first byte (after a `---`) to its last node.
    pub span: Span,
}

/// Everything loaded from one file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stream {
    pub documents: Vec<Document>,
    pub diagnostics: Vec<LoadDiagnostic>,
}

/// Resource limits of the loaders (see the README's "Limits").
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of sequences and mappings.
    pub max_depth: usize,
    /// Nodes that aliases may copy in, per document.
    pub max_alias_nodes: usize,
    /// Nodes that aliases may copy in, all documents of a file together.
    pub max_file_alias_nodes: usize,
    /// Bytes of scalar text that aliases may copy in, per file.
    pub max_alias_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 256,
            max_alias_nodes: 100_000,
            max_file_alias_nodes: 1_000_000,
            max_alias_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Loads a file's text as JSON when it is JSON (`.json` name, or text that
/// starts with `{` and parses as JSON) and as YAML otherwise.
pub fn parse_source(text: &str, json_hint: bool, limits: Limits) -> Stream {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if json_hint || trimmed.starts_with('{') {
        let stream = parse_json(text, limits);
        // A `.json` file is JSON whatever happens; a sniffed one may be flow YAML.
        if json_hint || stream.diagnostics.iter().all(|d| d.rule != "yaml-syntax") {
            return stream;
        }
    }
    parse_yaml(text, limits)
}

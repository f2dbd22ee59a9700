//! YAML and JSON loading into the spanned tree.
//!
//! `saphyr-parser` events (YAML) or our own JSON reader build [`Node`] trees,
//! one per document. Scalars follow YAML 1.1 as Kubernetes reads them,
//! duplicate keys are reported, and limits keep alias bombs and very deep
//! nesting from hanging the run or overflowing the stack.

mod builder;
mod direct;
mod events;
mod fast;
mod incremental;
#[doc(hidden)]
pub use fast::{declined_at, fast_path_events};
pub use incremental::{reparse, reparse_source, try_reparse};
mod json;
mod load;
mod node;
mod relax;
pub mod scalar;
mod text;

pub use load::{parse_yaml, parse_yaml_fast, parse_yaml_full};
pub use node::{Entry, Node, ScalarStyle, Span, Value, format_float};
pub use text::Text;

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

/// Deepest nesting an environment variable may ask for: the checks walk
/// trees recursively, on threads with small stacks.
pub const MAX_DEPTH_CEILING: usize = 1024;

impl Limits {
    /// kvet's own values (the README's "Limits").
    pub const BUILTIN: Limits = Limits {
        max_depth: 256,
        max_alias_nodes: 100_000,
        max_file_alias_nodes: 1_000_000,
        max_alias_bytes: 16 * 1024 * 1024,
    };

    /// The built-in limits, each replaced by its environment variable when
    /// set: `KVET_MAX_DEPTH` (at most [`MAX_DEPTH_CEILING`]),
    /// `KVET_MAX_ALIAS_NODES`, `KVET_MAX_FILE_ALIAS_NODES`,
    /// `KVET_MAX_ALIAS_BYTES`. An unparsable value is an error.
    pub fn from_env() -> Result<Limits, String> {
        let mut l = Limits::BUILTIN;
        l.max_depth = env_limit("KVET_MAX_DEPTH", l.max_depth as u64)? as usize;
        if l.max_depth > MAX_DEPTH_CEILING || l.max_depth == 0 {
            return Err(format!(
                "KVET_MAX_DEPTH={}: must be 1 to {MAX_DEPTH_CEILING}",
                l.max_depth
            ));
        }
        l.max_alias_nodes = env_limit("KVET_MAX_ALIAS_NODES", l.max_alias_nodes as u64)? as usize;
        l.max_file_alias_nodes = env_limit("KVET_MAX_FILE_ALIAS_NODES", l.max_file_alias_nodes as u64)? as usize;
        l.max_alias_bytes = env_limit("KVET_MAX_ALIAS_BYTES", l.max_alias_bytes as u64)? as usize;
        Ok(l)
    }
}

/// A limit from the environment variable `name` (a whole number, with an
/// optional `K`, `M` or `G` binary suffix), or `default` when it is unset.
pub fn env_limit(name: &str, default: u64) -> Result<u64, String> {
    let Some(raw) = std::env::var_os(name) else {
        return Ok(default);
    };
    let text = raw.to_string_lossy();
    let t = text.trim();
    let (digits, scale) = match t.char_indices().last() {
        Some((i, 'K' | 'k')) => (&t[..i], 1u64 << 10),
        Some((i, 'M' | 'm')) => (&t[..i], 1 << 20),
        Some((i, 'G' | 'g')) => (&t[..i], 1 << 30),
        _ => (t, 1),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(scale))
        .ok_or_else(|| format!("{name}={text}: not a whole number (a K, M or G suffix is allowed)"))
}

impl Default for Limits {
    /// [`Limits::from_env`] (read once), or the built-in values when an
    /// environment variable is invalid (the command line reports that
    /// before it reads anything).
    fn default() -> Self {
        static CURRENT: std::sync::OnceLock<Limits> = std::sync::OnceLock::new();
        *CURRENT.get_or_init(|| Limits::from_env().unwrap_or(Limits::BUILTIN))
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

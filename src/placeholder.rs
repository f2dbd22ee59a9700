//! Manifests with placeholders a tool was meant to fill in (`${IMAGE}`,
//! `{{ .Values.x }}`, `<REPLACE_ME>`): one finding per file naming them,
//! instead of the cascade of findings their literal text causes.

use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostic::Diagnostic;
use crate::source::{FileId, SourceFile};
use crate::yaml::{Node, ScalarStyle, Span, Stream, Value};

/// A placeholder's pattern: a Helm/Go template action (`{{ .Values.x }}`,
/// `{{- include ... }}`), an environment variable (`${VAR}`) in a value
/// without spaces (a shell line's `${HOME}` is the shell's own), or a whole
/// value like `<REPLACE_ME>`.
static TEMPLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\{\{-?\s*(\.|\$\.|include\b|template\b|toYaml\b|tpl\b|required\b|default\b|if\b|range\b|with\b|end\b)")
        .unwrap_or_else(|e| panic!("placeholder pattern: {e}"))
});
static ENV: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$\{[A-Za-z_][A-Za-z0-9_]*(:?[-=?+][^}]*)?\}").unwrap_or_else(|e| panic!("placeholder pattern: {e}"))
});
static ANGLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^<[A-Z][A-Z0-9_-]{2,}>$").unwrap_or_else(|e| panic!("placeholder pattern: {e}")));

/// Whether a text holds `{{` or `${` or is `<...>`: one pass over it (a
/// search for each marker was most of the cost of a corpus run's
/// placeholder search).
fn marked(text: &str) -> bool {
    let b = text.as_bytes();
    (b.first() == Some(&b'<') && b.last() == Some(&b'>')) || marked_somewhere(b)
}

/// Whether a text holds `{{` or `${` anywhere.
fn marked_somewhere(b: &[u8]) -> bool {
    memchr::memchr_iter(b'{', b).any(|i| b.get(i + 1) == Some(&b'{') || (i > 0 && b[i - 1] == b'$'))
}

/// The placeholder in a scalar's text, if any.
fn placeholder(text: &str) -> Option<&str> {
    // Most values hold none of the markers: no regex runs for them.
    if !marked(text) || text.len() > 4096 {
        return None;
    }
    if let Some(m) = TEMPLATE.find(text) {
        let end = text[m.start()..].find("}}").map_or(text.len(), |e| m.start() + e + 2);
        return Some(&text[m.start()..end]);
    }
    if !text.contains(char::is_whitespace)
        && let Some(m) = ENV.find(text)
    {
        return Some(m.as_str());
    }
    ANGLE.find(text).map(|m| m.as_str())
}

fn walk(node: &Node, out: &mut Vec<(Span, String)>) {
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                walk(&e.value, out);
            }
        }
        Value::Seq(items) => {
            for i in items {
                walk(i, out);
            }
        }
        Value::Str(s) if !matches!(node.style, ScalarStyle::Literal | ScalarStyle::Folded) => {
            if let Some(p) = placeholder(s) {
                out.push((node.span, p.to_string()));
            }
        }
        _ => {}
    }
}

/// The placeholders of each file: `(file, [(span, text)])`.
pub fn find(
    sources: &[SourceFile],
    streams: &[Stream],
    include: &dyn Fn(FileId) -> bool,
) -> Vec<(FileId, Vec<(Span, String)>)> {
    sources
        .iter()
        .zip(streams)
        .enumerate()
        .filter(|(fid, _)| include(*fid as FileId))
        .map(|(fid, (source, stream))| (fid as FileId, find_in(source, stream)))
        .filter(|(_, found)| !found.is_empty())
        .collect()
}

/// The placeholders of one file, in document order.
pub fn find_in(source: &SourceFile, stream: &Stream) -> Vec<(Span, String)> {
    let t = &source.text;
    let angle =
        memchr::memchr_iter(b'<', t.as_bytes()).any(|i| t.as_bytes().get(i + 1).is_some_and(u8::is_ascii_uppercase));
    if !(angle || marked_somewhere(t.as_bytes())) {
        return Vec::new();
    }
    let mut found = Vec::new();
    for doc in &stream.documents {
        if let Some(root) = &doc.root {
            walk(root, &mut found);
        }
    }
    found
}

/// Drops the findings that sit on a placeholder's line (what its literal
/// text caused) and adds one finding per file naming the placeholders.
/// `make` builds the finding (it is `None` when the rule is off).
pub fn apply(
    diagnostics: &mut Vec<Diagnostic>,
    sources: &[SourceFile],
    found: &[(FileId, Vec<(Span, String)>)],
    make: &dyn Fn(FileId, Span, String) -> Option<Diagnostic>,
) {
    for (fid, list) in found {
        let Some(source) = sources.get(*fid as usize) else {
            continue;
        };
        let Some(mut d) = make(*fid, list[0].0, summary(list)) else {
            continue;
        };
        let lines: Vec<usize> = list.iter().map(|(s, _)| source.line_index().line_of(s.start)).collect();
        diagnostics.retain(|x| x.file != *fid || !lines.contains(&source.line_index().line_of(x.span.start)));
        for (span, text) in list.iter().skip(1).take(8) {
            d.label(*span, format!("`{text}`"));
        }
        d.help(
            "lint the manifests after the step that fills these in (e.g. `envsubst < file | kvet check -`, \
             `helm template ... | kvet check -`); findings on these values are left out",
        );
        diagnostics.push(d);
    }
}

fn summary(list: &[(Span, String)]) -> String {
    let mut names: Vec<&str> = Vec::new();
    for (_, t) in list {
        if !names.contains(&t.as_str()) {
            names.push(t);
        }
    }
    let shown: Vec<String> = names.iter().take(5).map(|n| format!("`{n}`")).collect();
    let more = if names.len() > 5 {
        format!(" and {} more", names.len() - 5)
    } else {
        String::new()
    };
    format!(
        "{} placeholder{} not filled in: {}{more}",
        list.len(),
        if list.len() == 1 { " is" } else { "s are" },
        shown.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::placeholder;

    #[test]
    fn placeholders_and_look_alikes() {
        assert_eq!(placeholder("${IMAGE}"), Some("${IMAGE}"));
        assert_eq!(placeholder("registry/app:${TAG:-latest}"), Some("${TAG:-latest}"));
        assert_eq!(placeholder("{{ .Values.replicas }}"), Some("{{ .Values.replicas }}"));
        assert_eq!(
            placeholder("x-{{- include \"name\" . }}"),
            Some("{{- include \"name\" . }}")
        );
        assert_eq!(placeholder("<REPLACE_ME>"), Some("<REPLACE_ME>"));
        // The shell's own variables, Argo's parameters, markup, text.
        assert_eq!(placeholder("echo ${HOME}"), None);
        assert_eq!(placeholder("{{inputs.parameters.message}}"), None);
        assert_eq!(placeholder("<b>bold</b>"), None);
        assert_eq!(placeholder("use <ID> here"), None);
        assert_eq!(placeholder("$(POD_NAME)"), None);
    }
}

//! Text edits that fix or suppress findings, shared by `--fix` and the
//! language server's code actions. Edits touch only the bytes they change:
//! comments, key order, indentation and line endings elsewhere stay as
//! they were.

use std::collections::BTreeMap;

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::source::{FileId, SourceFile};
use crate::yaml::{Entry, Node, ScalarStyle, Span, Value};

mod verify;
mod write;
pub use verify::{Refusal, verify};
pub use write::{WriteError, write_fixed};

/// The file's line ending: `\r\n` when it uses them, `\r` for a file
/// whose only line breaks are lone carriage returns (YAML reads those as
/// line breaks too), else `\n`.
pub fn newline_of(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else if text.contains('\r') && !text.contains('\n') {
        "\r"
    } else {
        "\n"
    }
}

fn is_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// The start of the line holding `offset`. Line breaks are `\n`, `\r\n`
/// and a lone `\r`, as YAML reads them, so edits work on LF, CRLF and
/// CR-only text alike (scans only the line itself).
pub fn line_start_at(text: &str, offset: u32) -> u32 {
    let bytes = text.as_bytes();
    let at = (offset as usize).min(bytes.len());
    bytes[..at]
        .iter()
        .rposition(|&b| is_break(b))
        .map_or(0, |i| i as u32 + 1)
}

/// The end of the line holding `offset`, before its line break.
pub fn line_end_at(text: &str, offset: u32) -> u32 {
    let bytes = text.as_bytes();
    let at = (offset as usize).min(bytes.len());
    bytes[at..]
        .iter()
        .position(|&b| is_break(b))
        .map_or(bytes.len(), |i| at + i) as u32
}

/// The start of the line after the one holding `offset` (the end of the
/// text on the last line); `\r\n` is one break.
pub fn next_line_start(text: &str, offset: u32) -> u32 {
    let bytes = text.as_bytes();
    let end = line_end_at(text, offset) as usize;
    match bytes.get(end) {
        Some(b'\r') if bytes.get(end + 1) == Some(&b'\n') => end as u32 + 2,
        Some(_) => end as u32 + 1,
        None => end as u32,
    }
}

/// The offset just after the last byte of `start..end` that is not
/// whitespace or a line break: where a node's text really ends (a block
/// scalar's span runs on over the blank and indentation bytes after it).
pub fn content_end(text: &str, start: u32, end: u32) -> u32 {
    let bytes = text.as_bytes();
    let (s, e) = ((start as usize).min(bytes.len()), (end as usize).min(bytes.len()));
    if s >= e {
        return start.min(bytes.len() as u32);
    }
    bytes[s..e]
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| (s + i + 1) as u32)
}

/// Replaces a node's text (a scalar value, usually).
pub fn replace(fid: FileId, node: &Node, text: impl Into<String>) -> Edit {
    Edit {
        file: fid,
        span: node.span,
        replacement: text.into(),
    }
}

/// Replaces a scalar with the string `value`, written in the node's own
/// style: JSON and double-quoted scalars stay double-quoted (so a JSON
/// manifest stays JSON), single-quoted ones stay single-quoted, plain ones
/// are quoted only where YAML needs it.
pub fn replace_scalar(fid: FileId, node: &Node, value: &str) -> Edit {
    let text = match node.style {
        ScalarStyle::Json | ScalarStyle::DoubleQuoted => json_string(value),
        ScalarStyle::SingleQuoted => format!("'{}'", value.replace('\'', "''")),
        ScalarStyle::Plain | ScalarStyle::Literal | ScalarStyle::Folded => yaml_string(value),
    };
    replace(fid, node, text)
}

/// A JSON string literal (also a valid YAML double-quoted scalar).
fn json_string(value: &str) -> String {
    serde_json::Value::String(value.to_string()).to_string()
}

/// YAML `text` (a value: a scalar, `{a: b}`, a block mapping) as one line
/// of JSON, for edits in JSON manifests.
fn as_json(text: &str) -> Option<String> {
    let stream = crate::yaml::parse_yaml(text, crate::yaml::Limits::default());
    if !stream.diagnostics.is_empty() {
        return None;
    }
    let root = stream.documents.first()?.root.as_ref()?;
    Some(root.to_json().to_string())
}

/// Renames a mapping key in place.
pub fn rename_key(fid: FileId, entry: &Entry, new_key: &str) -> Edit {
    Edit {
        file: fid,
        span: entry.key_span,
        replacement: new_key.to_string(),
    }
}

/// The column (in bytes from the line start) where a node starts.
fn column(file: &SourceFile, offset: u32) -> u32 {
    offset - line_start_at(&file.text, offset)
}

fn is_flow(file: &SourceFile, node: &Node) -> bool {
    matches!(
        file.text.as_bytes().get(node.span.start as usize),
        Some(b'{') | Some(b'[')
    )
}

/// Indents every line of a multi-line YAML fragment but the first.
fn indent_rest(fragment: &str, indent: usize, newline: &str) -> String {
    let pad = " ".repeat(indent);
    fragment
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 || l.is_empty() {
                l.to_string()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join(newline)
}

/// Adds `key: value` to a mapping, after its last entry, in the mapping's
/// own style (block: a new line at the keys' indentation; flow: `, key:
/// value` before `}`). `value` is YAML text; a multi-line value (a nested
/// block mapping) is written on the following lines, indented. `None` for
/// an empty block mapping whose indentation cannot be known.
pub fn insert_entry(file: &SourceFile, fid: FileId, map: &Node, key: &str, value: &str) -> Option<Edit> {
    let entries = map.as_map()?;
    let nl = newline_of(&file.text);
    if is_flow(file, map) {
        let close = map.span.end.checked_sub(1)?;
        if file.text.as_bytes().get(close as usize) != Some(&b'}') {
            return None;
        }
        let inline = value.lines().count() <= 1;
        let value = if inline {
            value.trim().to_string()
        } else {
            format!("{{{}}}", value.trim())
        };
        let entry = if file.looks_like_json() {
            format!("{}: {}", json_string(key), as_json(&value)?)
        } else {
            format!("{key}: {value}")
        };
        let sep = if entries.is_empty() { "" } else { ", " };
        // After the last entry's value (before any spaces and the `}`).
        let at = entries.last().map_or(close, |e| e.value.span.end);
        return Some(Edit {
            file: fid,
            span: Span::new(at, at),
            replacement: format!("{sep}{entry}"),
        });
    }
    let first = entries.first()?;
    let indent = column(file, first.key_span.start) as usize;
    let last_end = entries
        .iter()
        .map(|e| content_end(&file.text, e.key_span.start, e.value.span.end.max(e.key_span.end)))
        .max()?;
    let line_end = line_end_at(&file.text, last_end.saturating_sub(1).max(first.key_span.start));
    let pad = " ".repeat(indent);
    let body = if value.contains('\n') {
        let nested = value
            .trim_end()
            .lines()
            .map(|l| {
                if l.is_empty() {
                    String::new()
                } else {
                    format!("{pad}  {l}")
                }
            })
            .collect::<Vec<_>>()
            .join(nl);
        format!("{nl}{pad}{key}:{nl}{nested}")
    } else {
        format!("{nl}{pad}{key}: {}", indent_rest(value.trim(), indent + 2, nl))
    };
    Some(Edit {
        file: fid,
        span: Span::new(line_end, line_end),
        replacement: body,
    })
}

/// Removes `key` and its value from a mapping: the whole lines of a block
/// entry (with a trailing comment on them), or `key: value,` in a flow one.
pub fn remove_entry(file: &SourceFile, fid: FileId, map: &Node, key: &str) -> Option<Edit> {
    let entries = map.as_map()?;
    let i = entries.iter().position(|e| &*e.key == key)?;
    remove_entry_at(file, fid, map, i)
}

/// [`remove_entry`] by position (for duplicate keys).
pub fn remove_entry_at(file: &SourceFile, fid: FileId, map: &Node, i: usize) -> Option<Edit> {
    let entries = map.as_map()?;
    let e = entries.get(i)?;
    if is_flow(file, map) {
        let (start, end) = match (entries.get(i + 1), i.checked_sub(1).and_then(|p| entries.get(p))) {
            (Some(next), _) => (e.key_span.start, next.key_span.start),
            (None, Some(prev)) => (prev.value.span.end, e.value.span.end),
            (None, None) => (e.key_span.start, e.value.span.end),
        };
        return Some(Edit {
            file: fid,
            span: Span::new(start, end),
            replacement: String::new(),
        });
    }
    remove_lines(file, fid, e.key_span, e.value.span.end.max(e.key_span.end))
}

/// Deletes the whole lines from a block entry's key to the end of its value
/// (a trailing comment goes with them). `None` when the key does not start
/// its line (`- name: x` entries, flow style).
pub fn remove_lines(file: &SourceFile, fid: FileId, key: Span, end: u32) -> Option<Edit> {
    let text = &file.text;
    let line_start = line_start_at(text, key.start);
    if !file.slice(line_start, key.start).trim().is_empty() {
        return None;
    }
    // The last line with the entry's own text: a block scalar's span runs
    // on to the next key's indentation, which must stay.
    let last = content_end(text, key.start, end.max(key.end));
    let stop = next_line_start(text, last.saturating_sub(1).max(key.start));
    Some(Edit {
        file: fid,
        span: Span::new(line_start, stop),
        replacement: String::new(),
    })
}

/// A scalar written as YAML text for a value (quoted when it would not read
/// back as the same string).
pub fn yaml_string(s: &str) -> String {
    let plain_ok = !s.is_empty()
        && matches!(crate::yaml::scalar::resolve_plain(s), Value::Str(_))
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ',
        ])
        && !s.ends_with([' ', ':']);
    if plain_ok { s.to_string() } else { format!("{s:?}") }
}

/// A flow mapping of string pairs (`{app: web, tier: api}`), keys and
/// values quoted where YAML needs it. `None` when a value is not a scalar.
pub fn flow_map_of(map: &Node) -> Option<String> {
    let pairs: Option<Vec<String>> = map
        .entries()
        .iter()
        .map(|e| {
            e.value
                .scalar_text()
                .map(|v| format!("{}: {}", yaml_string(&e.key), yaml_string(&v)))
        })
        .collect();
    Some(format!("{{{}}}", pairs?.join(", ")))
}

/// Replaces an entry's value with a one-line `flow` text, joining it to the
/// key (`key: {…}`). `None` when comments sit between the key and the end of
/// the value: rewriting would drop them.
pub fn replace_value_inline(file: &SourceFile, fid: FileId, entry: &Entry, flow: &str) -> Option<Edit> {
    let span = Span::new(entry.key_span.end, entry.value.span.end.max(entry.key_span.end));
    let old = file.text.get(span.start as usize..span.end as usize)?;
    if old.contains('#') {
        return None;
    }
    let flow = if file.looks_like_json() {
        as_json(flow)?
    } else {
        flow.to_string()
    };
    Some(Edit {
        file: fid,
        span,
        replacement: format!(": {flow}"),
    })
}

/// Whether a node is a plain or quoted scalar (safe to replace in place).
pub fn is_inline_scalar(node: &Node) -> bool {
    !matches!(node.value, Value::Seq(_) | Value::Map(_))
        && !matches!(node.style, ScalarStyle::Literal | ScalarStyle::Folded)
}

/// Fixes chosen for a run: the findings they fix, and their edits by file.
#[derive(Default)]
pub struct Selected<'a> {
    pub fixed: Vec<&'a Diagnostic>,
    pub edits: BTreeMap<FileId, Vec<&'a Edit>>,
}

/// Picks the fixes to apply: those of the allowed applicability, in
/// position order, skipping any that overlaps one already taken (a fix
/// spanning several files is applied whole or not at all).
pub fn select_fixes(diags: &[Diagnostic], unsafe_ok: bool) -> Selected<'_> {
    let mut out = Selected::default();
    let mut candidates: Vec<(&Diagnostic, &Fix)> = diags
        .iter()
        .filter_map(|d| d.fix.as_ref().map(|f| (d, f)))
        .filter(|(_, f)| (unsafe_ok || f.applicability == Applicability::Safe) && !f.edits.is_empty())
        .collect();
    candidates.sort_by_key(|(d, _)| d.sort_key());
    for (d, f) in candidates {
        let overlaps = |a: Span, b: Span| a.start < b.end.max(b.start + 1) && b.start < a.end.max(a.start + 1);
        let clash = f.edits.iter().any(|e| {
            out.edits
                .get(&e.file)
                .is_some_and(|taken| taken.iter().any(|t| overlaps(t.span, e.span)))
        });
        if clash {
            continue;
        }
        for e in &f.edits {
            out.edits.entry(e.file).or_default().push(e);
        }
        out.fixed.push(d);
    }
    out
}

/// An edit that silences `rule` on the line where `offset` is: appends
/// `# kvet: ignore[rule]`, or adds the rule to a suppression already there.
/// `None` for JSON files (no comments) or when the line already silences
/// every rule.
pub fn suppress_line(file: &SourceFile, fid: FileId, offset: u32, rule: &str) -> Option<Edit> {
    if file.looks_like_json() {
        return None;
    }
    let (start, end) = (line_start_at(&file.text, offset), line_end_at(&file.text, offset));
    let text = file.slice(start, end);
    if let Some(k) = text.find("kvet: ignore") {
        let after = &text[k + "kvet: ignore".len()..];
        if after.starts_with('[') {
            let close = after.find(']')?;
            let list = &after[1..close];
            if list.split(',').any(|r| r.trim() == rule) {
                return None;
            }
            let at = start + (k + "kvet: ignore".len() + close) as u32;
            return Some(Edit {
                file: fid,
                span: Span::new(at, at),
                replacement: format!(", {rule}"),
            });
        }
        if after.is_empty() || after.starts_with(' ') {
            // A bare `kvet: ignore` already silences every rule.
            return None;
        }
    }
    let trimmed_end = start + text.trim_end().len() as u32;
    Some(Edit {
        file: fid,
        span: Span::new(trimmed_end, end),
        replacement: format!(" # kvet: ignore[{rule}]"),
    })
}

/// An edit that silences `rule` in the whole file: a `# kvet:
/// ignore-file[...]` line at the top, or the rule added to one there.
pub fn suppress_file(file: &SourceFile, fid: FileId, rule: &str) -> Option<Edit> {
    if file.looks_like_json() {
        return None;
    }
    let text = &file.text;
    for (i, line) in text.split('\n').enumerate().take(64) {
        if let Some(k) = line.find("kvet: ignore-file[") {
            let list_at = k + "kvet: ignore-file[".len();
            let close = line[list_at..].find(']')?;
            if line[list_at..list_at + close].split(',').any(|r| r.trim() == rule) {
                return None;
            }
            let at = file.line_index().line_start(i) + (list_at + close) as u32;
            return Some(Edit {
                file: fid,
                span: Span::new(at, at),
                replacement: format!(", {rule}"),
            });
        }
    }
    let at = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    Some(Edit {
        file: fid,
        span: Span::new(at, at),
        replacement: format!("# kvet: ignore-file[{rule}]{newline}"),
    })
}

/// Applies non-overlapping edits to a text (later edits first).
pub fn apply_edits(text: &str, edits: &[&Edit]) -> String {
    let mut sorted: Vec<&&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0usize;
    for e in sorted {
        let (s, t) = (e.span.start as usize, e.span.end as usize);
        if s < at || t > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(t) {
            continue;
        }
        out.push_str(&text[at..s]);
        out.push_str(&e.replacement);
        at = t;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile::from_text("x.yaml", None, text.to_string())
    }

    fn root_of(f: &SourceFile) -> Node {
        let st = crate::yaml::parse_source(&f.text, f.looks_like_json(), crate::yaml::Limits::default());
        st.documents[0].root.clone().unwrap_or_else(|| panic!("no root"))
    }

    #[test]
    fn scalars_are_replaced_in_their_own_style() {
        let f = file("a: plain\nb: 'single'\nc: \"double\"\n");
        let root = root_of(&f);
        let out = |key: &str, value: &str| {
            let e = replace_scalar(0, root.get(key).unwrap_or_else(|| panic!("{key}")), value);
            apply_edits(&f.text, &[&e])
        };
        assert!(out("a", "apps/v1").contains("a: apps/v1\n"));
        assert!(out("a", "yes").contains("a: \"yes\"\n"));
        assert!(out("b", "it's").contains("b: 'it''s'\n"));
        assert!(out("c", "Deploy\"ment").contains("c: \"Deploy\\\"ment\"\n"));
    }

    #[test]
    fn edits_in_json_manifests_stay_json() {
        let f = SourceFile::from_text(
            "rc.json",
            None,
            "{\"kind\": \"ReplicationController\", \"spec\": {\"selector\": {\"app\": \"web\"}}}".to_string(),
        );
        let root = root_of(&f);
        let spec = root.get("spec").unwrap_or_else(|| panic!("spec"));
        let kind = replace_scalar(0, root.get("kind").unwrap_or_else(|| panic!("kind")), "Deployment");
        let selector = spec.entry("selector").unwrap_or_else(|| panic!("selector"));
        let inline =
            replace_value_inline(&f, 0, selector, "{matchLabels: {app: web}}").unwrap_or_else(|| panic!("inline"));
        let insert = insert_entry(&f, 0, spec, "minReadySeconds", "10").unwrap_or_else(|| panic!("insert"));
        let after = apply_edits(&f.text, &[&kind, &inline, &insert]);
        let v: serde_json::Value = serde_json::from_str(&after).unwrap_or_else(|e| panic!("{e}: {after}"));
        assert_eq!(v["kind"], "Deployment");
        assert_eq!(v["spec"]["selector"]["matchLabels"]["app"], "web");
        assert_eq!(v["spec"]["minReadySeconds"], 10);
    }

    #[test]
    fn line_suppressions() {
        let f = file("a: 1\nb: 2   \nc: 3 # kvet: ignore[x]\n");
        let e = suppress_line(&f, 0, 6, "rule-a").unwrap_or_else(|| panic!("edit"));
        assert_eq!(
            apply_edits(&f.text, &[&e]),
            "a: 1\nb: 2 # kvet: ignore[rule-a]\nc: 3 # kvet: ignore[x]\n"
        );
        let e = suppress_line(&f, 0, 15, "rule-a").unwrap_or_else(|| panic!("edit"));
        assert_eq!(
            apply_edits(&f.text, &[&e]),
            "a: 1\nb: 2   \nc: 3 # kvet: ignore[x, rule-a]\n"
        );
        assert!(suppress_line(&f, 0, 15, "x").is_none());
        let json = SourceFile::from_text("x.json", None, "{}".into());
        assert!(suppress_line(&json, 0, 0, "x").is_none());
    }

    fn node(text: &str) -> Node {
        crate::yaml::parse_yaml(text, crate::yaml::Limits::default()).documents[0]
            .root
            .clone()
            .unwrap_or_else(|| Node::null(0))
    }

    #[test]
    fn insert_into_block_and_flow_mappings() {
        let text = "spec:\n  replicas: 2 # two\n  selector:\n    app: web\nstatus: {}\n";
        let f = file(text);
        let root = node(text);
        let spec = root.get("spec").cloned().unwrap_or_else(|| Node::null(0));
        let e = insert_entry(&f, 0, &spec, "minReadySeconds", "10").unwrap_or_else(|| panic!("edit"));
        assert_eq!(
            apply_edits(text, &[&e]),
            "spec:\n  replicas: 2 # two\n  selector:\n    app: web\n  minReadySeconds: 10\nstatus: {}\n"
        );
        let e = insert_entry(&f, 0, &spec, "strategy", "type: Recreate\nrollingUpdate: null\n")
            .unwrap_or_else(|| panic!("edit"));
        assert_eq!(
            apply_edits(text, &[&e]),
            "spec:\n  replicas: 2 # two\n  selector:\n    app: web\n  strategy:\n    type: Recreate\n    rollingUpdate: null\nstatus: {}\n"
        );
        let flow = "a: {p: 1, q: 2}\nb: {}\n";
        let f = file(flow);
        let root = node(flow);
        let a = root.get("a").cloned().unwrap_or_else(|| Node::null(0));
        let e = insert_entry(&f, 0, &a, "r", "3").unwrap_or_else(|| panic!("edit"));
        assert_eq!(apply_edits(flow, &[&e]), "a: {p: 1, q: 2, r: 3}\nb: {}\n");
        let b = root.get("b").cloned().unwrap_or_else(|| Node::null(0));
        let e = insert_entry(&f, 0, &b, "r", "3").unwrap_or_else(|| panic!("edit"));
        assert_eq!(apply_edits(flow, &[&e]), "a: {p: 1, q: 2}\nb: {r: 3}\n");
    }

    #[test]
    fn remove_block_and_flow_entries_keeping_crlf() {
        let text = "spec:\r\n  a: 1\r\n  b:\r\n    c: 2 # note\r\n  d: 3\r\n";
        let f = file(text);
        let spec = node(text).get("spec").cloned().unwrap_or_else(|| Node::null(0));
        let e = remove_entry(&f, 0, &spec, "b").unwrap_or_else(|| panic!("edit"));
        assert_eq!(apply_edits(text, &[&e]), "spec:\r\n  a: 1\r\n  d: 3\r\n");
        // (Not `y`: YAML 1.1 reads that key as `true`.)
        let flow = "m: {p: 1, q: 2, r: 3}\n";
        let f = file(flow);
        let m = node(flow).get("m").cloned().unwrap_or_else(|| Node::null(0));
        let e = remove_entry(&f, 0, &m, "q").unwrap_or_else(|| panic!("edit"));
        assert_eq!(apply_edits(flow, &[&e]), "m: {p: 1, r: 3}\n");
        let e = remove_entry(&f, 0, &m, "r").unwrap_or_else(|| panic!("edit"));
        assert_eq!(apply_edits(flow, &[&e]), "m: {p: 1, q: 2}\n");
    }

    #[test]
    fn strings_are_quoted_when_needed() {
        assert_eq!(yaml_string("apps/v1"), "apps/v1");
        assert_eq!(yaml_string("yes"), "\"yes\"");
        assert_eq!(yaml_string("0644"), "\"0644\"");
        assert_eq!(yaml_string("a: b"), "\"a: b\"");
        assert_eq!(yaml_string(""), "\"\"");
    }

    #[test]
    fn file_suppressions() {
        let f = file("\u{feff}a: 1\r\n");
        let e = suppress_file(&f, 0, "r").unwrap_or_else(|| panic!("edit"));
        assert_eq!(
            apply_edits(&f.text, &[&e]),
            "\u{feff}# kvet: ignore-file[r]\r\na: 1\r\n"
        );
        let f = file("# kvet: ignore-file[a]\nb: 1\n");
        let e = suppress_file(&f, 0, "r").unwrap_or_else(|| panic!("edit"));
        assert_eq!(apply_edits(&f.text, &[&e]), "# kvet: ignore-file[a, r]\nb: 1\n");
    }
}

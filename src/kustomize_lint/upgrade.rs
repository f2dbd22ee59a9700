//! Deprecated kustomization fields and their replacements, as
//! `kustomize edit fix` rewrites them. Each rewrite is built so that
//! `kubectl kustomize` renders the same objects before and after (the
//! `tests/kustomize_fix.rs` test checks it on fixtures).

use crate::diagnostic::Edit;
use crate::fix::newline_of;
use crate::source::{FileId, SourceFile};
use crate::yaml::{Entry, Node, Span, Value};

/// A deprecated top-level key and what replaces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deprecated {
    pub key: &'static str,
    pub replacement: &'static str,
    /// Why, and how the content moves.
    pub note: &'static str,
    /// Whether a mechanical rewrite exists (`vars` has none).
    pub fixable: bool,
}

pub const DEPRECATED: &[Deprecated] = &[
    Deprecated {
        key: "bases",
        replacement: "resources",
        note: "its entries go to the end of `resources`, where Kustomize has put them since v2.1",
        fixable: true,
    },
    Deprecated {
        key: "commonLabels",
        replacement: "labels",
        note: "a `labels` entry with `includeSelectors: true` sets the same labels and selectors",
        fixable: true,
    },
    Deprecated {
        key: "patchesStrategicMerge",
        replacement: "patches",
        note: "each file becomes a `patches` entry with `path:`, applied first as before",
        fixable: true,
    },
    Deprecated {
        key: "patchesJson6902",
        replacement: "patches",
        note: "its entries keep their `path`/`patch` and `target` in `patches`",
        fixable: true,
    },
    Deprecated {
        key: "imageTags",
        replacement: "images",
        note: "its entries have the same fields in `images`",
        fixable: true,
    },
    Deprecated {
        key: "vars",
        replacement: "replacements",
        note: "each var becomes a `replacements` entry whose source is the var's object and field, with one target per place the `$(VAR)` appears; Kustomize cannot do this mechanically",
        fixable: false,
    },
];

pub fn deprecated(key: &str) -> Option<&'static Deprecated> {
    DEPRECATED.iter().find(|d| d.key == key)
}

fn text_of(file: &SourceFile, span: Span) -> Option<&str> {
    file.text.get(span.start as usize..span.end as usize)
}

fn column(file: &SourceFile, offset: u32) -> u32 {
    offset - file.line_index().line_start(file.line_index().line_of(offset))
}

/// An item of a block sequence as text whose continuation lines are
/// indented relative to the item's first character. `None` when the item
/// spans lines that are not indented past it (a multi-line scalar).
fn item_text(file: &SourceFile, node: &Node) -> Option<String> {
    let text = text_of(file, node.span)?.trim_end();
    let col = column(file, node.span.start) as usize;
    let mut lines = text.lines();
    let mut out = vec![lines.next()?.to_string()];
    for l in lines {
        // A blank line may belong to a block scalar: keep it.
        if l.trim().is_empty() {
            out.push(String::new());
            continue;
        }
        let indent = l.len() - l.trim_start_matches(' ').len();
        if indent < col || !matches!(node.value, Value::Map(_) | Value::Seq(_)) {
            return None;
        }
        out.push(l[col..].to_string());
    }
    Some(out.join("\n"))
}

/// The items of a block or flow sequence as texts ([`item_text`]).
fn items(file: &SourceFile, node: &Node) -> Option<Vec<String>> {
    if node.is_null() {
        return Some(Vec::new());
    }
    node.as_seq()?.iter().map(|n| item_text(file, n)).collect()
}

/// The whole lines of a top-level entry (from its key to the end of its
/// value), when the key starts its line at column 0 and no comment sits in
/// them (a rewrite would drop it).
fn entry_lines(file: &SourceFile, entry: &Entry) -> Option<Span> {
    let idx = file.line_index();
    if column(file, entry.key_span.start) != 0 {
        return None;
    }
    let end = entry.value.span.end.max(entry.key_span.end);
    let last = idx.line_of(end.saturating_sub(1).max(entry.key_span.start));
    let start = entry.key_span.start;
    let stop = idx.line_start(last + 1).min(file.text.len() as u32);
    let span = Span::new(start, stop);
    (!text_of(file, span)?.contains('#')).then_some(span)
}

/// Rewrites a kustomization so that `target` holds `list` (item texts as
/// [`item_text`] gives them) and the entries `remove` are gone: the list
/// takes the place of the first of these entries in the file.
fn rewrite(
    file: &SourceFile,
    fid: FileId,
    root: &Node,
    target: &str,
    list: &[String],
    remove: &[&str],
) -> Option<Vec<Edit>> {
    let nl = newline_of(&file.text);
    let mut spans = Vec::new();
    for key in std::iter::once(target).chain(remove.iter().copied()) {
        if let Some(e) = root.entry(key) {
            spans.push(entry_lines(file, e)?);
        }
    }
    spans.sort();
    let (first, rest) = spans.split_first()?;
    let mut block = format!("{target}:{nl}");
    for item in list {
        let mut lines = item.lines();
        block.push_str(&format!("- {}{nl}", lines.next().unwrap_or_default()));
        for l in lines {
            if l.is_empty() {
                block.push_str(nl);
            } else {
                block.push_str(&format!("  {l}{nl}"));
            }
        }
    }
    // The last line of a file may have no newline.
    if !text_of(file, *first)?.ends_with('\n') {
        block.truncate(block.len() - nl.len());
    }
    let mut edits = vec![Edit {
        file: fid,
        span: *first,
        replacement: block,
    }];
    edits.extend(rest.iter().map(|s| Edit {
        file: fid,
        span: *s,
        replacement: String::new(),
    }));
    Some(edits)
}

fn existing(file: &SourceFile, root: &Node, key: &str) -> Option<Vec<String>> {
    match root.get(key) {
        Some(n) => items(file, n),
        None => Some(Vec::new()),
    }
}

/// A `patches` entry (as [`item_text`] gives items) holding an inline
/// patch: `patch:` with the text as a literal block scalar. `None` when a
/// literal block cannot hold it exactly (leading spaces on the first line,
/// several trailing line breaks).
fn inline_patch(text: &str) -> Option<String> {
    if text.starts_with([' ', '\t']) || text.ends_with("\n\n") || text.contains('\r') {
        return None;
    }
    let header = if text.ends_with('\n') { "|" } else { "|-" };
    let mut out = format!("patch: {header}");
    for line in text.lines() {
        out.push('\n');
        if !line.is_empty() {
            out.push_str("  ");
            out.push_str(line);
        }
    }
    Some(out)
}

/// The edits replacing the deprecated `key` of a kustomization's root, or
/// `None` when no safe rewrite exists (comments in the entries, an
/// unusual layout, an inline patch a literal block cannot hold, `vars`).
pub fn fix(file: &SourceFile, fid: FileId, root: &Node, key: &str) -> Option<Vec<Edit>> {
    in_place(file, fid, root, key).or_else(|| merged(file, fid, root, key))
}

/// The rewrite as edits in place, when the replacement key is absent: the
/// key renamed and, for strategic-merge patch files, each entry prefixed
/// with `path: `. Comments and layout stay.
fn in_place(file: &SourceFile, fid: FileId, root: &Node, key: &str) -> Option<Vec<Edit>> {
    let entry = root.entry(key)?;
    let absent = |keys: &[&str]| keys.iter().all(|k| root.get(k).is_none());
    let rename = |to: &str| Edit {
        file: fid,
        span: entry.key_span,
        replacement: to.to_string(),
    };
    match key {
        "bases" if absent(&["resources"]) => Some(vec![rename("resources")]),
        "imageTags" if absent(&["images"]) => Some(vec![rename("images")]),
        "patchesJson6902" if absent(&["patches", "patchesStrategicMerge"]) => Some(vec![rename("patches")]),
        "patchesStrategicMerge" if absent(&["patches", "patchesJson6902"]) => {
            let seq = entry.value.as_seq()?;
            let mut edits = vec![rename("patches")];
            for n in seq {
                let text = n.as_str()?;
                // A block sequence item (`- a.yaml`): `- path: a.yaml`.
                let block = file
                    .text
                    .get(..n.span.start as usize)
                    .is_some_and(|t| t.trim_end_matches(' ').ends_with('-'));
                if !block || text.contains('\n') || text.contains(": ") || !crate::fix::is_inline_scalar(n) {
                    return None;
                }
                edits.push(Edit {
                    file: fid,
                    span: Span::new(n.span.start, n.span.start),
                    replacement: "path: ".into(),
                });
            }
            Some(edits)
        }
        _ => None,
    }
}

/// The rewrite as one merged list that replaces the entries involved.
fn merged(file: &SourceFile, fid: FileId, root: &Node, key: &str) -> Option<Vec<Edit>> {
    let value = root.get(key)?;
    match key {
        "bases" => {
            let mut list = existing(file, root, "resources")?;
            list.extend(items(file, value)?);
            rewrite(file, fid, root, "resources", &list, &["bases"])
        }
        "imageTags" => {
            let mut list = existing(file, root, "images")?;
            list.extend(items(file, value)?);
            rewrite(file, fid, root, "images", &list, &["imageTags"])
        }
        "commonLabels" => {
            let mut list = existing(file, root, "labels")?;
            let pairs = value.as_map()?;
            if !pairs.is_empty() {
                let mut item = String::from("pairs:");
                for e in pairs {
                    let k = text_of(file, e.key_span)?;
                    let v = text_of(file, e.value.span)?;
                    if v.contains('\n') || matches!(e.value.value, Value::Map(_) | Value::Seq(_)) {
                        return None;
                    }
                    item.push_str(&format!("\n  {k}: {v}"));
                }
                item.push_str("\nincludeSelectors: true");
                list.push(item);
            }
            rewrite(file, fid, root, "labels", &list, &["commonLabels"])
        }
        "patchesStrategicMerge" | "patchesJson6902" => {
            // Strategic-merge patches ran before `patches`, JSON 6902 ones
            // after: the merged list keeps that order.
            let mut list = Vec::new();
            let mut remove = vec![key];
            if let Some(psm) = root.get("patchesStrategicMerge") {
                for n in psm.items() {
                    let text = n.as_str()?;
                    if text.contains('\n') || text.contains(": ") {
                        list.push(inline_patch(text)?);
                    } else {
                        list.push(format!("path: {}", text_of(file, n.span)?));
                    }
                }
                remove.push("patchesStrategicMerge");
            }
            list.extend(existing(file, root, "patches")?);
            if let Some(json) = root.get("patchesJson6902") {
                list.extend(items(file, json)?);
                remove.push("patchesJson6902");
            }
            remove.sort();
            remove.dedup();
            rewrite(file, fid, root, "patches", &list, &remove)
        }
        _ => None,
    }
}

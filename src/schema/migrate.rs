//! Mechanical upgrade fixes: apiVersion renames (checked against the
//! target version's schema before they are called safe), removed and moved
//! fields, and the 1.1-era selector map wrapped into `matchLabels`.

mod ingress;

use super::validate::validate;
use super::{Deprecation, FieldChange, FieldChangeKind, VersionSchema};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::fix::{apply_edits, insert_entry, is_inline_scalar, newline_of, remove_entry, replace_scalar};
use crate::model::Object;
use crate::source::{FileId, SourceFile};
use crate::yaml::{Limits, Node, Span, Value, parse_source};

/// Nodes at a dotted path (`[]` walks every item), with the map holding
/// the last key.
pub fn find<'n>(root: &'n Node, path: &str) -> Vec<(&'n Node, &'n crate::yaml::Entry)> {
    let mut current: Vec<&Node> = vec![root];
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let (key, each) = match part.strip_suffix("[]") {
            Some(k) => (k, true),
            None => (*part, false),
        };
        let last = i + 1 == parts.len();
        if last && !each {
            return current
                .into_iter()
                .filter_map(|m| m.entry(key).map(|e| (m, e)))
                .collect();
        }
        let mut next = Vec::new();
        for m in current {
            if let Some(v) = m.get(key) {
                if each {
                    next.extend(v.items());
                } else {
                    next.push(v);
                }
            }
        }
        current = next;
    }
    Vec::new()
}

/// The map node at a dotted path (no arrays).
fn map_at<'n>(root: &'n Node, path: &str) -> Option<&'n Node> {
    let mut n = root;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        n = n.get(part)?;
    }
    n.is_map().then_some(n)
}

/// The fix for a field the target version no longer has.
pub fn field_fix(file: &SourceFile, fid: FileId, root: &Node, change: &FieldChange) -> Option<Fix> {
    match change.change {
        FieldChangeKind::Removed => {
            let mut edits = Vec::new();
            for (map, entry) in find(root, &change.path) {
                edits.push(remove_entry(file, fid, map, &entry.key)?);
            }
            Some(Fix {
                title: format!("remove `{}`", change.path),
                applicability: Applicability::Safe,
                edits,
            })
            .filter(|f| !f.edits.is_empty())
        }
        FieldChangeKind::Moved => {
            let to = change.replacement.as_deref()?;
            let (dest_parent, dest_key) = to.rsplit_once('.').unwrap_or(("", to));
            let hits = find(root, &change.path);
            let [(map, entry)] = hits.as_slice() else {
                return None;
            };
            let dest = map_at(root, dest_parent)?;
            if dest.get(dest_key).is_some() || !is_inline_scalar(&entry.value) {
                return None;
            }
            // The value, with a comment that trails it on its line.
            let mut value = file.slice(entry.value.span.start, entry.value.span.end).to_string();
            let line = file.line_index().line_of(entry.value.span.end);
            let (_, line_end) = file.line_index().line_range(&file.text, line);
            let rest = file.slice(entry.value.span.end, line_end);
            if rest.trim_start().starts_with('#') {
                value.push_str(rest.trim_end());
            }
            let mut edits = vec![remove_entry(file, fid, map, &entry.key)?];
            // Moving the last key out of a mapping leaves it empty: remove
            // the mapping too when it held only this key.
            if map.entries().len() == 1 {
                let parent_path = change.path.rsplit_once('.').map_or("", |p| p.0);
                if let Some((grand, grand_entry)) = find(root, parent_path).into_iter().next()
                    && grand.entries().len() > 1
                {
                    edits = vec![remove_entry(file, fid, grand, &grand_entry.key)?];
                }
            }
            edits.push(insert_entry(file, fid, dest, dest_key, &value)?);
            Some(Fix {
                title: format!("move `{}` to `{to}`", change.path),
                applicability: Applicability::Safe,
                edits,
            })
        }
        FieldChangeKind::TypeChanged => {
            // The equality-map selector becomes `matchLabels`.
            let to = change.replacement.as_deref()?;
            let inner = to.strip_prefix(&format!("{}.", change.path))?;
            let hits = find(root, &change.path);
            let [(_, entry)] = hits.as_slice() else {
                return None;
            };
            let edit = wrap_map(file, fid, &entry.value, inner)?;
            Some(Fix {
                title: format!("move the labels of `{}` under `{inner}`", change.path),
                applicability: Applicability::Safe,
                edits: vec![edit],
            })
        }
    }
}

/// Rewrites a mapping `{a: 1}` as `{key: {a: 1}}`, keeping its layout.
fn wrap_map(file: &SourceFile, fid: FileId, map: &Node, key: &str) -> Option<Edit> {
    let entries = map.as_map()?;
    if entries.is_empty() || entries.iter().any(|e| &*e.key == key) {
        return None;
    }
    let text = &file.text;
    if text.as_bytes().get(map.span.start as usize) == Some(&b'{') {
        let inner = file.slice(map.span.start, map.span.end);
        return Some(Edit {
            file: fid,
            span: map.span,
            replacement: format!("{{{key}: {inner}}}"),
        });
    }
    let idx = file.line_index();
    let first_line = idx.line_of(entries[0].key_span.start);
    let start = idx.line_start(first_line);
    let indent = entries[0].key_span.start - start;
    let last_line = idx.line_of(map.span.end.saturating_sub(1).max(map.span.start));
    let (_, end) = idx.line_range(text, last_line);
    let nl = newline_of(text);
    let pad = " ".repeat(indent as usize);
    let body: Vec<String> = file
        .slice(start, end)
        .split('\n')
        .map(|l| l.trim_end_matches('\r'))
        .map(|l| {
            if l.trim().is_empty() {
                l.to_string()
            } else {
                format!("  {l}")
            }
        })
        .collect();
    Some(Edit {
        file: fid,
        span: Span::new(start, end),
        replacement: format!("{pad}{key}:{nl}{}", body.join(nl)),
    })
}

/// The fix moving an object off a removed or deprecated apiVersion, with
/// `extra` edits the move involves (the curated field changes). Safe only
/// when the result validates against the target version; otherwise
/// offered as unsafe.
pub fn api_fix(
    file: &SourceFile,
    fid: FileId,
    object: &Object,
    dep: &Deprecation,
    target: &VersionSchema,
    extra: &[Edit],
) -> Option<Fix> {
    let repl = dep.replacement.as_ref()?;
    let kind = dep.replacement_kind()?;
    let ty = target.lookup(&repl.api_version, kind)?;
    let av_node = object.root.get("apiVersion")?;
    let mut edits = vec![replace_scalar(fid, av_node, &repl.api_version)];
    if kind != object.kind {
        edits.push(replace_scalar(fid, object.root.get("kind")?, kind));
    }
    // apps/v1 (and policy/v1) require the selector that older versions
    // defaulted from the template labels: write the default down.
    let needs_selector = matches!(object.kind, "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
        && object.root.path(&["spec", "selector"]).is_none();
    if needs_selector {
        let labels = object.root.path(&["spec", "template", "metadata", "labels"])?;
        if labels.entries().is_empty() {
            return None;
        }
        let flow = crate::fix::flow_map_of(labels)?;
        let spec = object.root.get("spec")?;
        edits.push(insert_entry(
            file,
            fid,
            spec,
            "selector",
            &format!("matchLabels: {flow}\n"),
        )?);
    }
    // An Ingress moving to networking.k8s.io/v1: its backends and paths
    // take the new shape, or the fix is not offered at all.
    let ingress = object.kind == "Ingress" && kind == "Ingress" && repl.api_version == ingress::TARGET;
    if ingress {
        edits.extend(ingress::edits(file, fid, object.root)?);
    }
    if !ingress {
        // (The Ingress edits above already cover the curated moves.)
        edits.extend(extra.iter().cloned());
    }
    // Would the object validate as the replacement? Re-read only the
    // object's own text when it starts a line (a document), else the file.
    let span = object.root.span;
    let line_start = file.line_index().line_start(file.line_index().line_of(span.start));
    let (base, text) = if line_start == span.start && object.item.is_none() {
        (span.start, file.slice(span.start, span.end))
    } else {
        (0, file.text.as_str())
    };
    let shifted: Vec<Edit> = edits
        .iter()
        .map(|e| Edit {
            file: e.file,
            span: Span::new(e.span.start - base, e.span.end - base),
            replacement: e.replacement.clone(),
        })
        .collect();
    let after = apply_edits(text, &shifted.iter().collect::<Vec<_>>());
    let stream = parse_source(&after, file.looks_like_json(), Limits::default());
    let doc_root = if base > 0 {
        stream.documents.first()?.root.as_ref()?
    } else {
        stream.documents.get(object.doc)?.root.as_ref()?
    };
    let root = match object.item {
        Some(i) => doc_root.get("items")?.items().get(i)?,
        None => doc_root,
    };
    let clean = matches!(root.value, Value::Map(_)) && validate(target, ty, root, &after, Span::default()).is_empty();
    if ingress && !clean {
        return None;
    }
    let target_name = if kind == object.kind {
        repl.api_version.clone()
    } else {
        format!("{} {kind}", repl.api_version)
    };
    Some(Fix {
        title: format!("change to {target_name}"),
        applicability: if clean {
            Applicability::Safe
        } else {
            Applicability::Unsafe
        },
        edits,
    })
}

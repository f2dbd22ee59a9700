//! `patches`, `patchesStrategicMerge` and `patchesJson6902`: target
//! selection, strategic merge (merge keys and strategies of the Kubernetes
//! API, directives) and JSON 6902 operations.

use std::path::Path;

use regex::Regex;

use super::build::{Builder, Result};
use super::res::{Res, split_api_version};
use super::tree::{get_str, set};
use crate::yaml::{Entry, Node, ScalarStyle, Span, Value};

/// Where a patch's text comes from: its documents and the span to blame.
fn load_patch(b: &mut Builder, dir: &Path, item: &Node, inline_key: &str) -> Result<(Vec<Node>, Span)> {
    if let Some(p) = item
        .get("path")
        .or_else(|| item.as_str().filter(|s| !s.contains('\n')).map(|_| item))
    {
        let Some(rel) = p.as_str() else {
            return b.fatal(p.span, "a patch path must be a string");
        };
        let path = b.resolve(dir, rel, p.span)?;
        if !b.is_file(&path) {
            return b.fatal_as(
                super::Problem::Missing,
                p.span,
                format!("patch file `{rel}` does not exist"),
            );
        }
        let docs = b.load_docs(&path, p.span)?;
        return Ok((docs, p.span));
    }
    let inline = if item.as_str().is_some() {
        Some(item)
    } else {
        item.get(inline_key)
    };
    match inline {
        Some(p) => match p.as_str() {
            Some(text) => {
                let text = text.to_string();
                let mut docs = b.parse_docs(&text, 0, Path::new("inline patch"), p.span)?;
                let lines = line_map(b, p, &text);
                for d in &mut docs {
                    match &lines {
                        Some(lines) => remap(d, lines),
                        None => blame(d, p.span),
                    }
                }
                Ok((docs, p.span))
            }
            None => Ok((vec![p.clone()], p.span)),
        },
        None => b.fatal(item.span, "a patch needs `path` or `patch`"),
    }
}

/// For an inline patch written as a literal block scalar: where each line
/// of its text starts in the render's address space, so the patch's nodes
/// point at their own lines of the kustomization.
fn line_map(b: &Builder, node: &Node, content: &str) -> Option<Vec<(u32, u32)>> {
    if node.style != crate::yaml::ScalarStyle::Literal {
        return None;
    }
    let (file, local) = b.map.locate(node.span)?;
    let text = file.text.as_str();
    let start = local.start as usize;
    // The span starts at the `|` header or at the first content line.
    let mut pos = if text.get(start..)?.starts_with('|') {
        start + text.get(start..)?.find('\n')? + 1
    } else {
        text.get(..start)?.rfind('\n').map_or(0, |i| i + 1)
    };
    let first = text.get(pos..)?.lines().find(|l| !l.trim().is_empty())?;
    let indent = first.len() - first.trim_start_matches(' ').len();
    let mut out = Vec::new();
    let mut cpos = 0u32;
    for cl in content.split_inclusive('\n') {
        let end = text.get(pos..)?.find('\n').map_or(text.len(), |i| pos + i + 1);
        let line = text.get(pos..end)?.trim_end_matches(['\n', '\r']);
        let body = cl.trim_end_matches('\n');
        if body.is_empty() {
            out.push((cpos, file.base + pos as u32));
        } else if line.get(indent..) == Some(body) {
            out.push((cpos, file.base + (pos + indent) as u32));
        } else {
            return None;
        }
        cpos += cl.len() as u32;
        pos = end;
    }
    Some(out)
}

fn remap(node: &mut Node, lines: &[(u32, u32)]) {
    let at = |o: u32| {
        let i = lines.partition_point(|(c, _)| *c <= o).saturating_sub(1);
        lines.get(i).map_or(o, |(c, v)| v + (o - c))
    };
    node.span = Span::new(at(node.span.start), at(node.span.end));
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| remap(n, lines)),
        Value::Map(entries) => {
            for e in entries {
                e.key_span = Span::new(at(e.key_span.start), at(e.key_span.end));
                remap(&mut e.value, lines);
            }
        }
        _ => {}
    }
}

/// Gives every node of an inline patch the span of the string it came from.
fn blame(node: &mut Node, span: Span) {
    node.span = span;
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| blame(n, span)),
        Value::Map(entries) => {
            for e in entries {
                e.key_span = span;
                blame(&mut e.value, span);
            }
        }
        _ => {}
    }
}

/// A patch `target` (or a patch's own identity).
#[derive(Default)]
pub(super) struct Selector {
    group: Option<String>,
    version: Option<String>,
    kind: Option<String>,
    name: Option<Regex>,
    namespace: Option<Regex>,
    labels: Option<String>,
    annotations: Option<String>,
}

fn anchored(s: &str) -> Option<Regex> {
    Regex::new(&format!("^(?:{s})$")).ok()
}

impl Selector {
    pub(super) fn read(t: &Node) -> Self {
        let s = |k: &str| t.get(k).and_then(Node::scalar_text).filter(|s| !s.is_empty());
        Selector {
            group: s("group"),
            version: s("version"),
            kind: s("kind"),
            name: s("name").and_then(|n| anchored(&n)),
            namespace: s("namespace").and_then(|n| anchored(&n)),
            labels: s("labelSelector"),
            annotations: s("annotationSelector"),
        }
    }

    pub(super) fn matches(&self, r: &Res) -> bool {
        let eff = |ns: &str| {
            if ns.is_empty() && !r.is_cluster_scoped() {
                "default".to_string()
            } else {
                ns.to_string()
            }
        };
        if let Some(ns) = &self.namespace
            && !(ns.is_match(&eff(&r.orig_ns)) || ns.is_match(&eff(r.namespace())))
        {
            return false;
        }
        if let Some(n) = &self.name
            && !(n.is_match(&r.orig_name) || n.is_match(r.name()))
        {
            return false;
        }
        if self.kind.as_deref().is_some_and(|k| k != r.kind())
            || self.group.as_deref().is_some_and(|g| g != r.group())
            || self.version.as_deref().is_some_and(|v| v != r.version())
        {
            return false;
        }
        let map_of = |field: &str| -> Vec<(String, String)> {
            r.node
                .path(&["metadata", field])
                .map(Node::entries)
                .unwrap_or(&[])
                .iter()
                .map(|e| (e.key.to_string(), e.value.scalar_text().unwrap_or_default()))
                .collect()
        };
        if let Some(sel) = &self.labels
            && !label_selector_matches(sel, &map_of("labels"))
        {
            return false;
        }
        if let Some(sel) = &self.annotations
            && !label_selector_matches(sel, &map_of("annotations"))
        {
            return false;
        }
        true
    }
}

/// A Kubernetes label selector string (`a=b,c!=d,e in (x,y),!f,g`).
pub fn label_selector_matches(sel: &str, labels: &[(String, String)]) -> bool {
    let get = |k: &str| labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str());
    let mut terms = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for c in sel.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                terms.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    terms.push(cur);
    terms.iter().map(|t| t.trim()).filter(|t| !t.is_empty()).all(|t| {
        if let Some((k, v)) = t.split_once("!=") {
            get(k.trim()) != Some(v.trim())
        } else if let Some((k, v)) = t.split_once("==").or_else(|| t.split_once('=')) {
            get(k.trim()) == Some(v.trim())
        } else if let Some((k, rest)) = t.split_once(" notin ") {
            let set = parse_set(rest);
            get(k.trim()).is_none_or(|v| !set.contains(&v))
        } else if let Some((k, rest)) = t.split_once(" in ") {
            let set = parse_set(rest);
            get(k.trim()).is_some_and(|v| set.contains(&v))
        } else if let Some(k) = t.strip_prefix('!') {
            get(k.trim()).is_none()
        } else {
            get(t).is_some()
        }
    })
}

fn parse_set(s: &str) -> Vec<&str> {
    s.trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .split(',')
        .map(str::trim)
        .collect()
}

/// Applies one patch document (SMP mapping or JSON 6902 list) to `ra`.
fn apply(b: &mut Builder, doc: &Node, target: Option<&Node>, ra: &mut [Res], at: Span) -> Result<()> {
    let is_json = doc.as_seq().is_some();
    let selector = match target {
        Some(t) => Selector::read(t),
        None if is_json => return b.fatal(at, "a JSON 6902 patch needs a `target`"),
        None => {
            let (group, version) = get_str(doc, &["apiVersion"]).map(split_api_version).unwrap_or(("", ""));
            let Some(kind) = get_str(doc, &["kind"]) else {
                return b.fatal(doc.span, "a strategic merge patch without `target` needs `kind`");
            };
            let Some(name) = get_str(doc, &["metadata", "name"]) else {
                return b.fatal(
                    doc.span,
                    "a strategic merge patch without `target` needs `metadata.name`",
                );
            };
            // No namespace: the default one, or none for cluster-scoped kinds.
            let ns = get_str(doc, &["metadata", "namespace"]).map_or("default|".to_string(), regex::escape);
            Selector {
                group: get_str(doc, &["apiVersion"]).map(|_| group.to_string()),
                version: (!version.is_empty()).then(|| version.to_string()),
                kind: Some(kind.to_string()),
                name: anchored(&regex::escape(name)),
                namespace: anchored(&ns),
                ..Selector::default()
            }
        }
    };
    let mut matched = 0;
    for r in ra.iter_mut().filter(|r| selector.matches(r)) {
        matched += 1;
        if is_json {
            if let Err(msg) = json6902(&mut r.node, doc) {
                return b.fatal(at, format!("JSON patch on {} `{}`: {msg}", r.kind(), r.name()));
            }
            super::smp::mark_json_nulls(&mut r.node);
        } else {
            // The patch selects; the resource keeps its own identity.
            let mut patch = doc.clone();
            if let Some(meta) = super::tree::get_mut(&mut patch, "metadata") {
                super::tree::remove(meta, "name");
                super::tree::remove(meta, "namespace");
            }
            super::tree::remove(&mut patch, "kind");
            super::tree::remove(&mut patch, "apiVersion");
            let (api_version, kind) = (r.api_version().to_string(), r.kind().to_string());
            let node = std::mem::replace(&mut r.node, Node::null(0));
            let mut kept = Vec::new();
            r.node = super::smp::merge_resource(node, &patch, &api_version, &kind, &b.map, &mut kept)
                .unwrap_or_else(|| Node::null(0));
            for (value, base) in kept {
                // A patch over a value that itself kept quotes: the quotes
                // are still the base's.
                let base = b.kept_quotes.get(&base).copied().unwrap_or(base);
                b.kept_quotes.insert(value, base);
            }
        }
    }
    if matched == 0 && target.is_none() {
        let kind = get_str(doc, &["kind"]).unwrap_or("");
        let name = get_str(doc, &["metadata", "name"]).unwrap_or("");
        let ns = get_str(doc, &["metadata", "namespace"])
            .map(|n| format!(" in namespace `{n}`"))
            .unwrap_or_default();
        return b.fatal(
            at,
            format!("this patch matches no resource: no {kind} `{name}`{ns} among the resources it patches"),
        );
    }
    Ok(())
}

fn remove_deleted(ra: &mut Vec<Res>) {
    ra.retain(|r| !r.node.is_null());
}

pub fn strategic_merge_field(b: &mut Builder, k: &Node, dir: &Path, ra: &mut Vec<Res>) -> Result<()> {
    for item in k.get("patchesStrategicMerge").map(Node::items).unwrap_or(&[]) {
        let (docs, at) = load_patch(b, dir, item, "patch")?;
        for d in &docs {
            apply(b, d, None, ra, at)?;
        }
    }
    remove_deleted(ra);
    Ok(())
}

pub fn patches_field(b: &mut Builder, k: &Node, dir: &Path, ra: &mut Vec<Res>) -> Result<()> {
    for item in k.get("patches").map(Node::items).unwrap_or(&[]) {
        let (docs, at) = load_patch(b, dir, item, "patch")?;
        let target = item.get("target").filter(|t| t.is_map());
        let docs: Vec<Node> = if docs.len() == 1 && docs[0].as_seq().is_some() {
            docs
        } else {
            docs.into_iter().filter(Node::is_map).collect()
        };
        if docs.is_empty() {
            return b.fatal(at, "this patch is empty");
        }
        for d in &docs {
            apply(b, d, target, ra, at)?;
        }
        remove_deleted(ra);
    }
    Ok(())
}

pub fn json6902_field(b: &mut Builder, k: &Node, dir: &Path, ra: &mut [Res]) -> Result<()> {
    for item in k.get("patchesJson6902").map(Node::items).unwrap_or(&[]) {
        let (docs, at) = load_patch(b, dir, item, "patch")?;
        let Some(target) = item.get("target") else {
            return b.fatal(item.span, "a `patchesJson6902` entry needs a `target`");
        };
        let Some(doc) = docs.into_iter().next().filter(|d| d.as_seq().is_some()) else {
            return b.fatal(at, "a JSON 6902 patch must be a list of operations");
        };
        apply(b, &doc, Some(target), ra, at)?;
    }
    Ok(())
}

/// The value a patch puts in place of `dst`. Kustomize (v5.5, checked
/// against kubectl kustomize) keeps a quoted scalar's quoting when a plain
/// scalar replaces it: base `replicas: "3"` patched with `replicas: 5`
/// gives the string `"5"`, and `"3"` patched with `5.0` or `0x10` the
/// strings `"5.0"` and `"0x10"`, as written. A quoted patch value over a
/// plain one is a string as usual.
/// Also says whether the base's quotes were kept.
pub(super) fn replace_scalar(dst: &Node, patch: &Node, map: &crate::render::SourceMap) -> (Node, bool) {
    let mut out = patch.clone();
    let quoted = matches!(dst.value, Value::Str(_))
        && matches!(
            dst.style,
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted | ScalarStyle::Json
        );
    if !quoted || !matches!(patch.value, Value::Int(_) | Value::Float(_) | Value::Bool(_)) {
        return (out, false);
    }
    let Some(text) = written(patch, map).or_else(|| patch.scalar_text()) else {
        return (out, false);
    };
    out.value = Value::Str(text.into());
    out.style = ScalarStyle::DoubleQuoted;
    (out, true)
}

/// A plain scalar's text as written in its file (without a tag), when its
/// span still points at it (an inline patch's may not).
fn written(n: &Node, map: &crate::render::SourceMap) -> Option<String> {
    let (file, span) = map.locate(n.span)?;
    let raw = file.text.get(span.start as usize..span.end as usize)?.trim();
    let raw = match raw.strip_prefix('!') {
        Some(tagged) => tagged.split_once(char::is_whitespace)?.1.trim_start(),
        None => raw,
    };
    let same = match (crate::yaml::scalar::resolve_plain(raw), &n.value) {
        (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
        (a, b) => &a == b,
    };
    (same && !raw.is_empty() && !raw.contains('\n')).then(|| raw.to_string())
}

/// JSON pointer tokens (`~1` → `/`, `~0` → `~`).
fn pointer(p: &str) -> Vec<String> {
    if p.is_empty() {
        return Vec::new();
    }
    p.trim_start_matches('/')
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect()
}

fn parent_mut<'a>(root: &'a mut Node, toks: &[String]) -> std::result::Result<&'a mut Node, String> {
    let mut n = root;
    for t in toks {
        n = match &mut n.value {
            Value::Map(entries) => entries
                .iter_mut()
                .find(|e| *e.key == **t)
                .map(|e| &mut e.value)
                .ok_or_else(|| format!("no field `{t}`"))?,
            Value::Seq(items) => {
                let i: usize = t.parse().map_err(|_| format!("`{t}` is not an index"))?;
                let len = items.len();
                items
                    .get_mut(i)
                    .ok_or_else(|| format!("index {i} out of range ({len} items)"))?
            }
            _ => return Err(format!("cannot descend into `{t}`")),
        };
    }
    Ok(n)
}

fn take(root: &mut Node, path: &str) -> std::result::Result<Node, String> {
    let toks = pointer(path);
    let Some((last, init)) = toks.split_last() else {
        return Err("cannot remove the whole object".into());
    };
    let parent = parent_mut(root, init)?;
    match &mut parent.value {
        Value::Map(entries) => {
            let i = entries
                .iter()
                .position(|e| *e.key == **last)
                .ok_or_else(|| format!("no field `{last}`"))?;
            Ok(entries.remove(i).value)
        }
        Value::Seq(items) => {
            let i: usize = last.parse().map_err(|_| format!("`{last}` is not an index"))?;
            if i >= items.len() {
                return Err(format!("index {i} out of range"));
            }
            Ok(items.remove(i))
        }
        _ => Err(format!("no field `{last}`")),
    }
}

fn put(root: &mut Node, path: &str, value: Node, replace: bool) -> std::result::Result<(), String> {
    let toks = pointer(path);
    let Some((last, init)) = toks.split_last() else {
        *root = value;
        return Ok(());
    };
    let parent = parent_mut(root, init)?;
    match &mut parent.value {
        Value::Map(entries) => {
            // Like kustomize, `replace` of a missing key adds it.
            match entries.iter_mut().find(|e| *e.key == **last) {
                Some(e) => e.value = value,
                None => entries.push(Entry {
                    key: last.as_str().into(),
                    key_span: value.span,
                    value,
                }),
            }
            Ok(())
        }
        Value::Seq(items) => {
            if last == "-" {
                items.push(value);
                return Ok(());
            }
            let i: usize = last.parse().map_err(|_| format!("`{last}` is not an index"))?;
            if replace {
                let len = items.len();
                *items
                    .get_mut(i)
                    .ok_or_else(|| format!("index {i} out of range ({len} items)"))? = value;
            } else if i <= items.len() {
                items.insert(i, value);
            } else {
                return Err(format!("index {i} out of range"));
            }
            Ok(())
        }
        Value::Null if !replace => {
            set(parent, last, value);
            Ok(())
        }
        _ => Err(format!("cannot set `{last}`")),
    }
}

/// Applies a JSON 6902 operation list.
pub fn json6902(root: &mut Node, ops: &Node) -> std::result::Result<(), String> {
    for op in ops.items() {
        let kind = op.get("op").and_then(Node::as_str).ok_or("an operation has no `op`")?;
        let path = op
            .get("path")
            .and_then(Node::as_str)
            .ok_or("an operation has no `path`")?;
        let value = || op.get("value").cloned().unwrap_or_else(|| Node::null(op.span.start));
        match kind {
            "add" => put(root, path, value(), false)?,
            "replace" => put(root, path, value(), true)?,
            "remove" => {
                take(root, path)?;
            }
            "move" => {
                let from = op.get("from").and_then(Node::as_str).ok_or("`move` needs `from`")?;
                let v = take(root, from)?;
                put(root, path, v, false)?;
            }
            "copy" => {
                let from = op.get("from").and_then(Node::as_str).ok_or("`copy` needs `from`")?;
                let toks = pointer(from);
                let v = parent_mut(root, &toks)?.clone();
                put(root, path, v, false)?;
            }
            "test" => {
                let toks = pointer(path);
                let v = parent_mut(root, &toks)?;
                if !v.same_value(&value()) {
                    return Err(format!("test failed at `{path}`"));
                }
            }
            other => return Err(format!("unknown operation `{other}`")),
        }
    }
    Ok(())
}

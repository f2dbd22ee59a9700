//! `replacements` (copy a field of one resource into fields of others) and
//! `vars` (`$(NAME)` substitution at the root, after name references).

use std::path::Path;

use super::build::{Builder, Result};
use super::names::FieldSpec;
use super::res::Res;
use super::tree::{entry_or, map_node, str_node};
use crate::yaml::{Node, Span, Value};

/// Splits `spec.containers.[name=app].image` into its elements; a
/// bracketed element may contain dots.
pub fn field_path(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '[' => {
                depth += 1;
                cur.push(c);
            }
            ']' => {
                depth -= 1;
                cur.push(c);
            }
            '.' if depth == 0 => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    // `containers[0]` and `containers[name=x]` written without a dot.
    let mut split = Vec::new();
    for el in out.into_iter().filter(|s| !s.is_empty()) {
        match el.find('[') {
            Some(i) if i > 0 && el.ends_with(']') => {
                split.push(el[..i].to_string());
                split.push(el[i..].to_string());
            }
            _ => split.push(el),
        }
    }
    split
}

/// Calls `f` on every node at `path` (creating fields with `create`).
fn visit_path(node: &mut Node, path: &[String], create: bool, span: Span, f: &mut dyn FnMut(&mut Node)) {
    let Some((first, rest)) = path.split_first() else {
        f(node);
        return;
    };
    if let Some(inner) = first.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        if let Some((k, v)) = inner.split_once('=') {
            if let Value::Seq(items) = &mut node.value {
                let mut found = false;
                for item in items.iter_mut() {
                    let hit = if k.is_empty() {
                        item.scalar_text().as_deref() == Some(v)
                    } else {
                        item.get(k).and_then(Node::scalar_text).as_deref() == Some(v)
                    };
                    if hit {
                        found = true;
                        visit_path(item, rest, create, span, f);
                    }
                }
                if !found && create && !k.is_empty() {
                    let mut item = map_node(span);
                    super::tree::set(&mut item, k, str_node(v, span));
                    visit_path(&mut item, rest, create, span, f);
                    items.push(item);
                }
            }
            return;
        }
        if let (Value::Seq(items), Ok(i)) = (&mut node.value, inner.parse::<usize>()) {
            if let Some(item) = items.get_mut(i) {
                visit_path(item, rest, create, span, f);
            }
            return;
        }
        return visit_key(node, inner, rest, create, span, f);
    }
    if first == "*" {
        match &mut node.value {
            Value::Seq(items) => items.iter_mut().for_each(|i| visit_path(i, rest, create, span, f)),
            Value::Map(entries) => entries
                .iter_mut()
                .for_each(|e| visit_path(&mut e.value, rest, create, span, f)),
            _ => {}
        }
        return;
    }
    if let (Value::Seq(items), Ok(i)) = (&mut node.value, first.parse::<usize>()) {
        if let Some(item) = items.get_mut(i) {
            visit_path(item, rest, create, span, f);
        }
        return;
    }
    visit_key(node, first, rest, create, span, f)
}

fn visit_key(node: &mut Node, key: &str, rest: &[String], create: bool, span: Span, f: &mut dyn FnMut(&mut Node)) {
    if node.get(key).is_none() && !create {
        return;
    }
    let next_is_list = rest
        .first()
        .and_then(|r| r.strip_prefix('[')?.strip_suffix(']'))
        .is_some_and(|inner| inner.contains('=') || inner.parse::<usize>().is_ok());
    let init = || {
        if rest.is_empty() {
            Node::null(span.start)
        } else if next_is_list {
            Node::new(span, Value::Seq(Vec::new()))
        } else {
            map_node(span)
        }
    };
    if let Some(child) = entry_or(node, key, span, init) {
        visit_path(child, rest, create, span, f);
    }
}

fn get_path(node: &Node, path: &[String]) -> Option<Node> {
    let mut copy = node.clone();
    let mut out = None;
    visit_path(&mut copy, path, false, Span::default(), &mut |n| {
        if out.is_none() {
            out = Some(n.clone());
        }
    });
    out
}

struct Opts {
    delimiter: Option<String>,
    index: i64,
    create: bool,
}

fn opts(n: Option<&Node>) -> Opts {
    Opts {
        delimiter: n.and_then(|o| o.get("delimiter")).and_then(Node::scalar_text),
        index: n.and_then(|o| o.get("index")).and_then(Node::as_i64).unwrap_or(0),
        create: n.and_then(|o| o.get("create")).and_then(Node::as_bool).unwrap_or(false),
    }
}

fn selector_matches(sel: &Node, r: &Res) -> bool {
    let s = |k: &str| sel.get(k).and_then(Node::scalar_text).filter(|s| !s.is_empty());
    let re = |p: &str, v: &str| regex::Regex::new(&format!("^(?:{p})$")).is_ok_and(|r| r.is_match(v));
    if let Some(k) = s("kind")
        && k != r.kind()
    {
        return false;
    }
    if let Some(g) = s("group")
        && g != r.group()
    {
        return false;
    }
    if let Some(v) = s("version")
        && v != r.version()
    {
        return false;
    }
    if let Some(n) = s("name")
        && !(re(&n, r.name()) || re(&n, &r.orig_name))
    {
        return false;
    }
    if let Some(ns) = s("namespace")
        && !(re(&ns, r.namespace()) || re(&ns, &r.orig_ns))
    {
        return false;
    }
    for (field, key) in [("labelSelector", "labels"), ("annotationSelector", "annotations")] {
        if let Some(sel) = s(field) {
            let pairs: Vec<(String, String)> = r
                .node
                .path(&["metadata", key])
                .map(Node::entries)
                .unwrap_or(&[])
                .iter()
                .map(|e| (e.key.to_string(), e.value.scalar_text().unwrap_or_default()))
                .collect();
            if !super::patch::label_selector_matches(&sel, &pairs) {
                return false;
            }
        }
    }
    true
}

pub fn replacements(b: &mut Builder, k: &Node, dir: &Path, ra: &mut [Res]) -> Result<()> {
    let mut list: Vec<Node> = Vec::new();
    for item in k.get("replacements").map(Node::items).unwrap_or(&[]) {
        if let Some(p) = item.get("path").and_then(Node::as_str) {
            let path = b.resolve(dir, p, item.span)?;
            for d in b.load_docs(&path, item.span)? {
                match &d.value {
                    Value::Seq(items) => list.extend(items.iter().cloned()),
                    _ => list.push(d),
                }
            }
        } else {
            list.push(item.clone());
        }
    }
    for rep in &list {
        replacement(b, rep, ra)?;
    }
    Ok(())
}

fn replacement(b: &mut Builder, rep: &Node, ra: &mut [Res]) -> Result<()> {
    let Some(source) = rep.get("source") else {
        return b.fatal(rep.span, "a replacement needs a `source`");
    };
    let sources: Vec<usize> = (0..ra.len()).filter(|&i| selector_matches(source, &ra[i])).collect();
    let src = match sources.as_slice() {
        [i] => *i,
        [] => return b.fatal(source.span, "the replacement source selects no resource"),
        _ => return b.fatal(source.span, "the replacement source selects more than one resource"),
    };
    let fp = source
        .get("fieldPath")
        .and_then(Node::as_str)
        .unwrap_or("metadata.name");
    let Some(mut value) = get_path(&ra[src].node, &field_path(fp)) else {
        return b.fatal(source.span, format!("the replacement source has no field `{fp}`"));
    };
    let so = opts(source.get("options"));
    if let Some(d) = &so.delimiter {
        let text = value.scalar_text().unwrap_or_default();
        let parts: Vec<&str> = text.split(d.as_str()).collect();
        let Some(part) = usize::try_from(so.index).ok().and_then(|i| parts.get(i)) else {
            return b.fatal(source.span, "the replacement source index is out of range");
        };
        value = str_node(part, value.span);
    }
    for t in rep.get("targets").map(Node::items).unwrap_or(&[]) {
        let Some(select) = t.get("select") else {
            return b.fatal(t.span, "a replacement target needs `select`");
        };
        let rejects = t.get("reject").map(Node::items).unwrap_or(&[]);
        let to = opts(t.get("options"));
        let paths: Vec<Vec<String>> = t
            .get("fieldPaths")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .map(field_path)
            .collect();
        for r in ra.iter_mut() {
            if !selector_matches(select, r) || rejects.iter().any(|rej| selector_matches(rej, r)) {
                continue;
            }
            for p in &paths {
                let mut hit = false;
                visit_path(&mut r.node, p, to.create, t.span, &mut |n| {
                    hit = true;
                    *n = substitute(n, &value, &to);
                });
                if !hit && !to.create {
                    let _ = hit;
                }
            }
        }
    }
    Ok(())
}

fn substitute(old: &Node, value: &Node, o: &Opts) -> Node {
    let Some(d) = &o.delimiter else {
        return value.clone();
    };
    let old_text = old.scalar_text().unwrap_or_default();
    let mut parts: Vec<String> = old_text.split(d.as_str()).map(str::to_string).collect();
    let new = value.scalar_text().unwrap_or_default();
    if o.index < 0 {
        parts.insert(0, new);
    } else if let Ok(i) = usize::try_from(o.index) {
        if i < parts.len() {
            parts[i] = new;
        } else {
            parts.push(new);
        }
    }
    str_node(&parts.join(d), value.span)
}

/// Resolves `vars` and substitutes `$(NAME)` in the var-reference fields.
pub fn resolve_vars(b: &mut Builder, ra: &mut [Res], vars: &[Node]) -> Result<()> {
    if vars.is_empty() {
        return Ok(());
    }
    let mut values: Vec<(String, Node)> = Vec::new();
    for v in vars {
        let Some(name) = v.get("name").and_then(Node::as_str) else {
            return b.fatal(v.span, "a var needs a `name`");
        };
        let Some(objref) = v.get("objref") else {
            return b.fatal(v.span, format!("var `{name}` needs an `objref`"));
        };
        let fp = v
            .path(&["fieldref", "fieldpath"])
            .or_else(|| v.path(&["fieldref", "fieldPath"]))
            .and_then(Node::as_str)
            .unwrap_or("metadata.name");
        let kind = objref.get("kind").and_then(Node::as_str).unwrap_or("");
        let oname = objref.get("name").and_then(Node::as_str).unwrap_or("");
        let ns = objref.get("namespace").and_then(Node::as_str);
        let av = objref.get("apiVersion").and_then(Node::as_str);
        let hits: Vec<&Res> = ra
            .iter()
            .filter(|r| r.kind() == kind && (r.orig_name == oname || r.had_name(oname)))
            .filter(|r| ns.is_none_or(|ns| r.namespace() == ns || r.orig_ns == ns))
            .filter(|r| av.is_none_or(|av| r.api_version() == av || super::res::split_api_version(av).0 == r.group()))
            .collect();
        let Some(r) = hits.first() else {
            return b.fatal(v.span, format!("var `{name}`: no {kind} `{oname}` among the resources"));
        };
        let Some(value) = get_path(&r.node, &field_path(fp)) else {
            return b.fatal(v.span, format!("var `{name}`: {kind} `{oname}` has no field `{fp}`"));
        };
        values.push((name.to_string(), value));
    }
    let specs: Vec<FieldSpec> = b.config.var_refs.clone();
    for r in ra.iter_mut() {
        let applying: Vec<&FieldSpec> = specs.iter().filter(|s| s.applies(r)).collect();
        for spec in applying {
            let path = spec.path();
            super::tree::visit(&mut r.node, &path, false, Span::default(), &mut |n| expand(n, &values));
        }
    }
    Ok(())
}

fn expand(n: &mut Node, values: &[(String, Node)]) {
    match &mut n.value {
        Value::Str(s) if s.contains("$(") => {
            // A whole-string reference takes the var's value and type.
            if let Some((_, v)) = values.iter().find(|(name, _)| **s == *format!("$({name})")) {
                if v.scalar_text().is_some() {
                    *n = v.clone();
                }
                return;
            }
            let mut out = String::new();
            let mut rest: &str = s;
            while let Some(i) = rest.find("$(") {
                out.push_str(&rest[..i]);
                let after = &rest[i + 2..];
                match after.find(')') {
                    Some(j) => {
                        let name = &after[..j];
                        match values
                            .iter()
                            .find(|(n, _)| n == name)
                            .and_then(|(_, v)| v.scalar_text())
                        {
                            Some(text) => out.push_str(&text),
                            None => {
                                out.push_str("$(");
                                out.push_str(name);
                                out.push(')');
                            }
                        }
                        rest = &after[j + 1..];
                    }
                    None => {
                        out.push_str(&rest[i..]);
                        rest = "";
                    }
                }
            }
            out.push_str(rest);
            n.value = Value::Str(out.into());
        }
        Value::Seq(items) => items.iter_mut().for_each(|i| expand(i, values)),
        Value::Map(entries) => entries.iter_mut().for_each(|e| expand(&mut e.value, values)),
        _ => {}
    }
}

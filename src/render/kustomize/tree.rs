//! Small helpers to read and edit the spanned tree in place.

use crate::yaml::{Entry, Node, ScalarStyle, Span, Value};

pub fn str_node(s: &str, span: Span) -> Node {
    Node {
        span,
        value: Value::Str(s.into()),
        style: ScalarStyle::Plain,
    }
}

pub fn map_node(span: Span) -> Node {
    Node::new(span, Value::Map(Vec::new()))
}

pub fn get_mut<'a>(node: &'a mut Node, key: &str) -> Option<&'a mut Node> {
    match &mut node.value {
        Value::Map(entries) => entries.iter_mut().find(|e| &*e.key == key).map(|e| &mut e.value),
        _ => None,
    }
}

/// The value of `key`, created (as `init`) when absent; a null node becomes
/// an empty mapping first. `None` when `node` is not a mapping.
pub fn entry_or<'a>(node: &'a mut Node, key: &str, span: Span, init: impl FnOnce() -> Node) -> Option<&'a mut Node> {
    if node.is_null() {
        node.value = Value::Map(Vec::new());
        node.span = if node.span.is_empty() { span } else { node.span };
    }
    let Value::Map(entries) = &mut node.value else {
        return None;
    };
    let i = match entries.iter().position(|e| &*e.key == key) {
        Some(i) => i,
        None => {
            entries.push(Entry {
                key: key.into(),
                key_span: span,
                value: init(),
            });
            entries.len() - 1
        }
    };
    Some(&mut entries[i].value)
}

/// Sets `key` to `value`, keeping the key's position when it exists.
pub fn set(node: &mut Node, key: &str, value: Node) {
    let span = value.span;
    if let Some(slot) = entry_or(node, key, span, || Node::null(span.start)) {
        *slot = value;
    }
}

pub fn remove(node: &mut Node, key: &str) -> Option<Node> {
    let Value::Map(entries) = &mut node.value else {
        return None;
    };
    let i = entries.iter().position(|e| &*e.key == key)?;
    Some(entries.remove(i).value)
}

pub fn get_str<'a>(node: &'a Node, keys: &[&str]) -> Option<&'a str> {
    node.path(keys)?.as_str()
}

/// Walks a kustomize field path (`spec/template/spec/containers/image`),
/// entering every item of a sequence met on the way, and calls `f` on each
/// node found at the end. With `create`, missing mappings on the way and the
/// final field (as null) are created.
pub fn visit(node: &mut Node, path: &[&str], create: bool, span: Span, f: &mut dyn FnMut(&mut Node)) {
    if let Value::Seq(items) = &mut node.value {
        for item in items {
            visit(item, path, create, span, f);
        }
        return;
    }
    let Some((first, rest)) = path.split_first() else {
        f(node);
        return;
    };
    let (key, is_seq) = match first.strip_suffix("[]") {
        Some(k) => (k, true),
        None => (*first, false),
    };
    if !(node.is_map() || create && node.is_null()) {
        return;
    }
    let exists = node.get(key).is_some();
    if !exists && !create {
        return;
    }
    let init = || {
        if rest.is_empty() {
            Node::null(span.start)
        } else if is_seq {
            Node::new(span, Value::Seq(Vec::new()))
        } else {
            map_node(span)
        }
    };
    if let Some(child) = entry_or(node, key, span, init) {
        if !rest.is_empty() && child.is_null() {
            if !create {
                return;
            }
            *child = map_node(span);
        }
        visit(child, rest, create, span, f);
    }
}

/// Splits a kustomize field path on `/`, keeping `\/` escapes as slashes.
pub fn split_path(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'/') => {
                cur.push('/');
                chars.next();
            }
            '/' => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out.retain(|s| !s.is_empty());
    out
}

/// Moves every span of a tree by `base` (into a render's address space).
pub fn shift(node: &mut Node, base: u32) {
    node.span = Span::new(node.span.start + base, node.span.end + base);
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| shift(n, base)),
        Value::Map(entries) => {
            for e in entries {
                e.key_span = Span::new(e.key_span.start + base, e.key_span.end + base);
                shift(&mut e.value, base);
            }
        }
        _ => {}
    }
}

/// Kustomize reads YAML with YAML 1.2 booleans: a plain `yes`, `on`, `y`
/// (and the other YAML 1.1-only spellings) stays a string, as a value and as
/// a key. `text` is the file the (unshifted) spans point into.
pub fn kustomize_scalars(node: &mut Node, text: &str) {
    match &mut node.value {
        Value::Bool(_) if node.style == ScalarStyle::Plain => {
            if let Some(raw) = text.get(node.span.start as usize..node.span.end as usize)
                && crate::yaml::scalar::is_yaml11_only_bool(raw)
            {
                node.value = Value::Str(raw.into());
            }
        }
        // A clipped block scalar that ends the file without a line break has
        // no final newline (YAML 1.2, as kustomize's reader sees it).
        Value::Str(s)
            if matches!(node.style, ScalarStyle::Literal | ScalarStyle::Folded)
                && !text.ends_with('\n')
                && s.ends_with('\n')
                && text
                    .get(node.span.end as usize..)
                    .is_some_and(|rest| rest.trim().is_empty())
                && text
                    .get(node.span.start as usize..)
                    .and_then(|t| t.lines().next())
                    .is_some_and(|header| !header.contains('+')) =>
        {
            let mut v = s.to_string();
            v.pop();
            node.value = Value::Str(v.into());
        }
        Value::Seq(items) => items.iter_mut().for_each(|n| kustomize_scalars(n, text)),
        Value::Map(entries) => {
            for e in entries {
                if matches!(&*e.key, "true" | "false")
                    && let Some(raw) = text.get(e.key_span.start as usize..e.key_span.end as usize)
                    && crate::yaml::scalar::is_yaml11_only_bool(raw)
                {
                    e.key = raw.into();
                }
                kustomize_scalars(&mut e.value, text);
            }
        }
        _ => {}
    }
}

//! The fixes of rendered objects mapped back to the files their values
//! were written in, each checked by rendering the root again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::Fix;
use crate::render::kustomize::{Options, Rendered, render};
use crate::yaml::{Node, Span, Value};

/// A fix of a rendered object as edits of its origin files: (path as the
/// render read it, local span, replacement). `None` unless every edit
/// replaces exactly a scalar the rendered objects hold (its origin span),
/// and rendering `dir` again with the edits applied to the origin texts
/// changes those scalars, and nothing else, to the values written. A
/// scalar that kept the quotes of the base value it replaced is fixed by
/// removing those quotes in the base (the patch's text stays).
pub(super) fn origin_fix(r: &Rendered, dir: &Path, fix: &Fix, opts: &Options) -> Option<Vec<(PathBuf, Span, String)>> {
    let mut expected: HashMap<Span, Value> = HashMap::new();
    let mut mapped = Vec::new();
    let mut texts: HashMap<PathBuf, String> = HashMap::new();
    let mut per_file: HashMap<PathBuf, Vec<(Span, String)>> = HashMap::new();
    for e in &fix.edits {
        if e.span.is_empty() || !r.objects.iter().any(|o| holds_scalar(o, e.span)) {
            return None;
        }
        let value = crate::render::kustomize::read_scalar(&e.replacement)?;
        let (at, replacement) = match r.kept_quotes.get(&e.span) {
            Some(&base) => (base, unquoted(r, base, &value)?),
            None => (e.span, e.replacement.clone()),
        };
        let (file, local) = r.map.locate(at)?;
        if local.end - local.start != at.end - at.start {
            return None;
        }
        expected.insert(e.span, value);
        texts.entry(file.path.clone()).or_insert_with(|| file.text.clone());
        per_file
            .entry(file.path.clone())
            .or_default()
            .push((local, replacement.clone()));
        mapped.push((file.path.clone(), local, replacement));
    }
    // The origin texts with the edits applied, read instead of the files.
    let mut overlay: HashMap<PathBuf, String> = opts.overlay.as_deref().cloned().unwrap_or_default();
    for (path, mut edits) in per_file {
        let mut text = texts.remove(&path)?;
        edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
        let mut last = u32::MAX;
        for (span, replacement) in edits {
            if span.end > last || span.end as usize > text.len() || !text.is_char_boundary(span.start as usize) {
                return None;
            }
            text.replace_range(span.start as usize..span.end as usize, &replacement);
            last = span.start;
        }
        overlay.insert(path, text);
    }
    let again = render(
        dir,
        &Options {
            repository: opts.repository.clone(),
            overlay: Some(Arc::new(overlay)),
        },
    );
    let same = again.ok()
        && again.objects.len() == r.objects.len()
        && r.objects
            .iter()
            .zip(&again.objects)
            .all(|(a, b)| same_but(a, b, &expected));
    same.then_some(mapped)
}

/// The text of the quoted scalar at `span` without its quotes, when that
/// reads (plain) as a value of the same type as `like` and needs no
/// escaping: `"3"` → `3` where a number is expected.
fn unquoted(r: &Rendered, span: Span, like: &Value) -> Option<String> {
    let (file, local) = r.map.locate(span)?;
    let raw = file.text.get(local.start as usize..local.end as usize)?;
    let quote = raw.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let inner = raw.strip_prefix(quote)?.strip_suffix(quote)?;
    if inner.is_empty() || inner.contains(['"', '\'', '\\', '\n', '#']) || inner.trim() != inner {
        return None;
    }
    let read = crate::render::kustomize::read_scalar(inner)?;
    let same = matches!(
        (&read, like),
        (Value::Int(_), Value::Int(_))
            | (Value::Int(_) | Value::Float(_), Value::Float(_))
            | (Value::Bool(_), Value::Bool(_))
    );
    same.then(|| inner.to_string())
}

/// Whether a scalar of `node` has exactly `span`.
fn holds_scalar(node: &Node, span: Span) -> bool {
    match &node.value {
        Value::Map(entries) => entries.iter().any(|e| holds_scalar(&e.value, span)),
        Value::Seq(items) => items.iter().any(|n| holds_scalar(n, span)),
        _ => node.span == span,
    }
}

/// Whether `new` reads as `old`, except for the scalars of `old` whose
/// span is in `changed`, which must read as the value given.
fn same_but(old: &Node, new: &Node, changed: &HashMap<Span, Value>) -> bool {
    let scalar = |v: &Value| !matches!(v, Value::Map(_) | Value::Seq(_));
    match (&old.value, &new.value) {
        (Value::Map(a), Value::Map(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(x, y)| x.key == y.key && same_but(&x.value, &y.value, changed))
        }
        (Value::Seq(a), Value::Seq(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_but(x, y, changed)),
        (a, b) if scalar(a) && scalar(b) => match changed.get(&old.span) {
            Some(want) => b == want && a != b,
            None => a == b,
        },
        _ => false,
    }
}

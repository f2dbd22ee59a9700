//! The `--fix` contract: a file's fixes are written only when re-reading
//! the edited text gives the same objects as before, except at the paths
//! the fixes set out to change.
//!
//! Trees are compared as Kubernetes reads them (of duplicate keys the last
//! one wins; styles, comments and layout do not count). The paths a fix may
//! change come from where its edits land:
//! - an edit that writes text may change the outermost nodes that start
//!   inside the text it replaces (before) and inside the text it writes
//!   (after), or the innermost node around it when none starts there;
//! - an edit that only deletes removes one entry: the first node that
//!   starts inside it. Removing a duplicate key that a later one overrides
//!   changes nothing Kubernetes reads, so it allows no change at all.
//!
//! Anything else that differs (a neighbouring key swept away with a block
//! scalar, both duplicates deleted, a value re-typed by a quoting slip, a
//! document more or less, a syntax error more or less) refuses the file's
//! fixes.

use std::collections::HashMap;
use std::fmt;

use crate::diagnostic::Edit;
use crate::yaml::{Entry, Limits, Node, Value, parse_source};

/// One step of a path into a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(Box<str>),
    Index(usize),
}

/// A path into a document (`[]` is the document itself).
pub type Path = Vec<Seg>;

fn show(path: &[Seg]) -> String {
    if path.is_empty() {
        return "the whole document".into();
    }
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    format!("`{out}`")
}

/// Why a file's fixes were refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks that `after` (the text of `before` with `edits` applied) reads
/// as the same objects outside the paths the edits change.
pub fn verify(before: &str, after: &str, json: bool, edits: &[&Edit]) -> Result<(), Refusal> {
    let a = parse_source(before, json, Limits::default());
    let b = parse_source(after, json, Limits::default());
    let syntax = |s: &crate::yaml::Stream| s.diagnostics.iter().filter(|d| d.rule == "yaml-syntax").count();
    match syntax(&b).cmp(&syntax(&a)) {
        std::cmp::Ordering::Greater => return Err(Refusal("the fixed text would not parse".into())),
        // No fix sets out to mend a syntax error: text that one removes is
        // text its edits swept away (a key YAML cannot read next to the
        // duplicate being removed), which the trees alone cannot show.
        std::cmp::Ordering::Less => {
            return Err(Refusal("the fixes would also remove text that does not parse".into()));
        }
        std::cmp::Ordering::Equal => {}
    }
    if a.documents.len() != b.documents.len() {
        return Err(Refusal(format!(
            "the fixed text would have {} documents instead of {}",
            b.documents.len(),
            a.documents.len()
        )));
    }
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    for (i, (da, db)) in a.documents.iter().zip(&b.documents).enumerate() {
        let (ra, rb) = match (&da.root, &db.root) {
            (None, None) => continue,
            (Some(ra), Some(rb)) => (ra, rb),
            _ => return Err(Refusal(format!("document {} would appear or disappear", i + 1))),
        };
        let mut changed = Vec::new();
        diff(ra, rb, &mut Vec::new(), &mut changed);
        if changed.is_empty() {
            continue;
        }
        let allowed = allowed_paths(ra, rb, before, after, &sorted);
        let ok = |(c, removed): &(Path, bool)| {
            allowed
                .iter()
                .any(|(a, removal)| if *removal { *removed && a == c } else { covers(a, c) })
        };
        if let Some((c, _)) = changed.iter().find(|c| !ok(c)) {
            return Err(Refusal(format!(
                "the fixes would also change {} in document {}",
                show(c),
                i + 1
            )));
        }
    }
    Ok(())
}

/// Whether a change at `changed` is within the allowed path `allowed`: at
/// or under it, or a list whose allowed item was added or removed.
fn covers(allowed: &[Seg], changed: &[Seg]) -> bool {
    changed.starts_with(allowed)
        || (allowed.starts_with(changed) && matches!(allowed.get(changed.len()), Some(Seg::Index(_))))
}

/// The entries of a mapping as Kubernetes reads them: the last of
/// duplicate keys wins (in first-seen order).
fn effective(entries: &[Entry]) -> Vec<&Entry> {
    if entries.len() <= 16 {
        return entries
            .iter()
            .enumerate()
            .filter(|(i, e)| !entries[i + 1..].iter().any(|l| l.key == e.key))
            .map(|(_, e)| e)
            .collect();
    }
    let mut last: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        last.insert(&e.key, i);
    }
    entries
        .iter()
        .enumerate()
        .filter(|(i, e)| last.get(&*e.key) == Some(i))
        .map(|(_, e)| e)
        .collect()
}

/// Collects the outermost paths where two trees differ, each with whether
/// it is a mapping key that is gone.
fn diff(a: &Node, b: &Node, path: &mut Path, out: &mut Vec<(Path, bool)>) {
    match (&a.value, &b.value) {
        (Value::Map(ea), Value::Map(eb)) => {
            let (ea, eb) = (effective(ea), effective(eb));
            let index_b: HashMap<&str, &Entry> = eb.iter().map(|e| (&*e.key, *e)).collect();
            let index_a: HashMap<&str, &Entry> = ea.iter().map(|e| (&*e.key, *e)).collect();
            for e in &ea {
                path.push(Seg::Key(e.key.as_str().into()));
                match index_b.get(&*e.key) {
                    Some(other) => diff(&e.value, &other.value, path, out),
                    None => out.push((path.clone(), true)),
                }
                path.pop();
            }
            for e in eb.iter().filter(|e| !index_a.contains_key(&*e.key)) {
                path.push(Seg::Key(e.key.as_str().into()));
                out.push((path.clone(), false));
                path.pop();
            }
        }
        (Value::Seq(ia), Value::Seq(ib)) if ia.len() == ib.len() => {
            for (i, (x, y)) in ia.iter().zip(ib).enumerate() {
                path.push(Seg::Index(i));
                diff(x, y, path, out);
                path.pop();
            }
        }
        (Value::Float(x), Value::Float(y)) if x.to_bits() == y.to_bits() => {}
        (x, y) if scalar(x) && scalar(y) && x == y => {}
        _ => out.push((path.clone(), false)),
    }
}

fn scalar(v: &Value) -> bool {
    !matches!(v, Value::Map(_) | Value::Seq(_))
}

/// Where an edit lands in a tree.
struct Hits {
    /// Outermost nodes starting inside the range, with whether each is a
    /// mapping entry that a later duplicate key overrides.
    starting: Vec<(Path, bool)>,
    /// The innermost node around the range.
    around: Path,
}

fn hits(root: &Node, start: u32, end: u32) -> Hits {
    let mut h = Hits {
        starting: Vec::new(),
        around: Vec::new(),
    };
    let inside = |at: u32| start <= at && at < end;
    if inside(root.span.start) {
        h.starting.push((Vec::new(), false));
        return h;
    }
    walk(root, start, end, &inside, &mut Vec::new(), &mut h);
    h
}

fn walk(node: &Node, start: u32, end: u32, inside: &dyn Fn(u32) -> bool, path: &mut Path, h: &mut Hits) {
    let overlaps = |s: u32, e: u32| s < end.max(start + 1) && start < e.max(s + 1);
    if node.span.start <= start && end <= node.span.end.max(node.span.start + 1) && path.len() >= h.around.len() {
        h.around = path.clone();
    }
    match &node.value {
        Value::Map(entries) => {
            for (i, e) in entries.iter().enumerate() {
                path.push(Seg::Key(e.key.as_str().into()));
                let e_end = e.value.span.end.max(e.key_span.end);
                if inside(e.key_span.start) {
                    let shadowed = entries[i + 1..].iter().any(|l| l.key == e.key);
                    h.starting.push((path.clone(), shadowed));
                } else if overlaps(e.key_span.start, e_end) {
                    if e.key_span.start <= start && end <= e_end {
                        h.around = path.clone();
                    }
                    walk(&e.value, start, end, inside, path, h);
                }
                path.pop();
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                if inside(item.span.start) {
                    h.starting.push((path.clone(), false));
                } else if overlaps(item.span.start, item.span.end) {
                    walk(item, start, end, inside, path, h);
                }
                path.pop();
            }
        }
        _ => {}
    }
}

/// The paths the edits may change, in the tree before and after, each with
/// whether it may only be removed (the entry a deletion takes away).
fn allowed_paths(
    before: &Node,
    after: &Node,
    before_text: &str,
    after_text: &str,
    edits: &[&Edit],
) -> Vec<(Path, bool)> {
    let mut allowed = Vec::new();
    let mut shift: i64 = 0;
    for e in edits {
        let (s, t) = (e.span.start, e.span.end);
        let new_start = (i64::from(s) + shift).max(0) as u32;
        let new_end = new_start + e.replacement.len() as u32;
        shift += e.replacement.len() as i64 - i64::from(t.saturating_sub(s));
        let deletes_only = e.replacement.trim().is_empty();
        if deletes_only {
            // One entry goes: the first node that starts in the range.
            let h = hits(before, s, t);
            match h.starting.first() {
                Some((_, true)) => {}
                Some((p, false)) => allowed.push((p.clone(), true)),
                None if before_text
                    .get(s as usize..t as usize)
                    .is_some_and(|d| !d.trim().is_empty()) =>
                {
                    allowed.push((h.around, false))
                }
                None => {}
            }
            continue;
        }
        for (root, start, end, text) in [(before, s, t, before_text), (after, new_start, new_end, after_text)] {
            if end <= start {
                continue;
            }
            let h = hits(root, start, end);
            let written = text
                .get(start as usize..end as usize)
                .is_some_and(|w| !w.trim().is_empty());
            if h.starting.is_empty() && written {
                allowed.push((h.around, false));
            }
            allowed.extend(h.starting.into_iter().map(|(p, _)| (p, false)));
        }
    }
    allowed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::apply_edits;
    use crate::yaml::Span;

    fn edit(start: u32, end: u32, text: &str) -> Edit {
        Edit {
            file: 0,
            span: Span::new(start, end),
            replacement: text.into(),
        }
    }

    fn check(before: &str, edits: &[Edit]) -> Result<String, Refusal> {
        let refs: Vec<&Edit> = edits.iter().collect();
        let after = apply_edits(before, &refs);
        verify(before, &after, false, &refs).map(|()| after)
    }

    #[test]
    fn a_value_replaced_in_place_is_allowed() {
        let text = "a: yes\nb: 2\n";
        assert_eq!(check(text, &[edit(3, 6, "\"yes\"")]), Ok("a: \"yes\"\nb: 2\n".into()));
    }

    #[test]
    fn removing_an_overridden_duplicate_changes_nothing() {
        let text = "a: 1\nb: 2\na: 3\n";
        assert!(check(text, &[edit(0, 5, "")]).is_ok());
        // Removing the line that holds the value Kubernetes keeps brings
        // the overridden one back: a change, not a removal.
        assert!(check(text, &[edit(10, 15, "")]).is_err());
        // Removing a key that has no duplicate is a removal.
        assert!(check(text, &[edit(5, 10, "")]).is_ok());
    }

    #[test]
    fn text_that_does_not_parse_swept_away_is_refused() {
        // The complex key is not in the tree; removing it with the
        // duplicate `x` would go unseen by the tree comparison.
        let text = "x: 1\n? [a]\n: 2\nx: 3\n";
        let err = check(text, &[edit(0, 16, "")]).unwrap_err();
        assert!(err.0.contains("does not parse"), "{err}");
        assert!(check(text, &[edit(0, 5, "")]).is_ok());
    }

    #[test]
    fn a_neighbour_swept_away_is_refused() {
        // The earlier duplicate holds a block scalar; an edit that also
        // takes the next key's line loses `k`.
        let text = "x: |\n  one\nk: keep\nx: final\n";
        let err = check(text, &[edit(0, 19, "")]).unwrap_err();
        assert!(err.0.contains("`k`"), "{err}");
        assert!(check(text, &[edit(0, 11, "")]).is_ok());
    }

    #[test]
    fn renamed_and_inserted_keys_are_allowed() {
        let text = "Kind: Pod\nspec:\n  a: 1\n";
        assert!(check(text, &[edit(0, 4, "kind")]).is_ok());
        assert!(check(text, &[edit(22, 22, "\n  b: 2")]).is_ok());
        assert!(check(text, &[edit(22, 22, "\n  b: 2"), edit(21, 22, "\"1\"")]).is_ok());
    }

    #[test]
    fn document_count_and_syntax_are_kept() {
        assert!(check("a: 1\n", &[edit(5, 5, "---\nb: 2\n")]).is_err());
        assert!(check("a: 1\n", &[edit(3, 4, "[")]).is_err());
    }
}

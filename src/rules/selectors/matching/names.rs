//! Names: edit distance, names that look like typos of one another, and
//! the object of a kind that a name refers to near another object.

use super::nearby;
use crate::model::{Catalog, Object};
use crate::source::SourceFile;

/// Edit distance between two short strings: insertions, deletions,
/// substitutions and swaps of adjacent characters each count 1.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    distance_within(a, b, usize::MAX).unwrap_or(usize::MAX)
}

/// [`distance`] when it is at most `max` (see
/// [`crate::config::distance_within`]).
pub(crate) fn distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    crate::config::distance_within(a, b, max, true)
}

/// Whether two names look like one is a typo or variant of the other: a
/// few edits apart, or one a dash-separated part of the other
/// (`web` / `web-svc`).
pub(crate) fn similar(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    // One extra dash-separated word: `web` / `web-svc`, `api` / `my-api`.
    let extra = long
        .strip_prefix(short)
        .and_then(|rest| rest.strip_prefix('-'))
        .or_else(|| long.strip_suffix(short).and_then(|rest| rest.strip_suffix('-')));
    if short.len() >= 3 && extra.is_some_and(|w| !w.contains('-')) {
        return true;
    }
    let limit = if long.len() <= 8 { 1 } else { 2 };
    distance_within(a, b, limit).is_some()
}

/// The object of a kind with this name that `near` refers to: one in a
/// compatible namespace, preferring one [`nearby`] (the same name may
/// recur in unrelated folders of one run).
pub(crate) fn find_near<'s>(
    catalog: &'s Catalog,
    sources: &[SourceFile],
    kind: &str,
    name: &str,
    near: &Object,
) -> Option<&'s Object<'s>> {
    let mut found = catalog
        .of_kind(kind)
        .filter(|o| o.name == Some(name) && o.same_namespace(near));
    let first = found.next()?;
    if nearby(sources, near, first) {
        return Some(first);
    }
    Some(found.find(|o| nearby(sources, near, o)).unwrap_or(first))
}

/// Among objects of `kind` near `near`, the one whose name is most like
/// `name` (a probable typo), if any is close.
pub(crate) fn similar_name<'s>(
    catalog: &'s Catalog,
    sources: &[SourceFile],
    kind: &str,
    name: &str,
    near: &Object,
) -> Option<&'s Object<'s>> {
    catalog
        .of_kind(kind)
        .filter(|o| nearby(sources, near, o))
        .filter_map(|o| o.name.filter(|n| similar(n, name)).map(|n| (distance(n, name), o)))
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

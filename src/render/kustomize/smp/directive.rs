//! The `$patch` directives (`merge`, `replace`, `delete`) of a patch's
//! mappings and lists.

use super::list::is_void;
use crate::yaml::Node;

/// A `$patch` directive.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Directive {
    Merge,
    Replace,
    Delete,
}

fn directive_of(v: Option<&Node>) -> Directive {
    match v.and_then(Node::as_str) {
        Some("delete") => Directive::Delete,
        Some("replace") => Directive::Replace,
        _ => Directive::Merge,
    }
}

pub(super) fn map_directive(p: &Node) -> Directive {
    directive_of(p.get("$patch"))
}

/// A list's directive: the first mapping item with `$patch`, when that is
/// its only key; the list without the items that carry it.
pub(super) fn seq_directive(items: &[Node]) -> (Directive, Option<Vec<Node>>) {
    let Some(item) = items.iter().find(|i| i.get("$patch").is_some()) else {
        return (Directive::Merge, None);
    };
    if item.entries().len() > 1 {
        return (Directive::Merge, None);
    }
    let Some(v) = item.get("$patch").and_then(Node::as_str) else {
        return (Directive::Merge, None);
    };
    let kept = items
        .iter()
        .filter(|i| !(is_void(i) || i.get("$patch").and_then(Node::as_str) == Some(v)))
        .cloned()
        .collect();
    (directive_of(item.get("$patch")), Some(kept))
}

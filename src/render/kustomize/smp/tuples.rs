//! The key tuples of list items: how an item's merge-key values are read
//! and compared, and how tuples that leave out a key are matched up.

use crate::yaml::{Node, Value};

/// A scalar's text as kustomize compares it.
pub(super) fn text(n: &Node) -> String {
    match &n.value {
        Value::Null if n.span.is_empty() => String::new(),
        Value::Null => "null".into(),
        _ => n.scalar_text().unwrap_or_default(),
    }
}

/// The value of an item's key field for grouping: empty when absent, null
/// or an empty collection.
pub(super) fn key_value(n: &Node, key: &str) -> String {
    match n.get(key) {
        None => String::new(),
        Some(v) if v.is_null() => String::new(),
        Some(v) => match &v.value {
            Value::Map(e) if e.is_empty() => String::new(),
            Value::Seq(s) if s.is_empty() => String::new(),
            _ => text(v),
        },
    }
}

/// Whether `n` has field `key` with text `value` (any value when empty).
pub(super) fn field_is(n: &Node, key: &str, value: &str) -> bool {
    if key.is_empty() {
        return n.as_map().is_none() && text(n) == value;
    }
    match n.as_map().and_then(|e| e.iter().rev().find(|e| &*e.key == key)) {
        None => false,
        Some(_) if value.is_empty() => true,
        Some(e) => text(&e.value) == value,
    }
}

/// Whether mapping item `n` has every key with exactly that text.
pub(super) fn item_matches(n: &Node, keys: &[String], values: &[String]) -> bool {
    if keys.first().is_none_or(|k| k.is_empty()) {
        let v = values.first().map_or("", String::as_str);
        return n.as_map().is_none() && text(n) == v;
    }
    n.is_map()
        && keys.iter().zip(values).all(|(k, v)| {
            n.as_map()
                .and_then(|e| e.iter().find(|e| &*e.key == k))
                .is_some_and(|e| text(&e.value) == *v)
        })
}

/// Keeps the keys some item has a value for (all of them when none has).
pub(super) fn valid_keys(all: &[Vec<String>], values: &[String], keys: &[String]) -> (Vec<String>, Vec<String>) {
    let used: Vec<bool> = (0..keys.len())
        .map(|i| all.iter().any(|vs| vs.get(i).is_some_and(|v| !v.is_empty())))
        .collect();
    if !used.contains(&true) {
        return (keys.to_vec(), values.to_vec());
    }
    let vk = keys
        .iter()
        .zip(&used)
        .filter(|(_, u)| **u)
        .map(|(k, _)| k.clone())
        .collect();
    let vv = values
        .iter()
        .enumerate()
        .filter(|(i, v)| !v.is_empty() || used.get(*i).copied().unwrap_or(false))
        .map(|(_, v)| v.clone())
        .collect();
    (vk, vv)
}

/// Two key tuples are one item when they share a value and differ only
/// where one of them is empty (the merged tuple).
fn unify(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len() != b.len() {
        return None;
    }
    let mut common = false;
    let mut out = Vec::with_capacity(a.len());
    for (x, y) in a.iter().zip(b) {
        if x == y {
            common = true;
            out.push(x.clone());
        } else if !x.is_empty() && !y.is_empty() {
            return None;
        } else {
            out.push(if x.is_empty() { y.clone() } else { x.clone() });
        }
    }
    common.then_some(out)
}

/// Fills the empty parts of multi-key tuples from the tuples they unify
/// with, in kustomize's order (each outer tuple as it was when reached).
pub(super) fn unify_all(list: &mut [Vec<String>]) {
    for i in 0..list.len() {
        let a = list[i].clone();
        for j in 0..list.len() {
            if let Some(m) = unify(&a, &list[j]) {
                list[i] = m.clone();
                list[j] = m;
            }
        }
    }
}

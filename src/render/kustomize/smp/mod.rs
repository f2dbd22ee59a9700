//! Strategic merge as kustomize v5.5 performs it (kyaml's merge walk, with
//! list items from the patch placed first).
//!
//! Kustomize does not use the API server's strategic merge: it walks the
//! resource and the patch together, field by field, and rebuilds every
//! associative list it meets, whether the patch touches it or not. What
//! follows from that, each case checked against `kubectl kustomize` (kubectl
//! 1.32, Kustomize v5.5.0):
//!
//! - Which lists merge by key comes from kustomize's own OpenAPI data, the
//!   Kubernetes 1.21 API: its patch merge keys, or its list-map keys when the
//!   field has them (container ports by `containerPort` and `protocol`,
//!   Service ports by `port` and `protocol`, topology spread constraints by
//!   `topologyKey` and `whenUnsatisfiable`). Kinds and fields that API does
//!   not know (custom resources, fields added later) have no merge keys:
//!   the patch's list replaces the resource's, `$patch` items included.
//! - Every keyed list of the patched resource loses its duplicate keys: an
//!   item stays where the key first appears, with the content of its last
//!   occurrence (a patch to that key is lost with the first occurrence).
//! - A two-key item of the patch that leaves out the second key (a port
//!   without `protocol`) matches nothing when the resource's item sets it:
//!   a `$patch: delete` on it deletes nothing and its fields are not merged.
//! - `$patch: replace` on a list item keeps the resource's item; an item
//!   without its merge key deletes every item that has one.
//! - `$patch: replace` on the whole resource changes nothing; on a
//!   mapping inside it, it replaces that mapping.
//! - A field the resource leaves empty (`key:` with no value) is dropped;
//!   `null` and `~` stay. A null in the patch removes the field.
//!
//! This module holds the entry points and the walk over mappings; the
//! associative lists, the `$patch` directives, the key tuples of list items
//! and the merge-key table are in its submodules.

mod directive;
mod keys;
mod list;
#[cfg(test)]
mod tests;
mod tuples;

use std::cell::RefCell;

use super::super::SourceMap;
use crate::schema::{self, TypeId, VersionSchema};
use crate::yaml::{Entry, Node, ScalarStyle, Span, Value};
use directive::{Directive, map_directive, seq_directive};
use keys::{Keys, SCHEMA_VERSION};
use list::Mode;

/// Merges `patch` into the resource `node` of kind `api_version`/`kind`;
/// `None` when the patch deletes the resource. A `$patch: replace` on the
/// whole resource changes nothing: kustomize merges into the resource in
/// place and drops the replacement it gets back.
/// `kept_quotes` gets (rendered scalar, quoted base scalar) for each plain
/// patch scalar that kept the quotes of the value it replaced.
pub fn merge_resource(
    node: Node,
    patch: &Node,
    api_version: &str,
    kind: &str,
    map: &SourceMap,
    kept_quotes: &mut Vec<(Span, Span)>,
) -> Option<Node> {
    if node.is_map() && map_directive(patch) == Directive::Replace {
        return Some(node);
    }
    let schema = schema::schema(SCHEMA_VERSION);
    let ty = schema.and_then(|s| s.lookup(api_version, kind));
    let walk = Walk {
        map,
        schema,
        kept_quotes: RefCell::new(Vec::new()),
    };
    let out = walk.both(node, patch, ty, None);
    kept_quotes.append(&mut walk.kept_quotes.into_inner());
    out
}

struct Walk<'a> {
    map: &'a SourceMap,
    schema: Option<&'static VersionSchema>,
    kept_quotes: RefCell<Vec<(Span, Span)>>,
}

impl Walk<'_> {
    /// A value written as nothing (`key:`), not `null` or `~`.
    fn written_empty(&self, n: &Node) -> bool {
        n.is_null()
            && n.style != ScalarStyle::Json
            && self
                .map
                .locate(n.span)
                .and_then(|(f, s)| f.text.get(s.start as usize..s.end as usize))
                .is_some_and(|t| t.trim().is_empty())
    }

    /// The resource's value `d` with the patch's `p`.
    fn both(&self, d: Node, p: &Node, ty: Option<TypeId>, keys: Option<Keys>) -> Option<Node> {
        if p.is_null() {
            return None;
        }
        if d.is_null() {
            return self.missing(p, ty, keys);
        }
        match (&d.value, &p.value) {
            (Value::Map(_), Value::Map(_)) => match map_directive(p) {
                Directive::Delete => None,
                Directive::Replace => Some(self.own_patch_map(p, ty)),
                Directive::Merge => Some(self.merge_map(d, p, ty)),
            },
            (Value::Seq(_), Value::Seq(pitems)) => match keys {
                None => Some(p.clone()),
                Some(keys) => {
                    let (directive, elided) = seq_directive(pitems);
                    let pitems = elided.as_deref().unwrap_or(pitems);
                    match directive {
                        Directive::Delete => None,
                        Directive::Replace => {
                            let mut out = p.clone();
                            out.value =
                                Value::Seq(self.list(pitems.to_vec(), None, keys, self.items_of(ty), Mode::Patch));
                            Some(out)
                        }
                        Directive::Merge => {
                            let mut out = d;
                            let Value::Seq(ditems) = std::mem::replace(&mut out.value, Value::Null) else {
                                return None;
                            };
                            out.value =
                                Value::Seq(self.list(ditems, Some(pitems), keys, self.items_of(ty), Mode::Merge));
                            Some(out)
                        }
                    }
                }
            },
            (Value::Map(_) | Value::Seq(_), _) | (_, Value::Map(_) | Value::Seq(_)) => self.missing(p, ty, keys),
            _ => {
                let (out, kept) = super::patch::replace_scalar(&d, p, self.map);
                if kept {
                    self.kept_quotes.borrow_mut().push((out.span, d.span));
                }
                Some(out)
            }
        }
    }

    /// The patch's value where the resource has none (or null).
    fn missing(&self, p: &Node, ty: Option<TypeId>, keys: Option<Keys>) -> Option<Node> {
        match &p.value {
            Value::Null => None,
            Value::Map(_) => match map_directive(p) {
                Directive::Delete => None,
                _ => Some(self.own_patch_map(p, ty)),
            },
            Value::Seq(items) => match keys {
                Some(keys) => {
                    let mut out = p.clone();
                    out.value = Value::Seq(self.list(items.clone(), None, keys, self.items_of(ty), Mode::Patch));
                    Some(out)
                }
                None => Some(p.clone()),
            },
            _ => Some(p.clone()),
        }
    }

    /// Fields of both mappings: the resource's keep their place, the
    /// patch's new ones follow in name order.
    fn merge_map(&self, d: Node, p: &Node, ty: Option<TypeId>) -> Node {
        let mut out = d;
        let Value::Map(dentries) = std::mem::replace(&mut out.value, Value::Null) else {
            return out;
        };
        let mut slots: Vec<Option<Entry>> = dentries.into_iter().map(Some).collect();
        let mut names: Vec<String> = slots
            .iter()
            .flatten()
            .map(|e| e.key.to_string())
            .chain(p.entries().iter().map(|e| e.key.to_string()).filter(|k| k != "$patch"))
            .collect();
        names.sort();
        names.dedup();
        let mut added = Vec::new();
        for name in &names {
            let (fty, fkeys) = self.field(ty, name);
            let di = slots.iter().position(|s| s.as_ref().is_some_and(|e| *e.key == **name));
            let pe = p.entries().iter().rev().find(|e| *e.key == **name);
            match (di, pe) {
                (Some(i), pe) => {
                    let Some(mut entry) = slots[i].take() else { continue };
                    let dv = std::mem::replace(&mut entry.value, Node::null(0));
                    let v = match pe {
                        Some(pe) => self.both(dv, &pe.value, fty, fkeys),
                        None => self.own_dest(dv, fty, fkeys),
                    };
                    if let Some(v) = v {
                        entry.value = v;
                        slots[i] = Some(entry);
                    }
                }
                (None, Some(pe)) => {
                    if let Some(v) = self.missing(&pe.value, fty, fkeys) {
                        added.push(Entry {
                            key: pe.key.clone(),
                            key_span: pe.key_span,
                            value: v,
                        });
                    }
                }
                (None, None) => {}
            }
        }
        let mut entries: Vec<Entry> = slots.into_iter().flatten().collect();
        entries.append(&mut added);
        out.value = Value::Map(entries);
        out
    }

    /// The resource's value where the patch has nothing: its keyed lists
    /// are rebuilt, its empty fields dropped.
    fn own_dest(&self, d: Node, ty: Option<TypeId>, keys: Option<Keys>) -> Option<Node> {
        let mut d = d;
        match std::mem::replace(&mut d.value, Value::Null) {
            Value::Null => (!self.written_empty(&d)).then_some(d),
            Value::Map(entries) => {
                let kept = entries
                    .into_iter()
                    .filter_map(|mut e| {
                        let (fty, fkeys) = self.field(ty, &e.key);
                        let v = std::mem::replace(&mut e.value, Node::null(0));
                        self.own_dest(v, fty, fkeys).map(|v| {
                            e.value = v;
                            e
                        })
                    })
                    .collect();
                d.value = Value::Map(kept);
                Some(d)
            }
            Value::Seq(items) => {
                d.value = match keys {
                    Some(keys) => Value::Seq(self.list(items, None, keys, self.items_of(ty), Mode::Dest)),
                    None => Value::Seq(items),
                };
                Some(d)
            }
            other => {
                d.value = other;
                Some(d)
            }
        }
    }

    /// A patch mapping placed where the resource has nothing (its own
    /// `$patch` already read): directives apply, nulls go.
    fn own_patch_map(&self, p: &Node, ty: Option<TypeId>) -> Node {
        let mut out = p.clone();
        let entries = p
            .entries()
            .iter()
            .filter(|e| &*e.key != "$patch")
            .filter_map(|e| {
                let (fty, fkeys) = self.field(ty, &e.key);
                self.own_patch(&e.value, fty, fkeys).map(|v| Entry {
                    key: e.key.clone(),
                    key_span: e.key_span,
                    value: v,
                })
            })
            .collect();
        out.value = Value::Map(entries);
        out
    }

    fn own_patch(&self, p: &Node, ty: Option<TypeId>, keys: Option<Keys>) -> Option<Node> {
        match &p.value {
            Value::Null => None,
            Value::Map(_) => match map_directive(p) {
                Directive::Delete => None,
                _ => Some(self.own_patch_map(p, ty)),
            },
            Value::Seq(items) => match keys {
                None => Some(p.clone()),
                Some(keys) => {
                    let (directive, elided) = seq_directive(items);
                    if directive == Directive::Delete {
                        return None;
                    }
                    let items = elided.unwrap_or_else(|| items.clone());
                    let mut out = p.clone();
                    out.value = Value::Seq(self.list(items, None, keys, self.items_of(ty), Mode::Patch));
                    Some(out)
                }
            },
            _ => Some(p.clone()),
        }
    }
}

/// Nulls a JSON patch leaves are written `null` (kustomize round-trips the
/// resource through JSON), so a later strategic merge keeps them.
pub fn mark_json_nulls(n: &mut Node) {
    match &mut n.value {
        Value::Null => n.style = ScalarStyle::Json,
        Value::Seq(items) => items.iter_mut().for_each(mark_json_nulls),
        Value::Map(entries) => entries.iter_mut().for_each(|e| mark_json_nulls(&mut e.value)),
        _ => {}
    }
}

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

use std::cell::RefCell;

use super::super::SourceMap;
use crate::schema::{self, Type, TypeId, VersionSchema};
use crate::yaml::{Entry, Node, ScalarStyle, Span, Value};

/// The Kubernetes version of kustomize's builtin OpenAPI data (v1.21.2).
const SCHEMA_VERSION: &str = "1.21";

/// The fields that are associative lists in that API: (type, field, keys).
/// No keys: a list of scalars merged as a set (`finalizers`). Taken from
/// the 1.21 definitions' `x-kubernetes-patch-strategy` (with `merge`),
/// `x-kubernetes-list-map-keys`, else `x-kubernetes-patch-merge-key`.
const ASSOCIATIVE: &[(&str, &str, &[&str])] = &[
    ("APIServiceStatus", "conditions", &["type"]),
    ("CSINodeSpec", "drivers", &["name"]),
    ("ComponentStatus", "conditions", &["type"]),
    ("Container", "env", &["name"]),
    ("Container", "ports", &["containerPort", "protocol"]),
    ("Container", "volumeDevices", &["devicePath"]),
    ("Container", "volumeMounts", &["mountPath"]),
    ("DaemonSetStatus", "conditions", &["type"]),
    ("DeploymentStatus", "conditions", &["type"]),
    ("EphemeralContainer", "env", &["name"]),
    ("EphemeralContainer", "volumeDevices", &["devicePath"]),
    ("EphemeralContainer", "volumeMounts", &["mountPath"]),
    ("EphemeralContainers", "ephemeralContainers", &["name"]),
    ("JobStatus", "conditions", &["type"]),
    ("MutatingWebhookConfiguration", "webhooks", &["name"]),
    ("NamespaceStatus", "conditions", &["type"]),
    ("NodeSpec", "podCIDRs", &[]),
    ("NodeStatus", "addresses", &["type"]),
    ("NodeStatus", "conditions", &["type"]),
    ("ObjectMeta", "finalizers", &[]),
    ("ObjectMeta", "ownerReferences", &["uid"]),
    ("PersistentVolumeClaimStatus", "conditions", &["type"]),
    ("PodDisruptionBudgetStatus", "conditions", &["type"]),
    ("PodSpec", "containers", &["name"]),
    ("PodSpec", "ephemeralContainers", &["name"]),
    ("PodSpec", "hostAliases", &["ip"]),
    ("PodSpec", "imagePullSecrets", &["name"]),
    ("PodSpec", "initContainers", &["name"]),
    (
        "PodSpec",
        "topologySpreadConstraints",
        &["topologyKey", "whenUnsatisfiable"],
    ),
    ("PodSpec", "volumes", &["name"]),
    ("PodStatus", "conditions", &["type"]),
    ("PodStatus", "podIPs", &["ip"]),
    ("ReplicationControllerStatus", "conditions", &["type"]),
    ("ReplicaSetStatus", "conditions", &["type"]),
    ("ServiceAccount", "secrets", &["name"]),
    ("ServiceSpec", "ports", &["port", "protocol"]),
    ("ServiceStatus", "conditions", &["type"]),
    ("StatefulSetStatus", "conditions", &["type"]),
    ("ValidatingWebhookConfiguration", "webhooks", &["name"]),
];

type Keys = &'static [&'static str];

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

/// A `$patch` directive.
#[derive(Clone, Copy, PartialEq)]
enum Directive {
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

fn map_directive(p: &Node) -> Directive {
    directive_of(p.get("$patch"))
}

/// A list's directive: the first mapping item with `$patch`, when that is
/// its only key; the list without the items that carry it.
fn seq_directive(items: &[Node]) -> (Directive, Option<Vec<Node>>) {
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

/// Null or an empty mapping: list items kustomize drops when it edits a list.
fn is_void(n: &Node) -> bool {
    n.is_null() || matches!(&n.value, Value::Map(e) if e.is_empty())
}

/// A scalar's text as kustomize compares it.
fn text(n: &Node) -> String {
    match &n.value {
        Value::Null if n.span.is_empty() => String::new(),
        Value::Null => "null".into(),
        _ => n.scalar_text().unwrap_or_default(),
    }
}

/// The value of an item's key field for grouping: empty when absent, null
/// or an empty collection.
fn key_value(n: &Node, key: &str) -> String {
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
fn field_is(n: &Node, key: &str, value: &str) -> bool {
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
fn item_matches(n: &Node, keys: &[String], values: &[String]) -> bool {
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
fn valid_keys(all: &[Vec<String>], values: &[String], keys: &[String]) -> (Vec<String>, Vec<String>) {
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
fn unify_all(list: &mut [Vec<String>]) {
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

/// A list item under construction: one of the resource's items (by index,
/// edited in place) or a new node.
#[derive(Clone)]
enum Item {
    Dest(usize),
    New(Node),
}

fn node_of<'a>(dest: &'a [Node], it: &'a Item) -> &'a Node {
    match it {
        Item::Dest(i) => &dest[*i],
        Item::New(n) => n,
    }
}

struct Items {
    list: Vec<Item>,
}

impl Items {
    /// kyaml's element setter: every item matching `keys`/`values` is
    /// replaced by `element` (or removed without one); no match appends it.
    /// Null and empty items go; without values, non-matching items go too.
    fn set(&mut self, dest: &[Node], element: Option<Item>, keys: &[String], values: &[String]) {
        let mapping = keys.first().is_some_and(|k| !k.is_empty()) && values.first().is_some_and(|v| !v.is_empty());
        let mut out = Vec::with_capacity(self.list.len() + 1);
        let mut matched = false;
        for it in std::mem::take(&mut self.list) {
            let n = node_of(dest, &it);
            if is_void(n) {
                continue;
            }
            if !n.is_map() && mapping {
                out.push(it);
                continue;
            }
            let mut hit = false;
            let mut found = true;
            for (j, k) in keys.iter().enumerate() {
                if let Some(v) = values.get(j) {
                    hit = field_is(n, k, v);
                }
                if !hit {
                    found = false;
                    break;
                }
            }
            if !found {
                if !values.is_empty() {
                    out.push(it);
                }
                continue;
            }
            matched = true;
            if let Some(e) = &element {
                out.push(e.clone());
            }
        }
        self.list = out;
        if let Some(e) = element
            && !matched
            && !node_of(dest, &e).is_null()
        {
            self.list.push(e);
        }
    }
}

/// How a list's items are walked.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// The resource's list with the patch's.
    Merge,
    /// The resource's list alone (the patch does not have it).
    Dest,
    /// The patch's list alone (the resource does not have it).
    Patch,
}

struct Walk<'a> {
    map: &'a SourceMap,
    schema: Option<&'static VersionSchema>,
    kept_quotes: RefCell<Vec<(Span, Span)>>,
}

impl Walk<'_> {
    /// The type of field `key` of `ty`, and its list keys when it merges by
    /// key (an empty slice: a set of scalars).
    fn field(&self, ty: Option<TypeId>, key: &str) -> (Option<TypeId>, Option<Keys>) {
        let (Some(s), Some(t)) = (self.schema, ty) else {
            return (None, None);
        };
        match s.ty(t) {
            Type::Object(o) => {
                let Some(f) = o.field(key) else {
                    return (None, None);
                };
                let keys = o.name().and_then(|name| {
                    ASSOCIATIVE
                        .iter()
                        .find(|(t, f, _)| *t == name && *f == key)
                        .map(|(_, _, k)| *k)
                });
                (Some(f.ty), keys)
            }
            Type::Map(v) => (Some(*v), None),
            _ => (None, None),
        }
    }

    fn items_of(&self, ty: Option<TypeId>) -> Option<TypeId> {
        match (self.schema, ty) {
            (Some(s), Some(t)) => match s.ty(t) {
                Type::Array(e) => Some(*e),
                _ => None,
            },
            _ => None,
        }
    }

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

    /// kyaml's associative list walk: the distinct key tuples of the patch
    /// then of the resource, each item walked and set into a new list, then
    /// the resource's items set over it in their order.
    fn list(&self, dest: Vec<Node>, patch: Option<&[Node]>, keys: Keys, ty: Option<TypeId>, mode: Mode) -> Vec<Node> {
        let scalars = keys.is_empty();
        let keys: Vec<String> = if scalars {
            vec![String::new()]
        } else {
            keys.iter().map(|k| k.to_string()).collect()
        };
        let tuple = |n: &Node| -> Vec<String> {
            if scalars {
                vec![text(n)]
            } else {
                keys.iter().map(|k| key_value(n, k)).collect()
            }
        };
        let mut dest = dest;
        let mut alive = vec![true; dest.len()];
        let mut tuples: Vec<Vec<String>> = Vec::new();
        for n in patch.unwrap_or(&[]).iter().chain(dest.iter()) {
            let t = tuple(n);
            if !tuples.contains(&t) {
                tuples.push(t);
            }
        }
        if keys.len() > 1 {
            unify_all(&mut tuples);
        }
        let mut set = Items { list: Vec::new() };
        let mut last_keys = keys.clone();
        for t in &tuples {
            let (vk, vv) = valid_keys(&tuples, t, &keys);
            last_keys.clone_from(&vk);
            let (mk, mv) = valid_keys(std::slice::from_ref(&vv), &vv, &vk);
            let di = (0..dest.len()).find(|&i| alive[i] && item_matches(&dest[i], &mk, &mv));
            let pe = patch.and_then(|p| p.iter().find(|n| item_matches(n, &mk, &mv)));
            let val = if scalars {
                match (pe, di) {
                    (Some(p), _) => Some(Item::New(p.clone())),
                    (None, Some(i)) => Some(Item::Dest(i)),
                    (None, None) => None,
                }
            } else {
                self.item(&mut dest, di, pe, ty, mode)
            };
            let val = val.filter(|v| {
                let n = match v {
                    Item::Dest(i) => &dest[*i],
                    Item::New(n) => n,
                };
                !is_void(n)
            });
            let Some(mut val) = val else {
                // Deleted: every matching item of the resource goes.
                let mut d = Items {
                    list: (0..dest.len()).filter(|&i| alive[i]).map(Item::Dest).collect(),
                };
                d.set(&dest, None, &vk, &vv);
                let left: Vec<usize> = d
                    .list
                    .iter()
                    .filter_map(|it| match it {
                        Item::Dest(i) => Some(*i),
                        Item::New(_) => None,
                    })
                    .collect();
                for (i, a) in alive.iter_mut().enumerate() {
                    *a = *a && left.contains(&i);
                }
                continue;
            };
            if !scalars {
                let node = match &mut val {
                    Item::Dest(i) => &mut dest[*i],
                    Item::New(n) => n,
                };
                for (k, v) in vk.iter().zip(&vv) {
                    if node.get(k).is_none() && !v.is_empty() {
                        let mut scalar = Node::new(node.span, crate::yaml::scalar::resolve_plain(v));
                        scalar.span = node.span;
                        super::tree::set(node, k, scalar);
                    }
                }
            }
            set.set(&dest, Some(val), &vk, &vv);
        }
        if tuples.is_empty() {
            return dest
                .into_iter()
                .zip(alive)
                .filter(|(_, a)| *a)
                .map(|(n, _)| n)
                .collect();
        }
        // The resource's items, in order, over the new list.
        for i in (0..dest.len()).filter(|&i| alive[i]) {
            let n = &dest[i];
            if scalars {
                set.set(&dest, Some(Item::Dest(i)), &last_keys, &[text(n)]);
                continue;
            }
            let mut v = Vec::new();
            for k in &last_keys {
                match n.get(k) {
                    None => set.list.push(Item::Dest(i)),
                    Some(f) => v.push(text(f)),
                }
            }
            if last_keys.len() > 1 {
                set.set(&dest, None, &last_keys, &v);
            }
            set.set(&dest, Some(Item::Dest(i)), &last_keys, &v);
        }
        let list = set.list;
        let mut uses = vec![0usize; dest.len()];
        for it in &list {
            if let Item::Dest(i) = it {
                uses[*i] += 1;
            }
        }
        list.into_iter()
            .map(|it| match it {
                Item::New(n) => n,
                Item::Dest(i) => {
                    uses[i] -= 1;
                    if uses[i] == 0 {
                        std::mem::replace(&mut dest[i], Node::null(0))
                    } else {
                        dest[i].clone()
                    }
                }
            })
            .collect()
    }

    /// One keyed item walked: the resource's (`di`, edited in place) with
    /// the patch's (`pe`); `None` when it is deleted.
    fn item(
        &self,
        dest: &mut [Node],
        di: Option<usize>,
        pe: Option<&Node>,
        ty: Option<TypeId>,
        mode: Mode,
    ) -> Option<Item> {
        match (mode, di, pe) {
            (Mode::Merge, Some(i), Some(p)) => match map_directive(p) {
                Directive::Delete => None,
                // The patch's item stands in, but the resource's item of
                // the same key is set over it afterwards.
                Directive::Replace => Some(Item::New(self.own_patch_map(p, ty))),
                Directive::Merge => {
                    let d = std::mem::replace(&mut dest[i], Node::null(0));
                    dest[i] = self.merge_map(d, p, ty);
                    Some(Item::Dest(i))
                }
            },
            (Mode::Merge, None, Some(p)) => match map_directive(p) {
                Directive::Delete => None,
                _ => Some(Item::New(self.own_patch_map(p, ty))),
            },
            (Mode::Merge | Mode::Dest, Some(i), None) => {
                let d = std::mem::replace(&mut dest[i], Node::null(0));
                dest[i] = self.own_dest(d, ty, None).unwrap_or_else(|| Node::null(0));
                Some(Item::Dest(i))
            }
            (Mode::Patch, Some(i), _) => {
                if map_directive(&dest[i]) == Directive::Delete {
                    return None;
                }
                let own = self.own_patch_map(&dest[i], ty);
                dest[i] = own;
                Some(Item::Dest(i))
            }
            _ => None,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn port_tuples_unify_in_kustomizes_order() {
        // Patch ports 9443, 80, 81 without protocol; base 9443/TCP, 80,
        // 81/UDP, 81/TCP (checked against kubectl kustomize).
        let mut list = vec![
            t(&["9443", ""]),
            t(&["80", ""]),
            t(&["81", ""]),
            t(&["9443", "TCP"]),
            t(&["81", "UDP"]),
            t(&["81", "TCP"]),
        ];
        unify_all(&mut list);
        assert_eq!(
            list,
            vec![
                t(&["9443", "TCP"]),
                t(&["80", ""]),
                t(&["81", "TCP"]),
                t(&["9443", "TCP"]),
                t(&["81", "UDP"]),
                t(&["81", "TCP"]),
            ]
        );
    }

    #[test]
    fn keys_without_values_fall_away() {
        let keys = t(&["containerPort", "protocol"]);
        let all = vec![t(&["80", ""]), t(&["81", ""])];
        assert_eq!(valid_keys(&all, &all[0], &keys), (t(&["containerPort"]), t(&["80"])));
        let all = vec![t(&["80", ""]), t(&["81", "UDP"])];
        assert_eq!(valid_keys(&all, &all[0], &keys), (keys.clone(), t(&["80", ""])));
        let none = vec![t(&["", ""])];
        assert_eq!(valid_keys(&none, &none[0], &keys), (keys.clone(), t(&["", ""])));
    }

    #[test]
    fn a_list_directive_is_its_only_key() {
        let items = |y: &str| {
            crate::yaml::parse_yaml(y, crate::yaml::Limits::default()).documents[0]
                .root
                .clone()
                .map(|n| n.items().to_vec())
                .unwrap_or_default()
        };
        let (d, kept) = seq_directive(&items("- {$patch: replace}\n- {name: a}\n- {}\n"));
        assert!(d == Directive::Replace);
        assert_eq!(kept.map(|k| k.len()), Some(1));
        let (d, kept) = seq_directive(&items("- {name: a, $patch: delete}\n- {$patch: replace}\n"));
        assert!(d == Directive::Merge && kept.is_none());
    }
}

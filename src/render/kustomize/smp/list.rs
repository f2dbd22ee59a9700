//! kyaml's walk of an associative list: the items of the resource and of
//! the patch grouped by their key tuples, merged, and set into a new list.

use super::Walk;
use super::directive::{Directive, map_directive};
use super::keys::Keys;
use super::tuples::{field_is, item_matches, key_value, text, unify_all, valid_keys};
use crate::schema::TypeId;
use crate::yaml::{Node, Value};

/// Null or an empty mapping: list items kustomize drops when it edits a list.
pub(super) fn is_void(n: &Node) -> bool {
    n.is_null() || matches!(&n.value, Value::Map(e) if e.is_empty())
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
pub(super) enum Mode {
    /// The resource's list with the patch's.
    Merge,
    /// The resource's list alone (the patch does not have it).
    Dest,
    /// The patch's list alone (the resource does not have it).
    Patch,
}

impl Walk<'_> {
    /// kyaml's associative list walk: the distinct key tuples of the patch
    /// then of the resource, each item walked and set into a new list, then
    /// the resource's items set over it in their order.
    pub(super) fn list(
        &self,
        dest: Vec<Node>,
        patch: Option<&[Node]>,
        keys: Keys,
        ty: Option<TypeId>,
        mode: Mode,
    ) -> Vec<Node> {
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
                        super::super::tree::set(node, k, scalar);
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

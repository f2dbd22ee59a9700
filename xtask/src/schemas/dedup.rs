//! Structural deduplication of types across all versions.
//!
//! The type graphs of all versions are put side by side and partitioned into
//! classes of structurally identical nodes (same shape, same field names,
//! required flags and notes, and fields of identical types), by iterative
//! refinement — Moore's algorithm for minimizing automata. Recursive types
//! (JSONSchemaProps) are handled because equality is decided on the graph,
//! not on a finite unfolding. Each class becomes one output type, numbered
//! in the order a walk from the served kinds of 1.0, 1.1, ... first meets it,
//! which keeps types of one version close together and the output
//! deterministic.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Result, bail};

use super::ir::{Field, Gvk, NodeId, Shape, VersionIr};

/// Deduplicated types (children point at other output types) and, per
/// version, its kinds → output type.
pub struct Dedup {
    pub types: Vec<Shape>,
    pub kinds: Vec<BTreeMap<Gvk, usize>>,
}

#[derive(Hash, PartialEq, Eq)]
enum Label<'a> {
    Object {
        name: &'a str,
        fields: Vec<(&'a str, bool, Option<&'a str>)>,
    },
    Array,
    Map,
    String {
        enums: &'a [String],
        format: Option<&'a str>,
    },
    Integer,
    Number,
    Boolean,
    IntOrString,
    Quantity,
    Any,
}

fn label(shape: &Shape) -> Result<Label<'_>> {
    Ok(match shape {
        Shape::Pending => bail!("internal: a type was left unfinished"),
        Shape::Object { name, fields } => Label::Object {
            name,
            fields: fields
                .iter()
                .map(|f| (f.name.as_str(), f.required, f.deprecated.as_deref()))
                .collect(),
        },
        Shape::Array(_) => Label::Array,
        Shape::Map(_) => Label::Map,
        Shape::String { enums, format } => Label::String {
            enums,
            format: format.as_deref(),
        },
        Shape::Integer => Label::Integer,
        Shape::Number => Label::Number,
        Shape::Boolean => Label::Boolean,
        Shape::IntOrString => Label::IntOrString,
        Shape::Quantity => Label::Quantity,
        Shape::Any => Label::Any,
    })
}

fn children(shape: &Shape) -> Vec<NodeId> {
    match shape {
        Shape::Object { fields, .. } => fields.iter().map(|f| f.ty).collect(),
        Shape::Array(e) | Shape::Map(e) => vec![*e],
        _ => Vec::new(),
    }
}

/// `served[v]`: the kinds of `versions[v]` to keep (after the removal table).
pub fn dedup(versions: &[VersionIr], served: &[BTreeMap<Gvk, NodeId>]) -> Result<Dedup> {
    // Flatten every arena into one global numbering.
    let mut offsets = Vec::with_capacity(versions.len());
    let mut shapes: Vec<&Shape> = Vec::new();
    for v in versions {
        offsets.push(shapes.len());
        shapes.extend(v.arena.nodes.iter());
    }
    let kids: Vec<Vec<usize>> = versions
        .iter()
        .zip(&offsets)
        .flat_map(|(v, off)| {
            v.arena
                .nodes
                .iter()
                .map(move |s| children(s).into_iter().map(|c| c + off).collect())
        })
        .collect();

    // Initial partition by label.
    let mut class: Vec<u32> = Vec::with_capacity(shapes.len());
    {
        let mut ids: HashMap<Label<'_>, u32> = HashMap::new();
        for s in &shapes {
            let l = label(s)?;
            let next = ids.len() as u32;
            class.push(*ids.entry(l).or_insert(next));
        }
    }
    // Refine until stable.
    let mut count = class.iter().copied().max().map_or(0, |m| m + 1);
    loop {
        let mut ids: HashMap<(u32, Vec<u32>), u32> = HashMap::with_capacity(count as usize * 2);
        let mut next_class = Vec::with_capacity(class.len());
        for (n, ks) in kids.iter().enumerate() {
            let key = (class[n], ks.iter().map(|&k| class[k]).collect());
            let next = ids.len() as u32;
            next_class.push(*ids.entry(key).or_insert(next));
        }
        let new_count = ids.len() as u32;
        class = next_class;
        if new_count == count {
            break;
        }
        count = new_count;
    }

    // Number classes in walk order.
    let mut out_id: HashMap<u32, usize> = HashMap::new();
    let mut reps: Vec<usize> = Vec::new();
    let mut kinds = Vec::with_capacity(versions.len());
    for (vi, kmap) in served.iter().enumerate() {
        let mut vk = BTreeMap::new();
        for (gvk, &node) in kmap {
            let root = node + offsets[vi];
            let mut stack = vec![root];
            while let Some(n) = stack.pop() {
                if out_id.contains_key(&class[n]) {
                    continue;
                }
                out_id.insert(class[n], reps.len());
                reps.push(n);
                stack.extend(kids[n].iter().rev());
            }
            vk.insert(gvk.clone(), out_id[&class[root]]);
        }
        kinds.push(vk);
    }
    let map = |n: usize| out_id[&class[n]];
    let types = reps
        .iter()
        .map(|&n| match shapes[n] {
            Shape::Object { name, fields } => {
                let ks = &kids[n];
                Shape::Object {
                    name: name.clone(),
                    fields: fields
                        .iter()
                        .zip(ks)
                        .map(|(f, &k)| Field {
                            name: f.name.clone(),
                            ty: map(k),
                            required: f.required,
                            deprecated: f.deprecated.clone(),
                        })
                        .collect(),
                }
            }
            Shape::Array(_) => Shape::Array(map(kids[n][0])),
            Shape::Map(_) => Shape::Map(map(kids[n][0])),
            other => other.clone(),
        })
        .collect();
    Ok(Dedup { types, kinds })
}

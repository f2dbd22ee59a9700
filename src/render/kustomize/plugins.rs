//! `generators:` and `transformers:` entries that configure kustomize's
//! builtin plugins (`apiVersion: builtin`): run in-process by mapping each
//! configuration to the kustomization field that does the same. Any other
//! plugin (exec, container, KRM function) is not run.

use std::path::Path;

use super::build::{Builder, Result};
use super::names::FieldSpec;
use super::res::Res;
use super::tree::{map_node, set};
use super::{generators, patch, replace, transform};
use crate::yaml::{Node, Span, Value};

pub fn run(b: &mut Builder, k: &Node, field: &str, dir: &Path, ra: &mut Vec<Res>) -> Result<()> {
    for item in k.get(field).map(Node::items).unwrap_or(&[]) {
        let docs = match &item.value {
            Value::Map(_) => vec![item.clone()],
            Value::Str(rel) => {
                let path = b.resolve(dir, rel, item.span)?;
                if !b.is_file(&path) {
                    let problem = if crate::deps::is_dir(&path) {
                        super::Problem::NotRendered
                    } else {
                        super::Problem::Missing
                    };
                    return b.fatal_as(
                        problem,
                        item.span,
                        format!("`{field}` entry `{rel}` is not a plugin configuration file kvet can run: this root is not rendered (its files are linted as they are)"),
                    );
                }
                b.load_docs(&path, item.span)?
            }
            _ => return b.fatal(item.span, format!("a `{field}` entry must be a path or a mapping")),
        };
        for doc in &docs {
            builtin(b, doc, item.span, dir, ra)?;
        }
    }
    Ok(())
}

/// A one-field kustomization standing for a plugin configuration.
fn with(field: &str, value: Node) -> Node {
    let mut k = map_node(value.span);
    set(&mut k, field, value);
    k
}

fn seq(items: Vec<Node>, at: &Node) -> Node {
    Node::new(at.span, Value::Seq(items))
}

fn builtin(b: &mut Builder, doc: &Node, at: Span, dir: &Path, ra: &mut Vec<Res>) -> Result<()> {
    let api = doc.get("apiVersion").and_then(Node::as_str).unwrap_or("");
    let kind = doc.get("kind").and_then(Node::as_str).unwrap_or("");
    let not_run = |b: &mut Builder| {
        b.fatal_as::<()>(
            super::Problem::NotRendered,
            at,
            format!("plugin `{api}` `{kind}` is not run by kvet: this root is not rendered (its files are linted as they are)"),
        )
    };
    if api != "builtin" {
        return not_run(b);
    }
    let meta = |f: &str| doc.path(&["metadata", f]).cloned();
    let field = |f: &str| doc.get(f).cloned();
    match kind {
        "ConfigMapGenerator" | "SecretGenerator" => {
            let mut g = doc.clone();
            if let Some(n) = meta("name") {
                set(&mut g, "name", n);
            }
            if let Some(n) = meta("namespace") {
                set(&mut g, "namespace", n);
            }
            let f = if kind == "SecretGenerator" {
                "secretGenerator"
            } else {
                "configMapGenerator"
            };
            generators::run(b, &with(f, seq(vec![g], doc)), dir, ra)
        }
        "LabelTransformer" | "AnnotationsTransformer" => {
            let (key, target) = if kind == "LabelTransformer" {
                ("labels", "labels")
            } else {
                ("annotations", "annotations")
            };
            let pairs = transform::pairs_of(&b.map, doc.get(key));
            let specs: Vec<FieldSpec> = doc
                .get("fieldSpecs")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .filter_map(FieldSpec::read)
                .collect();
            let specs = if specs.is_empty() {
                vec![FieldSpec {
                    kind: None,
                    group: None,
                    path: vec!["metadata".to_string(), target.to_string()],
                    create: true,
                }]
            } else {
                specs
            };
            for r in ra.iter_mut() {
                for spec in &specs {
                    transform::set_pairs(r, spec, &pairs, doc.span);
                }
            }
            Ok(())
        }
        "NamespaceTransformer" => {
            if let Some(ns) = meta("namespace") {
                transform::namespace(&b.map, &with("namespace", ns), ra);
            }
            Ok(())
        }
        "PrefixSuffixTransformer" => {
            let mut k = map_node(doc.span);
            if let Some(p) = field("prefix") {
                set(&mut k, "namePrefix", p);
            }
            if let Some(s) = field("suffix") {
                set(&mut k, "nameSuffix", s);
            }
            transform::prefix_suffix(&b.map, &k, ra);
            Ok(())
        }
        "ImageTagTransformer" => {
            if let Some(t) = field("imageTag") {
                transform::images(&b.map, &with("images", seq(vec![t], doc)), ra, &b.config.clone());
            }
            Ok(())
        }
        "ReplicaCountTransformer" => {
            if let Some(r) = field("replica") {
                transform::replicas(&b.map, &with("replicas", seq(vec![r], doc)), ra);
            }
            Ok(())
        }
        "PatchTransformer" => patch::patches_field(b, &with("patches", seq(vec![doc.clone()], doc)), dir, ra),
        "PatchStrategicMergeTransformer" => {
            let mut items: Vec<Node> = doc.get("paths").map(Node::items).unwrap_or(&[]).to_vec();
            if let Some(p) = field("patches") {
                items.push(p);
            }
            patch::strategic_merge_field(b, &with("patchesStrategicMerge", seq(items, doc)), dir, ra)
        }
        "PatchJson6902Transformer" => {
            let mut item = doc.clone();
            if let Some(op) = field("jsonOp") {
                set(&mut item, "patch", op);
            }
            patch::json6902_field(b, &with("patchesJson6902", seq(vec![item], doc)), dir, ra)
        }
        "ReplacementTransformer" => {
            let reps = field("replacements").unwrap_or_else(|| seq(Vec::new(), doc));
            replace::replacements(b, &with("replacements", reps), dir, ra)
        }
        _ => not_run(b),
    }
}

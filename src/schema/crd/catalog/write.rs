//! Writing the embedded catalog (used by `cargo xtask schemas`): the CRDs
//! of a file compiled into kinds, and the catalog serialised.

use std::collections::HashMap;

use super::MAGIC;
use crate::schema::crd::{Origin, add_crd, codec};
use crate::yaml::{Limits, Node, parse_yaml};

/// A compiled custom resource kind, ready to be stored (used by
/// `cargo xtask schemas`).
#[doc(hidden)]
pub struct CompiledKind {
    pub group: String,
    pub kind: String,
    /// Version names, in CRD order.
    pub versions: Vec<String>,
    /// The uncompressed chunk.
    pub chunk: Vec<u8>,
}

/// `line:column` (1-based) of a byte offset.
fn line_col(text: &str, offset: u32) -> (usize, usize) {
    let at = (offset as usize).min(text.len());
    let before = text.get(..at).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Compiles the CRDs of one file (`name` is used in warnings). Documents
/// that are not CustomResourceDefinitions, or that lack a group or kind,
/// are skipped with a located warning.
#[doc(hidden)]
pub fn compile_crd_file(name: &str, text: &str) -> (Vec<CompiledKind>, Vec<String>) {
    let stream = parse_yaml(text, Limits::default());
    let mut warnings: Vec<String> = stream
        .diagnostics
        .iter()
        .filter(|d| d.rule != "yaml-duplicate-key")
        .map(|d| {
            let (l, c) = line_col(text, d.span.start);
            format!(
                "{name}:{l}:{c}: {} ({}); a document that does not load is skipped",
                d.message, d.rule
            )
        })
        .collect();
    let mut by_name = HashMap::new();
    let mut kinds = Vec::new();
    for doc in &stream.documents {
        let Some(root) = &doc.root else { continue };
        let (l, c) = line_col(text, root.span.start);
        let at = format!("{name}:{l}:{c}");
        let s = |k: &str| root.get(k).and_then(Node::as_str);
        let v1 = match (s("apiVersion"), s("kind")) {
            (Some("apiextensions.k8s.io/v1"), Some("CustomResourceDefinition")) => true,
            (Some("apiextensions.k8s.io/v1beta1"), Some("CustomResourceDefinition")) => false,
            (av, k) => {
                warnings.push(format!(
                    "{at}: skipped: not a CustomResourceDefinition ({} {})",
                    av.unwrap_or("-"),
                    k.unwrap_or("-")
                ));
                continue;
            }
        };
        let spec = root.get("spec");
        let group = spec.and_then(|s| s.get("group")).and_then(Node::as_str);
        let kind = spec.and_then(|s| s.path(&["names", "kind"])).and_then(Node::as_str);
        if group.is_none() || kind.is_none() {
            warnings.push(format!("{at}: skipped: the CRD has no spec.group or spec.names.kind"));
            continue;
        }
        add_crd(root, v1, &Origin::Run(String::new()), &mut by_name, &mut kinds);
    }
    let compiled = kinds
        .iter()
        .map(|k| {
            if k.versions.iter().all(|v| v.schema.is_none()) {
                warnings.push(format!("{name}: {} {}: no version has a schema", k.group, k.kind));
            }
            CompiledKind {
                group: k.group.clone(),
                kind: k.kind.clone(),
                versions: k.versions.iter().map(|v| v.name.clone()).collect(),
                chunk: codec::encode_kind(k),
            }
        })
        .collect();
    (compiled, warnings)
}

/// A project as written into the catalog.
#[doc(hidden)]
pub struct ProjectMeta<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub license: &'a str,
    pub repository: &'a str,
}

/// A kind as written into the catalog: `chunk` is compressed (zstd).
#[doc(hidden)]
pub struct StoredKind<'a> {
    pub group: &'a str,
    pub kind: &'a str,
    pub project: usize,
    /// `None`, or Gateway API's `"standard"` / `"experimental"`.
    pub channel: Option<&'a str>,
    pub chunk: &'a [u8],
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    codec::varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// Serialises the catalog (format: `schemas/README.md`).
#[doc(hidden)]
pub fn write_catalog(projects: &[ProjectMeta<'_>], kinds: &[StoredKind<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    codec::varint(&mut out, projects.len() as u64);
    for p in projects {
        put_str(&mut out, p.name);
        put_str(&mut out, p.version);
        put_str(&mut out, p.license);
        put_str(&mut out, p.repository);
    }
    codec::varint(&mut out, kinds.len() as u64);
    for k in kinds {
        put_str(&mut out, k.group);
        put_str(&mut out, k.kind);
        codec::varint(&mut out, k.project as u64);
        out.push(match k.channel {
            Some("standard") => 1,
            Some("experimental") => 2,
            _ => 0,
        });
        codec::varint(&mut out, k.chunk.len() as u64);
    }
    for k in kinds {
        out.extend_from_slice(k.chunk);
    }
    out
}

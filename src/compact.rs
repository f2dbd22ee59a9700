//! What a command-line run keeps of a file once it is parsed.
//!
//! A CustomResourceDefinition is mostly its schemas: on the corpus, its 75
//! CRDs hold 70% of all the nodes of its 1,266 files. Nothing after a CRD's
//! own checks reads its schemas' trees but the compile of its schemas for
//! the custom resources of the run. So, as soon as a file is parsed, each
//! of its CRDs is checked (its rules and its schema), its schemas are
//! compiled, and its `spec.versions[*].schema` and `spec.validation` are
//! cut from the tree. What stays (`apiVersion`, `kind`, `metadata`, the
//! rest of `spec`: group, names, scope, versions) is what the cross-object
//! rules and the suppressions read. A file's placeholders are found before
//! the cut.
//!
//! The language server keeps whole trees of the open documents (it lints
//! them again after each edit); of the other workspace files, which it
//! reads only as their context, it compiles the CRDs and cuts their schemas
//! the same way ([`context`]). `tests/compact.rs` checks that a compact run
//! finds what a run over whole trees finds.

use crate::config::Config;
use crate::diagnostic::{Diagnostic, ObjectMeta};
use crate::hash::Set;
use std::sync::Arc;

use crate::model::{DocObjects, GroupVersion, Object, doc_objects};
use crate::rules::{self, Registry};
use crate::schema::crd::{CompiledCrd, SchemaCache};
use crate::source::{FileId, SourceFile};
use crate::yaml::{Node, Span, Stream, Value};

/// What a file's compact load found besides its trees.
#[derive(Debug, Default)]
pub struct Early {
    /// Findings of the objects checked when the file was read.
    pub findings: Vec<Diagnostic>,
    /// The objects checked then (by their root's first byte, in document
    /// order), with the definition compiled from each CRD (`None`: it
    /// defines nothing, or no kind of the run: [`release_unused`]), and the
    /// identity its findings carry (the run's object takes the same one:
    /// reports match findings to objects by it).
    pub objects: Vec<(u32, Option<CompiledCrd>, Arc<ObjectMeta>)>,
    /// The file's placeholders, found before any tree was cut.
    pub placeholders: Vec<(Span, String)>,
}

impl Early {
    /// The entry of the object whose root starts at `start`, if it was
    /// checked when its file was read.
    pub fn object(&self, start: u32) -> Option<(&Option<CompiledCrd>, &Arc<ObjectMeta>)> {
        self.objects
            .binary_search_by_key(&start, |(s, _, _)| *s)
            .ok()
            .and_then(|i| self.objects.get(i))
            .map(|(_, c, m)| (c, m))
    }
}

/// Checks a parsed file's CRDs and cuts their schemas from its trees.
pub fn file(
    fid: FileId,
    sources: &[SourceFile],
    stream: &mut Stream,
    config: &Config,
    registry: &Registry,
    active: &rules::Active<'_>,
    cache: &SchemaCache,
) -> Early {
    let Some(source) = sources.get(fid as usize) else {
        return Early::default();
    };
    let mut early = Early {
        placeholders: crate::placeholder::find_in(source, stream),
        ..Early::default()
    };
    if source.load_error.is_some() {
        return early;
    }
    compile_and_cut(fid, source, stream, cache, &mut early, |object| {
        let schema = crate::schema::check::check_builtin(object, sources, config, registry)?;
        let mut findings = rules::own(active, object, config, sources);
        findings.extend(schema);
        Some(findings)
    });
    early
}

/// What the language server keeps of a workspace file that is not open:
/// its CRDs compiled and their schemas cut, unchecked (the server checks
/// only the open documents; the workspace is their context). An edit then
/// finds the workspace's CRDs compiled instead of compiling them again.
pub fn context(source: &SourceFile, stream: &mut Stream, cache: &SchemaCache) -> Early {
    let mut early = Early::default();
    if source.load_error.is_none() {
        compile_and_cut(0, source, stream, cache, &mut early, |_| Some(Vec::new()));
    }
    early
}

/// Compiles each CRD of a stream that `check` accepts (its findings, or
/// `None`: the CRD is left whole and unchecked), records it in `early`
/// and cuts its schemas.
fn compile_and_cut(
    fid: FileId,
    source: &SourceFile,
    stream: &mut Stream,
    cache: &SchemaCache,
    early: &mut Early,
    mut check: impl FnMut(&Object) -> Option<Vec<Diagnostic>>,
) {
    let mut cut: Vec<(usize, Option<usize>)> = Vec::new();
    for (d, doc) in stream.documents.iter().enumerate() {
        let DocObjects::Objects(items) = doc_objects(doc) else {
            continue;
        };
        for (item, node) in items {
            let object = Object::new(0, fid, doc.index, item, node);
            if !CompiledCrd::reads(&object) {
                continue;
            }
            let Some(findings) = check(&object) else {
                continue;
            };
            early.findings.extend(findings);
            let compiled = CompiledCrd::of(&object, &source.name, cache);
            early
                .objects
                .push((node.span.start, compiled, Arc::clone(&object.meta)));
            cut.push((d, item));
        }
    }
    cut_schemas(stream, cut);
}

/// Cuts the schemas of the CRDs at (document, List item) in a stream.
fn cut_schemas(stream: &mut Stream, cut: Vec<(usize, Option<usize>)>) {
    for (d, item) in cut {
        let Some(root) = stream.documents.get_mut(d).and_then(|doc| doc.root.as_mut()) else {
            continue;
        };
        let node = match item {
            None => Some(root),
            Some(i) => value_mut(root, "items").and_then(|items| match &mut items.value {
                Value::Seq(list) => list.get_mut(i),
                _ => None,
            }),
        };
        if let Some(crd) = node {
            drop_schemas(crd);
        }
    }
}

/// Drops the compiled CRDs that define no kind of the run's objects: a
/// run's catalog looks up only the kinds it holds, and the rest of the run
/// (its findings, their report) then has that much more room.
pub fn release_unused(streams: &[Stream], early: &mut [Early]) {
    if early.iter().all(|e| e.objects.iter().all(|(_, c, _)| c.is_none())) {
        return;
    }
    let mut used: Set<(&str, &str)> = Set::default();
    for doc in streams.iter().flat_map(|s| &s.documents) {
        if let DocObjects::Objects(items) = doc_objects(doc) {
            for (_, node) in items {
                let text = |k: &str| node.get(k).and_then(Node::as_str);
                if let (Some(av), Some(kind)) = (text("apiVersion"), text("kind")) {
                    used.insert((GroupVersion::parse(av).group, kind));
                }
            }
        }
    }
    for (_, compiled, _) in early.iter_mut().flat_map(|e| &mut e.objects) {
        if compiled.as_ref().is_some_and(|c| !used.contains(&c.defines())) {
            *compiled = None;
        }
    }
}

fn value_mut<'n>(node: &'n mut Node, key: &str) -> Option<&'n mut Node> {
    match &mut node.value {
        Value::Map(entries) => entries.iter_mut().find(|e| &*e.key == key).map(|e| &mut e.value),
        _ => None,
    }
}

/// Cuts a CRD's schemas: `spec.validation` and `spec.versions[*].schema`.
fn drop_schemas(crd: &mut Node) {
    let Some(spec) = value_mut(crd, "spec") else {
        return;
    };
    let Value::Map(entries) = &mut spec.value else {
        return;
    };
    entries.retain(|e| &*e.key != "validation");
    for e in entries.iter_mut().filter(|e| &*e.key == "versions") {
        if let Value::Seq(versions) = &mut e.value.value {
            for v in versions {
                if let Value::Map(fields) = &mut v.value {
                    fields.retain(|f| &*f.key != "schema");
                }
            }
        }
    }
}

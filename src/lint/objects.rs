//! The objects of the loaded documents, and the findings of the loading
//! stages (files that could not be read, YAML problems, documents that
//! are not Kubernetes objects).

use std::sync::Arc;

use crate::config::Config;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::model::{DocObjects, Object, doc_objects};
use crate::rules::Registry;
use crate::source::{FileId, SourceFile};
use crate::yaml::Span;

use super::{Loaded, engine_diagnostic};

/// Findings of the loading stages, and the objects of every document.
pub fn collect_objects<'a>(
    sources: &[SourceFile],
    loaded: &'a Loaded,
    registry: &Registry,
    config: &Config,
    out: &mut Vec<Diagnostic>,
) -> Vec<Object<'a>> {
    // Sized once (a document is one object, or a List's items), not
    // doubled as it grows: the catalog is kept to the end of the run.
    let count = |doc: &crate::yaml::Document| {
        doc.root
            .as_ref()
            .and_then(|r| r.get("items"))
            .map_or(1, |items| items.items().len().max(1))
    };
    let mut objects = Vec::with_capacity(loaded.streams.iter().flat_map(|s| &s.documents).map(count).sum());
    for (fid, (source, stream)) in sources.iter().zip(&loaded.streams).enumerate() {
        let fid = fid as FileId;
        if let Some(err) = &source.load_error {
            let end = source.text.len().min(err.offset as usize + 1) as u32;
            out.extend(engine_diagnostic(
                registry,
                config,
                err.rule,
                fid,
                Span::new(err.offset, end.max(err.offset)),
                err.message.clone(),
            ));
            continue;
        }
        for d in &stream.diagnostics {
            if let Some(mut diag) = engine_diagnostic(registry, config, d.rule, fid, d.span, d.message.clone()) {
                for (span, msg) in &d.labels {
                    diag.label(*span, msg.clone());
                }
                diag.help = d.help.clone();
                // Kubernetes keeps the later of two duplicate keys: removing
                // the earlier one changes nothing it sees.
                if let Some(edit) = d
                    .shadowed
                    .and_then(|(key, end)| crate::fix::remove_lines(source, fid, key, end))
                {
                    diag.fix(Fix {
                        title: "remove the earlier, ignored entry".into(),
                        applicability: Applicability::Safe,
                        edits: vec![edit],
                    });
                }
                out.push(diag);
            }
        }
        for doc in &stream.documents {
            match doc_objects(doc) {
                DocObjects::Objects(items) => {
                    let early = loaded.early.get(fid as usize);
                    for (item, node) in items {
                        let mut object = Object::new(objects.len(), fid, doc.index, item, node);
                        if let Some((compiled, meta)) = early.and_then(|e| e.object(node.span.start)) {
                            object.checked_early = true;
                            object.compiled_crd = compiled.clone();
                            object.meta = Arc::clone(meta);
                        }
                        objects.push(object);
                    }
                }
                DocObjects::NotAnObject { span, .. } if is_chart_metadata(doc.root.as_ref()) => {
                    let name = doc
                        .root
                        .as_ref()
                        .and_then(|r| r.get("name"))
                        .and_then(|n| n.scalar_text())
                        .unwrap_or_default();
                    let at = doc
                        .root
                        .as_ref()
                        .and_then(|r| r.entry("apiVersion"))
                        .map_or(span, |e| e.key_span);
                    // The chart's folder as the user named it (not an
                    // absolute path): the file's shown name without it.
                    let dir = std::path::Path::new(&source.name)
                        .parent()
                        .map(|p| p.display().to_string())
                        .filter(|p| !p.is_empty())
                        .unwrap_or_else(|| ".".into());
                    if let Some(mut d) = engine_diagnostic(
                        registry,
                        config,
                        "helm-chart",
                        fid,
                        at,
                        format!("Helm chart `{name}`: its templates become manifests only when rendered"),
                    ) {
                        d.help(format!(
                            "lint what the chart renders: `helm template {dir} | kvet check -` (its values files and templates/ are not linted as manifests)"
                        ));
                        out.push(d);
                    }
                }
                DocObjects::NotAnObject { span, reason, rename } => {
                    if let Some(mut d) = engine_diagnostic(registry, config, "type-meta-missing", fid, span, reason) {
                        d.help("every Kubernetes manifest needs `apiVersion` (e.g. `apps/v1`) and `kind` (e.g. `Deployment`)");
                        if let Some(key) = rename {
                            d.fix(Fix {
                                title: format!("rename the key to `{key}`"),
                                applicability: Applicability::Safe,
                                edits: vec![Edit {
                                    file: fid,
                                    span,
                                    replacement: key.to_string(),
                                }],
                            });
                        }
                        out.push(d);
                    }
                }
                DocObjects::Nothing | DocObjects::Foreign => {}
            }
        }
    }
    objects
}

/// A Helm chart's `Chart.yaml`: apiVersion `v1` or `v2`, a `name` and a
/// `version`, no `kind`.
fn is_chart_metadata(root: Option<&crate::yaml::Node>) -> bool {
    let Some(root) = root else { return false };
    let api = root.get("apiVersion").and_then(|n| n.scalar_text());
    matches!(api.as_deref(), Some("v1" | "v2"))
        && root.get("kind").is_none()
        && root.get("name").is_some()
        && root.get("version").is_some()
}

//! The one pipeline the CLI and the LSP share:
//! sources → documents → objects → catalog → checks → filtered findings.

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity, Summary};
use crate::model::{Catalog, DocObjects, Object, doc_objects};
use crate::rules::{self, Registry};
use crate::source::{FileId, SourceFile};
use crate::yaml::{Limits, Span, Stream, parse_source};

/// What a lint run produced.
#[derive(Debug, Default)]
pub struct LintOutput {
    /// Findings to report, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    pub summary: Summary,
}

/// The documents of every file, loaded once.
pub struct Loaded {
    pub streams: Vec<Stream>,
}

/// Loads every source in parallel.
pub fn load(sources: &[SourceFile]) -> Loaded {
    let streams = sources
        .par_iter()
        .map(|s| {
            if s.load_error.is_some() {
                return Stream::default();
            }
            parse_source(&s.text, s.looks_like_json(), Limits::default())
        })
        .collect();
    Loaded { streams }
}

fn engine_diagnostic(
    registry: &Registry,
    config: &Config,
    rule: &'static str,
    file: FileId,
    span: Span,
    message: String,
) -> Option<Diagnostic> {
    let doc = registry.doc(rule)?;
    if !config.rule_enabled(doc) {
        return None;
    }
    Some(Diagnostic::new(rule, config.severity_of(doc), file, span, message))
}

/// Findings of the loading stages, and the objects of every document.
pub fn collect_objects<'a>(
    sources: &[SourceFile],
    loaded: &'a Loaded,
    registry: &Registry,
    config: &Config,
    out: &mut Vec<Diagnostic>,
) -> Vec<Object<'a>> {
    let mut objects = Vec::new();
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
                out.push(diag);
            }
        }
        for doc in &stream.documents {
            match doc_objects(doc) {
                DocObjects::Objects(items) => {
                    for (item, node) in items {
                        objects.push(Object::new(objects.len(), fid, doc.index, item, node));
                    }
                }
                DocObjects::NotAnObject { span, reason } => {
                    if let Some(mut d) = engine_diagnostic(registry, config, "type-meta-missing", fid, span, reason) {
                        d.help("every Kubernetes manifest needs `apiVersion` (e.g. `apps/v1`) and `kind` (e.g. `Deployment`)");
                        out.push(d);
                    }
                }
                DocObjects::Nothing | DocObjects::Foreign => {}
            }
        }
    }
    objects
}

/// Lints a set of sources with a registry and configuration.
pub fn lint_with(sources: &[SourceFile], config: &Config, registry: &Registry) -> LintOutput {
    let loaded = load(sources);
    let mut diagnostics = Vec::new();
    let objects = collect_objects(sources, &loaded, registry, config, &mut diagnostics);
    let catalog = Catalog::new(objects);
    diagnostics.extend(rules::run(registry, &catalog, sources, config));
    finish(diagnostics, sources.len(), catalog.len())
}

/// Lints with the built-in rules.
pub fn lint(sources: &[SourceFile], config: &Config) -> LintOutput {
    lint_with(sources, config, Registry::builtin())
}

fn finish(mut diagnostics: Vec<Diagnostic>, files: usize, objects: usize) -> LintOutput {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup_by(|a, b| a.sort_key() == b.sort_key() && a.message == b.message);
    let mut summary = Summary {
        files,
        objects,
        ..Summary::default()
    };
    summary.count(&diagnostics);
    LintOutput { diagnostics, summary }
}

/// The highest severity among the findings.
pub fn max_severity(diags: &[Diagnostic]) -> Option<Severity> {
    diags.iter().map(|d| d.severity).max()
}

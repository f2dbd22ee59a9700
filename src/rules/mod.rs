//! The rule engine: a registry of rules (docs from `rules/*.yaml`, checks in
//! Rust), run in parallel over objects and over the catalog.

pub mod docs;
mod registry;
pub mod template;

pub mod availability;
pub mod images;
pub mod jobs;
pub mod kubeadm;
pub mod kustomize;
pub mod metadata;
pub mod networking;
pub mod probes;
pub mod rbac;
pub mod resources;
pub mod scheduling;
pub mod security;
pub mod selectors;
#[cfg(test)]
pub(crate) mod testing;

use std::sync::Arc;

use rayon::prelude::*;

pub use docs::{CATEGORIES, DocError, RuleDoc, RuleOption, markdown_table};
pub use registry::{ENGINE_RULES, Registry, builtin_docs, builtin_ids, is_engine_rule};

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::{Catalog, Object};
use crate::source::SourceFile;
use crate::yaml::Span;

/// A check. Per-object rules implement `check`; rules that relate objects
/// to each other implement `check_catalog`. Both must be pure: they read the
/// tree and report through the context.
pub trait Rule: Send + Sync {
    fn id(&self) -> &str;

    fn check(&self, _object: &Object, _ctx: &mut Ctx) {}

    fn check_catalog(&self, _catalog: &Catalog, _ctx: &mut Ctx) {}
}

/// A rule a configuration turns on: its docs, its check, and the severity
/// and options the configuration gives it (looked up once per lint, not
/// once per object).
pub struct ActiveRule<'r> {
    pub doc: &'r RuleDoc,
    pub rule: &'r dyn Rule,
    severity: Severity,
    options: Option<&'r serde_json::Map<String, serde_json::Value>>,
}

/// The rules a configuration turns on.
pub type Active<'r> = Vec<ActiveRule<'r>>;

pub fn active<'r>(registry: &'r Registry, config: &'r Config) -> Active<'r> {
    registry
        .entries()
        .filter(|e| config.rule_enabled(&e.doc))
        .filter_map(|e| {
            e.check.as_deref().map(|rule| ActiveRule {
                doc: &e.doc,
                rule,
                severity: config.severity_of(&e.doc),
                options: config.rule_options(&e.doc.id),
            })
        })
        .collect()
}

/// One object's findings of the per-object rules.
pub fn own(active: &Active<'_>, object: &Object, config: &Config, sources: &[SourceFile]) -> Vec<Diagnostic> {
    let mut ctx = Ctx::new(config, sources);
    for a in active {
        ctx.set_rule(a);
        a.rule.check(object, &mut ctx);
    }
    ctx.into_diagnostics()
}

/// What a rule sees while it runs, and where its findings go.
pub struct Ctx<'r> {
    pub config: &'r Config,
    pub sources: &'r [SourceFile],
    rule_id: &'r str,
    severity: Severity,
    options: Option<&'r serde_json::Map<String, serde_json::Value>>,
    doc: Option<&'r RuleDoc>,
    out: Vec<Diagnostic>,
    /// Indexes the cross-object rules of one lint share ([`run`] sets it).
    shared: Option<&'r Shared<'r>>,
}

/// Indexes of a lint's objects that several cross-object rules use, each
/// built once, by the first rule that asks.
pub(crate) struct Shared<'r> {
    catalog: &'r Catalog<'r>,
    pods: std::sync::OnceLock<selectors::matching::PodIndex<'r>>,
}

impl<'r> Ctx<'r> {
    pub fn new(config: &'r Config, sources: &'r [SourceFile]) -> Self {
        Ctx {
            config,
            sources,
            rule_id: "",
            severity: Severity::Warning,
            options: None,
            doc: None,
            out: Vec::new(),
            shared: None,
        }
    }

    /// The lint's pod templates by label, shared by its rules; `None`
    /// outside [`run`].
    pub(crate) fn shared_pods(&self) -> Option<&'r selectors::matching::PodIndex<'r>> {
        let shared = self.shared?;
        let sources = self.sources;
        Some(
            shared
                .pods
                .get_or_init(|| selectors::matching::PodIndex::new(shared.catalog, sources)),
        )
    }

    fn set_rule(&mut self, a: &ActiveRule<'r>) {
        self.rule_id = &a.doc.id;
        self.severity = a.severity;
        self.options = a.options;
        self.doc = Some(a.doc);
    }

    /// Reports a finding about `object` at `span` (in the object's file).
    pub fn report(&mut self, object: &Object, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        let mut d = Diagnostic::new(self.rule_id.to_string(), self.severity, object.file, span, message);
        d.object = Some(Arc::clone(&object.meta));
        self.out.push(d);
        let last = self.out.len() - 1;
        &mut self.out[last]
    }

    /// A rule option: the user's value from the config, else the documented
    /// default.
    pub fn option(&self, name: &str) -> Option<&serde_json::Value> {
        if let Some(v) = self.options.and_then(|o| o.get(name)) {
            return Some(v);
        }
        self.doc?.options.iter().find(|o| o.name == name).map(|o| &o.default)
    }

    pub fn option_str(&self, name: &str) -> Option<&str> {
        self.option(name).and_then(serde_json::Value::as_str)
    }

    pub fn option_f64(&self, name: &str) -> Option<f64> {
        self.option(name).and_then(serde_json::Value::as_f64)
    }

    pub fn option_strings(&self, name: &str) -> Vec<&str> {
        self.option(name)
            .and_then(serde_json::Value::as_array)
            .map(|a| a.iter().filter_map(serde_json::Value::as_str).collect())
            .unwrap_or_default()
    }

    pub fn source(&self, object: &Object) -> Option<&'r SourceFile> {
        self.sources.get(object.file as usize)
    }

    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.out
    }
}

/// Chaining helpers for a reported finding.
impl Diagnostic {
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }

    pub fn label(&mut self, span: Span, message: impl Into<String>) -> &mut Self {
        self.labels.push(crate::diagnostic::Label {
            file: self.file,
            span,
            message: message.into(),
        });
        self
    }

    pub fn fix(&mut self, fix: crate::diagnostic::Fix) -> &mut Self {
        self.fix = Some(fix);
        self
    }
}

/// Runs every enabled rule over the catalog: per-object checks in parallel
/// over objects, catalog checks in parallel over rules (sharing the
/// indexes several of them use). `on_object` is called as each object is
/// done (progress bars).
pub fn run(
    registry: &Registry,
    catalog: &Catalog,
    sources: &[SourceFile],
    config: &Config,
    on_object: &(dyn Fn() + Sync),
) -> Vec<Diagnostic> {
    let active = active(registry, config);

    let mut out: Vec<Diagnostic> = catalog
        .objects
        .par_iter()
        .filter(|o| catalog.in_focus(o))
        .flat_map_iter(|object| {
            let found = if object.checked_early {
                Vec::new()
            } else {
                catalog.own_findings(object, sources, crate::memo::Pass::Rules, || {
                    own(&active, object, config, sources)
                })
            };
            on_object();
            found
        })
        .collect();

    let shared = Shared {
        catalog,
        pods: std::sync::OnceLock::new(),
    };
    let cross: Vec<Diagnostic> = active
        .par_iter()
        .flat_map_iter(|a| {
            let mut ctx = Ctx::new(config, sources);
            ctx.shared = Some(&shared);
            ctx.set_rule(a);
            a.rule.check_catalog(catalog, &mut ctx);
            ctx.into_diagnostics()
        })
        .collect();
    out.extend(cross);
    out
}

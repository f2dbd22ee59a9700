//! The schema stage of a lint run: every object validated against the API
//! of the chosen Kubernetes version, and, with a target version, what
//! breaks or changes on the way there.
//!
//! One walk per object feeds several rules (`schema-*`, `unknown-kind`,
//! `api-*`, `field-*`), run in parallel over objects.
//!
//! This module holds the stage's entry points; one object's checks, the
//! versions, the built-in API groups, the API server's own rules and the
//! writing of findings are in its submodules.

use std::collections::HashSet;

use rayon::prelude::*;

use super::crd::CrdIndex;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::model::{Catalog, Object};
use crate::rules::Registry;
use crate::source::SourceFile;
use crate::yaml::Span;

mod apiserver;
mod kinds;
mod object;
mod report;
mod versions;
use kinds::builtin_group;
pub use kinds::{is_builtin_object, mark_custom_pod_templates};
use object::check_object;
use versions::LazyVersions;
pub use versions::{Versions, version_label};

/// Rules reported by this stage.
pub const SCHEMA_RULES: &[&str] = &[
    "unknown-kind",
    "schema-unknown-field",
    "schema-invalid-type",
    "schema-missing-required",
    "schema-invalid-value",
    "api-deprecated",
    "api-removed",
    "field-deprecated",
    "field-removed",
    "field-type-changed",
];

struct Out<'r> {
    registry: &'r Registry,
    config: &'r Config,
    diags: Vec<Diagnostic>,
}

impl Out<'_> {
    fn report(&mut self, rule: &'static str, object: &Object, span: Span, message: String) -> Option<&mut Diagnostic> {
        let doc = self.registry.doc(rule)?;
        if !self.config.rule_enabled(doc) {
            return None;
        }
        let mut d = Diagnostic::new(rule, self.config.severity_of(doc), object.file, span, message);
        d.object = Some(std::sync::Arc::clone(&object.meta));
        self.diags.push(d);
        self.diags.last_mut()
    }
}

/// Runs the schema stage over the catalog.
/// Checks every object against its schema; `on_object` is called as each
/// object is done (progress bars; at once for all when there is nothing to check).
pub fn check(
    catalog: &Catalog,
    sources: &[SourceFile],
    config: &Config,
    registry: &Registry,
    on_object: &(dyn Fn() + Sync),
) -> Vec<Diagnostic> {
    let Some(versions) = versions_to_check(config, registry) else {
        catalog.objects.iter().for_each(|_| on_object());
        return Vec::new();
    };
    // With a focus, only the focus objects are checked: only their kinds'
    // CRDs are compiled.
    let wanted: Option<HashSet<(&str, &str)>> = catalog.focus.as_ref().map(|_| {
        catalog
            .objects
            .iter()
            .filter(|o| catalog.in_focus(o))
            .map(|o| (o.group(), o.kind))
            .collect()
    });
    let crds = super::crd::catalog::index_for_kinds(catalog.objects.iter(), sources, config, wanted.as_ref());
    catalog
        .objects
        .par_iter()
        .filter(|o| catalog.in_focus(o))
        .flat_map_iter(|object| {
            let found = if object.checked_early {
                Vec::new()
            } else {
                catalog.own_findings(object, sources, crate::memo::Pass::Schema, || {
                    check_one(object, sources, config, registry, &versions, &crds)
                })
            };
            on_object();
            found
        })
        .collect()
}

/// The versions to check against, or `None` when the schema stage has
/// nothing to do (its rules are off; or the versions are invalid: the
/// command line says so before linting, the language server falls back to
/// the newest).
fn versions_to_check<'c>(config: &'c Config, registry: &Registry) -> Option<LazyVersions<'c>> {
    let enabled = SCHEMA_RULES
        .iter()
        .any(|r| registry.doc(r).is_some_and(|d| config.rule_enabled(d)));
    if !enabled {
        return None;
    }
    LazyVersions::new(config)
}

fn check_one(
    object: &Object,
    sources: &[SourceFile],
    config: &Config,
    registry: &Registry,
    versions: &LazyVersions,
    crds: &CrdIndex,
) -> Vec<Diagnostic> {
    let mut out = Out {
        registry,
        config,
        diags: Vec::new(),
    };
    if let Some(source) = sources.get(object.file as usize) {
        check_object(object, source, versions, crds, &mut out);
    }
    out.diags
}

/// The schema findings of an object of one of Kubernetes' own kinds
/// (`None` for a custom resource, whose schema comes from the run's CRDs).
pub fn check_builtin(
    object: &Object,
    sources: &[SourceFile],
    config: &Config,
    registry: &Registry,
) -> Option<Vec<Diagnostic>> {
    if !object.api_version.is_empty() && !builtin_group(object.api_version) {
        return None;
    }
    let Some(versions) = versions_to_check(config, registry) else {
        return Some(Vec::new());
    };
    Some(check_one(
        object,
        sources,
        config,
        registry,
        &versions,
        &CrdIndex::default(),
    ))
}

/// A deprecation note without the API documentation's own leading
/// "Deprecated:" or "Deprecated." (the message already says it).
pub(crate) fn strip_deprecated(note: &str) -> &str {
    let t = note.trim();
    ["Deprecated:", "DEPRECATED:", "Deprecated.", "Deprecated -"]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .map_or(t, str::trim_start)
}

/// `spec.containers[0].image` → `spec.containers[].image`.
pub fn bracketless(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut skip = false;
    for c in path.chars() {
        match c {
            '[' => {
                skip = true;
                out.push_str("[]");
            }
            ']' => skip = false,
            _ if skip => {}
            c => out.push(c),
        }
    }
    out
}

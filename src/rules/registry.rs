//! The table of rules: every `rules/*.yaml` doc, joined with its check.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::docs::RuleDoc;
use super::template::TemplateRule;
use super::{
    Rule, availability, images, jobs, kubeadm, kustomize, metadata, networking, probes, rbac, resources, scheduling,
    security, selectors,
};

include!(concat!(env!("OUT_DIR"), "/rule_files.rs"));

/// Rules whose findings come from the loading stages rather than a check:
/// they have docs and fixtures like every rule, and no `Rule` impl.
pub const ENGINE_RULES: &[&str] = &[
    "io-error",
    "yaml-syntax",
    "yaml-duplicate-key",
    "yaml-limits",
    "type-meta-missing",
    "unused-suppression",
    "helm-chart",
    "placeholder-unrendered",
    "kustomization-build-error",
    "kustomization-not-rendered",
    "kustomization-patch-no-match",
];

/// Whether a rule's findings come from an engine stage (loading, the
/// schema stage) rather than a check.
pub fn is_engine_rule(id: &str) -> bool {
    ENGINE_RULES.contains(&id) || crate::schema::check::SCHEMA_RULES.contains(&id)
}

/// Every built-in check: each category module lists its own.
fn builtin_checks() -> Vec<Box<dyn Rule>> {
    [
        availability::checks(),
        images::checks(),
        jobs::checks(),
        kubeadm::checks(),
        kustomize::checks(),
        metadata::checks(),
        networking::checks(),
        probes::checks(),
        rbac::checks(),
        resources::checks(),
        scheduling::checks(),
        security::checks(),
        selectors::checks(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

pub struct RuleEntry {
    pub doc: RuleDoc,
    pub check: Option<Box<dyn Rule>>,
}

pub struct Registry {
    entries: Vec<RuleEntry>,
    index: HashMap<String, usize>,
}

impl Registry {
    /// The built-in rules (parsed once per process).
    pub fn builtin() -> &'static Registry {
        static REGISTRY: OnceLock<Registry> = OnceLock::new();
        REGISTRY.get_or_init(|| {
            let (docs, errors) = builtin_docs();
            // Embedded docs are checked by the test suite; a broken one is
            // skipped rather than taking the tool down.
            for e in errors {
                eprintln!("kvet: internal rule doc {}: {}", e.file, e.message);
            }
            Registry::from_docs(docs, builtin_checks())
        })
    }

    /// Builds a registry from docs and checks; checks are matched to docs by id.
    pub fn from_docs(docs: Vec<RuleDoc>, checks: Vec<Box<dyn Rule>>) -> Registry {
        let mut checks: HashMap<String, Box<dyn Rule>> = checks.into_iter().map(|c| (c.id().to_string(), c)).collect();
        let mut entries: Vec<RuleEntry> = docs
            .into_iter()
            .map(|doc| {
                let check = checks.remove(doc.id.as_str()).or_else(|| {
                    doc.compiled.as_ref().map(|t| {
                        Box::new(TemplateRule {
                            id: doc.id.clone(),
                            template: Arc::clone(t),
                        }) as Box<dyn Rule>
                    })
                });
                RuleEntry { doc, check }
            })
            .collect();
        entries.sort_by(|a, b| a.doc.id.cmp(&b.doc.id));
        let index = entries.iter().enumerate().map(|(i, e)| (e.doc.id.clone(), i)).collect();
        Registry { entries, index }
    }

    /// The built-in rules plus the user's declarative rules.
    pub fn with_custom(custom: &[RuleDoc]) -> Registry {
        let (mut docs, _) = builtin_docs();
        docs.extend(custom.iter().cloned());
        Registry::from_docs(docs, builtin_checks())
    }

    pub fn entries(&self) -> impl Iterator<Item = &RuleEntry> {
        self.entries.iter()
    }

    pub fn get(&self, id: &str) -> Option<&RuleEntry> {
        self.index.get(id).map(|&i| &self.entries[i])
    }

    pub fn doc(&self, id: &str) -> Option<&RuleDoc> {
        self.get(id).map(|e| &e.doc)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Parses the embedded `rules/*.yaml`.
pub fn builtin_docs() -> (Vec<RuleDoc>, Vec<super::DocError>) {
    let mut docs = Vec::new();
    let mut errors = Vec::new();
    for (name, text) in RULE_FILES {
        match RuleDoc::parse(name, text) {
            Ok(d) => docs.push(d),
            Err(e) => errors.push(e),
        }
    }
    (docs, errors)
}

/// The ids of the built-in rules, without parsing their docs: each is its
/// file's name (a test checks that each doc's id is).
pub fn builtin_ids() -> impl Iterator<Item = &'static str> {
    RULE_FILES.iter().filter_map(|(n, _)| n.strip_suffix(".yaml"))
}

/// Names of the embedded rule files (for tests that check the layout).
#[cfg(test)]
fn builtin_file_names() -> impl Iterator<Item = &'static str> {
    RULE_FILES.iter().map(|(n, _)| *n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_doc_parses_and_matches_its_file_name() {
        let (docs, errors) = builtin_docs();
        assert!(errors.is_empty(), "{errors:?}");
        let names: Vec<&str> = builtin_file_names().collect();
        for (doc, name) in docs.iter().zip(names) {
            assert_eq!(format!("{}.yaml", doc.id), name);
        }
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(builtin_ids().collect::<Vec<_>>(), ids);
    }

    #[test]
    fn every_rule_has_a_check_or_comes_from_the_engine() {
        let reg = Registry::builtin();
        for e in reg.entries() {
            let ok = e.check.is_some() || e.doc.template.is_some() || is_engine_rule(&e.doc.id);
            assert!(ok, "rule {} has docs but no check", e.doc.id);
        }
        for c in builtin_checks() {
            assert!(
                reg.get(c.id()).is_some(),
                "check {} has no rules/{}.yaml",
                c.id(),
                c.id()
            );
        }
    }
}

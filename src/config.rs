//! Run configuration: which rules run, at which severity, with which options.

use std::collections::HashMap;

use crate::diagnostic::Severity;
use crate::rules::RuleDoc;

#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Rule ids or categories to run (`all` for every rule). Empty: the
    /// rules enabled by default.
    pub select: Vec<String>,
    /// Rule ids or categories never to run.
    pub ignore: Vec<String>,
    /// Per-rule severity overrides.
    pub severity: HashMap<String, Severity>,
    /// Per-rule options, by rule id.
    pub options: HashMap<String, serde_json::Map<String, serde_json::Value>>,
}

impl Config {
    fn matches(list: &[String], doc: &RuleDoc) -> bool {
        list.iter().any(|s| s == "all" || *s == doc.id || *s == doc.category)
    }

    /// Whether a rule runs: selected (explicitly, or by default) and not
    /// ignored. An explicit id beats a category in the other list.
    pub fn rule_enabled(&self, doc: &RuleDoc) -> bool {
        let explicitly_selected = self.select.contains(&doc.id);
        let explicitly_ignored = self.ignore.contains(&doc.id);
        if explicitly_ignored {
            return false;
        }
        if explicitly_selected {
            return true;
        }
        let selected = if self.select.is_empty() {
            doc.enabled_by_default
        } else {
            Self::matches(&self.select, doc)
        };
        selected && !Self::matches(&self.ignore, doc)
    }

    pub fn severity_of(&self, doc: &RuleDoc) -> Severity {
        self.severity.get(&doc.id).copied().unwrap_or(doc.severity)
    }

    pub fn rule_options(&self, id: &str) -> Option<&serde_json::Map<String, serde_json::Value>> {
        self.options.get(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, category: &str, on: bool) -> RuleDoc {
        RuleDoc {
            id: id.into(),
            category: category.into(),
            severity: Severity::Warning,
            summary: String::new(),
            why: String::new(),
            fix: String::new(),
            bad: String::new(),
            good: String::new(),
            source: None,
            enabled_by_default: on,
            options: vec![],
            template: None,
            compiled: None,
        }
    }

    #[test]
    fn selection() {
        let a = doc("probes-identical", "probes", true);
        let b = doc("image-digest-missing", "images", false);
        let c = Config::default();
        assert!(c.rule_enabled(&a) && !c.rule_enabled(&b));
        let c = Config {
            select: vec!["images".into()],
            ..Config::default()
        };
        assert!(!c.rule_enabled(&a) && c.rule_enabled(&b));
        let c = Config {
            ignore: vec!["probes".into()],
            select: vec!["probes-identical".into()],
            ..Config::default()
        };
        assert!(c.rule_enabled(&a));
        let c = Config {
            ignore: vec!["all".into()],
            ..Config::default()
        };
        assert!(!c.rule_enabled(&a));
    }
}

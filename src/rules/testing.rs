//! Helpers for the pass/fail cases at the bottom of each rule file.

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::lint::lint;
use crate::source::SourceFile;

/// Lints `text` with only `rule` selected and returns its findings.
pub fn run_rule(rule: &str, text: &str) -> Vec<Diagnostic> {
    run_with(rule, text, Config::default())
}

/// Lints `text` with only `rule` selected, checked against Kubernetes
/// `version` (`--kubernetes-version`), and returns its findings.
pub fn run_rule_at(rule: &str, version: &str, text: &str) -> Vec<Diagnostic> {
    let config = Config {
        kubernetes_version: Some(version.to_string()),
        ..Config::default()
    };
    run_with(rule, text, config)
}

fn run_with(rule: &str, text: &str, config: Config) -> Vec<Diagnostic> {
    let config = Config {
        select: vec![rule.to_string()],
        ..config
    };
    let sources = vec![SourceFile::from_text("test.yaml", None, text.to_string())];
    lint(&sources, &config)
        .diagnostics
        .into_iter()
        .filter(|d| d.rule == rule)
        .collect()
}

/// Asserts the rule fires on `text`; returns its findings.
#[track_caller]
pub fn assert_fires(rule: &str, text: &str) -> Vec<Diagnostic> {
    let d = run_rule(rule, text);
    assert!(!d.is_empty(), "expected {rule} to fire on:\n{text}");
    d
}

/// Asserts the rule is silent on `text`.
#[track_caller]
pub fn assert_quiet(rule: &str, text: &str) {
    let d = run_rule(rule, text);
    assert!(
        d.is_empty(),
        "expected {rule} to be quiet, got {:#?}",
        d.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
}

/// The source text a finding points at.
pub fn spanned<'t>(text: &'t str, d: &Diagnostic) -> &'t str {
    text.get(d.span.start as usize..d.span.end as usize).unwrap_or("")
}

/// `text` after applying the fix of a finding.
#[track_caller]
pub fn fixed(text: &str, d: &Diagnostic) -> String {
    let fix = d
        .fix
        .as_ref()
        .unwrap_or_else(|| panic!("expected a fix on {}: {}", d.rule, d.message));
    crate::fix::apply_edits(text, &fix.edits.iter().collect::<Vec<_>>())
}

/// Every file of `fixtures/` (one folder per rule), read as text, with
/// whether it is JSON: the inputs of the round-trip tests of the caches.
pub fn fixture_texts() -> Vec<(String, bool)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut texts = Vec::new();
    for dir in std::fs::read_dir(root).into_iter().flatten().flatten() {
        for file in std::fs::read_dir(dir.path()).into_iter().flatten().flatten() {
            if let Ok(text) = std::fs::read_to_string(file.path()) {
                texts.push((text, file.path().extension().is_some_and(|e| e == "json")));
            }
        }
    }
    texts
}
